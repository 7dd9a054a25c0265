--
-- constraint_unnamed: a constraint added to an existing table without a name. Refused on a
-- table at or above the threshold, a warning below it; constraints created together with their
-- table (CREATE TABLE, or ALTER TABLE of a table created in this transaction) draw nothing.
--
\set schema cu
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

CREATE TABLE p (id int CONSTRAINT p_pkey PRIMARY KEY);
INSERT INTO p SELECT g FROM generate_series(1, 200) g;
-- big is above the threshold, t below it
CREATE TABLE big (id int NOT NULL, c int, d int, r int4range);
INSERT INTO big SELECT g, g % 200 + 1, g FROM generate_series(1, 5000) g;
CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, c int, d int, r int4range);
INSERT INTO t SELECT g, g % 1000 + 1, g FROM generate_series(1, 100) g;
ANALYZE p, big, t;
SELECT relname, pg_table_size(oid) >= 65536 AS large FROM pg_class
 WHERE relname IN ('big', 't') AND relnamespace = 'cu'::regnamespace ORDER BY 1;

-- refused on a large table: each kind of constraint (NOT VALID where it exists, so that only
-- the name is at stake)
ALTER TABLE big ADD FOREIGN KEY (c) REFERENCES p (id) NOT VALID;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE big ADD CHECK (d > 0) NOT VALID;
ALTER TABLE big ADD UNIQUE (d);
ALTER TABLE big ADD EXCLUDE USING gist (r WITH &&);
ALTER TABLE big ADD PRIMARY KEY (id);
ALTER TABLE big ADD COLUMN e int REFERENCES p;
-- allowed: the same constraints named (the first step of the NOT VALID recipe)
ALTER TABLE big ADD CONSTRAINT big_c_fkey FOREIGN KEY (c) REFERENCES p (id) NOT VALID;
ALTER TABLE big ADD CONSTRAINT big_d_check CHECK (d > 0) NOT VALID;
-- allowed: ADD ... USING INDEX takes the index's name
CREATE UNIQUE INDEX CONCURRENTLY big_id_key ON big (id);
ALTER TABLE big ADD UNIQUE USING INDEX big_id_key;
SELECT conname FROM pg_constraint WHERE conrelid = 'big'::regclass AND contype <> 'n' ORDER BY 1;

-- a warning below the threshold, and the statement runs: each kind, inline in ADD COLUMN,
-- several at once, with PostgreSQL's own numbering
ALTER TABLE t ADD FOREIGN KEY (c) REFERENCES p (id);
\echo :SQLSTATE
ALTER TABLE t ADD CHECK (d > 0);
ALTER TABLE t ADD UNIQUE (d);
ALTER TABLE t ADD EXCLUDE USING gist (r WITH &&);
ALTER TABLE t ADD COLUMN e int REFERENCES p CHECK (e > d) UNIQUE,
              ADD CHECK (c < 5000), ADD UNIQUE (c);
-- the constraints have exactly the names the warnings gave
SELECT conname FROM pg_constraint WHERE conrelid = 't'::regclass AND contype <> 'n' ORDER BY 1;
-- the name PostgreSQL would choose skips names already taken
ALTER TABLE t ADD FOREIGN KEY (c) REFERENCES p (id);
SELECT conname FROM pg_constraint WHERE conrelid = 't'::regclass AND conname LIKE 't_c_fkey%' ORDER BY 1;

-- PRIMARY KEY: named <table>_pkey unless a relation already has that name
CREATE TABLE nopk (id int NOT NULL, v text);
INSERT INTO nopk SELECT g, 'v' FROM generate_series(1, 10) g;
BEGIN;
ALTER TABLE nopk ADD PRIMARY KEY (id);
SELECT conname FROM pg_constraint WHERE conrelid = 'nopk'::regclass AND contype <> 'n';
ROLLBACK;
BEGIN;
CREATE INDEX nopk_pkey ON t (c);
ALTER TABLE nopk ADD PRIMARY KEY (id);
SELECT conname FROM pg_constraint WHERE conrelid = 'nopk'::regclass AND contype <> 'n';
ROLLBACK;
-- allowed: named, or USING INDEX
BEGIN;
ALTER TABLE nopk ADD CONSTRAINT nopk_pkey PRIMARY KEY (id);
ROLLBACK;
CREATE UNIQUE INDEX CONCURRENTLY nopk_id_idx ON nopk (id);
ALTER TABLE nopk ADD PRIMARY KEY USING INDEX nopk_id_idx;

