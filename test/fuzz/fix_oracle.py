#!/usr/bin/python3
"""Properties of migration_guard.fix() over generated migrations (gen.py), issue 17.

    /usr/bin/python3 test/fuzz/fix_oracle.py --dsn "host=/tmp/x port=5432 user=postgres dbname=mg_oracle" \
        --texts 300 --seed 1

For each generated migration m (in a transaction or not, as the generator's texts come), with
f = fix_script(m):
  1. check(f), f judged as a client runs it (in_transaction => false: f has its own BEGIN and
     COMMIT; a text that came back unchanged is judged as m is), has no finding of severity
     error, except on statements fix() kept as written and flagged "needs a decision" (among
     them a statement whose safe form would leave a block the user ends with ROLLBACK, or one a
     SAVEPOINT spans), and PostgreSQL's own errors (statement_error, syntax_error) that check(m)
     reports too, since a generated text may name objects that do not exist;
  2. fix_script(f, false) = f: fixing the fixed text changes nothing;
  3. a migration check() finds nothing to say about comes back byte for byte.
A lost connection or an error raised by fix() is a failure, as is any violation of the three
properties (property 1 holds for every generated text since issue 17's second round; before,
its violations were only counted). The last line reads "fix_oracle: ... PASS" or "... FAIL";
the exit status is 1 on a failure. The first few violating texts are printed whole, with f.
"""
import argparse
import os
import random
import re
import sys
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

OWN_ERRORS = ("statement_error", "syntax_error")


def connect(dsn):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as c:
        c.execute("SET client_min_messages = error")
        c.execute("SET statement_timeout = '120s'")
    return conn


def rows(conn, query, args):
    with conn.cursor() as c:
        c.execute(query, args)
        return c.fetchall()


def norm(sql):
    return " ".join((sql or "").split()).rstrip(";")


def statement_of(sql):
    """A flagged row's statement: its sql without the comment lines before it."""
    lines = (sql or "").splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")
                     or re.fullmatch(r"\s*/\*.*\*/\s*", lines[0])):
        lines.pop(0)
    return norm("\n".join(lines))


def is_flagged(statement, flagged):
    """check()'s statement (cut with "..." when long) is one of the flagged statements (which
    may go on with a comment at the end of its line)."""
    s = norm(statement)
    if s.endswith("..."):
        s = s[:-3]
    return bool(s) and any(f.startswith(s) for f in flagged)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--texts", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-statements", type=int, default=8)
    ap.add_argument("--show", type=int, default=3, help="failing texts printed whole")
    ap.add_argument("--strict", action="store_true", help="accepted for compatibility: every property is strict")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    conn = connect(args.dsn)
    generator = gen.Generator(rng, gen.catalog_base(conn))
    failures = {"check(fix(m)) has an error": 0, "fix(fix(m)) != fix(m)": 0,
                "a clean migration changed": 0, "fix() raised": 0, "lost connection": 0}
    shown = 0
    gap_rules = {}
    fixed_texts = flagged_total = flagged_rollback = clean_texts = 0
    t0 = time.time()
    for i in range(1, args.texts + 1):
        m = generator.text(args.max_statements)
        in_tx = rng.random() < 0.3
        problem = None
        try:
            steps = rows(conn, "SELECT sql, reason FROM migration_guard.fix(%s, %s)", (m, in_tx))
            f = rows(conn, "SELECT migration_guard.fix_script(%s, %s)", (m, in_tx))[0][0]
            flagged = {statement_of(s) for s, r in steps if r and r.startswith("needs a decision")}
            flagged_total += len(flagged)
            flagged_rollback += sum(1 for _, r in steps if r and r.startswith("needs a decision")
                                    and r.endswith("in a transaction block that ends in ROLLBACK"))
            before = rows(conn, "SELECT rule, severity, statement FROM migration_guard.check(%s, %s)", (m, in_tx))
            own_before = {(r, norm(s)) for r, _, s in before if r in OWN_ERRORS}
            # the fixed script says where each transaction begins and ends: it is judged as a
            # client runs it, statement by statement (in_transaction => false); a text that came
            # back unchanged has no BEGIN of its own and runs as m does (in_transaction as m)
            f_in_tx = in_tx and f == m
            after = rows(conn, "SELECT rule, severity, statement FROM migration_guard.check(%s, %s)", (f, f_in_tx))
            # a flagged row's sql is the statement as written, after the comment that says why:
            # the error must be on that statement itself, not on one its comment's plan shows
            bad = [(r, s) for r, sev, s in after
                   if sev == "error" and not is_flagged(s, flagged)
                   and not (r in OWN_ERRORS and (r, norm(s)) in own_before)]
            ff = rows(conn, "SELECT migration_guard.fix_script(%s, %s)", (f, f_in_tx))[0][0]
            if f != m:
                fixed_texts += 1
            if not before:
                clean_texts += 1
            for r, _ in bad:
                gap_rules[r] = gap_rules.get(r, 0) + 1
            if bad:
                problem = ("check(fix(m)) has an error", "\n".join("  %s: %s" % (r, s) for r, s in bad[:5])
                           + "\n--- fix(m)\n" + f)
            elif ff != f:
                problem = ("fix(fix(m)) != fix(m)", "--- fix(m)\n%s\n--- fix(fix(m))\n%s" % (f, ff))
            elif not before and f != m:
                problem = ("a clean migration changed", "--- fix(m)\n%s" % f)
        except psycopg2.Error as e:
            try:
                rows(conn, "SELECT 1", ())
                problem = ("fix() raised", "%s %s" % (e.pgcode, (e.diag.message_primary or "").strip()))
            except psycopg2.Error:
                problem = ("lost connection", str(e).strip())
                time.sleep(2)
                conn = connect(args.dsn)
        if problem:
            failures[problem[0]] += 1
            if shown < args.show:
                shown += 1
                print("# FAIL %s (text %d, in_transaction %s)\n# --- m\n%s\n%s" % (
                    problem[0], i, in_tx, "\n".join("#   " + l for l in m.splitlines()),
                    "\n".join("# " + l for l in problem[1].splitlines())))
        if i % 100 == 0:
            print("  %d texts, %d fixed, %d failures" % (i, fixed_texts, sum(failures.values())), flush=True)
    gap = failures["check(fix(m)) has an error"]
    total = sum(failures.values())
    print("# " + ", ".join("%s %d" % kv for kv in failures.items()))
    print("# property 1 (check(fix(m)) without errors) violated by %d of %d texts; the rules: %s"
          % (gap, args.texts, ", ".join("%s %d" % kv for kv in sorted(gap_rules.items(), key=lambda kv: -kv[1])) or "none"))
    print("fix_oracle: %d texts, seed %d, %.0f s, %d rewritten, %d statements flagged (%d of them in a block that "
          "ends in ROLLBACK), %d clean: %d failures: %s"
          % (args.texts, args.seed, time.time() - t0, fixed_texts, flagged_total, flagged_rollback, clean_texts, total,
             "PASS" if total == 0 else "FAIL"))
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
