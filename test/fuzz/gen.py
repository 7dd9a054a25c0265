#!/usr/bin/python3
"""Generator of realistic random migrations over the fuzz schema (test/fuzz/schema.sql).

    /usr/bin/python3 test/fuzz/gen.py --seed 1 --texts 5 --dsn "host=... dbname=mg_oracle"   print samples

A migration is a sequence of statements a developer or a framework would write: CREATE, ALTER,
DROP and RENAME TABLE; ADD COLUMN with defaults of every volatility, domains, generated and
identity columns; CHECK (col IS NOT NULL) [NOT VALID], VALIDATE, SET and DROP NOT NULL, DROP
CONSTRAINT (and the whole recipe, in pieces, across transaction blocks); type changes; indexes
(plain, CONCURRENTLY, UNIQUE, partial, expression, IF NOT EXISTS, unnamed) and DROP/REINDEX;
foreign keys, UNIQUE and PRIMARY KEY (USING INDEX too); policies and row level security;
TRUNCATE and LOCK; UPDATE, DELETE and INSERT ... SELECT with and without conditions; BEGIN,
COMMIT, ROLLBACK, SAVEPOINT, ROLLBACK TO, RELEASE, nested and sometimes unbalanced; CREATE
SCHEMA, enums and domains; partitions (PARTITION OF, ATTACH, DETACH), inheritance, VACUUM FULL,
CLUSTER, REFRESH MATERIALIZED VIEW, triggers, SET LOGGED, replica identity.

Names refer back: the generator keeps a model of the schema (read from the catalog, or the
built-in copy of schema.sql's tables) and updates it as the text goes, so later statements use
the tables, columns, constraints and indexes that earlier ones created or renamed, and stop
using what they dropped. A few names come from small pools (n1, n2, c_nn, ...) so that texts
judged one after the other in a session touch the same objects, which is what a session-state
bug needs to show. A small share of statements name something that does not exist.
"""
import argparse
import random

# The tables of schema.sql the generator works on when it is not given the catalog: name ->
# (relkind, {column: type}, columns that are NOT NULL). Partitions are listed with their parent.
BUILTIN = {
    "customers": ("r", {"id": "bigint", "mail": "email", "name": "text", "tags": "text[]", "profile": "jsonb",
                        "created": "timestamptz"}, {"id", "mail", "name", "created"}),
    "products": ("r", {"id": "integer", "code": "short_code", "price": "numeric", "stock": "positive_int",
                       "doc": "json"}, {"id", "code", "price"}),
    "orders": ("r", {"id": "bigint", "customer_id": "bigint", "state": "status", "total": "numeric",
                     "note": "varchar", "placed": "date"}, {"id", "customer_id", "state", "placed"}),
    "order_lines": ("r", {"order_id": "bigint", "line": "smallint", "product_id": "integer", "qty": "integer"},
                    {"order_id", "line", "product_id", "qty"}),
    "events": ("p", {"id": "bigint", "at": "timestamptz", "kind": "text", "payload": "jsonb"}, {"id", "at", "kind"}),
    "sessions": ("p", {"token": "uuid", "customer_id": "bigint", "seen": "timestamptz"}, {"token"}),
    "audit": ("r", {"at": "timestamptz", "who": "text", "what": "text"}, {"at"}),
    "audit_orders": ("r", {"at": "timestamptz", "who": "text", "what": "text", "order_id": "bigint"}, {"at"}),
    "scratch": ("r", {"k": "text", "v": "text"}, set()),
    "big": ("r", {"id": "bigint", "c": "integer", "d": "integer", "note": "varchar", "at": "timestamptz"}, {"id"}),
    "small": ("r", {"id": "integer", "a": "integer", "b": "text"}, {"id"}),
    "fresh": ("r", {"id": "bigint", "v": "text"}, set()),
    "measurements": ("p", {"id": "bigint", "city": "text", "temp": "numeric"}, {"id", "city"}),
    "inh_parent": ("r", {"id": "bigint", "v": "integer"}, {"id"}),
    "inh_child": ("r", {"id": "bigint", "v": "integer", "extra": "text"}, {"id"}),
    "measurements_oslo": ("r", {"id": "bigint", "city": "text", "temp": "numeric"}, {"id", "city"}),
    "events_default": ("r", {"id": "bigint", "at": "timestamptz", "kind": "text", "payload": "jsonb"},
                       {"id", "at", "kind"}),
}
BUILTIN_INDEXES = {"orders_customer_idx": "orders", "orders_open_idx": "orders", "orders_lower_note_idx": "orders",
                   "events_kind_idx": "events", "big_c_idx": "big", "customers_mail_key": "customers",
                   "products_code_key": "products"}
BUILTIN_CONSTRAINTS = {"products_price_check": "products", "order_lines_qty_check": "order_lines",
                       "orders_customer_fk": "orders", "order_lines_order_fk": "order_lines",
                       "customers_mail_key": "customers", "small_pkey": "small"}
MATVIEWS = ["sales_by_day", "customer_stats"]
ENUMS = {"status": ["new", "paid", "shipped", "returned"]}
DOMAINS = ["email", "positive_int", "short_code"]

