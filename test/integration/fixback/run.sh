#!/usr/bin/env bash
# migration_guard.fix() round trip through Alembic and Django (issue 17), against a running
# cluster that has migration_guard preloaded:
#
#   bash test/integration/fixback/run.sh [--regen] PORT HOST
#
# For each tool, one migration as a developer first writes it (Alembic: an index, a foreign key
# and NOT NULL on orders.user_id; Django: store_book.title made NOT NULL, indexed and given a
# CHECK), on tables the test makes large (64kB threshold):
#
#   - the tool prints the migration's SQL (alembic upgrade a01:a02 --sql; manage.py sqlmigrate),
#     and running the migration is refused by the guard;
#   - migration_guard_check --fix prints its safe form (exit status 0: nothing needs a decision);
#   - put_back.py writes the migration again from fix()'s steps, as docs/advisor.md says to do
#     it by hand (Alembic: op.execute, the autocommit steps inside autocommit_block(); Django:
#     atomic = False, RunSQL, the original operations as state_operations), and the tool runs it
#     with the guard enforcing: nothing is refused;
#   - the original migration runs with the guard off on a second database, filled alike: both
#     databases end with the same schema (pg_dump --schema-only), bookkeeping and rows;
#   - the blocks of docs/advisor.md that show these outputs (<!-- fixback:NAME -->) must be what
#     the tools print now; --regen rewrites them, and the transcript
#     test/integration/expected/fixback.out, from this run (inspect the diff before committing).
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
ROOT=$(cd "$HERE/../../.." && pwd)
DOCS=$ROOT/docs/advisor.md
parse_runner_args fixback "$@"
DSN="host=$PGHOST port=$PGPORT user=$PGUSER"
GUARD_OFF="-c migration_guard.mode=off"

# --- set-up: four databases, a fixed and a reference one for each tool -------------------------

start_run mg_fixback_alembic  # (not $DB: one database for each tool and role)
DBS="mg_fixback_alembic_ref mg_fixback_django mg_fixback_django_ref"
trap 'end_run; [ -n "${MG_KEEP:-}" ] || for d in $DBS; do sql postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1; done' EXIT
for d in $DBS; do
	sql postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
	sql postgres >>"$T/setup.log" 2>&1 <<EOF || { not_ok "set-up" <"$T/setup.log"; finish; exit 1; }
CREATE DATABASE $d ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
ALTER DATABASE $d SET migration_guard.mode = 'enforce';
ALTER DATABASE $d SET migration_guard.large_table_threshold = '64kB';
EOF
done
for d in mg_fixback_alembic $DBS; do
	sql "$d" -c "CREATE EXTENSION migration_guard" >>"$T/setup.log" 2>&1 || { not_ok "set-up" <"$T/setup.log"; finish; exit 1; }
done
/usr/bin/python3 -c 'import alembic, django, psycopg2' 2>"$T/import.log" ||
	{ not_ok "Debian's python3-alembic, python3-django and python3-psycopg2 are installed" <"$T/import.log"; finish; exit 1; }

# ok, or not ok with the log as the explanation.
check_log() { # description status logfile
	if [ "$2" -eq 0 ]; then ok "$1"; else not_ok "$1" <"$3"; fi
}

# Copies a file into the transcript under a title.
show() { # title file
	say "-- $1:"
	cat "$2" >>"$OUT"
	say ""
}

# The docs' block NAME must be FILE (or becomes it with --regen).
# The docs show what PostgreSQL 15 to 17 give; 18 has its own NOT NULL recipe (the transcript
# has an alternative for it, fixback_1.out, when one is recorded).
PG_NUM=$(sql postgres -c "SHOW server_version_num")
docs_match() { # name file
	if [ "$PG_NUM" -ge 180000 ]; then
		ok "docs/advisor.md shows what the tools print: $1 # SKIP the docs show PostgreSQL 15's output"
	elif [ -n "$REGEN" ]; then
		/usr/bin/python3 "$HERE/docs_block.py" write "$DOCS" "$1" "$2"
		check "docs/advisor.md block $1 written from this run (--regen)" $?
	else
		/usr/bin/python3 "$HERE/docs_block.py" check "$DOCS" "$1" "$2" >"$T/docs_$1.diff" 2>&1
		local s=$?
		[ "$s" -eq 0 ] && ok "docs/advisor.md shows what the tools print: $1" ||
			not_ok "docs/advisor.md shows what the tools print: $1 (run.sh --regen rewrites it)" <"$T/docs_$1.diff"
	fi
}

