#!/usr/bin/env bash
# End-to-end test of migration_guard with Rails' ActiveRecord (Debian's ruby-activerecord and
# ruby-pg, no gems from elsewhere) against a running cluster that has migration_guard preloaded.
#
#   bash test/integration/rails/run.sh [--regen] PORT HOST
#
# HOST may be a socket directory. The current user (or PGUSER) must be a superuser. The database
# mg_rails (dropped at the end unless MG_KEEP=1) has the default enforce mode and the suites'
# 64kB threshold. migrate.rb runs db/migrate through ActiveRecord::MigrationContext, as
# "rails db:migrate" does (each migration in its own transaction unless disable_ddl_transaction!).
#
#   1. a fresh database, the stock forms (create_table with t.references and foreign_key: true,
#      add_index, add_reference, add_foreign_key, change_column_null, add_column with a constant
#      and with a volatile default; the drafts in unsafe/ laid over db/migrate): every migration
#      applies, nothing is refused;
#   2. 0001-0003 create the tables; the test fills users and orders (as production would have);
#      for each unsafe draft in unsafe/*/ (the stock form, laid over the project): the migration
#      stops with the guard's error (rule id, table, size, HINT), and the schema,
#      schema_migrations and the rows are exactly as before;
#   3. the project's own migrations, strong_migrations' safe forms (algorithm: :concurrently with
#      disable_ddl_transaction!, validate: false then validate_foreign_key, a CHECK ... NOT VALID
#      validated before change_column_null, a volatile default set after the column), apply with
#      no refusal.
#
# What ActiveRecord printed and the final state form a transcript compared with
# test/integration/expected/rails.out (--regen rewrites it from this run: inspect it first).
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
parse_runner_args rails "$@"
BOOK="(SELECT version FROM schema_migrations) AS applied"
SAFE_ONLY="20240101000007 20240101000009 20240101000010"   # the safe recipes' extra steps

PROJECT_FILES=(migrate.rb db)

# migrate.rb in the project (output in the transcript, see run_tool in lib.sh); what changes from
# run to run is blanked: a lambda default's address and path, the timings.
migrate() {
	run_tool "ruby migrate.rb $*" "$T/rails.log" \
		bash -c 'cd "$0" && exec ruby migrate.rb "$@"' "$T/project" "$@"
	local status=$?
	sed -i -E -e 's/#<Proc:0x[0-9a-f]+ [^>]*>/#<Proc ...>/g' -e 's/^   -> [0-9.]+s$/   -> (time)/' \
		-e 's/^(== [0-9]+ [A-Za-z0-9]+: migrated) \([0-9.]+s\) =+$/\1/' "$OUT"
	return "$status"
}

REFUSED="severity = 'error' AND action IN ('overridden', 'refused')"
WARNED="severity = 'warning' AND action IN ('overridden', 'warned')"
counts() { # application_name "$REFUSED"|"$WARNED"
	local r
	r=$(sql "$DB" -c "SELECT string_agg(rule || ' ' || n, ', ' ORDER BY rule) FROM (
		SELECT rule, count(*) AS n FROM migration_guard.events
		 WHERE datname = current_database() AND application_name = '$1' AND $2 GROUP BY rule) s")
	echo "${r:-none}"
}

# --- set-up -------------------------------------------------------------------------------------

start_run "$DB"
ruby -e 'require "active_record"; require "pg"' 2>"$T/import.log" ||
	{ not_ok "Debian's ruby-activerecord and ruby-pg are installed" <"$T/import.log"; finish; exit 1; }
sql "$DB" -c "CREATE EXTENSION migration_guard" >/dev/null || { not_ok "set-up" </dev/null; finish; exit 1; }

say "== before (main at 24d3f30): the same: step 1 no refusal, type_choice 4; the drafts refused; the safe forms silent"
say "   (Rails names every constraint it creates, so constraint_unnamed never came up)"

# --- 1. fresh database, the stock forms -----------------------------------------------------------

