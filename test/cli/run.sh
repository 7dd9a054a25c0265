#!/usr/bin/env bash
# Tests of bin/migration_guard_check, the CI command, against a running cluster.
#
#   bash test/cli/run.sh [--regen] PORT [HOST]
#
# The cluster must have migration_guard in shared_preload_libraries and the extension
# installed, and the current user (or PGUSER) must be a superuser there. HOST defaults to
# $PGHOST, else localhost (a socket directory works too). The test creates the databases
# mg_cli_test, mg_cli_noext and mg_cli_echo and the role regress_cli_user, and drops them
# at the end (MG_KEEP=1 keeps them and the scratch directory).
#
# Each case runs the command from a scratch directory with relative file names and compares
# its standard output, standard error and exit status with test/cli/expected/<case>.out,
# where they are written as
#     <stdout>
#     --- stderr
#     <stderr>
#     --- exit status N
# Output is TAP-like: "ok N - ...", "not ok N - ..." (with the diff as "# " lines) and a last
# line "# passed P failed F"; the exit status is 0 only when every case passed.
#
#   --regen           rewrite the expected files from this run (inspect them before commit!)
#   MG_CLI=path       test another copy of the command (e.g. the installed one)
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
EXPECTED=$HERE/expected
CLI=${MG_CLI:-$ROOT/bin/migration_guard_check}

REGEN=
if [ "${1:-}" = --regen ]; then
    REGEN=1
    shift
fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: bash test/cli/run.sh [--regen] PORT [HOST]" >&2
    exit 2
fi
export PGPORT=$1
export PGHOST=${2:-${PGHOST:-localhost}}
unset PGDATABASE PGSERVICE PGOPTIONS PGAPPNAME
export PGCLIENTENCODING=UTF8

DB=mg_cli_test
NOEXT=mg_cli_noext
ECHO=mg_cli_echo
ROLE=regress_cli_user
OTHER=regress_cli_other # a role that owns none of the tables

T=$(mktemp -d "${TMPDIR:-/tmp}/mg_cli_test.XXXXXX") || exit 2
chmod 755 "$T"
mkdir "$T/m" "$T/out"

# psql as the administrator: quiet, stop on the first error.
sql() { # database, then psql arguments
    local db=$1
    shift
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"
}

drop_all() {
    sql postgres >/dev/null 2>&1 <<EOF
DROP DATABASE IF EXISTS $DB WITH (FORCE);
DROP DATABASE IF EXISTS $NOEXT WITH (FORCE);
DROP DATABASE IF EXISTS $ECHO WITH (FORCE);
DROP ROLE IF EXISTS $ROLE;
DROP ROLE IF EXISTS $OTHER;
EOF
}

cleanup() {
    if [ -n "${MG_KEEP:-}" ]; then
        echo "# kept $T and the databases $DB, $NOEXT, $ECHO"
    else
        drop_all
        rm -rf "$T"
    fi
}
trap cleanup EXIT

n=0
passed=0
failed=0

ok() { # description
    n=$((n + 1))
    passed=$((passed + 1))
    echo "ok $n - $1"
}

# Not in a pipeline: the counters must stay in this shell. Give the explanation with <file.
not_ok() { # description, then explanation lines on stdin
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    sed 's/^/# /'
}

# --- set-up -----------------------------------------------------------------------------

drop_all
if ! sql postgres >"$T/setup.log" 2>&1 <<EOF
CREATE DATABASE $DB ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE $NOEXT ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE $ECHO ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE ROLE $ROLE LOGIN;
CREATE ROLE $OTHER LOGIN;
ALTER DATABASE $DB SET migration_guard.large_table_threshold = '1MB';
ALTER DATABASE $DB SET migration_guard.mode = 'enforce';
\c $DB
CREATE EXTENSION migration_guard;
-- orders: about 290 kB, below the database's 1MB threshold, above --threshold 64kB
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, note text);
INSERT INTO orders SELECT g, g % 97, 'order ' || g FROM generate_series(1, 5000) g;
CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL);
-- accounts: about 1.4 MB, above the database's 1MB threshold, so an unnamed constraint added to
-- it is an error (constraint_unnamed); NOT VALID keeps that the only finding
INSERT INTO accounts SELECT g, 100 * g FROM generate_series(1, 40000) g;
ANALYZE orders;
ANALYZE accounts;
-- The role CI checks migrations as owns what they change, as the role that runs them does.
GRANT CREATE ON SCHEMA public TO $ROLE;
ALTER TABLE orders OWNER TO $ROLE;
ALTER TABLE accounts OWNER TO $ROLE;
\c $ECHO
-- A fake check() that reports what it received: md5, length in bytes and in characters,
-- and in_transaction. It proves that a file reaches the server byte for byte.
CREATE SCHEMA migration_guard;
CREATE FUNCTION migration_guard.check(migration text, in_transaction boolean DEFAULT false,
  OUT statement_no integer, OUT line integer, OUT col integer, OUT statement text,
  OUT rule text, OUT severity text, OUT relation text, OUT lock_mode text,
  OUT table_size bigint, OUT estimated_rows bigint, OUT message text, OUT detail text,
  OUT hint text)
