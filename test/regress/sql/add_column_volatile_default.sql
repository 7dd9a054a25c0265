--
-- add_column_volatile_default: ADD COLUMN whose cooked default is volatile rewrites the table
--
\set schema avd
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

CREATE TABLE big (id bigint PRIMARY KEY, c int);
INSERT INTO big SELECT g, g FROM generate_series(1, 5000) g;
ANALYZE big;
CREATE TABLE small (id bigint PRIMARY KEY, c int);
INSERT INTO small VALUES (1, 1);
CREATE SEQUENCE big_seq;
CREATE FUNCTION vol_fn() RETURNS int LANGUAGE plpgsql VOLATILE AS 'BEGIN RETURN 1; END';
CREATE FUNCTION vol_sql_random() RETURNS float8 LANGUAGE sql VOLATILE AS 'SELECT random()';
CREATE FUNCTION vol_sql_definer() RETURNS int LANGUAGE sql VOLATILE SECURITY DEFINER AS 'SELECT 1';
CREATE FUNCTION vol_sql_const() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 1';
CREATE FUNCTION vol_sql_atomic() RETURNS int LANGUAGE sql VOLATILE BEGIN ATOMIC SELECT 42; END;
CREATE FUNCTION imm_fn() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';
CREATE FUNCTION stable_fn() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';

-- refused: the full message once, with its SQLSTATE
\set VERBOSITY verbose
ALTER TABLE big ADD COLUMN token uuid DEFAULT gen_random_uuid();
\set VERBOSITY default
-- NOT NULL too: the hint ends with the CHECK route to NOT NULL
ALTER TABLE big ADD COLUMN r float8 NOT NULL DEFAULT random();
\set VERBOSITY terse
-- refused: every volatile default, decided on the cooked expression
ALTER TABLE big ADD COLUMN t timestamptz DEFAULT clock_timestamp();
ALTER TABLE big ADD COLUMN n bigint DEFAULT nextval('big_seq');
ALTER TABLE big ADD COLUMN v int DEFAULT vol_fn();
ALTER TABLE big ADD COLUMN v int DEFAULT avd.vol_fn() + 1;
ALTER TABLE big ADD COLUMN w text DEFAULT (random() * 10)::int::text;
-- ... a LANGUAGE sql function is inlined first, and is still volatile when its body is, or
-- when it cannot be inlined (SECURITY DEFINER)
ALTER TABLE big ADD COLUMN v float8 DEFAULT vol_sql_random();
ALTER TABLE big ADD COLUMN v int DEFAULT vol_sql_definer();
-- ... and among other subcommands: the statement is judged as a whole
ALTER TABLE big ADD COLUMN a text DEFAULT 'x', ADD COLUMN b int DEFAULT vol_fn();
SELECT count(*) AS columns FROM pg_attribute WHERE attrelid = 'big'::regclass AND attnum > 0;

