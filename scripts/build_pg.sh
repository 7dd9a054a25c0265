#!/usr/bin/env bash
# Builds PostgreSQL MAJOR from Debian's source package into a cached prefix, with everything the
# test suites need: contrib's pg_stat_statements and auto_explain, the isolation tester and
# pg_isolation_regress, the TAP test modules (PostgreSQL::Test::Cluster) and pgTAP built against
# it. Prints the path of its pg_config on the last line.
#
#   bash scripts/build_pg.sh 18                  build (or reuse) PostgreSQL 18
#   PG_CONFIG=$(bash scripts/build_pg.sh 18 | tail -1) bash scripts/test.sh
#
# The source is the upstream tarball inside Debian's source package postgresql-MAJOR (without
# Debian's patches, so the server keeps upstream's socket directory and layout), fetched with
# `apt-get source` through a private apt configuration under the cache directory: one deb-src
# line for the suite that serves that major version. The system's apt sources are never touched;
# the build dependencies (bison, flex, ...) come from the system's own suite.
#
#   MG_PG_CACHE=DIR      cache directory (default /var/cache/migration_guard as root,
#                        ~/.cache/migration_guard otherwise); prefixes are DIR/pg-MAJOR-VERSION
#   MG_PG_SUITE=SUITE    the Debian suite to take the source from (default: 18 sid, 17 trixie,
#                        16 sid then trixie)
#   MG_DEBIAN_MIRROR=URL (default http://deb.debian.org/debian)
#   MG_PG_REBUILD=1      rebuild even if the prefix is complete
#
# A complete prefix of the version the archive serves is reused as is. When the archive cannot
# be reached, or no longer serves MAJOR, the newest complete prefix of MAJOR in the cache is
# reused. Exit status 3 means: no source to be had and nothing cached.
set -euo pipefail

major=${1:?usage: build_pg.sh MAJOR (16, 17 or 18)}
case $major in 1[5-9]) ;; *) echo "build_pg.sh: MAJOR must be a PostgreSQL major version such as 18" >&2; exit 2 ;; esac

if [ "$(id -u)" -eq 0 ]; then
	cache=${MG_PG_CACHE:-/var/cache/migration_guard}
else
	cache=${MG_PG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/migration_guard}
fi
mirror=${MG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
jobs=$(nproc)

say() { printf '== build_pg.sh: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The packages the build needs, from the system's own apt sources.
BUILD_DEPS=(build-essential bison flex perl zlib1g-dev libipc-run-perl dpkg-dev pkg-config
	debian-archive-keyring ca-certificates)
missing=()
for p in "${BUILD_DEPS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

mkdir -p "$cache"
complete() { [ -f "$1/.mg-complete" ] && [ -x "$1/bin/pg_config" ]; }
newest_cached() { # the newest complete prefix of $major, if any
	local d best=
	for d in $(ls -d "$cache/pg-$major-"* 2>/dev/null | sort -V); do
		complete "$d" && best=$d
	done
	echo "$best"
}

# ---- the private apt configuration: one deb-src line, lists and downloads under the cache ----
if [ -n "${MG_PG_SUITE:-}" ]; then
	suites=$MG_PG_SUITE
else
	case $major in
	18) suites=sid ;;
	17) suites=trixie ;;
	*) suites="sid trixie" ;;
	esac
fi

# Points APT_OPTS at a private configuration for one suite and reads its index (cached
# under $cache/apt-SUITE; apt-get update fetches only what changed).
apt_suite() {
	local dir=$cache/apt-$1
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	echo "deb-src [signed-by=$keyring] $mirror $1 main" >"$dir/sources.list"
	APT_OPTS=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=/dev/null"
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
		-o "APT::Sandbox::User=root" -o "Acquire::Retries=2")
	apt-get "${APT_OPTS[@]}" -qq update >"$dir/update.log" 2>&1 ||
		{ say "could not read the $1 index from $mirror (see $dir/update.log)"; return 1; }
}
# The versions of source package $1 the current suite lists, newest first.
apt_versions() {
	{ apt-cache "${APT_OPTS[@]}" showsrc "$1" 2>/dev/null || true; } | sed -n 's/^Version: //p' | sort -rV
}

version=
for suite in $suites; do
	apt_suite "$suite" || continue
	version=$(apt_versions "postgresql-$major" | head -1)
	[ -n "$version" ] && break
	say "suite $suite serves no postgresql-$major"
done

# No source to be had: the newest complete build of $major in the cache, else exit status 3.
use_cached_or_give_up() {
	local cached
	cached=$(newest_cached)
	if [ -z "$cached" ]; then
		say "no source of postgresql-$major to be had (suites: $suites) and nothing cached in $cache"
		exit 3
	fi
	say "reusing the cached $cached ($1)"
	echo "$cached/bin/pg_config"
	exit 0
}

[ -n "$version" ] || use_cached_or_give_up "the archive could not be read, or serves no postgresql-$major"

