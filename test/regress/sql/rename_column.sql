--
-- rename_column: a breaking change for code that runs against the table (warning, whatever the size)
--
\set schema rcol
\i test/regress/fixtures/setup.sql

CREATE TABLE big (id bigint PRIMARY KEY, c int NOT NULL, d int NOT NULL, e int, f int NOT NULL, g int NOT NULL);
INSERT INTO big SELECT g, g, g, g, g, g FROM generate_series(1, 100) g;
ANALYZE big;

-- warned, and the statement runs (SQLSTATE shown once)
\set VERBOSITY verbose
ALTER TABLE big RENAME COLUMN c TO c2;
\set VERBOSITY default
ALTER TABLE big RENAME d TO d2;
-- nothing to say
ALTER TABLE big RENAME COLUMN c TO c;

-- nothing to say either: the swap of the expand/contract recipe (alter_column_type_rewrite's
-- hint), where the old name stays in use
ALTER TABLE big ADD COLUMN e_new bigint;
ALTER TABLE big RENAME COLUMN e TO e_old;
ALTER TABLE big RENAME COLUMN e_new TO e;
-- ... but a column merely named *_old or *_new is warned about as any other
\set VERBOSITY terse
ALTER TABLE big RENAME COLUMN e_old TO e_new;
\set VERBOSITY default

-- edge: a table created in this transaction, and a temporary table: nobody else uses them
BEGIN;
CREATE TABLE fresh (id int, c int NOT NULL);
ALTER TABLE fresh RENAME COLUMN c TO c2;
ROLLBACK;
CREATE TEMP TABLE fresh (id int, c int NOT NULL);
ALTER TABLE fresh RENAME COLUMN c TO c2;
-- edge: never analyzed; partitioned
CREATE TABLE raw (id int, c int NOT NULL);
INSERT INTO raw SELECT g, g FROM generate_series(1, 100) g;
\set VERBOSITY terse
ALTER TABLE raw RENAME COLUMN c TO c2;
CREATE TABLE parted (id int, c int NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (1000);
ALTER TABLE parted RENAME COLUMN c TO c2;
-- edge: inside a function
CREATE FUNCTION change() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE rcol.big RENAME COLUMN f TO f3;
END $$;
SELECT change();
-- ALTER TYPE ... RENAME ATTRIBUTE ... CASCADE renames the column of every typed table
CREATE TYPE comp AS (a int, b text);
CREATE TABLE typed_1 OF comp;
BEGIN;
ALTER TYPE comp RENAME ATTRIBUTE a TO a2 CASCADE;
SELECT attname FROM pg_attribute WHERE attrelid = 'typed_1'::regclass AND attnum > 0 ORDER BY attnum;
ROLLBACK;
ALTER TYPE comp RENAME ATTRIBUTE a TO a2;
-- PostgreSQL's own errors
ALTER TABLE parted_1 RENAME COLUMN id TO id3;
ALTER TABLE big RENAME COLUMN no_such_column TO x;
\set VERBOSITY default

-- check(): the same verdicts
\pset format unaligned
\pset fieldsep ' | '
SELECT * FROM verdicts($$
CREATE TABLE fresh2 (id int, c int NOT NULL);
ALTER TABLE big RENAME COLUMN g TO g3;
ALTER TABLE fresh2 RENAME COLUMN c TO c3;
ALTER TYPE comp RENAME ATTRIBUTE b TO b2 CASCADE;
$$);
\pset format aligned

\i test/regress/fixtures/teardown.sql