RETURNS SETOF record LANGUAGE sql AS \$\$
  SELECT 1, 1, 1, NULL::text, 'echo', 'warning', NULL::text, NULL::text, NULL::bigint,
         NULL::bigint, md5(migration),
         octet_length(migration) || ' bytes, ' || length(migration) || ' characters, in_transaction '
         || in_transaction, NULL::text
\$\$;
EOF
then
    not_ok "set-up of the test databases" <"$T/setup.log"
    echo "# passed $passed failed $failed"
    exit 1
fi

# The migration files. Relative names, since they appear in the output.
cd "$T/m" || exit 2

cat >clean.sql <<'EOF'
-- A migration that follows the guard's advice: nothing to report.
CREATE TABLE cli_new (id bigint PRIMARY KEY, name text NOT NULL);
CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);
ALTER TABLE accounts ADD CONSTRAINT accounts_balance_nonneg CHECK (balance >= 0) NOT VALID;
EOF

cat >index.sql <<'EOF'
-- orders is about 290 kB: large only with --threshold 64kB
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
EOF

cat >constraint.sql <<'EOF'
-- an unnamed CHECK constraint added to a large table is an error
ALTER TABLE accounts ADD CHECK (balance >= 0) NOT VALID;
EOF

# Both findings; the % in the constraint reaches the hint, which GitHub needs escaped.
cat >both.sql <<'EOF'
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
ALTER TABLE accounts ADD CHECK (balance % 2 = 0) NOT VALID;
EOF
cp both.sql 'gh,dir:both.sql'

cat >syntax.sql <<'EOF'
ALTER TABLE accounts ADD COLUMN note text;

    CREAT TABLE oops (id int);
EOF

cat >rename.sql <<'EOF'
-- a rename breaks the running code: fix() keeps it, with the plan, and flags it
ALTER TABLE accounts RENAME COLUMN balance TO amount;
EOF
cat >intx.sql <<'EOF'
ALTER TABLE orders ADD COLUMN flag int;
UPDATE orders SET flag = 0 WHERE id > 0;
EOF

# Quotes, backslashes, dollar quotes, psql variables and meta-commands inside SQL text,
# CRLF line ends and characters of 2, 3 and 4 bytes before the finding on its line.
printf '%s\r\n' \
    "-- quotes 'single' \"double\", backslashes \\ and \\\\, psql-like :var :'var' :\"var\" \\i /etc/passwd \\q" \
    "COMMENT ON TABLE accounts IS 'it''s a \\ backslash, :var, \\i /etc/passwd, \$\$ and ;';" \
    "CREATE FUNCTION cli_f() RETURNS text LANGUAGE plpgsql AS \$\$" \
    "BEGIN" \
    "  RETURN 'a:b \\n \$x\$ ; ünï';" \
    "END" \
    "\$\$;" \
    "SELECT E'tab\\there', U&'\\0041', \$tag\$ \$\$ nested ; \$tag\$;" \
    "/* ünïcödé ✓ 😀 */ ALTER TABLE accounts ADD CHECK (balance <> 0) NOT VALID;" >tricky.sql

# 5 MiB of comments, then an unnamed CHECK on line 65537.
awk 'BEGIN { s = "-- padding"; while (length(s) < 79) s = s " x"; s = substr(s, 1, 79);
             for (i = 0; i < 65536; i++) print s }' >big.sql
