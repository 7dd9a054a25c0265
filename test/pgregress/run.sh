#!/usr/bin/env bash
# PostgreSQL's own regression suite (installcheck: src/test/regress, the parallel schedule run
# one test at a time) against three throwaway clusters: without the guard (the baseline), with
# the guard preloaded in warn mode, and in enforce mode.
#
#   bash test/pgregress/run.sh WORKDIR      (as root or with sudo: it may fetch and build the source)
#   MG_PGREGRESS_BUILD_ONLY=1 bash test/pgregress/run.sh WORKDIR     only fetch and build
#
# - warn: every result file must equal the baseline's but for the guard's added WARNING blocks
#   (a WARNING whose DETAIL starts with "Rule "), and no backend may crash;
# - enforce: the refusals are counted per rule, and every refusal of a statement on a table
#   created in the same statement or transaction is listed (analyze.py reads the server log).
#
# The source is Debian's source package of the installed server (apt-get source through a
# private apt configuration: the system's sources are not touched), built once into
# MG_PGREGRESS_CACHE (default /var/cache/migration_guard/pgregress). When the installed
# version's source is no longer on the mirror, the newest source of the same major is used
# and the summary says so: the baseline run absorbs any difference between the two.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$ROOT/scripts/lib.sh"

W=${1:?usage: run.sh WORKDIR}
CACHE=${MG_PGREGRESS_CACHE:-/var/cache/migration_guard/pgregress}
mkdir -p "$W"
[ "$(id -u)" -eq 0 ] && chown "$(test_user)" "$W"

installed=$(dpkg-query -W -f='${Version}' "postgresql-$PG_MAJOR" 2>/dev/null)
SRC=$(ls -d "$CACHE"/postgresql-"$PG_MAJOR".*/ 2>/dev/null | head -1)
if [ -z "$SRC" ] || [ ! -x "$SRC/src/test/regress/pg_regress" ]; then
	echo "# fetching and building the regression suite of postgresql-$PG_MAJOR into $CACHE"
	as_root mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial"
	as_root tee "$CACHE/apt/sources.list" >/dev/null <<EOF
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main
EOF
	APT=(-o Dir::Etc::sourcelist="$CACHE/apt/sources.list" -o Dir::Etc::sourceparts=/dev/null
		-o Dir::State::Lists="$CACHE/apt/lists" -o Dir::Cache="$CACHE/apt/cache")
	as_root apt-get "${APT[@]}" update -qq || exit 1
	# the installed version first, then the others from the newest down: the first that downloads
	got=
	for v in "$installed" $(apt-cache "${APT[@]}" showsrc "postgresql-$PG_MAJOR" | awk '/^Version:/ {print $2}' | sort -rV | uniq); do
		[ "$v" = "$installed" ] && [ -n "${tried_installed:-}" ] && continue
		tried_installed=1
		if (cd "$CACHE" && as_root apt-get "${APT[@]}" source --download-only "postgresql-$PG_MAJOR=$v" >/dev/null 2>&1); then
			got=$v
			break
		fi
		echo "# the source of postgresql-$PG_MAJOR $v is not on the mirror"
	done
	[ -n "$got" ] || { echo "Bail out! no source of postgresql-$PG_MAJOR could be downloaded"; exit 1; }
	upstream=${got%%-*}
	tarball=$(ls "$CACHE"/postgresql-"$PG_MAJOR"_"$upstream".orig.tar.* 2>/dev/null | head -1)
	[ -n "$tarball" ] || { echo "Bail out! no source tarball of postgresql-$PG_MAJOR"; exit 1; }
	(cd "$CACHE" && as_root tar xf "$tarball")
	SRC=$CACHE/postgresql-$upstream
	(cd "$SRC" && as_root ./configure --without-readline --without-icu --without-zlib >"$CACHE/configure.log" 2>&1 &&
		as_root make -s -C src/test/regress >"$CACHE/build.log" 2>&1) || { echo "Bail out! build failed: $CACHE"; exit 1; }
fi
SRC=${SRC%/}
as_root chmod -R a+rX "$CACHE"
source_version=$(basename "$SRC" | sed 's/^postgresql-//')
echo "# regression suite of PostgreSQL $source_version (installed server: $installed)"
[ -n "${MG_PGREGRESS_BUILD_ONLY:-}" ] && exit 0

# one run: mode none|warn|enforce
run_suite() {
	local mode=$1 dir=$W/$1 port
	port=$(free_port 61000)
	mkdir -p "$dir" && [ "$(id -u)" -eq 0 ] && chown "$(test_user)" "$dir"
	{
		echo "log_line_prefix = '%m [%p] %v '"
		echo "log_statement = 'all'"
		echo "migration_guard.events_size = 0"
		case $mode in
		none) echo "shared_preload_libraries = ''" ;;
		*) echo "migration_guard.mode = $mode" ;;
		esac
	} | start_cluster "$dir" "$port"
	local t0=$SECONDS
	(cd "$dir" && as_test_user "$SRC/src/test/regress/pg_regress" --inputdir="$SRC/src/test/regress" \
		--bindir="$PG_BIN" --dlpath="$SRC/src/test/regress" --max-concurrent-tests=20 \
		--host="$dir" --port="$port" --user=postgres --schedule="$SRC/src/test/regress/parallel_schedule" \
		--max-connections=1 --outputdir="$dir/out") >"$dir/pg_regress.log" 2>&1
	echo "# $mode: $(grep -cE '\.\.\. ok|^ok ' "$dir/pg_regress.log") ok, $(grep -cE 'FAILED|failed \(ignored\)|^not ok ' "$dir/pg_regress.log") failed against the expected files, in $((SECONDS - t0)) s"
	stop_cluster "$dir"
}

t_all=$SECONDS
for mode in none warn enforce; do run_suite "$mode"; done
echo "# three runs in $((SECONDS - t_all)) s"
/usr/bin/python3 "$HERE/analyze.py" "$W"
