#!/usr/bin/env bash
# migration_guard quick start: install what is missing, build and install the extension, start a
# throwaway PostgreSQL cluster with the guard preloaded, and walk through a short migration that
# shows one statement refused, one warned about and one allowed, then reviews a migration file
# with migration_guard_check as a CI job would.
#
#   bash scripts/quickstart.sh
#
# Debian 12, as root or as a user with sudo. Safe to run again: an earlier demo cluster in the
# same directory is stopped and recreated. Apart from the packages it installs (see lib.sh) and
# make install, it touches only that directory; Debian's own cluster on port 5432 is left alone.
#
#   MG_DEMO_DIR=/some/dir   where the demo cluster lives (default /tmp/migration_guard_demo)
#   MG_DEMO_PORT=NNNNN      first port number to try for it (default 55432)
#   MG_NO_BUILD=1           use the migration_guard that is already installed; skip make
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

DEMO_DIR=${MG_DEMO_DIR:-/tmp/migration_guard_demo}
MARKER=.migration_guard_demo

die() {
	printf '\nquickstart: %s\n' "$*" >&2
	exit 1
}

step() { # title, then lines of explanation
	printf '\n\n=================================================================\n'
	printf '== %s\n' "$1"
	shift
	for line in "$@"; do printf '   %s\n' "$line"; done
	printf '=================================================================\n\n'
}

# Runs a command as the given OS user, switching user only when needed.
as_user() {
	local user=$1
	shift
	if [ "$(id -un)" = "$user" ]; then
		"$@"
	elif [ "$(id -u)" -eq 0 ]; then
		runuser -u "$user" -- "$@"
	else
		sudo -u "$user" -- "$@"
	fi
}

# ---- 1. packages, build, install -------------------------------------------------------------

if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
	die "run this as root, or as a user who can use sudo"
fi

ensure_packages
if [ -z "${MG_NO_BUILD:-}" ]; then
	build_and_install || die "the build failed (see the compiler output above)"
else
	log "MG_NO_BUILD is set: using the migration_guard already installed"
fi
[ -f "$("$PG_BIN/pg_config" --pkglibdir)/migration_guard.so" ] ||
	die "migration_guard.so is not installed in $("$PG_BIN/pg_config" --pkglibdir)"

# ---- 2. a fresh demo cluster -------------------------------------------------------------------

if [ -e "$DEMO_DIR" ]; then
	if [ ! -e "$DEMO_DIR/$MARKER" ] && [ -n "$(ls -A "$DEMO_DIR" 2>/dev/null)" ]; then
		die "$DEMO_DIR exists and is not a migration_guard demo directory; set MG_DEMO_DIR to another path"
	fi
	if [ -f "$DEMO_DIR/data/postmaster.pid" ]; then
		log "stopping the earlier demo cluster in $DEMO_DIR"
		owner=$(stat -c %U "$DEMO_DIR/data")
		as_user "$owner" "$PG_BIN/pg_ctl" -D "$DEMO_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	as_root rm -rf -- "$DEMO_DIR"
fi

log "starting a throwaway cluster in $DEMO_DIR with shared_preload_libraries = 'migration_guard'"
as_root mkdir -p "$DEMO_DIR"
as_root touch "$DEMO_DIR/$MARKER"
as_root chown -R "$(test_user)" "$DEMO_DIR"
as_root chmod 755 "$DEMO_DIR"
cd "$DEMO_DIR" # the cluster's user may not be able to read the repository's directory
PORT=$(free_port "${MG_DEMO_PORT:-55432}")
[ -n "$PORT" ] || die "no free port found"
start_cluster "$DEMO_DIR" "$PORT" </dev/null || die "the cluster did not start; see $DEMO_DIR/server.log"

# psql as database user $1 on the demo database; SQL on stdin. Each input line is echoed so the
# statements appear above their results, and errors show ERROR, DETAIL and HINT.
demo_psql() {
	local dbuser=$1
	shift
	as_test_user "$PG_BIN/psql" -X -a -h "$DEMO_DIR" -p "$PORT" -U "$dbuser" -d demo \
		-v VERBOSITY=default -v ON_ERROR_STOP=0 "$@" 2>&1
}