NEW_TABLES = ["n1", "n2", "n3", "widgets", "big_new"]
NEW_COLUMNS = ["x", "y", "flag", "ref_id", "amount", "created_at", "code2", "v2"]
CON_NAMES = ["c_nn", "c1", "c2", "chk", "fk1", "u1"]
IDX_NAMES = ["i1", "i2", "idx_x", "big_c_idx2"]
SCHEMAS = ["s1", "app"]
NEW_ENUMS = ["mood", "level"]
NEW_DOMAINS = ["pos", "nonempty"]

INTS = ("integer", "bigint", "smallint", "positive_int")
TEXTS = ("text", "varchar", "short_code", "email")


def q(name):
    return name


class Model:
    """What the text has made of the schema so far."""

    def __init__(self, base):
        self.tables = {t: {"kind": k, "cols": dict(cols), "notnull": set(nn), "new": False}
                       for t, (k, cols, nn) in base["tables"].items()}
        self.indexes = dict(base["indexes"])
        self.constraints = dict(base["constraints"])
        self.enums = {k: list(v) for k, v in base["enums"].items()}
        self.domains = list(base["domains"])
        self.matviews = list(base["matviews"])
        self.schemas = []
        self.policies = []  # (name, table)


def builtin_base():
    return {"tables": BUILTIN, "indexes": BUILTIN_INDEXES, "constraints": BUILTIN_CONSTRAINTS,
            "enums": ENUMS, "domains": DOMAINS, "matviews": MATVIEWS}


def catalog_base(conn):
    """The model read from the database (schema public), so that the generator follows schema.sql."""
    base = {"tables": {}, "indexes": {}, "constraints": {}, "enums": {}, "domains": [], "matviews": []}
    with conn.cursor() as c:
        c.execute("""SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, NULL), a.attnotnull
                       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
                      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'm')
                        AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum""")
        for rel, kind, col, typ, nn in c.fetchall():
            if kind == "m":
                if rel not in base["matviews"]:
                    base["matviews"].append(rel)
                continue
            t = base["tables"].setdefault(rel, (kind, {}, set()))
            t[1][col] = typ.replace("character varying", "varchar").replace("timestamp with time zone", "timestamptz")
            if nn:
                t[2].add(col)
        c.execute("""SELECT i.relname, t.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                       JOIN pg_class t ON t.oid = x.indrelid WHERE t.relnamespace = 'public'::regnamespace""")
        base["indexes"] = dict(c.fetchall())
        c.execute("""SELECT con.conname, t.relname FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
                      WHERE t.relnamespace = 'public'::regnamespace""")
        base["constraints"] = dict(c.fetchall())
        c.execute("""SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_type t
                       JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = 'public'::regnamespace
                      GROUP BY t.typname""")
        base["enums"] = {k: list(v) for k, v in c.fetchall()}
        c.execute("SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype = 'd'")
        base["domains"] = [r[0] for r in c.fetchall()]
    return base


