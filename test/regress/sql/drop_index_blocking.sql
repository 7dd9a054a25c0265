--
-- drop_index_blocking: DROP INDEX without CONCURRENTLY on a large table
--
\set schema dib
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, c int, d int, pad text);
INSERT INTO t SELECT g, g % 1000, g, repeat('x', 20) FROM generate_series(1, 34000) g;
ANALYZE t;
CREATE INDEX CONCURRENTLY t_c_idx ON t (c);
CREATE INDEX CONCURRENTLY t_d_idx ON t (d);

-- refused: the plain drop, with the concurrent form in the hint
\set VERBOSITY verbose
DROP INDEX t_c_idx;
\set VERBOSITY default
-- several indexes: one CONCURRENTLY statement each; IF EXISTS and schema names kept
DROP INDEX IF EXISTS dib.t_c_idx, t_d_idx, no_such_idx;
-- CASCADE: CONCURRENTLY has no CASCADE, said in words
DROP INDEX t_c_idx CASCADE;
SELECT indexname FROM pg_indexes WHERE schemaname = 'dib' ORDER BY 1;

-- allowed: the hint's own statement
DROP INDEX CONCURRENTLY IF EXISTS dib.t_d_idx;

-- allowed: a small table
CREATE TABLE small (id int, c int);
CREATE INDEX small_c_idx ON small (c);
DROP INDEX small_c_idx;

-- allowed: a table created in this transaction
BEGIN;
CREATE TABLE fresh AS SELECT * FROM t;
CREATE INDEX fresh_c_idx ON fresh (c);
DROP INDEX fresh_c_idx;
ROLLBACK;

-- allowed: a temporary table
CREATE TEMP TABLE scratch AS SELECT * FROM t;
CREATE INDEX scratch_c_idx ON scratch (c);
DROP INDEX scratch_c_idx;

-- refused: never analyzed, judged by its real size
CREATE TABLE loaded (id int, c int, pad text);
INSERT INTO loaded SELECT g, g, repeat('y', 30) FROM generate_series(1, 30000) g;
CREATE INDEX CONCURRENTLY loaded_c_idx ON loaded (c);
SELECT reltuples FROM pg_class WHERE oid = 'loaded'::regclass;
DROP INDEX loaded_c_idx;

-- partitioned: no CONCURRENTLY form exists, and the hint says so
CREATE TABLE m (id int, ts date) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO m SELECT g, date '2024-01-01' + (g % 300) FROM generate_series(1, 50000) g;
SET migration_guard.mode = off;
CREATE INDEX m_ts_idx ON m (ts);
RESET migration_guard.mode;
DROP INDEX m_ts_idx;
-- allowed: what the hint says, with a lock_timeout in effect
SET lock_timeout = '2s';
DROP INDEX m_ts_idx;
RESET lock_timeout;
SET migration_guard.mode = off;
CREATE INDEX m_ts_idx ON m (ts);
RESET migration_guard.mode;
-- ... and a partition's own attached index: PostgreSQL's error, not the guard's
DROP INDEX m_2024_ts_idx;
DROP INDEX CONCURRENTLY m_ts_idx;

-- PostgreSQL's own errors come through untouched
DROP INDEX no_such_idx;
DROP INDEX t_pkey;
DROP INDEX t;
DROP INDEX CONCURRENTLY t_c_idx, t_pkey;

-- inside a function: the same refusal
CREATE FUNCTION drop_it() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DROP INDEX dib.t_c_idx;
END $$;
SELECT drop_it();

-- warn: a WARNING, and the index is dropped
SET migration_guard.mode = warn;
CREATE INDEX CONCURRENTLY t_c2_idx ON t (c);
DROP INDEX t_c2_idx;
RESET migration_guard.mode;

-- check() gives the same verdict
SELECT * FROM verdicts($$
DROP INDEX t_c_idx;
DROP INDEX CONCURRENTLY t_c_idx;
DROP INDEX small_c_idx;
DROP INDEX m_ts_idx;
$$);
SELECT hint FROM migration_guard.check('DROP INDEX t_c_idx');

\i test/regress/fixtures/teardown.sql
