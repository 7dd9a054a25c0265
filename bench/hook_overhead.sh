#!/usr/bin/env bash
# Instructions the guard's hooks add to ordinary statements, measured with callgrind on a
# single-user backend (deterministic, unlike timings on a shared machine).
#
#   bash bench/hook_overhead.sh          # needs valgrind, PostgreSQL 15, the guard installed
#
# Workload: a 100k-row table, then 2,000 primary-key SELECTs, 500 single-row UPDATEs and
# 500 INSERTs, one statement per line. The figure is the inclusive cost of the guard's hook
# minus the inclusive cost of the standard function it chains to: what the guard adds.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
command -v valgrind >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null

W=$(make_workdir)
trap 'rm -rf "$W"' EXIT
as_test_user "$PG_BIN/initdb" -D "$W/data" -A trust >/dev/null
/usr/bin/python3 - "$W/work.sql" <<'PY'
import random, sys
random.seed(1)
lines = ["CREATE TABLE acc (id int PRIMARY KEY, v int, pad text);",
         "INSERT INTO acc SELECT g, g, 'x' FROM generate_series(1, 100000) g;",
         "ANALYZE acc;"]
lines += [f"SELECT v FROM acc WHERE id = {random.randint(1, 100000)};" for _ in range(2000)]
lines += [f"UPDATE acc SET v = v + 1 WHERE id = {random.randint(1, 100000)};" for _ in range(500)]
lines += [f"INSERT INTO acc VALUES ({100001 + i}, 0, 'y');" for i in range(500)]
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
[ "$(id -u)" -eq 0 ] && chown -R postgres "$W"

as_test_user valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" \
	"$PG_BIN/postgres" --single -D "$W/data" -c autovacuum=off \
	-c shared_preload_libraries=migration_guard postgres <"$W/work.sql" >"$W/run.log" 2>&1

inclusive() { callgrind_annotate --inclusive=yes "$W/cg.out" | grep -E "$1" | head -1 | awk '{gsub(",","",$1); print $1}'; }
guard_es=$(inclusive 'mg_ExecutorStart')
std_es=$(inclusive '\?\?\?:standard_ExecutorStart')
statements=3003
echo "| measure | instructions |"
echo "|---|---|"
echo "| mg_ExecutorStart, inclusive | $guard_es |"
echo "| standard_ExecutorStart, inclusive | $std_es |"
echo "| added by the guard, all $statements executor starts | $((guard_es - std_es)) |"
echo "| added per statement | $(( (guard_es - std_es) / statements )) |"
