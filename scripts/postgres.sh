# Finds or starts a PostgreSQL server for partnerbot. Sourced (not run) by
# scripts/run.sh and scripts/test.sh, so both look for a server the same
# way; the caller defines log and die first.
#
#   find_postgres throwaway        # test.sh
#   find_postgres keep DIR         # run.sh
#
# sets pg_url to postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
# of the first match:
#   1. a server answering on 127.0.0.1:5432, as user postgres;
#   2. an installed Debian cluster (pg_lsclusters), started if it is down
#      and left running;
#   3. a cluster of its own made with the installed PostgreSQL binaries:
#      "throwaway": in a temporary directory on a free port, stopped and
#      removed by pg_cleanup (call it on exit);
#      "keep DIR": in DIR, created once and reused (the data survives
#      restarts), left running afterwards.
# With no PostgreSQL installed it dies saying how to get one.

pg_url=""
pg_tmpdir=""   # the throwaway cluster's directory, for pg_cleanup
pg_ctl_bin=""  # its pg_ctl

pg_is_root() { [[ $(id -u) -eq 0 ]]; }

# as_postgres runs a command as the postgres OS user when we are root
# (initdb and postgres refuse to run as root), else as ourselves.
as_postgres() {
	if ! pg_is_root; then
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
# program will then report a failure itself).
can_login() {
	command -v psql >/dev/null 2>&1 || return 0
	psql "$1" -XAtq -c 'SELECT 1' </dev/null >/dev/null 2>&1
}

local_url() { echo "postgres://postgres@127.0.0.1:$1/postgres?sslmode=disable"; }

# pg_bindir prints the directory of the newest installed initdb, or nothing.
pg_bindir() {
	find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' -printf '%h\n' 2>/dev/null | sort -V | tail -n 1 || true
}

pg_locale_args() {
	if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
		echo --locale=C.UTF-8
	else
		echo --no-locale
	fi
}

# pg_free_port prints a free TCP port on 127.0.0.1, preferring $1 if given.
pg_free_port() {
	if [[ -n "${1:-}" ]] && ! port_open 127.0.0.1 "$1"; then
		echo "$1"
		return 0
	fi
	for _ in $(seq 1 200); do
		local candidate=$((20000 + RANDOM % 40000))
		if ! port_open 127.0.0.1 "$candidate"; then
			echo "$candidate"
			return 0
		fi
	done
	return 1
}

pg_no_server() {
	die "no PostgreSQL found. Install it (Debian/Ubuntu: apt-get install postgresql) and run this script again, or set $1 to a server's URL."
}

find_postgres() {
	local mode=$1 keepdir=${2:-}
	pg_url=""

	# 1. A server on the standard local port.
	if pg_ready 127.0.0.1 5432; then
		if can_login "$(local_url 5432)"; then
			pg_url=$(local_url 5432)
			log "using the PostgreSQL on 127.0.0.1:5432"
			return 0
		fi
		log "a PostgreSQL answers on 127.0.0.1:5432 but user postgres cannot log in over TCP without a password; set ${PG_URL_VAR:-DATABASE_URL} to use it. Looking further."
	fi

	# 2. An installed Debian cluster: use it if it is running elsewhere, start it if not.
	if command -v pg_lsclusters >/dev/null 2>&1; then
		local ver name port status _
		while read -r ver name port status _; do
			[[ -n "$ver" ]] || continue
			if [[ "$status" != online* ]]; then
				if ! pg_is_root && [[ $(id -un) != postgres ]]; then
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
				pg_url=$(local_url "$port")
				log "using PostgreSQL cluster $ver/$name on 127.0.0.1:$port"
				return 0
			fi
			log "cluster $ver/$name runs on port $port but user postgres cannot log in over TCP without a password (pg_hba.conf); set ${PG_URL_VAR:-DATABASE_URL} to use it"
		done < <(pg_lsclusters -h 2>/dev/null || true)
	fi

	# 3. A cluster of our own from the installed binaries.
	local bindir
	bindir=$(pg_bindir)
	[[ -n "$bindir" ]] || pg_no_server "${PG_URL_VAR:-DATABASE_URL}"
	if pg_is_root && ! id postgres >/dev/null 2>&1; then
		die "running as root but there is no postgres OS user to run a PostgreSQL cluster as (initdb refuses root); set ${PG_URL_VAR:-DATABASE_URL}"
	fi
	case "$mode" in
	throwaway) pg_start_throwaway "$bindir" ;;
	keep) pg_start_kept "$bindir" "$keepdir" ;;
	*) die "find_postgres: unknown mode $mode" ;;
	esac
}