echo 'ALTER TABLE accounts ADD CHECK (balance > 1) NOT VALID;' >>big.sql

printf "SELECT 'caf\xe9';\n" >latin1.sql
echo 'SELECT 1;' >unreadable.sql
chmod 000 unreadable.sql
mkdir adir

# --- the runner -------------------------------------------------------------------------

# Runs the command; leaves $T/out/<case>.{stdout,stderr,all} and the status in $rc.
STDIN=/dev/null
run() { # case, then the command's arguments
    local c=$1
    shift
    env PGDATABASE="$DB" "$CLI" "$@" <"$STDIN" >"$T/out/$c.stdout" 2>"$T/out/$c.stderr"
    rc=$?
    {
        cat "$T/out/$c.stdout"
        echo "--- stderr"
        cat "$T/out/$c.stderr"
        echo "--- exit status $rc"
    } >"$T/out/$c.all"
}

# A case whose whole output is compared with expected/<case>.out.
check() { # case, expected status, description, then the command's arguments
    local c=$1 want=$2 desc=$3
    shift 3
    run "$c" "$@"
    if [ -n "$REGEN" ]; then
        cp "$T/out/$c.all" "$EXPECTED/$c.out"
    fi
    if [ ! -f "$EXPECTED/$c.out" ]; then
        not_ok "$desc" <<<"no expected file test/cli/expected/$c.out (run with --regen, then inspect it)"
    elif [ "$rc" -ne "$want" ]; then
        { echo "exit status $rc, expected $want"; diff -u "$EXPECTED/$c.out" "$T/out/$c.all"; } >"$T/out/$c.why"
        not_ok "$desc" <"$T/out/$c.why"
    elif ! diff -u "$EXPECTED/$c.out" "$T/out/$c.all" >"$T/out/$c.diff"; then
        not_ok "$desc" <"$T/out/$c.diff"
    else
        ok "$desc"
    fi
}

# A case whose output depends on the machine: the status and a pattern on standard error.
check_grep() { # case, expected status, pattern (grep -E), description, then the arguments
    local c=$1 want=$2 pattern=$3 desc=$4
    shift 4
    run "$c" "$@"
    if [ "$rc" -ne "$want" ]; then
        { echo "exit status $rc, expected $want"; cat "$T/out/$c.all"; } >"$T/out/$c.why"
        not_ok "$desc" <"$T/out/$c.why"
    elif ! grep -qE -- "$pattern" "$T/out/$c.stderr"; then
        { echo "standard error does not match /$pattern/"; cat "$T/out/$c.all"; } >"$T/out/$c.why"
        not_ok "$desc" <"$T/out/$c.why"
    else
        ok "$desc"
    fi
}

# --- the cases --------------------------------------------------------------------------

# Is the real advisor installed? Every expected file with findings depends on it.
probe=$(sql "$DB" -A -t -c "SELECT count(*) FROM migration_guard.check('ALTER TABLE accounts ADD CHECK (balance > 0) NOT VALID')" 2>&1)
if [ "$probe" = 1 ]; then
    ok "migration_guard.check() reports an unnamed CHECK: the advisor is installed"
else
    not_ok "migration_guard.check() reports an unnamed CHECK: the advisor is installed" \
        <<<"check() returned '$probe' instead of one row; the outputs below with findings cannot match"
fi

check clean 0 "clean file: exit 0, nothing on standard output, the summary on standard error" clean.sql
check clean_quiet 0 "--quiet: a clean file prints nothing at all" -q clean.sql
check index_small 0 "CREATE INDEX on a table below the database's threshold (1MB): exit 0" index.sql
check index_threshold 1 "--threshold 64kB makes the same table large: create_index_blocking, exit 1" \
    --threshold 64kB index.sql
check constraint 1 "unnamed CHECK constraint: constraint_unnamed is an error, exit 1" constraint.sql

sql postgres -c "ALTER DATABASE $DB SET migration_guard.mode = 'warn'"
check warn_mode 0 "migration_guard.mode = warn for the database: both findings are warnings, exit 0" \
    --threshold 64kB both.sql
sql postgres -c "ALTER DATABASE $DB SET migration_guard.mode = 'enforce'"

