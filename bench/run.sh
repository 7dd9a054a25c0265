#!/usr/bin/env bash
# The guard's benchmarks (issue 7), all five, in one go; writes the results into bench/RESULTS.md.
#
#   bash bench/run.sh                    everything, full size (about 20 minutes on 2 cores)
#   bash bench/run.sh --smoke            tiny sizes, checks that every benchmark runs and
#                                        prints its table; asserts no timing, writes nothing
#   MG_BENCH="1 3" bash bench/run.sh     only some benchmarks (RESULTS.md keeps one table, so
#                                        a partial run writes only what it measured)
#   MG_PG_ROOT=/tmp/pgroot bash bench/run.sh   build, install and measure in a private copy of
#                                        PostgreSQL (scripts/private_pg.sh); unset: the system's
#   MG_NO_BUILD=1 bash bench/run.sh      measure what is installed
#
# It installs what it needs: valgrind (apt-get), squawk-cli (npm, into a cache directory,
# $MG_BENCH_CACHE, default ~/.cache/migration_guard-bench; never into the checkout).
#
# 1-3 count instructions with callgrind on a single-user backend (postgres --single): exact
# and repeatable whatever else the machine does. 4 and 5 are wall-clock figures taken as
# pairs run side by side (guard, other, other, guard, ...), reported as the median of the
# paired ratios with their range, because this machine's timings drift by ±15%.
# See bench/RESULTS.md for the method of each one.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

SMOKE=
[ "${1:-}" = "--smoke" ] && SMOKE=1
BENCHES=${MG_BENCH:-1 2 3 4 5}
want() { [[ " $BENCHES " == *" $1 "* ]]; }

if [ -n "$SMOKE" ]; then
	ROWS=2000 SELECTS=200 UPDATES=50 INSERTS=50
	DDL=50
	SMALL_MB=1 BIG_MB=4 REFUSALS=5
	ADVISOR=200 ADVISOR_PAIRS=1
	PGB_SCALE=1 PGB_SECONDS=1 PGB_PAIRS=1
else
	ROWS=100000 SELECTS=20000 UPDATES=5000 INSERTS=5000
	DDL=2000
	SMALL_MB=1 BIG_MB=200 REFUSALS=50
	ADVISOR=10000 ADVISOR_PAIRS=${MG_BENCH_ADVISOR_PAIRS:-7}
	PGB_SCALE=5 PGB_SECONDS=${MG_BENCH_PGB_SECONDS:-10} PGB_PAIRS=${MG_BENCH_PGB_PAIRS:-5}
fi
SQUAWK_VERSION=${MG_SQUAWK_VERSION:-2.66.0}
CACHE=${MG_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/migration_guard-bench}

gen() { /usr/bin/python3 bench/bench.py "$@"; }

# ---- what the benchmarks need
ensure_packages
command -v valgrind >/dev/null || {
	log "installing valgrind"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
}
[ -f "$PG_BIN/../lib/pg_stat_statements.so" ] || {
	log "installing pg_stat_statements"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-contrib >/dev/null
}
SQUAWK=$CACHE/squawk-$SQUAWK_VERSION/node_modules/.bin/squawk
if want 4 && [ ! -x "$SQUAWK" ]; then
	command -v npm >/dev/null || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
	log "installing squawk-cli $SQUAWK_VERSION into $CACHE"
	mkdir -p "$CACHE/squawk-$SQUAWK_VERSION"
	npm install --silent --no-audit --no-fund --prefix "$CACHE/squawk-$SQUAWK_VERSION" \
		"squawk-cli@$SQUAWK_VERSION" >/dev/null
fi
[ -n "${MG_NO_BUILD:-}" ] || build_and_install

W=$(make_workdir)
CLUSTERS=()
cleanup() {
	for c in "${CLUSTERS[@]}"; do stop_cluster "$c"; done
	[ -n "${MG_KEEP:-}" ] && echo "kept $W" || rm -rf "$W"
}
trap cleanup EXIT
cd "$W" # the postgres user may not be able to enter the checkout
CHECKOUT=$OLDPWD
gen() { /usr/bin/python3 "$CHECKOUT/bench/bench.py" "$@"; }
R=$W/results.env
: >"$R"
put() { echo "$1=$2" >>"$R"; }
mine() { [ "$(id -u)" -eq 0 ] && chown -R "$(test_user)" "$@"; true; }