upstream=${version%%-*}    # 18.6-3 -> 18.6
upstream=${upstream#*:}
prefix=${MG_PG_PREFIX:-$cache/pg-$major-$upstream}
if complete "$prefix" && [ -z "${MG_PG_REBUILD:-}" ]; then
	say "reusing $prefix (postgresql-$major $version)"
	echo "$prefix/bin/pg_config"
	exit 0
fi

# ---- fetch, unpack, build and install the server (skipped when an earlier run got that far) ---
src=$cache/src-$major-$upstream
log=$cache/build-$major-$upstream.log
rm -f "$prefix/.mg-complete"
if [ ! -f "$prefix/.mg-server" ] || [ -n "${MG_PG_REBUILD:-}" ]; then
	rm -rf "$src"
	mkdir -p "$src"
	say "fetching postgresql-$major $version from $suite"
	if ! (cd "$src" && apt-get "${APT_OPTS[@]}" -qq source --download-only "postgresql-$major=$version" >/dev/null); then
		rm -rf "$src"
		use_cached_or_give_up "the source of postgresql-$major $version could not be fetched"
	fi
	tarball=$(ls "$src"/postgresql-"$major"_*.orig.tar.* | head -1)
	tar -C "$src" -xf "$tarball"
	tree=$(ls -d "$src"/postgresql-"$upstream"* | head -1)

	say "building PostgreSQL $upstream into $prefix (log: $log)"
	{
		cd "$tree"
		./configure --prefix="$prefix" --without-icu --without-readline --enable-tap-tests \
			CFLAGS="-O2 -g"
		make -j"$jobs"
		make install
		for d in contrib/pg_stat_statements contrib/auto_explain src/test/isolation src/test/perl; do
			make -j"$jobs" -C "$d"
			make -C "$d" install
		done
	} >"$log" 2>&1 || { tail -40 "$log" >&2; say "the build failed; see $log"; exit 1; }
	touch "$prefix/.mg-server"
	rm -rf "$src"
fi

# ---- pgTAP ------------------------------------------------------------------------------------
# Built from Debian's pgtap source package, the newest that can be fetched from this suite, trixie
# or bookworm (pgTAP's source does not depend on the server version). Where the archive lists
# the source but does not serve its files, Debian's binary package postgresql-MAJOR-pgtap of
# this suite is unpacked instead: pgTAP is SQL only, and that package is built for MAJOR.
sharedir=$("$prefix/bin/pg_config" --sharedir)
mkdir -p "$src"
pgtap_version=
for ps in $suite trixie bookworm; do
	apt_suite "$ps" || continue
	for v in $(apt_versions pgtap); do
		rm -rf "$src/pgtap" "$src"/pgtap_*
		if (cd "$src" && apt-get "${APT_OPTS[@]}" -qq source --download-only "pgtap=$v" >/dev/null 2>&1); then
			pgtap_version="$v (source, $ps)"
			break 2
		fi
		say "the pgtap $v source is listed by $ps but could not be fetched"
	done
done
if [ -n "$pgtap_version" ]; then
	say "building pgTAP $pgtap_version against it"
	ptar=$(ls "$src"/pgtap_*.orig.tar.* | head -1)
	mkdir -p "$src/pgtap" && tar -C "$src/pgtap" --strip-components=1 -xf "$ptar"
	{
		make -C "$src/pgtap" PG_CONFIG="$prefix/bin/pg_config"
		make -C "$src/pgtap" PG_CONFIG="$prefix/bin/pg_config" install
	} >>"$log" 2>&1 || { tail -40 "$log" >&2; say "the pgTAP build failed; see $log"; exit 1; }
else
	bin_dir=$cache/apt-$suite-bin
	mkdir -p "$bin_dir/lists/partial" "$bin_dir/cache/archives/partial"
	echo "deb [signed-by=$keyring] $mirror $suite main" >"$bin_dir/sources.list"
	BIN_OPTS=(-o "Dir::Etc::sourcelist=$bin_dir/sources.list" -o "Dir::Etc::sourceparts=/dev/null"
		-o "Dir::State::Lists=$bin_dir/lists" -o "Dir::Cache=$bin_dir/cache"
		-o "APT::Sandbox::User=root" -o "Acquire::Retries=2")
	rm -rf "$src/pgtap-deb" && mkdir -p "$src/pgtap-deb"
	if apt-get "${BIN_OPTS[@]}" -qq update >"$bin_dir/update.log" 2>&1 &&
		(cd "$src/pgtap-deb" && apt-get "${BIN_OPTS[@]}" -qq download "postgresql-$major-pgtap" >/dev/null 2>&1); then
		deb=$(ls "$src"/pgtap-deb/*.deb | head -1)
		pgtap_version="$(dpkg-deb -f "$deb" Version) (binary package postgresql-$major-pgtap, $suite)"
		say "unpacking pgTAP $pgtap_version"
		dpkg-deb -x "$deb" "$src/pgtap-deb/root"
		mkdir -p "$sharedir/extension"
		cp "$src/pgtap-deb/root/usr/share/postgresql/$major/extension/"* "$sharedir/extension/"
	else
		say "no pgTAP to be had for $major (neither the source nor postgresql-$major-pgtap)"
		exit 1
	fi
fi
[ -f "$sharedir/extension/pgtap.control" ] || { say "pgTAP did not install into $sharedir/extension"; exit 1; }

echo "postgresql-$major $version from $suite, pgtap $pgtap_version, built $(date -u +%FT%TZ)" >"$prefix/.mg-complete"
rm -rf "$src"
chmod -R a+rX "$prefix"
say "done: PostgreSQL $upstream in $prefix"
echo "$prefix/bin/pg_config"
