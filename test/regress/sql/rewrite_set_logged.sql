--
-- rewrite_set_logged, rewrite_set_tablespace, rewrite_set_access_method: ALTER TABLE forms
-- that copy the whole table under ACCESS EXCLUSIVE
--
\set schema rw
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';
SET allow_in_place_tablespaces = true;
CREATE TABLESPACE rw_space LOCATION '';
CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler;

CREATE TABLE t (id bigint PRIMARY KEY, c int, pad text);
INSERT INTO t SELECT g, g % 100, repeat('x', 20) FROM generate_series(1, 5000) g;
ANALYZE t;
CREATE UNLOGGED TABLE u (id int, pad text);
INSERT INTO u SELECT g, repeat('u', 20) FROM generate_series(1, 5000) g;  -- never analyzed
SELECT relname, pg_size_pretty(pg_table_size(oid)) AS size, reltuples FROM pg_class
WHERE relnamespace = 'rw'::regnamespace AND relkind = 'r' ORDER BY 1;

-- refused: each form on a large table, with SQLSTATE MG001
\set VERBOSITY verbose
ALTER TABLE t SET UNLOGGED;
\set VERBOSITY default
ALTER TABLE u SET LOGGED;
ALTER TABLE t SET TABLESPACE rw_space;
ALTER TABLE t SET ACCESS METHOD heap2;
-- one statement, several subcommands: every finding, under the statement's one lock
ALTER TABLE t SET UNLOGGED, SET TABLESPACE rw_space;

-- ALTER INDEX ... SET TABLESPACE copies the index under ACCESS EXCLUSIVE on it
SELECT pg_size_pretty(pg_relation_size('t_pkey')) AS index_size;
ALTER INDEX t_pkey SET TABLESPACE rw_space;
ALTER INDEX t_pkey SET TABLESPACE pg_default;   -- already there
ALTER INDEX no_such_index SET TABLESPACE rw_space;

-- ALTER TABLE ALL IN TABLESPACE: judged by the largest table it would move (OWNED BY keeps
-- other tests' tables out of this one)
CREATE ROLE regress_mg_rw_owner;
ALTER TABLE t OWNER TO regress_mg_rw_owner;
ALTER TABLE ALL IN TABLESPACE pg_default OWNED BY regress_mg_rw_owner SET TABLESPACE rw_space;
ALTER TABLE ALL IN TABLESPACE pg_default OWNED BY pg_database_owner SET TABLESPACE rw_space;
ALTER TABLE ALL IN TABLESPACE rw_space SET TABLESPACE pg_default;  -- nothing in it yet
ALTER TABLE ALL IN TABLESPACE pg_default SET TABLESPACE pg_default;
ALTER TABLE ALL IN TABLESPACE no_such_space SET TABLESPACE rw_space;

-- quoted, mixed-case names stay valid SQL in the recipe
CREATE TABLE "Event Log" (id int, pad text);
INSERT INTO "Event Log" SELECT g, repeat('e', 20) FROM generate_series(1, 5000) g;
ALTER TABLE "Event Log" SET UNLOGGED;

-- allowed: what would not rewrite anything
ALTER TABLE t SET LOGGED;                 -- already logged
ALTER TABLE u SET UNLOGGED;               -- already unlogged
ALTER TABLE t SET TABLESPACE pg_default;  -- already there
ALTER TABLE t SET ACCESS METHOD heap;     -- already so
-- allowed: a small table
CREATE TABLE small (id int);
INSERT INTO small VALUES (1);
ALTER TABLE small SET UNLOGGED, SET TABLESPACE rw_space, SET ACCESS METHOD heap2;
-- allowed: a table created in this transaction, and a temporary table
BEGIN;
CREATE TABLE fresh AS SELECT * FROM t;
ALTER TABLE fresh SET UNLOGGED, SET TABLESPACE rw_space;
ALTER TABLE fresh SET ACCESS METHOD heap2;
ROLLBACK;
CREATE TEMP TABLE scratch AS SELECT * FROM t;
ALTER TABLE scratch SET TABLESPACE rw_space;
DROP TABLE scratch;

-- partitioned: SET TABLESPACE on the parent only sets the default for new partitions
CREATE TABLE parted (id int, pad text) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10000);
INSERT INTO parted SELECT g, repeat('p', 20) FROM generate_series(1, 5000) g;
ALTER TABLE parted SET TABLESPACE rw_space;
ALTER TABLE parted SET TABLESPACE pg_default;
-- ... but a partition is an ordinary table
ALTER TABLE parted_1 SET TABLESPACE rw_space;

-- inside a function: the same verdict
CREATE FUNCTION go_unlogged() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  ALTER TABLE rw.t SET UNLOGGED;
END $$;
SELECT go_unlogged();
DO $$ BEGIN EXECUTE 'ALTER TABLE rw.t SET TABLESPACE rw_space'; END $$;

-- PostgreSQL's own errors come through untouched
ALTER TABLE t SET TABLESPACE no_such_space;
ALTER TABLE t SET ACCESS METHOD no_such_am;
ALTER TABLE no_such_table SET LOGGED;

-- check() gives the same verdicts; a table the text creates is new
SELECT statement_no, rule, severity, relation, lock_mode, pg_size_pretty(table_size) AS size
  FROM migration_guard.check($$
ALTER TABLE t SET UNLOGGED;
ALTER TABLE t SET TABLESPACE rw_space;
ALTER TABLE t SET ACCESS METHOD heap2;
ALTER TABLE t SET LOGGED;
ALTER INDEX t_pkey SET TABLESPACE rw_space;
CREATE TABLE t2 AS SELECT * FROM t;
ALTER TABLE t2 SET UNLOGGED;
$$);

-- warn: the statement runs
SET migration_guard.mode = warn;
ALTER TABLE t SET ACCESS METHOD heap2;
SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = 'rw.t'::regclass;
RESET migration_guard.mode;

\i test/regress/fixtures/teardown.sql
DROP ACCESS METHOD heap2;
DROP TABLESPACE rw_space;
DROP ROLE regress_mg_rw_owner;
