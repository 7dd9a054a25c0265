--
-- concurrently_in_transaction: CONCURRENTLY operations where PostgreSQL refuses them
--
\set schema cit
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, c int);
INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;
CREATE INDEX t_c_idx ON t (c);
CREATE TABLE m (id int, ts date) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

-- refused whatever the size, inside BEGIN ... COMMIT: each CONCURRENTLY statement
BEGIN;
\set VERBOSITY verbose
CREATE INDEX CONCURRENTLY t_c2_idx ON t (c, id);
\set VERBOSITY default
ROLLBACK;
BEGIN;
DROP INDEX CONCURRENTLY t_c_idx;
ROLLBACK;
BEGIN;
REINDEX INDEX CONCURRENTLY t_c_idx;
ROLLBACK;
BEGIN;
ALTER TABLE m DETACH PARTITION m_2024 CONCURRENTLY;
ROLLBACK;
-- ... in a savepoint
BEGIN;
SAVEPOINT s1;
CREATE UNIQUE INDEX CONCURRENTLY t_c_key ON t (c);
ROLLBACK;
-- ... in a query string of several statements (an implicit transaction block)
SELECT 1 \; CREATE INDEX CONCURRENTLY t_c2_idx ON t (c, id);
-- ... from a function, a DO block and a procedure
CREATE FUNCTION build() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CREATE INDEX CONCURRENTLY t_c2_idx ON cit.t (c, id);
END $$;
SELECT build();
DO $$ BEGIN REINDEX TABLE CONCURRENTLY cit.t; END $$;
CREATE PROCEDURE detach() LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE cit.m DETACH PARTITION cit.m_2024 CONCURRENTLY;
END $$;
CALL detach();
-- a table created in this transaction needs no CONCURRENTLY at all, and the hint says so
BEGIN;
CREATE TABLE fresh (id int, c int);
CREATE INDEX CONCURRENTLY fresh_c_idx ON fresh (c);
ROLLBACK;

-- allowed: the same statements on their own
CREATE INDEX CONCURRENTLY t_c2_idx ON t (c, id);
REINDEX INDEX CONCURRENTLY t_c2_idx;
DROP INDEX CONCURRENTLY t_c2_idx;
ALTER TABLE m DETACH PARTITION m_2024 CONCURRENTLY;
ALTER TABLE m ATTACH PARTITION m_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- allowed: the plain forms inside a transaction block (other rules judge them by size)
BEGIN;
CREATE INDEX t_c3_idx ON t (c, id);
DROP INDEX t_c3_idx;
ALTER TABLE m DETACH PARTITION m_2024;
ROLLBACK;

-- a missing table: PostgreSQL's own error
BEGIN;
CREATE INDEX CONCURRENTLY nope_idx ON no_such_table (c);
ROLLBACK;

-- warn: PostgreSQL refuses it all the same, after the WARNING
SET migration_guard.mode = warn;
BEGIN;
CREATE INDEX CONCURRENTLY t_c2_idx ON t (c, id);
ROLLBACK;
RESET migration_guard.mode;

-- check() gives the same verdict: in a block of the text, or with in_transaction
SELECT * FROM verdicts($$
CREATE INDEX CONCURRENTLY t_c2_idx ON t (c, id);
BEGIN;
CREATE INDEX CONCURRENTLY t_c2_idx ON t (c, id);
DROP INDEX CONCURRENTLY t_c_idx;
COMMIT;
REINDEX TABLE CONCURRENTLY t;
$$);
SELECT statement_no, rule, message
  FROM migration_guard.check('ALTER TABLE m DETACH PARTITION m_2024 CONCURRENTLY', true);

\i test/regress/fixtures/teardown.sql
