#!/usr/bin/env bash
# Stock Django migrations under migration_guard with the default policy: Django's contrib apps
# and third-party apps from Debian (python3-django-*), unchanged, against a running cluster that
# has migration_guard preloaded.
#
#   bash test/integration/django_stock/run.sh [--regen] PORT HOST
#
# HOST may be a socket directory. The current user (or PGUSER) must be a superuser. The database
# mg_django_stock (dropped at the end unless MG_KEEP=1) has the default enforce mode and the
# test suites' 64kB threshold. The story:
#
#   1. a fresh database, "manage.py migrate": every migration applies, nothing is refused;
#   2. a fresh database again, with every rule of severity error overridden (an audited
#      migration_guard.allow, so that one refusal cannot hide the next) and counted per app and
#      rule from migration_guard.events: refusals (findings of severity error) and warnings;
#      none may be a refusal;
#   3. every table filled above the threshold (fill_tables.py), then each app rolled back to its
#      first migration and forward again, counted the same way: every refusal is on a table at
#      or above the threshold, i.e. justified by the table's size.
#
# The counts form a transcript compared with test/integration/expected/django_stock.out (--regen
# rewrites that file from this run: inspect it before committing).
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"
parse_runner_args django_stock "$@"
THRESHOLD=65536   # the 64kB that start_run sets
ROWS=3000         # rows per table in step 3: every table ends up above the threshold

PROJECT_FILES=(manage.py stocksite fill_tables.py)

# manage.py in the project; its whole output in $T/django.log. MG_EXTRA_OPTIONS (connection
# options, see stocksite/settings.py) carries the application_name and the override.
manage() {
	(cd "$T/project" && exec /usr/bin/python3 manage.py "$@") >"$T/django.log" 2>&1
}

# The last line of what Django printed (its error), with addresses blanked.
last_error() {
	/usr/bin/python3 "$HERE/../tool_output.py" "$T/django.log" | grep -v '^$' | tail -1 |
		sed -E 's/ at 0x[0-9a-f]+/ at 0x.../g'
}

# A fresh database with the extension (for migration_guard.events).
fresh_db() {
	sql postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	sql postgres >"$T/setup.log" 2>&1 <<EOF && sql "$DB" -c "CREATE EXTENSION migration_guard" >>"$T/setup.log" 2>&1
CREATE DATABASE $DB ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
ALTER DATABASE $DB SET migration_guard.mode = 'enforce';
ALTER DATABASE $DB SET migration_guard.large_table_threshold = '64kB';
EOF
}

# Which events are refusals and which are warnings. Under the measuring override a finding of an
# overridden rule is recorded as "overridden" with its severity: an error would have refused the
# statement, a warning (a rule that refuses only on large tables) would have warned.
REFUSED="severity = 'error' AND action IN ('overridden', 'refused')"
WARNED="severity = 'warning' AND action IN ('overridden', 'warned')"

# "rule n, rule n" for one step's refusals or warnings; "none" when there are none.
counts() { # application_name "$REFUSED"|"$WARNED"
	local r
	r=$(sql "$DB" -c "SELECT string_agg(rule || ' ' || n, ', ' ORDER BY rule) FROM (
		SELECT rule, count(*) AS n FROM migration_guard.events
		 WHERE datname = current_database() AND application_name = '$1' AND $2
		 GROUP BY rule) s")
	echo "${r:-none}"
}

# Refusals of one step on tables below the threshold, one per line.
unjustified() { # application_name
	sql "$DB" -c "SELECT rule || ' on ' || coalesce(nullif(relation, ''), '(no table)') || ' (' || table_size || ' bytes): ' || left(statement, 100)
		FROM migration_guard.events
		WHERE datname = current_database() AND application_name = '$1' AND $REFUSED
		  AND coalesce(table_size, 0) < $THRESHOLD ORDER BY event_id"
}

# How many migrations of an app a phase applied or unapplied (migrate_counted's progress file).
moved() { # phase app applied|unapplied
	grep -c "^$1 $2 $3 " "$T/progress"
}

# All refusals or warnings of a phase.
total() { # phase "$REFUSED"|"$WARNED"
	sql "$DB" -c "SELECT count(*) FROM migration_guard.events WHERE datname = current_database()
		AND application_name LIKE '$1:%' AND $2"
}

# --- set-up -------------------------------------------------------------------------------------

start_run "$DB"
/usr/bin/python3 -c 'import django, psycopg2' 2>"$T/import.log" ||
	{ not_ok "Debian's python3-django and python3-psycopg2 are installed" <"$T/import.log"; finish; exit 1; }
fresh_project
(cd "$T/project" && /usr/bin/python3 manage.py check) >"$T/check.log" 2>&1 ||
	{ not_ok "the stock apps load (Debian's python3-django-* packages, scripts/lib.sh)" <"$T/check.log"; finish; exit 1; }
ok "the stock apps load"

# Apps in the order their first migration comes in Django's plan (dependencies first).
(cd "$T/project" && /usr/bin/python3 manage.py showmigrations --plan) >"$T/plan" 2>&1
APPS=$(sed -nE 's/^\[.\] +([a-z0-9_]+)\..*/\1/p' "$T/plan" | awk '!seen[$0]++')
say "== the apps: $(echo $APPS | wc -w) apps with $(grep -c '^\[' "$T/plan") migrations: $(echo $APPS)"

# Every rule of severity error, overridden with a reason in the measuring steps.
fresh_db || { not_ok "set-up" <"$T/setup.log"; finish; exit 1; }
ERROR_RULES=$(sql "$DB" -c "SELECT string_agg(rule, ',' ORDER BY rule) FROM migration_guard.rules() WHERE default_severity = 'error'")
allow_opts() { # application_name
	echo "-c application_name=$1 -c migration_guard.allow=${ERROR_RULES}:\\ counting\\ the\\ refusals"
}