check json 1 "--format json: one array with every field" --format json --threshold 64kB both.sql
if /usr/bin/python3 -c 'import json, sys; a = json.load(sys.stdin); assert isinstance(a, list) and len(a) == 2' \
    <"$T/out/json.stdout" 2>"$T/out/json.py"; then
    ok "--format json: standard output is one valid JSON array of 2 objects"
else
    not_ok "--format json: standard output is one valid JSON array of 2 objects" <"$T/out/json.py"
fi
check json_clean 0 "--format json on a clean file: []" --format json clean.sql
check github 1 "--format github: ::error commands, % : , and newlines escaped" \
    --format github --threshold 64kB 'gh,dir:both.sql'
check syntax_error 1 "syntax error: rule syntax_error at its line and column, exit 1" syntax.sql

STDIN=constraint.sql
check stdin 1 "- reads the migration from standard input (shown as <stdin>)" -
STDIN=/dev/null

check two_files 1 "two files: findings of both, one summary" --threshold 64kB index.sql constraint.sql
check tricky 1 "quotes, backslashes, \$\$, :var, \\i, CRLF and unicode: the right line, column and hint" tricky.sql
check tricky_json 1 "the same file as JSON (statement and hint keep every character)" --format json tricky.sql
if /usr/bin/python3 -c 'import json, sys; json.load(sys.stdin)' <"$T/out/tricky_json.stdout" 2>"$T/out/tricky_json.py"; then
    ok "the tricky file's JSON is valid"
else
    not_ok "the tricky file's JSON is valid" <"$T/out/tricky_json.py"
fi
check big 1 "a 5 MiB file: the finding on its last line (65537)" big.sql
check in_transaction 1 "--in-transaction: a backfill after ALTER TABLE in the same transaction is refused" \
    --in-transaction --threshold 64kB intx.sql
check no_transaction 0 "without --in-transaction the same backfill runs after the ALTER has committed" \
    --threshold 64kB intx.sql

# --fix: the safe form of each file (migration_guard.fix_script()).
check fix_index 0 "--fix: CREATE INDEX becomes CREATE INDEX CONCURRENTLY, exit 0" --fix --threshold 64kB index.sql
check fix_clean 0 "--fix on a clean file prints it as it is" --fix clean.sql
if cmp -s clean.sql "$T/out/fix_clean.stdout"; then
    ok "--fix on a clean file: byte for byte"
else
    diff clean.sql "$T/out/fix_clean.stdout" >"$T/out/fix_clean.why"
    not_ok "--fix on a clean file: byte for byte" <"$T/out/fix_clean.why"
fi
check fix_decision 1 "--fix: a statement that needs a decision is kept with a comment, exit 1" \
    --fix --threshold 64kB rename.sql index.sql
check fix_intx 0 "--fix --in-transaction: the backfill leaves the block that added the column" \
    --fix --in-transaction --threshold 64kB intx.sql
check fix_write 0 "--fix --write: NAME.safe.sql beside the file, nothing on standard output" \
    --fix --write --threshold 64kB index.sql
if cmp -s index.safe.sql "$T/out/fix_index.stdout"; then
    ok "--fix --write: index.safe.sql holds what --fix prints"
else
    { ls -l index.safe.sql; diff "$T/out/fix_index.stdout" index.safe.sql; } >"$T/out/fix_write.why" 2>&1
    not_ok "--fix --write: index.safe.sql holds what --fix prints" <"$T/out/fix_write.why"
fi
check fix_diff 0 "--fix --diff: a unified diff from the file to its safe form" --fix --diff --threshold 64kB index.sql
# the diff applied to the file gives what --fix prints
cp index.sql "$T/patched.sql"
if sed '1,2s/^\(---\|+++\) .*/\1 x/' "$T/out/fix_diff.stdout" | patch -s "$T/patched.sql" >/dev/null 2>&1 \
    && cmp -s "$T/patched.sql" "$T/out/fix_index.stdout"; then
    ok "--fix --diff: the diff applied to the file gives its safe form"
else
    { cat "$T/out/fix_diff.stdout"; diff "$T/out/fix_index.stdout" "$T/patched.sql"; } >"$T/out/fix_diff.why" 2>&1
    not_ok "--fix --diff: the diff applied to the file gives its safe form" <"$T/out/fix_diff.why"
