#!/usr/bin/env bash
# The tools suite: what the guard does to the tools DBAs already run, each against throwaway
# clusters with the guard in enforce mode and the default policy.
#
#   bash test/tools/run.sh WORKDIR [section...]
#
# Sections (all by default): restore replication repack partman maintenance extension
# pgbouncer upgrade. Run as the user that owns clusters (scripts/test.sh runs it as postgres);
# the PostgreSQL binaries come from scripts/lib.sh (MG_PG_ROOT). Prints TAP-like lines through
# test/integration/lib.sh: "not ok ... # TODO why" marks a known gap, not a failure. The numbers
# (timings, counts) are printed as "# " lines for test/RESULTS-like reports.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lib.sh"
. "$ROOT/test/integration/lib.sh"
as_test_user() { "$@"; } # already the cluster owner

W=${1:?usage: run.sh WORKDIR [section...]}
shift
SECTIONS=${*:-restore replication repack partman maintenance extension pgbouncer upgrade}
mkdir -p "$W"
cd "$W" || exit 1
export PATH="$PG_BIN:$PATH"
unset PGOPTIONS PGAPPNAME PGDATABASE PGUSER PGHOST PGPORT

want() { [[ " $SECTIONS " == *" $1 "* ]]; }

# ---- the main guarded cluster ----
A=$W/a
PA=$(free_port 59500)
start_cluster "$A" "$PA" <<EOF
log_line_prefix = '%m [%p] app=%a user=%u db=%d '
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
EOF
trap 'stop_cluster "$A"; [ -n "${B:-}" ] && stop_cluster "$B"; [ -f "$W/pgb/pgbouncer.pid" ] && kill "$(cat "$W/pgb/pgbouncer.pid")" 2>/dev/null; true' EXIT

# psql on cluster A: q DB SQL... (one -c per argument; tuples only, stops at the first error)
q() {
	local db=$1
	shift
	local args=()
	for s in "$@"; do args+=(-c "$s"); done
	psql -X -q -At -v ON_ERROR_STOP=1 -h "$A" -p "$PA" -U postgres -d "$db" "${args[@]}"
}
# equal DESCRIPTION ACTUAL EXPECTED [TODO-REASON]
equal() {
	if [ "$2" == "$3" ]; then
		check "$1" 0 "${4:-}"
	else
		not_ok "$1" "${4:-}" < <(printf 'expected: %s\nactual:   %s\n' "$3" "$2")
	fi
}
# contains DESCRIPTION FILE PATTERN [TODO-REASON]: an extended regular expression in FILE
contains() {
	if grep -qE -- "$3" "$2"; then
		check "$1" 0 "${4:-}"
	else
		not_ok "$1" "${4:-}" < <(echo "no line matches: $3"; head -c 3000 "$2")
	fi
}
lacks() {
	if grep -qE -- "$3" "$2"; then
		not_ok "$1" "${4:-}" < <(echo "a line matches: $3"; grep -E -- "$3" "$2" | head -20)
	else
		check "$1" 0 "${4:-}"
	fi
}
ms() { date +%s%3N; }

# The objects of schema public and the rows of big and parent, one line: what a complete
# restore reproduces. (It reads big: from a session that is not a restore session, so a
# relation a restore recorded is live from then on.)
describe() {
	q "$1" "SELECT string_agg(x, ' ' ORDER BY x) FROM (
	  SELECT 'c:' || conrelid::regclass || '.' || conname || ':' || contype::text || ':' || convalidated AS x
	    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
	  UNION ALL SELECT 'i:' || indexrelid::regclass || ':' || indisvalid
	    FROM pg_index JOIN pg_class c ON c.oid = indrelid WHERE c.relnamespace = 'public'::regnamespace
	  UNION ALL SELECT 'rows:big:' || count(*) FROM public.big
	  UNION ALL SELECT 'rows:parent:' || count(*) FROM public.parent) s"
}
# events of database DB with ACTION since event id FROM: "rule@relation" sorted, one line
events() { # db action from
	q postgres "SELECT coalesce(string_agg(rule || '@' || relation, ' ' ORDER BY rule, relation), '')
	  FROM migration_guard.events WHERE datname = '$1' AND action = '$2' AND event_id > $3"
}
last_event() { q postgres "SELECT coalesce(max(event_id), 0) FROM migration_guard.events"; }

q postgres "CREATE EXTENSION migration_guard"
# The source: a table above the 10MB threshold with a primary key, a UNIQUE, an index and a
# foreign key, and the small table it references.
q postgres "CREATE DATABASE src"
q src "CREATE TABLE parent (id bigint CONSTRAINT parent_pkey PRIMARY KEY, name text)" \
	"INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 1000) g" \
	"CREATE TABLE big (id bigint CONSTRAINT big_pkey PRIMARY KEY, code text CONSTRAINT big_code_key UNIQUE,
	   parent_id bigint CONSTRAINT big_parent_fk REFERENCES parent (id), payload text, created timestamptz)" \
	"CREATE INDEX big_created_idx ON big (created)" \
	"INSERT INTO big SELECT g, 'c' || g, 1 + g % 1000, repeat('x', 60), now() FROM generate_series(1, 150000) g"
SRC_SIZE=$(q src "SELECT pg_table_size('big')")
SRC_DESC=$(describe src)
case "$SRC_DESC" in
*i:big_created_idx:true*rows:big:150000*) ;;
*) echo "Bail out! the source database is not as expected: $SRC_DESC"; exit 1 ;;
esac
echo "# source: big is $((SRC_SIZE / 1048576)) MB (threshold 10 MB); objects: $SRC_DESC"
pg_dump -h "$A" -p "$PA" -U postgres -Fc -f "$W/src.dump" src
pg_dump -h "$A" -p "$PA" -U postgres -f "$W/src.sql" src
pg_dump -h "$A" -p "$PA" -U postgres -Fc -t big -f "$W/big.dump" src