fresh_project
for v in $SAFE_ONLY; do rm -f "$T/project/db/migrate/${v}_"*.rb; done
for d in "$HERE"/unsafe/*/; do cp -r "$d/." "$T/project/"; done
say ""
say "== 1. fresh database, default policy: the stock forms"
MG_APPLICATION_NAME=stock migrate
status=$?
say "refused: $(counts stock "$REFUSED") | warned: $(counts stock "$WARNED")"
check "the stock forms apply on a fresh database with the default policy" "$status"

# --- 2. large tables: the stock forms are refused ---------------------------------------------

sql postgres -c "DROP DATABASE $DB WITH (FORCE)" >/dev/null 2>&1
sql postgres >/dev/null <<SQL_END
CREATE DATABASE $DB ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
ALTER DATABASE $DB SET migration_guard.mode = 'enforce';
ALTER DATABASE $DB SET migration_guard.large_table_threshold = '64kB';
SQL_END
sql "$DB" -c "CREATE EXTENSION migration_guard" >/dev/null
fresh_project
say ""
say "== 2. 0001-0003 create the tables"
MG_APPLICATION_NAME=create migrate 20240101000003
check "0001-0003 create users, orders and items" $?
sql "$DB" >"$T/load.log" 2>&1 <<'SQL_END'
INSERT INTO users (email, created_at, updated_at)
SELECT 'user' || g || '@example.com', '2024-01-01', '2024-01-01' FROM generate_series(1, 3000) g;
INSERT INTO orders (user_id, total, status, created_at, updated_at)
SELECT 1 + g % 3000, (g % 500) / 4.0, (ARRAY['new', 'paid', 'shipped'])[1 + g % 3], '2024-01-01', '2024-01-01'
  FROM generate_series(1, 6000) g;
INSERT INTO items (sku, created_at, updated_at) SELECT 'sku-' || g, '2024-01-01', '2024-01-01' FROM generate_series(1, 10) g;
VACUUM ANALYZE users, orders, items;
SQL_END
check "the tables are filled" $?
say "== the tables, filled"
sql "$DB" -c "SELECT relname, pg_size_pretty(pg_table_size(oid)), reltuples::bigint FROM pg_class WHERE relname IN ('users', 'orders', 'items') ORDER BY 1" >>"$OUT"

# draft directory, the migration before it, the rule its refusal must name
STEPS=(
	"1_add_index 20240101000003 create_index_blocking"
	"2_add_reference 20240101000004 create_index_blocking"
	"3_add_foreign_key 20240101000005 foreign_key_validating"
	"4_change_column_null 20240101000007 set_not_null_scan"
	"5_volatile_default 20240101000011 add_column_volatile_default"
)
for step in "${STEPS[@]}"; do
	read -r draft prev rule <<<"$step"
	fresh_project
	say ""
	say "== unsafe draft $draft, on top of $prev"
	MG_APPLICATION_NAME=safe migrate "$prev" >/dev/null
	check "$draft: the safe migrations up to $prev apply" $?
	snapshot "$DB" "$BOOK" users orders items >"$T/before_$draft" 2>&1
	cp -r "$HERE/unsafe/$draft/." "$T/project/"
	MG_APPLICATION_NAME=draft migrate
	status=$?
	refused=1
	[ "$status" -ne 0 ] && grep -q "Rule $rule: " "$T/rails.log" && grep -q "^HINT:" "$T/rails.log" && refused=0
	check "$draft: the migration stops with the guard's error (rule $rule, HINT)" $refused
	snapshot "$DB" "$BOOK" users orders items >"$T/after_$draft" 2>&1
	if diff -u "$T/before_$draft" "$T/after_$draft" >"$T/diff_$draft"; then
		ok "$draft: schema, schema_migrations and rows are exactly as before"
		say "(schema, schema_migrations and rows unchanged)"
	else
		not_ok "$draft: schema, schema_migrations and rows are exactly as before" <"$T/diff_$draft"
		say "(the database changed)"
	fi
done

# --- 3. the safe forms ----------------------------------------------------------------------------

fresh_project
say ""
say "== 3. the project's own migrations: the safe forms, on the large tables (those before each draft above, and the rest)"
MG_APPLICATION_NAME=safe migrate
status=$?
say "all the safe forms, refused: $(counts safe "$REFUSED") | warned: $(counts safe "$WARNED")"
nref=$(sql "$DB" -c "SELECT count(*) FROM migration_guard.events WHERE datname = current_database() AND application_name = 'safe' AND $REFUSED")
[ "$status" -eq 0 ] && [ "$nref" -eq 0 ]
check "the safe forms apply on the large tables, with no refusal" $?
say "== the result"
sql "$DB" >"$T/result" 2>&1 <<'SQL_END'
SELECT 'index ' || indexrelid::regclass || CASE WHEN indisvalid THEN ' valid' ELSE ' INVALID' END
  FROM pg_index WHERE indrelid = 'orders'::regclass ORDER BY 1;
SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' (not validated)' END
  FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype <> 'n' ORDER BY 1;  -- (18 lists NOT NULL as constraints too)
SELECT 'orders.status ' || CASE WHEN attnotnull THEN 'NOT NULL' ELSE 'nullable' END
  FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = 'status';
SELECT 'users.public_id default ' || pg_get_expr(adbin, adrelid) FROM pg_attrdef
 WHERE adrelid = 'users'::regclass AND adnum = (SELECT attnum FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'public_id');
SQL_END
cat "$T/result" >>"$OUT"
state_ok=0
grep -q "^index index_orders_on_status valid$" "$T/result" || state_ok=1
grep -q "^index index_orders_on_item_id valid$" "$T/result" || state_ok=1
grep -qE "^constraint fk_rails_[0-9a-f]+ FOREIGN KEY \(item_id\) REFERENCES items\(id\)$" "$T/result" || state_ok=1
grep -q "^orders.status NOT NULL$" "$T/result" || state_ok=1
grep -q "orders_status_null" "$T/result" && state_ok=1
check "the indexes are valid, the foreign key validated, status NOT NULL and its CHECK gone" $state_ok

compare_transcript "$OUT" "$EXPECTED" "$REGEN"
finish
