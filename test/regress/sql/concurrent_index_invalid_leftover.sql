--
-- concurrent_index_invalid_leftover: IF NOT EXISTS or USING INDEX on an index a failed build left INVALID
--
\set schema ciil
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

-- a failed CREATE UNIQUE INDEX CONCURRENTLY leaves an INVALID index behind
CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, c int);
INSERT INTO t SELECT g, g % 10 FROM generate_series(1, 100) g;
CREATE UNIQUE INDEX CONCURRENTLY t_c_key ON t (c);
SELECT indexrelid::regclass, indisvalid FROM pg_index WHERE indrelid = 't'::regclass ORDER BY 1;

-- refused whatever the size: IF NOT EXISTS would only say NOTICE and skip
\set VERBOSITY verbose
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_c_key ON t (c);
\set VERBOSITY default
CREATE INDEX IF NOT EXISTS t_c_key ON ciil.t (c);
-- refused: a constraint on the invalid index (PostgreSQL would refuse it only after locking)
ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE USING INDEX t_c_key;

-- allowed: the hint's statements, once the duplicates are gone
DELETE FROM t WHERE id > 10;
DROP INDEX CONCURRENTLY IF EXISTS ciil.t_c_key;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_c_key ON t (c);
SELECT indexrelid::regclass, indisvalid FROM pg_index WHERE indrelid = 't'::regclass ORDER BY 1;
-- allowed: IF NOT EXISTS on a valid index, and USING INDEX on it
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_c_key ON t (c);
ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE USING INDEX t_c_key;
-- allowed: REINDEX CONCURRENTLY repairs an invalid index in place
INSERT INTO t VALUES (1000, 1);
ALTER TABLE t DROP CONSTRAINT t_c_key;
CREATE INDEX CONCURRENTLY t_c_idx ON t (c);
UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ciil.t_c_idx'::regclass;
REINDEX INDEX CONCURRENTLY t_c_idx;
SELECT indisvalid FROM pg_index WHERE indexrelid = 'ciil.t_c_idx'::regclass;

-- edge: an invalid index on a table created in this transaction is refused all the same
BEGIN;
CREATE TABLE fresh (id int, c int);
CREATE INDEX fresh_c_idx ON fresh (c);
UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ciil.fresh_c_idx'::regclass;
CREATE INDEX IF NOT EXISTS fresh_c_idx ON fresh (c);
ROLLBACK;
-- edge: a partitioned parent index built ON ONLY is invalid until every partition is attached:
-- that is the recipe's own state, not a leftover
CREATE TABLE m (id int, ts date) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX m_ts_idx ON ONLY m (ts);
CREATE INDEX IF NOT EXISTS m_ts_idx ON ONLY m (ts);
-- edge: never analyzed, from a function
CREATE TABLE loaded (id int, c int);
INSERT INTO loaded SELECT g, g FROM generate_series(1, 1000) g;
CREATE INDEX CONCURRENTLY loaded_c_idx ON loaded (c);
UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ciil.loaded_c_idx'::regclass;
CREATE FUNCTION build() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CREATE INDEX IF NOT EXISTS loaded_c_idx ON ciil.loaded (c);
END $$;
SELECT build();

-- check() gives the same verdict
SELECT * FROM verdicts($$
CREATE INDEX CONCURRENTLY IF NOT EXISTS loaded_c_idx ON loaded (c);
CREATE INDEX CONCURRENTLY IF NOT EXISTS t_c_idx ON t (c);
$$);

\i test/regress/fixtures/teardown.sql
