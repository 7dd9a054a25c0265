--
-- Every item of a statement is judged (issue 14, item 1): the verdict on a dangerous item does
-- not depend on how many harmless items come before it. Each statement kind of the issue, with
-- the dangerous item alone (1 item), and after 7, 8, 99 and 999 harmless ones (8, 9, 100 and
-- 1,000 items; the old fixed slots held 8 table items, 8 indexes, 8 constraints, 32 column
-- actions and 4 data-change targets). The hooks' refusal (SQLSTATE and message) and check()'s
-- rows about the dangerous table are shown for each. test/fuzz/multi_item.py puts the item
-- first and last with more counts and kinds.
--
\set schema mi
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';
CREATE TABLE big (id bigint, c int, pad text);
CREATE INDEX big_c_idx ON big (c);
CREATE INDEX big_id_idx ON big (id);
INSERT INTO big SELECT g, g, repeat('x', 20) FROM generate_series(1, 5000) g;
CREATE TABLE ref (id bigint PRIMARY KEY);
INSERT INTO ref SELECT g FROM generate_series(1, 5000) g;
-- a large table that references a small one, for TRUNCATE ... CASCADE
CREATE TABLE head (id bigint PRIMARY KEY);
INSERT INTO head SELECT g FROM generate_series(1, 100) g;
CREATE TABLE tail (id bigint PRIMARY KEY, head_id bigint REFERENCES head (id), pad text);
CREATE INDEX tail_head_id_idx ON tail (head_id);
INSERT INTO tail SELECT g, g % 100 + 1, repeat('x', 20) FROM generate_series(1, 5000) g;
-- 999 harmless items: empty tables, each with an index
DO $$
BEGIN
  FOR i IN 1..999 LOOP
    EXECUTE format('CREATE TABLE mi.t%s (a int)', i);
    EXECUTE format('CREATE INDEX t%s_i ON mi.t%s (a)', i, i);
  END LOOP;
END $$;
ANALYZE;
SELECT relfilenode AS big_filenode FROM pg_class WHERE oid = 'mi.big'::regclass \gset

-- the statement's outcome through the hooks: the error's SQLSTATE and message, or 'ran'
CREATE FUNCTION try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE stmt;
  RETURN 'ran';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- n harmless items from a template (%s: the item's number), each followed by sep
CREATE FUNCTION harmless(tmpl text, n int, sep text) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(format(tmpl, g, g) || sep, '' ORDER BY g), '') FROM generate_series(1, n) g
$$;
-- check()'s findings about one table
CREATE FUNCTION findings(stmt text, rel text) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(rule || ' (' || severity || ')', ', ' ORDER BY rule), 'none')
    FROM migration_guard.check(stmt) WHERE relation = rel
$$;
CREATE TABLE kinds (kind text, stmt text);
INSERT INTO kinds VALUES
  ('vacuum_full', 'VACUUM FULL %s mi.big'),
  ('drop_index', 'DROP INDEX %s mi.big_c_idx'),
  ('not_valid_then_unique', 'ALTER TABLE mi.big %s ADD CONSTRAINT big_u UNIQUE (id, c)'),
  ('not_valid_then_primary_key', 'ALTER TABLE mi.big %s ADD CONSTRAINT big_pk PRIMARY KEY (id)'),
  ('not_valid_then_check', 'ALTER TABLE mi.big %s ADD CONSTRAINT big_ck CHECK (c > -1)'),
  ('not_valid_then_foreign_key', 'ALTER TABLE mi.big %s ADD CONSTRAINT big_fk FOREIGN KEY (id) REFERENCES mi.ref (id)'),
  ('columns_then_set_not_null', 'ALTER TABLE mi.big %s ALTER COLUMN c SET NOT NULL'),
  ('columns_then_type', 'ALTER TABLE mi.big %s ALTER COLUMN c TYPE bigint'),
  ('columns_then_volatile_default', 'ALTER TABLE mi.big %s ADD COLUMN v float8 DEFAULT random()'),
  ('ctes_then_delete', 'WITH %s e AS (DELETE FROM mi.big RETURNING 1) SELECT count(*) FROM e'),
  ('truncate', 'TRUNCATE %s mi.big'),
  ('truncate_cascade', 'TRUNCATE %s mi.head CASCADE');
CREATE TABLE templates (kind text, tmpl text);
INSERT INTO templates VALUES
  ('vacuum_full', 'mi.t%s'),
  ('drop_index', 'mi.t%s_i'),
  ('not_valid_then_unique', 'ADD CONSTRAINT k%s CHECK (c > -%s) NOT VALID'),
  ('not_valid_then_primary_key', 'ADD CONSTRAINT k%s CHECK (c > -%s) NOT VALID'),
  ('not_valid_then_check', 'ADD CONSTRAINT k%s CHECK (c > -%s) NOT VALID'),
  ('not_valid_then_foreign_key', 'ADD CONSTRAINT k%s CHECK (c > -%s) NOT VALID'),
  ('columns_then_set_not_null', 'ADD COLUMN x%s int'),
  ('columns_then_type', 'ADD COLUMN x%s int'),
  ('columns_then_volatile_default', 'ADD COLUMN x%s int'),
  ('ctes_then_delete', 'c%s AS (INSERT INTO mi.t%s VALUES (1) RETURNING 1)'),
  ('truncate', 'mi.t%s'),
  ('truncate_cascade', 'mi.t%s');
CREATE VIEW cases AS
  SELECT k.kind, n + 1 AS items, format(k.stmt, harmless(t.tmpl, n, ',')) AS stmt
    FROM kinds k JOIN templates t USING (kind), unnest(ARRAY[0, 7, 8, 99, 999]) n;

-- 1. check(): the same findings about the dangerous table, whatever the number of items
SELECT kind, items, findings(stmt, CASE WHEN kind = 'truncate_cascade' THEN 'mi.head' ELSE 'mi.big' END)
  FROM cases ORDER BY kind, items;

-- 2. the hooks: the same refusal (VACUUM cannot run in a function: below). TRUNCATE of a large
--    table is a warning: the statement runs, and its WARNING is shown once below.
SELECT kind, items, try(stmt) FROM cases WHERE kind NOT IN ('vacuum_full', 'truncate') ORDER BY kind, items;

-- VACUUM FULL at top level: refused at every count, and big is not rewritten
\set VERBOSITY terse
\set ECHO none
SELECT stmt FROM cases WHERE kind = 'vacuum_full' ORDER BY items \gexec
\set ECHO all
SELECT relfilenode = :big_filenode AS big_not_rewritten FROM pg_class WHERE oid = 'mi.big'::regclass;
-- TRUNCATE of 1,000 tables, big last: the warning on big (rolled back)
BEGIN;
\set ECHO none
SELECT stmt FROM cases WHERE kind = 'truncate' AND items = 1000 \gexec
\set ECHO all
ROLLBACK;
\set VERBOSITY default
-- nothing of it ran
SELECT count(*) AS big_rows FROM big;
SELECT count(*) AS big_constraints FROM pg_constraint WHERE conrelid = 'mi.big'::regclass;
SELECT count(*) AS big_columns FROM pg_attribute WHERE attrelid = 'mi.big'::regclass AND attnum > 0;
SELECT count(*) AS big_indexes FROM pg_index WHERE indrelid = 'mi.big'::regclass;

\i test/regress/fixtures/teardown.sql