# pg_start_throwaway BINDIR: a cluster in a temporary directory on a free
# port, tuned for speed over durability; pg_cleanup removes it.
pg_start_throwaway() {
	local bindir=$1 port
	pg_tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/partnerbot-pg.XXXXXX")
	pg_is_root && chown postgres: "$pg_tmpdir"
	port=$(pg_free_port) || die "found no free TCP port for a throwaway PostgreSQL"
	log "starting a throwaway PostgreSQL ($bindir) in $pg_tmpdir on port $port"
	# shellcheck disable=SC2046 # one word
	as_postgres "$bindir/initdb" -D "$pg_tmpdir/data" -U postgres -A trust -E UTF8 $(pg_locale_args) --no-sync >"$pg_tmpdir/initdb.log" 2>&1 ||
		{ cat "$pg_tmpdir/initdb.log" >&2; die "initdb failed"; }
	pg_ctl_bin="$bindir/pg_ctl"
	as_postgres "$pg_ctl_bin" -D "$pg_tmpdir/data" -l "$pg_tmpdir/postgres.log" -w -t 60 \
		-o "-p $port -k $pg_tmpdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
		start >/dev/null ||
		{ cat "$pg_tmpdir/postgres.log" >&2; die "the throwaway PostgreSQL did not start"; }
	wait_ready 127.0.0.1 "$port" || { cat "$pg_tmpdir/postgres.log" >&2; die "the throwaway PostgreSQL does not answer"; }
	pg_url=$(local_url "$port")
}

# pg_cleanup stops and removes a throwaway cluster, if one was started.
pg_cleanup() {
	[[ -n "$pg_tmpdir" ]] || return 0
	if [[ -n "$pg_ctl_bin" && -f "$pg_tmpdir/data/postmaster.pid" ]]; then
		as_postgres "$pg_ctl_bin" -D "$pg_tmpdir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$pg_tmpdir"
	pg_tmpdir=""
}

# pg_start_kept BINDIR DIR: the cluster in DIR (made on first use, on
# 127.0.0.1:5432 if free, else another free port, remembered in its
# configuration), started if it is not running, and left running.
pg_start_kept() {
	local bindir=$1 dir=$2 port
	if [[ ! -f "$dir/PG_VERSION" ]]; then
		mkdir -p "$dir"
		pg_is_root && chown postgres: "$dir"
		chmod 700 "$dir"
		port=$(pg_free_port 5432) || die "found no free TCP port for PostgreSQL"
		log "creating a PostgreSQL cluster ($bindir) in $dir on port $port"
		# shellcheck disable=SC2046 # one word
		as_postgres "$bindir/initdb" -D "$dir" -U postgres -A trust -E UTF8 $(pg_locale_args) >"$dir.initdb.log" 2>&1 ||
			{ cat "$dir.initdb.log" >&2; die "initdb failed"; }
		rm -f "$dir.initdb.log"
		# Only local TCP, on the chosen port, with the socket in the data folder.
		printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" "$port" "$dir" |
			as_postgres tee -a "$dir/postgresql.auto.conf" >/dev/null
	fi
	port=$(sed -n "s/^port = \([0-9]*\)$/\1/p" "$dir/postgresql.auto.conf" | tail -n 1)
	[[ -n "$port" ]] || die "$dir/postgresql.auto.conf names no port"
	if ! pg_ready 127.0.0.1 "$port"; then
		log "starting the PostgreSQL cluster in $dir on port $port; it is left running (stop it with: $bindir/pg_ctl -D $dir stop)"
		as_postgres "$bindir/pg_ctl" -D "$dir" -l "$dir/postgres.log" -w -t 60 start >/dev/null ||
			{ tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL in $dir did not start"; }
		wait_ready 127.0.0.1 "$port" || die "PostgreSQL in $dir does not answer on 127.0.0.1:$port"
	else
		log "using the PostgreSQL cluster in $dir on 127.0.0.1:$port"
	fi
	pg_url=$(local_url "$port")
}
