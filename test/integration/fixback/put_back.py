#!/usr/bin/python3
"""Puts migration_guard.fix()'s safe form of a migration's SQL back into the migration tool, the
way docs/advisor.md ("Putting it back into a migration tool") says to do it by hand:

    put_back.py alembic DSN SQLFILE ORIGINAL.py   an Alembic migration: each step runs in the
        migration's transaction with op.execute(), except the autocommit steps, which run inside
        `with op.get_context().autocommit_block():` (which commits what came before and starts a
        new transaction after). Alembic's own bookkeeping (alembic_version) is left out: Alembic
        records the revision itself.
    put_back.py django DSN SQLFILE ORIGINAL.py    a Django migration with atomic = False: each
        transaction of the fix is one RunSQL with its BEGIN and COMMIT, each autocommit step a
        RunSQL of its own; the original operations stay as the state_operations of a
        SeparateDatabaseAndState, so that Django's model state is the one the migration declared.

SQLFILE is what `alembic upgrade --sql` or `manage.py sqlmigrate` printed; its steps come from
migration_guard.fix(text) on DSN, row by row (runs_in and transaction_no say where each runs).
ORIGINAL.py is the migration as first written: its header (revision, dependencies) and, for
Django, its operations are kept. The new migration goes to standard output.
"""
import re
import sys

import psycopg2


def py_str(sql, indent):
    """A Python literal for one statement, as a person would write it."""
    sql = sql.rstrip().rstrip(";")
    if "\n" not in sql and "\\" not in sql:
        if '"' not in sql:
            return '"%s"' % sql
        if "'" not in sql:
            return "'%s'" % sql
    body = sql.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return '"""\n%s\n%s"""' % ("\n".join((" " * indent + l) if l else l for l in body.splitlines()), " " * indent)


def split_comments(sql, reason, last_reason):
    """The comments to write before the statement (the migration's own, as Python comments, and
    the rule fix() answers, as fix_script() writes it) and the statement."""
    comments, lines = [], sql.splitlines()
    while lines and (lines[0].startswith("--") or not lines[0].strip()):
        text = lines.pop(0)[2:].strip()
        if text and not text.startswith("Running upgrade "):  # Alembic's own line
            comments.append(text)
    if reason and reason != last_reason and not reason.startswith("lock_timeout for step"):
        comments.append("migration_guard.fix(): " + reason.split("; ")[0])
    return comments, "\n".join(lines)


def steps_of(dsn, text):
    conn = psycopg2.connect(dsn)
    with conn.cursor() as c:
        c.execute("SELECT runs_in, transaction_no, sql, reason FROM migration_guard.fix(%s) ORDER BY step", (text,))
        rows = c.fetchall()
    conn.close()
    out, last = [], None
    for runs_in, tx, sql, reason in rows:
        comments, stmt = split_comments(sql, reason, last)
        if reason and not reason.startswith("lock_timeout for step"):
            last = reason
        out.append((runs_in, tx, comments, stmt))
    return out


def alembic(rows, original):
    out = ["def upgrade():"]
    last_tx = None
    for runs_in, tx, comments, stmt in rows:
        if re.match(r"(UPDATE|INSERT INTO|CREATE TABLE) alembic_version\b", stmt):
            continue  # Alembic records the revision itself
        if runs_in == "autocommit":
            out.append("    with op.get_context().autocommit_block():")
            out += ["        # %s" % c for c in comments]
            out.append("        op.execute(%s)" % py_str(stmt, 12))
            last_tx = None
            continue
        if last_tx is not None and tx != last_tx:
            # two transactions in a row: end the first one
            out.append("    with op.get_context().autocommit_block():")
            out.append("        pass  # commits the transaction before")
        out += ["    # %s" % c for c in comments]
        out.append("    op.execute(%s)" % py_str(stmt, 8))
        last_tx = tx
    head = original[:original.index("def upgrade():")]
    tail = original[original.index("\ndef downgrade():"):]
    return head + "\n".join(out) + "\n\n" + tail


def django(rows, original):
    ops = []  # (comments, [statements], transaction?)
    last_tx = None
    for runs_in, tx, comments, stmt in rows:
        if runs_in == "transaction" and tx == last_tx:
            ops[-1][0].extend(comments)
            ops[-1][1].append(stmt)
            continue
        ops.append((comments, [stmt], runs_in == "transaction"))
        last_tx = tx if runs_in == "transaction" else None
    body = []
    for comments, stmts, in_tx in ops:
        body += ["                # %s" % c for c in comments]
        if in_tx:
            stmts = ["BEGIN"] + stmts + ["COMMIT"]
        if len(stmts) == 1:
            body.append("                migrations.RunSQL(%s)," % py_str(stmts[0], 20))
        else:
            body.append("                migrations.RunSQL([")
            body += ["                    %s," % py_str(s, 24) for s in stmts]
            body.append("                ]),")
    m = re.search(r"\n    operations = \[\n(.*)\n    \]\n", original, re.S)
    state = "\n".join(("        " + l) if l else l for l in m.group(1).splitlines())
    head = original[:m.start()]
    head = re.sub(r"(class Migration\(migrations\.Migration\):\n)", r"\1    atomic = False\n", head)
    return (head + "\n    operations = [\n        migrations.SeparateDatabaseAndState(\n"
            "            database_operations=[\n" + "\n".join(body) + "\n            ],\n"
            "            state_operations=[\n" + state + "\n            ],\n        ),\n    ]\n")


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("alembic", "django"):
        sys.exit(__doc__)
    tool, dsn, sqlfile, origfile = sys.argv[1:]
    rows = steps_of(dsn, open(sqlfile).read())
    original = open(origfile).read()
    sys.stdout.write(alembic(rows, original) if tool == "alembic" else django(rows, original))


if __name__ == "__main__":
    main()
