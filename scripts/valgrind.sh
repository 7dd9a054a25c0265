#!/usr/bin/env bash
# Runs the regress suite (test/regress/sql/*.sql), or the fuzz oracles, with every server process
# under valgrind memcheck and reports the errors, separating those with a frame in
# migration_guard's code.
#
#   bash scripts/valgrind.sh                 every regress test
#   bash scripts/valgrind.sh check relsize   some of them
#   bash scripts/valgrind.sh --session 1000  the session oracle (test/fuzz/session_oracle.py): 1000
#                                            generated migrations judged by check() in one long
#                                            session, each compared with a repeat in that session
#                                            and every MG_VG_FRESH_EVERY-th (default 10) with a
#                                            fresh connection (a new backend under memcheck takes
#                                            a second or two)
#   bash scripts/valgrind.sh --multi         the multi-item statements of issue 14
#                                            (test/fuzz/multi_item.py, N = 1,8,9,100), known
#                                            failures reported as TODO
#
#   MG_VG_ROOT=/tmp/mg_valgrind_root (default) a private PostgreSQL installation made for this run
#                                  (scripts/private_pg.sh); its postgres binary is replaced by a
#                                  wrapper that starts the real one under valgrind, so never
#                                  point it at an installation anything else uses
#   MG_KEEP=1                      keep the scratch directory (valgrind logs, regress output)
#
# Memcheck sees malloc/new memory exactly (all of L3's C++ objects and strings). Memory that
# PostgreSQL hands out with palloc comes from big malloc'd blocks that a non-valgrind build
# does not describe to memcheck, so an overrun *inside* a memory context is not seen; reads
# of uninitialised memory, invalid frees, overruns of malloc/new blocks and definite leaks are.
# Debian's postgres binary is stripped: frames inside it show as "???" in postgres, ours
# (built with -g) show function, file and line.
#
# The last lines read "valgrind: N errors in M processes, K in migration_guard" and the regress
# verdicts (or the oracle's); the exit status is 0 when no error has a frame in migration_guard and
# every test (or the oracle) passed.
set -uo pipefail
cd "$(dirname "$0")/.."
MODE=regress
case "${1:-}" in
--session) MODE=session; N_TEXTS=${2:-1000}; shift; [ $# -gt 0 ] && shift ;;
--multi) MODE=multi; shift ;;
esac
# Under memcheck a backend takes seconds to exit (the leak check): wait for the server that long.
export PGCTLTIMEOUT=900
VG_ROOT=${MG_VG_ROOT:-/tmp/mg_valgrind_root}
export MG_PG_ROOT=$VG_ROOT
# lib.sh prefers PG_CONFIG to MG_PG_ROOT: never let it point the wrapper at another installation.
unset PG_CONFIG
. scripts/lib.sh

command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 2; }

if [ ! -x "$PG_BIN/pg_config" ]; then
	log "making the private PostgreSQL installation $VG_ROOT"
	bash scripts/private_pg.sh "$VG_ROOT" >/dev/null || exit 2
fi
log "building migration_guard into $VG_ROOT"
make -s -j2 PG_CONFIG="$PG_BIN/pg_config" >/dev/null || exit 2
as_root make -s install PG_CONFIG="$PG_BIN/pg_config" >/dev/null || exit 2
# failure_contract loads the tests' fault-injection module (test/faults/mg_faults, never
# packaged): installed into this private installation as scripts/test.sh installs it, so that
# the failure contract's paths run under memcheck too
make -s -C test/faults PG_CONFIG="$PG_BIN/pg_config" >/dev/null &&
	as_root make -s -C test/faults install PG_CONFIG="$PG_BIN/pg_config" >/dev/null || exit 2
make -s -C test/faults clean PG_CONFIG="$PG_BIN/pg_config" >/dev/null 2>&1

WORK=$(make_workdir)
cp -r sql test "$WORK/"
mkdir -p "$WORK/vg"
cp scripts/valgrind.supp "$WORK/vg.supp"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$WORK"

# Put the native binary back, so that the installation stays usable (an interrupted run too).
restore_postgres() {
	if [ -f "$PG_BIN/postgres.real" ]; then mv -f "$PG_BIN/postgres.real" "$PG_BIN/postgres"; fi
}
cleanup() {
	[ "$MODE" = regress ] || (cd "$WORK" && stop_cluster "$WORK/c")
	restore_postgres
	if [ -n "${MG_KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# The oracle modes load the fuzz schema natively (under memcheck that would take minutes and
# judge nothing), then start the same cluster again under valgrind.
if [ "$MODE" != regress ]; then
	port=$(free_port 59532)
	mkdir -p "$WORK/c" && [ "$(id -u)" -eq 0 ] && chown postgres "$WORK/c"
	(cd "$WORK" && printf 'log_min_messages = warning\nmax_connections = 20\n' | start_cluster "$WORK/c" "$port")
	psql_su() { as_test_user "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORK/c" -p "$port" -U postgres "$@"; }
	log "loading the fuzz schema (natively)"
	{
		echo "CREATE DATABASE mg_oracle ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;"
		echo "ALTER DATABASE mg_oracle SET migration_guard.large_table_threshold = '64kB';"
	} | psql_su -d postgres >"$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log"; exit 2; }
	{
		echo "SET migration_guard.mode = 'off';"
		echo "\\i $WORK/test/fuzz/schema.sql"
		[ "$MODE" = multi ] && echo "\\i $WORK/test/fuzz/many.sql"
		echo "CREATE EXTENSION migration_guard;"
	} | psql_su -d mg_oracle >>"$WORK/setup.log" 2>&1 || { cat "$WORK/setup.log"; exit 2; }
	(cd "$WORK" && stop_cluster "$WORK/c")
fi

# The wrapper: initdb's bootstrap and single-user runs and version queries stay native (they
# run no migration_guard code that the tests need and would only take minutes), the
# postmaster and every process it forks run under memcheck.
if ! grep -q 'postgres.real' "$PG_BIN/postgres" 2>/dev/null; then
	mv "$PG_BIN/postgres" "$PG_BIN/postgres.real"
fi
cat >"$PG_BIN/postgres" <<EOF
#!/bin/sh
real="\$(dirname "\$0")/postgres.real"
case "\${1:-}" in
--boot|--single|-V|--version|-C|--describe-config) exec "\$real" "\$@" ;;
esac
exec valgrind --quiet --tool=memcheck --trace-children=no --num-callers=40 \\
	--track-origins=yes --read-var-info=no --leak-check=full --show-leak-kinds=definite \\
	--errors-for-leak-kinds=definite --suppressions="$WORK/vg.supp" \\
	--log-file="$WORK/vg/%p.log" "\$real" "\$@"
