--
-- index_unnamed: CREATE INDEX without an explicit name
--
\set schema iu
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, c int, "Mixed Case" int);
INSERT INTO t SELECT g, g, g FROM generate_series(1, 100) g;

-- warned whatever the size, with the name PostgreSQL would choose in the hint
\set VERBOSITY verbose
CREATE INDEX CONCURRENTLY ON t (c);
\set VERBOSITY default
-- the next one gets the next free name
CREATE UNIQUE INDEX ON t (c);
CREATE INDEX ON t ("Mixed Case", lower(c::text)) WHERE c > 0;
SELECT indexname FROM pg_indexes WHERE schemaname = 'iu' ORDER BY 1;

-- allowed: a named index
CREATE INDEX CONCURRENTLY t_c_id_idx ON t (c, id);
-- allowed: a temporary table
CREATE TEMP TABLE scratch (a int);
CREATE INDEX ON scratch (a);

-- a large table: create_index_blocking refuses, index_unnamed warns, and the refusal's own
-- hint already carries the name, so that following it draws no warning
CREATE TABLE big (id int, c int, pad text);
INSERT INTO big SELECT g, g, repeat('x', 20) FROM generate_series(1, 34000) g;
CREATE INDEX ON big (c);
CREATE INDEX CONCURRENTLY big_c_idx ON big (c);

-- edge: a table created in this transaction, a partitioned table, a never-analyzed table
BEGIN;
CREATE TABLE fresh (a int);
CREATE INDEX ON fresh (a);
ROLLBACK;
CREATE TABLE m (id int, ts date) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX ON m (ts);
CREATE TABLE loaded (a int);
INSERT INTO loaded SELECT g FROM generate_series(1, 10) g;
CREATE INDEX ON loaded (a);
-- edge: inside a function
CREATE FUNCTION build() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CREATE INDEX ON iu.loaded (a);
END $$;
SELECT build();

-- PostgreSQL's own errors come through untouched
CREATE INDEX ON t (no_such_column);
CREATE INDEX ON no_such_table (c);

-- check() gives the same verdict
SELECT statement_no, rule, severity, relation, hint
  FROM migration_guard.check($$
CREATE INDEX ON t (id, c);
CREATE INDEX t_id_c_idx ON t (id, c);
CREATE TABLE made (a int);
CREATE INDEX ON made (a);
$$);

\i test/regress/fixtures/teardown.sql
