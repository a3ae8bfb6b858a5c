#!/usr/bin/env bash
# Runs partnerbot from source. Needs TELEGRAM_BOT_TOKEN; DATABASE_URL
# defaults to a local PostgreSQL (127.0.0.1:5432, user postgres), where the
# database "partnerbot" is created if it does not exist yet. Arguments are
# passed to the binary (e.g. `./scripts/run.sh migrate`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
	PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || { echo "run.sh: Go is not installed (https://go.dev/doc/install)" >&2; exit 1; }

if [[ -z "${DATABASE_URL:-}" ]]; then
	export DATABASE_URL="postgres://postgres@127.0.0.1:5432/partnerbot?sslmode=disable"
	if command -v psql >/dev/null 2>&1 &&
		! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'partnerbot'" 2>/dev/null | grep -q 1; then
		psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE partnerbot' ||
			{ echo "run.sh: cannot reach PostgreSQL on 127.0.0.1:5432 as postgres; set DATABASE_URL" >&2; exit 1; }
	fi
fi
exec go run ./cmd/partnerbot "$@"
