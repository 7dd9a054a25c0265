--
-- constraint_unnamed: CHECK, FOREIGN KEY, UNIQUE and EXCLUDE need an explicit name
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS migration_guard;
RESET client_min_messages;
CREATE SCHEMA cu;
SET search_path = cu;
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE p (id int CONSTRAINT p_pkey PRIMARY KEY);
INSERT INTO p SELECT g FROM generate_series(1, 1000) g;
CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, c int, d int, r int4range);
INSERT INTO t SELECT g, g % 1000 + 1, g FROM generate_series(1, 100) g;

-- refused whatever the size: each kind of table constraint
ALTER TABLE t ADD FOREIGN KEY (c) REFERENCES p (id);
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE t ADD CHECK (d > 0);
ALTER TABLE t ADD UNIQUE (d);
ALTER TABLE t ADD EXCLUDE USING gist (r WITH &&);
-- ... inline in ADD COLUMN, several at once, with PostgreSQL's own numbering
ALTER TABLE t ADD COLUMN e int REFERENCES p CHECK (e > d) UNIQUE,
              ADD CHECK (c < 5000), ADD UNIQUE (d);
SELECT conname FROM pg_constraint WHERE conrelid = 't'::regclass ORDER BY 1;

-- refused: CREATE TABLE, at table level and inline on a column
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id int NOT NULL REFERENCES p (id),
    qty int CHECK (qty > 0),
    sku text UNIQUE,
    FOREIGN KEY (qty) REFERENCES p,
    CHECK (qty < customer_id)
);
SELECT to_regclass('orders') IS NULL AS not_created;

-- the name PostgreSQL would choose skips names already taken
ALTER TABLE t ADD CONSTRAINT t_c_fkey CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE t ADD FOREIGN KEY (c) REFERENCES p (id);

-- allowed: every constraint named; PRIMARY KEY and NOT NULL are exempt
ALTER TABLE t ADD CONSTRAINT t_c_fkey2 FOREIGN KEY (c) REFERENCES p (id) NOT VALID;
ALTER TABLE t ADD CONSTRAINT t_d_check CHECK (d > 0) NOT VALID;
ALTER TABLE t ALTER COLUMN d SET NOT NULL;
CREATE TABLE named (
    id bigint PRIMARY KEY,
    customer_id int NOT NULL CONSTRAINT named_customer_id_fkey REFERENCES p (id),
    qty int CONSTRAINT named_qty_check CHECK (qty > 0),
    CONSTRAINT named_qty_key UNIQUE (qty)
);
CREATE TABLE only_pk (id int PRIMARY KEY, v text NOT NULL DEFAULT '');
-- allowed: ADD ... USING INDEX takes the index's name
CREATE UNIQUE INDEX CONCURRENTLY t_id_d_key ON t (id, d);
ALTER TABLE t ADD UNIQUE USING INDEX t_id_d_key;
-- allowed: temporary tables; CREATE TABLE IF NOT EXISTS on a table that exists is skipped
CREATE TEMP TABLE tmp (a int CHECK (a > 0), b int UNIQUE);
CREATE TABLE IF NOT EXISTS named (id int CHECK (id > 0));

-- edge: a table created in this transaction is judged all the same (names are forever)
BEGIN;
CREATE TABLE fresh (id int CONSTRAINT fresh_pkey PRIMARY KEY);
ALTER TABLE fresh ADD CHECK (id > 0);
ROLLBACK;
-- edge: partitioned tables and partitions
CREATE TABLE pt (id int, c int) PARTITION BY RANGE (id);
ALTER TABLE pt ADD CHECK (c > 0);
CREATE TABLE pt_1 PARTITION OF pt (CHECK (c < 100)) FOR VALUES FROM (0) TO (100);
-- edge: inside a function
CREATE FUNCTION add_fk() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE cu.t ADD FOREIGN KEY (d) REFERENCES cu.p (id);
END $$;
SELECT add_fk();
-- edge: a mixed-case table
CREATE TABLE "Line Items" ("Qty" int);
ALTER TABLE "Line Items" ADD CHECK ("Qty" > 0);

-- edge: CREATE SCHEMA ... CREATE TABLE runs its elements as sub-commands; still judged
CREATE SCHEMA cu_app CREATE TABLE items (id int CHECK (id > 0));
-- edge: serial columns and a foreign key to the table being created are fine
CREATE TABLE tree (id serial CONSTRAINT tree_pkey PRIMARY KEY, parent int REFERENCES tree (id));

-- PostgreSQL's own errors come through untouched
ALTER TABLE no_such_table ADD CHECK (c > 0);
CREATE TABLE no_such_schema.x (a int CHECK (a > 0));
CREATE TABLE t (a int CHECK (a > 0));
CREATE TABLE bad_type (a no_such_type CHECK (a > 0));
CREATE TABLE bad_ref (a int REFERENCES no_such_table);
ALTER TABLE t ADD FOREIGN KEY (c) REFERENCES no_such_table (id);
ALTER TABLE t ADD COLUMN z no_such_type CHECK (z > 0);

-- warn: the same text, and the constraint is created under the generated name
-- the names in the hint are the ones PostgreSQL gives
SET migration_guard.mode = warn;
ALTER TABLE t ADD COLUMN e int REFERENCES p CHECK (e > d) UNIQUE,
              ADD CHECK (c < 5000), ADD UNIQUE (d);
SELECT conname FROM pg_constraint WHERE conrelid = 't'::regclass ORDER BY 1;
RESET migration_guard.mode;

RESET search_path;
DROP SCHEMA cu CASCADE;
