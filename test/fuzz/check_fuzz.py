#!/usr/bin/python3
"""Fuzzer for migration_guard.check() and, through an unprivileged session, for the hooks.

    /usr/bin/python3 test/fuzz/check_fuzz.py --inputs 100000 --seed 1 \
        --dsn "host=/tmp/x port=5432 user=postgres dbname=mg_fuzz" \
        --ascii-dsn "host=/tmp/x port=5432 user=postgres dbname=mg_fuzz_ascii" \
        --exec-dsn "host=/tmp/x port=5432 user=mg_fuzz_exec dbname=mg_fuzz"

test/fuzz/run.sh sets up the databases (schema.sql, the extension, a low threshold) and runs it.

Inputs are built from the regress corpus (every statement of test/regress/sql/*.sql, and whole files) and
from test/fuzz/statements.sql (every statement kind of PostgreSQL's grammar), then mutated:
byte replacements and bit flips, truncation, splices of two inputs, inserted SQL tokens,
repeated slices, deep nesting (up to 200000 levels), statements of about 1 MB, invalid UTF-8
and random bytes. Each input goes to check() (with in_transaction true or false), in the UTF8
database when it is valid UTF-8, else in the SQL_ASCII database, which is the only way bytes
that are not UTF-8 reach check() as text. Every --exec-every'th input is also *run* by a role
that can read but not change anything (no CREATE, no TEMP, SELECT only), in a transaction that
is rolled back, so that the ProcessUtility and ExecutorStart hooks judge it for real (the guard
decides before PostgreSQL checks privileges).

A crash is a lost connection: the input is saved under --crash-dir and the fuzzer reconnects.
Memory: the check() backend's RSS (/proc) and the total of pg_backend_memory_contexts are
sampled every --sample inputs; the growth from the first sample to the last must stay under
--max-growth-mb. The last line is a summary; the exit status is 1 on any crash or excess growth.
"""
import argparse
import glob
import os
import random
import re
import sys
import threading
import time

import psycopg2

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TOKENS = [
    b"(", b")", b"((", b"))", b",", b";", b"'", b'"', b"$$", b"$a$", b"E'\\", b"U&'\\0041'", b"/*", b"*/",
    b"--", b"\n", b"\\", b"::", b"[", b"]", b"CONCURRENTLY", b"NOT VALID", b"ONLY", b"CASCADE", b"IF EXISTS",
    b"IF NOT EXISTS", b"USING INDEX", b"PARTITION", b"DEFAULT", b"NULL", b"NOT NULL", b"UNIQUE", b"PRIMARY KEY",
    b"REFERENCES orders (id)", b"CHECK (", b"CONSTRAINT", b"BEGIN;", b"COMMIT;", b"ROLLBACK;", b"SAVEPOINT a;",
    b"ROLLBACK TO a;", b"ALTER TABLE orders", b"CREATE INDEX ON orders (note);", b"DROP TABLE orders;",
    b"UPDATE orders SET total = 0;", b"CREATE TABLE orders (", b"events", b"sales_by_day", b"customers",
    b"public.", b"pg_catalog.", b"migration_guard.", b"WHERE", b"RETURNING *", b"WITH x AS (", b"SELECT",
    b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xf0\x9f\x98\x80", b"\xed\xa0\x80", b"\t", b"\r\n", b" " * 64,
    b"9" * 40, b"-2147483649", b"1e999999", b"x" * 70, b'"' + b"y" * 100 + b'"',
]


def load_corpus():
    stmts, files = [], []
    for path in sorted(glob.glob(os.path.join(ROOT, "test", "regress", "sql", "*.sql"))):
        text = open(path, "rb").read()
        files.append(text)
        for part in re.split(rb";[ \t]*\n", text):
            if part.strip():
                stmts.append(part.strip() + b";")
    kinds = open(os.path.join(ROOT, "test", "fuzz", "statements.sql"), "rb").read()
    for part in re.split(rb"\n--\n", kinds):
        lines = [l for l in part.split(b"\n") if l.strip() and not l.startswith(b"-- ")]
        if lines:
            stmts.append(b"\n".join(lines))
    return stmts, files


