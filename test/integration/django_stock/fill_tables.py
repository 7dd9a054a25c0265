"""Fills every table of the public schema with ROWS generated rows, whatever app made it, so
that the stock apps' migrations can be rolled back and forward on tables above the threshold.

    /usr/bin/python3 fill_tables.py DATABASE ROWS      (connection from PGHOST, PGPORT, PGUSER)

Values come from each column's type (the row number in some form), foreign keys point at the
rows already loaded into the referenced table (tables are filled parents first), nullable
foreign keys stay NULL, and serial sequences are moved past the loaded keys. A table whose
INSERT fails (a CHECK this cannot satisfy) is left empty and named on stderr. Prints one line per
table: name, rows loaded. The guard judges these INSERTs like any other; they run outside a
migration transaction, where it does not count rows.
"""
import sys

import psycopg2

DB, ROWS = sys.argv[1], int(sys.argv[2])

conn = psycopg2.connect(dbname=DB)
conn.autocommit = True
cur = conn.cursor()

cur.execute("""
    SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'django_migrations'
     ORDER BY c.relname""")
tables = {oid: name for oid, name in cur.fetchall()}

# single-column foreign keys: (table oid, column) -> (referenced oid, referenced column)
cur.execute("""
    SELECT con.conrelid, a.attname, con.confrelid, fa.attname
      FROM pg_constraint con
      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
      JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = con.confkey[1]
     WHERE con.contype = 'f' AND cardinality(con.conkey) = 1""")
fks = {}
for relid, col, frelid, fcol in cur.fetchall():
    if relid in tables:
        fks[(relid, col)] = (frelid, fcol)

# parents first; a cycle (or a self-reference) is broken where the key is nullable
order, done = [], set()


def visit(oid, path=()):
    if oid in done or oid in path:
        return
    for (relid, _), (frelid, _) in fks.items():
        if relid == oid and frelid != oid and frelid in tables:
            visit(frelid, path + (oid,))
    done.add(oid)
    order.append(oid)


for oid in tables:
    visit(oid)


def value(oid, col, typ, typmod_len, notnull, ctes):
    """An SQL expression for row g of this column (a foreign key adds the referenced keys to
    ctes, as an array); None: leave it NULL."""
    if (oid, col) in fks:
        if not notnull:
            return None
        frelid, fcol = fks[(oid, col)]
        if frelid == oid:
            return "g"  # a row referencing itself
        r = "r%d" % len(ctes)
        ctes.append('%s AS (SELECT array_agg("%s" ORDER BY "%s") AS k FROM "%s")' % (r, fcol, fcol, tables[frelid]))
        return "%s.k[1 + (g - 1) %% cardinality(%s.k)]" % (r, r)
    if typ in ("integer", "bigint"):
        return "g"
    if typ == "smallint":
        return "(g % 32000)"
    if typ in ("character varying", "text", "character"):
        n = typmod_len if typmod_len and typmod_len > 0 else 40
        # short enough for the narrower column that a rollback may bring back
        return "left(to_hex(g) || md5(g::text), %d)" % min(n, 12)
    if typ == "boolean":
        return "(g % 2 = 0)"
    if typ.startswith("timestamp"):
        return "(timestamptz '2024-01-01' + g * interval '1 minute')"
    if typ == "date":
        return "(date '2024-01-01' + g % 1000)"
    if typ.startswith("time"):
        return "time '12:00'"
    if typ == "interval":
        return "(g * interval '1 second')"
    if typ == "uuid":
        return "md5(g::text)::uuid"
    if typ in ("json", "jsonb"):
        return "'{}'"
    if typ in ("numeric", "double precision", "real"):
        return "(g % 1000)"
    if typ in ("inet", "cidr"):
        return "'10.0.0.1'"
    if typ == "bytea":
        return "'\\x00'::bytea"
    if typ.endswith("[]"):
        return "'{}'"
    return None


for oid in order:
    name = tables[oid]
    cur.execute("""
        SELECT a.attname, format_type(a.atttypid, NULL), a.atttypmod - 4, a.attnotnull
          FROM pg_attribute a WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum""", (oid,))
    columns = cur.fetchall()
    # an integer primary key goes on from the rows already there (some apps add rows of their own)
    cur.execute("""
        SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
         WHERE i.indrelid = %s AND i.indisprimary AND i.indnatts = 1
           AND a.atttypid IN ('integer'::regtype, 'bigint'::regtype)""", (oid,))
    pk = cur.fetchone()
    base = 0
    if pk:
        cur.execute('SELECT coalesce(max("%s"), 0) FROM "%s"' % (pk[0], name))
        base = cur.fetchone()[0]
    cols, exprs, ctes = [], [], []
    for col, typ, typlen, notnull in columns:
        e = "(g + %d)" % base if pk and col == pk[0] else value(oid, col, typ, typlen, notnull, ctes)
        if e is not None:
            cols.append('"%s"' % col)
            exprs.append(e)
    sql = '%sINSERT INTO "%s" (%s) SELECT %s FROM generate_series(1, %d) g%s' % (
        "WITH " + ", ".join(ctes) + " " if ctes else "", name, ", ".join(cols), ", ".join(exprs), ROWS,
        "".join(", r%d" % i for i in range(len(ctes))))
    try:
        cur.execute(sql)
        loaded = cur.rowcount
    except psycopg2.Error as e:
        print("%s: not filled: %s" % (name, e.pgerror.splitlines()[0] if e.pgerror else e), file=sys.stderr)
        loaded = 0
    # serial and identity sequences past the loaded keys, so that Django's own inserts still work
    cur.execute("""
        SELECT a.attname, pg_get_serial_sequence(quote_ident(%s), a.attname)
          FROM pg_attribute a WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped""", (name, oid))
    for col, seq in cur.fetchall():
        if seq:
            cur.execute('SELECT setval(%%s, greatest((SELECT max("%s") FROM "%s"), 1))' % (col, name), (seq,))
    print("%s %d" % (name, loaded))

cur.execute("VACUUM ANALYZE")
