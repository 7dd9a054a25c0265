--
-- set_not_null_scan: SET NOT NULL scans the table unless a validated CHECK implies it
--
\set schema snn
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

-- the CHECK constraints exist before the table is large (adding them later is a rule of its own)
CREATE TABLE big (id bigint PRIMARY KEY, c int, d int, e int, f int,
                  CONSTRAINT big_d_pos CHECK (d > 0 OR d IS NULL),
                  CONSTRAINT big_e_pos CHECK (e > 0),
                  CONSTRAINT big_f_ok CHECK (f > 0 AND f IS NOT NULL));
INSERT INTO big SELECT g, g, g, g, g FROM generate_series(1, 5000) g;
ANALYZE big;
CREATE TABLE small (id bigint PRIMARY KEY, c int);

-- refused
\set VERBOSITY verbose
ALTER TABLE big ALTER COLUMN c SET NOT NULL;
\set VERBOSITY terse
-- refused: a NOT VALID CHECK proves nothing yet
ALTER TABLE big ADD CONSTRAINT big_c_not_null CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE big ALTER COLUMN c SET NOT NULL;
-- refused: a CHECK that does not imply it
ALTER TABLE big ALTER COLUMN d SET NOT NULL;
-- ... among other subcommands
ALTER TABLE big ALTER COLUMN d SET DEFAULT 0, ALTER COLUMN d SET NOT NULL;

-- allowed: the recipe of the hint, step by step
ALTER TABLE snn.big VALIDATE CONSTRAINT big_c_not_null;
ALTER TABLE snn.big ALTER COLUMN c SET NOT NULL;
ALTER TABLE snn.big DROP CONSTRAINT big_c_not_null;
-- refused: a CHECK that a NULL passes proves nothing, so PostgreSQL would scan; PostgreSQL's
-- own DEBUG lines (mode warn lets the statement run) agree with the guard each time
ALTER TABLE big ALTER COLUMN e SET NOT NULL;
SET migration_guard.mode = warn;
SET client_min_messages = debug1;
ALTER TABLE big ALTER COLUMN e SET NOT NULL;
-- allowed: a validated CHECK that implies it, as PostgreSQL's own prover sees it
ALTER TABLE big ALTER COLUMN f SET NOT NULL;
RESET client_min_messages;
RESET migration_guard.mode;
-- allowed: already NOT NULL; a small table
ALTER TABLE big ALTER COLUMN c SET NOT NULL;
ALTER TABLE small ALTER COLUMN c SET NOT NULL;