class Generator:
    def __init__(self, rng, base=None):
        self.rng = rng
        self.base = base or builtin_base()

    # --- helpers ------------------------------------------------------------------------------
    def chance(self, p):
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(list(seq))

    def table(self, kinds=("r", "p"), new_bias=0.5):
        m = self.m
        names = [t for t, v in m.tables.items() if v["kind"] in kinds]
        if not names:
            return "missing_table"
        if self.recent and self.chance(new_bias):
            cands = [t for t in self.recent if t in names]
            if cands:
                return self.pick(cands[-4:])
        if self.chance(0.03):
            return "no_such_table"
        # the hot tables come up more often, so texts in a row meet the same objects
        hot = [t for t in ("big", "orders", "small", "customers", "measurements", "fresh") if t in names]
        if hot and self.chance(0.5):
            return self.pick(hot)
        return self.pick(names)

    def touch(self, t):
        if t in self.recent:
            self.recent.remove(t)
        self.recent.append(t)

    def column(self, t, types=None):
        cols = self.m.tables.get(t, {}).get("cols", {})
        names = [c for c, ty in cols.items() if types is None or any(ty.startswith(x) for x in types)]
        if not names or self.chance(0.02):
            return self.pick(NEW_COLUMNS)
        return self.pick(names)

    def hot_column(self, t):
        """Mostly the table's first nullable column: the NOT NULL steps of texts judged one after
        the other then meet on the same column, which is what a proof that outlives its call needs
        to show (issue 13's wrong verdict)."""
        v = self.m.tables.get(t)
        if not v or self.chance(0.4):
            return self.column(t)
        nullable = [c for c in v["cols"] if c not in v["notnull"]]
        return (nullable or list(v["cols"]) or [self.column(t)])[0]

    def value(self, ty):
        ty = ty or "integer"
        if ty.startswith(INTS) or ty in INTS:
            return self.pick(["0", "1", "42", "-1"])
        if ty.startswith("numeric"):
            return self.pick(["0", "1.5"])
        if ty.startswith("bool"):
            return self.pick(["true", "false"])
        if ty.startswith("timestamptz"):
            return self.pick(["'2024-01-01'", "now()"])
        if ty.startswith("date"):
            return "'2024-01-01'"
        if ty.startswith("json"):
            return "'{}'"
        if ty == "email":
            return "'a@b'"
        if ty == "status":
            return "'new'"
        if ty == "uuid":
            return "gen_random_uuid()"
        return "'x'"

    def condition(self, t):
        cols = self.m.tables.get(t, {}).get("cols", {})
        c = self.column(t)
        ty = cols.get(c, "integer")
        return self.pick([
            "%s IS NULL" % c, "%s IS NOT NULL" % c, "%s = %s" % (c, self.value(ty)), "true", "1 = 1",
            "ctid = '(0,1)'", "%s IN (SELECT %s FROM %s LIMIT 10)" % (c, c, t),
        ] + (["id < 100", "id BETWEEN 1 AND 1000"] if "id" in cols else []))

    def new_name(self, pool):
        return self.pick(pool)

    # --- column definitions -------------------------------------------------------------------
    def column_def(self, name, for_new_table=False):
        """Returns (sql, type, not null)."""
        r = self.rng.random()
        nn = False
        if r < 0.25:
            ty = self.pick(["integer", "bigint", "text", "boolean", "numeric(10,2)", "varchar(20)", "jsonb",
                            "json", "timestamptz", "date", "uuid", "smallint", "timestamp", "char(3)", "serial"])
            sql = "%s %s" % (name, ty)
            if ty == "serial":
                ty = "integer"
        elif r < 0.55:  # a default, of every volatility
            ty, default = self.pick([
                ("integer", "0"), ("text", "'x'"), ("boolean", "false"), ("timestamptz", "now()"),
                ("timestamptz", "clock_timestamp()"), ("uuid", "gen_random_uuid()"), ("double precision", "random()"),
                ("bigint", "nextval('invoice_no')"), ("date", "current_date"), ("text", "'a' || 'b'"),
                ("integer", "(random() * 10)::int"), ("timestamptz", "statement_timestamp()"),
                ("text", "md5(random()::text)"), ("jsonb", "'{}'::jsonb"), ("integer", "length('abc')"),
            ])
            sql = "%s %s DEFAULT %s" % (name, ty, default)
            if self.chance(0.4):
                sql += " NOT NULL"
                nn = True
        elif r < 0.65:  # a domain
            ty = self.pick(self.m.domains or ["integer"])
            sql = "%s %s" % (name, ty)
            if self.chance(0.3):
                sql += " DEFAULT %s" % self.value(ty)
        elif r < 0.72:  # an enum
            ty = self.pick(list(self.m.enums) or ["text"])
            sql = "%s %s" % (name, ty)
            if self.chance(0.5) and self.m.enums.get(ty):
                sql += " DEFAULT '%s'" % self.m.enums[ty][0]
        elif r < 0.80:  # generated
            ty = "integer"
            sql = "%s integer GENERATED ALWAYS AS (%s) STORED" % (name, self.pick(["1", "length('x')", "2 * 3"]))
        elif r < 0.88:  # identity
            ty = "bigint"
            sql = "%s bigint GENERATED %s AS IDENTITY" % (name, self.pick(["ALWAYS", "BY DEFAULT"]))
            nn = True
        elif r < 0.94:  # a foreign key
            ref = self.pick([t for t in ("customers", "products", "small", "orders") if t in self.m.tables] or ["small"])
            ty = "bigint" if ref in ("customers", "orders") else "integer"
            sql = "%s %s REFERENCES %s (id)" % (name, ty, ref)
            if self.chance(0.3):
                sql += " ON DELETE CASCADE"
        else:
            ty = "text"
            sql = "%s text NOT NULL" % name
            nn = True
            if self.chance(0.5):
                sql += " CHECK (%s <> '')" % name
        if not for_new_table and self.chance(0.05):
            sql += " UNIQUE"
        return sql, ty, nn

    # --- statements ---------------------------------------------------------------------------
    def s_create_table(self):
        name = self.new_name(NEW_TABLES)
        if self.m.schemas and self.chance(0.3):
            name = "%s.%s" % (self.pick(self.m.schemas), name)
        cols, defs, nn = {}, [], set()
        if self.chance(0.7):
            defs.append("id bigint %s" % self.pick(["PRIMARY KEY", "GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                                                    "NOT NULL", "GENERATED BY DEFAULT AS IDENTITY"]))
            cols["id"] = "bigint"
            nn.add("id")
        for _ in range(self.rng.randint(1, 4)):
            c = self.pick(NEW_COLUMNS)
            if c in cols:
                continue
            sql, ty, isnn = self.column_def(c, for_new_table=True)
            defs.append(sql)
            cols[c] = ty
            if isnn:
                nn.add(c)
        kind = "r"
        tail = ""
        r = self.rng.random()
        if r < 0.1 and "id" in cols:
            tail = " PARTITION BY RANGE (id)"
            kind = "p"
        elif r < 0.15:
            parent = self.table(("r",), 0.2)
            tail = " INHERITS (%s)" % parent
            for c, ty in self.m.tables.get(parent, {}).get("cols", {}).items():
                cols.setdefault(c, ty)
        elif r < 0.2:
            src = self.table(("r",), 0.3)
            defs = ["LIKE %s INCLUDING ALL" % src] + defs
            for c, ty in self.m.tables.get(src, {}).get("cols", {}).items():
                cols.setdefault(c, ty)
        unlogged = "UNLOGGED " if self.chance(0.05) else ""
        ine = "IF NOT EXISTS " if self.chance(0.1) else ""
        self.add_table(name, kind, cols, nn)
        return "CREATE %sTABLE %s%s (%s)%s" % (unlogged, ine, name, ", ".join(defs), tail)

    def add_table(self, name, kind, cols, nn):
        self.m.tables[name] = {"kind": kind, "cols": cols, "notnull": nn, "new": True}
        self.touch(name)

    def s_partition_of(self):
        parents = [t for t, v in self.m.tables.items() if v["kind"] == "p"]
        if not parents:
            return self.s_create_table()
        parent = self.pick(parents)
        name = self.pick(["%s_p%d" % (parent.split(".")[-1], i) for i in range(1, 3)] + ["part_x"])
        if parent == "events":
            bound = self.pick(["FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')", "DEFAULT"])
        elif parent == "measurements":
            bound = self.pick(["FOR VALUES IN ('lima')", "FOR VALUES IN ('paris', 'bonn')", "DEFAULT"])
        elif parent == "sessions":
            bound = "FOR VALUES WITH (MODULUS 4, REMAINDER 3)"
        else:
            bound = self.pick(["FOR VALUES FROM (0) TO (1000)", "FOR VALUES FROM (1000) TO (2000)", "DEFAULT"])
        self.add_table(name, "r", dict(self.m.tables[parent]["cols"]), set(self.m.tables[parent]["notnull"]))
        return "CREATE TABLE %s PARTITION OF %s %s" % (name, parent, bound)

    def s_attach_detach(self):
        parents = [t for t, v in self.m.tables.items() if v["kind"] == "p"]
        parent = self.pick(parents) if parents else "measurements"
        if self.chance(0.5):
            part = self.pick([t for t in self.m.tables if t.startswith(parent + "_")] or [parent + "_x"])
            return "ALTER TABLE %s DETACH PARTITION %s%s" % (parent, part, " CONCURRENTLY" if self.chance(0.4) else "")
        part = self.table(("r",))
        bound = {"measurements": "FOR VALUES IN ('kyiv')", "events": "FOR VALUES FROM ('2030-01-01') TO ('2031-01-01')"}
        return "ALTER TABLE %s ATTACH PARTITION %s %s" % (parent, part, bound.get(parent, "DEFAULT"))

    def s_ctas(self):
        name = self.new_name(NEW_TABLES)
        src = self.table(("r", "p"))
        self.add_table(name, "r", dict(self.m.tables.get(src, {}).get("cols", {})), set())
        where = " WHERE %s" % self.condition(src) if self.chance(0.4) else ""
        return "CREATE TABLE %s AS SELECT * FROM %s%s" % (name, src, where)

    def s_rename_table(self):
        t = self.table()
        new = self.new_name(NEW_TABLES + [t + "_old", t + "_new"])
        if t in self.m.tables and new not in self.m.tables:
            self.m.tables[new] = self.m.tables.pop(t)
            self.touch(new)
        return "ALTER TABLE %s%s RENAME TO %s" % ("IF EXISTS " if self.chance(0.1) else "", t, new.split(".")[-1])

    def s_drop_table(self):
        t = self.table(new_bias=0.6)
        self.m.tables.pop(t, None)
        if t in self.recent:
            self.recent.remove(t)
        return "DROP TABLE %s%s%s" % ("IF EXISTS " if self.chance(0.3) else "", t,
                                      " CASCADE" if self.chance(0.2) else "")

    def s_set_schema(self):
        if not self.m.schemas:
            return self.s_create_schema()
        t = self.table(("r",))
        s = self.pick(self.m.schemas)
        if t in self.m.tables:
            self.m.tables["%s.%s" % (s, t.split(".")[-1])] = self.m.tables.pop(t)
        return "ALTER TABLE %s SET SCHEMA %s" % (t, s)

    def sub_add_column(self, t):
        name = self.pick(NEW_COLUMNS)
        sql, ty, nn = self.column_def(name)
        if t in self.m.tables:
            self.m.tables[t]["cols"][name] = ty
            if nn:
                self.m.tables[t]["notnull"].add(name)
        return "ADD COLUMN %s%s" % ("IF NOT EXISTS " if self.chance(0.1) else "", sql)

    def sub_check_not_null(self, t):
        c = self.hot_column(t)
        con = self.pick(CON_NAMES[:3] + ["%s_%s_not_null" % (t.split(".")[-1], c)])
        self.m.constraints[con] = t
        self.last_nn = (t, c, con)
        nv = " NOT VALID" if self.chance(0.6) else ""
        if self.chance(0.1):
            return "ADD CHECK (%s IS NOT NULL)%s" % (c, nv)
        return "ADD CONSTRAINT %s CHECK (%s IS NOT NULL)%s" % (con, c, nv)

    def sub_validate(self, t):
        cons = [c for c, tt in self.m.constraints.items() if tt == t]
        if self.last_nn and self.last_nn[0] == t and self.chance(0.7):
            con = self.last_nn[2]
        else:
            con = self.pick(cons or CON_NAMES)
        return "VALIDATE CONSTRAINT %s" % con

    def sub_set_not_null(self, t):
        c = self.last_nn[1] if self.last_nn and self.last_nn[0] == t and self.chance(0.7) else self.hot_column(t)
        if t in self.m.tables:
            self.m.tables[t]["notnull"].add(c)
        return "ALTER COLUMN %s SET NOT NULL" % c

    def sub_drop_not_null(self, t):
        nn = sorted(self.m.tables.get(t, {}).get("notnull", ())) or [self.column(t)]
        c = self.pick(nn)
        if t in self.m.tables:
            self.m.tables[t]["notnull"].discard(c)
        return "ALTER COLUMN %s DROP NOT NULL" % c

    def sub_drop_constraint(self, t):
        cons = [c for c, tt in self.m.constraints.items() if tt == t]
        con = self.last_nn[2] if self.last_nn and self.last_nn[0] == t and self.chance(0.6) else \
            self.pick(cons or CON_NAMES)
        self.m.constraints.pop(con, None)
        return "DROP CONSTRAINT %s%s" % ("IF EXISTS " if self.chance(0.2) else "", con)

    def sub_type(self, t):
        c = self.column(t)
        ty = self.m.tables.get(t, {}).get("cols", {}).get(c, "integer")
        if ty.startswith(("integer", "smallint")):
            new = self.pick(["bigint", "integer", "numeric", "text", "bigint USING %s::bigint" % c,
                             "integer USING %s + 1" % c])
        elif ty.startswith("varchar"):
            new = self.pick(["varchar(500)", "varchar(10)", "text", "varchar(20) COLLATE \"C\""])
        elif ty.startswith("text"):
            new = self.pick(["varchar(100)", "text COLLATE \"C\"", "citext", "integer USING length(%s)" % c])
        elif ty.startswith("numeric"):
            new = self.pick(["numeric(14,2)", "numeric(8,2)", "numeric", "double precision"])
        elif ty.startswith("timestamp"):
            new = self.pick(["timestamp", "timestamptz", "date"])
        else:
            new = self.pick(["text", "bigint", "jsonb USING %s::jsonb" % c])
        if t in self.m.tables:
            self.m.tables[t]["cols"][c] = new.split()[0]
        return "ALTER COLUMN %s %sTYPE %s" % (c, self.pick(["", "SET DATA "]), new)

    def sub_default(self, t):
        c = self.column(t)
        if self.chance(0.3):
            return "ALTER COLUMN %s DROP DEFAULT" % c
        return "ALTER COLUMN %s SET DEFAULT %s" % (c, self.pick(["0", "now()", "clock_timestamp()", "random()", "'x'"]))

    def sub_rename_column(self, t):
        c = self.column(t)
        new = self.pick([c + "_old", c + "_new", "renamed"])
        cols = self.m.tables.get(t, {}).get("cols", {})
        if c in cols:
            cols[new] = cols.pop(c)
        return "RENAME COLUMN %s TO %s" % (c, new)

    def sub_drop_column(self, t):
        c = self.column(t)
        self.m.tables.get(t, {}).get("cols", {}).pop(c, None)
        return "DROP COLUMN %s%s%s" % ("IF EXISTS " if self.chance(0.2) else "", c,
                                       " CASCADE" if self.chance(0.1) else "")

    def sub_fk(self, t):
        ref = self.pick([x for x in ("customers", "products", "small", "orders") if x in self.m.tables] or ["small"])
        c = self.column(t, INTS)
        con = self.pick(["fk1", "%s_%s_fkey" % (t.split(".")[-1], c)])
        self.m.constraints[con] = t
        nv = " NOT VALID" if self.chance(0.5) else ""
        if nv:
            self.last_not_valid = (t, con)
        return "ADD CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (id)%s%s" % (
            con, c, ref, " ON DELETE CASCADE" if self.chance(0.2) else "", nv)

    def sub_unique_pk(self, t):
        c = self.column(t)
        r = self.rng.random()
        if r < 0.3:
            return "ADD CONSTRAINT u1 UNIQUE (%s)" % c
        if r < 0.5:
            return "ADD PRIMARY KEY (%s)" % c
        idx = self.pick([i for i, tt in self.m.indexes.items() if tt == t] or IDX_NAMES)
        return "ADD CONSTRAINT %s %s USING INDEX %s" % (self.pick(["u1", "pk1"]), self.pick(["UNIQUE", "PRIMARY KEY"]), idx)

    def sub_check(self, t):
        c = self.column(t)
        con = self.pick(CON_NAMES)
        self.m.constraints[con] = t
        nv = " NOT VALID" if self.chance(0.5) else ""
        if nv:
            self.last_not_valid = (t, con)
        return "ADD CONSTRAINT %s CHECK (%s)%s" % (con, self.condition(t), nv)

    def sub_misc(self, t):
        return self.pick([
            "ENABLE ROW LEVEL SECURITY", "FORCE ROW LEVEL SECURITY", "DISABLE ROW LEVEL SECURITY",
            "SET LOGGED", "SET UNLOGGED", "SET TABLESPACE pg_default", "SET (autovacuum_enabled = false)",
            "SET (fillfactor = 70)", "REPLICA IDENTITY FULL", "REPLICA IDENTITY DEFAULT", "CLUSTER ON big_c_idx",
            "SET ACCESS METHOD heap", "OWNER TO CURRENT_USER", "DISABLE TRIGGER ALL", "ALTER COLUMN %s SET STATISTICS 500"
            % self.column(t),
        ])

    SUBCOMMANDS = [
        ("sub_add_column", 10), ("sub_check_not_null", 8), ("sub_validate", 6), ("sub_set_not_null", 7),
        ("sub_drop_not_null", 2), ("sub_drop_constraint", 3), ("sub_type", 5), ("sub_default", 2),
        ("sub_rename_column", 2), ("sub_drop_column", 2), ("sub_fk", 4), ("sub_unique_pk", 3), ("sub_check", 3),
        ("sub_misc", 3),
    ]

    def s_alter_table(self):
        t = self.table()
        self.touch(t)
        names = [n for n, _ in self.SUBCOMMANDS]
        weights = [w for _, w in self.SUBCOMMANDS]
        subs = []
        for _ in range(1 if self.chance(0.75) else self.rng.randint(2, 4)):
            sub = getattr(self, self.rng.choices(names, weights)[0])(t)
            if sub.startswith("RENAME") and subs:  # RENAME stands alone
                continue
            subs.append(sub)
            if sub.startswith("RENAME"):
                break
        only = "ONLY " if self.chance(0.05) else ""
        return "ALTER TABLE %s%s%s %s" % ("IF EXISTS " if self.chance(0.05) else "", only, t, ", ".join(subs))

    def s_not_null_recipe(self):
        """The recipe of issue 13's wrong verdict, whole or in pieces: CHECK (c IS NOT NULL) [NOT VALID],
        VALIDATE, SET NOT NULL, DROP CONSTRAINT, the steps in separate statements or blocks."""
        t = self.table(new_bias=0.3)
        self.touch(t)
        c = self.hot_column(t)
        con = self.pick(["c_nn", "%s_%s_not_null" % (t.split(".")[-1], c)])
        self.m.constraints[con] = t
        self.last_nn = (t, c, con)
        steps = ["ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL)%s" % (t, con, c, self.pick([" NOT VALID", ""])),
                 "ALTER TABLE %s VALIDATE CONSTRAINT %s" % (t, con),
                 "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL" % (t, c),
                 "ALTER TABLE %s DROP CONSTRAINT %s" % (t, con)]
        r = self.rng.random()
        if r < 0.3:
            steps = steps[:self.rng.randint(1, 4)]
        elif r < 0.5:
            steps = [s for s in steps if self.chance(0.6)] or steps[2:3]
        out = []
        for s in steps:
            if self.chance(0.2):
                out += ["BEGIN", s, self.pick(["COMMIT", "COMMIT", "ROLLBACK"])]
            else:
                out.append(s)
        self.pending.extend(out[1:])
        return out[0]

    def s_create_index(self):
        t = self.table(("r", "p", "m"), 0.5) if self.chance(0.9) else self.pick(self.m.matviews or ["sales_by_day"])
        c = self.column(t)
        conc = " CONCURRENTLY" if self.chance(0.4) else ""
        uniq = "UNIQUE " if self.chance(0.2) else ""
        name = ""
        if self.chance(0.7):
            name = self.pick(IDX_NAMES + ["%s_%s_idx" % (t.split(".")[-1], c)])
            self.m.indexes[name] = t
            if self.chance(0.1):
                name = "IF NOT EXISTS " + name
            name = " " + name
        key = self.pick(["(%s)" % c, "(%s, %s)" % (c, self.column(t)), "(lower(%s::text))" % c, "USING hash (%s)" % c,
                         "(%s DESC NULLS LAST)" % c])
        where = " WHERE %s" % self.condition(t) if self.chance(0.2) else ""
        include = " INCLUDE (%s)" % self.column(t) if self.chance(0.05) else ""
        only = "ONLY " if self.chance(0.05) else ""
        return "CREATE %sINDEX%s%s ON %s%s %s%s%s" % (uniq, conc, name, only, t, key, include, where)

    def s_drop_index(self):
        idx = self.pick(list(self.m.indexes) or IDX_NAMES) if self.chance(0.9) else self.pick(IDX_NAMES)
        self.m.indexes.pop(idx, None)
        more = ""
        if self.chance(0.1) and self.m.indexes:
            more = ", " + self.pick(list(self.m.indexes))
        return "DROP INDEX%s%s %s%s" % (" CONCURRENTLY" if self.chance(0.4) else "", " IF EXISTS" if self.chance(0.2) else "",
                                      idx, more)

    def s_reindex(self):
        if self.chance(0.5):
            return "REINDEX%s INDEX %s" % (" (CONCURRENTLY)" if False else "", self.pick(list(self.m.indexes) or IDX_NAMES))
        return "REINDEX TABLE%s %s" % (" CONCURRENTLY" if self.chance(0.4) else "", self.table())

    def s_policy(self):
        t = self.table(("r", "p"))
        self.touch(t)
        r = self.rng.random()
        if r < 0.4:
            name = self.pick(["p1", "p2", "tenant"])
            self.m.policies.append((name, t))
            return "CREATE POLICY %s ON %s%s USING (%s)" % (name, t, self.pick(["", " FOR SELECT", " TO PUBLIC",
                                                                               " AS RESTRICTIVE"]), self.condition(t))
        if r < 0.55 and self.m.policies:
            name, pt = self.pick(self.m.policies)
            return "DROP POLICY %s ON %s" % (name, pt)
        if r < 0.65 and self.m.policies:
            name, pt = self.pick(self.m.policies)
            return "ALTER POLICY %s ON %s USING (true)" % (name, pt)
        return "ALTER TABLE %s %s ROW LEVEL SECURITY" % (t, self.pick(["ENABLE", "FORCE", "DISABLE", "NO FORCE"]))

    def s_truncate(self):
        ts = [self.table(("r", "p"))]
        if self.chance(0.2):
            ts.append(self.table(("r", "p")))
        return "TRUNCATE %s%s%s%s" % ("TABLE " if self.chance(0.3) else "", ", ".join(ts),
                                      " RESTART IDENTITY" if self.chance(0.1) else "",
                                      " CASCADE" if self.chance(0.3) else "")

    def s_lock(self):
        t = self.table(("r", "p"))
        self.touch(t)
        return "LOCK TABLE %s%s%s" % (t, self.pick(["", " IN ACCESS EXCLUSIVE MODE", " IN SHARE MODE",
                                                   " IN ROW EXCLUSIVE MODE", " IN SHARE ROW EXCLUSIVE MODE",
                                                   " IN ACCESS SHARE MODE"]), " NOWAIT" if self.chance(0.1) else "")

    def s_dml(self):
        t = self.table(("r", "p"))
        self.touch(t)
        cols = self.m.tables.get(t, {}).get("cols", {})
        where = " WHERE %s" % self.condition(t) if self.chance(0.6) else ""
        r = self.rng.random()
        if r < 0.4:
            c = self.column(t)
            v = self.pick([c, self.value(cols.get(c)), "DEFAULT"])
            ret = " RETURNING *" if self.chance(0.05) else ""
            return "UPDATE %s SET %s = %s%s%s" % (t, c, v, where, ret)
        if r < 0.65:
            return "DELETE FROM %s%s" % (t, where)
        if r < 0.85:
            src = self.table(("r", "p", "m"))
            return "INSERT INTO %s SELECT * FROM %s%s%s" % (t, src, " WHERE %s" % self.condition(src)
                                                        if self.chance(0.5) else "",
                                                        " LIMIT 100" if self.chance(0.2) else "")
        if r < 0.95:
            c = self.column(t)
            return "INSERT INTO %s (%s) VALUES (%s)%s" % (t, c, self.value(cols.get(c)),
                                                          " ON CONFLICT DO NOTHING" if self.chance(0.2) else "")
        return "WITH d AS (DELETE FROM %s%s RETURNING *) INSERT INTO %s SELECT * FROM d" % (t, where, t)

    def s_begin(self):
        self.depth += 1
        return self.pick(["BEGIN", "BEGIN", "START TRANSACTION", "BEGIN ISOLATION LEVEL SERIALIZABLE"])

    def s_end(self):
        if self.depth == 0 and self.chance(0.7):
            return self.s_begin()
        self.depth = max(0, self.depth - 1)
        self.savepoints = []
        return self.pick(["COMMIT", "COMMIT", "END", "ROLLBACK", "ABORT"])

    def s_savepoint(self):
        if self.savepoints and self.chance(0.5):
            sp = self.pick(self.savepoints)
            if self.chance(0.6):
                return "ROLLBACK TO SAVEPOINT %s" % sp
            self.savepoints.remove(sp)
            return "RELEASE SAVEPOINT %s" % sp
        sp = self.pick(["a", "b", "sp1"])
        self.savepoints.append(sp)
        return "SAVEPOINT %s" % sp

    def s_create_schema(self):
        s = self.pick(SCHEMAS)
        if s not in self.m.schemas:
            self.m.schemas.append(s)
        if self.chance(0.2):
            name = "%s.%s" % (s, self.pick(NEW_TABLES))
            self.add_table(name, "r", {"a": "integer"}, set())
            return "CREATE SCHEMA %s CREATE TABLE %s (a int)" % (s, name.split(".")[1])
        return "CREATE SCHEMA %s%s" % ("IF NOT EXISTS " if self.chance(0.2) else "", s)

    def s_schema_misc(self):
        s = self.pick(self.m.schemas or SCHEMAS)
        return self.pick(["ALTER SCHEMA %s RENAME TO %s_old" % (s, s), "DROP SCHEMA %s CASCADE" % s,
                          "DROP SCHEMA IF EXISTS %s" % s])

    def s_enum(self):
        r = self.rng.random()
        if r < 0.35:
            name = self.pick(NEW_ENUMS)
            self.m.enums[name] = ["a", "b"]
            return "CREATE TYPE %s AS ENUM ('a', 'b')" % name
        e = self.pick(list(self.m.enums) or ["status"])
        if r < 0.75:
            return "ALTER TYPE %s ADD VALUE %s'%s'%s" % (e, "IF NOT EXISTS " if self.chance(0.2) else "",
                                                        self.pick(["z", "cancelled", "new2"]),
                                                        self.pick(["", " BEFORE '%s'" % (self.m.enums.get(e) or ["a"])[0],
                                                                   " AFTER '%s'" % (self.m.enums.get(e) or ["a"])[-1]]))
        if r < 0.9:
            return "ALTER TYPE %s RENAME VALUE '%s' TO 'renamed'" % (e, (self.m.enums.get(e) or ["a"])[0])
        return "DROP TYPE %s%s" % (e, " CASCADE" if self.chance(0.3) else "")

    def s_domain(self):
        r = self.rng.random()
        if r < 0.35:
            name = self.pick(NEW_DOMAINS)
            self.m.domains.append(name)
            return "CREATE DOMAIN %s AS %s" % (name, self.pick(["integer CHECK (VALUE > 0)", "text NOT NULL",
                                                                  "text CHECK (VALUE <> '')", "bigint"]))
        d = self.pick(self.m.domains or DOMAINS)
        return self.pick([
            "ALTER DOMAIN %s ADD CONSTRAINT dc CHECK (VALUE IS NOT NULL)%s" % (d, self.pick(["", " NOT VALID"])),
            "ALTER DOMAIN %s VALIDATE CONSTRAINT dc" % d, "ALTER DOMAIN %s SET NOT NULL" % d,
            "ALTER DOMAIN %s DROP NOT NULL" % d, "ALTER DOMAIN %s DROP CONSTRAINT IF EXISTS dc" % d,
        ])

    def s_maintenance(self):
        t = self.table(("r", "p"))
        mv = self.pick(self.m.matviews or ["sales_by_day"])
        return self.pick([
            "VACUUM FULL %s" % t, "VACUUM %s" % t, "VACUUM (FULL, ANALYZE) %s" % t, "CLUSTER %s USING big_c_idx" % t,
            "CLUSTER %s" % t, "ANALYZE %s" % t, "REFRESH MATERIALIZED VIEW %s" % mv,
            "REFRESH MATERIALIZED VIEW CONCURRENTLY %s" % mv, "COMMENT ON TABLE %s IS 'x'" % t,
            "CREATE TRIGGER trg BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION touch_row()" % t,
            "DROP TRIGGER IF EXISTS trg ON %s" % t, "CREATE VIEW v_%s AS SELECT * FROM %s" % (t.split(".")[-1], t),
            "GRANT SELECT ON %s TO PUBLIC" % t, "SET lock_timeout = '2s'", "SET statement_timeout = 0",
            "SET LOCAL lock_timeout = '1s'", "RESET lock_timeout", "SELECT pg_sleep(0)",
            "DO $$BEGIN PERFORM 1; END$$", "ALTER SEQUENCE invoice_no RESTART",
            "CREATE INDEX CONCURRENTLY ON %s (%s)" % (t, self.column(t)),
        ])

    STATEMENTS = [
        ("s_create_table", 7), ("s_partition_of", 2), ("s_attach_detach", 1), ("s_ctas", 1), ("s_rename_table", 3),
        ("s_drop_table", 3), ("s_set_schema", 1), ("s_alter_table", 30), ("s_not_null_recipe", 6),
        ("s_create_index", 7), ("s_drop_index", 3), ("s_reindex", 1), ("s_policy", 3), ("s_truncate", 2),
        ("s_lock", 2), ("s_dml", 8), ("s_begin", 4), ("s_end", 4), ("s_savepoint", 2), ("s_create_schema", 2),
        ("s_schema_misc", 1), ("s_enum", 2), ("s_domain", 2), ("s_maintenance", 4),
    ]

    carry = None

    def continuation(self):
        """The next migration file of a recipe split over two: the previous text added a CHECK
        (c IS NOT NULL) or a NOT VALID constraint, this one validates it, sets NOT NULL, drops the
        CHECK (as Django's and Rails' two-step recipes do)."""
        (nn, not_valid, recent) = self.carry
        self.recent = [t for t in recent if t in self.m.tables]
        steps = []
        if nn and nn[0] in self.m.tables:
            t, c, con = nn
            self.last_nn = nn
            self.m.constraints[con] = t
            steps = self.pick([
                ["ALTER TABLE %s ALTER COLUMN %s SET NOT NULL" % (t, c)],
                ["ALTER TABLE %s ALTER COLUMN %s SET NOT NULL" % (t, c), "ALTER TABLE %s DROP CONSTRAINT %s" % (t, con)],
                ["ALTER TABLE %s VALIDATE CONSTRAINT %s" % (t, con), "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL" % (t, c)],
                ["BEGIN", "ALTER TABLE %s ALTER COLUMN %s SET NOT NULL" % (t, c), "COMMIT"],
            ])
        if not_valid and not_valid[0] in self.m.tables and (not steps or self.chance(0.3)):
            steps.append("ALTER TABLE %s VALIDATE CONSTRAINT %s" % not_valid)
        self.pending.extend(steps)

    def text(self, max_statements=24):
        """One migration text (str). Some continue the previous one (see continuation())."""
        self.m = Model(self.base)
        self.recent, self.pending, self.savepoints = [], [], []
        self.depth = 0
        self.last_nn = self.last_not_valid = None
        if self.carry and self.chance(0.3):
            self.continuation()
        names = [n for n, _ in self.STATEMENTS]
        weights = [w for _, w in self.STATEMENTS]
        out = []
        want = self.rng.randint(1, max_statements)
        if self.chance(0.3):
            out.append(self.s_begin())
        while len(out) < want:
            if self.pending:
                out.append(self.pending.pop(0))
                continue
            out.append(getattr(self, self.rng.choices(names, weights)[0])())
        out.extend(self.pending)
        while self.depth > 0 and self.chance(0.85):
            self.depth -= 1
            out.append(self.pick(["COMMIT", "COMMIT", "ROLLBACK"]))
        self.carry = (self.last_nn, self.last_not_valid,
                      [t for t in self.recent if not self.m.tables.get(t, {}).get("new")])
        sep = self.pick([";\n", ";\n", "; ", ";\n\n-- next step\n", ";  -- step done\n", "; /* done */\n"])
        return sep.join(out) + ";\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--texts", type=int, default=3)
    ap.add_argument("--dsn", help="read the model from this database instead of the built-in copy")
    args = ap.parse_args()
    base = None
    if args.dsn:
        import psycopg2
        base = catalog_base(psycopg2.connect(args.dsn))
    g = Generator(random.Random(args.seed), base)
    for i in range(args.texts):
        print("-- text %d" % (i + 1))
        print(g.text())


if __name__ == "__main__":
    main()