# Runs demo_psql, prints its output, and stops the script unless the output matches $2 (and,
# when $2 does not expect an error itself, holds no ERROR line).
demo() { # dbuser expected-regex
	local out
	if [ "$1" = postgres ]; then
		printf -- '-- psql as postgres (superuser, the DBA):\n'
	else
		printf -- '-- psql as %s (the role that runs migrations):\n' "$1"
	fi
	out=$(demo_psql "$1") || die "psql could not run (see $DEMO_DIR/server.log)"
	printf '%s\n\n' "$out"
	grep -qE "$2" <<<"$out" || die "the demo did not behave as expected (looked for: $2)"
	if [[ "$2" != *ERROR* && "$2" != *denied* ]] && grep -q '^ERROR:' <<<"$out"; then
		die "the demo did not behave as expected (an unexpected ERROR)"
	fi
}

as_test_user "$PG_BIN/psql" -X -q -h "$DEMO_DIR" -p "$PORT" -U postgres -d postgres \
	-c "CREATE DATABASE demo" >/dev/null

step "Setup: a 20 MB table owned by the role that runs migrations" \
	"The DBA (superuser postgres) creates the role app_migrator and a table of 360,000 orders." \
	"The guard's default migration_guard.large_table_threshold is 10MB, so this table is large." \
	"PRIMARY KEY and NOT NULL need no constraint name, so CREATE TABLE passes silently."
demo postgres '[0-9]+ MB' <<'SQL'
CREATE ROLE app_migrator LOGIN;
GRANT CREATE ON SCHEMA public TO app_migrator;
SET ROLE app_migrator;
CREATE TABLE orders (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id integer NOT NULL,
    amount      numeric(10,2) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
RESET ROLE;
\set QUIET on
INSERT INTO orders (customer_id, amount, created_at)
SELECT g % 5000, (g % 997) + 0.99, now() - g * interval '1 minute'
FROM generate_series(1, 360000) AS g;
\set QUIET off
ANALYZE orders;
CREATE EXTENSION migration_guard;
SELECT pg_size_pretty(migration_guard.table_size('orders')) AS size_seen_by_the_guard;
SQL

step "1. REFUSED: a plain CREATE INDEX on the large table" \
	"A plain CREATE INDEX holds a SHARE lock that stops every write to orders until the index" \
	"is built. The guard refuses it before PostgreSQL asks for that lock (SQLSTATE MG001)," \
	"and the hint gives the statement to run instead."
demo app_migrator 'ERROR: .*block writes' <<'SQL'
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SQL

step "2. WARNED: the DBA relaxes the policy for one role" \
	"The settings are superuser-only, so app_migrator cannot switch the guard off itself." \
	"The DBA sets migration_guard.mode = 'warn' for that role; its next session only gets a" \
	"WARNING, and the statement runs. Here: a CHECK constraint without a name."
demo app_migrator 'permission denied to set parameter' <<'SQL'
SET migration_guard.mode = 'off';
SQL
demo postgres 'ALTER ROLE' <<'SQL'
ALTER ROLE app_migrator SET migration_guard.mode = 'warn';
SQL
demo app_migrator 'WARNING: .*has no name' <<'SQL'
SHOW migration_guard.mode;
ALTER TABLE orders ADD CHECK (amount >= 0);
SELECT conname FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'c';
SQL
demo postgres 'ALTER ROLE' <<'SQL'
ALTER ROLE app_migrator RESET migration_guard.mode;
SQL

step "3. ALLOWED: the statement from the hint of step 1" \
	"Back in enforce mode. CREATE INDEX CONCURRENTLY lets reads and writes go on while it builds," \
	"so the guard lets it through without a word."
demo app_migrator '^CREATE INDEX$' <<'SQL'
SHOW migration_guard.mode;
CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);
SELECT indexrelid::regclass AS index, indisvalid FROM pg_index WHERE indrelid = 'orders'::regclass;
SQL

step "4. IN CI: review a migration file before it ships" \
	"migration_guard_check (installed beside psql) runs migration_guard.check() on each file:" \
	"the same verdicts, from the live catalog, with nothing executed and no table locked." \
	"--in-transaction judges the file as Alembic and Django run it, in one transaction." \
	"It exits 1 because a finding has severity error; a clean file exits 0."
cat >"$DEMO_DIR/0042_add_note.sql" <<'SQL'
-- 0042: add a note to every order
CREATE INDEX orders_created_at_idx ON orders (created_at);
ALTER TABLE orders ADD COLUMN note text;
UPDATE orders SET note = 'imported';
SQL
chmod 644 "$DEMO_DIR/0042_add_note.sql"
cat "$DEMO_DIR/0042_add_note.sql"
printf '\n$ migration_guard_check --in-transaction 0042_add_note.sql   (as app_migrator)\n'
set +e
out=$(as_test_user env PGHOST="$DEMO_DIR" PGPORT="$PORT" PGUSER=app_migrator PGDATABASE=demo \
	"$PG_BIN/migration_guard_check" --in-transaction 0042_add_note.sql 2>&1)
