# Shared by test/integration/*/run.sh. Sourced, not run.
#
# Each runner writes a transcript of what the migration tool printed and what the database
# looked like, compares it with test/integration/expected/<name>.out, and prints TAP-like lines:
# "ok N - ...", "not ok N - ..." (with an explanation as "# " lines), "not ok N - ... # TODO why"
# for a known gap that does not count as a failure, and a last line "# passed P failed F todo T".

n=0
passed=0
failed=0
todo=0

ok() { # description
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1"
}

# Not in a pipeline: the counters must stay in this shell. Give the explanation on stdin.
not_ok() { # description [todo-reason]
	n=$((n + 1))
	if [ -n "${2:-}" ]; then
		todo=$((todo + 1))
		echo "not ok $n - $1 # TODO $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $1"
	fi
	sed 's/^/# /'
}

check() { # description status [todo-reason]: ok when status is 0
	if [ "$2" -eq 0 ]; then
		if [ -n "${3:-}" ]; then
			# A TODO that now passes: say so, so that the marker gets removed.
			ok "$1 # TODO passes now, remove the marker: $3"
		else
			ok "$1"
		fi
	else
		not_ok "$1" "${3:-}" </dev/null
	fi
}

# The command line every runner takes, "[--regen] PORT HOST", and the connection environment for
# its database mg_NAME: sets REGEN, EXPECTED (expected/NAME.out), DB, and PGPORT, PGHOST, PGUSER
# for psql and the tools, with nothing from the caller's environment choosing another database,
# service or options. MG_DATABASE_URL (SQLAlchemy) and MG_DB_NAME (Django, Rails) name DB.
parse_runner_args() { # name "$@"
	local name=$1
	shift
	EXPECTED=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/expected/$name.out
	REGEN=
	if [ "${1:-}" = --regen ]; then
		REGEN=1
		shift
	fi
	if [ $# -ne 2 ]; then
		echo "usage: bash test/integration/$name/run.sh [--regen] PORT HOST" >&2
		exit 2
	fi
	export PGPORT=$1 PGHOST=$2
	export PGUSER=${PGUSER:-$(id -un)}
	unset PGDATABASE PGSERVICE PGOPTIONS PGAPPNAME
	export PGCLIENTENCODING=UTF8
	DB=mg_$name
	export MG_DB_NAME=$DB
	export MG_DATABASE_URL="postgresql+psycopg2://$PGUSER@/$DB?host=$PGHOST&port=$PGPORT"
}

say() { echo "$*" >>"$OUT"; }

# Runs a migration tool; what it printed goes to the transcript $OUT, with a Python traceback
# cut down to the final exception's text (the server's message, DETAIL and HINT), and its exit
# status after it. The full output stays in the log file. Returns the tool's exit status.
run_tool() { # title logfile command...
	local title=$1 logf=$2 status
	shift 2
	"$@" >"$logf" 2>&1
	status=$?
	{
		echo "\$ $title"
		/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/tool_output.py" "$logf"
		echo "(exit status $status)"
	} >>"$OUT"
	return "$status"
}

# psql as the administrator: quiet, unaligned, stop on the first error.
sql() { # database, then psql arguments
	local db=$1
	shift
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"
}

# Everything a failed migration must leave as it was: the schema (pg_dump), the tool's own
# bookkeeping table and a checksum of every user table's rows.
snapshot() { # database bookkeeping-table user-table...
	local db=$1 book=$2 t
	shift 2
	pg_dump --schema-only --no-owner --no-privileges -d "$db" |
		grep -v -e '^--' -e '^$' -e '^SET ' -e 'pg_catalog.set_config' -e '^\\restrict ' -e '^\\unrestrict '
	echo "-- $book:"
	sql "$db" -c "SELECT * FROM $book ORDER BY 1"
	for t in "$@"; do
		echo "-- rows of $t:"
		sql "$db" -c "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM $t t"
	done
}

# Compares the transcript with the expected file, or rewrites the expected file (--regen).
# As in pg_regress, name_1.out ... name_9.out are alternatives for server versions whose
# behaviour differs (PostgreSQL 18's NOT NULL recipe); the diff shown is against name.out.
compare_transcript() { # transcript expected regen
	if [ -n "$3" ]; then
		cp "$1" "$2"
		ok "transcript written to $2 (--regen): inspect it before committing (or copy it to an alternative ${2%.out}_N.out)"
		return
	fi
	local alt
	for alt in "$2" "${2%.out}"_[1-9].out; do
		if [ -f "$alt" ] && diff -q "$alt" "$1" >/dev/null; then
			ok "transcript matches $(basename "$alt")"
			return
		fi
	done
	diff -u "$2" "$1" >"$1.diff"
	not_ok "transcript matches $(basename "$2")" <"$1.diff"
}

finish() {
	echo "# passed $passed failed $failed todo $todo"
	[ "$failed" -eq 0 ]
}

# The scratch directory ($T, with the transcript $OUT) and the throwaway database $DB, with the
# guard in enforce mode and a 64kB threshold so that a few thousand rows make a table large.
# Both are removed at exit unless MG_KEEP is set. PROJECT_FILES: what fresh_project copies.
start_run() { # database
	DB=$1
	T=$(mktemp -d "${TMPDIR:-/tmp}/$DB.XXXXXX") || exit 2
	OUT=$T/transcript
	trap end_run EXIT
	sql postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	if ! sql postgres >"$T/setup.log" 2>&1 <<EOF; then
CREATE DATABASE $DB ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
ALTER DATABASE $DB SET migration_guard.mode = 'enforce';
ALTER DATABASE $DB SET migration_guard.large_table_threshold = '64kB';
EOF
		not_ok "set-up" <"$T/setup.log"
		finish
		exit 1
	fi
}

end_run() {
	if [ -n "${MG_KEEP:-}" ]; then
		echo "# kept $T and the database $DB"
	else
		sql postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
		rm -rf "$T"
	fi
}

# A fresh copy of the project, so that unsafe drafts can be laid over it and taken away again.
fresh_project() {
	rm -rf "$T/project"
	mkdir "$T/project"
	local f
	for f in "${PROJECT_FILES[@]}"; do cp -r "$HERE/$f" "$T/project/"; done
	find "$T/project" -name __pycache__ -prune -exec rm -rf {} +
}
