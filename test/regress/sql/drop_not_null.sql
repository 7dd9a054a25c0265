--
-- drop_not_null: off by default. DROP NOT NULL is catalog-only (no scan, a brief lock) and the
-- standard contract step before a column is dropped; a DBA who wants to hear about it raises
-- the rule, and then it warns whatever the size.
--
\set schema dnn
\i test/regress/fixtures/setup.sql

CREATE TABLE big (id bigint PRIMARY KEY, c int NOT NULL, d int NOT NULL, e int, f int NOT NULL, g int NOT NULL,
                  h int NOT NULL);
INSERT INTO big SELECT g, g, g, g, g, g, g FROM generate_series(1, 100) g;
ANALYZE big;

-- silent by default
SELECT default_severity, effective_severity FROM migration_guard.rules() WHERE rule = 'drop_not_null';
ALTER TABLE big ALTER COLUMN h DROP NOT NULL;
SELECT count(*) AS findings FROM migration_guard.check('ALTER TABLE big ALTER COLUMN c DROP NOT NULL');

-- raised by the DBA: warned, and the statement runs (SQLSTATE shown once)
SET migration_guard.rule_severity = 'drop_not_null=warning';
\set VERBOSITY verbose
ALTER TABLE big ALTER COLUMN c DROP NOT NULL;
\set VERBOSITY default
ALTER TABLE big ALTER COLUMN d SET DEFAULT 0, ALTER COLUMN d DROP NOT NULL;
-- nothing to say
ALTER TABLE big ALTER COLUMN e DROP NOT NULL;

-- edge: a table created in this transaction, and a temporary table: nobody else uses them
BEGIN;
CREATE TABLE fresh (id int, c int NOT NULL);
ALTER TABLE fresh ALTER COLUMN c DROP NOT NULL;
ROLLBACK;
CREATE TEMP TABLE fresh (id int, c int NOT NULL);
ALTER TABLE fresh ALTER COLUMN c DROP NOT NULL;
-- edge: never analyzed; partitioned
CREATE TABLE raw (id int, c int NOT NULL);
INSERT INTO raw SELECT g, g FROM generate_series(1, 100) g;
\set VERBOSITY terse
ALTER TABLE raw ALTER COLUMN c DROP NOT NULL;
CREATE TABLE parted (id int, c int NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (1000);
ALTER TABLE parted ALTER COLUMN c DROP NOT NULL;
-- edge: inside a function
CREATE FUNCTION change() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE dnn.big ALTER COLUMN f DROP NOT NULL;
END $$;
SELECT change();
-- PostgreSQL's own error
ALTER TABLE big ALTER COLUMN id DROP NOT NULL;
\set VERBOSITY default

-- check(): the same verdicts
\pset format unaligned
\pset fieldsep ' | '
SELECT * FROM verdicts($$
CREATE TABLE fresh2 (id int, c int NOT NULL);
ALTER TABLE big ALTER COLUMN g DROP NOT NULL;
ALTER TABLE fresh2 ALTER COLUMN c DROP NOT NULL;
$$);
\pset format aligned

\i test/regress/fixtures/teardown.sql
