#!/usr/bin/env bash
# Rewrites test/integration/expected/{alembic,alembic_autogen,django,django_stock,rails,fixback}.out
# (and fixback's blocks of docs/advisor.md) from a run against the installed
# migration_guard (MG_PG_ROOT as for scripts/test.sh), on a throwaway cluster.
#
#   MG_PG_ROOT=/tmp/pgroot-x bash test/integration/regen.sh
#
# Needed whenever a rule changes what the drafts draw (a new rule, a changed message). When a
# rule named in a TODO_<draft> line of alembic/run.sh or django/run.sh has landed, delete that
# line first. Then read the diff of the expected files line by line before committing them.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
. scripts/lib.sh

WORK=$(make_workdir)
mkdir -p "$WORK/test" && cp -r test/integration "$WORK/test/integration" && cp -r docs bin "$WORK/"
mkdir -p "$WORK/c"
[ "$(id -u)" -eq 0 ] && chown -R postgres "$WORK"
trap '(cd "$WORK" && stop_cluster "$WORK/c"); rm -rf "$WORK"' EXIT
port=$(free_port 58532)
(cd "$WORK" && echo "migration_guard.events_size = 20000" | start_cluster "$WORK/c" "$port")
status=0
# fixback also rewrites its blocks of docs/advisor.md
for tool in alembic alembic_autogen django django_stock rails fixback; do
	(cd "$WORK" && as_test_user env PATH="$PG_BIN:$PATH" PGUSER=postgres \
		bash "test/integration/$tool/run.sh" --regen "$port" "$WORK/c") || status=1
	cp "$WORK/test/integration/expected/$tool.out" "$ROOT/test/integration/expected/$tool.out"
done
cp "$WORK/docs/advisor.md" "$ROOT/docs/advisor.md"
git -C "$ROOT" diff --stat -- test/integration/expected docs/advisor.md
exit "$status"
