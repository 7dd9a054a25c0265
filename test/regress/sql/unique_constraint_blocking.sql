--
-- unique_constraint_blocking: ADD UNIQUE builds its index under ACCESS EXCLUSIVE on a large table
--
\set schema ucb
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, email text, org int, pad text);
INSERT INTO t SELECT g, 'u' || g, g % 10, repeat('x', 20) FROM generate_series(1, 34000) g;
ANALYZE t;

-- refused: the hint is CREATE UNIQUE INDEX CONCURRENTLY + USING INDEX, never NOT VALID
\set VERBOSITY verbose
ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE (email);
\set VERBOSITY default
ALTER TABLE t ADD CONSTRAINT t_org_email_key UNIQUE (org, email), ADD COLUMN note text;
-- refused: inline in ADD COLUMN (the index is built over every row, NULLs included)
ALTER TABLE t ADD COLUMN code text CONSTRAINT t_code_key UNIQUE;
SELECT conname FROM pg_constraint WHERE conrelid = 't'::regclass AND contype <> 'n' ORDER BY 1;

-- allowed: each step of the hint
CREATE UNIQUE INDEX CONCURRENTLY t_email_key ON ucb.t (email);
ALTER TABLE ucb.t ADD CONSTRAINT t_email_key UNIQUE USING INDEX t_email_key;
SELECT conname, contype FROM pg_constraint WHERE conrelid = 't'::regclass AND contype <> 'n' ORDER BY 1;
-- allowed: a small table, a table created in this transaction, a temporary table
CREATE TABLE small (id int, email text);
ALTER TABLE small ADD CONSTRAINT small_email_key UNIQUE (email);
BEGIN;
CREATE TABLE fresh AS SELECT * FROM t;
ALTER TABLE fresh ADD CONSTRAINT fresh_email_key UNIQUE (email);
ROLLBACK;
CREATE TEMP TABLE scratch AS SELECT * FROM t;
ALTER TABLE scratch ADD CONSTRAINT scratch_email_key UNIQUE (email);

-- refused: never analyzed
CREATE TABLE loaded (id int, email text, pad text);
INSERT INTO loaded SELECT g, 'u' || g, repeat('y', 30) FROM generate_series(1, 30000) g;
ALTER TABLE loaded ADD CONSTRAINT loaded_email_key UNIQUE (email);
-- refused: a partitioned table, with no CONCURRENTLY or USING INDEX on the parent: the per-partition route
CREATE TABLE m (id int, ts date) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO m SELECT g, date '2024-01-01' + (g % 300) FROM generate_series(1, 50000) g;
ALTER TABLE m ADD CONSTRAINT m_id_ts_key UNIQUE (id, ts);
-- ... which the hint describes: each partition first, then the parent attaches them, building nothing
CREATE UNIQUE INDEX CONCURRENTLY m_2024_id_ts_key ON m_2024 (id, ts);
ALTER TABLE m_2024 ADD CONSTRAINT m_2024_id_ts_key UNIQUE USING INDEX m_2024_id_ts_key;
ALTER TABLE m ADD CONSTRAINT m_id_ts_key UNIQUE (id, ts);
SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid IN ('m'::regclass, 'm_2024'::regclass) ORDER BY 1;

-- inside a function: the same refusal
CREATE FUNCTION add_unique() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE ucb.loaded ADD CONSTRAINT loaded_email_key UNIQUE (email);
END $$;
SELECT add_unique();

-- PostgreSQL's own errors come through untouched
ALTER TABLE t ADD CONSTRAINT t_x_key UNIQUE USING INDEX no_such_index;

-- check() gives the same verdict
SELECT * FROM verdicts($$
ALTER TABLE loaded ADD CONSTRAINT loaded_email_key UNIQUE (email);
CREATE TABLE made (a int);
ALTER TABLE made ADD CONSTRAINT made_a_key UNIQUE (a);
$$);

\i test/regress/fixtures/teardown.sql
