--
-- add_column_stored_generated: ADD COLUMN ... GENERATED ALWAYS AS (...) STORED rewrites the table
--
\set schema asg
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

CREATE TABLE big (id bigint PRIMARY KEY, price numeric, qty int);
INSERT INTO big SELECT g, g, 2 FROM generate_series(1, 5000) g;
ANALYZE big;
CREATE TABLE small (id bigint PRIMARY KEY, price numeric, qty int);

-- refused
\set VERBOSITY verbose
ALTER TABLE big ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED;
\set VERBOSITY terse
ALTER TABLE big ADD COLUMN a int, ADD COLUMN twice bigint GENERATED ALWAYS AS (id * 2) STORED;

-- allowed: the recipe of the hint, as printed: the trigger computes new and changed rows
SET lock_timeout = '5s';
ALTER TABLE asg.big ADD COLUMN total numeric;
CREATE FUNCTION big_total_fill() RETURNS trigger LANGUAGE plpgsql AS $fill$
  BEGIN
      NEW.total := (SELECT price * qty FROM (SELECT NEW.*) AS row_values);
      RETURN NEW;
  END $fill$;
CREATE TRIGGER big_total_fill BEFORE INSERT OR UPDATE ON asg.big FOR EACH ROW EXECUTE FUNCTION big_total_fill();
RESET lock_timeout;
INSERT INTO big (id, price, qty) VALUES (10001, 3, 4);
UPDATE big SET qty = 3 WHERE id = 1;
SELECT id, total FROM big WHERE id IN (1, 2, 10001) ORDER BY id;
-- allowed: small table
ALTER TABLE small ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED;

-- edge: a table created in this transaction
BEGIN;
CREATE TABLE fresh (id int);
INSERT INTO fresh SELECT generate_series(1, 5000);
ALTER TABLE fresh ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) STORED;
ROLLBACK;
-- edge: never analyzed; partitioned; inside a function
CREATE TABLE raw AS SELECT g AS id FROM generate_series(1, 5000) g;
ALTER TABLE raw ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) STORED;
CREATE TABLE parted (id bigint) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100000);
INSERT INTO parted SELECT generate_series(1, 5000);
ALTER TABLE parted ADD COLUMN twice bigint GENERATED ALWAYS AS (id * 2) STORED;
CREATE FUNCTION add_twice() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE asg.raw ADD COLUMN twice int GENERATED ALWAYS AS (id * 2) STORED;
END $$;
SELECT add_twice();
-- PostgreSQL's own error: an unknown column in the expression
ALTER TABLE big ADD COLUMN bad int GENERATED ALWAYS AS (no_such_column * 2) STORED;
\set VERBOSITY default

-- check(): the same verdicts
\pset format unaligned
\pset fieldsep ' | '
SELECT * FROM verdicts($$
ALTER TABLE big ADD COLUMN g1 numeric GENERATED ALWAYS AS (price * 2) STORED;
ALTER TABLE small ADD COLUMN g2 numeric GENERATED ALWAYS AS (price * 2) STORED;
ALTER TABLE parted ADD COLUMN g3 bigint GENERATED ALWAYS AS (id + 1) STORED;
$$);
\pset format aligned

\i test/regress/fixtures/teardown.sql