-- silent: constraints created together with their table, at table level and inline
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id int NOT NULL REFERENCES p (id),
    qty int CHECK (qty > 0),
    sku text UNIQUE,
    FOREIGN KEY (qty) REFERENCES p,
    CHECK (qty < customer_id)
);
SELECT conname FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype <> 'n' ORDER BY 1;
-- edge: ALTER TABLE of a table created in the same transaction (a framework's CreateModel, then
-- AddField or a separate foreign key, in one migration)
BEGIN;
CREATE TABLE fresh (id int);
ALTER TABLE fresh ADD PRIMARY KEY (id);
ALTER TABLE fresh ADD CHECK (id > 0), ADD COLUMN p_id int REFERENCES p UNIQUE;
COMMIT;
-- ... once committed it is an existing table: empty, so a warning
ALTER TABLE fresh ADD CHECK (id < 1000000);
-- edge: a new partition is a new table; the partitioned parent is judged by its partitions
CREATE TABLE pt (id int, c int) PARTITION BY RANGE (id);
CREATE TABLE pt_1 PARTITION OF pt (CHECK (c < 100000)) FOR VALUES FROM (0) TO (100000);
ALTER TABLE pt ADD CHECK (c >= 0);
INSERT INTO pt SELECT g, g FROM generate_series(0, 9999) g;
ALTER TABLE pt ADD CHECK (c >= 0);
-- edge: a table above the threshold that was never analyzed
CREATE TABLE loaded (id int, c int);
INSERT INTO loaded SELECT g, g FROM generate_series(1, 5000) g;
ALTER TABLE loaded ADD CHECK (c > 0) NOT VALID;
-- edge: inside a function (refused) and a DO block (a warning)
CREATE FUNCTION add_fk() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE cu.big ADD FOREIGN KEY (d) REFERENCES cu.p (id) NOT VALID;
END $$;
SELECT add_fk();
DO $$ BEGIN ALTER TABLE cu.t ADD CHECK (d < 1000000); END $$;
-- edge: a mixed-case table
CREATE TABLE "Line Items" ("Qty" int);
ALTER TABLE "Line Items" ADD CHECK ("Qty" > 0);
-- edge: CREATE SCHEMA ... CREATE TABLE, serial columns and a foreign key to the table being
-- created, temporary tables: nothing
CREATE SCHEMA cu_app CREATE TABLE items (id int CHECK (id > 0));
CREATE TABLE tree (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, parent bigint REFERENCES tree (id));
CREATE TEMP TABLE tmp (a int CHECK (a > 0), b int UNIQUE);
ALTER TABLE tmp ADD CHECK (b > 0);
CREATE TABLE IF NOT EXISTS orders (id int CHECK (id > 0));
-- the DBA's setting still rules: off silences it, warning keeps a large table's statement running
BEGIN;
SET LOCAL migration_guard.rule_severity = 'constraint_unnamed=warning';
ALTER TABLE big ADD CHECK (c > 0) NOT VALID;
SET LOCAL migration_guard.rule_severity = 'constraint_unnamed=off';
ALTER TABLE t ADD CHECK (c > 0);
ALTER TABLE big ADD CHECK (c > 1) NOT VALID;
ROLLBACK;

-- PostgreSQL's own errors come through untouched
ALTER TABLE no_such_table ADD CHECK (c > 0);
CREATE TABLE no_such_schema.x (a int CHECK (a > 0));
CREATE TABLE t (a int CHECK (a > 0));
CREATE TABLE bad_type (a no_such_type CHECK (a > 0));
CREATE TABLE bad_ref (a int REFERENCES no_such_table);
ALTER TABLE t ADD FOREIGN KEY (c) REFERENCES no_such_table (id);
ALTER TABLE t ADD COLUMN z no_such_type CHECK (z > 0);

-- check() gives the same verdicts, in a transaction as a migration runs
SELECT statement_no, rule, severity, relation FROM migration_guard.check($$
ALTER TABLE big ADD CHECK (d > 0) NOT VALID;
ALTER TABLE t ADD CHECK (d > 0);
ALTER TABLE nopk ADD UNIQUE (v);
CREATE TABLE c1 (a int UNIQUE CHECK (a > 0), PRIMARY KEY (a));
ALTER TABLE c1 ADD FOREIGN KEY (a) REFERENCES p, ADD UNIQUE (a);
$$, in_transaction => true) WHERE rule = 'constraint_unnamed' ORDER BY 1;
-- one difference: check() counts a table created earlier in the text as new to the end of the
-- text, even across a COMMIT, where the server, after the COMMIT, warns (the table is empty)
SELECT statement_no, rule, severity FROM migration_guard.check($$
CREATE TABLE c2 (a int);
ALTER TABLE c2 ADD CHECK (a > 0);
$$) WHERE rule = 'constraint_unnamed';

-- warn: the large table's statement runs too, with the names the hint gave
SET migration_guard.mode = warn;
ALTER TABLE big ADD COLUMN f int CHECK (f > 0), ADD UNIQUE (d);
SELECT conname FROM pg_constraint WHERE conrelid = 'big'::regclass AND contype <> 'n' ORDER BY 1;
RESET migration_guard.mode;

SET migration_guard.mode = off;
SET client_min_messages = warning;
DROP SCHEMA cu_app CASCADE;
RESET client_min_messages;
\i test/regress/fixtures/teardown.sql
