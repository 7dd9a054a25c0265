--
-- validate_in_same_transaction: VALIDATE CONSTRAINT while this transaction holds a strong lock
--
\set schema vst
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE users (id int CONSTRAINT users_pkey PRIMARY KEY);
INSERT INTO users SELECT g FROM generate_series(1, 1000) g;
CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, user_id int, d int, pad text);
INSERT INTO t SELECT g, g % 1000 + 1, g, repeat('x', 20) FROM generate_series(1, 34000) g;
CREATE INDEX CONCURRENTLY t_user_id_idx ON t (user_id);
ANALYZE t;

-- refused: NOT VALID then VALIDATE in one transaction holds ACCESS EXCLUSIVE for the whole scan
BEGIN;
ALTER TABLE t ADD CONSTRAINT t_d_positive CHECK (d > 0) NOT VALID;
\set VERBOSITY verbose
ALTER TABLE t VALIDATE CONSTRAINT t_d_positive;
\set VERBOSITY default
ROLLBACK;
-- ... the same for a foreign key (SHARE ROW EXCLUSIVE held)
BEGIN;
ALTER TABLE t ADD CONSTRAINT t_user_id_fkey FOREIGN KEY (user_id) REFERENCES users NOT VALID;
ALTER TABLE t VALIDATE CONSTRAINT t_user_id_fkey;
ROLLBACK;
-- ... or any earlier strong lock: LOCK TABLE
ALTER TABLE t ADD CONSTRAINT t_d_nonneg CHECK (d >= 0) NOT VALID;
BEGIN;
LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE;
ALTER TABLE vst.t VALIDATE CONSTRAINT t_d_nonneg;
ROLLBACK;

-- allowed: the hint: commit first, validate in a transaction of its own
ALTER TABLE t ADD CONSTRAINT t_d_positive CHECK (d > 0) NOT VALID;
ALTER TABLE t VALIDATE CONSTRAINT t_d_positive;
-- allowed: a weaker lock held (SHARE UPDATE EXCLUSIVE: VALIDATE itself, ANALYZE)
ALTER TABLE t ADD CONSTRAINT t_d_small CHECK (d < 100000) NOT VALID;
BEGIN;
ANALYZE t;
ALTER TABLE t VALIDATE CONSTRAINT t_d_small;
COMMIT;
-- allowed: a constraint that is already valid: nothing to scan
BEGIN;
LOCK TABLE t;
ALTER TABLE t VALIDATE CONSTRAINT t_d_positive;
ROLLBACK;
-- allowed: a small table, a table created in this transaction
CREATE TABLE small (id int);
BEGIN;
ALTER TABLE small ADD CONSTRAINT small_id_check CHECK (id > 0) NOT VALID;
ALTER TABLE small VALIDATE CONSTRAINT small_id_check;
COMMIT;
BEGIN;
CREATE TABLE fresh AS SELECT * FROM t;
ALTER TABLE fresh ADD CONSTRAINT fresh_d_check CHECK (d > 0) NOT VALID;
ALTER TABLE fresh VALIDATE CONSTRAINT fresh_d_check;
ROLLBACK;

-- edge: never analyzed
CREATE TABLE loaded (id int, c int, pad text);
INSERT INTO loaded SELECT g, g, repeat('y', 30) FROM generate_series(1, 30000) g;
BEGIN;
ALTER TABLE loaded ADD CONSTRAINT loaded_c_check CHECK (c > 0) NOT VALID;
ALTER TABLE loaded VALIDATE CONSTRAINT loaded_c_check;
ROLLBACK;
-- edge: a partitioned table
CREATE TABLE m (id int, ts date) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO m SELECT g, date '2024-01-01' + (g % 300) FROM generate_series(1, 50000) g;
BEGIN;
ALTER TABLE m ADD CONSTRAINT m_id_check CHECK (id > 0) NOT VALID;
ALTER TABLE m VALIDATE CONSTRAINT m_id_check;
ROLLBACK;
-- edge: inside a function, the two steps in one call
CREATE FUNCTION add_and_validate() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE vst.t ADD CONSTRAINT t_d_check CHECK (d > 0) NOT VALID;
    ALTER TABLE vst.t VALIDATE CONSTRAINT t_d_check;
END $$;
SELECT add_and_validate();

-- PostgreSQL's own errors come through untouched
ALTER TABLE t VALIDATE CONSTRAINT no_such_constraint;

-- check() gives the same verdict: a migration run in one transaction, and one that commits between
SELECT * FROM verdicts($$
ALTER TABLE t ADD CONSTRAINT t_d_check CHECK (d > 0) NOT VALID;
ALTER TABLE t VALIDATE CONSTRAINT t_d_check;
$$, true);
SELECT count(*) AS findings
  FROM migration_guard.check($$
ALTER TABLE t ADD CONSTRAINT t_d_check CHECK (d > 0) NOT VALID;
ALTER TABLE t VALIDATE CONSTRAINT t_d_check;
$$);

\i test/regress/fixtures/teardown.sql
