#!/usr/bin/python3
"""Session-state oracle for migration_guard.check(): nothing one call simulates may reach another.

    /usr/bin/python3 test/fuzz/session_oracle.py --dsn "host=/tmp/x port=5432 user=postgres dbname=mg_oracle" \
        --texts 20000 --seed 1 --fail-dir oracle_failures

One long-lived session judges many generated migrations (gen.py) with check(). For each text,
its findings there are compared with the findings of the same text in a fresh connection
(a backend that has never run check()) and with a second call in the long session right after
the first. The rows are compared whole and in order: statement_no, rule, severity, relation,
lock_mode, table_size, estimated_rows, message, detail and hint (the oracle of issue 13 needs
the first five; the others come free). Any difference is a failure, and so is a lost connection
(a crash): the text is saved with the session's recent history and a psql script that replays
them, and the oracle looks for the one earlier text that reproduces the difference in a new
session, so the saved case is as small as it can be.

The long session is also disturbed the ways real sessions are, so that state left behind by a
call that did not end normally shows in the calls after it: every --disturb-every texts (on
average) a check() is cancelled by statement_timeout in the middle of a large text, run in a
transaction block that is rolled back, rolled back to a savepoint, or given a text whose
statement fails. Some calls run inside an explicit transaction block (BEGIN; check; COMMIT).

Memory: the long session's RSS and the total of pg_backend_memory_contexts are sampled every
--sample texts; the growth from the first sample to the last must stay under --max-growth-mb.

The last line reads "session_oracle: ... PASS" or "... FAIL"; the exit status is 1 on any
failure. --fresh-every K compares with a fresh connection every K-th text only (under valgrind a
new backend is slow); the repeat is compared for every text.
"""
import argparse
import os
import random
import sys
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

COLUMNS = "statement_no, rule, severity, relation, lock_mode, table_size, estimated_rows, message, detail, hint"
QUERY = "SELECT " + COLUMNS + " FROM migration_guard.check(%s, %s)"
SETUP = ["SET client_min_messages = error", "SET statement_timeout = '60s'"]
EXTRA = []  # --set: settings of every session, the long one and the fresh ones alike


class Lost(Exception):
    pass


def connect(dsn, tries=120):
    for _ in range(tries):
        try:
            conn = psycopg2.connect(dsn)
            conn.autocommit = True
            with conn.cursor() as c:
                for q in SETUP + EXTRA:
                    c.execute(q)
            return conn
        except psycopg2.OperationalError:
            time.sleep(1)  # the server may be restarting after a crash
    raise SystemExit("session_oracle: cannot connect to " + dsn)


def alive(conn):
    if conn.closed:
        return False
    try:
        with conn.cursor() as c:
            c.execute("SELECT 1")
        return True
    except psycopg2.Error:
        return False


def judge(conn, text, in_tx, mode="plain"):
    """The rows of check(text), or ("error", sqlstate, message) when it raises. Raises Lost when
    the connection is gone (a crash)."""
    try:
        with conn.cursor() as c:
            if mode == "block":
                c.execute("BEGIN")
            elif mode == "savepoint":
                c.execute("BEGIN")
                c.execute("SAVEPOINT before_check")
            try:
                c.execute(QUERY, (text, in_tx))
                rows = [tuple(r) for r in c.fetchall()]
            except psycopg2.Error as e:
                if not alive(conn):
                    raise Lost()
                rows = [("error", e.pgcode, (e.diag.message_primary or "").strip())]
                if mode != "plain":
                    c.execute("ROLLBACK")
                return rows
            if mode == "savepoint":
                c.execute("RELEASE SAVEPOINT before_check")
            if mode != "plain":
                c.execute("COMMIT")
            return rows
    except psycopg2.Error:
        if alive(conn):
            raise
        raise Lost()


def backend_pid(conn):
    with conn.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        return c.fetchone()[0]


