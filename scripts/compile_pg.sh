#!/usr/bin/env bash
# Compiles migration_guard's PostgreSQL-facing files (src/pg, src/facts, src/state) against the
# server headers of PostgreSQL MAJOR from Debian's binary package postgresql-server-dev-MAJOR,
# for versions whose source Debian's archive does not serve (17: trixie lists it, but only its
# binary packages can be fetched here). Nothing is linked or run: this checks that the code
# compiles without warnings and references no PostgreSQL symbol with C++ linkage.
#
#   bash scripts/compile_pg.sh 17        exit status 0: clean; 1: errors or warnings;
#                                        3: the package could not be fetched
#
# The package is fetched through a private apt configuration under the cache directory (as in
# scripts/build_pg.sh; MG_PG_CACHE, MG_PG_SUITE and MG_DEBIAN_MIRROR apply). Headers configured
# for a newer C library than this system's may expect it to declare strlcpy and strlcat;
# they are declared here for that case.
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:?usage: compile_pg.sh MAJOR}
if [ "$(id -u)" -eq 0 ]; then
	cache=${MG_PG_CACHE:-/var/cache/migration_guard}
else
	cache=${MG_PG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/migration_guard}
fi
mirror=${MG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
case $major in 17) suite=${MG_PG_SUITE:-trixie} ;; *) suite=${MG_PG_SUITE:-sid} ;; esac

dir=$cache/apt-$suite-bin
mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >"$dir/sources.list"
APT_OPTS=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=/dev/null"
	-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o "APT::Sandbox::User=root")
apt-get "${APT_OPTS[@]}" -qq update || { echo "could not read the $suite index"; exit 3; }
hdr=$cache/headers-$major
rm -rf "$hdr" && mkdir -p "$hdr"
(cd "$hdr" && apt-get "${APT_OPTS[@]}" -qq download "postgresql-server-dev-$major") ||
	{ echo "could not fetch postgresql-server-dev-$major from $suite"; exit 3; }
dpkg-deb -x "$hdr"/postgresql-server-dev-"$major"_*.deb "$hdr/root"
inc=$hdr/root/usr/include/postgresql/$major/server
echo "compiling against $(sed -n 's/^#define PG_VERSION_STR "\(.*\)"/\1/p' "$inc/pg_config.h" | cut -d, -f1)"

printf '#include <stddef.h>\nextern "C" size_t strlcpy(char *, const char *, size_t);\nextern "C" size_t strlcat(char *, const char *, size_t);\n' >"$hdr/strl.h"
flags=(-std=c++17 -Wno-register -Wall -Wextra -Wno-unused-parameter -Wshadow -Wpointer-arith
	-Wendif-labels -Wmissing-format-attribute -Wimplicit-fallthrough=3 -Wcast-function-type
	-Wformat-security -fno-strict-aliasing -fwrapv -O2 -fPIC -D_GNU_SOURCE -Isrc "-I$inc")
grep -q 'HAVE_DECL_STRLCPY 1' "$inc/pg_config.h" && flags+=(-include "$hdr/strl.h")

problems=0
for f in src/pg/*.cpp src/facts/*.cpp src/state/*.cpp; do
	o=$hdr/$(basename "$f" .cpp).o
	if ! g++ "${flags[@]}" -c "$f" -o "$o" 2>"$o.log" || [ -s "$o.log" ]; then
		cat "$o.log"
		problems=$((problems + 1))
	fi
	# A PostgreSQL function declared outside extern "C" shows up as a mangled undefined symbol.
	if nm -u "$o" 2>/dev/null | grep ' _Z' | c++filt | grep -vE 'std::|operator (new|delete)|__cxa|__gxx|mg::|mg_|\(anonymous namespace\)' | grep .; then
		echo "$f: PostgreSQL symbols with C++ linkage (a header outside extern \"C\")"
		problems=$((problems + 1))
	fi
done
if [ "$problems" -eq 0 ]; then
	echo "PostgreSQL $major: every file compiles without warnings"
else
	echo "PostgreSQL $major: $problems file(s) with errors, warnings or C++-linked PostgreSQL symbols"
	exit 1
fi
