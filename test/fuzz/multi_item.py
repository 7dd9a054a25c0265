#!/usr/bin/python3
"""Multi-item statements (issue 14): the guard's verdict on a dangerous item must not depend on
how many other items the statement has, nor on where the dangerous item stands.

    /usr/bin/python3 test/fuzz/multi_item.py --dsn "host=/tmp/x port=5432 user=postgres dbname=mg_oracle" \
        [--counts 1,8,9,100,1000] [--known test/fuzz/multi_item_known.txt] [--strict]

The database needs test/fuzz/schema.sql and test/fuzz/many.sql (1,000 empty tables many.m<i>,
each with an index many.m<i>_a_idx), the extension, and a threshold under which big is large
(test/fuzz/run.sh uses 64kB).

For each statement kind, a reference statement holds the dangerous item alone (VACUUM FULL big;
DROP INDEX big_c_idx; ALTER TABLE big ADD CONSTRAINT u UNIQUE (id, c); DELETE FROM big; ...).
Its verdict, the set of (rule, severity, relation) findings about the dangerous item's table, is
the expected one. The same item is then put in one statement with N harmless items (empty
tables, their indexes, NOT VALID constraints, plain ADD COLUMN, INSERT ... VALUES CTEs), last
(after the N others) and first (before them), and judged through two channels:

  check   migration_guard.check(statement): its rows
  hook    the statement run for real, inside BEGIN ... ROLLBACK (VACUUM, which cannot run in a
          block, in autocommit), with lock_timeout set: the ERROR (SQLSTATE MG001) and the
          WARNINGs the hooks raise; "Rule <id>:" in the detail is the rule, the first quoted
          "schema.table" in the message the relation

A case fails when a finding of the reference is missing from the multi-item verdict. A
reference that draws nothing at all is a failure of its own (the case could not fail).

Output: one TAP line per (kind, channel, position), naming the N that fail. A failure listed in
--known (kind, channel, position and a superset of the failing N) is a known failure that issue
14 will fix: "not ok ... # TODO", which scripts/test.sh does not count. --strict (run.sh:
MG_FUZZ_MULTI_STRICT=1) ignores the list, so that the known failures fail; a listed case that
passes prints "# TODO passes now", so the list can shrink. The last line is
"multi_item: PASS" or "multi_item: FAIL (...)"; the exit status follows it.
"""
import argparse
import os
import re
import sys
import time

import psycopg2

BIG = "public.big"


def items(fmt, n, start=1):
    return [fmt.format(i=i) for i in range(start, start + n)]


