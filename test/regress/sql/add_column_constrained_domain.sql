--
-- add_column_constrained_domain: ADD COLUMN of a domain with constraints rewrites the table,
-- with or without a default
--
\set schema acd
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

CREATE TABLE big (id bigint PRIMARY KEY, c int);
INSERT INTO big SELECT g, g FROM generate_series(1, 5000) g;
ANALYZE big;
CREATE TABLE small (id bigint PRIMARY KEY);
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE DOMAIN required_code AS text NOT NULL CHECK (length(VALUE) BETWEEN 2 AND 8);
CREATE DOMAIN small_positive AS positive CHECK (VALUE < 1000);
CREATE DOMAIN plain_text AS text;

-- refused: no default needed, NULL is checked against the domain too
\set VERBOSITY verbose
ALTER TABLE big ADD COLUMN qty positive;
\set VERBOSITY default
-- NOT NULL domain and two CHECKs, one of them inherited from the base domain
ALTER TABLE big ADD COLUMN code required_code DEFAULT 'ab';
ALTER TABLE big ADD COLUMN lim small_positive;
\set VERBOSITY terse
ALTER TABLE big ADD COLUMN qty positive DEFAULT 1;

-- allowed: a domain without constraints; the base type; the recipe of the hint
ALTER TABLE big ADD COLUMN note plain_text;
ALTER TABLE acd.big ADD COLUMN qty integer;
ALTER TABLE acd.big ADD CONSTRAINT big_qty_check CHECK ((qty > 0)) NOT VALID;
ALTER TABLE acd.big VALIDATE CONSTRAINT big_qty_check;
-- allowed: a small table
ALTER TABLE small ADD COLUMN qty positive;

-- edge: a table created in this transaction
BEGIN;
CREATE TABLE fresh (id int);
INSERT INTO fresh SELECT generate_series(1, 5000);
ALTER TABLE fresh ADD COLUMN qty positive;
ROLLBACK;
-- edge: never analyzed
CREATE TABLE raw AS SELECT g AS id FROM generate_series(1, 5000) g;
ALTER TABLE raw ADD COLUMN qty positive;
-- edge: partitioned
CREATE TABLE parted (id bigint) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100000);
INSERT INTO parted SELECT generate_series(1, 5000);
ALTER TABLE parted ADD COLUMN qty positive;
-- edge: inside a function
CREATE FUNCTION add_qty() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE acd.big ADD COLUMN qty2 acd.positive;
END $$;
SELECT add_qty();
-- PostgreSQL's own error: an unknown domain
ALTER TABLE big ADD COLUMN bad no_such_domain;
\set VERBOSITY default

-- check(): the same verdicts
\pset format unaligned
\pset fieldsep ' | '
SELECT * FROM verdicts($$
ALTER TABLE big ADD COLUMN q1 positive;
ALTER TABLE big ADD COLUMN q2 plain_text;
ALTER TABLE small ADD COLUMN q3 positive;
CREATE TABLE fresh2 (id int);
ALTER TABLE fresh2 ADD COLUMN q4 positive;
$$);
\pset format aligned

\i test/regress/fixtures/teardown.sql
