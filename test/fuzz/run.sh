#!/usr/bin/env bash
# Fuzzes migration_guard against a throwaway cluster: sqlsmith's random queries through the hooks,
# mutated migration texts through check() and the hooks (check_fuzz.py), generated migrations
# through check() in one long session compared with fresh connections (session_oracle.py, issue
# 13), multi-item statements through check() and the hooks (multi_item.py, issue 14), and
# fix()'s properties over generated migrations (fix_oracle.py, issue 17).
# Crash-freedom is judged from the postmaster log: no server process may end by a signal.
#
#   bash test/fuzz/run.sh        the short run (CI): 2000 check() inputs, 1000 sqlsmith queries,
#                                500 session-oracle texts, every multi-item kind at N = 0..1000,
#                                300 fix-oracle texts (MG_FUZZ_FIX), 150 texts run both ways for
#                                fix()'s property 2 (MG_FUZZ_FIX_APPLY; 0 leaves it out)
#   MG_FUZZ_CHECK=100000 MG_FUZZ_SQLSMITH=20000 MG_FUZZ_SESSION=20000 bash test/fuzz/run.sh    the long run
#
#   MG_PG_ROOT     the PostgreSQL installation to use, with migration_guard installed (as for scripts/test.sh)
#   MG_FUZZ_SEED   seed of the fuzzers (default 1); the same seed gives the same inputs and texts
#   MG_FUZZ_MULTI_COUNTS  the numbers of harmless items multi_item.py tries (default 0,1,4,5,8,9,32,33,100,1000)
#   MG_FUZZ_MULTI_STRICT=0  the multi-item failures listed in multi_item_known.txt print as
#                  "not ok ... # TODO", which scripts/test.sh does not count (default 1, strict:
#                  every lost verdict fails the run; the list is empty since issue 14)
#   MG_KEEP=1      keep the scratch directory (server log, sqlsmith output, saved crash inputs,
#                  the session oracle's failures with their replay scripts)
#
# The last line reads "fuzz: PASS" or "fuzz: FAIL (...)"; the exit status follows it. Lines
# starting with "ok"/"not ok" are for scripts/test.sh. Results of the long run are recorded in
# test/fuzz/RESULTS.md.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
. scripts/lib.sh

N_CHECK=${MG_FUZZ_CHECK:-2000}
N_SMITH=${MG_FUZZ_SQLSMITH:-1000}
N_FIX=${MG_FUZZ_FIX:-300}
N_FIX_APPLY=${MG_FUZZ_FIX_APPLY:-150}
N_SESSION=${MG_FUZZ_SESSION:-500}
MULTI_COUNTS=${MG_FUZZ_MULTI_COUNTS:-0,1,4,5,8,9,32,33,100,1000}
MULTI_STRICT=${MG_FUZZ_MULTI_STRICT:-1}
SEED=${MG_FUZZ_SEED:-1}

