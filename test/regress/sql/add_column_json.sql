--
-- add_column_json: a json column, where jsonb is almost always meant (warning)
--
\set schema ajs
\i test/regress/fixtures/setup.sql

CREATE TABLE t (id bigint PRIMARY KEY);

-- warned: ADD COLUMN and CREATE TABLE (SQLSTATE shown once); the statement runs
\set VERBOSITY verbose
ALTER TABLE t ADD COLUMN payload json;
\set VERBOSITY default
CREATE TABLE events (id bigint PRIMARY KEY, body json, meta json NOT NULL DEFAULT '{}');
-- allowed: jsonb, json[] and a json value in a jsonb column
ALTER TABLE t ADD COLUMN doc jsonb;
ALTER TABLE t ADD COLUMN docs json[];
ALTER TABLE t ADD COLUMN doc2 jsonb DEFAULT '{}'::json::jsonb;
-- edge: temporary tables are nobody else's concern; a table created in this transaction is warned
CREATE TEMP TABLE tmp (j json);
BEGIN;
CREATE TABLE fresh (id bigint PRIMARY KEY, j json);
ROLLBACK;
-- edge: partitioned; inside a function
CREATE TABLE parted (id bigint, j json) PARTITION BY RANGE (id);
CREATE FUNCTION add_json() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE ajs.t ADD COLUMN payload2 json;
END $$;
SELECT add_json();

-- check(): the same verdicts
\pset format unaligned
\pset fieldsep ' | '
SELECT statement_no, rule, severity, relation, message
  FROM migration_guard.check($$
ALTER TABLE t ADD COLUMN j1 json;
ALTER TABLE t ADD COLUMN j2 jsonb;
CREATE TABLE fresh2 (id bigint PRIMARY KEY, j json);
$$);
\pset format aligned

\i test/regress/fixtures/teardown.sql