# A database restored from the source and then used by the application (a session that is not
# a restore session reads big): its tables are live, like any existing table.
restore_live() {
	q postgres "CREATE DATABASE $1"
	pg_restore -h "$A" -p "$PA" -U postgres -d "$1" "$W/src.dump" >"$W/$1.restore.out" 2>&1 || cat "$W/$1.restore.out"
	q "$1" "SELECT count(*) FROM big" >/dev/null
}

# restore_into DB TITLE pg_restore-args...: a fresh database, the restore, its time and output
restore_into() {
	local db=$1 title=$2
	shift 2
	q postgres "CREATE DATABASE $db"
	local t0 rc
	t0=$(ms)
	pg_restore -h "$A" -p "$PA" -U postgres -d "$db" "$@" >"$W/$db.out" 2>&1
	rc=$?
	echo "# $title: exit $rc in $(($(ms) - t0)) ms"
	return $rc
}

if want restore; then
	echo "# == pg_restore and pg_dump | psql"
	for variant in "r_default|pg_restore (default)|" "r_j2|pg_restore -j 2|-j 2" \
		"r_single|pg_restore --single-transaction|--single-transaction"; do
		IFS='|' read -r db title args <<<"$variant"
		from=$(last_event)
		# shellcheck disable=SC2086
		restore_into "$db" "$title" $args "$W/src.dump"
		check "$title: exits 0" $?
		lacks "$title: no error, nothing ignored" "$W/$db.out" 'error|errors ignored'
		equal "$title: every table, row, index and constraint restored" "$(describe "$db")" "$SRC_DESC"
		if [ "$db" = r_single ]; then
			# one transaction: everything is new in it, no exemption needed, nothing to audit
			equal "$title: nothing refused or overridden" "$(events "$db" refused "$from")|$(events "$db" overridden "$from")" "|"
		else
			equal "$title: the four refusals the restore exemption avoided are recorded as overrides" \
				"$(events "$db" overridden "$from")" \
				"create_index_blocking@public.big foreign_key_validating@public.big primary_key_blocking@public.big unique_constraint_blocking@public.big"
			equal "$title: with the restore's reason, user and application" \
				"$(q postgres "SELECT DISTINCT usename || '/' || application_name || '/' || left(reason, 15) FROM migration_guard.events WHERE datname = '$db' AND event_id > $from")" \
				"postgres/pg_restore/restore session"
			contains "$title: an audit line in the server log" "$A/server.log" \
				"action=overridden rule=primary_key_blocking severity=error user=postgres database=$db application_name='pg_restore'.*reason='restore session"
		fi
	done

	# pg_dump | psql: psql strips the dump's header comment (its lexer drops "--" comments
	# before a statement), so the server's first statement is "SET statement_timeout = 0;" from
	# application psql. That, and only SETs up to "SET row_security = off", is pg_dump's
	# preamble: the session is a restore session.
	q postgres "ALTER SYSTEM SET log_statement = 'all'" "SELECT pg_reload_conf()"
	q postgres "CREATE DATABASE r_plain"
	n0=$(wc -l <"$A/server.log")
	from=$(last_event)
	t0=$(ms)
	psql -X -q -h "$A" -p "$PA" -U postgres -d r_plain -f "$W/src.sql" >"$W/r_plain.out" 2>&1
	echo "# pg_dump | psql: exit $? in $(($(ms) - t0)) ms"
	q postgres "ALTER SYSTEM RESET log_statement" "SELECT pg_reload_conf()"
	first=$(tail -n +"$((n0 + 1))" "$A/server.log" | grep -m1 -E 'db=r_plain LOG:  statement:' | sed -E 's/.*app=([^ ]*) .*statement: /\1: /')
	equal "pg_dump | psql: the first statement psql sends is the first SET, without the header comment" \
		"$first" "psql: SET statement_timeout = 0;"
	lacks "pg_dump | psql: no error" "$W/r_plain.out" 'ERROR'
	equal "pg_dump | psql: complete" "$(describe r_plain)" "$SRC_DESC"
	equal "pg_dump | psql: the avoided refusals recorded as overrides of a dump replay" \
		"$(q postgres "SELECT count(*) || '/' || string_agg(DISTINCT application_name || ':' || left(reason, 50), ',') FROM migration_guard.events WHERE datname = 'r_plain' AND action = 'overridden' AND event_id > $from")" \
		"4/psql:restore session: the table was created by this rep"
	# a psql session that does not begin with the preamble is not a restore session
	q postgres "CREATE DATABASE r_plain_other"
	{ echo "SET lock_timeout = '5s';"; sed -n '/^SET statement_timeout = 0;/,$p' "$W/src.sql"; } |
		psql -X -q -h "$A" -p "$PA" -U postgres -d r_plain_other >"$W/r_plain_other.out" 2>&1
	equal "a psql session that starts otherwise (SET lock_timeout first): its large table's 4 statements are refused" \
		"$(grep -c 'ERROR:  ' "$W/r_plain_other.out")" 4
	for variant in "r_plain_app|PGAPPNAME=pg_restore psql|env PGAPPNAME=pg_restore" \
		"r_plain_1|psql --single-transaction -v ON_ERROR_STOP=1|env"; do
		IFS='|' read -r db title prefix <<<"$variant"
		q postgres "CREATE DATABASE $db"
		opts=()
		[ "$db" = r_plain_1 ] && opts=(--single-transaction -v ON_ERROR_STOP=1)
		t0=$(ms)
		$prefix psql -X -q -h "$A" -p "$PA" -U postgres -d "$db" "${opts[@]}" -f "$W/src.sql" >"$W/$db.out" 2>&1
		rc=$?
		echo "# pg_dump | $title: exit $rc in $(($(ms) - t0)) ms"
		check "pg_dump | $title: exits 0" $rc
		lacks "pg_dump | $title: no error" "$W/$db.out" 'ERROR'
		equal "pg_dump | $title: complete" "$(describe "$db")" "$SRC_DESC"
	done

	# -t one_table into a live database that already has other data (a large live table of
	# its own, in use): pg_restore -t restores the table and its data only, never its indexes.
	q postgres "CREATE DATABASE r_live"
	q r_live "CREATE TABLE parent (id bigint CONSTRAINT parent_pkey PRIMARY KEY, name text)" \
		"INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 1000) g" \
		"CREATE TABLE orders (id bigint, note text)" \
		"INSERT INTO orders SELECT g, repeat('o', 80) FROM generate_series(1, 120000) g"
	from=$(last_event)
	pg_restore -h "$A" -p "$PA" -U postgres -d r_live -t big "$W/src.dump" >"$W/r_live_t.out" 2>&1
	check "pg_restore -t big into a live database: exits 0" $?
	equal "pg_restore -t big: the table and its rows, no index (pg_restore -t restores none)" \
		"$(q r_live "SELECT count(*) || '/' || (SELECT count(*) FROM pg_index WHERE indrelid = 'big'::regclass) FROM big")" "150000/0"
	q r_live "DROP TABLE big"
	# a table-level dump (pg_dump -t big) carries the table's indexes and constraints
	t0=$(ms)
	pg_restore -h "$A" -p "$PA" -U postgres -d r_live "$W/big.dump" >"$W/r_live_tdump.out" 2>&1
	rc=$?
	echo "# pg_restore of pg_dump -t big into the live database: exit $rc in $(($(ms) - t0)) ms"
	check "pg_restore of a pg_dump -t big into a live database: exits 0" $rc
	equal "... every index and constraint of the new big, its FK to the live parent" \
		"$(q r_live "SELECT string_agg(conname, ' ' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'big'::regclass AND contype <> 'n'")|$(q r_live "SELECT count(*) FROM pg_index WHERE indrelid = 'big'::regclass")" \
		"big_code_key big_parent_fk big_pkey|3"
	equal "... and nothing refused in the live database" "$(events r_live refused "$from")" ""
	# An existing large live table keeps its protection: the indexes of a dump restored onto a
	# table that the restore did not create are refused, and --exit-on-error stops there.
	q r_live "CREATE TABLE big2 (LIKE big)" "INSERT INTO big2 SELECT * FROM big" "SELECT count(*) FROM big2" >/dev/null
	q src "CREATE TABLE big2 (LIKE big INCLUDING INDEXES)" >/dev/null 2>&1
	pg_dump -h "$A" -p "$PA" -U postgres -Fc -t big2 --section=post-data -f "$W/big2_post.dump" src
	from=$(last_event)
	pg_restore -h "$A" -p "$PA" -U postgres -d r_live --exit-on-error "$W/big2_post.dump" >"$W/r_live_post.out" 2>&1
	equal "post-data onto a live large table: pg_restore --exit-on-error stops (exit 1)" "$?" 1
	contains "... with the guard's message at its first statement" "$W/r_live_post.out" \
		'error: could not execute query: ERROR:  (adding PRIMARY KEY|adding UNIQUE|creating an index).*large table "public.big2"'
	equal "... nothing was built on the live table" "$(q r_live "SELECT count(*) FROM pg_index WHERE indrelid = 'big2'::regclass")" 0
	equal "... one refusal, no override" "$(events r_live refused "$from" | wc -w)|$(events r_live overridden "$from")" "1|"
	q src "DROP TABLE big2"

	# A table a restore created and that another session has used since is live: it loses the
	# exemption, even while restore sessions of its database are still running or within the
	# grace period after them.
	q postgres "CREATE DATABASE r_used"
	pg_restore -h "$A" -p "$PA" -U postgres -d r_used --section=pre-data --section=data "$W/src.dump" >"$W/r_used1.out" 2>&1
	pg_restore -h "$A" -p "$PA" -U postgres -d r_used --section=post-data "$W/src.dump" >"$W/r_used_ok.out" 2>&1
	equal "restore in two runs (pre-data and data, then post-data within the grace period): complete" \
		"$(describe r_used)" "$SRC_DESC"
	q postgres "CREATE DATABASE r_used2"
	pg_restore -h "$A" -p "$PA" -U postgres -d r_used2 --section=pre-data --section=data "$W/src.dump" >"$W/r_used2a.out" 2>&1
	q r_used2 "SELECT count(*) FROM big" >/dev/null # the application has started to use it
	from=$(last_event)
	pg_restore -h "$A" -p "$PA" -U postgres -d r_used2 --section=post-data --exit-on-error "$W/src.dump" >"$W/r_used2b.out" 2>&1
	equal "... but once another session has used big, its post-data is refused: stops at the first statement" "$?" 1
	contains "... with the guard's message" "$W/r_used2b.out" 'ERROR:  adding (UNIQUE constraint big_code_key|PRIMARY KEY big_pkey) would build its index on large table "public.big"'
	equal "... one refusal, nothing overridden" "$(events r_used2 refused "$from" | wc -w)|$(events r_used2 overridden "$from")" "1|"

	# An ordinary role restores its own new tables completely, and cannot use a restore
	# session on a live table, nor on tables another role's restore created.
	q postgres "CREATE ROLE alice LOGIN" "CREATE DATABASE r_alice OWNER alice"
	from=$(last_event)
	pg_restore -h "$A" -p "$PA" -U alice -d r_alice --no-owner --no-privileges "$W/src.dump" >"$W/r_alice.out" 2>&1
	check "an ordinary role (alice, owner of the database) restores: exits 0" $?
	equal "... complete" "$(describe r_alice)" "$SRC_DESC"
	equal "... the avoided refusals are recorded as alice's" \
		"$(q postgres "SELECT count(*) || '/' || string_agg(DISTINCT usename, ',') FROM migration_guard.events WHERE datname = 'r_alice' AND action = 'overridden' AND event_id > $from")" "4/alice"
	q r_alice "CREATE TABLE ledger (id bigint, note text)" \
		"INSERT INTO ledger SELECT g, repeat('l', 80) FROM generate_series(1, 120000) g" \
		"ALTER TABLE ledger OWNER TO alice"
	PGAPPNAME=pg_restore psql -X -q -h "$A" -p "$PA" -U alice -d r_alice \
		-c "CREATE INDEX ledger_id_idx ON ledger (id)" >"$W/r_alice_live.out" 2>&1
	contains "alice as a 'pg_restore' session on her live table: refused" "$W/r_alice_live.out" \
		'ERROR:  creating an index without CONCURRENTLY would block writes on large table "public.ledger"'

	# Fail closed: when the record is full, the tables not recorded are judged like any other.
	# A first restore fills the record (4 relations); the second, within its grace period, finds
	# it full. (pg_restore shows the server's warnings only with --verbose: the log has them.)
	q postgres "ALTER SYSTEM SET migration_guard.restore_relations = 4"
	pg_ctl -D "$A/data" -w -m fast restart -l "$A/server.log" >/dev/null
	q postgres "CREATE DATABASE r_fill" "CREATE DATABASE r_full"
	pg_restore -h "$A" -p "$PA" -U postgres -d r_fill "$W/src.dump" >"$W/r_fill.out" 2>&1
	from=$(last_event)
	pg_restore -h "$A" -p "$PA" -U postgres -d r_full --exit-on-error "$W/src.dump" >"$W/r_full.out" 2>&1
	equal "restore_relations full: pg_restore --exit-on-error stops (exit 1)" "$?" 1
	contains "... the session was warned that relations were not recorded (server log)" "$A/server.log" \
		'db=r_full WARNING:  migration_guard could not record [0-9]+ relations created by this restore'
	contains "... and the first statement on an unrecorded large table is refused" "$W/r_full.out" \
		'ERROR:  adding (UNIQUE constraint big_code_key|PRIMARY KEY big_pkey) would build its index on large table "public.big"'
	q postgres "ALTER SYSTEM RESET migration_guard.restore_relations"
	pg_ctl -D "$A/data" -w -m fast restart -l "$A/server.log" >/dev/null
fi

if want replication; then
	echo "# == logical replication into a guarded subscriber"
	B=$W/b
	PB=$(free_port 59600)
	start_cluster "$B" "$PB" <<EOF
wal_level = logical
migration_guard.mode = off
EOF
	qb() { local db=$1; shift; local a=(); for s in "$@"; do a+=(-c "$s"); done; psql -X -q -At -v ON_ERROR_STOP=1 -h "$B" -p "$PB" -U postgres -d "$db" "${a[@]}"; }
	qb postgres "CREATE DATABASE pub"
	pg_dump -h "$A" -p "$PA" -U postgres src | psql -X -q -h "$B" -p "$PB" -U postgres -d pub >/dev/null 2>&1
	qb pub "CREATE PUBLICATION p FOR TABLE parent, big"
	q postgres "CREATE DATABASE sub"
	pg_dump -h "$A" -p "$PA" -U postgres --schema-only src | psql -X -q -h "$A" -p "$PA" -U postgres -d sub >"$W/sub_schema.out" 2>&1
	lacks "the subscriber's schema (empty tables, every index) loads without refusal" "$W/sub_schema.out" ERROR
	from=$(last_event)
	t0=$(ms)
	q sub "CREATE SUBSCRIPTION s CONNECTION 'host=$B port=$PB dbname=pub user=postgres' PUBLICATION p WITH (copy_data = true)" 2>"$W/sub.err"
	check "CREATE SUBSCRIPTION ... WITH (copy_data = true): accepted" $?
	for _ in $(seq 1 120); do
		[ "$(q sub "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'")" = 0 ] && break
		sleep 0.5
	done
	echo "# table sync of $((SRC_SIZE / 1048576)) MB: $(($(ms) - t0)) ms"
	equal "the table sync copies every row (big becomes large on the subscriber)" \
		"$(q sub "SELECT (SELECT count(*) FROM big) || '/' || (SELECT count(*) FROM parent) || '/' || (pg_table_size('big') > 10485760)")" "150000/1000/true"
	qb pub "UPDATE big SET payload = 'updated' WHERE id <= 120000" "DELETE FROM big WHERE id > 140000" \
		"INSERT INTO big SELECT g, 'n' || g, 1, 'new', now() FROM generate_series(200001, 230000) g"
	want_state="170000|120000|30000"
	for _ in $(seq 1 120); do
		got=$(q sub "SELECT count(*) || '|' || count(*) FILTER (WHERE payload = 'updated') || '|' || count(*) FILTER (WHERE id > 200000) FROM big")
		[ "$got" = "$want_state" ] && break
		sleep 0.5
	done
	equal "the apply worker applies 120000 updates, 10000 deletes and 30000 inserts" "$got" "$want_state"
	equal "nothing on the subscriber was refused, warned about or overridden" \
		"$(q postgres "SELECT count(*) FROM migration_guard.events WHERE datname = 'sub' AND event_id > $from")" 0
	q sub "ALTER SUBSCRIPTION s DISABLE" "ALTER SUBSCRIPTION s SET (slot_name = NONE)" "DROP SUBSCRIPTION s"
	qb pub "SELECT pg_drop_replication_slot('s')" >/dev/null 2>&1
	stop_cluster "$B"
	B=
fi

# Debian packages pg_repack and pg_partman per PostgreSQL major version; a server built from
# source (PG_CONFIG=..., as for 18) has neither: those sections say so and are skipped.
available() { [ "$(q postgres "SELECT count(*) FROM pg_available_extensions WHERE name = '$1'")" = 1 ]; }
for ext in repack partman; do
	if want $ext && ! available pg_$ext; then
		echo "# SKIP pg_$ext: not installed for this server ($("$PG_BIN/postgres" --version))"
		SECTIONS=" $SECTIONS "
		SECTIONS=${SECTIONS// $ext / }
	fi
done

if want repack; then
	echo "# == pg_repack"
	restore_live rp
	q rp "CREATE EXTENSION pg_repack"
	before=$(q rp "SELECT pg_relation_filenode('big')")
	for args in "-t big" "--no-order -t big"; do
		from=$(last_event)
		t0=$(ms)
		# shellcheck disable=SC2086
		pg_repack -h "$A" -p "$PA" -U postgres -d rp $args >"$W/repack.out" 2>&1
		rc=$?
		echo "# pg_repack $args: exit $rc in $(($(ms) - t0)) ms"
		check "pg_repack $args: exits 0" $rc
		lacks "pg_repack $args: no error" "$W/repack.out" 'ERROR'
		equal "pg_repack $args: the table was rewritten, with every index and constraint" \
			"$(q rp "SELECT pg_relation_filenode('big') <> $before")|$(describe rp)" "t|${SRC_DESC}"
		equal "pg_repack $args: its index builds on its own copy are recorded as pg_repack overrides, nothing refused" \
			"$(events rp overridden "$from")|$(events rp refused "$from")" \
			"create_index_blocking@repack.table_$(q rp "SELECT 'big'::regclass::oid") create_index_blocking@repack.table_$(q rp "SELECT 'big'::regclass::oid") create_index_blocking@repack.table_$(q rp "SELECT 'big'::regclass::oid")|"
		equal "pg_repack $args: no warning about its own work tables" "$(events rp warned "$from")" ""
		before=$(q rp "SELECT pg_relation_filenode('big')")
	done
	q rp "VACUUM FULL big" >"$W/vacfull.out" 2>&1
	contains "VACUUM FULL big is refused, and its hint points to pg_repack" "$W/vacfull.out" 'pg_repack --no-order --table=public.big'
fi

if want partman; then
	echo "# == pg_partman"
	q postgres "CREATE DATABASE pm"
	q pm "CREATE SCHEMA partman" "CREATE EXTENSION pg_partman SCHEMA partman" \
		"CREATE TABLE events (id bigint NOT NULL, created timestamptz NOT NULL, payload text) PARTITION BY RANGE (created)" \
		"CREATE INDEX events_created_idx ON events (created)" \
		"SELECT partman.create_parent('public.events', 'created', 'native', 'daily', p_premake := 2)" >/dev/null
	parts() { q pm "SELECT count(*) FROM pg_inherits WHERE inhparent = 'events'::regclass"; }
	no_index() { q pm "SELECT count(*) FROM pg_inherits i WHERE i.inhparent = 'events'::regclass AND NOT EXISTS (SELECT FROM pg_index WHERE indrelid = i.inhrelid)"; }
	# pg_partman premakes partitions ahead of the newest row in the partition set
	q pm "INSERT INTO events VALUES (1, now(), 'now')" \
		"UPDATE partman.part_config SET premake = 4 WHERE parent_table = 'public.events'"
	n0=$(parts)
	q pm "SELECT partman.run_maintenance('public.events')" >"$W/pm_small.out" 2>&1
	equal "run_maintenance() with a small DEFAULT partition: creates 2 partitions, each with its index, silently" \
		"$(($(parts) - n0))|$(no_index)|$(cat "$W/pm_small.out")" "2|0|"
	# old rows that nobody moved out land in the DEFAULT partition, which grows above the threshold
	q pm "INSERT INTO events SELECT g, now() - interval '60 days' + g * interval '1 second', repeat('x', 80) FROM generate_series(1, 150000) g" \
		"UPDATE partman.part_config SET premake = 6 WHERE parent_table = 'public.events'"
	n1=$(parts)
	t0=$(ms)
	q pm "SELECT partman.run_maintenance('public.events')" >"$W/pm_big.out" 2>&1
	echo "# run_maintenance() refused in $(($(ms) - t0)) ms"
	contains "run_maintenance() with a large DEFAULT: the ATTACH that would scan it is refused" "$W/pm_big.out" \
		'ERROR:  ATTACH PARTITION would scan the large DEFAULT partition "public.events_default"'
	equal "... and nothing was created (run_maintenance is one transaction)" "$(parts)" "$n1"
	# the hint's recipe: a CHECK validated without blocking, that excludes the new ranges
	past=$(date -u -d '-10 days' +%F)
	q pm "ALTER TABLE events_default ADD CONSTRAINT events_default_old CHECK (created < '$past') NOT VALID" \
		"ALTER TABLE events_default VALIDATE CONSTRAINT events_default_old"
	q pm "SELECT partman.run_maintenance('public.events')" >"$W/pm_fixed.out" 2>&1
	check "... after a validated CHECK on the DEFAULT proves the new ranges empty: run_maintenance() passes" $?
	equal "... and creates the 2 partitions, with their indexes, without reading the DEFAULT" "$(($(parts) - n1))|$(no_index)" "2|0"
fi

if want maintenance; then
	echo "# == vacuumdb, reindexdb, clusterdb"
	restore_live mt
	run() { # expected-exit title command...
		local want=$1 title=$2
		shift 2
		"$@" -h "$A" -p "$PA" -U postgres -d mt >"$W/mt.out" 2>&1
		equal "$title: exit $want" "$?" "$want"
	}
	run 0 "vacuumdb -t big" vacuumdb -t big
	run 0 "vacuumdb --analyze-only" vacuumdb --analyze-only
	run 0 "vacuumdb (every table)" vacuumdb
	run 1 "vacuumdb --full -t big (refused)" vacuumdb --full -t big
	contains "... by vacuum_full_cluster" "$W/mt.out" 'VACUUM FULL would rewrite large table "public.big"|Rule vacuum_full_cluster'
	run 1 "vacuumdb --full (every table: refused at big)" vacuumdb --full
	run 0 "reindexdb --concurrently -t big" reindexdb --concurrently -t big
	run 0 "reindexdb --concurrently (the whole database)" reindexdb --concurrently
	run 1 "reindexdb -t big (refused)" reindexdb -t big
	contains "... by reindex_blocking" "$W/mt.out" 'Rule reindex_blocking'
	q mt "ALTER TABLE big CLUSTER ON big_pkey"
	run 1 "clusterdb -t big (refused)" clusterdb -t big
	contains "... by vacuum_full_cluster" "$W/mt.out" 'Rule vacuum_full_cluster'
	run 1 "clusterdb (the whole database: CLUSTER without a table)" clusterdb
	contains "... refused: CLUSTER without a table rewrites the large table clustered before" "$W/mt.out" 'ERROR:  CLUSTER without a table would rewrite large table "public.big", the table clustered before, under an ACCESS EXCLUSIVE lock'
fi

if want extension; then
	echo "# == CREATE EXTENSION whose script builds an index on an existing table"
	restore_live ex
	from=$(last_event)
	q ex "CREATE EXTENSION mg_tools_ext" >"$W/ext.out" 2>&1
	equal "CREATE EXTENSION mg_tools_ext (its script: a plain CREATE INDEX on the existing large big): refused" "$?" 1
	contains "... with the guard's message about public.big" "$W/ext.out" \
		'ERROR:  creating an index without CONCURRENTLY would block writes on large table "public.big"'
	equal "... nothing was built or installed" \
		"$(q ex "SELECT count(*) FROM pg_class WHERE relname LIKE 'mg_tools_ext%'")|$(q ex "SELECT count(*) FROM pg_extension WHERE extname = 'mg_tools_ext'")" "0|0"
	equal "... and its own new table and index drew nothing: one refusal" "$(events ex refused "$from")|$(events ex warned "$from")" \
		"create_index_blocking@public.big|"
	from=$(last_event)
	q ex "BEGIN" "SET LOCAL migration_guard.allow = 'create_index_blocking: installed in the maintenance window, CHG-4'" \
		"CREATE EXTENSION mg_tools_ext" "COMMIT" >"$W/ext_allow.out" 2>&1
	check "... with SET LOCAL migration_guard.allow in its transaction: installed" $?
	equal "... the override recorded, nothing else" "$(events ex overridden "$from")|$(events ex refused "$from")|$(events ex warned "$from")" \
		"create_index_blocking@public.big||"
	# real extensions from Debian, whose scripts create only their own tables and indexes
	for ext in pg_partman pg_repack; do
		available $ext || { echo "# SKIP CREATE EXTENSION $ext: not installed for this server"; continue; }
		from=$(last_event)
		q ex "CREATE SCHEMA IF NOT EXISTS ext_$ext" "CREATE EXTENSION $ext SCHEMA ext_$ext" >"$W/ext_$ext.out" 2>&1
		check "CREATE EXTENSION $ext: installed" $?
		equal "... silently: no refusal, no warning about its own new tables" \
			"$(q postgres "SELECT count(*) FROM migration_guard.events WHERE datname = 'ex' AND event_id > $from")" 0
	done
fi

if want pgbouncer; then
	echo "# == PgBouncer, transaction pooling"
	restore_live pb
	q postgres "DO \$\$BEGIN CREATE ROLE alice LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END\$\$" \
		"CREATE ROLE bob LOGIN"
	q pb "GRANT ALL ON ALL TABLES IN SCHEMA public TO alice, bob" "ALTER TABLE big OWNER TO alice"
	# the one departure from the default policy here: an injected lock_timeout of 1s instead of
	# 5s, so that the test waits 1s (reset at the end of the section)
	q postgres "ALTER SYSTEM SET migration_guard.lock_timeout = '1s'" "SELECT pg_reload_conf()"
	PGB=$(free_port 59700)
	mkdir -p "$W/pgb"
	printf '"postgres" ""\n"alice" ""\n"bob" ""\n' >"$W/pgb/users.txt"
	pgb_conf() { # extra [pgbouncer] lines
		cat >"$W/pgb/pgbouncer.ini" <<EOF
[databases]
pb = host=$A port=$PA dbname=pb
pb_ct = host=$A port=$PA dbname=pb connect_query='SET lock_timeout = ''4s'''
[pgbouncer]
listen_addr =
listen_port = $PGB
unix_socket_dir = $W/pgb
auth_type = trust
auth_file = $W/pgb/users.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 50
logfile = $W/pgb/pgbouncer.log
pidfile = $W/pgb/pgbouncer.pid
admin_users = postgres
$1
EOF
	}
	pgb_start() {
		[ -f "$W/pgb/pgbouncer.pid" ] && { kill "$(cat "$W/pgb/pgbouncer.pid")"; sleep 1; }
		pgb_conf "$1"
		pgbouncer -d "$W/pgb/pgbouncer.ini"
		for _ in $(seq 1 50); do [ -S "$W/pgb/.s.PGSQL.$PGB" ] && return 0; sleep 0.1; done
		echo "# pgbouncer did not start"; cat "$W/pgb/pgbouncer.log"
	}
	# p USER APPNAME SQL...: one client through PgBouncer
	p() {
		local user=$1 app=$2
		shift 2
		local a=()
		for s in "$@"; do a+=(-c "$s"); done
		PGAPPNAME=$app psql -X -q -At -h "$W/pgb" -p "$PGB" -U "$user" -d "${DB:-pb}" "${a[@]}"
	}
	pgb_start "ignore_startup_parameters = extra_float_digits"

	# the connection's options: refused by PgBouncer unless ignored, and then lost
	PGOPTIONS='-c lock_timeout=5s' p alice app "SHOW lock_timeout" >"$W/pgb_opt.out" 2>&1
	contains "PGOPTIONS=-c lock_timeout=5s through PgBouncer: refused" "$W/pgb_opt.out" 'unsupported startup parameter: options'
	pgb_start "ignore_startup_parameters = extra_float_digits, options"
	equal "... with ignore_startup_parameters = options: accepted, and lock_timeout is lost" \
		"$(PGOPTIONS='-c lock_timeout=5s' p alice app "SHOW lock_timeout")" "0"
	pgb_start "ignore_startup_parameters = extra_float_digits"
	equal "what works: connect_query in PgBouncer's [databases] entry" "$(DB=pb_ct p alice app "SHOW lock_timeout")" "4s"
	q postgres "ALTER ROLE bob SET lock_timeout = '3s'"
	equal "what works: ALTER ROLE ... SET lock_timeout (the pooler's server connections log in as the role)" \
		"$(p bob app "SHOW lock_timeout")" "3s"
	q postgres "ALTER ROLE bob RESET lock_timeout"
	equal "what works: SET LOCAL lock_timeout in the migration's transaction" \
		"$(p alice app "BEGIN" "SET LOCAL lock_timeout = '2s'" "SHOW lock_timeout" "COMMIT")" "2s"

	# the injected lock_timeout, per statement: a blocker holds a lock on big (for less than
	# blocker_age, so the preflight lets the ALTER queue), alice's ALTER gives up after the
	# injected 1s, and the next client on the same server connection sees lock_timeout 0.
	( psql -X -q -h "$A" -p "$PA" -U postgres -d pb -c "BEGIN" -c "LOCK TABLE big IN ACCESS SHARE MODE" -c "SELECT pg_sleep(3)" -c "COMMIT" >/dev/null 2>&1 ) &
	blocker=$!
	sleep 0.5
	t0=$(ms)
	p alice client1 "SELECT pg_backend_pid()" "ALTER TABLE big ADD COLUMN pgb_x int" >"$W/pgb_lt.out" 2>&1
	waited=$(($(ms) - t0))
	contains "injected lock_timeout behind PgBouncer: the ALTER gives up" "$W/pgb_lt.out" 'canceling statement due to lock timeout'
	check "... after about 1s (${waited} ms), not after the blocker's 3s" "$([ "$waited" -ge 800 ] && [ "$waited" -lt 2800 ] && echo 0 || echo 1)"
	equal "... and the next client, on the same server connection, has lock_timeout 0 (restored)" \
		"$(p alice client2 "SELECT pg_backend_pid()" "SHOW lock_timeout")" "$(head -1 "$W/pgb_lt.out")
0"
	wait "$blocker"

	from=$(last_event)
	# SET LOCAL migration_guard.allow, by a role that may override (a superuser here)
	p postgres mig_local "BEGIN" "SET LOCAL migration_guard.allow = 'create_index_blocking: PgBouncer test, CHG-1'" \
		"CREATE INDEX big_pgb_local_idx ON big (payload)" "COMMIT" >"$W/pgb_allow.out" 2>&1
	check "SET LOCAL migration_guard.allow through PgBouncer: the index is built" \
		"$([ "$(q pb "SELECT count(*) FROM pg_class WHERE relname = 'big_pgb_local_idx'")" = 1 ] && echo 0 || echo 1)"
	p postgres other_client "CREATE INDEX big_pgb_after_idx ON big (code)" >"$W/pgb_after.out" 2>&1
	contains "... and does not leak to the next client of that server connection" "$W/pgb_after.out" 'ERROR:  creating an index without CONCURRENTLY'
	p postgres mig_directive "/* migration_guard:allow create_index_blocking: directive through PgBouncer, CHG-2 */ CREATE INDEX big_pgb_dir_idx ON big (code)" >"$W/pgb_dir.out" 2>&1
	check "the comment directive through PgBouncer: the index is built" \
		"$([ "$(q pb "SELECT count(*) FROM pg_class WHERE relname = 'big_pgb_dir_idx'")" = 1 ] && echo 0 || echo 1)"
	p alice app_alice "CREATE INDEX big_alice_idx ON big (parent_id)" >/dev/null 2>&1
	p bob app_bob "DELETE FROM big" >/dev/null 2>&1
	equal "events through PgBouncer record each client's user and application" \
		"$(q postgres "SELECT string_agg(action || ':' || rule || ':' || usename || ':' || application_name || ':' || coalesce(left(reason, 15), ''), ' ' ORDER BY event_id) FROM migration_guard.events WHERE datname = 'pb' AND event_id > $from AND action <> 'warned'")" \
		"overridden:create_index_blocking:postgres:mig_local:PgBouncer test, refused:create_index_blocking:postgres:other_client: overridden:create_index_blocking:postgres:mig_directive:directive throu refused:create_index_blocking:alice:app_alice: refused:dml_without_where:bob:app_bob:"
	# A session-level SET is server-connection state: in transaction pooling it stays on the
	# server connection and the next client gets it. Use SET LOCAL or the directive.
	p postgres leaker "SET migration_guard.allow = 'create_index_blocking: session-level SET, CHG-3'" >/dev/null 2>&1
	p postgres victim "CREATE INDEX big_pgb_leak_idx ON big (code)" >"$W/pgb_leak.out" 2>&1
	equal "a session-level SET migration_guard.allow stays on the server connection: the next client's CREATE INDEX passes" \
		"$(q postgres "SELECT action || ':' || application_name || ':' || reason FROM migration_guard.events WHERE datname = 'pb' AND action = 'overridden' ORDER BY event_id DESC LIMIT 1")" \
		"overridden:victim:session-level SET, CHG-3"
	p postgres cleanup "RESET migration_guard.allow" >/dev/null 2>&1
	q postgres "ALTER SYSTEM RESET migration_guard.lock_timeout" "SELECT pg_reload_conf()"
	kill "$(cat "$W/pgb/pgbouncer.pid")"
	rm -f "$W/pgb/pgbouncer.pid"
fi

if want upgrade; then
	# MG_UPGRADE_BINDIR: the bin directory of another major version, with migration_guard built
	# and installed for it; without it, pg_upgrade goes to a second cluster of the same version.
	NEWBIN=${MG_UPGRADE_BINDIR:-$PG_BIN}
	echo "# == pg_upgrade with the guard in shared_preload_libraries on both sides"
	from_v=$("$PG_BIN/postgres" --version | awk '{print $3}')
	to_v=$("$NEWBIN/postgres" --version | awk '{print $3}')
	OLD=$W/up_old
	PO=$(free_port 59800)
	start_cluster "$OLD" "$PO" </dev/null
	psql -X -q -h "$OLD" -p "$PO" -U postgres -d postgres -c "CREATE DATABASE src" >/dev/null
	pg_restore -h "$OLD" -p "$PO" -U postgres -d src "$W/src.dump" >/dev/null 2>&1
	OLD_DESC=$(psql -X -q -At -h "$OLD" -p "$PO" -U postgres -d src -c "SELECT count(*) FROM big" -c "SELECT count(*) FROM pg_index WHERE indrelid = 'big'::regclass")
	stop_cluster "$OLD"
	# Copies of the old cluster: pg_upgrade may leave the one it read unusable.
	cp -a "$OLD/data" "$W/up_old_control"
	cp -a "$OLD/data" "$W/up_old_guarded"

	# One pg_upgrade run into a fresh cluster of NEWBIN; preload says whether the new cluster
	# (and, through its postgresql.conf, the old one) loads the guard. Leaves rc and the log.
	upgrade_into() { # olddata newdir preload(yes|no)
		local old=$1 new=$2 preload=$3 sums= port
		port=$(free_port 59900)
		# pg_upgrade wants the same data checksum setting on both sides, and initdb turns
		# checksums on by default from PostgreSQL 18: follow the old cluster.
		if "$PG_BIN/pg_controldata" "$old" | grep -qE '^Data page checksum version: +0$'; then
			"$NEWBIN/initdb" --help | grep -q -- --no-data-checksums && sums=--no-data-checksums
		else
			sums=--data-checksums
		fi
		"$NEWBIN/initdb" -D "$new/data" -A trust -U postgres --no-instructions $sums >/dev/null
		printf "port = $port\nlisten_addresses = ''\nunix_socket_directories = '$new'\n" >>"$new/data/postgresql.conf"
		if [ "$preload" = no ]; then
			sed -i "s/^shared_preload_libraries.*/shared_preload_libraries = ''/" "$old/postgresql.conf"
		else
			echo "shared_preload_libraries = 'migration_guard'" >>"$new/data/postgresql.conf"
		fi
		mkdir -p "$new/run" && cd "$new/run" || exit 1
		"$NEWBIN/pg_upgrade" -b "$PG_BIN" -B "$NEWBIN" -d "$old" -D "$new/data" -p "$PO" -P "$port" -s "$new/run" \
			>"$new/upgrade.out" 2>&1
		rc=$?
		NEWPORT=$port
		cd "$W" || exit 1
	}
	# The first error PostgreSQL's own tools logged during a failed upgrade.
	upgrade_error() { # newdir
		grep -h -m1 -E 'ERROR:|error:|FATAL:' "$1"/data/pg_upgrade_output.d/*/log/*.log "$1/upgrade.out" 2>/dev/null | head -1
	}

	# Across majors, first without the guard: when PostgreSQL's own pg_upgrade cannot go from
	# this minor release to that one, the guard is not what failed, and the test says so.
	control_error=
	if [ "$NEWBIN" != "$PG_BIN" ]; then
		upgrade_into "$W/up_old_control" "$W/up_control" no
		echo "# without the guard: pg_upgrade $from_v -> $to_v exits $rc"
		[ $rc -eq 0 ] || control_error=$(upgrade_error "$W/up_control")
	fi
	t0=$(ms)
	upgrade_into "$W/up_old_guarded" "$W/up_new" yes
	echo "# pg_upgrade $from_v -> $to_v$([ "$NEWBIN" = "$PG_BIN" ] && echo ' (a second cluster of the same version: set MG_UPGRADE_BINDIR for another major)'): exit $rc in $(($(ms) - t0)) ms"
	if [ -n "$control_error" ]; then
		check "pg_upgrade $from_v -> $to_v with the guard preloaded in both clusters: exits 0" $rc \
			"PostgreSQL's own pg_upgrade $from_v -> $to_v fails without the guard too: $control_error"
	else
		check "pg_upgrade $from_v -> $to_v with the guard preloaded in both clusters: exits 0" $rc
		[ $rc -eq 0 ] || tail -30 "$W/up_new/upgrade.out" | sed 's/^/# /'
		NEW=$W/up_new PN=$NEWPORT
		"$NEWBIN/pg_ctl" -D "$NEW/data" -w -l "$NEW/server.log" start >/dev/null
		equal "... the upgraded cluster has every row and index of the large table" \
			"$(psql -X -q -At -h "$NEW" -p "$PN" -U postgres -d src -c "SELECT count(*) FROM big" -c "SELECT count(*) FROM pg_index WHERE indrelid = 'big'::regclass")" "$OLD_DESC"
		equal "... the extension comes across at its version" \
			"$(psql -X -q -At -h "$NEW" -p "$PN" -U postgres -d src -c "SELECT extversion FROM pg_extension WHERE extname = 'migration_guard'")" \
			"$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$ROOT/migration_guard.control")"
		equal "... and the guard is active there" \
			"$(psql -X -q -h "$NEW" -p "$PN" -U postgres -d src -c "CREATE INDEX ON big (payload)" 2>&1 | grep -c 'ERROR:  creating an index without CONCURRENTLY')" 1
		"$NEWBIN/pg_ctl" -D "$NEW/data" -w -m fast stop >/dev/null
	fi
fi

echo "# passed $passed failed $failed todo $todo"
