--
-- Breaking changes and data loss (warnings): rename_table, drop_table, rename_schema,
-- drop_schema_or_database
--
\set schema dt
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

CREATE TABLE t (id bigint PRIMARY KEY, pad text);
INSERT INTO t SELECT g, repeat('x', 20) FROM generate_series(1, 5000) g;
ANALYZE t;
CREATE TABLE loaded (id int);
INSERT INTO loaded SELECT g FROM generate_series(1, 300) g;  -- never analyzed
CREATE VIEW v AS SELECT id FROM t;

-- rename_table: a warning with the recipe (a view under the old name), and it runs
\set VERBOSITY verbose
ALTER TABLE t RENAME TO accounts;
\set VERBOSITY default
ALTER VIEW v RENAME TO v2;
-- the recipe: the rename still warns (it is the breaking change), the CREATE VIEW draws nothing
BEGIN;
ALTER TABLE accounts RENAME TO t;
CREATE VIEW dt.accounts AS SELECT * FROM dt.t;
COMMIT;
DROP VIEW accounts;
-- no warning for a new or temporary table
BEGIN;
CREATE TABLE fresh (id int);
ALTER TABLE fresh RENAME TO fresh2;
DROP TABLE fresh2;
COMMIT;
CREATE TEMP TABLE scratch (id int);
ALTER TABLE scratch RENAME TO scratch2;
DROP TABLE scratch2;

-- rename_table: ALTER ... SET SCHEMA renames the qualified name, and what an unqualified one finds
CREATE SCHEMA archive;
\set VERBOSITY verbose
ALTER TABLE t SET SCHEMA archive;
\set VERBOSITY default
BEGIN;
ALTER TABLE archive.t SET SCHEMA dt;
SELECT mode FROM pg_locks WHERE relation = 'dt.t'::regclass AND pid = pg_backend_pid();
ROLLBACK;
-- the recipe: the move still warns (it is the breaking change), the view draws nothing
BEGIN;
ALTER TABLE archive.t SET SCHEMA dt;
CREATE VIEW archive.t AS SELECT * FROM dt.t;
COMMIT;
SELECT count(*) AS through_the_view FROM archive.t;
DROP VIEW archive.t;
ALTER VIEW v2 SET SCHEMA archive;
ALTER VIEW archive.v2 SET SCHEMA dt;
-- nothing: already there, a table created in this transaction, nothing to move
ALTER TABLE t SET SCHEMA dt;
BEGIN;
CREATE TABLE fresh (id int);
ALTER TABLE fresh SET SCHEMA archive;
ROLLBACK;
ALTER TABLE IF EXISTS no_such_table SET SCHEMA archive;
-- edge: partitioned, never analyzed, inside a DO block
CREATE TABLE movable (id int) PARTITION BY RANGE (id);
CREATE TABLE movable_1 PARTITION OF movable FOR VALUES FROM (0) TO (1000);
INSERT INTO movable SELECT g FROM generate_series(1, 500) g;
\set VERBOSITY terse
ALTER TABLE movable SET SCHEMA archive;
DO $$ BEGIN ALTER TABLE archive.movable SET SCHEMA dt; END $$;
-- PostgreSQL's own errors: no such schema, the name is taken there
ALTER TABLE movable SET SCHEMA no_such_schema;
CREATE TABLE archive.movable (id int);
ALTER TABLE movable SET SCHEMA archive;
SET migration_guard.mode = off;
DROP TABLE archive.movable, movable;
DROP SCHEMA archive;
RESET migration_guard.mode;
\set VERBOSITY default
-- check(): the same verdicts, and later statements find the table under its new name
SELECT statement_no, rule, severity, relation
  FROM migration_guard.check($$
CREATE SCHEMA archive;
ALTER TABLE t SET SCHEMA archive;
ALTER TABLE archive.t RENAME TO t2;
ALTER TABLE dt.t ADD COLUMN x int;
$$);

-- drop_table: rows and size named, CASCADE noted; an empty table (no storage at all) loses nothing
DROP TABLE loaded;
DROP TABLE t CASCADE;
CREATE TABLE never_used (id int);
DROP TABLE never_used;
DROP TABLE IF EXISTS no_such_table;
DROP TABLE no_such_table;
-- partitioned: judged by its partitions
CREATE TABLE parted (id int) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (1000);
INSERT INTO parted SELECT g FROM generate_series(1, 500) g;
DROP TABLE parted;
-- inside a function
CREATE TABLE old_log (id int);
INSERT INTO old_log VALUES (1);
CREATE FUNCTION cleanup() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DROP TABLE dt.old_log;
END $$;
SELECT cleanup();
-- rows of a table never analyzed: the live rows the statistics count (this 1-page table holds 3,
-- not the 255 its size suggests), whether this backend has reported them yet or not
CREATE TABLE three (id int);
INSERT INTO three VALUES (1), (2), (3);
SELECT relpages, reltuples FROM pg_class WHERE oid = 'three'::regclass;
DROP TABLE three;
-- ... and the size, when the statistics know of no row (reset)
CREATE TABLE three (id int);
INSERT INTO three VALUES (1), (2), (3);
SELECT pg_stat_force_next_flush();
SELECT pg_stat_reset_single_table_counters('three'::regclass);
SELECT n_live_tup FROM pg_stat_user_tables WHERE relid = 'three'::regclass;
DROP TABLE three;

-- rename_schema and drop_schema_or_database
CREATE SCHEMA app;
CREATE TABLE app.users (id int);
INSERT INTO app.users SELECT g FROM generate_series(1, 1000) g;
CREATE TABLE app.events (id int);
ALTER SCHEMA app RENAME TO app_v2;
DROP SCHEMA app_v2 CASCADE;
-- an empty schema, or RESTRICT (refused by PostgreSQL unless empty): nothing lost
CREATE SCHEMA empty;
DROP SCHEMA empty CASCADE;
CREATE SCHEMA keep;
CREATE TABLE keep.k (id int);
DROP SCHEMA keep;
DROP TABLE keep.k;
DROP SCHEMA keep;
DROP DATABASE IF EXISTS no_such_database;
CREATE DATABASE regression_mg_dropme;
DROP DATABASE regression_mg_dropme;

-- check() gives the same verdicts; objects the text creates are new
SELECT statement_no, rule, severity, relation, message
  FROM migration_guard.check($$
CREATE TABLE fresh (id int);
ALTER TABLE fresh RENAME TO fresh2;
DROP TABLE fresh2;
CREATE TABLE k (id int);
ALTER SCHEMA dt RENAME TO dt2;
DROP DATABASE regression_no_such_db;
DROP DATABASE IF EXISTS regression_no_such_db;
$$);

\i test/regress/fixtures/teardown.sql