# postgres --single on data directory $1, statements from $2, output in $3; the rest are
# options for the server. Nothing measured.
single() {
	local data=$1 input=$2 output=$3
	shift 3
	as_test_user "$PG_BIN/postgres" --single -D "$data" -c autovacuum=off -c fsync=off "$@" postgres \
		<"$input" >"$output" 2>&1
}

# The same under callgrind; prints the instructions of the whole process. The server gets
# the same short environment every time: the size of the environment and of the arguments
# moves the stack, and glibc's string functions take a few more or fewer instructions
# depending on where their strings sit (about 0.1% of a run otherwise).
callgrind() {
	local data=$1 input=$2 output=$3
	shift 3
	as_test_user env -i PATH=/usr/bin:/bin valgrind --tool=callgrind --callgrind-out-file="$output.cg" \
		"$PG_BIN/postgres" --single -D "$data" -c autovacuum=off -c fsync=off "$@" postgres \
		<"$input" >"$output" 2>&1
	gen callgrind-total "$output.cg"
}

# Instructions of the statements in $2 alone, on a copy of data directory $1 made for each
# run: a run with them minus a run with no input, so that start-up (library loading,
# _PG_init) and shutdown cancel out. (Debian's postgres is stripped of its static symbols,
# so callgrind cannot toggle on exec_simple_query.) $3: name of the outputs; the rest are
# server options.
workload() {
	local base=$1 input=$2 name=$3
	shift 3
	local empty full data
	data=$(dirname "$base")/run.data # one name for every configuration: see callgrind()
	copy_data "$base" "$data"
	empty=$(callgrind "$data" /dev/null "$name.empty.out" "$@")
	copy_data "$base" "$data"
	full=$(callgrind "$data" "$input" "$name.out" "$@")
	no_errors "$name.out"
	rm -rf "$data"
	echo $((full - empty))
}

fresh_data() { # a new data directory $1
	as_test_user "$PG_BIN/initdb" -D "$1" -A trust -U postgres --no-instructions >/dev/null
}

copy_data() { # $1 to $2, so that every configuration starts from the same files
	rm -rf "$2"
	as_test_user cp -a "$1" "$2"
}

no_errors() { # output of a single-user run
	if grep -qE '(^|\] )(ERROR|FATAL|PANIC):|server process .* terminated' "$1"; then
		echo "unexpected error in $1:" >&2
		grep -m5 -E -A3 '(^|\] )(ERROR|FATAL|PANIC):' "$1" >&2
		exit 1
	fi
}

{
	put date "$(date -u '+%Y-%m-%d %H:%M UTC')"
	put commit "$(git -C "$CHECKOUT" rev-parse --short HEAD)$(git -C "$CHECKOUT" diff --quiet HEAD -- src || echo ' + uncommitted src changes')"
	cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
	put machine "$(. /etc/os-release && echo "$PRETTY_NAME"), $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GB RAM, $("$PG_BIN/postgres" --version | sed 's/^postgres (PostgreSQL) /PostgreSQL /'), $(g++ --version | head -1 | sed 's/^g++ ([^)]*) /g++ /'), $(valgrind --version)."
}

# ---- 1. ordinary traffic: vanilla, guard, pg_stat_statements
if want 1; then
	log "1. ordinary traffic ($SELECTS SELECTs, $UPDATES UPDATEs, $INSERTS INSERTs on a $ROWS-row table)"
	mkdir -p b1 && mine b1
	gen ordinary-setup "$ROWS" >b1/setup.sql
	gen ordinary "$SELECTS" "$UPDATES" "$INSERTS" "$ROWS" >b1/work.sql
	mine b1
	fresh_data b1/base
	single b1/base b1/setup.sql b1/setup.out
	no_errors b1/setup.out
	for cfg in vanilla guard pgss; do
		case $cfg in
			vanilla) pre=() ;;
			guard) pre=(-c shared_preload_libraries=migration_guard) ;;
			pgss) pre=(-c shared_preload_libraries=pg_stat_statements) ;;
		esac
		n=$(workload b1/base b1/work.sql "b1/$cfg" "${pre[@]}")
		echo "   $cfg: $n instructions"
		put "b1_$cfg" "$n"
	done
	put b1_statements $((SELECTS + UPDATES + INSERTS))
	put b1_desc "$SELECTS primary-key SELECTs, $UPDATES single-row UPDATEs and $INSERTS INSERTs on a $ROWS-row table, shuffled"