# Everything the two databases must agree on: schema, the tool's bookkeeping, rows.
same_result() { # what db ref book tables...
	local what=$1 db=$2 ref=$3 book=$4
	shift 4
	snapshot "$db" "$book" "$@" >"$T/$what.fixed" 2>&1
	snapshot "$ref" "$book" "$@" >"$T/$what.ref" 2>&1
	if diff -u "$T/$what.ref" "$T/$what.fixed" >"$T/$what.diff"; then
		ok "$what: the fixed migration (guard enforcing) and the original (guard off) leave the same schema, bookkeeping and rows"
	else
		not_ok "$what: the fixed migration (guard enforcing) and the original (guard off) leave the same schema, bookkeeping and rows" <"$T/$what.diff"
	fi
}

# --- Alembic ------------------------------------------------------------------------------------

A=$T/alembic
cp -r "$HERE/alembic" "$A"
alembic_in() { # database, then alembic arguments (output in $T/alembic.log)
	local db=$1
	shift
	(cd "$A" && MG_DATABASE_URL="postgresql+psycopg2://$PGUSER@/$db?host=$PGHOST&port=$PGPORT" \
		/usr/bin/python3 -m alembic -c alembic.ini "$@")
}
fill_alembic() { # database
	sql "$1" <<'EOF'
INSERT INTO users (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 2000) g;
INSERT INTO orders (user_id, total) SELECT 1 + g % 2000, (g % 500) / 4.0 FROM generate_series(1, 6000) g;
ANALYZE users;
ANALYZE orders;
EOF
}
say "== Alembic"
status=0
for d in mg_fixback_alembic mg_fixback_alembic_ref; do
	alembic_in "$d" upgrade a01 >>"$T/alembic.log" 2>&1 && fill_alembic "$d" >>"$T/alembic.log" 2>&1 || status=1
done
check_log "alembic: a01 creates users and orders, filled above the 64kB threshold, on both databases" $status "$T/alembic.log"

alembic_in mg_fixback_alembic upgrade a01:a02 --sql >"$T/alembic_before.sql" 2>>"$T/alembic.log"
check "alembic upgrade a01:a02 --sql prints the migration's SQL" $?
show "alembic upgrade a01:a02 --sql" "$T/alembic_before.sql"

alembic_in mg_fixback_alembic upgrade a02 >"$T/alembic_refused.log" 2>&1
s=$?
[ "$s" -ne 0 ] && grep -q "Rule create_index_blocking: " "$T/alembic_refused.log"
check "alembic upgrade a02, as first written, is refused by the guard (create_index_blocking)" $?
say "(alembic upgrade a02 as first written: exit status $s, $(grep -o 'Rule [a-z_]*' "$T/alembic_refused.log" | head -1))"

"$ROOT/bin/migration_guard_check" -d mg_fixback_alembic --fix "$T/alembic_before.sql" >"$T/alembic_fixed.sql" 2>"$T/alembic_fix.err"
s=$?
check_log "migration_guard_check --fix: the Alembic SQL needs no decision (exit status 0)" $s "$T/alembic_fix.err"
show "migration_guard_check --fix" "$T/alembic_fixed.sql"

/usr/bin/python3 "$HERE/put_back.py" alembic "$DSN dbname=mg_fixback_alembic" "$T/alembic_before.sql" \
	"$HERE/alembic/migrations/versions/a02_orders_user.py" >"$T/a02_fixed.py" 2>"$T/put_back.log"
check_log "put_back.py writes the Alembic migration from fix()'s steps" $? "$T/put_back.log"
cp "$T/a02_fixed.py" "$A/migrations/versions/a02_orders_user.py"
sed -n '/^def upgrade():/,/^def downgrade():/p' "$T/a02_fixed.py" | sed '$d' | sed '${/^$/d}' >"$T/a02_upgrade.py"
show "the migration, fixed (upgrade())" "$T/a02_upgrade.py"

alembic_in mg_fixback_alembic upgrade a02 >"$T/alembic_fixed.log" 2>&1
s=$?
! grep -qE "ERROR|MG001" "$T/alembic_fixed.log"
check_log "alembic upgrade a02, fixed, runs with the guard enforcing and nothing refused" $((s + $?)) "$T/alembic_fixed.log"
say "(alembic upgrade a02 fixed: exit status $s)"

cp "$HERE/alembic/migrations/versions/a02_orders_user.py" "$A/migrations/versions/a02_orders_user.py"
MG_PGOPTIONS=$GUARD_OFF alembic_in mg_fixback_alembic_ref upgrade a02 >"$T/alembic_ref.log" 2>&1
check_log "alembic upgrade a02 as first written, with the guard off, on the reference database" $? "$T/alembic_ref.log"
same_result alembic mg_fixback_alembic mg_fixback_alembic_ref alembic_version users orders

docs_match alembic-sql "$T/alembic_before.sql"
docs_match alembic-fixed "$T/alembic_fixed.sql"
docs_match alembic-migration "$T/a02_upgrade.py"

# --- Django -------------------------------------------------------------------------------------

