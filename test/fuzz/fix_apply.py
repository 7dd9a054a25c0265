#!/usr/bin/python3
"""Property 2 of migration_guard.fix() over generated migrations (gen.py), issue 17: fix(m) and m
leave the same schema and the same rows.

    /usr/bin/python3 test/fuzz/fix_apply.py --host /tmp/x --port 5432 --pg-bin /usr/lib/postgresql/15/bin \
        --template mg_fixtpl --texts 60 --seed 1 --known test/fuzz/fix_apply_known.txt

The template database holds schema.sql and the extension, with a large_table_threshold under
which big and most fixture tables are large (small, products and the new tables are not). For
each generated migration m (30% with in_transaction => true, as Alembic and Django run one):

  - f = fix_script(m, in_transaction), judged in a copy of the template that nothing changes; when f = m there is nothing to
    prove (counted as "unchanged");
  - a copy B (CREATE DATABASE ... TEMPLATE) runs m with psql, the guard off
    (SET migration_guard.mode = 'off'), ON_ERROR_STOP, as one transaction (psql -1) when
    in_transaction. When PostgreSQL itself rejects m (a generated text may name what does not
    exist, or run CONCURRENTLY in a block), the text proves nothing and is counted as "m fails";
  - a copy A runs f with psql as fix_script prints it (its BEGIN/COMMIT, the autocommit steps
    outside), with the guard enforcing, except the statements fix() flags "needs a decision",
    which fix() keeps as written and which run with the guard off around them. A step the guard
    still refuses (MG001: a gap of property 1, which fix_oracle.py counts) is reported, and f is
    run again on a new copy with the guard off, so that property 2 is still judged;
  - A and B must then have the same `pg_dump --schema-only` (comments, SET lines and blank lines
    left out; an index that fix() adds of its own accord for a foreign key, which m does not have,
    is taken out of A's dump) and the same rows: for every table, an md5 of its rows in order,
    where a column whose values PostgreSQL draws anew on each run (a volatile or time default,
    a sequence, an identity; a uuid, a float or a time when the text calls gen_random_uuid(),
    random() or now() and its kin) is compared by whether it is NULL only.

A failure is: f fails in PostgreSQL where m did not, or the schemas or rows differ. Each is
printed with m, f and the diff, and fails the run unless its signature matches a line of the known
failures file (a regular expression, a tab, why; see fix_apply_known.txt). A text m leaves inside
an open transaction block (psql rolls it back at the end of the file) is a failure of its own
kind, "open block". The last line
reads "fix_apply: ... PASS" or "... FAIL"; the exit status is 1 on a failure.
"""
import argparse
import difflib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

# Columns whose values a run draws anew are compared by NULL or not: a column of one of these
# types when the text calls one of the functions that draw its values, ...
DRAWN_TYPES = {
    "timestamp with time zone": re.compile(r"now\(|clock_timestamp|statement_timestamp|current_timestamp", re.I),
    "timestamp without time zone": re.compile(r"now\(|clock_timestamp|statement_timestamp|current_timestamp", re.I),
    "uuid": re.compile(r"gen_random_uuid", re.I),
    "double precision": re.compile(r"random\(", re.I),
}
# ... a column whose default draws them, and a column the text gives such a default or an
# identity (the values a sequence hands out depend on the order rows are visited in).
DRAWN_DEFAULT = re.compile(r"nextval|now\(\)|clock_timestamp|statement_timestamp|random|gen_random_uuid|current_")
DRAWN_IN_TEXT = re.compile(r"(?:ADD COLUMN (?:IF NOT EXISTS )?|[(,]\s*)(\w+)\s+[\w ()\[\].]*?(?:DEFAULT\s+[^,;]*?(?:nextval|now\(\)|clock_timestamp|"
                           r"statement_timestamp|random|gen_random_uuid)|\bserial\b|AS IDENTITY)", re.I)
SET_DRAWN = re.compile(r"SET\s+(\w+)\s*=\s*(?:now\(\)|gen_random_uuid\(\))", re.I)


