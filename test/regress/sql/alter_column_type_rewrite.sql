--
-- alter_column_type_rewrite: ALTER COLUMN TYPE that rewrites the table, or rebuilds indexes,
-- decided as ALTER TABLE decides it (the planned conversion, then its rewrite test)
--
\set schema act
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

-- indexes exist before the table is large
CREATE TABLE big (id bigint PRIMARY KEY, v varchar(10), n numeric(10,2), ts timestamp,
                  c text COLLATE "C", e text, d varchar(5), k int, p numeric(10,2));
CREATE INDEX big_c ON big (c);
CREATE INDEX big_e ON big (lower(e));
CREATE INDEX big_d ON big (d varchar_pattern_ops);
CREATE INDEX big_n ON big (n);
CREATE INDEX big_p ON big (p) WHERE p > 0;
CREATE INDEX big_ts ON big (ts);
INSERT INTO big SELECT g, g::text, g, '2024-01-01', g::text, g::text, 'a', g, g FROM generate_series(1, 5000) g;
ANALYZE big;
CREATE TABLE small (id bigint PRIMARY KEY, k int);

-- the relfilenodes before each statement, to show what PostgreSQL really rewrote
CREATE TABLE files AS SELECT relname, relfilenode FROM pg_class WHERE relnamespace = 'act'::regnamespace;
CREATE FUNCTION rewritten() RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(f.relname, ', ' ORDER BY f.relname), 'nothing')
    FROM files f JOIN pg_class c ON c.relname = f.relname AND c.relnamespace = 'act'::regnamespace
   WHERE c.relfilenode <> f.relfilenode $$;
CREATE FUNCTION remember() RETURNS void LANGUAGE sql AS $$
  DELETE FROM files;
  INSERT INTO files SELECT relname, relfilenode FROM pg_class WHERE relnamespace = 'act'::regnamespace $$;

-- refused: a rewrite
\set VERBOSITY verbose
ALTER TABLE big ALTER COLUMN k TYPE bigint;
\set VERBOSITY terse
ALTER TABLE big ALTER COLUMN n TYPE numeric(12,3);
ALTER TABLE big ALTER COLUMN v TYPE varchar(5);
ALTER TABLE big ALTER COLUMN e TYPE varchar(100);
ALTER TABLE big ALTER COLUMN v TYPE int USING v::int;
ALTER TABLE big ALTER COLUMN v TYPE text USING lower(v);
ALTER TABLE big ALTER COLUMN k TYPE int USING k + 1;
ALTER TABLE big ALTER COLUMN id TYPE int;
ALTER TABLE big ALTER COLUMN k SET DEFAULT 0, ALTER COLUMN k TYPE bigint;
-- refused: timestamp to timestamptz when TimeZone is not UTC
SET TimeZone = 'Europe/Paris';
\set VERBOSITY default
ALTER TABLE big ALTER COLUMN ts TYPE timestamptz;
\set VERBOSITY terse
RESET TimeZone;

-- allowed: binary-coercible without rewrite; mode warn shows what PostgreSQL then does
SET migration_guard.mode = warn;
SELECT remember();
ALTER TABLE big ALTER COLUMN v TYPE varchar(20);
SELECT rewritten();
ALTER TABLE big ALTER COLUMN v TYPE varchar;
ALTER TABLE big ALTER COLUMN v TYPE text;
ALTER TABLE big ALTER COLUMN v TYPE varchar;
ALTER TABLE big ALTER COLUMN v TYPE text USING v;
ALTER TABLE big ALTER COLUMN n TYPE numeric(14,2);
ALTER TABLE big ALTER COLUMN n TYPE numeric;
ALTER TABLE big ALTER COLUMN d TYPE text;
SELECT rewritten();
-- no rewrite, but an index is rebuilt: refused all the same, and PostgreSQL agrees
SELECT remember();
ALTER TABLE big ALTER COLUMN c TYPE text;
SELECT rewritten();
SELECT remember();
ALTER TABLE big ALTER COLUMN e TYPE varchar;
SELECT rewritten();
SELECT remember();
ALTER TABLE big ALTER COLUMN p TYPE numeric(12,2);
SELECT rewritten();
-- timestamp to timestamptz with TimeZone UTC: no rewrite, its index rebuilt (new operator class)
SET TimeZone = 'UTC';
SELECT remember();
ALTER TABLE big ALTER COLUMN ts TYPE timestamptz;
SELECT rewritten();
RESET TimeZone;
-- a rewrite, as PostgreSQL does it
SELECT remember();
ALTER TABLE big ALTER COLUMN k TYPE bigint;
SELECT rewritten();
RESET migration_guard.mode;
-- allowed: small table
ALTER TABLE small ALTER COLUMN k TYPE bigint;