WORK=$(make_workdir)
mkdir -p "$WORK/c" && [ "$(id -u)" -eq 0 ] && chown postgres "$WORK/c"
mkdir -p "$WORK/test/regress" && cp -r test/fuzz "$WORK/test/fuzz" && cp -r test/regress/sql "$WORK/test/regress/sql"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$WORK"
port=$(free_port 59432)
cleanup() {
	(cd "$WORK" && stop_cluster "$WORK/c")
	if [ -n "${MG_KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Everything is logged at the default levels; restart_after_crash stays on so that a crash
# shows up in the log (and as a lost connection) and the run goes on.
(cd "$WORK" && start_cluster "$WORK/c" "$port" <<EOF
log_min_messages = warning
log_min_error_statement = panic
max_connections = 20
# fix_apply.py creates and drops two databases per text; DROP DATABASE waits for a checkpoint
fsync = off
EOF
)
psql_su() { as_test_user "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORK/c" -p "$port" -U postgres "$@"; }

log "setting up the fuzz databases"
psql_su -d postgres >"$WORK/setup.log" 2>&1 <<'EOF' || { cat "$WORK/setup.log"; echo "fuzz: FAIL (set-up)"; exit 1; }
CREATE DATABASE mg_fuzz ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE mg_fuzz_ascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE ROLE mg_fuzz_exec LOGIN;
CREATE ROLE mg_fuzz_smith LOGIN;
-- Low enough that every table of schema.sql is large, so the rules fire and build messages.
ALTER DATABASE mg_fuzz SET migration_guard.large_table_threshold = '8kB';
ALTER DATABASE mg_fuzz_ascii SET migration_guard.large_table_threshold = '8kB';
ALTER DATABASE mg_fuzz SET migration_guard.mode = 'enforce';
ALTER DATABASE mg_fuzz_ascii SET migration_guard.mode = 'enforce';
-- Every data change is judged, and most count as large.
ALTER DATABASE mg_fuzz SET migration_guard.dml_scope = 'all';
ALTER DATABASE mg_fuzz SET migration_guard.max_dml_rows = 100;
REVOKE TEMPORARY ON DATABASE mg_fuzz FROM PUBLIC;
-- The oracles' database: a threshold under which big and most fixture tables are large and
-- small, products and many.m* are not; nothing but the oracles connects to it.
CREATE DATABASE mg_oracle ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
ALTER DATABASE mg_oracle SET migration_guard.large_table_threshold = '64kB';
EOF
for db in mg_fuzz mg_fuzz_ascii; do
	# The schema's own statements must be allowed: load it with the guard off for this session.
	psql_su -d "$db" >>"$WORK/setup.log" 2>&1 <<EOF || { cat "$WORK/setup.log"; echo "fuzz: FAIL (set-up)"; exit 1; }
SET migration_guard.mode = 'off';
\i $WORK/test/fuzz/schema.sql
CREATE EXTENSION migration_guard;
-- sqlsmith's role may read and change the data, the exec role only read it; neither can
-- create anything, so the statements they run cannot damage the fuzz schema.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO mg_fuzz_exec, mg_fuzz_smith;
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO mg_fuzz_smith;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO mg_fuzz_smith;
EOF
done

psql_su -d mg_oracle >>"$WORK/setup.log" 2>&1 <<EOF || { cat "$WORK/setup.log"; echo "fuzz: FAIL (set-up)"; exit 1; }
SET migration_guard.mode = 'off';
\i $WORK/test/fuzz/schema.sql
\i $WORK/test/fuzz/many.sql
CREATE EXTENSION migration_guard;
EOF
# The template that fix_apply.py copies for each text (its threshold is set on each copy).
psql_su -d postgres -c "CREATE DATABASE mg_fixtpl ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" \
	>>"$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log"; echo "fuzz: FAIL (set-up)"; exit 1; }
psql_su -d mg_fixtpl >>"$WORK/setup.log" 2>&1 <<EOF || { cat "$WORK/setup.log"; echo "fuzz: FAIL (set-up)"; exit 1; }
SET migration_guard.mode = 'off';
\i $WORK/test/fuzz/schema.sql
CREATE EXTENSION migration_guard;
EOF

status=0
summary=()
started=$(date +%s)

log "check() fuzzer: $N_CHECK inputs, seed $SEED"
dsn="host=$WORK/c port=$port user=postgres"
(cd "$WORK" && as_test_user /usr/bin/python3 test/fuzz/check_fuzz.py --inputs "$N_CHECK" --seed "$SEED" \
	--dsn "$dsn dbname=mg_fuzz" --ascii-dsn "$dsn dbname=mg_fuzz_ascii" \
	--exec-dsn "host=$WORK/c port=$port user=mg_fuzz_exec dbname=mg_fuzz" \
	--crash-dir "$WORK/crashes") >"$WORK/check_fuzz.log" 2>&1
rc=$?
grep -vE '^ +[0-9]+ inputs' "$WORK/check_fuzz.log" | tail -8
tail -1 "$WORK/check_fuzz.log" | grep -q 'PASS$' && [ "$rc" -eq 0 ] && echo "ok 1 - check() fuzzer" ||
	{ echo "not ok 1 - check() fuzzer"; status=1; summary+=("check() fuzzer"); }

log "sqlsmith: $N_SMITH queries, seed $SEED"
(cd "$WORK" && as_test_user timeout 7200 sqlsmith --verbose --exclude-catalog --seed="$SEED" --max-queries="$N_SMITH" \
	--target="host=$WORK/c port=$port user=mg_fuzz_smith dbname=mg_fuzz") >"$WORK/sqlsmith.log" 2>&1
rc=$?
tr '\r' '\n' <"$WORK/sqlsmith.log" | grep -E '^queries:|^error rate:' | tail -2
# sqlsmith exits 0 after --max-queries; a broken connection (a crash) makes it exit 1 at once.
if [ "$rc" -eq 0 ]; then echo "ok 2 - sqlsmith ran $N_SMITH queries"; else
	echo "not ok 2 - sqlsmith ran $N_SMITH queries (exit status $rc)"; tail -5 "$WORK/sqlsmith.log"; status=1; summary+=("sqlsmith"); fi

log "session oracle: $N_SESSION generated migrations in one session, seed $SEED"
oracle_dsn="host=$WORK/c port=$port user=postgres dbname=mg_oracle"
(cd "$WORK" && as_test_user /usr/bin/python3 test/fuzz/session_oracle.py --texts "$N_SESSION" --seed "$SEED" \
	--dsn "$oracle_dsn" --sample "$(( N_SESSION >= 2000 ? 1000 : (N_SESSION + 1) / 2 ))" \
	--fail-dir "$WORK/oracle_failures") >"$WORK/session_oracle.log" 2>&1
rc=$?
grep -vE '^ +[0-9]+ texts' "$WORK/session_oracle.log" | tail -8
if tail -1 "$WORK/session_oracle.log" | grep -q 'PASS$' && [ "$rc" -eq 0 ]; then
	echo "ok 3 - session oracle: $N_SESSION texts, the long session agrees with fresh connections and repeats"
else
	echo "not ok 3 - session oracle (failures saved under $WORK/oracle_failures with replay.sql; MG_KEEP=1 keeps them)"
	status=1; summary+=("session oracle")
fi

log "multi-item statements (issue 14): N = $MULTI_COUNTS, strict = $MULTI_STRICT"
strict=()
[ "$MULTI_STRICT" = 1 ] && strict=(--strict)
(cd "$WORK" && as_test_user /usr/bin/python3 test/fuzz/multi_item.py --dsn "$oracle_dsn" --counts "$MULTI_COUNTS" \
	--known test/fuzz/multi_item_known.txt --tap-start 4 "${strict[@]}") >"$WORK/multi_item.log" 2>&1
rc=$?
cat "$WORK/multi_item.log"
tail -1 "$WORK/multi_item.log" | grep -qE '^multi_item: .*: PASS$' && [ "$rc" -eq 0 ] || { status=1; summary+=("multi-item"); }
last=$(grep -oE '^(ok|not ok) [0-9]+' "$WORK/multi_item.log" | tail -1 | grep -oE '[0-9]+$')
last=${last:-3}

# One TAP line for a fix() oracle: its log's last line says PASS and it exited 0.
oracle_verdict() { # exit-status log summary-name description
	grep -vE '^ +[0-9]+ texts' "$2" | tail -60
	last=$((last + 1))
	if tail -1 "$2" | grep -q 'PASS$' && [ "$1" -eq 0 ]; then
		echo "ok $last - $4"
	else
		echo "not ok $last - $4"
		status=1
		summary+=("$3")
	fi
}

log "fix() properties (issue 17): $N_FIX generated migrations, seed $SEED"
(cd "$WORK" && as_test_user /usr/bin/python3 test/fuzz/fix_oracle.py --texts "$N_FIX" --seed "$SEED" \
	--dsn "$oracle_dsn") >"$WORK/fix_oracle.log" 2>&1
oracle_verdict $? "$WORK/fix_oracle.log" "fix() properties" \
	"fix(): fix(fix(m)) = fix(m), a clean migration comes back as it is, no error raised"
# check(fix(m)) without errors but on flagged statements: every generated text (issue 17); the
# oracle's verdict above counts it too, this line names it
gap=$(sed -n 's/^# property 1 .* violated by \([0-9]*\) of.*/\1/p' "$WORK/fix_oracle.log")
last=$((last + 1))
if [ "${gap:-1}" -eq 0 ]; then echo "ok $last - fix(): check(fix(m)) has no error but on flagged statements"; else
	echo "not ok $last - fix(): check(fix(m)) has no error but on flagged statements: ${gap:-?} of $N_FIX generated texts draw one"
	status=1; summary+=("fix() property 1"); fi

if [ "$N_FIX_APPLY" -gt 0 ]; then
	log "fix() property 2 (issue 17): $N_FIX_APPLY generated migrations run as fixed and as written, seed $SEED"
	(cd "$WORK" && as_test_user /usr/bin/python3 test/fuzz/fix_apply.py --texts "$N_FIX_APPLY" --seed "$SEED" \
		--host "$WORK/c" --port "$port" --pg-bin "$PG_BIN" --template mg_fixtpl \
		--known test/fuzz/fix_apply_known.txt) >"$WORK/fix_apply.log" 2>&1
	oracle_verdict $? "$WORK/fix_apply.log" "fix() property 2" \
		"fix(): fix(m) run with the guard enforcing and m with the guard off leave the same schema and rows"
fi

# The verdict that matters: no server process ended by a signal (a crash, an abort, an
# assertion), for either fuzzer.
signals=$(grep -cE 'terminated by signal|was terminated by exception|server process .* exited with exit code [^01]' "$WORK/c/server.log")
grep -E 'terminated by signal|exited with exit code [^01]' "$WORK/c/server.log" | head -5
if [ "$signals" -eq 0 ]; then echo "ok $((last + 1)) - no server process terminated by a signal"; else
	echo "not ok $((last + 1)) - $signals server processes terminated by a signal"; status=1; summary+=("signals"); fi
echo "findings the hooks reported in the server log, errors and warnings (all fuzzers): $(grep -oE 'DETAIL:  Rule [a-z_]+' "$WORK/c/server.log" | sed 's/DETAIL:  Rule //' | sort | uniq -c | sort -rn | awk '{printf "%s %s, ", $2, $1}')"
warnings=$(grep -c 'migration_guard could not check this statement' "$WORK/c/server.log")
echo "guard's own failures (WARNING 'could not check this statement'): $warnings"
echo "elapsed: $(( $(date +%s) - started )) s"

if [ "$status" -eq 0 ]; then echo "fuzz: PASS"; else echo "fuzz: FAIL (${summary[*]})"; fi
exit "$status"
