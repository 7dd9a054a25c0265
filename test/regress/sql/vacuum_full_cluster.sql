--
-- vacuum_full_cluster: VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE
--
\set schema vf
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

CREATE TABLE t (id bigint PRIMARY KEY, c int, pad text);
INSERT INTO t SELECT g, g % 100, repeat('x', 20) FROM generate_series(1, 5000) g;
ANALYZE t;
CREATE TABLE loaded (id int, pad text);
INSERT INTO loaded SELECT g, repeat('y', 30) FROM generate_series(1, 5000) g;  -- never analyzed

-- refused
\set VERBOSITY verbose
VACUUM FULL t;
\set VERBOSITY default
VACUUM (FULL, ANALYZE) loaded;
VACUUM (FULL true) vf.t (id);
CLUSTER t USING t_pkey;
ALTER TABLE t CLUSTER ON t_pkey;
CLUSTER t;
-- every table of the database, whatever their size
VACUUM FULL;
-- CLUSTER without a table rewrites the tables clustered before (t, since CLUSTER ON): judged by
-- the largest of them. PostgreSQL refuses it inside a transaction block itself.
CLUSTER;
BEGIN;
CLUSTER;
ROLLBACK;

-- allowed: the hint's own statement, and forms that do not rewrite
VACUUM (ANALYZE) vf.t;
VACUUM (FULL false) t;
VACUUM t;
ANALYZE t;
-- allowed: small, new and temporary tables
CREATE TABLE small (id bigint PRIMARY KEY);
INSERT INTO small VALUES (1);
VACUUM FULL small;
CLUSTER small USING small_pkey;
-- ... and CLUSTER without a table once every clustered table is small (run as PostgreSQL runs
-- it: small is reclustered, and t is not, as the index mark is gone)
ALTER TABLE t SET WITHOUT CLUSTER;
CLUSTER;
-- ... or when the large clustered table belongs to someone else: PostgreSQL skips it too
CREATE ROLE regress_mg_cluster_other;
GRANT CREATE, USAGE ON SCHEMA vf TO regress_mg_cluster_other;
SET ROLE regress_mg_cluster_other;
CREATE TABLE mine (id bigint CONSTRAINT mine_pkey PRIMARY KEY);
ALTER TABLE mine CLUSTER ON mine_pkey;
RESET ROLE;
ALTER TABLE t CLUSTER ON t_pkey;
SET ROLE regress_mg_cluster_other;
CLUSTER;
RESET ROLE;
DROP TABLE mine;
ALTER TABLE t SET WITHOUT CLUSTER;
BEGIN;
CREATE TABLE fresh (id bigint PRIMARY KEY, pad text);
INSERT INTO fresh SELECT g, repeat('f', 30) FROM generate_series(1, 5000) g;
CLUSTER fresh USING fresh_pkey;
ROLLBACK;
CREATE TEMP TABLE scratch (id int, pad text);
INSERT INTO scratch SELECT g, repeat('s', 30) FROM generate_series(1, 5000) g;
VACUUM FULL scratch;

-- partitioned: judged by the sum of its partitions
CREATE TABLE parted (id int, pad text) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (3000);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (3000) TO (10000);
INSERT INTO parted SELECT g, repeat('p', 20) FROM generate_series(1, 5000) g;
VACUUM FULL parted;
SET migration_guard.mode = off;
CREATE INDEX parted_id_idx ON parted (id);
RESET migration_guard.mode;
CLUSTER parted USING parted_id_idx;

-- inside a function
CREATE FUNCTION recluster() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CLUSTER vf.t USING t_pkey;
END $$;
SELECT recluster();

-- PostgreSQL's own errors come through untouched
VACUUM FULL no_such_table;
CLUSTER no_such_table USING no_such_index;

-- check() gives the same verdicts
SELECT statement_no, rule, severity, relation, lock_mode, pg_size_pretty(table_size) AS size
  FROM migration_guard.check($$
VACUUM FULL t;
VACUUM t;
CLUSTER t USING t_pkey;
VACUUM FULL small;
CREATE TABLE t2 AS SELECT * FROM small;
VACUUM FULL t2;
$$);
ALTER TABLE t CLUSTER ON t_pkey;
SELECT statement_no, rule, severity, relation, lock_mode, pg_size_pretty(table_size) AS size
  FROM migration_guard.check('CLUSTER');
ALTER TABLE t SET WITHOUT CLUSTER;
SELECT count(*) AS findings FROM migration_guard.check('CLUSTER');

\i test/regress/fixtures/teardown.sql
DROP ROLE regress_mg_cluster_other;