fi

# ---- 2. DDL on new and small tables: vanilla, guard; two variants of the same statements
# mixed: every other table inside BEGIN ... COMMIT (new), the others one statement per
# transaction; own: every statement in its own transaction (issue 13's workload)
if want 2; then
	log "2. DDL path ($DDL statements on new and small tables, mixed and each in its own transaction)"
	mkdir -p b2 && mine b2
	gen ddl "$DDL" >b2/mixed.sql
	gen ddl "$DDL" own >b2/own.sql
	mine b2
	fresh_data b2/base
	for variant in mixed own; do
		for cfg in vanilla guard; do
			pre=()
			[ $cfg = guard ] && pre=(-c shared_preload_libraries=migration_guard)
			n=$(workload b2/base "b2/$variant.sql" "b2/$variant.$cfg" "${pre[@]}")
			echo "   $variant, $cfg: $n instructions"
			put "b2_${variant}_$cfg" "$n"
		done
	done
	# BEGIN and COMMIT are in the count too, but cost next to nothing
	put b2_statements "$DDL"
	put b2_desc "$DDL statements: CREATE TABLE with named PRIMARY KEY, CHECK and UNIQUE constraints, CREATE INDEX, ADD COLUMN, COMMENT and CREATE VIEW per table"
fi

# ---- 3. refusal cost: a small and a big table
if want 3; then
	log "3. refusal cost (${SMALL_MB} MB against ${BIG_MB} MB)"
	mkdir -p b3 && mine b3
	gen refusal-setup "$SMALL_MB" "$BIG_MB" >b3/setup.sql
	mine b3
	fresh_data b3/data
	single b3/data b3/setup.sql b3/setup.out
	no_errors b3/setup.out
	# Both tables are large at 512kB. The cost of one refusal is the difference between a
	# run with 2R and one with R refusals, divided by R: start-up and shutdown cancel out
	# exactly, and nothing depends on where callgrind's toggle stands after an ERROR's longjmp.
	tab_small=small_t tab_big=large_t # names of one length, so that the messages differ little
	for t in small big; do
		eval "tab=\$tab_$t"
		gen refusal "$tab" "$REFUSALS" >"b3/$t.1.sql"
		gen refusal "$tab" $((2 * REFUSALS)) >"b3/$t.2.sql"
		mine b3
		for k in 1 2; do
			n=$(callgrind b3/data "b3/$t.$k.sql" "b3/$t.$k.out" \
				-c shared_preload_libraries=migration_guard -c migration_guard.large_table_threshold=512kB)
			got=$(grep -c 'Rule create_index_blocking' "b3/$t.$k.out" || true)
			[ "$got" -eq $((k * REFUSALS)) ] || { echo "expected $((k * REFUSALS)) refusals in b3/$t.$k.out, got $got" >&2; exit 1; }
			eval "n$k=$n"
			# the verdict: facts, rules and message. These three are called across files, so
			# never inlined (inspect_utility() is, into the hook, since the rule groups landed).
			v=$(gen callgrind-inclusive "b3/$t.$k.out.cg" 'mg_collect_facts(' 'mg::evaluate(' 'mg_report_statement_findings(')
			eval "v$k=$v"
		done
		per=$(( (n2 - n1) / REFUSALS ))
		verdict=$(( (v2 - v1) / REFUSALS ))
		echo "   $tab: $per instructions per refusal, $verdict in the guard's verdict"
		put "b3_$t" "$per"
		put "b3_${t}_verdict" "$verdict"
	done
	port=$(free_port 61200)
	{
		echo "shared_preload_libraries = 'migration_guard'"
		echo "port = $port"
		echo "unix_socket_directories = '$W/b3'"
		echo "listen_addresses = ''"
		echo "migration_guard.large_table_threshold = '512kB'"
	} | as_test_user tee -a b3/data/postgresql.conf >/dev/null
	as_test_user "$PG_BIN/pg_ctl" -D b3/data -l b3/server.log -w start >/dev/null
	CLUSTERS+=("$W/b3")
	psql3() { as_test_user "$PG_BIN/psql" -X -q -h "$W/b3" -p "$port" -U postgres -d postgres "$@"; }
	for t in small big; do
		eval "tab=\$tab_$t"
		put "b3_${t}_size" "$(psql3 -At -c "SELECT pg_size_pretty(pg_table_size('$tab'))")"
		{ echo '\timing on'; gen refusal "$tab" $((REFUSALS * 5)); } >"b3/$t.timed.sql"
		mine b3
		psql3 -f "b3/$t.timed.sql" >"b3/$t.timed.out" 2>&1 || true
		put "b3_${t}_ms" "$(gen psql-times "b3/$t.timed.out")"
	done
	stop_cluster "$W/b3"
	put b3_desc "CREATE INDEX on a table of ${SMALL_MB} MB and one of ${BIG_MB} MB, both above a 512kB threshold; instructions from the difference of $((2 * REFUSALS)) and $REFUSALS refusals in a single-user backend"