# kind: (reference statement, builder of the multi-item statement from the harmless items and
# the dangerous one, harmless item template, the dangerous item, run in a transaction block)
KINDS = [
    ("vacuum_full", "VACUUM FULL big", lambda xs: "VACUUM FULL " + ", ".join(xs),
     "many.m{i}", "big", False),
    ("drop_index", "DROP INDEX big_c_idx", lambda xs: "DROP INDEX " + ", ".join(xs),
     "many.m{i}_a_idx", "big_c_idx", True),
    ("alter_not_valid_then_unique", "ALTER TABLE big ADD CONSTRAINT big_u UNIQUE (id, c)",
     lambda xs: "ALTER TABLE big " + ", ".join(xs),
     "ADD CONSTRAINT k{i} CHECK (c > -{i}) NOT VALID", "ADD CONSTRAINT big_u UNIQUE (id, c)", True),
    ("alter_not_valid_then_primary_key", "ALTER TABLE big ADD CONSTRAINT big_pk PRIMARY KEY (id)",
     lambda xs: "ALTER TABLE big " + ", ".join(xs),
     "ADD CONSTRAINT k{i} CHECK (c > -{i}) NOT VALID", "ADD CONSTRAINT big_pk PRIMARY KEY (id)", True),
    ("alter_not_valid_then_check", "ALTER TABLE big ADD CONSTRAINT big_d_check CHECK (d >= 0)",
     lambda xs: "ALTER TABLE big " + ", ".join(xs),
     "ADD CONSTRAINT k{i} CHECK (c > -{i}) NOT VALID", "ADD CONSTRAINT big_d_check CHECK (d >= 0)", True),
    ("alter_not_valid_then_foreign_key",
     "ALTER TABLE big ADD CONSTRAINT big_d_fk FOREIGN KEY (d) REFERENCES small (id)",
     lambda xs: "ALTER TABLE big " + ", ".join(xs),
     "ADD CONSTRAINT k{i} CHECK (c > -{i}) NOT VALID",
     "ADD CONSTRAINT big_d_fk FOREIGN KEY (d) REFERENCES small (id)", True),
    ("add_columns_then_set_not_null", "ALTER TABLE big ALTER COLUMN c SET NOT NULL",
     lambda xs: "ALTER TABLE big " + ", ".join(xs),
     "ADD COLUMN x{i} integer", "ALTER COLUMN c SET NOT NULL", True),
    ("add_columns_then_type", "ALTER TABLE big ALTER COLUMN c TYPE bigint",
     lambda xs: "ALTER TABLE big " + ", ".join(xs),
     "ADD COLUMN x{i} integer", "ALTER COLUMN c TYPE bigint", True),
    ("add_columns_then_volatile_default", "ALTER TABLE big ADD COLUMN v timestamptz DEFAULT clock_timestamp()",
     lambda xs: "ALTER TABLE big " + ", ".join(xs),
     "ADD COLUMN x{i} integer", "ADD COLUMN v timestamptz DEFAULT clock_timestamp()", True),
    ("ctes_then_delete", "DELETE FROM big",
     lambda xs: "WITH " + ", ".join(xs) + " SELECT count(*) FROM e",
     "a{i} AS (INSERT INTO many.m{i} VALUES ({i}) RETURNING 1)", "e AS (DELETE FROM big RETURNING 1)", True),
    ("truncate", "TRUNCATE big", lambda xs: "TRUNCATE " + ", ".join(xs),
     "many.m{i}", "big", True),
    ("truncate_cascade", "TRUNCATE orders CASCADE", lambda xs: "TRUNCATE " + ", ".join(xs) + " CASCADE",
     "many.m{i}", "orders", True),
    ("drop_table", "DROP TABLE big", lambda xs: "DROP TABLE " + ", ".join(xs),
     "many.m{i}", "big", True),
    ("update_ctes_then_update", "UPDATE big SET c = c",
     lambda xs: "WITH " + ", ".join(xs) + " UPDATE small SET a = a WHERE id = 0",
     "a{i} AS (UPDATE many.m{i} SET a = a WHERE a = {i} RETURNING 1)", "e AS (UPDATE big SET c = c RETURNING 1)",
     True),
]
CHANNELS = ("check", "hook")
POSITIONS = ("last", "first")

RULE_RE = re.compile(r"Rule ([a-z_]+):")
REL_RE = re.compile(r'"([^"\s]+\.[^"\s]+)"')


def statement(kind, n, position):
    _, _, build, harmless, danger, _ = kind
    xs = items(harmless, n)
    return build(xs + [danger] if position == "last" else [danger] + xs)


class Judge:
    def __init__(self, dsn):
        self.conn = psycopg2.connect(dsn)
        self.conn.autocommit = True
        with self.conn.cursor() as c:
            c.execute("SET client_min_messages = warning")
            c.execute("SET lock_timeout = '5s'")
            c.execute("SET statement_timeout = '120s'")
            c.execute("SET migration_guard.mode = 'enforce'")

    def check(self, sql):
        with self.conn.cursor() as c:
            c.execute("SELECT rule, severity, relation FROM migration_guard.check(%s)", (sql + ";",))
            return {tuple(r) for r in c.fetchall()}

    def hook(self, sql, in_block):
        """The findings the hooks raise when the statement runs."""
        found = set()
        del self.conn.notices[:]
        c = self.conn.cursor()
        try:
            if in_block:
                c.execute("BEGIN")
            c.execute(sql)
        except psycopg2.Error as e:
            if e.pgcode == "MG001":
                rule = RULE_RE.search(e.diag.message_detail or "")
                rel = REL_RE.search(e.diag.message_primary or "") or REL_RE.search(e.diag.message_detail or "")
                found.add((rule.group(1) if rule else "?", "error", rel.group(1) if rel else None))
        finally:
            if in_block:
                c.execute("ROLLBACK")
            c.close()
        for note in self.conn.notices:
            if not note.startswith("WARNING:"):
                continue
            rule = RULE_RE.search(note)
            if not rule:
                continue
            first = note.split("\n", 1)[0]
            rel = REL_RE.search(first) or REL_RE.search(note)
            found.add((rule.group(1), "warning", rel.group(1) if rel else None))
        return found

    def verdict(self, channel, sql, in_block):
        return self.check(sql) if channel == "check" else self.hook(sql, in_block)


