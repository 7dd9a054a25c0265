# Shared by scripts/quickstart.sh and scripts/test.sh. Sourced, not run.
# Debian 12; PostgreSQL 15 by default, any of 15-18 given by PG_CONFIG. Works as root (the
# cluster then runs as the postgres user, since initdb refuses root) and as a user with sudo.

# Which PostgreSQL installation to build against and test, in this order:
# - PG_CONFIG=/path/to/pg_config: any installation (scripts/build_pg.sh builds one from
#   Debian's source package); bindir and the PGXS directory come from pg_config;
# - MG_PG_ROOT: a private copy of Debian's installation (scripts/private_pg.sh makes one), so
#   that several checkouts can build, install and test side by side;
# - neither: Debian's PostgreSQL PG_MAJOR (default 15) in /usr/lib/postgresql.
PG_ROOT= # set below only for a private copy; PG_CONFIG wins over MG_PG_ROOT
if [ -n "${PG_CONFIG:-}" ]; then
	PG_CONFIG=$(command -v "$PG_CONFIG") || { echo "PG_CONFIG: no such program" >&2; exit 2; }
	PG_ROOT=
else
	PG_ROOT=${MG_PG_ROOT:-}
	PG_CONFIG=$PG_ROOT/usr/lib/postgresql/${PG_MAJOR:-15}/bin/pg_config
fi
# Debian's own layout: its packages provide the server, the headers and pgTAP for PG_MAJOR.
case $PG_CONFIG in
*/usr/lib/postgresql/*/bin/pg_config) PG_DEBIAN=1 ;;
*) PG_DEBIAN= ;;
esac
if [ -n "$PG_DEBIAN" ] && [ -z "${PG_MAJOR:-}" ]; then
	PG_MAJOR=$(echo "$PG_CONFIG" | sed -E 's|.*/usr/lib/postgresql/([0-9]+)/bin/pg_config$|\1|')
fi
if [ -x "$PG_CONFIG" ]; then
	PG_MAJOR=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
	PG_BIN=$("$PG_CONFIG" --bindir)
	PGXS_DIR=$("$PG_CONFIG" --pgxs)
	PGXS_DIR=${PGXS_DIR%/src/makefiles/pgxs.mk}
else # Debian's packages are not installed yet: ensure_packages brings them
	[ -n "$PG_DEBIAN" ] || { echo "PG_CONFIG=$PG_CONFIG is not executable" >&2; exit 2; }
	PG_BIN=${PG_CONFIG%/pg_config}
	PGXS_DIR=${PG_BIN%/bin}/lib/pgxs
fi
export PG_CONFIG

MG_PACKAGES=(
	make g++ libgtest-dev libipc-run-perl
	# the cli suite applies --fix --diff output with patch
	patch
	# pg_prove, the pgTAP runner
	libtap-parser-sourcehandler-pgtap-perl
	# integration tests (Alembic, Django), fuzzing (sqlsmith, the check() fuzzer), scripts/valgrind.sh
	python3-alembic python3-sqlalchemy python3-psycopg2 python3-django sqlsmith valgrind
	# stock Django apps that ship migrations (test/integration/django_stock)
	python3-django-taggit python3-django-reversion python3-django-axes python3-django-guardian
	python3-django-otp python3-django-oauth-toolkit python3-django-constance python3-django-picklefield
	python3-django-allauth python3-django-contrib-comments python3-django-celery-results
	python3-django-celery-beat python3-django-sitetree python3-django-invitations
	python3-django-health-check python3-django-tagging
	# Rails' ActiveRecord (test/integration/rails)
	ruby-activerecord ruby-pg
	# the tools suite (test/tools): PgBouncer (pg_repack and pg_partman are PostgreSQL-version
	# packages, below)
	pgbouncer
)
if [ -n "$PG_DEBIAN" ]; then
	MG_PACKAGES+=("postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR" "postgresql-client-$PG_MAJOR"
		"postgresql-$PG_MAJOR-pgtap" "postgresql-$PG_MAJOR-repack" "postgresql-$PG_MAJOR-partman")
fi

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
	# Without Debian's server packages nothing creates the user that owns the clusters.
	if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
		useradd --system --user-group --home-dir /var/lib/postgresql --create-home \
			--shell /bin/bash postgres
	fi
	if [ -n "$PG_DEBIAN" ]; then
		PG_BIN=$("$PG_CONFIG" --bindir)
		PGXS_DIR=$("$PG_CONFIG" --pgxs)
		PGXS_DIR=${PGXS_DIR%/src/makefiles/pgxs.mk}
	fi
}

build_and_install() {
	log "building migration_guard against $("$PG_CONFIG" --version) ($PG_CONFIG)"
	# Objects compiled against another PostgreSQL link fine and fail when loaded: start over
	# whenever the installation changes (.mg-build-pg names the one the objects are for).
	if [ "$(cat .mg-build-pg 2>/dev/null)" != "$PG_CONFIG" ]; then
		make -s clean PG_CONFIG="$PG_CONFIG" >/dev/null 2>&1 || true
		echo "$PG_CONFIG" >.mg-build-pg
	fi
	make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >/dev/null
	as_root make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
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
	[ -n "${PG_ROOT:-}" ] || return 0
	local f
	dpkg -L "$@" 2>/dev/null | grep -E "^/usr/(lib|share)/postgresql/$PG_MAJOR/" | while read -r f; do
		[ -f "$f" ] || continue
		[ -e "$PG_ROOT$f" ] && continue
		as_root mkdir -p "$(dirname "$PG_ROOT$f")"
		as_root cp -p "$f" "$PG_ROOT$f"
	done
}
