--
-- check_constraint_validating: ADD CHECK without NOT VALID on a large table
--
\set schema ccv
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, c int, d int, pad text);
INSERT INTO t SELECT g, g % 1000, g, repeat('x', 20) FROM generate_series(1, 34000) g;
ANALYZE t;

-- refused: the check scans every row under ACCESS EXCLUSIVE; the hint is the two-step form
\set VERBOSITY verbose
ALTER TABLE t ADD CONSTRAINT t_d_positive CHECK (d > 0);
\set VERBOSITY default
-- ... inline in ADD COLUMN too: a new column with a CHECK is checked against every row
ALTER TABLE t ADD COLUMN e int CONSTRAINT t_e_positive CHECK (e > 0);
-- ... one ALTER TABLE with several subcommands is judged as a whole
ALTER TABLE ONLY t ADD CONSTRAINT t_c_range CHECK (c >= 0 AND c < 1000), ADD COLUMN f int;
SELECT conname FROM pg_constraint WHERE conrelid = 't'::regclass AND contype <> 'n' ORDER BY 1;

-- allowed: each step of the hint, VALIDATE in a later transaction
ALTER TABLE ccv.t ADD CONSTRAINT t_d_positive CHECK (d > 0) NOT VALID;
ALTER TABLE ccv.t VALIDATE CONSTRAINT t_d_positive;
SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 't'::regclass AND contype = 'c';
-- an inheritance parent: the CHECK is added to, and checked on, every child, each under
-- ACCESS EXCLUSIVE: the size that counts is the whole tree's, however small the parent
CREATE TABLE parent (id int, c int);
CREATE TABLE child_1 () INHERITS (parent);
CREATE TABLE child_2 () INHERITS (parent);
INSERT INTO child_1 SELECT g, g FROM generate_series(1, 20000) g;
INSERT INTO child_2 SELECT g, g FROM generate_series(1, 20000) g;
ALTER TABLE parent ADD CONSTRAINT parent_c_positive CHECK (c > 0);
-- NO INHERIT leaves the children alone: the (empty) parent alone is checked
ALTER TABLE parent ADD CONSTRAINT parent_c_small CHECK (c < 0) NO INHERIT;
-- ONLY without NO INHERIT: PostgreSQL's own error
ALTER TABLE ONLY parent ADD CONSTRAINT parent_c_positive CHECK (c > 0);
-- the hint's steps pass: NOT VALID (metadata only, on every child), then VALIDATE
ALTER TABLE ccv.parent ADD CONSTRAINT parent_c_positive CHECK (c > 0) NOT VALID;
ALTER TABLE ccv.parent VALIDATE CONSTRAINT parent_c_positive;
SELECT conrelid::regclass, conname, convalidated FROM pg_constraint WHERE conname = 'parent_c_positive' ORDER BY 1;
-- allowed: a small table
CREATE TABLE small (id int, c int);
ALTER TABLE small ADD CONSTRAINT small_c_check CHECK (c > 0);
-- allowed: a table created in this transaction, and a temporary table
BEGIN;
CREATE TABLE fresh AS SELECT * FROM t;
ALTER TABLE fresh ADD CONSTRAINT fresh_d_check CHECK (d > 0);
ROLLBACK;
CREATE TEMP TABLE scratch AS SELECT * FROM t;
ALTER TABLE scratch ADD CONSTRAINT scratch_d_check CHECK (d > 0);
-- allowed: dropping a CHECK is not a data-loss event (no constraint_drop warning)
ALTER TABLE t DROP CONSTRAINT t_d_positive;

-- refused: never analyzed, judged by its real size
CREATE TABLE loaded (id int, c int, pad text);
INSERT INTO loaded SELECT g, g, repeat('y', 30) FROM generate_series(1, 30000) g;
ALTER TABLE loaded ADD CONSTRAINT loaded_c_check CHECK (c > 0);
-- refused: a partitioned table, judged by its partitions; NOT VALID works there too
CREATE TABLE m (id int, ts date) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO m SELECT g, date '2024-01-01' + (g % 300) FROM generate_series(1, 50000) g;
ALTER TABLE m ADD CONSTRAINT m_id_check CHECK (id > 0);
ALTER TABLE m ADD CONSTRAINT m_id_check CHECK (id > 0) NOT VALID;
-- an unnamed CHECK: this rule refuses first, with constraint_unnamed noted in its DETAIL; the hint
-- uses the generated name, so following it answers both
SET migration_guard.mode = warn;
ALTER TABLE t ADD CHECK (d < 100000000);
RESET migration_guard.mode;

-- a CHECK written inside ADD COLUMN (Django's PositiveIntegerField): the hint and fix() add the
-- column without it first, then the constraint NOT VALID, then VALIDATE it on its own
ALTER TABLE t ADD COLUMN quantity integer DEFAULT 1 NOT NULL CHECK (quantity >= 0);
SELECT step, runs_in, sql FROM migration_guard.fix($$ALTER TABLE t ADD COLUMN quantity integer CHECK (quantity >= 0) DEFAULT 1 NOT NULL;$$);
SELECT step, runs_in, sql FROM migration_guard.fix($$ALTER TABLE t ADD COLUMN quantity integer CONSTRAINT t_qty_ref REFERENCES ccv.t (c) DEFERRABLE INITIALLY DEFERRED DEFAULT 1;$$);
-- following the hint draws no message
ALTER TABLE t ADD COLUMN quantity integer DEFAULT 1 NOT NULL;
ALTER TABLE ccv.t ADD CONSTRAINT t_quantity_check CHECK (quantity >= 0) NOT VALID;
ALTER TABLE ccv.t VALIDATE CONSTRAINT t_quantity_check;

-- inside a function: the same refusal
CREATE FUNCTION add_check() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE ccv.t ADD CONSTRAINT t_c_check CHECK (c >= 0);
END $$;
SELECT add_check();

-- PostgreSQL's own errors come through untouched
ALTER TABLE no_such_table ADD CONSTRAINT x CHECK (a > 0);

-- check() gives the same verdict
SELECT * FROM verdicts($$
ALTER TABLE t ADD CONSTRAINT t_c_check CHECK (c >= 0);
ALTER TABLE t ADD CONSTRAINT t_c_check CHECK (c >= 0) NOT VALID;
CREATE TABLE made (a int);
ALTER TABLE made ADD CONSTRAINT made_a_check CHECK (a > 0);
ALTER TABLE parent ADD CONSTRAINT parent_c_range CHECK (c < 100000);
$$);

\i test/regress/fixtures/teardown.sql