J=$T/django
cp -r "$HERE/django" "$J"
find "$J" -name __pycache__ -prune -exec rm -rf {} +
manage_in() { # database, then manage.py arguments
	local db=$1
	shift
	(cd "$J" && MG_DB_NAME=$db /usr/bin/python3 manage.py "$@")
}
fill_django() { # database
	sql "$1" <<'EOF'
INSERT INTO store_author (name) SELECT 'author ' || g FROM generate_series(1, 2000) g;
INSERT INTO store_book (title, author_id) SELECT 'book ' || g, 1 + g % 2000 FROM generate_series(1, 6000) g;
ANALYZE store_author;
ANALYZE store_book;
EOF
}
BOOK="(SELECT app, name FROM django_migrations) AS applied"
say ""
say "== Django"
status=0
for d in mg_fixback_django mg_fixback_django_ref; do
	manage_in "$d" migrate store 0001 >>"$T/django.log" 2>&1 && fill_django "$d" >>"$T/django.log" 2>&1 || status=1
done
check_log "django: 0001 creates store_author and store_book, filled above the 64kB threshold, on both databases" $status "$T/django.log"

manage_in mg_fixback_django sqlmigrate store 0002 >"$T/django_before.sql" 2>>"$T/django.log"
check "manage.py sqlmigrate store 0002 prints the migration's SQL" $?
show "manage.py sqlmigrate store 0002" "$T/django_before.sql"

manage_in mg_fixback_django migrate store 0002 >"$T/django_refused.log" 2>&1
s=$?
[ "$s" -ne 0 ] && grep -q "Rule set_not_null_scan: " "$T/django_refused.log"
check "manage.py migrate store 0002, as first written, is refused by the guard (set_not_null_scan)" $?
say "(manage.py migrate store 0002 as first written: exit status $s, $(grep -o 'Rule [a-z_]*' "$T/django_refused.log" | head -1))"

"$ROOT/bin/migration_guard_check" -d mg_fixback_django --fix "$T/django_before.sql" >"$T/django_fixed.sql" 2>"$T/django_fix.err"
check_log "migration_guard_check --fix: the Django SQL needs no decision (exit status 0)" $? "$T/django_fix.err"
show "migration_guard_check --fix" "$T/django_fixed.sql"

/usr/bin/python3 "$HERE/put_back.py" django "$DSN dbname=mg_fixback_django" "$T/django_before.sql" \
	"$HERE/django/store/migrations/0002_book_title.py" >"$T/0002_fixed.py" 2>"$T/put_back.log"
check_log "put_back.py writes the Django migration from fix()'s steps" $? "$T/put_back.log"
cp "$T/0002_fixed.py" "$J/store/migrations/0002_book_title.py"
sed -n '/^class Migration/,$p' "$T/0002_fixed.py" >"$T/0002_class.py"
show "the migration, fixed (class Migration)" "$T/0002_class.py"

manage_in mg_fixback_django migrate store 0002 >"$T/django_fixed.log" 2>&1
s=$?
! grep -qE "Error|MG001" "$T/django_fixed.log"
check_log "manage.py migrate store 0002, fixed, runs with the guard enforcing and nothing refused" $((s + $?)) "$T/django_fixed.log"
manage_in mg_fixback_django makemigrations --check --dry-run store >"$T/django_state.log" 2>&1
check "django: the fixed migration leaves the model state the models declare (makemigrations --check)" $? </dev/null
say "(manage.py migrate store 0002 fixed: exit status $s)"

cp "$HERE/django/store/migrations/0002_book_title.py" "$J/store/migrations/0002_book_title.py"
MG_PGOPTIONS=$GUARD_OFF manage_in mg_fixback_django_ref migrate store 0002 >"$T/django_ref.log" 2>&1
check_log "manage.py migrate store 0002 as first written, with the guard off, on the reference database" $? "$T/django_ref.log"
same_result django mg_fixback_django mg_fixback_django_ref "$BOOK" store_author store_book

# Django's AddField of a ForeignKey adds the column and indexes it in one transaction: check(), and
# so fix(), must judge that CREATE INDEX although the column is not in the catalog yet, as the
# guard does when it runs (create_index_blocking).
sql mg_fixback_django_ref -c "SELECT rule FROM migration_guard.check('ALTER TABLE store_book ADD COLUMN a2 bigint; CREATE INDEX store_book_a2_idx ON store_book (a2);')" >"$T/todo_new_column.log" 2>&1
grep -qx create_index_blocking "$T/todo_new_column.log"
check "check() judges CREATE INDEX on a column the same text adds (as Django's AddField of a ForeignKey does)" $?

docs_match django-sql "$T/django_before.sql"
docs_match django-fixed "$T/django_fixed.sql"
docs_match django-migration "$T/0002_class.py"

compare_transcript "$OUT" "$EXPECTED" "$REGEN"
finish