fi

# ---- 4. check() against squawk on the same file
if want 4; then
	log "4. advisor against squawk ($ADVISOR statements, $ADVISOR_PAIRS pairs)"
	mkdir -p b4 && mine b4
	gen advisor-setup >b4/setup.sql
	gen advisor "$ADVISOR" >b4/migration.sql
	printf '%s\n' "\\set m \`cat $W/b4/migration.sql\`" \
		"SELECT * FROM migration_guard.check(:'m');" >b4/check.psql
	printf '%s\n' "\\set m \`cat $W/b4/migration.sql\`" \
		"SELECT count(*) FILTER (WHERE severity = 'error') || ' errors, ' || count(*) FILTER (WHERE severity <> 'error') || ' warnings' FROM migration_guard.check(:'m');" >b4/count.psql
	mine b4
	port=$(free_port 61300)
	start_cluster "$W/b4" "$port" </dev/null
	CLUSTERS+=("$W/b4")
	psql4() { as_test_user "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$W/b4" -p "$port" -U postgres -d postgres "$@"; }
	psql4 -f b4/setup.sql >/dev/null
	psql4 -c "CREATE EXTENSION migration_guard" -c "ALTER DATABASE postgres SET migration_guard.large_table_threshold = '8kB'"
	findings=$(psql4 -At -f b4/count.psql)
	echo "   check(): $findings"
	[[ $findings =~ ^[1-9][0-9]*\ errors ]] || { echo "check() found no errors in the advisor workload" >&2; exit 1; }
	"$SQUAWK" --pg-version=15 --reporter gcc "$W/b4/migration.sql" >b4/squawk.out 2>&1 || true
	sq=$(grep -c ': \(error\|warning\)' b4/squawk.out || true)
	echo "   squawk: $sq findings"
	[ "$sq" -gt 0 ] || { echo "squawk found nothing; its output:" >&2; head -20 b4/squawk.out >&2; exit 1; }
	put b4_guard_findings "$findings"
	put b4_squawk_findings "$sq"
	put b4_squawk_version "$("$SQUAWK" --version | awk '{print $2}')"
	secs() { # seconds one command takes
		local t0 t1
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s.%N)
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
	}
	# squawk-cli's command is a node script that starts the native binary: time both, and
	# hold check() to the native binary, the faster of the two.
	NATIVE=$(ls "$CACHE/squawk-$SQUAWK_VERSION"/node_modules/@squawk-cli/*/bin/squawk | head -1)
	: >b4/native.pairs
	: >b4/npm.pairs
	for p in $(seq "$ADVISOR_PAIRS"); do
		# the order turns round from one round to the next
		for k in $(seq 0 2); do
			case $(( (p + k) % 3 )) in
				0) g=$(secs psql4 -At -f b4/check.psql) ;;
				1) n=$(secs "$NATIVE" --pg-version=15 --reporter gcc "$W/b4/migration.sql") ;;
				2) s=$(secs "$SQUAWK" --pg-version=15 --reporter gcc "$W/b4/migration.sql") ;;
			esac
		done
		echo "   round $p: check() ${g}s, squawk binary ${n}s, squawk through npm ${s}s"
		echo "$g $n" >>b4/native.pairs # the ratio is squawk's time over check()'s
		echo "$g $s" >>b4/npm.pairs
	done
	put b4_pairs "$(gen pairs b4/native.pairs)"
	put b4_npm_pairs "$(gen pairs b4/npm.pairs)"
	stop_cluster "$W/b4"
	# the same call, counted: one check() on the whole file in a single-user backend
	echo "SELECT count(*) FROM migration_guard.check(pg_read_file('$W/b4/migration.sql'));" >b4/count.sql
	mine b4
	n=$(workload b4/data b4/count.sql b4/callgrind -c shared_preload_libraries=migration_guard)
	echo "   check(): $n instructions in a single-user backend"
	put b4_instructions "$n"
	put b4_statements "$ADVISOR"
	put b4_desc "$ADVISOR generated statements"
fi

# ---- 5. pgbench: interleaved A/B
# One cluster, restarted with and without the guard before each run, so that the two sides
# share their data files, their place on disk and the page cache; only the preload differs.
if want 5; then
	log "5. pgbench select-only and tpcb-like, $PGB_PAIRS pairs of ${PGB_SECONDS}s"
	mkdir -p b5 && mine b5
	port=$(free_port 61400)
	(cd "$W" && start_cluster "$W/b5" "$port" </dev/null)
	CLUSTERS+=("$W/b5")
	as_test_user "$PG_BIN/pgbench" -q -i -s "$PGB_SCALE" -h "$W/b5" -p "$port" -U postgres postgres >/dev/null 2>&1
	restart_as() { # vanilla | guard
		local libs=migration_guard
		[ "$1" = vanilla ] && libs=
		as_test_user "$PG_BIN/pg_ctl" -D b5/data -m fast -w stop >/dev/null
		as_test_user "$PG_BIN/pg_ctl" -D b5/data -l b5/server.log -w \
			-o "-c shared_preload_libraries='$libs'" start >/dev/null
		local got
		got=$(as_test_user "$PG_BIN/psql" -X -At -h "$W/b5" -p "$port" -U postgres -d postgres \
			-c "SHOW shared_preload_libraries")
		[ "$got" = "$libs" ] || { echo "expected shared_preload_libraries '$libs', got '$got'" >&2; exit 1; }
	}
	pgb() { # seconds mode
		as_test_user "$PG_BIN/pgbench" -n -M prepared -c 2 -j 2 -T "$1" -b "$2" \
			-h "$W/b5" -p "$port" -U postgres postgres 2>/dev/null |
			sed -n 's/^tps = \([0-9.]*\).*/\1/p'
	}
	tps() { # vanilla|guard mode: restart, warm the cache for a third of the time, then measure
		restart_as "$1"
		pgb $(( (PGB_SECONDS + 2) / 3 )) "$2" >/dev/null
		pgb "$PGB_SECONDS" "$2"
	}
	for mode in select-only tpcb-like; do
		: >"b5/$mode.pairs"
		for p in $(seq "$PGB_PAIRS"); do
			if [ $((p % 2)) -eq 1 ]; then a=$(tps vanilla $mode); b=$(tps guard $mode)
			else b=$(tps guard $mode); a=$(tps vanilla $mode); fi
			echo "   $mode pair $p: vanilla $a tps, guard $b tps"
			echo "$a $b" >>"b5/$mode.pairs"
		done
		put "b5_$mode" "$(gen pairs "b5/$mode.pairs")"
	done
	stop_cluster "$W/b5"
	put b5_desc "pgbench -M prepared -c 2 -j 2, scale $PGB_SCALE, $PGB_PAIRS pairs of ${PGB_SECONDS}s runs on one cluster restarted with and without the guard, each after a warm-up, the order alternating within each pair"
fi

log "results"
if [ -n "$SMOKE" ]; then
	gen report "$R" /dev/null --smoke
else
	gen report "$R" "$CHECKOUT/bench/RESULTS.md"
	sed -n '/<!-- bench\/run.sh: begin -->/,/<!-- bench\/run.sh: end -->/p' "$CHECKOUT/bench/RESULTS.md"
fi