rc=$?
set -e
printf '%s\n(exit status %s)\n' "$out" "$rc"
[ "$rc" -eq 1 ] && grep -q 'error: create_index_blocking' <<<"$out" && grep -q 'backfill_under_exclusive_lock' <<<"$out" ||
	die "the CI command did not behave as expected"
printf '\nThe same from SQL, the way any CI job or DBA can ask:\n'
demo app_migrator 'create_index_blocking' <<'SQL'
\set migration `cat 0042_add_note.sql`
SELECT statement_no, line, rule, severity, relation, lock_mode, pg_size_pretty(table_size) AS size
  FROM migration_guard.check(:'migration', in_transaction => true);
SQL

step "5. ROLLING IT OUT: warn first, watch, tune, enforce, then overrides for the migration role" \
	"a) The DBA starts in warn mode for the database: statements run, and every finding lands in" \
	"   migration_guard.events and migration_guard.stats."
demo postgres 'ALTER DATABASE' <<'SQL'
ALTER DATABASE demo SET migration_guard.mode = 'warn';
SQL
demo app_migrator 'WARNING: .*block writes' <<'SQL'
CREATE INDEX orders_amount_idx ON orders (amount);
SQL
demo postgres 'create_index_blocking +\| warned' <<'SQL'
SELECT usename, rule, action, relation, pg_size_pretty(table_size) AS size FROM migration_guard.events
 WHERE datname = 'demo' ORDER BY event_id DESC LIMIT 3;
SELECT rule, refused, warned, overridden FROM migration_guard.stats WHERE refused + warned + overridden > 0;
DROP INDEX CONCURRENTLY orders_amount_idx;
SQL
printf '%s\n' "b) The team decides unnamed constraints only deserve a warning here: one rule, tuned." \
	"c) Then enforce: the DBA drops the database's warn mode."
demo postgres 'ALTER DATABASE' <<'SQL'
ALTER DATABASE demo SET migration_guard.rule_severity = 'constraint_unnamed=warning';
ALTER DATABASE demo RESET migration_guard.mode;
SQL
demo app_migrator 'ERROR: .*block writes' <<'SQL'
SELECT rule, default_severity, effective_severity FROM migration_guard.rules()
 WHERE rule IN ('create_index_blocking', 'constraint_unnamed');
CREATE INDEX orders_amount_idx ON orders (amount);
SQL
printf '%s\n' "d) Overrides for the migration role: the DBA names the role whose members may let a named" \
	"   rule through, with a reason. app_migrator joins it, and uses SET LOCAL for one transaction" \
	"   (or a /* migration_guard:allow rule: reason */ comment for one statement). The override is" \
	"   logged and shows in the events with its reason."
demo postgres 'pg_reload_conf' <<'SQL'
CREATE ROLE migration_approvers;
GRANT migration_approvers TO app_migrator;
ALTER SYSTEM SET migration_guard.override_role = 'migration_approvers';
SELECT pg_reload_conf();
SQL
sleep 1
demo app_migrator '^COMMIT$' <<'SQL'
BEGIN;
SET LOCAL migration_guard.allow = 'create_index_blocking: orders takes no writes 02:00-03:00, CHG-1234';
CREATE INDEX orders_amount_idx ON orders (amount);
COMMIT;
SQL
demo postgres 'overridden .*CHG-1234' <<'SQL'
SELECT usename, rule, action, reason FROM migration_guard.events
 WHERE datname = 'demo' ORDER BY event_id DESC LIMIT 1;
SQL

# ---- 3. how to go on -------------------------------------------------------------------------

if [ "$(id -u)" -eq 0 ]; then
	if command -v sudo >/dev/null; then switch="sudo -u postgres "; else switch="runuser -u postgres -- "; fi
	connect="${switch}psql -h $DEMO_DIR -p $PORT -d demo"
else
	switch=""
	connect="psql -h $DEMO_DIR -p $PORT -U postgres -d demo"
fi

step "Done. The demo cluster is still running." \
	"Connect as the superuser:" \
	"    $connect" \
	"or as the migration role (the guard in enforce mode):" \
	"    ${connect/-d demo/-U app_migrator -d demo}" \
	"Stop it:" \
	"    ${switch}$PG_BIN/pg_ctl -D $DEMO_DIR/data stop" \
	"Run this script again to start over. Server log: $DEMO_DIR/server.log"
exit 0