-- edge: a table created in this transaction
BEGIN;
CREATE TABLE fresh (id int);
INSERT INTO fresh SELECT generate_series(1, 5000);
ALTER TABLE fresh ALTER COLUMN id SET NOT NULL;
ROLLBACK;
-- edge: never analyzed
CREATE TABLE raw AS SELECT g AS id FROM generate_series(1, 5000) g;
ALTER TABLE raw ALTER COLUMN id SET NOT NULL;
-- edge: partitioned, refused, then allowed once a validated CHECK covers every partition
CREATE TABLE parted (id bigint, c int) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100000);
INSERT INTO parted SELECT g, g FROM generate_series(1, 5000) g;
ALTER TABLE parted ALTER COLUMN c SET NOT NULL;
ALTER TABLE parted ADD CONSTRAINT parted_c_not_null CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE parted VALIDATE CONSTRAINT parted_c_not_null;
ALTER TABLE parted ALTER COLUMN c SET NOT NULL;
-- edge: partitioned, with the validated CHECK on each partition rather than on the parent.
-- PostgreSQL checks each partition and scans only those no validated CHECK proves ("existing
-- constraints ... are sufficient" for the others), so the guard judges the size of those: refused
-- while two partitions are unproven, allowed once only a small one is (warn mode lets the first
-- run, to show PostgreSQL's own DEBUG lines)
CREATE TABLE pp (id bigint, c int) PARTITION BY RANGE (id);
CREATE TABLE pp_1 PARTITION OF pp FOR VALUES FROM (0) TO (3000);
CREATE TABLE pp_2 PARTITION OF pp FOR VALUES FROM (3000) TO (4900);
CREATE TABLE pp_3 PARTITION OF pp FOR VALUES FROM (4900) TO (100000);
INSERT INTO pp SELECT g, g FROM generate_series(1, 5000) g;
ALTER TABLE pp_1 ADD CONSTRAINT pp_1_c_not_null CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE pp_1 VALIDATE CONSTRAINT pp_1_c_not_null;
\set VERBOSITY default
ALTER TABLE pp ALTER COLUMN c SET NOT NULL;
\set VERBOSITY terse
SET migration_guard.mode = warn;
SET client_min_messages = debug1;
BEGIN;
ALTER TABLE pp ALTER COLUMN c SET NOT NULL;
ROLLBACK;
RESET client_min_messages;
RESET migration_guard.mode;
ALTER TABLE pp_2 ADD CONSTRAINT pp_2_c_not_null CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE pp_2 VALIDATE CONSTRAINT pp_2_c_not_null;
SET client_min_messages = debug1;
BEGIN;
ALTER TABLE pp ALTER COLUMN c SET NOT NULL;
ROLLBACK;
ALTER TABLE pp_3 ADD CONSTRAINT pp_3_c_not_null CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE pp_3 VALIDATE CONSTRAINT pp_3_c_not_null;
ALTER TABLE pp ALTER COLUMN c SET NOT NULL;
RESET client_min_messages;
-- edge: inheritance children are changed too (without ONLY), and each must be proven
CREATE TABLE ip (id bigint, c int);
CREATE TABLE ic () INHERITS (ip);
INSERT INTO ic SELECT g, g FROM generate_series(1, 5000) g;
ALTER TABLE ip ADD CONSTRAINT ip_c_not_null CHECK (c IS NOT NULL) NO INHERIT;
ALTER TABLE ip ALTER COLUMN c SET NOT NULL;
ALTER TABLE ic ADD CONSTRAINT ic_c_not_null CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE ic VALIDATE CONSTRAINT ic_c_not_null;
ALTER TABLE ip ALTER COLUMN c SET NOT NULL;
-- edge: inside a function
CREATE FUNCTION set_nn() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE snn.big ALTER COLUMN d SET NOT NULL;
END $$;
SELECT set_nn();
-- PostgreSQL's own error: no such column
ALTER TABLE big ALTER COLUMN no_such_column SET NOT NULL;
\set VERBOSITY default

-- check(): the same verdicts
\pset format unaligned
\pset fieldsep ' | '
SELECT * FROM verdicts($$
ALTER TABLE big ALTER COLUMN d SET NOT NULL;
ALTER TABLE big ALTER COLUMN e SET NOT NULL;
ALTER TABLE small ALTER COLUMN id SET NOT NULL;
ALTER TABLE raw ALTER COLUMN id SET NOT NULL;
$$);
-- check() follows the recipe through the text: SET NOT NULL is refused until the CHECK that the
-- text adds has been validated, then allowed
SELECT statement_no, rule, severity
  FROM migration_guard.check($$
ALTER TABLE big ADD CONSTRAINT big_d_not_null CHECK (d IS NOT NULL) NOT VALID;
ALTER TABLE big ALTER COLUMN d SET NOT NULL;
ALTER TABLE big VALIDATE CONSTRAINT big_d_not_null;
ALTER TABLE big ALTER COLUMN d SET NOT NULL;
ALTER TABLE big DROP CONSTRAINT big_d_not_null;
$$);
-- ... and through the partitions: each proven in the text, then the parent
CREATE TABLE pq (id bigint, c int) PARTITION BY RANGE (id);
CREATE TABLE pq_1 PARTITION OF pq FOR VALUES FROM (0) TO (3000);
CREATE TABLE pq_2 PARTITION OF pq FOR VALUES FROM (3000) TO (100000);
INSERT INTO pq SELECT g, g FROM generate_series(1, 5000) g;
SELECT statement_no, rule, severity
  FROM migration_guard.check($$
ALTER TABLE pq_1 ADD CONSTRAINT pq_1_c_not_null CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE pq_1 VALIDATE CONSTRAINT pq_1_c_not_null;
ALTER TABLE pq ALTER COLUMN c SET NOT NULL;
ALTER TABLE pq_2 ADD CONSTRAINT pq_2_c_not_null CHECK (c IS NOT NULL) NOT VALID;
ALTER TABLE pq_2 VALIDATE CONSTRAINT pq_2_c_not_null;
ALTER TABLE pq ALTER COLUMN c SET NOT NULL;
$$);
\pset format aligned

-- the recipe's constraint gets a name no constraint of the schema has: one the text added
-- (here NOT VALID, so it proves nothing) and one in the catalog take the first two
ALTER TABLE big ADD CONSTRAINT big_d_not_null1 CHECK (d > 0) NOT VALID;
SELECT step, sql FROM migration_guard.fix($$
ALTER TABLE big ADD CONSTRAINT big_d_not_null CHECK (d IS NOT NULL) NOT VALID;
ALTER TABLE big ALTER COLUMN d SET NOT NULL;
$$) WHERE sql LIKE '%not_null%';
ALTER TABLE big DROP CONSTRAINT big_d_not_null1;

\i test/regress/fixtures/teardown.sql