class Run:
    def __init__(self, args):
        self.args = args
        self.admin = psycopg2.connect(host=args.host, port=args.port, user=args.user, dbname="postgres")
        self.admin.autocommit = True
        with self.admin.cursor() as c:
            c.execute("SET client_min_messages = error")
            c.execute("SET migration_guard.mode = 'off'")  # DROP DATABASE draws a warning
        # fix() judges in a copy: a template may have no session on it while it is copied
        self.copy("mg_fix_judge")
        self.tpl = self.connect("mg_fix_judge")
        self.tmp = tempfile.mkdtemp(prefix="fix_apply.")

    def connect(self, db):
        conn = psycopg2.connect(host=self.args.host, port=self.args.port, user=self.args.user, dbname=db)
        conn.autocommit = True
        with conn.cursor() as c:
            c.execute("SET client_min_messages = error")
            c.execute("SET statement_timeout = '120s'")
        return conn

    def admin_sql(self, sql):
        with self.admin.cursor() as c:
            c.execute(sql)

    def copy(self, name):
        self.admin_sql("DROP DATABASE IF EXISTS %s" % name)
        self.admin_sql("CREATE DATABASE %s TEMPLATE %s" % (name, self.args.template))
        # a database's settings do not come with the copy
        self.admin_sql("ALTER DATABASE %s SET migration_guard.large_table_threshold = '%s'" % (name, self.args.threshold))

    def drop(self, name):
        self.admin_sql("DROP DATABASE IF EXISTS %s" % name)

    def psql(self, db, text, single=False):
        path = os.path.join(self.tmp, "script.sql")
        with open(path, "w") as f:
            f.write(text)
        cmd = [os.path.join(self.args.pg_bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose", "-h", self.args.host,
               "-p", str(self.args.port), "-U", self.args.user, "-d", db, "-f", path]
        if single:
            cmd.insert(1, "-1")
        env = dict(os.environ, PGOPTIONS="-c client_min_messages=error -c statement_timeout=120s")
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, universal_newlines=True)
        return p.returncode, p.stdout

    def dump(self, db):
        cmd = [os.path.join(self.args.pg_bin, "pg_dump"), "--schema-only", "--no-owner", "--no-privileges",
               "-h", self.args.host, "-p", str(self.args.port), "-U", self.args.user, "-d", db]
        out = subprocess.run(cmd, stdout=subprocess.PIPE, check=True, universal_newlines=True).stdout
        return [l for l in out.splitlines()
                if l and not l.startswith(("--", "SET ", "\\restrict", "\\unrestrict")) and "set_config" not in l]

    def rows(self, db, drawn, text):
        conn = self.connect(db)
        out = []
        try:
            with conn.cursor() as c:
                c.execute("""SELECT c.oid::regclass::text, a.attname, format_type(a.atttypid, a.atttypmod),
                                    a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid) ~ %s, false)
                               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                               LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
                              WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                                AND n.nspname !~ '^pg_toast' AND n.nspname <> 'migration_guard'
                              ORDER BY 1, a.attnum""", (DRAWN_DEFAULT.pattern,))
                tables = {}
                for rel, col, ty, volatile in c.fetchall():
                    d = volatile or col in drawn or (ty in DRAWN_TYPES and DRAWN_TYPES[ty].search(text))
                    expr = '(%s IS NULL)' % quote_ident(col) if d else '%s::text' % quote_ident(col)
                    tables.setdefault(rel, []).append(expr)
                for rel, exprs in sorted(tables.items()):
                    c.execute("SELECT count(*), md5(string_agg(r, E'\\n' ORDER BY r)) FROM "
                              "(SELECT ROW(%s)::text AS r FROM ONLY %s) s" % (", ".join(exprs), rel))
                    n, h = c.fetchone()
                    out.append("%s: %d rows %s" % (rel, n, h))
        finally:
            conn.close()
        return out


def quote_ident(name):
    return '"%s"' % name.replace('"', '""')


def norm_dump(lines, fix_indexes, other):
    """Takes out of one dump the indexes fix() added of its own accord (absent from the other)."""
    out = []
    for l in lines:
        m = re.match(r"CREATE (?:UNIQUE )?INDEX (\S+) ON ", l)
        if m and m.group(1) in fix_indexes and not any((" %s ON " % m.group(1)) in o for o in other):
            continue
        out.append(l)
    return out


def object_keys(lines):
    """name -> what it is, for the indexes and constraints of a dump, without their names: the
    definition after the name, with the table the constraint is on."""
    keys, table = {}, None
    for l in lines:
        if l.startswith(("CREATE TABLE ", "ALTER TABLE ")):
            table = l.split()[-2] if l.endswith("(") else l.split()[-1]
        m = re.match(r"CREATE (UNIQUE )?INDEX (\S+) (ON .*)", l)
        if m:
            keys[m.group(2)] = "index %s%s" % (m.group(1) or "", m.group(3))
        m = re.match(r"\s+(?:ADD )?CONSTRAINT (\S+) (.*?),?$", l)
        if m:
            keys[m.group(1)] = "constraint on %s %s" % (table, m.group(2))
    return keys