-- allowed: the expand/contract recipe of the hint, every step as printed, draws nothing and
-- converts the column
CREATE TABLE wide (id bigint PRIMARY KEY, k int);
INSERT INTO wide SELECT g, g FROM generate_series(1, 5000) g;
ALTER TABLE wide ALTER COLUMN k TYPE bigint;
SET lock_timeout = '5s';
ALTER TABLE act.wide ADD COLUMN k_new bigint;
CREATE FUNCTION wide_k_sync() RETURNS trigger LANGUAGE plpgsql AS $sync$
  BEGIN
      NEW.k_new := (SELECT k::bigint FROM (SELECT NEW.*) AS row_values);
      RETURN NEW;
  END $sync$;
CREATE TRIGGER wide_k_sync BEFORE INSERT OR UPDATE ON act.wide FOR EACH ROW EXECUTE FUNCTION wide_k_sync();
DO $batch$
DECLARE
    batch_start bigint := (SELECT id FROM act.wide ORDER BY id LIMIT 1);
    batch_end bigint;
BEGIN
    WHILE batch_start IS NOT NULL LOOP
        SELECT id INTO batch_end FROM (
            SELECT id FROM act.wide WHERE id >= batch_start
             ORDER BY id LIMIT 10000) AS next_batch
         ORDER BY id DESC LIMIT 1;
        UPDATE act.wide SET k_new = k::bigint
         WHERE act.wide.id BETWEEN batch_start AND batch_end;
        COMMIT;
        PERFORM pg_sleep(0.1);
        batch_start := (SELECT id FROM act.wide WHERE id > batch_end ORDER BY id LIMIT 1);
    END LOOP;
END
$batch$;
BEGIN;
ALTER TABLE act.wide RENAME COLUMN k TO k_old;
ALTER TABLE act.wide RENAME COLUMN k_new TO k;
DROP TRIGGER wide_k_sync ON act.wide;
DROP FUNCTION wide_k_sync();
COMMIT;
ALTER TABLE act.wide DROP COLUMN k_old;
RESET lock_timeout;
SELECT format_type(a.atttypid, a.atttypmod) AS k_type,
       (SELECT count(*) FROM wide WHERE k IS DISTINCT FROM id) AS mismatches
  FROM pg_attribute a WHERE a.attrelid = 'wide'::regclass AND a.attname = 'k';

-- edge: a table created in this transaction
BEGIN;
CREATE TABLE fresh (id int);
INSERT INTO fresh SELECT generate_series(1, 5000);
ALTER TABLE fresh ALTER COLUMN id TYPE bigint;
ROLLBACK;
-- edge: never analyzed
CREATE TABLE raw AS SELECT g AS id FROM generate_series(1, 5000) g;
ALTER TABLE raw ALTER COLUMN id TYPE bigint;
-- edge: partitioned
CREATE TABLE parted (id int, v varchar(10)) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100000);
INSERT INTO parted SELECT g, g FROM generate_series(1, 5000) g;
ALTER TABLE parted ALTER COLUMN id TYPE bigint;
ALTER TABLE parted ALTER COLUMN v TYPE varchar(20);
-- edge: inheritance; ONLY on a parent with children is PostgreSQL's own error
CREATE TABLE inh_parent (id int);
CREATE TABLE inh_child () INHERITS (inh_parent);
INSERT INTO inh_child SELECT generate_series(1, 5000);
ALTER TABLE inh_parent ALTER COLUMN id TYPE bigint;
ALTER TABLE ONLY inh_parent ALTER COLUMN id TYPE bigint;
-- (PostgreSQL's own errors by SQLSTATE: 18 adds a position to some of them)
\set VERBOSITY sqlstate
ALTER TABLE inh_child ALTER COLUMN id TYPE bigint;
\set VERBOSITY terse
-- edge: inside a function
CREATE FUNCTION widen() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE act.raw ALTER COLUMN id TYPE bigint;
END $$;
SELECT widen();
-- PostgreSQL's own errors
ALTER TABLE big ALTER COLUMN no_such_column TYPE bigint;
\set VERBOSITY sqlstate
ALTER TABLE big ALTER COLUMN k TYPE no_such_type;
\set VERBOSITY terse
ALTER TABLE big ALTER COLUMN k TYPE point;
-- ... and a column a view depends on: PostgreSQL refuses the type change itself
CREATE VIEW big_k AS SELECT k FROM big;
ALTER TABLE big ALTER COLUMN k TYPE numeric;
\set VERBOSITY default

-- check(): the same verdicts
\pset format unaligned
\pset fieldsep ' | '
SELECT * FROM verdicts($$
ALTER TABLE big ALTER COLUMN id TYPE int;
ALTER TABLE big ALTER COLUMN v TYPE text;
ALTER TABLE small ALTER COLUMN k TYPE bigint;
ALTER TABLE parted ALTER COLUMN id TYPE bigint;
$$);
\pset format aligned

-- a USING expression that starts with a parenthesis keeps it, and its cast, in the recipe
SELECT substring(hint FROM 'NEW[.]n_new := [^;]*') FROM migration_guard.check($$ALTER TABLE big ALTER COLUMN n TYPE bigint USING (n * 100)::bigint;$$);

\i test/regress/fixtures/teardown.sql
