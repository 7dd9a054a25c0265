# Shared by scripts/quickstart.sh and scripts/test.sh. Sourced, not run.
# Debian 12 + PostgreSQL 15; works as root (the cluster then runs as the postgres user,
# since initdb refuses root) and as a user with sudo.

PG_MAJOR=${PG_MAJOR:-15}
# MG_PG_ROOT: a private copy of the PostgreSQL installation (scripts/private_pg.sh makes one),
# so that several checkouts can build, install and test side by side. Unset: the system's.
PG_ROOT=${MG_PG_ROOT:-}
PG_BIN=$PG_ROOT/usr/lib/postgresql/$PG_MAJOR/bin
PGXS_DIR=$PG_ROOT/usr/lib/postgresql/$PG_MAJOR/lib/pgxs

MG_PACKAGES=(
	make g++ "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR" "postgresql-client-$PG_MAJOR"
	"postgresql-$PG_MAJOR-pgtap" pgtap libgtest-dev libipc-run-perl
	# integration tests (Alembic, Django), fuzzing (sqlsmith, the check() fuzzer), scripts/valgrind.sh
	python3-alembic python3-sqlalchemy python3-psycopg2 python3-django sqlsmith valgrind
	# the tools suite (test/tools): PgBouncer, pg_repack, pg_partman
	pgbouncer "postgresql-$PG_MAJOR-repack" "postgresql-$PG_MAJOR-partman"
)

log() { printf '\n== %s\n' "$*"; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The user that owns throwaway clusters: postgres when we are root, else ourselves.
test_user() {
	if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

as_test_user() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_packages() {
	local missing=()
	for p in "${MG_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
	# Debian starts a default cluster on 5432; the guard's clusters never need it.
}

build_and_install() {
	log "building migration_guard"
	make -s -j"$(nproc)" PG_CONFIG="$PG_BIN/../bin/pg_config" >/dev/null
	as_root make -s install PG_CONFIG="$PG_BIN/../bin/pg_config" >/dev/null
}

# A scratch directory the test user owns.
make_workdir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/migration_guard.XXXXXX")
	[ "$(id -u)" -eq 0 ] && chown "$(test_user)" "$d"
	chmod 755 "$d"
	echo "$d"
}

# Starts a throwaway cluster in $1 (data in $1/data, socket in $1) on port $2 with the
# guard preloaded, plus any extra postgresql.conf lines given on stdin.
start_cluster() {
	local dir=$1 port=$2
	as_test_user "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres --no-instructions >/dev/null
	{
		echo "shared_preload_libraries = 'migration_guard'"
		echo "port = $port"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$dir'"
		echo "autovacuum = off"
		cat
	} | as_test_user tee -a "$dir/data/postgresql.conf" >/dev/null
	as_test_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
}

stop_cluster() {
	as_test_user "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

# A free TCP port number for a cluster's socket name, at or above $1 plus MG_PORT_OFFSET (set
# it differently in checkouts that test side by side, so that they never race for one port).
free_port() {
	local p
	for p in $(seq "$(( ${1:-55432} + ${MG_PORT_OFFSET:-0} ))" 65000); do
		[ -e "/tmp/.s.PGSQL.$p" ] && continue
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
	done
}

# The files that Debian packages of PostgreSQL extensions install (pg_repack, pg_partman), copied
# into the private PostgreSQL copy when MG_PG_ROOT names one: that copy was made from the
# system's installation, maybe before these packages were installed.
copy_extension_packages_into_root() { # package...
	[ -n "$PG_ROOT" ] || return 0
	local f
	dpkg -L "$@" 2>/dev/null | grep -E "^/usr/(lib|share)/postgresql/$PG_MAJOR/" | while read -r f; do
		[ -f "$f" ] || continue
		[ -e "$PG_ROOT$f" ] && continue
		as_root mkdir -p "$(dirname "$PG_ROOT$f")"
		as_root cp -p "$f" "$PG_ROOT$f"
	done
}