def load_known(path):
    known = {}
    if not path or not os.path.exists(path):
        return known
    for line in open(path):
        line = line.split("#", 1)[0].split()
        if len(line) >= 4:
            known[(line[0], line[1], line[2])] = {int(x) for x in line[3:]}
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--counts", default="0,1,4,5,8,9,32,33,100,1000",
                    help="numbers of harmless items next to the dangerous one")
    ap.add_argument("--kinds", default="", help="comma-separated subset of the kinds")
    ap.add_argument("--known", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                    "multi_item_known.txt"))
    ap.add_argument("--strict", action="store_true", help="known failures fail too")
    ap.add_argument("--verbose", action="store_true", help="print the verdicts that differ")
    ap.add_argument("--tap-start", type=int, default=1, help="number of the first TAP line")
    args = ap.parse_args()

    counts = [int(x) for x in args.counts.split(",")]
    kinds = [k for k in KINDS if not args.kinds or k[0] in args.kinds.split(",")]
    known = {} if args.strict else load_known(args.known)
    judge = Judge(args.dsn)
    t0 = time.time()
    tap = args.tap_start - 1
    failed, todo, fixed, summary = [], [], [], []
    cases = 0
    for kind in kinds:
        name, reference, _, _, _, in_block = kind
        for channel in CHANNELS:
            expected_all = judge.verdict(channel, reference, in_block)
            # only what concerns the dangerous item's table (the harmless items may draw their own)
            target = BIG if name != "truncate_cascade" else "public.orders"
            expected = {f for f in expected_all if f[2] == target}
            for position in POSITIONS:
                tap += 1
                label = "%s via %s, dangerous item %s" % (name, channel, position)
                if not expected:
                    print("not ok %d - %s: the reference statement draws no finding on %s (%s)"
                          % (tap, label, target, sorted(expected_all)))
                    failed.append(label)
                    continue
                bad, lost = [], set()
                for n in counts:
                    cases += 1
                    got = judge.verdict(channel, statement(kind, n, position), in_block)
                    missing = expected - got
                    if missing:
                        bad.append(n)
                        lost |= {f[0] for f in missing}
                        if args.verbose:
                            print("#   %s N=%d: missing %s, got %s" % (label, n, sorted(missing), sorted(got)))
                rules = ", ".join(sorted({f[0] for f in expected}))
                key = (name, channel, position)
                if not bad:
                    if key in known:
                        print("ok %d - %s (%s), N = %s # TODO passes now: remove it from %s"
                              % (tap, label, rules, ",".join(map(str, counts)), os.path.basename(args.known)))
                        fixed.append(label)
                    else:
                        print("ok %d - %s (%s), N = %s" % (tap, label, rules, ",".join(map(str, counts))))
                    continue
                line = "%s: %s lost at N = %s" % (label, ", ".join(sorted(lost)), ", ".join(map(str, bad)))
                summary.append("%s %s %s %s" % (name, channel, position, " ".join(map(str, bad))))
                if key in known and set(bad) <= known[key]:
                    print("not ok %d - %s # TODO issue 14" % (tap, line))
                    todo.append(label)
                else:
                    print("not ok %d - %s" % (tap, line))
                    failed.append(label)
    print("# failing (kind channel position N...):")
    for s in summary:
        print("#   " + s)
    print("multi_item: %d kinds, %d statements judged, %.0f s; %d known failures (issue 14), %d fixed, %d new: %s"
          % (len(kinds), cases, time.time() - t0, len(todo), len(fixed), len(failed),
             "FAIL (%s)" % "; ".join(failed) if failed else "PASS"))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
