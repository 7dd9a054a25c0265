--
-- add_column_required: ADD COLUMN ... NOT NULL without a default on a table that has rows
-- (PostgreSQL fails too, but only after it has locked the table and read it), whatever the size
--
\set schema acr
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '10MB';

CREATE TABLE t (id bigint PRIMARY KEY);
INSERT INTO t SELECT generate_series(1, 100);
ANALYZE t;
CREATE TABLE empty (id bigint PRIMARY KEY);

-- refused, small as the table is
\set VERBOSITY verbose
ALTER TABLE t ADD COLUMN owner_id bigint NOT NULL;
\set VERBOSITY terse
ALTER TABLE t ADD COLUMN a int, ADD COLUMN code text NOT NULL;
ALTER TABLE t ADD COLUMN pk_part int PRIMARY KEY;

-- allowed: a constant default (metadata only), or a nullable column
ALTER TABLE t ADD COLUMN owner_id bigint NOT NULL DEFAULT 0;
ALTER TABLE t ADD COLUMN code text;
-- a warning on an empty table: PostgreSQL adds the column, and then every INSERT of code that
-- does not know it yet fails; the expand/contract steps of the hint draw nothing
\set VERBOSITY default
ALTER TABLE empty ADD COLUMN owner_id bigint NOT NULL;
\set VERBOSITY terse
INSERT INTO empty (id) VALUES (1);
CREATE TABLE empty2 (id bigint PRIMARY KEY);
ALTER TABLE acr.empty2 ADD COLUMN owner_id bigint;
INSERT INTO empty2 (id) VALUES (1);
UPDATE empty2 SET owner_id = 0 WHERE owner_id IS NULL;
ALTER TABLE acr.empty2 ALTER COLUMN owner_id SET NOT NULL;
-- ... an empty partitioned table too
CREATE TABLE parted_empty (id bigint) PARTITION BY RANGE (id);
CREATE TABLE parted_empty_1 PARTITION OF parted_empty FOR VALUES FROM (0) TO (100);
ALTER TABLE parted_empty ADD COLUMN owner_id bigint NOT NULL;
-- ... and nothing on an empty table created in this transaction
BEGIN;
CREATE TABLE fresh_empty (id int);
ALTER TABLE fresh_empty ADD COLUMN owner_id bigint NOT NULL;
ROLLBACK;

-- edge: a table created in this transaction
BEGIN;
CREATE TABLE fresh (id int);
INSERT INTO fresh VALUES (1);
ALTER TABLE fresh ADD COLUMN owner_id bigint NOT NULL;
ROLLBACK;
-- edge: never analyzed (rows estimated from the size)
CREATE TABLE raw AS SELECT generate_series(1, 10) AS id;
ALTER TABLE raw ADD COLUMN owner_id bigint NOT NULL;
-- edge: partitioned, with rows in a partition
CREATE TABLE parted (id bigint) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
INSERT INTO parted VALUES (1);
ALTER TABLE parted ADD COLUMN owner_id bigint NOT NULL;
-- edge: inheritance: an empty parent, a child with rows
CREATE TABLE inh_parent (id bigint);
CREATE TABLE inh_child () INHERITS (inh_parent);
INSERT INTO inh_child VALUES (1);
ALTER TABLE inh_parent ADD COLUMN owner_id bigint NOT NULL;
-- edge: inside a function
CREATE FUNCTION add_owner() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE acr.t ADD COLUMN owner2 bigint NOT NULL;
END $$;
SELECT add_owner();
-- warn mode: PostgreSQL's own error follows the warning
SET migration_guard.mode = warn;
ALTER TABLE t ADD COLUMN owner3 bigint NOT NULL;
RESET migration_guard.mode;
\set VERBOSITY default

-- check(): the same verdicts
\pset format unaligned
\pset fieldsep ' | '
SELECT * FROM verdicts($$
ALTER TABLE t ADD COLUMN o1 bigint NOT NULL;
ALTER TABLE t ADD COLUMN o2 bigint NOT NULL DEFAULT 0;
ALTER TABLE empty ADD COLUMN o3 bigint NOT NULL;
CREATE TABLE fresh2 (id int);
ALTER TABLE fresh2 ADD COLUMN o4 bigint NOT NULL;
$$);
\pset format aligned

\i test/regress/fixtures/teardown.sql