def unchosen_names(da, db, m):
    """The renames that make A's names of indexes and constraints the ones B has, where the two
    differ and the user chose neither (m does not name it): PostgreSQL generated B's, fix() A's."""
    ka, kb = object_keys(da), object_keys(db)
    by_key = {}
    for n, k in kb.items():
        by_key.setdefault(k, []).append(n)
    renames = {}
    for n, k in ka.items():
        if n in kb or re.search(r"\b%s\b" % re.escape(n), m):
            continue
        cands = [x for x in by_key.get(k, []) if x not in ka and not re.search(r"\b%s\b" % re.escape(x), m)]
        if len(cands) == 1:
            renames[n] = cands[0]
    return renames


def signature(kind, detail):
    """A short name for a failure, without the text's own numbers, for the known-failures list."""
    if kind == "f fails":
        err = re.search(r"ERROR:  (\w+: .*)", detail)
        first = err.group(1) if err else detail.strip()[:80]
    else:
        first = next((l for l in detail.splitlines() if l.startswith(("+", "-")) and not l.startswith(("+++", "---"))),
                     "")
    first = re.sub(r"\b[0-9a-f]{32}\b", "<md5>", first)
    first = re.sub(r"\d+ rows", "N rows", first)
    return "%s: %s" % (kind, first.strip()[:160])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", default="postgres")
    ap.add_argument("--pg-bin", required=True)
    ap.add_argument("--template", required=True)
    ap.add_argument("--threshold", default="64kB", help="migration_guard.large_table_threshold of the copies")
    ap.add_argument("--texts", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-statements", type=int, default=6)
    ap.add_argument("--known", help="known failures: 'signature<TAB>explanation' a line")
    ap.add_argument("--show", type=int, default=5, help="failing texts printed whole")
    args = ap.parse_args()

    known = {}  # regular expression over the signature -> why
    if args.known and os.path.exists(args.known):
        for line in open(args.known):
            if line.strip() and not line.startswith("#"):
                sig, _, why = line.rstrip("\n").partition("\t")
                if not why.strip():
                    sys.exit("%s: every known failure needs its explanation after a tab: %s" % (args.known, line))
                known[sig.strip()] = why.strip()

    run = Run(args)
    rng = random.Random(args.seed)
    base = gen.catalog_base(run.tpl)
    generator = gen.Generator(rng, base)
    counts = {"unchanged": 0, "m fails": 0, "compared": 0, "same": 0, "refused": 0, "unchosen names": 0}
    renamed_examples = []
    failures, known_seen, refused_rules, m_errors = [], {}, {}, {}
    shown = [0]
    t0 = time.time()

    def report(problem, i, in_tx, m, f):
        sig = signature(*problem)
        hit = next((k for k in known if re.search(k, sig)), None)
        if hit:
            known_seen[hit] = known_seen.get(hit, 0) + 1
        else:
            failures.append(sig)
        if shown[0] < args.show and not hit:
            shown[0] += 1
            print("# %s (text %d, in_transaction %s)\n# --- m\n%s\n# --- fix(m)\n%s\n# --- diff or error\n%s" % (
                sig, i, in_tx, "\n".join("#   " + l for l in m.splitlines()),
                "\n".join("#   " + l for l in f.splitlines()),
                "\n".join("#   " + l for l in problem[1].splitlines()[:40])))

    for i in range(1, args.texts + 1):
        generator.carry = None  # each text starts from the fixture: no continuation of the last one
        m = generator.text(args.max_statements)
        in_tx = rng.random() < 0.3
        with run.tpl.cursor() as c:
            c.execute("SELECT sql, reason FROM migration_guard.fix(%s, %s)", (m, in_tx))
            steps = c.fetchall()
            c.execute("SELECT migration_guard.fix_script(%s, %s)", (m, in_tx))
            f = c.fetchone()[0]
        if f == m:
            counts["unchanged"] += 1
            continue
        run.copy("mg_fix_b")
        # in a transaction block, now() (its start) is before statement_timestamp(): psql rolls
        # back a block the text leaves open when the file ends
        rc, out = run.psql("mg_fix_b", "SET migration_guard.mode = 'off';\n" + m + "\n;SELECT now() <> statement_timestamp() "
                           "AS open_block \\gset\n\\echo open_block=:open_block\n", single=in_tx)
        if rc != 0:
            counts["m fails"] += 1
            err = re.search(r"ERROR:  \w+: (.*)", out)
            why = re.sub(r'"[^"]*"', '"…"', err.group(1) if err else out.strip()[:80])
            m_errors[why] = m_errors.get(why, 0) + 1
            run.drop("mg_fix_b")
            continue
        if not in_tx and "open_block=t" in out:
            problem = ("open block", "m leaves a transaction block open at its end")
            report(problem, i, in_tx, m, f)
            run.drop("mg_fix_b")
            continue
        counts["compared"] += 1
        # the flagged statements (kept as written) run with the guard off around them
        script = f
        for sql, reason in steps:
            if reason and reason.startswith("needs a decision") and sql in script:
                script = script.replace(sql, "SET migration_guard.mode = 'off';\n%s\nSET migration_guard.mode = 'enforce';"
                                        % sql, 1)
        run.copy("mg_fix_a")
        rc, out_a = run.psql("mg_fix_a", script)
        problem = None
        if rc != 0 and "ERROR:  MG001" in out_a:
            rule = (re.search(r"Rule (\w+):", out_a) or re.search("()", "")).group(1) or "?"
            refused_rules[rule] = refused_rules.get(rule, 0) + 1
            counts["refused"] += 1
            at = re.search(r"script\.sql:(\d+): ERROR", out_a)
            line = script.splitlines()[int(at.group(1)) - 1] if at else "?"
            print("# refused (text %d, in_transaction %s): rule %s at: %s" % (i, in_tx, rule, line.strip()[:200]))
            run.copy("mg_fix_a")
            rc, out_a = run.psql("mg_fix_a", "SET migration_guard.mode = 'off';\n" + f)
        if rc != 0:
            problem = ("f fails", out_a.strip())
        else:
            drawn = {x.group(1) for x in DRAWN_IN_TEXT.finditer(m + f)} | {x.group(1) for x in SET_DRAWN.finditer(m + f)}
            # the index fix() adds for a foreign key (the step of a foreign_key_* rule that creates it)
            fix_idx = {x.group(1) for sql, reason in steps if reason and "foreign_key" in reason
                       for x in re.finditer(r"CREATE (?:UNIQUE )?INDEX CONCURRENTLY (?:IF NOT EXISTS )?"
                                            r"(?:\w+\.)?(\w+)", sql)}
            da, db = run.dump("mg_fix_a"), run.dump("mg_fix_b")
            da = norm_dump(da, fix_idx, db)
            renames = unchosen_names(da, db, m)
            if renames:
                counts["unchosen names"] += 1
                if len(renamed_examples) < 5:
                    renamed_examples.append("text %d: %s" % (i, ", ".join("%s (fix()) = %s (PostgreSQL)" % kv
                                                                         for kv in sorted(renames.items()))))
                pat = re.compile(r"\b(%s)\b" % "|".join(re.escape(n) for n in renames))
                da = [pat.sub(lambda x: renames[x.group(1)], l) for l in da]
            ra, rb = run.rows("mg_fix_a", drawn, m + f), run.rows("mg_fix_b", drawn, m + f)
            diff = list(difflib.unified_diff(db + rb, da + ra, "m (guard off)", "fix(m) (guard enforcing)", n=2,
                                             lineterm=""))
            if diff:
                kind = "schema differs" if db != da else "rows differ"
                problem = (kind, "\n".join(diff))
            else:
                counts["same"] += 1
        run.drop("mg_fix_a")
        run.drop("mg_fix_b")
        if problem:
            report(problem, i, in_tx, m, f)
        if i % 20 == 0:
            print("  %d texts, %d compared, %d failures" % (i, counts["compared"], len(failures)), flush=True)
    run.tpl.close()
    run.drop("mg_fix_judge")
    shutil.rmtree(run.tmp, ignore_errors=True)
    for k in sorted(known):
        print("# known failure %s: %d texts (%s)" % (k, known_seen.get(k, 0), known[k]))
    print("# " + ", ".join("%s %d" % kv for kv in counts.items()) + "; known failures seen: %d" % sum(known_seen.values()))
    print("# PostgreSQL's errors in m (guard off), the texts left out: %s"
          % ", ".join("%s %d" % kv for kv in sorted(m_errors.items(), key=lambda kv: -kv[1])[:8]))
    print("# names the user did not choose, where fix()'s differ from PostgreSQL's (taken as equal): %s"
          % ("; ".join(renamed_examples) or "none"))
    print("# refused by the guard (property 1's gaps, run again with the guard off): %s"
          % (", ".join("%s %d" % kv for kv in sorted(refused_rules.items(), key=lambda kv: -kv[1])) or "none"))
    print("fix_apply: %d texts, seed %d, %.0f s, %d compared, %d same: %d failures: %s"
          % (args.texts, args.seed, time.time() - t0, counts["compared"], counts["same"], len(failures),
             "PASS" if not failures else "FAIL"))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
