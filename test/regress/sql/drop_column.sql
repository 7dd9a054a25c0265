--
-- drop_column: a breaking change for code that runs against the table (warning, whatever the size)
--
\set schema dcol
\i test/regress/fixtures/setup.sql

CREATE TABLE big (id bigint PRIMARY KEY, c int NOT NULL, d int NOT NULL, e int, f int NOT NULL, g int NOT NULL);
INSERT INTO big SELECT g, g, g, g, g, g FROM generate_series(1, 100) g;
ANALYZE big;

-- warned, and the statement runs (SQLSTATE shown once)
\set VERBOSITY verbose
ALTER TABLE big DROP COLUMN c;
\set VERBOSITY default
ALTER TABLE big DROP COLUMN IF EXISTS c, DROP COLUMN d;
-- nothing to say
ALTER TABLE big DROP COLUMN IF EXISTS no_such_column;

-- nothing to say either: the last step of the expand/contract recipe, once the new column
-- has taken the name
ALTER TABLE big ADD COLUMN e_old int;
ALTER TABLE big DROP COLUMN e_old;
-- ... but a column merely named *_old is warned about as any other
\set VERBOSITY terse
ALTER TABLE big ADD COLUMN x_old int;
ALTER TABLE big DROP COLUMN x_old;
\set VERBOSITY default

-- edge: a table created in this transaction, and a temporary table: nobody else uses them
BEGIN;
CREATE TABLE fresh (id int, c int NOT NULL);
ALTER TABLE fresh DROP COLUMN c;
ROLLBACK;
CREATE TEMP TABLE fresh (id int, c int NOT NULL);
ALTER TABLE fresh DROP COLUMN c;
-- edge: never analyzed; partitioned
CREATE TABLE raw (id int, c int NOT NULL);
INSERT INTO raw SELECT g, g FROM generate_series(1, 100) g;
\set VERBOSITY terse
ALTER TABLE raw DROP COLUMN c;
CREATE TABLE parted (id int, c int NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (1000);
ALTER TABLE parted DROP COLUMN c;
-- edge: inside a function
CREATE FUNCTION change() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE dcol.big DROP COLUMN f;
END $$;
SELECT change();
-- ALTER TYPE ... DROP ATTRIBUTE ... CASCADE drops the column of every typed table of the type
CREATE TYPE comp AS (a int, b text);
CREATE TABLE typed_1 OF comp;
CREATE TABLE typed_2 OF comp;
INSERT INTO typed_1 VALUES (1, 'x');
BEGIN;
ALTER TYPE comp DROP ATTRIBUTE b CASCADE;
SELECT attrelid::regclass, attname FROM pg_attribute WHERE attname = 'b' AND attrelid IN ('typed_1'::regclass, 'typed_2'::regclass) AND NOT attisdropped;
ROLLBACK;
-- without CASCADE PostgreSQL refuses while typed tables exist; IF EXISTS of nothing says nothing
ALTER TYPE comp DROP ATTRIBUTE b;
ALTER TYPE comp DROP ATTRIBUTE IF EXISTS no_such_attribute CASCADE;
-- a type with no typed table: nothing to say
CREATE TYPE lonely AS (a int, b text);
ALTER TYPE lonely DROP ATTRIBUTE b;
-- PostgreSQL's own errors
ALTER TABLE parted_1 DROP COLUMN id;
ALTER TABLE big DROP COLUMN no_such_column;
\set VERBOSITY default

-- check(): the same verdicts
\pset format unaligned
\pset fieldsep ' | '
SELECT * FROM verdicts($$
CREATE TABLE fresh2 (id int, c int NOT NULL);
ALTER TABLE big DROP COLUMN g;
ALTER TABLE fresh2 DROP COLUMN c;
ALTER TYPE comp DROP ATTRIBUTE a CASCADE;
$$);
\pset format aligned

\i test/regress/fixtures/teardown.sql
