#!/usr/bin/env bash
# End-to-end test of migration_guard with Alembic (Debian's python3-alembic, python3-sqlalchemy,
# python3-psycopg2) against a running cluster that has migration_guard preloaded.
#
#   bash test/integration/alembic/run.sh [--regen] PORT HOST
#
# HOST may be a socket directory. The current user (or PGUSER) must be a superuser. The test
# creates the database mg_alembic (dropped at the end unless MG_KEEP=1), makes its tables "large"
# with ALTER DATABASE ... SET migration_guard.large_table_threshold = '64kB', and then plays the
# story of this project's migrations (migrations/versions):
#
#   r01 creates users and orders; the test then fills them (as production would have);
#   for each unsafe first draft in unsafe/*/ (files laid over the project): "alembic upgrade
#   head" must stop at that migration with the guard's error (rule id, table, size, HINT), and
#   the schema, alembic_version and the rows must be exactly as before;
#   then the project's own (safe) migrations apply with "alembic upgrade head".
#
# What Alembic printed (its log lines and the error, without the Python traceback) and the
# final state of the database form a transcript compared with test/integration/expected/alembic.out
# (--regen rewrites that file from this run: inspect it before committing).
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
parse_runner_args alembic "$@"

PROJECT_FILES=(alembic.ini models.py migrations)

# Runs alembic in the project (output in the transcript, see run_tool in lib.sh).
alembic() {
	run_tool "alembic $*" "$T/alembic.log" \
		bash -c 'cd "$0" && exec /usr/bin/python3 -m alembic -c alembic.ini "$@"' "$T/project" "$@"
}

# --- set-up -------------------------------------------------------------------------------------

start_run "$DB"
/usr/bin/python3 -c 'import alembic, sqlalchemy, psycopg2' 2>"$T/import.log" ||
	{ not_ok "Debian's python3-alembic, python3-sqlalchemy and python3-psycopg2 are installed" <"$T/import.log"; finish; exit 1; }

fresh_project
say "== r01 creates the tables"
alembic upgrade r01
check "alembic upgrade r01 creates users and orders" $?

# Production data: enough rows that both tables are above the database's 64kB threshold.
sql "$DB" >"$T/load.log" 2>&1 <<'EOF'
INSERT INTO users (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 2000) g;
INSERT INTO orders (user_id, total) SELECT 1 + g % 2000, (g % 500) / 4.0 FROM generate_series(1, 6000) g;
VACUUM ANALYZE users;
VACUUM ANALYZE orders;
EOF
check "the tables are filled" $?
say "== the tables, filled"
sql "$DB" -c "SELECT relname, pg_size_pretty(pg_table_size(oid)), reltuples::bigint FROM pg_class WHERE relname IN ('users', 'orders') ORDER BY 1" >>"$OUT"

# --- the unsafe first drafts --------------------------------------------------------------------

# draft directory, the revision before it, the rule its refusal must name, TODO reason if any
STEPS=(
	"1_create_index r01 create_index_blocking"
	"2_unnamed_fk r02 foreign_key_validating"
	"3_volatile_default r04 add_column_volatile_default"
	"4_backfill_with_alter r04 backfill_under_exclusive_lock"
)

for step in "${STEPS[@]}"; do
	read -r draft prev rule <<<"$step"
	todo_var=TODO_$draft
	todo_reason=${!todo_var:-}
	fresh_project
	say ""
	say "== unsafe draft $draft, on top of $prev"
	if [ -n "$todo_reason" ]; then
		# What the tool prints for a TODO draft depends on whether its rule has landed, so it
		# stays out of the compared transcript (it is in $T/todo_$draft).
		say "(left out while it is a TODO: $todo_reason)"
		MAIN_OUT=$OUT
		OUT=$T/todo_$draft
	fi
	alembic upgrade "$prev" >/dev/null
	check "$draft: the safe migrations up to $prev apply" $?
	snapshot "$DB" alembic_version users orders >"$T/before_$draft" 2>&1

	cp -r "$HERE/unsafe/$draft/." "$T/project/"
	alembic upgrade head
	status=$?
	refused=1
	[ "$status" -ne 0 ] && grep -q "Rule $rule: " "$T/alembic.log" && grep -q "^HINT:" "$T/alembic.log" && refused=0
	check "$draft: alembic upgrade head stops at the draft with the guard's error (rule $rule, HINT)" $refused "$todo_reason"

	snapshot "$DB" alembic_version users orders >"$T/after_$draft" 2>&1
	if diff -u "$T/before_$draft" "$T/after_$draft" >"$T/diff_$draft"; then
		ok "$draft: schema, alembic_version and rows are exactly as before"
		say "(schema, alembic_version and rows unchanged)"
	else
		not_ok "$draft: schema, alembic_version and rows are exactly as before" "$todo_reason" <"$T/diff_$draft"
		say "(the database changed)"
		# The draft ran: take it back with its own downgrade, so that the story can go on.
		alembic downgrade "$prev" >/dev/null
	fi
	OUT=${MAIN_OUT:-$OUT}
	MAIN_OUT=
done

# --- the safe migrations ------------------------------------------------------------------------

fresh_project
say ""
say "== the project's own migrations"
alembic upgrade head
check "alembic upgrade head applies the safe migrations" $?
alembic current
say "== the result"
sql "$DB" >>"$OUT" 2>&1 <<'EOF'
SELECT 'index ' || indexrelid::regclass || CASE WHEN indisvalid THEN ' valid' ELSE ' INVALID' END
  FROM pg_index WHERE indrelid IN ('users'::regclass, 'orders'::regclass) ORDER BY 1;
SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' (not validated)' END
  FROM pg_constraint WHERE conrelid IN ('users'::regclass, 'orders'::regclass) AND contype <> 'n' ORDER BY 1;  -- (18 lists NOT NULL as constraints too)
SELECT 'users.public_id default ' || pg_get_expr(adbin, adrelid) FROM pg_attrdef
 WHERE adrelid = 'users'::regclass AND adnum = (SELECT attnum FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'public_id');
SELECT 'users without public_id: ' || count(*) FROM users WHERE public_id IS NULL;
EOF
state_ok=0
grep -q "^index ix_orders_user_id valid$" "$OUT" || state_ok=1
grep -q "^constraint fk_orders_user_id_users FOREIGN KEY (user_id) REFERENCES users(id)$" "$OUT" || state_ok=1
grep -q "^users without public_id: 0$" "$OUT" || state_ok=1
check "the index is valid, the foreign key named and validated, every user has a public_id" $state_ok

compare_transcript "$OUT" "$EXPECTED" "$REGEN"
finish
