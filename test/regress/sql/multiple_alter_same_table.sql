--
-- Design advice (warnings): multiple_alter_same_table, autovacuum_disabled, ctas_large_source
--
\set schema ma
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

CREATE TABLE t (id bigint PRIMARY KEY, pad text);
INSERT INTO t SELECT g, repeat('x', 20) FROM generate_series(1, 5000) g;
ANALYZE t;
CREATE TABLE loaded (id int, pad text);
INSERT INTO loaded SELECT g, repeat('y', 30) FROM generate_series(1, 5000) g;  -- never analyzed

-- multiple_alter_same_table: the second and later ALTER TABLE on a table in one transaction
BEGIN;
ALTER TABLE t ADD COLUMN a int;
\set VERBOSITY verbose
ALTER TABLE t ADD COLUMN b int;
\set VERBOSITY default
ALTER TABLE t ALTER COLUMN a SET STATISTICS 500;
ROLLBACK;
-- allowed: one statement with several actions; separate transactions; other tables
BEGIN;
ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int;
ALTER TABLE loaded ADD COLUMN a int;
ROLLBACK;
ALTER TABLE t ADD COLUMN a int;
ALTER TABLE t ADD COLUMN b int;
-- allowed: the steps the guard's own recipes run as statements of their own
ALTER TABLE t ADD CONSTRAINT t_pad_nn CHECK (pad IS NOT NULL) NOT VALID;
ALTER TABLE t VALIDATE CONSTRAINT t_pad_nn;
BEGIN;
ALTER TABLE t ALTER COLUMN pad SET NOT NULL;
ALTER TABLE t DROP CONSTRAINT t_pad_nn;
COMMIT;
-- allowed: a new column, then its default for new rows in a statement of its own
BEGIN;
ALTER TABLE t ADD COLUMN created timestamptz;
ALTER TABLE t ALTER COLUMN created SET DEFAULT now();
ROLLBACK;
-- allowed: after ROLLBACK TO SAVEPOINT the earlier ALTER (and its lock) is gone
BEGIN;
SAVEPOINT s1;
ALTER TABLE t ADD COLUMN x int;
ROLLBACK TO SAVEPOINT s1;
ALTER TABLE t ADD COLUMN y int;
ROLLBACK;
-- allowed: a table created in this transaction
BEGIN;
CREATE TABLE fresh (id int);
ALTER TABLE fresh ADD COLUMN a int;
ALTER TABLE fresh ADD COLUMN b int;
ROLLBACK;
-- allowed: tables below the threshold, empty or not (a framework's migration that alters a
-- table it created in an earlier migration, on a fresh database)
CREATE TABLE empty (id int, pad text);
CREATE TABLE small (id int, pad text);
INSERT INTO small SELECT g, 's' FROM generate_series(1, 100) g;
BEGIN;
ALTER TABLE empty ADD COLUMN a int;
ALTER TABLE empty ALTER COLUMN pad TYPE varchar(40);
ALTER TABLE small ADD COLUMN a int;
ALTER TABLE small ADD COLUMN b int;
ROLLBACK;
-- ... and at the threshold it counts again (inclusive), also for a never-analyzed table
BEGIN;
SET LOCAL migration_guard.large_table_threshold = '8kB';
ALTER TABLE small ADD COLUMN a int;
ALTER TABLE small ADD COLUMN b int;
ROLLBACK;
BEGIN;
ALTER TABLE loaded ADD COLUMN a int;
ALTER TABLE loaded ADD COLUMN b int;
ROLLBACK;
-- partitioned: judged by the size of its partitions, in a DO block too
CREATE TABLE ma_parted (id int, pad text) PARTITION BY RANGE (id);
CREATE TABLE ma_parted_1 PARTITION OF ma_parted FOR VALUES FROM (0) TO (10000);
BEGIN;
ALTER TABLE ma_parted ADD COLUMN a int;
ALTER TABLE ma_parted ADD COLUMN b int;
ROLLBACK;
INSERT INTO ma_parted SELECT g, repeat('p', 20) FROM generate_series(1, 5000) g;
DO $$ BEGIN
  ALTER TABLE ma.ma_parted ADD COLUMN a int;
  ALTER TABLE ma.ma_parted ADD COLUMN b int;
END $$;
-- inside a function: the function's statements are one transaction
CREATE FUNCTION widen() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  ALTER TABLE ma.t ADD COLUMN c int;
  ALTER TABLE ma.t ADD COLUMN d int;
END $$;
BEGIN;
SELECT widen();
ROLLBACK;

-- autovacuum_disabled
ALTER TABLE t SET (autovacuum_enabled = false);
ALTER TABLE t SET (toast.autovacuum_enabled = off);
ALTER TABLE t RESET (autovacuum_enabled, toast.autovacuum_enabled);
ALTER TABLE t SET (autovacuum_enabled = true, autovacuum_vacuum_scale_factor = 0.01);
CREATE TEMP TABLE scratch (id int);
ALTER TABLE scratch SET (autovacuum_enabled = false);
-- a partitioned table takes no storage parameters: PostgreSQL's own error
CREATE TABLE avparted (id int) PARTITION BY RANGE (id);
ALTER TABLE avparted SET (autovacuum_enabled = false);

-- ctas_large_source: a large source copied in one transaction
CREATE TABLE copy1 AS SELECT * FROM t;
CREATE TABLE copy1b AS SELECT id FROM t WITH DATA;
SELECT t.id, t.pad INTO copy2 FROM t JOIN loaded USING (id);
CREATE MATERIALIZED VIEW mv AS SELECT id FROM loaded WHERE id IN (SELECT id FROM t);
-- allowed: WITH NO DATA (the hint's first step), a small source, a temporary target
CREATE TABLE copy3 AS SELECT * FROM t WITH NO DATA;
CREATE TABLE copy4 AS SELECT * FROM t WHERE false WITH NO DATA;
CREATE TABLE copy5 AS SELECT id FROM copy3;
CREATE TEMP TABLE copy6 AS SELECT * FROM t;
-- partitioned source: judged by its partitions
CREATE TABLE parted (id int, pad text) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10000);
INSERT INTO parted SELECT g, repeat('p', 20) FROM generate_series(1, 5000) g;
CREATE TABLE copy7 AS SELECT * FROM parted;

-- check() gives the same verdicts
SELECT statement_no, rule, severity, relation
  FROM migration_guard.check($$
ALTER TABLE t ADD COLUMN e int;
ALTER TABLE t ADD COLUMN f int;
ALTER TABLE t SET (autovacuum_enabled = false);
CREATE TABLE copy8 AS SELECT * FROM t;
SELECT * INTO copy9 FROM t;
ALTER TABLE small ADD COLUMN a int;
ALTER TABLE small ADD COLUMN b int;
$$, in_transaction => true);
-- outside a transaction block each statement is a transaction of its own
SELECT count(*) AS findings FROM migration_guard.check($$
ALTER TABLE t ADD COLUMN e int;
ALTER TABLE t ADD COLUMN f int;
$$);

\i test/regress/fixtures/teardown.sql
