--
-- index_redundant: a new index that an existing valid index already covers
--
\set schema ir
\i test/regress/fixtures/setup.sql

CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, a int, b int, c text);
CREATE INDEX t_a_b_idx ON t (a, b);

-- An advisory rule: by default the hooks leave it to check() and the CLI, where a migration
-- is reviewed. No message, no pg_index scan, and the index is built.
CREATE INDEX t_a_b_dup ON t (a, b);
SELECT statement_no, rule, severity, relation
  FROM migration_guard.check($$CREATE INDEX t_a_b_dup2 ON t (a, b);$$);
SELECT count(*) AS built FROM pg_indexes WHERE schemaname = 'ir' AND indexname = 't_a_b_dup';
DROP INDEX t_a_b_dup;
-- ... and so does the warn mode with the default severity
SET migration_guard.mode = warn;
CREATE INDEX t_a_b_dup ON t (a, b);
RESET migration_guard.mode;
DROP INDEX t_a_b_dup;

-- A DBA who makes it an error has the hooks judge it, before the lock
SET migration_guard.rule_severity = 'index_redundant=error';

-- refused: the same columns, and a left prefix
\set VERBOSITY verbose
CREATE INDEX t_a_b_idx2 ON t (a, b);
\set VERBOSITY default
CREATE INDEX CONCURRENTLY t_a_idx ON t (a);
-- ... the primary key's index covers a plain index on id
CREATE INDEX t_id_idx ON t (id);
SELECT indexname FROM pg_indexes WHERE schemaname = 'ir' ORDER BY 1;
-- in the warn mode, a warning, and the index is built
SET migration_guard.mode = warn;
CREATE INDEX t_a_b_idx2 ON t (a, b);
RESET migration_guard.mode;
DROP INDEX t_a_b_idx2;

-- allowed: another order, another leading column, more columns
CREATE INDEX t_b_a_idx ON t (b, a);
CREATE INDEX t_b_c_idx ON t (b, c);
CREATE INDEX t_a_b_c_idx ON t (a, b, c);
-- ... but b alone is a left prefix of (b, a): refused
CREATE INDEX t_b_idx ON t (b);
-- allowed: any UNIQUE index, the usual step towards ADD CONSTRAINT ... USING INDEX
CREATE UNIQUE INDEX t_a_key ON t (a);
CREATE UNIQUE INDEX t_id_key ON t (id);
-- allowed: a different method, opclass, collation, ordering, predicate, expression or INCLUDE
CREATE INDEX t_a_hash_idx ON t USING hash (a);
CREATE INDEX t_c_pattern_idx ON t (c text_pattern_ops);
CREATE INDEX t_c_idx ON t (c);
CREATE INDEX t_c_c_idx ON t (c COLLATE "C");
CREATE INDEX t_a_desc_idx ON t (a DESC);
CREATE INDEX t_a_part_idx ON t (a) WHERE a > 0;
CREATE INDEX t_lower_c_idx ON t (lower(c));
CREATE INDEX t_a_incl_idx ON t (a) INCLUDE (c);
-- allowed: next to a partial or an invalid index, which serves nothing in general
CREATE TABLE u (x int, y int);
CREATE INDEX u_x_part_idx ON u (x) WHERE x > 0;
CREATE INDEX u_x_idx ON u (x);
CREATE INDEX u_y_idx ON u (y);
UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ir.u_y_idx'::regclass;
CREATE INDEX u_y_idx2 ON u (y);
-- allowed: IF NOT EXISTS on the same name (PostgreSQL skips it), and a temporary table
CREATE INDEX IF NOT EXISTS t_a_b_idx ON t (a, b);
CREATE TEMP TABLE scratch (a int);
CREATE INDEX scratch_a_idx ON scratch (a);
CREATE INDEX scratch_a_idx2 ON scratch (a);

-- edge: a table created in this transaction, a partitioned table, a never-analyzed table, a function
BEGIN;
CREATE TABLE fresh (a int);
CREATE INDEX fresh_a_idx ON fresh (a);
CREATE INDEX fresh_a_idx2 ON fresh (a);
ROLLBACK;
CREATE TABLE m (id int, ts date) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX m_ts_idx ON m (ts);
CREATE INDEX m_ts_idx2 ON m (ts);
CREATE TABLE loaded (a int);
INSERT INTO loaded SELECT g FROM generate_series(1, 1000) g;
CREATE INDEX loaded_a_idx ON loaded (a);
CREATE FUNCTION build() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CREATE INDEX loaded_a_idx2 ON ir.loaded (a);
END $$;
SELECT build();

-- check() gives the same verdict
SELECT statement_no, rule, severity, relation
  FROM migration_guard.check($$
CREATE INDEX t_a_idx3 ON t (a);
CREATE INDEX t_c_d_idx ON t (c, a);
$$);
RESET migration_guard.rule_severity;

\i test/regress/fixtures/teardown.sql
