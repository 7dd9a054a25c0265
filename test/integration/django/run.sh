#!/usr/bin/env bash
# End-to-end test of migration_guard with Django (Debian's python3-django and python3-psycopg2)
# against a running cluster that has migration_guard preloaded.
#
#   bash test/integration/django/run.sh [--regen] PORT HOST
#
# HOST may be a socket directory. The current user (or PGUSER) must be a superuser. The test
# creates the database mg_django (dropped at the end unless MG_KEEP=1), makes its tables "large"
# with ALTER DATABASE ... SET migration_guard.large_table_threshold = '64kB', and then plays the
# story of the app's migrations (shop/migrations):
#
#   0001 creates shop_order; the test then fills it (as production would have);
#   for each unsafe first draft in unsafe/*/ (files laid over the project): "manage.py migrate"
#   must stop at that migration with the guard's error (rule id, table, size, HINT), and the
#   schema, django_migrations and the rows must be exactly as before;
#   then the app's own (safe) migrations apply with "manage.py migrate": AddIndexConcurrently in
#   a migration with atomic = False, and a named CHECK added NOT VALID and validated later.
#
# What Django printed (without the Python traceback) and the final state of the database form a
# transcript compared with test/integration/expected/django.out (--regen rewrites that file from
# this run: inspect it before committing).
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
parse_runner_args django "$@"
BOOK="(SELECT app, name FROM django_migrations) AS applied"

PROJECT_FILES=(manage.py mgsite shop)

# Runs manage.py in the project (output in the transcript, see run_tool in lib.sh).
manage() {
	run_tool "manage.py $*" "$T/django.log" \
		bash -c 'cd "$0" && exec /usr/bin/python3 manage.py "$@"' "$T/project" "$@"
}

# --- set-up -------------------------------------------------------------------------------------

start_run "$DB"
/usr/bin/python3 -c 'import django, psycopg2' 2>"$T/import.log" ||
	{ not_ok "Debian's python3-django and python3-psycopg2 are installed" <"$T/import.log"; finish; exit 1; }

fresh_project
say "== 0001 creates the table"
manage migrate shop 0001
check "manage.py migrate shop 0001 creates shop_order" $?

# Production data: enough rows that the table is above the database's 64kB threshold.
sql "$DB" >"$T/load.log" 2>&1 <<'EOF'
INSERT INTO shop_order (customer_ref, status, total)
SELECT g % 700, (ARRAY['new', 'paid', 'shipped', 'returned'])[1 + g % 4], (g % 500) / 4.0
  FROM generate_series(1, 6000) g;
VACUUM ANALYZE shop_order;
EOF
check "the table is filled" $?
say "== the table, filled"
sql "$DB" -c "SELECT relname, pg_size_pretty(pg_table_size(oid)), reltuples::bigint FROM pg_class WHERE relname = 'shop_order'" >>"$OUT"

# --- the unsafe first drafts --------------------------------------------------------------------

# draft directory, the migration before it, the rule its refusal must name; TODO_<draft> if any
STEPS=(
	"1_add_index 0001 create_index_blocking"
	"2_unnamed_check 0002 check_constraint_validating"
	"3_validating_check 0003 check_constraint_validating"
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
	manage migrate shop "$prev" >/dev/null
	check "$draft: the safe migrations up to $prev apply" $?
	snapshot "$DB" "$BOOK" shop_order >"$T/before_$draft" 2>&1

	cp -r "$HERE/unsafe/$draft/." "$T/project/"
	manage migrate shop
	status=$?
	refused=1
	[ "$status" -ne 0 ] && grep -q "Rule $rule: " "$T/django.log" && grep -q "^HINT:" "$T/django.log" && refused=0
	check "$draft: manage.py migrate stops at the draft with the guard's error (rule $rule, HINT)" $refused "$todo_reason"

	snapshot "$DB" "$BOOK" shop_order >"$T/after_$draft" 2>&1
	if diff -u "$T/before_$draft" "$T/after_$draft" >"$T/diff_$draft"; then
		ok "$draft: schema, django_migrations and rows are exactly as before"
		say "(schema, django_migrations and rows unchanged)"
	else
		not_ok "$draft: schema, django_migrations and rows are exactly as before" "$todo_reason" <"$T/diff_$draft"
		say "(the database changed)"
		# The draft ran: take it back, so that the story can go on.
		manage migrate shop "$prev" >/dev/null
	fi
	OUT=${MAIN_OUT:-$OUT}
	MAIN_OUT=
done

# --- the safe migrations ------------------------------------------------------------------------

fresh_project
say ""
say "== the app's own migrations"
manage migrate shop
check "manage.py migrate applies the safe migrations" $?
manage showmigrations shop
say "== the result"
sql "$DB" >>"$OUT" 2>&1 <<'EOF'
SELECT 'index ' || indexrelid::regclass || CASE WHEN indisvalid THEN ' valid' ELSE ' INVALID' END
  FROM pg_index WHERE indrelid = 'shop_order'::regclass ORDER BY 1;
SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' (not validated)' END
  FROM pg_constraint WHERE conrelid = 'shop_order'::regclass AND contype <> 'n' ORDER BY 1;  -- (18 lists NOT NULL as constraints too)
EOF
state_ok=0
grep -q "^index shop_order_status_idx valid$" "$OUT" || state_ok=1
grep -q "^constraint shop_order_quantity_gte_0 CHECK ((quantity >= 0))$" "$OUT" || state_ok=1
check "the index is valid, the CHECK named and validated" $state_ok

compare_transcript "$OUT" "$EXPECTED" "$REGEN"
finish