def rss_kb(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def contexts_bytes(conn):
    with conn.cursor() as c:
        c.execute("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")
        return int(c.fetchone()[0])


def dollar(text):
    tag = "$mg$"
    i = 0
    while tag in text:
        i += 1
        tag = "$mg%d$" % i
    return tag + text + tag


def show(rows):
    return "\n".join("  " + " | ".join("" if v is None else str(v).replace("\n", "\\n")[:300] for v in r)
                     for r in rows) or "  (no rows)"


class Oracle:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.history = []  # (what, text, in_tx): the long session's recent calls
        self.failures = []
        self.saved = 0
        for _ in range(60):  # a server that is still recovering from an earlier crash drops us
            try:
                self.session = connect(args.dsn)
                self.pid = backend_pid(self.session)
                self.base = gen.catalog_base(self.session)
                break
            except psycopg2.OperationalError:
                time.sleep(1)
        else:
            raise SystemExit("session_oracle: the server does not stay up")

    def remember(self, what, text, in_tx):
        self.history.append((what, text, in_tx))
        del self.history[:-self.args.history]

    def fresh(self, text, in_tx):
        conn = connect(self.args.dsn)
        try:
            return judge(conn, text, in_tx)
        finally:
            conn.close()

    def reconnect(self):
        try:
            self.session.close()
        except Exception:
            pass
        self.session = connect(self.args.dsn)
        self.pid = backend_pid(self.session)

    # --- disturbances: calls that do not end normally ------------------------------------------
    def disturb(self, text):
        kind = self.rng.choice(["cancel", "rollback", "savepoint", "failing_text", "error_in_block"])
        c = self.session.cursor()
        try:
            if kind == "cancel":
                # SET LOCAL: the short timeout ends with the block, even when a statement of the
                # block (the COMMIT too) is itself cancelled by it
                big = (text.rstrip() + "\n") * self.rng.randint(200, 2000)
                c.execute("BEGIN")
                c.execute("SET LOCAL statement_timeout = '%dms'" % self.rng.choice([1, 5, 20, 50]))
                try:
                    c.execute("SELECT count(*) FROM migration_guard.check(%s, true)", (big,))
                    c.execute("COMMIT")
                except psycopg2.Error:
                    pass
            elif kind == "rollback":
                c.execute("BEGIN")
                c.execute("SELECT count(*) FROM migration_guard.check(%s, %s)", (text, self.rng.random() < 0.5))
                c.execute("ROLLBACK")
            elif kind == "savepoint":
                c.execute("BEGIN")
                c.execute("SAVEPOINT s")
                c.execute("SELECT count(*) FROM migration_guard.check(%s, %s)", (text, self.rng.random() < 0.5))
                c.execute("ROLLBACK TO SAVEPOINT s")
                c.execute("SELECT count(*) FROM migration_guard.check(%s, true)", (text,))
                c.execute("COMMIT")
            elif kind == "failing_text":
                # a statement error in the middle of a text, then an error raised by the caller's
                # query after check() has started returning rows
                bad = text + "\nALTER TABLE big ADD CONSTRAINT x CHECK (c > 0) NOT VALID;\nSELECT 1/0;\n"
                try:
                    c.execute("SELECT 1 / (count(*) - count(*)) FROM migration_guard.check(%s, true)", (bad,))
                except psycopg2.Error:
                    pass
            else:
                c.execute("BEGIN")
                try:
                    c.execute("SELECT count(*) FROM migration_guard.check(%s, true) WHERE 1 / (statement_no - 1) > 0",
                              (text,))
                except psycopg2.Error:
                    pass
                c.execute("ROLLBACK")
        except psycopg2.Error:
            if not alive(self.session):
                raise Lost()
            try:
                c.execute("ROLLBACK")
            except psycopg2.Error:
                pass
        finally:
            c.close()
        self.settle()
        self.remember("disturbance " + kind, text, True)
        return kind

    def settle(self):
        """After a disturbance: out of any transaction block, and the session's settings as SETUP
        made them (a compared call must never run under a disturbance's timeout)."""
        for _ in range(50):
            if self.session.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE:
                break
            try:
                with self.session.cursor() as c:
                    c.execute("ROLLBACK")
            except psycopg2.Error:
                if not alive(self.session):
                    raise Lost()
        with self.session.cursor() as c:
            c.execute("SHOW statement_timeout")
            if c.fetchone()[0] != "1min":
                raise SystemExit("session_oracle: a disturbance left statement_timeout changed (harness bug)")

    # --- failures -----------------------------------------------------------------------------
    def fail(self, i, kind, text, in_tx, expected, got, note):
        self.failures.append((i, kind))
        print("FAIL text %d: %s (%s)" % (i, kind, note), flush=True)
        if self.saved >= self.args.max_saved:
            return
        self.saved += 1
        d = os.path.join(self.args.fail_dir, "%06d-%s" % (i, kind))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "text.sql"), "w") as f:
            f.write(text)
        culprit = self.minimize(text, in_tx, expected, kind == "crash")
        if not alive(self.session):  # a replay crashed the server, and the long session with it
            self.reconnect()
        with open(os.path.join(d, "replay.sql"), "w") as f:
            f.write("-- Replays the long session's last %d calls, then the failing one (in_transaction => %s).\n"
                    "-- psql -X -d <oracle database> -f replay.sql\n" % (len(self.history), in_tx))
            if culprit:
                f.write("-- The oracle found that this earlier text alone reproduces it:\n")
                f.write("SELECT count(*) FROM migration_guard.check(%s, %s);\n" % (dollar(culprit[1]), culprit[2]))
                f.write("-- (the session's whole recent history follows, commented out)\n")
            for what, t, tx in self.history:
                prefix = "-- " if culprit else ""
                f.write("%s-- %s\n" % (prefix, what))
                stmt = "SELECT count(*) FROM migration_guard.check(%s, %s);" % (dollar(t), tx)
                f.write("\n".join(prefix + line for line in stmt.split("\n")) + "\n")
            f.write("SELECT statement_no, rule, severity, relation, message FROM migration_guard.check(%s, %s);\n"
                    % (dollar(text), in_tx))
        with open(os.path.join(d, "diff.txt"), "w") as f:
            f.write("%s at text %d (in_transaction %s): %s\n" % (kind, i, in_tx, note))
            if kind != "crash":
                f.write("\nexpected (fresh connection):\n%s\n\ngot:\n%s\n" % (show(expected), show(got)))
            if culprit:
                f.write("\nreproduced in a new session by the earlier call '%s' alone, then this text\n" % culprit[0])

    def minimize(self, text, in_tx, expected, crash):
        """The most recent earlier call that, alone before this text in a new session, gives the
        wrong rows (or the crash); None if no single one does (the state came from several)."""
        tried = set()
        for what, t, tx in reversed(self.history[:-1][-self.args.minimize:]):
            if not what.startswith("text") or (t, tx) in tried:
                continue
            tried.add((t, tx))
            conn = connect(self.args.dsn)
            try:
                try:
                    judge(conn, t, tx)
                except Lost:
                    continue
                try:
                    got = judge(conn, text, in_tx)
                except Lost:
                    return (what, t, tx)
                if not crash and got != expected:
                    return (what, t, tx)
            finally:
                conn.close()
        return None

    # --- the run ------------------------------------------------------------------------------
    def run(self):
        args = self.args
        generator = gen.Generator(self.rng, self.base)
        samples, rules = [], {}
        texts_with_findings = 0
        disturbances = {}
        modes = {"plain": 0, "block": 0, "savepoint": 0}
        compared_fresh = 0
        t0 = time.time()
        for i in range(1, args.texts + 1):
            text = generator.text(args.max_statements)
            in_tx = self.rng.random() < 0.3
            mode = self.rng.choices(["plain", "block", "savepoint"], [8, 1, 1])[0]
            modes[mode] += 1
            try:
                if args.disturb_every and self.rng.random() < 1.0 / args.disturb_every:
                    k = self.disturb(generator.text(args.max_statements))
                    disturbances[k] = disturbances.get(k, 0) + 1
                first = judge(self.session, text, in_tx, mode)
                self.remember("text %d" % i, text, in_tx)
                expected = None
                if i % args.fresh_every == 0:
                    expected = self.fresh(text, in_tx)
                    compared_fresh += 1
                    if first != expected:
                        self.fail(i, "session_differs", text, in_tx, expected, first,
                                  "the long session's call differs from a fresh connection's")
                again = judge(self.session, text, in_tx)
                self.remember("text %d again" % i, text, in_tx)
                if again != (expected if expected is not None else first):
                    self.fail(i, "repeat_differs", text, in_tx, expected or first, again,
                              "a second call in the same session differs")
            except Lost:
                self.remember("text %d" % i, text, in_tx)
                self.fail(i, "crash", text, in_tx, None, None, "the connection was lost: the backend crashed")
                if not alive(self.session):
                    self.reconnect()
                first = []
            for r in first:
                if r[0] != "error":
                    rules[r[1]] = rules.get(r[1], 0) + 1
            texts_with_findings += bool(first)
            if i % args.sample == 0 or i == args.texts:
                samples.append((i, rss_kb(self.pid), contexts_bytes(self.session)))
                print("%7d texts, %5.0f s, %d failures, long session RSS %d kB, memory contexts %d kB"
                      % (i, time.time() - t0, len(self.failures), samples[-1][1], samples[-1][2] // 1024), flush=True)
        elapsed = time.time() - t0
        first_s, last_s = samples[0], samples[-1]
        growth_rss = (last_s[1] - first_s[1]) / 1024.0
        growth_ctx = (last_s[2] - first_s[2]) / 1048576.0
        print("findings (rule: count): " + ", ".join("%s %d" % (k, rules[k]) for k in sorted(rules, key=lambda k: -rules[k])))
        print("texts with findings: %d of %d; %d rules seen; compared with a fresh connection: %d; call modes: %s; "
              "disturbances: %s" % (texts_with_findings, args.texts, len(rules), compared_fresh,
                                    ", ".join("%s %d" % kv for kv in modes.items()),
                                    ", ".join("%s %d" % kv for kv in sorted(disturbances.items())) or "none"))
        print("memory: RSS %d kB after %d texts, %d kB after %d (peak %d kB); memory contexts %d kB -> %d kB"
              % (first_s[1], first_s[0], last_s[1], last_s[0], max(s[1] for s in samples),
                 first_s[2] // 1024, last_s[2] // 1024))
        kinds = {}
        for _, k in self.failures:
            kinds[k] = kinds.get(k, 0) + 1
        bad = bool(self.failures) or growth_rss > args.max_growth_mb or growth_ctx > args.max_growth_mb
        print("session_oracle: %d texts, seed %d, %.0f s, %d failures%s, RSS growth %.1f MB, context growth %.1f MB: %s"
              % (args.texts, args.seed, elapsed, len(self.failures),
                 " (%s)" % ", ".join("%s %d" % kv for kv in sorted(kinds.items())) if kinds else "",
                 growth_rss, growth_ctx, "FAIL" if bad else "PASS"), flush=True)
        return 1 if bad else 0


def self_test(dsn):
    """The crash detector must be able to fail: a killed backend has to count as lost."""
    victim = connect(dsn)
    killer = connect(dsn)
    with killer.cursor() as c:
        c.execute("SELECT pg_terminate_backend(%s)", (backend_pid(victim),))
    time.sleep(0.3)
    try:
        judge(victim, "SELECT 1;", False)
        raise SystemExit("session_oracle: a killed backend was not detected as lost")
    except Lost:
        pass
    killer.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsn", required=True, help="database with schema.sql and the extension")
    ap.add_argument("--texts", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-statements", type=int, default=24, help="statements per text, at most")
    ap.add_argument("--fresh-every", type=int, default=1, help="compare with a fresh connection every K-th text")
    ap.add_argument("--disturb-every", type=int, default=25, help="on average one disturbance per this many texts")
    ap.add_argument("--sample", type=int, default=500)
    ap.add_argument("--max-growth-mb", type=float, default=32)
    ap.add_argument("--history", type=int, default=40, help="calls kept for the replay script")
    ap.add_argument("--minimize", type=int, default=20, help="earlier calls tried alone on a failure")
    ap.add_argument("--max-saved", type=int, default=20, help="failures saved to --fail-dir")
    ap.add_argument("--fail-dir", default="oracle_failures")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a setting for every session (e.g. migration_guard.lock_timeout=0, so that "
                         "the lock-queue warnings the injected timeout silences are judged too)")
    args = ap.parse_args()
    for kv in args.set:
        name, value = kv.split("=", 1)
        EXTRA.append("SET %s = '%s'" % (name.strip(), value.strip().replace("'", "''")))
    self_test(args.dsn)
    sys.exit(Oracle(args).run())


if __name__ == "__main__":
    main()