# What the same steps gave before constraint_unnamed and multiple_alter_same_table learned about
# new and small tables (main at 24d3f30; the whole transcript is expected/django_stock.before.out).
say ""
say "== before (main at 24d3f30): step 1 stopped at auth.0001_initial (constraint_unnamed on CREATE TABLE auth_group);"
say "   step 2: 31 refusals, all constraint_unnamed (auth 2, account 2, admin 1, axes 1, database 1, django_celery_beat 3,"
say "   django_celery_results 3, invitations 1, oauth2_provider 7, otp_email 1, otp_hotp 2, otp_static 1, otp_totp 2,"
say "   sitetree 1, tagging 2, taggit 1), 97 warnings of which 18 multiple_alter_same_table, all on empty tables;"
say "   step 3: 3 refusals below the threshold (constraint_unnamed on CREATE TABLE)"

# --- 1. fresh database, default policy ----------------------------------------------------------

say ""
say "== 1. fresh database, default policy: manage.py migrate"
MG_EXTRA_OPTIONS= manage migrate --no-input
status=$?
if [ "$status" -eq 0 ]; then
	say "$(grep -c '^  Applying .* OK$' "$T/django.log") migrations applied, exit status 0"
else
	say "stopped after $(grep -c '^  Applying .* OK$' "$T/django.log") migrations, exit status $status:"
	/usr/bin/python3 "$HERE/../tool_output.py" "$T/django.log" | grep -v '^  Applying .*OK$' >>"$OUT"
fi
check "manage.py migrate applies every stock migration on a fresh database with the default policy" "$status"

# --- 2. fresh database, counted per app -------------------------------------------------------

fresh_db || { not_ok "set-up" <"$T/setup.log"; finish; exit 1; }
say ""
say "== 2. fresh database, counted per app (every error rule overridden with a reason, so that one refusal cannot hide the next)"
say "app: migrations applied | refused | warned"
MG_EXTRA_OPTIONS=$(allow_opts "fresh") manage migrate_counted --no-input --phase fresh --progress "$T/progress"
status=$?
[ "$status" -eq 0 ] || { say "Django: $(last_error)"; not_ok "manage.py migrate_counted applies every migration" <"$T/django.log"; }
for app in $APPS; do
	say "$app: $(moved fresh "$app" applied) | refused: $(counts "fresh:$app" "$REFUSED") | warned: $(counts "fresh:$app" "$WARNED")"
done
total_refused=$(total fresh "$REFUSED")
say "total: $(grep -c '^fresh ' "$T/progress") migrations | refused: $total_refused | warned: $(total fresh "$WARNED")"
check "no stock migration is refused on a fresh database ($total_refused refusals)" "$total_refused"

# --- 3. populated tables, each app rolled back and forward -------------------------------------

say ""
(cd "$T/project" && /usr/bin/python3 fill_tables.py "$DB" "$ROWS") >"$T/fill.log" 2>"$T/fill.err"
check "every table is filled" $?
small=$(sql "$DB" -c "SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'django_migrations' AND pg_table_size(c.oid) < $THRESHOLD")
say "== 3. every table filled with $ROWS rows: $(wc -l <"$T/fill.log") tables, below the threshold: ${small:-none}"
[ -s "$T/fill.err" ] && sed 's/^/   /' "$T/fill.err" >>"$OUT"
say "each app rolled back to its first migration, then forward again (every error rule overridden and counted;"
say "a statement refused by a rule and then let through by the override may draw the backstop's unexpected_rewrite too;"
say "a RunPython that saves row by row counts one refusal per row)"
say "app: unapplied, applied | refused back | refused forward | warned back | warned forward"
MG_EXTRA_OPTIONS=$(allow_opts "roll") manage roll_each $APPS --progress "$T/progress"
status=$?
[ "$status" -eq 0 ] || { say "Django: $(last_error)"; not_ok "manage.py roll_each runs" <"$T/django.log"; }
unjust=0
for app in $APPS; do
	grep -qE "^(back|forward) $app " "$T/progress" || continue
	say "$app: $(moved back "$app" unapplied), $(moved forward "$app" applied) | $(counts "back:$app" "$REFUSED") | $(counts "forward:$app" "$REFUSED") | $(counts "back:$app" "$WARNED") | $(counts "forward:$app" "$WARNED")"
	grep -E "^error (back|forward) $app " "$T/progress" | cut -d' ' -f2,4- | sed -E 's/ at 0x[0-9a-f]+/ at 0x.../g; s/^/   Django could not go on, /' >>"$OUT"
	for step in back forward; do
		u=$(unjustified "$step:$app")
		if [ -n "$u" ]; then
			say "   refused below the threshold ($step):"
			echo "$u" | sed 's/^/     /' >>"$OUT"
			unjust=$((unjust + $(echo "$u" | wc -l)))
		fi
	done
done
say "total: refused back $(total back "$REFUSED"), forward $(total forward "$REFUSED") | warned back $(total back "$WARNED"), forward $(total forward "$WARNED")"
MG_EXTRA_OPTIONS=$(allow_opts "restore") manage migrate --no-input
say "every refusal on a table at or above the threshold: $([ "$unjust" -eq 0 ] && echo yes || echo "no, $unjust below it")"
check "every refusal on the populated tables is justified by the table's size ($unjust below the threshold)" "$unjust"

compare_transcript "$OUT" "$EXPECTED" "$REGEN"
finish
