#!/usr/bin/env bash
# Runs partnerbot from source.
#
#   TELEGRAM_BOT_TOKEN=... ./scripts/run.sh   # the bot, on Telegram
#   ./scripts/run.sh                          # no token: the playground, a
#                                             # local page at http://127.0.0.1:8080/
#   ./scripts/run.sh migrate|grant|import...  # administration (see README)
#
# Arguments are passed to the binary. DATABASE_URL, if set, is used as it
# is; else PostgreSQL is found the way scripts/test.sh finds it (see
# scripts/postgres.sh): the server on 127.0.0.1:5432, else an installed
# Debian cluster, else a cluster of this script's own whose data lives in
# PARTNERBOT_PGDATA (default: ~/.local/share/partnerbot/postgres, or
# /var/lib/partnerbot/postgres for root) and survives restarts. There the
# database "partnerbot" is created if needed; the playground uses its own
# database "partnerbot_playground" on the same server, made anew at each start.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'run.sh: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
	PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || die "Go is not installed (https://go.dev/doc/install)"

args=("$@")
if [[ ${#args[@]} -eq 0 && -z "${TELEGRAM_BOT_TOKEN:-}" ]]; then
	log "TELEGRAM_BOT_TOKEN is not set: starting the playground (the bot against a fake Telegram, in the browser)"
	args=(playground)
fi

if [[ -z "${DATABASE_URL:-}" ]]; then
	# shellcheck source=scripts/postgres.sh
	source scripts/postgres.sh
	if [[ $(id -u) -eq 0 ]]; then
		default_pgdata=/var/lib/partnerbot/postgres
	else
		default_pgdata="${XDG_DATA_HOME:-$HOME/.local/share}/partnerbot/postgres"
	fi
	find_postgres keep "${PARTNERBOT_PGDATA:-$default_pgdata}"
	if [[ "${args[0]:-}" == playground ]]; then
		# The playground creates and migrates its own database itself.
		export DATABASE_URL="$pg_url"
	else
		export DATABASE_URL="${pg_url/\/postgres\?/\/partnerbot?}"
		if command -v psql >/dev/null 2>&1 &&
			! psql "$pg_url" -XtAc "SELECT 1 FROM pg_database WHERE datname = 'partnerbot'" </dev/null | grep -q 1; then
			psql "$pg_url" -Xqc 'CREATE DATABASE partnerbot' </dev/null ||
				die "cannot create the database partnerbot; set DATABASE_URL"
		fi
	fi
fi
exec go run ./cmd/partnerbot "${args[@]}"