EOF
chmod 755 "$PG_BIN/postgres"

start=$(date +%s)
if [ "$MODE" = regress ]; then
	TESTS=${*:-$(cd test/regress/sql && ls *.sql | sed 's/\.sql$//' | grep -v -e '^hook_chaining$' | sort)}
	log "regress tests under valgrind: $(echo $TESTS)"
	(cd "$WORK" && as_test_user env PGCTLTIMEOUT=900 "$PGXS_DIR/src/test/regress/pg_regress" \
		--temp-instance="$WORK/tmp_regress" --temp-config="$WORK/test/conf/guard.conf" \
		--inputdir="$WORK/test/regress" --outputdir="$WORK/out_regress" --bindir="$PG_BIN" \
		$TESTS) >"$WORK/regress.log" 2>&1
	grep -E '\.\.\. |tests' "$WORK/regress.log"
	[ -s "$WORK/out_regress/regression.diffs" ] && head -c 20000 "$WORK/out_regress/regression.diffs"
else
	as_test_user "$PG_BIN/pg_ctl" -D "$WORK/c/data" -l "$WORK/c/server.log" -w start \
		>/dev/null || { tail -20 "$WORK/c/server.log"; exit 2; }
	dsn="host=$WORK/c port=$port user=postgres dbname=mg_oracle"
	if [ "$MODE" = session ]; then
		log "session oracle under valgrind: $N_TEXTS texts, seed ${MG_FUZZ_SEED:-1}"
		(cd "$WORK" && as_test_user /usr/bin/python3 test/fuzz/session_oracle.py --dsn "$dsn" \
			--texts "$N_TEXTS" --seed "${MG_FUZZ_SEED:-1}" --fresh-every "${MG_VG_FRESH_EVERY:-10}" \
			--sample "$(( N_TEXTS >= 500 ? 250 : (N_TEXTS + 1) / 2 ))" --fail-dir "$WORK/oracle_failures") \
			>"$WORK/oracle.log" 2>&1
		oracle=$?
		grep -vE '^ +[0-9]+ texts' "$WORK/oracle.log" | tail -8
	else
		log "multi-item statements under valgrind"
		(cd "$WORK" && as_test_user /usr/bin/python3 test/fuzz/multi_item.py --dsn "$dsn" --counts 1,8,9,100) \
			>"$WORK/oracle.log" 2>&1
		oracle=$?
		grep -E '^not ok|^multi_item:' "$WORK/oracle.log"
	fi
	# memcheck writes a process's leak report when it exits: stop the server before counting
	(cd "$WORK" && stop_cluster "$WORK/c")
	grep -E 'terminated by signal|exited with exit code [^01]' "$WORK/c/server.log" | head -5
fi
end=$(date +%s)
restore_postgres

/usr/bin/python3 - "$WORK/vg" "$((end - start))" <<'PY'
import os, re, sys
logdir = sys.argv[1]
procs = errors = ours = 0
shown = []
for name in sorted(os.listdir(logdir)):
    text = open(os.path.join(logdir, name), errors="replace").read()
    procs += 1
    # memcheck prints each error as a block of "==pid== " lines ended by an empty one.
    blocks = re.split(r"\n==\d+== \n", text)
    for b in blocks:
        lines = [l for l in b.splitlines() if l.startswith("==")]
        if not any(re.search(r"==\d+==    (at|by) ", l) for l in lines):
            continue
        errors += 1
        # ours: a frame in migration_guard.so without line info, or in one of our C++ files
        # (PostgreSQL is C, so a .cpp/.hpp frame can only be migration_guard's), or mg_* code
        if re.search(r"migration_guard\.so|\(\w+\.(cpp|hpp)(:\d+)?\)|: (mg_|mg::)", b):
            ours += 1
            if len(shown) < 20:
                shown.append(f"--- {name}\n" + "\n".join(lines))
for s in shown:
    print(s)
print(f"valgrind: {errors} errors in {procs} processes, {ours} in migration_guard "
      f"({int(sys.argv[2]) // 60} min)")
sys.exit(1 if ours else 0)
PY
vg=$?
if [ "$MODE" = regress ]; then
	ok=$(grep -cE '\.\.\. ok' "$WORK/regress.log")
	bad=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$WORK/regress.log")
	echo "regress under valgrind: $ok passed, $bad failed"
	[ "$vg" -eq 0 ] && [ "$bad" -eq 0 ] && [ "$ok" -gt 0 ]
else
	echo "$MODE oracle under valgrind: $([ "$oracle" -eq 0 ] && echo PASS || echo FAIL)"
	[ "$vg" -eq 0 ] && [ "$oracle" -eq 0 ]
fi
