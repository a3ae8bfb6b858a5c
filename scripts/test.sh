#!/usr/bin/env bash
# The test command of partnerbot: finds (or starts) a PostgreSQL for the
# tests, then runs go vet, a gofmt check and the whole test suite with -race.
#
#   ./scripts/test.sh                      # everything
#   ./scripts/test.sh -run TestFoo -v      # extra arguments go to `go test`
#   ./scripts/test.sh ./internal/testdb/   # package arguments replace ./...
#
# PostgreSQL, first match wins:
#   1. TEST_DATABASE_URL, if set (must be reachable, else the script fails);
#   2.-4. as scripts/postgres.sh finds it (shared with run.sh): a server on
#      127.0.0.1:5432, an installed Debian cluster, else a throwaway cluster
#      made with the installed PostgreSQL binaries in a temporary directory
#      on a free port, removed on exit.
# The chosen server's user must be able to CREATE DATABASE and CREATE ROLE;
# each test gets its own database (see internal/testdb).
set -euo pipefail

start_time=$(date +%s)
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'test.sh: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# shellcheck source=scripts/postgres.sh
source scripts/postgres.sh
PG_URL_VAR=TEST_DATABASE_URL

result="FAIL"
cleanup() {
	local rc=$?
	pg_cleanup
	if [[ $rc -eq 0 ]]; then
		result="PASS"
	fi
	log "$result in $(($(date +%s) - start_time))s"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- Go toolchain
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
	PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null 2>&1 || die "go is not on PATH (nor at /usr/local/go/bin/go); install Go, see go.mod for the version"

# ---------------------------------------------------------------- PostgreSQL
db_url=""

# 1. An explicit server.
if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -t 5 -d "$TEST_DATABASE_URL" ||
			die "TEST_DATABASE_URL is set but no PostgreSQL accepts connections there (pg_isready failed); start the server or unset TEST_DATABASE_URL to let this script find one"
	fi
	if command -v psql >/dev/null 2>&1; then
		psql "$TEST_DATABASE_URL" -XAtq -c 'SELECT 1' >/dev/null ||
			die "TEST_DATABASE_URL is set but psql cannot log in with it (see the error above)"
	fi
	if ! command -v pg_isready >/dev/null 2>&1 && ! command -v psql >/dev/null 2>&1; then
		log "neither pg_isready nor psql is installed; not checking TEST_DATABASE_URL before the tests"
	fi
	db_url="$TEST_DATABASE_URL"
	log "using TEST_DATABASE_URL"
else
	# 2.-4. The local server, an installed cluster, or a throwaway one.
	find_postgres throwaway
	db_url=$pg_url
fi

export TEST_DATABASE_URL="$db_url"

# ---------------------------------------------------------------- checks
log "go vet ./..."
go vet ./...

log "gofmt -l ."
unformatted=$(gofmt -l . | grep -v '^vendor/' || true)
if [[ -n "$unformatted" ]]; then
	log "these files are not gofmt-formatted (run gofmt -w on them):"
	sed 's/^/  /' <<<"$unformatted" >&2
	exit 1
fi

# Package arguments (./x, partnerbot/x) replace ./...; other arguments are flags.
pkgs=(./...)
for arg in "$@"; do
	case "$arg" in
	./* | ../* | partnerbot | partnerbot/*) pkgs=() ;;
	esac
done

race=(-race)
if [[ $(go env CGO_ENABLED) != 1 ]]; then
	log "WARNING: cgo is disabled (no C compiler?), so -race is unavailable; running without the race detector. Install gcc to enable it."
	race=()
fi

log "go test ${race[*]} -count=1 $* ${pkgs[*]}"
go test "${race[@]}" -count=1 "$@" "${pkgs[@]}"