-- allowed: constant and stable defaults are stored once, as the missing value
ALTER TABLE big ADD COLUMN a1 text DEFAULT 'x';
ALTER TABLE big ADD COLUMN a2 int DEFAULT 0;
ALTER TABLE big ADD COLUMN a3 timestamptz DEFAULT now();
ALTER TABLE big ADD COLUMN a4 timestamptz DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE big ADD COLUMN a5 int[] DEFAULT ARRAY[]::int[];
ALTER TABLE big ADD COLUMN a6 date DEFAULT '2024-01-01'::date;
ALTER TABLE big ADD COLUMN a7 int DEFAULT imm_fn();
ALTER TABLE big ADD COLUMN a8 int DEFAULT stable_fn();
ALTER TABLE big ADD COLUMN a9 text DEFAULT NULL;
ALTER TABLE big ADD COLUMN a10 bigint;
-- a warning, not a refusal: a VOLATILE LANGUAGE sql function whose body is a constant is
-- inlined to that constant, so PostgreSQL stores it once and rewrites nothing (DEBUG1 shows no
-- "rewriting table"; the value is the column's missing value), but the label promised otherwise
\set VERBOSITY default
SET client_min_messages = debug1;
ALTER TABLE big ADD COLUMN v1 int DEFAULT vol_sql_const();
RESET client_min_messages;
\set VERBOSITY terse
ALTER TABLE big ADD COLUMN v2 int DEFAULT vol_sql_atomic() + 1;
SELECT attname, atthasmissing, attmissingval FROM pg_attribute
 WHERE attrelid = 'big'::regclass AND attname IN ('v1', 'v2') ORDER BY attname;
-- ... and nothing on a small table
ALTER TABLE small ADD COLUMN v1 int DEFAULT vol_sql_const();
-- allowed: the recipe of the hint, step by step, as printed
ALTER TABLE avd.big ADD COLUMN token uuid;
ALTER TABLE avd.big ALTER COLUMN token SET DEFAULT gen_random_uuid();
DO $batch$
DECLARE
    batch_start bigint := (SELECT id FROM avd.big ORDER BY id LIMIT 1);
    batch_end bigint;
BEGIN
    WHILE batch_start IS NOT NULL LOOP
        SELECT id INTO batch_end FROM (
            SELECT id FROM avd.big WHERE id >= batch_start
             ORDER BY id LIMIT 10000) AS next_batch
         ORDER BY id DESC LIMIT 1;
        UPDATE avd.big SET token = gen_random_uuid()
         WHERE avd.big.id BETWEEN batch_start AND batch_end AND (token IS NULL);
        COMMIT;
        PERFORM pg_sleep(0.1);
        batch_start := (SELECT id FROM avd.big WHERE id > batch_end ORDER BY id LIMIT 1);
    END LOOP;
END
$batch$;
SELECT count(*) FILTER (WHERE token IS NULL) AS unfilled, count(DISTINCT token) AS distinct_tokens FROM big;
-- allowed: a small table
ALTER TABLE small ADD COLUMN token uuid DEFAULT gen_random_uuid();

-- edge: a table created in this transaction
BEGIN;
CREATE TABLE fresh (id int);
INSERT INTO fresh SELECT generate_series(1, 5000);
ALTER TABLE fresh ADD COLUMN token uuid DEFAULT gen_random_uuid();
ROLLBACK;
-- edge: never analyzed (rows estimated from the size)
CREATE TABLE raw AS SELECT g AS id FROM generate_series(1, 5000) g;
ALTER TABLE raw ADD COLUMN token uuid DEFAULT gen_random_uuid();
-- edge: partitioned table, judged by its partitions
CREATE TABLE parted (id bigint, c int) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100000);
INSERT INTO parted SELECT g, g FROM generate_series(1, 5000) g;
ALTER TABLE parted ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE parted ADD COLUMN stamp timestamptz DEFAULT now();
-- edge: inheritance, a small parent with a large child: rewritten together without ONLY
CREATE TABLE inh_parent (id bigint);
CREATE TABLE inh_child () INHERITS (inh_parent);
INSERT INTO inh_child SELECT generate_series(1, 5000);
\set VERBOSITY default
ALTER TABLE inh_parent ADD COLUMN token uuid DEFAULT gen_random_uuid();
\set VERBOSITY terse
-- edge: temporary table
CREATE TEMP TABLE tmp AS SELECT g AS id FROM generate_series(1, 5000) g;
ALTER TABLE tmp ADD COLUMN token uuid DEFAULT gen_random_uuid();
-- edge: inside a function and a DO block
CREATE FUNCTION add_token() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE avd.big ADD COLUMN token2 uuid DEFAULT gen_random_uuid();
END $$;
SELECT add_token();
DO $$ BEGIN ALTER TABLE avd.big ADD COLUMN token2 uuid DEFAULT gen_random_uuid(); END $$;

-- PostgreSQL's own errors come through untouched
ALTER TABLE big ADD COLUMN bad int DEFAULT no_such_fn();
ALTER TABLE big ADD COLUMN bad int DEFAULT nextval('no_such_seq');
ALTER TABLE big ADD COLUMN bad int DEFAULT (SELECT 1);
ALTER TABLE big ADD COLUMN bad int DEFAULT 'not a number';
ALTER TABLE big ADD COLUMN c int DEFAULT random();
ALTER TABLE big ADD COLUMN IF NOT EXISTS c int DEFAULT random();
ALTER TABLE no_such_table ADD COLUMN bad int DEFAULT random();
ALTER TABLE ONLY inh_parent ADD COLUMN bad uuid DEFAULT gen_random_uuid();
ALTER TABLE parted_1 ADD COLUMN bad uuid DEFAULT gen_random_uuid();

-- warn mode: the same finding as a WARNING, and the column is added
SET migration_guard.mode = warn;
ALTER TABLE big ADD COLUMN token3 uuid DEFAULT gen_random_uuid();
RESET migration_guard.mode;
\set VERBOSITY default

-- check(): the same verdicts
\pset format unaligned
\pset fieldsep ' | '
SELECT statement_no, rule, severity, relation, lock_mode, estimated_rows
  FROM migration_guard.check($$
ALTER TABLE big ADD COLUMN x1 uuid DEFAULT gen_random_uuid();
ALTER TABLE big ADD COLUMN x2 int DEFAULT vol_fn();
ALTER TABLE big ADD COLUMN x3 timestamptz DEFAULT now();
ALTER TABLE big ADD COLUMN x4 int DEFAULT imm_fn();
ALTER TABLE big ADD COLUMN x8 int DEFAULT vol_sql_const();
ALTER TABLE big ADD COLUMN x9 float8 DEFAULT vol_sql_random();
ALTER TABLE small ADD COLUMN x5 uuid DEFAULT gen_random_uuid();
CREATE TABLE fresh2 (id int);
ALTER TABLE fresh2 ADD COLUMN x6 uuid DEFAULT gen_random_uuid();
ALTER TABLE parted ADD COLUMN x7 float8 DEFAULT random();
$$);
\pset format aligned

-- an expression that starts with a parenthesis keeps it, and its cast, in the recipe
SELECT step, sql FROM migration_guard.fix($$ALTER TABLE big ADD COLUMN ref_id integer DEFAULT (random() * 10)::int;$$)
 WHERE sql LIKE '%SET DEFAULT%';

\i test/regress/fixtures/teardown.sql