class Mutator:
    def __init__(self, rng, stmts, files):
        self.rng, self.stmts, self.files = rng, stmts, files

    def base(self):
        r = self.rng.random()
        if r < 0.05:
            return self.rng.choice(self.files)
        if r < 0.15:  # a little migration: several statements in a row
            return b"\n".join(self.rng.choice(self.stmts) for _ in range(self.rng.randint(2, 8)))
        return self.rng.choice(self.stmts)

    # --- the mutations --------------------------------------------------------------------------
    def as_is(self, s):
        return s

    def byte_flips(self, s):
        b = bytearray(s or b" ")
        for _ in range(self.rng.randint(1, 8)):
            i = self.rng.randrange(len(b))
            if self.rng.random() < 0.5:
                b[i] = self.rng.randint(1, 255)
            else:
                b[i] ^= 1 << self.rng.randrange(8)
        return bytes(b)

    def truncate(self, s):
        return s[: self.rng.randrange(len(s) + 1)]

    def splice(self, s):
        t = self.base()
        return s[: self.rng.randrange(len(s) + 1)] + t[self.rng.randrange(len(t) + 1):]

    def insert_tokens(self, s):
        for _ in range(self.rng.randint(1, 6)):
            i = self.rng.randrange(len(s) + 1)
            s = s[:i] + b" " + self.rng.choice(TOKENS) + b" " + s[i:]
        return s

    def repeat_slice(self, s):
        if not s:
            return s
        i = self.rng.randrange(len(s))
        j = min(len(s), i + self.rng.randint(1, 40))
        return s[:i] + s[i:j] * self.rng.randint(2, 2000) + s[j:]

    def deep_nesting(self, s):
        n = self.rng.choice([10, 100, 1000, 5000, 20000, 200000])
        kind = self.rng.randrange(6)
        if kind == 0:
            return b"SELECT " + b"(" * n + b"1" + b")" * n + b";"
        if kind == 1:
            return b"ALTER TABLE orders ADD CONSTRAINT c CHECK (" + b"(" * n + b"total > 0" + b")" * n + b") NOT VALID;"
        if kind == 2:
            return b"CREATE INDEX ON orders ((" + b"abs(" * n + b"total" + b")" * n + b"));"
        if kind == 3:
            return b"UPDATE orders SET total = " + b"-" * n + b"1;"
        if kind == 4:
            return b"CREATE SCHEMA s " + b"CREATE TABLE t (a int) " * min(n, 20000) + b";"
        return b"SELECT ARRAY" + b"[" * n + b"1" + b"]" * n + b";"

    def one_megabyte(self, s):
        kind = self.rng.randrange(7)
        mb = 1 << 20
        if kind == 0:
            return b"ALTER TABLE orders " + b", ".join(b"ADD COLUMN c%d int" % i for i in range(60000)) + b";"
        if kind == 1:
            return b"ALTER TABLE orders ADD COLUMN big text DEFAULT '" + b"x" * mb + b"';"
        if kind == 2:
            return b"CREATE INDEX " + b"i" * mb + b" ON orders (note);"
        if kind == 3:
            return b"CREATE INDEX ON orders (note);\n" * (mb // 31)
        if kind == 4:
            return b"UPDATE orders SET total = 0 WHERE id IN (" + b",".join(b"%d" % i for i in range(150000)) + b");"
        if kind == 5:
            return b"/* " + b"z" * mb + b" */ CREATE INDEX ON orders (total);"
        return (s + b"\n") * max(1, mb // (len(s) + 1))

    def invalid_utf8(self, s):
        bad = [b"\xff", b"\xfe", b"\xc0\xaf", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"]
        for _ in range(self.rng.randint(1, 5)):
            i = self.rng.randrange(len(s) + 1)
            s = s[:i] + self.rng.choice(bad) + s[i:]
        return s

    def random_bytes(self, s):
        return bytes(self.rng.randint(1, 255) for _ in range(self.rng.randint(0, 4000)))

    MUTATIONS = [
        ("as_is", 6), ("byte_flips", 20), ("truncate", 12), ("splice", 12), ("insert_tokens", 20),
        ("repeat_slice", 8), ("deep_nesting", 4), ("one_megabyte", 1), ("invalid_utf8", 10), ("random_bytes", 3),
    ]

    def next(self):
        names = [m for m, _ in self.MUTATIONS]
        weights = [w for _, w in self.MUTATIONS]
        name = self.rng.choices(names, weights)[0]
        s = getattr(self, name)(self.base())
        if name not in ("one_megabyte", "deep_nesting") and self.rng.random() < 0.3:
            s = getattr(self, self.rng.choice(["byte_flips", "insert_tokens", "truncate"]))(s)
        return name, s.replace(b"\x00", b" ")


def dollar_quote(s, rng):
    while True:
        tag = b"$f%d$" % rng.randrange(10**9)
        if tag not in s:
            return tag + s + tag


def is_utf8(s):
    try:
        s.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


class Session:
    """One connection; remembers how to come back after a crash."""

    def __init__(self, dsn, setup):
        self.dsn, self.setup = dsn, setup
        self.conn = None
        self.connect()

    def connect(self):
        for attempt in range(60):
            try:
                self.conn = psycopg2.connect(self.dsn)
                self.conn.autocommit = True
                with self.conn.cursor() as c:
                    for q in self.setup:
                        c.execute(q)
                    c.execute("SELECT pg_backend_pid()")
                    self.pid = c.fetchone()[0]
                return
            except psycopg2.OperationalError:
                time.sleep(1)  # the server may be restarting after a crash
        raise SystemExit("cannot reconnect to " + self.dsn)

    def run(self, query, deadline=None):
        """Returns (outcome, sqlstate): ok, error (PostgreSQL refused it: fine) or crash.
        With a deadline (seconds), the query is cancelled when it runs longer: statement_timeout
        applies to each statement of a multi-statement text, not to the whole text."""
        self.rows = []
        timer = threading.Timer(deadline, self.conn.cancel) if deadline else None
        if timer:
            timer.start()
        try:
            return self._run(query)
        finally:
            if timer:
                timer.cancel()

    def _run(self, query):
        try:
            self.rows = []
            with self.conn.cursor() as c:
                c.execute(query)
                if c.description:
                    self.rows = c.fetchall()
            return "ok", None
        except psycopg2.Error as e:
            if self.alive():
                return "error", e.pgcode or "?"
            self.connect()
            return "crash", None
        except Exception as e:  # e.g. a message that cannot be decoded
            if self.alive():
                return "error", type(e).__name__
            self.connect()
            return "crash", None

    def alive(self):
        if self.conn.closed:
            return False
        try:
            with self.conn.cursor() as c:
                c.execute("ROLLBACK")  # an input that began a transaction and failed in it
                c.execute("SELECT 1")
            return True
        except Exception:
            return False


def rss_kb(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsn", required=True, help="UTF8 database with the extension and schema.sql")
    ap.add_argument("--ascii-dsn", required=True, help="SQL_ASCII database, same set-up")
    ap.add_argument("--exec-dsn", help="the unprivileged role, UTF8 database")
    ap.add_argument("--exec-every", type=int, default=2)
    ap.add_argument("--inputs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sample", type=int, default=500)
    ap.add_argument("--max-growth-mb", type=int, default=64)
    ap.add_argument("--crash-dir", default="fuzz_crashes")
    ap.add_argument("--show-contexts", action="store_true",
                    help="at each sample, print the check() backend's largest memory contexts")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    stmts, files = load_corpus()
    mut = Mutator(rng, stmts, files)
    setup = ["SET statement_timeout = '30s'", "SET client_min_messages = error"]
    utf8 = Session(args.dsn, setup + ["SET client_encoding = 'UTF8'"])
    ascii_ = Session(args.ascii_dsn, setup + ["SET client_encoding = 'SQL_ASCII'"])
    execs = Session(args.exec_dsn, ["SET statement_timeout = '5s'", "SET client_min_messages = error"]) \
        if args.exec_dsn else None

    # The detector must be able to fail: a session whose backend is killed must count as a crash.
    victim = Session(args.dsn, [])
    with utf8.conn.cursor() as c:
        c.execute("SELECT pg_terminate_backend(%s)", (victim.pid,))
    time.sleep(0.5)
    if victim.run("SELECT 1")[0] != "crash":
        raise SystemExit("check_fuzz: a killed backend was not detected as a crash")
    victim.conn.close()

    counts, states, rules, crashes = {}, {}, {}, 0
    exec_counts = {"ok": 0, "error": 0, "crash": 0}
    samples = []
    total_bytes = 0
    t0 = time.time()
    for i in range(args.inputs):
        name, text = mut.next()
        total_bytes += len(text)
        counts[name] = counts.get(name, 0) + 1
        in_tx = b"true" if rng.random() < 0.5 else b"false"
        # Every column is read, so that each message, detail and hint is built and sent.
        query = (b"SELECT rule, count(*), sum(length(concat(statement, message, detail, hint, relation, lock_mode)))"
                 b" FROM migration_guard.check(" + dollar_quote(text, rng) + b", " + in_tx + b") GROUP BY rule")
        session = utf8 if is_utf8(text) else ascii_
        outcome, state = session.run(query)
        for rule, n, _ in session.rows:
            rules[rule] = rules.get(rule, 0) + n
        if outcome == "error":
            states[state] = states.get(state, 0) + 1
        if outcome == "crash":
            crashes += 1
            os.makedirs(args.crash_dir, exist_ok=True)
            with open(os.path.join(args.crash_dir, "check_%d.sql" % i), "wb") as f:
                f.write(text)
            print("CRASH in check() on input %d (%s), saved" % (i, name), flush=True)

        if execs and is_utf8(text) and len(text) < (2 << 20) and i % args.exec_every == 0:
            outcome, _ = execs.run(b"BEGIN;\n" + text + b"\n;ROLLBACK;", deadline=10)
            if outcome == "ok":
                execs.run(b"ROLLBACK")  # the input may have left a transaction block open
            exec_counts[outcome] += 1
            if outcome == "crash":
                crashes += 1
                os.makedirs(args.crash_dir, exist_ok=True)
                with open(os.path.join(args.crash_dir, "exec_%d.sql" % i), "wb") as f:
                    f.write(text)
                print("CRASH running input %d (%s), saved" % (i, name), flush=True)

        if (i + 1) % args.sample == 0 or i + 1 == args.inputs:
            with utf8.conn.cursor() as c:
                c.execute("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")
                ctx = int(c.fetchone()[0])
            samples.append((i + 1, rss_kb(utf8.pid), ctx))
            if args.show_contexts:
                with utf8.conn.cursor() as c:
                    c.execute("SELECT name, coalesce(ident, ''), parent, total_bytes FROM pg_backend_memory_contexts"
                              " ORDER BY total_bytes DESC LIMIT 6")
                    for row in c.fetchall():
                        print("    context %s %s (in %s): %d bytes" % row, flush=True)
            print("%7d inputs, %5.0f s, %d crashes, check() backend RSS %d kB, memory contexts %d kB"
                  % (i + 1, time.time() - t0, crashes, samples[-1][1], ctx // 1024), flush=True)

    elapsed = time.time() - t0
    first, last = samples[0], samples[-1]
    peak_rss = max(s[1] for s in samples)
    growth_rss_mb = (last[1] - first[1]) / 1024.0
    growth_ctx_mb = (last[2] - first[2]) / 1048576.0
    print("mutations: " + ", ".join("%s %d" % (k, counts[k]) for k in sorted(counts)))
    print("check() refused by PostgreSQL (SQLSTATE: count): "
          + ", ".join("%s %d" % (k, states[k]) for k in sorted(states, key=lambda k: -states[k])))
    print("check() findings (rule: count): "
          + ", ".join("%s %d" % (k, rules[k]) for k in sorted(rules, key=lambda k: -rules[k])))
    if execs:
        print("executed as the unprivileged role: %(ok)d ran, %(error)d failed, %(crash)d crashes" % exec_counts)
    print("memory: RSS %d kB after %d inputs, %d kB after %d (peak %d kB); memory contexts %d kB -> %d kB"
          % (first[1], first[0], last[1], last[0], peak_rss, first[2] // 1024, last[2] // 1024))
    bad = crashes > 0 or growth_rss_mb > args.max_growth_mb or growth_ctx_mb > args.max_growth_mb
    print("check_fuzz: %d inputs (%.1f MB), seed %d, %.0f s, %d crashes, RSS growth %.1f MB, "
          "context growth %.1f MB: %s" % (args.inputs, total_bytes / 1048576.0, args.seed, elapsed, crashes,
                                         growth_rss_mb, growth_ctx_mb, "FAIL" if bad else "PASS"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
