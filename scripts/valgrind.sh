#!/usr/bin/env bash
# Runs the regress suite (test/regress/sql/*.sql) with every server process under valgrind memcheck and
# reports the errors, separating those with a frame in migration_guard's code.
#
#   bash scripts/valgrind.sh                 every regress test
#   bash scripts/valgrind.sh check relsize   some of them
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
# verdicts; the exit status is 0 when no error has a frame in migration_guard and every test passed.
set -uo pipefail
cd "$(dirname "$0")/.."
VG_ROOT=${MG_VG_ROOT:-/tmp/mg_valgrind_root}
export MG_PG_ROOT=$VG_ROOT
. scripts/lib.sh

command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 2; }

if [ ! -x "$PG_BIN/pg_config" ]; then
	log "making the private PostgreSQL installation $VG_ROOT"
	bash scripts/private_pg.sh "$VG_ROOT" >/dev/null || exit 2
fi
log "building migration_guard into $VG_ROOT"
make -s -j2 PG_CONFIG="$PG_BIN/pg_config" >/dev/null || exit 2
as_root make -s install PG_CONFIG="$PG_BIN/pg_config" >/dev/null || exit 2

WORK=$(make_workdir)
cp -r sql test "$WORK/"
mkdir -p "$WORK/vg"
cp scripts/valgrind.supp "$WORK/vg.supp"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$WORK"
trap '[ -n "${MG_KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"' EXIT

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

TESTS=${*:-$(cd test/regress/sql && ls *.sql | sed 's/\.sql$//' | grep -v -e '^hook_chaining$' | sort)}
log "regress tests under valgrind: $(echo $TESTS)"
start=$(date +%s)
(cd "$WORK" && as_test_user env PGCTLTIMEOUT=900 "$PGXS_DIR/src/test/regress/pg_regress" \
	--temp-instance="$WORK/tmp_regress" --temp-config="$WORK/test/conf/guard.conf" \
	--inputdir="$WORK/test/regress" --outputdir="$WORK/out_regress" --bindir="$PG_BIN" \
	$TESTS) >"$WORK/regress.log" 2>&1
end=$(date +%s)
grep -E '\.\.\. |tests' "$WORK/regress.log"
[ -s "$WORK/out_regress/regression.diffs" ] && head -c 20000 "$WORK/out_regress/regression.diffs"

# Put the native binary back, so that the installation stays usable.
mv -f "$PG_BIN/postgres.real" "$PG_BIN/postgres"

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
ok=$(grep -cE '\.\.\. ok' "$WORK/regress.log")
bad=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$WORK/regress.log")
echo "regress under valgrind: $ok passed, $bad failed"
[ "$vg" -eq 0 ] && [ "$bad" -eq 0 ] && [ "$ok" -gt 0 ]