fi
check fix_diff_clean 0 "--fix --diff on a clean file prints no diff" --fix --diff clean.sql
check diff_without_fix 2 "--diff without --fix: exit 2" --diff index.sql
check write_without_fix 2 "--write without --fix: exit 2" --write index.sql
check fix_json 2 "--fix with --format json: exit 2" --fix --format json index.sql

# Byte-exact transport, against the echo function.
for f in tricky.sql big.sql; do
    sum=$(md5sum <"$f" | cut -d' ' -f1)
    bytes=$(wc -c <"$f" | tr -d ' ')
    chars=$(LC_ALL=C.UTF-8 wc -m <"$f" | tr -d ' ')
    run "echo_$f" -d "$ECHO" --in-transaction "$f"
    printf '%s:1:1: warning: echo: %s\n  detail: %s bytes, %s characters, in_transaction true\n' \
        "$f" "$sum" "$bytes" "$chars" >"$T/out/echo_$f.want"
    if [ "$rc" -eq 0 ] && cmp -s "$T/out/echo_$f.want" "$T/out/echo_$f.stdout"; then
        ok "$f reaches the server byte for byte ($bytes bytes, md5 $sum)"
    else
        { echo "exit status $rc"; diff "$T/out/echo_$f.want" "$T/out/echo_$f.stdout"; cat "$T/out/echo_$f.stderr"; } \
            >"$T/out/echo_$f.why"
        not_ok "$f reaches the server byte for byte ($bytes bytes, md5 $sum)" <"$T/out/echo_$f.why"
    fi
done

check latin1 2 "a file that is not UTF-8: that file is reported, the others checked, exit 2" latin1.sql clean.sql
if [ "$(id -u)" -eq 0 ]; then
    ok "unreadable file: exit 2 # SKIP root can read a file with mode 000"
else
    check unreadable 2 "unreadable file: exit 2 before anything is checked" unreadable.sql clean.sql
fi
check missing 2 "missing file: exit 2" no_such_file.sql
check directory 2 "a directory: exit 2" adir
check unknown_option 2 "unknown option: exit 2 with a usage message" --frobnicate clean.sql
check bad_format 2 "--format xml: exit 2" --format xml clean.sql
check no_files 2 "no files: exit 2" --format text
check_grep unreachable 2 '^migration_guard_check: cannot connect to the database: ' \
    "unreachable server: exit 2" -d "host=127.0.0.1 port=1 connect_timeout=5 dbname=$DB" clean.sql
check_grep unreachable_github 2 '^migration_guard_check: cannot connect to the database: ' \
    "unreachable server with --format github: exit 2" --format github -p 1 --host /nonexistent clean.sql
if grep -q '^::error title=migration_guard_check::cannot connect to the database: ' "$T/out/unreachable_github.stdout"; then
    ok "unreachable server with --format github: an ::error command on standard output"
else
    not_ok "unreachable server with --format github: an ::error command on standard output" <"$T/out/unreachable_github.all"
fi
check no_extension 2 "database without the extension: exit 2, says to run CREATE EXTENSION" -d "$NOEXT" clean.sql
check threshold_not_superuser 2 "--threshold as a non-superuser: exit 2, only a superuser may change it" \
    -U "$ROLE" --threshold 64kB clean.sql
check not_superuser 0 "a non-superuser without --threshold can check" -U "$ROLE" clean.sql
check not_owner 1 "a role that could not run the migration gets PostgreSQL's permission errors, no verdict" -U "$OTHER" clean.sql
check threshold_bad_unit 2 "--threshold 10XB: exit 2 with the server's hint" --threshold 10XB clean.sql
run version --version
if [ "$rc" -eq 0 ] && grep -qx 'migration_guard_check [0-9][0-9.]*' "$T/out/version.stdout"; then
    ok "--version prints the name and version, exit 0"
else
    not_ok "--version prints the name and version, exit 0" <"$T/out/version.all"
fi
run help --help
if [ "$rc" -eq 0 ] && grep -q '^Usage: migration_guard_check \[options\] FILE\.\.\.' "$T/out/help.stdout"; then
    ok "--help: usage on standard output, exit 0"
else
    not_ok "--help: usage on standard output, exit 0" <"$T/out/help.all"
fi

[ -z "$REGEN" ] || echo "# --regen: rewrote the expected files in $EXPECTED; inspect them (git diff) before committing"
echo "# passed $passed failed $failed"
[ "$failed" -eq 0 ]
