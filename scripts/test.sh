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
#   2. a server answering on 127.0.0.1:5432, as user postgres;
#   3. an installed Debian cluster (pg_lsclusters), started if it is down
#      and left running;
#   4. a throwaway cluster made with the installed PostgreSQL binaries in a
#      temporary directory on a free port, removed on exit.
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

tmpdir=""
pg_ctl_bin=""
result="FAIL"
cleanup() {
	local rc=$?
	if [[ -n "$tmpdir" ]]; then
		if [[ -n "$pg_ctl_bin" && -f "$tmpdir/data/postmaster.pid" ]]; then
			as_postgres "$pg_ctl_bin" -D "$tmpdir/data" -m immediate -w stop >/dev/null 2>&1 || true
		fi
		rm -rf "$tmpdir"
	fi
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

# ---------------------------------------------------------------- helpers
is_root() { [[ $(id -u) -eq 0 ]]; }

# as_postgres runs a command as the postgres OS user when we are root
# (initdb and postgres refuse to run as root), else as ourselves.
as_postgres() {
	if ! is_root; then
		"$@"
	elif command -v runuser >/dev/null 2>&1; then
		runuser -u postgres -- "$@"
	else
		su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
	fi
}

# port_open HOST PORT: something (of any kind) accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# pg_ready HOST PORT: a PostgreSQL server there accepts connections.
pg_ready() {
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -h "$1" -p "$2" -t 3
	else
		port_open "$1" "$2"
	fi
}

# wait_ready HOST PORT: wait up to 30s for pg_ready.
wait_ready() {
	for _ in $(seq 1 60); do
		pg_ready "$1" "$2" && return 0
		sleep 0.5
	done
	return 1
}

# can_login URL: psql can log in with URL (true when psql is missing: the
# tests will then report a failure themselves).
can_login() {
	command -v psql >/dev/null 2>&1 || return 0
	psql "$1" -XAtq -c 'SELECT 1' </dev/null >/dev/null 2>&1
}

local_url() { echo "postgres://postgres@127.0.0.1:$1/postgres?sslmode=disable"; }

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
fi

# 2. A server on the standard local port.
if [[ -z "$db_url" ]] && pg_ready 127.0.0.1 5432; then
	if can_login "$(local_url 5432)"; then
		db_url=$(local_url 5432)
		log "using the PostgreSQL on 127.0.0.1:5432"
	else
		log "a PostgreSQL answers on 127.0.0.1:5432 but user postgres cannot log in over TCP without a password; set TEST_DATABASE_URL to use it. Looking further."
	fi
fi

# 3. An installed Debian cluster: use it if it is running elsewhere, start it if not.
if [[ -z "$db_url" ]] && command -v pg_lsclusters >/dev/null 2>&1; then
	while read -r ver name port status _; do
		[[ -n "$ver" ]] || continue
		if [[ "$status" != online* ]]; then
			if ! is_root && [[ $(id -un) != postgres ]]; then
				log "PostgreSQL cluster $ver/$name is down and only root or postgres can start it"
				continue
			fi
			log "starting PostgreSQL cluster $ver/$name (port $port); it is left running"
			if ! pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start </dev/null; then
				log "could not start cluster $ver/$name"
				continue
			fi
		fi
		if ! wait_ready 127.0.0.1 "$port"; then
			log "cluster $ver/$name does not accept TCP connections on 127.0.0.1:$port"
			continue
		fi
		if can_login "$(local_url "$port")"; then
			db_url=$(local_url "$port")
			log "using PostgreSQL cluster $ver/$name on 127.0.0.1:$port"
			break
		fi
		log "cluster $ver/$name runs on port $port but user postgres cannot log in over TCP without a password (pg_hba.conf); set TEST_DATABASE_URL to use it"
	done < <(pg_lsclusters -h 2>/dev/null || true)
fi

# 4. A throwaway cluster from the installed binaries.
if [[ -z "$db_url" ]]; then
	bindir=$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' -printf '%h\n' 2>/dev/null | sort -V | tail -n 1 || true)
	if [[ -z "$bindir" ]]; then
		die "no PostgreSQL found. Install it (Debian/Ubuntu: apt-get install postgresql) and run this script again, or set TEST_DATABASE_URL=postgres://user:password@host:port/db?sslmode=disable to a server whose user may CREATE DATABASE and CREATE ROLE."
	fi
	if is_root && ! id postgres >/dev/null 2>&1; then
		die "running as root but there is no postgres OS user to run a throwaway cluster as (initdb refuses root); set TEST_DATABASE_URL"
	fi
	tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/partnerbot-pg.XXXXXX")
	is_root && chown postgres: "$tmpdir"
	port=""
	for _ in $(seq 1 200); do
		candidate=$((20000 + RANDOM % 40000))
		if ! port_open 127.0.0.1 "$candidate"; then
			port=$candidate
			break
		fi
	done
	[[ -n "$port" ]] || die "found no free TCP port for a throwaway PostgreSQL"
	locale_args=(--no-locale)
	if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
		locale_args=(--locale=C.UTF-8)
	fi
	log "starting a throwaway PostgreSQL ($bindir) in $tmpdir on port $port"
	as_postgres "$bindir/initdb" -D "$tmpdir/data" -U postgres -A trust -E UTF8 "${locale_args[@]}" --no-sync >"$tmpdir/initdb.log" 2>&1 ||
		{ cat "$tmpdir/initdb.log" >&2; die "initdb failed"; }
	pg_ctl_bin="$bindir/pg_ctl"
	as_postgres "$pg_ctl_bin" -D "$tmpdir/data" -l "$tmpdir/postgres.log" -w -t 60 \
		-o "-p $port -k $tmpdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
		start >/dev/null ||
		{ cat "$tmpdir/postgres.log" >&2; die "the throwaway PostgreSQL did not start"; }
	wait_ready 127.0.0.1 "$port" || { cat "$tmpdir/postgres.log" >&2; die "the throwaway PostgreSQL does not answer"; }
	db_url=$(local_url "$port")
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
