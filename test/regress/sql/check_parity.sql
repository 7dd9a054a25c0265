--
-- Parity: check() reaches the verdict the hooks reach when the same statements run.
--
-- Each case is a list of statements that run in one transaction. parity() runs them for
-- real, inside a subtransaction that is always rolled back, and notes the guard's refusal
-- (the rule named in its DETAIL); then it asks check() about the same text with
-- in_transaction => true. It prints one line per case: "same" with the verdict, or both.
--
-- One difference is known and expected: check() cannot know how many rows an UPDATE or
-- DELETE with a condition will touch (only the planner can, and planning would lock the
-- table), so dml_large_unbatched or dml_whole_table on such a statement is decided when it
-- runs (case 83: a condition every row satisfies, dml_whole_table). For the same reason it
-- cannot prune partitions: a data change of a partitioned table with a condition on its
-- partition key is judged by the whole table. And the advisory index_redundant is judged by
-- the hooks only at severity error (cases 200 and 201).
--
\set schema par
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';
SET migration_guard.max_dml_rows = 20000;

CREATE TABLE big (id int PRIMARY KEY, c int, pad text);
INSERT INTO big SELECT g, g % 1000, repeat('x', 20) FROM generate_series(1, 34000) g;
CREATE TABLE small (id int PRIMARY KEY, c int);
INSERT INTO small SELECT g, g FROM generate_series(1, 1000) g;
CREATE TABLE p (id int PRIMARY KEY);
INSERT INTO p SELECT g FROM generate_series(0, 999) g;
CREATE TABLE parted (id int, c int) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (20000);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (20000) TO (40000);
INSERT INTO parted SELECT g, g FROM generate_series(0, 39999) g;
CREATE TABLE never_analyzed (id int, c int, pad text);
SET migration_guard.mode = off;
INSERT INTO never_analyzed SELECT g, g, repeat('y', 40) FROM generate_series(1, 30000) g;
RESET migration_guard.mode;
CREATE MATERIALIZED VIEW mv AS SELECT id, c, pad FROM big;
-- mid: under the 1 MB threshold, so DDL on it is allowed, with more rows than max_dml_rows, so a
-- data change of all of it under a strong lock is a backfill
CREATE TABLE mid (id int PRIMARY KEY, c int);
INSERT INTO mid SELECT g, g FROM generate_series(1, 25000) g;
CREATE INDEX mid_c_idx ON mid (c);
CREATE MATERIALIZED VIEW mid_mv AS SELECT id FROM mid WHERE id < 10;
ALTER TABLE big ADD COLUMN spare int;
CREATE TABLE loose (id int, c int);
INSERT INTO loose SELECT g, g FROM generate_series(40000, 59999) g;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TYPE pair AS (a int, b int);
CREATE TABLE typed OF pair;
INSERT INTO typed SELECT g, g FROM generate_series(1, 30000) g;
ANALYZE big, small, p, parted, mv, loose, typed, mid;

CREATE FUNCTION parity(stmts text[]) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  hook text := '-';
  adv text;
  s text;
  detail text;
  state text;
BEGIN
  BEGIN
    FOREACH s IN ARRAY stmts LOOP
      EXECUTE s;
    END LOOP;
    RAISE EXCEPTION 'roll back' USING ERRCODE = 'P0001';
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
    IF state = 'MG001' THEN
      hook := substring(detail FROM '^Rule ([a-z_]+):') || ' error';
    ELSIF state <> 'P0001' THEN
      hook := 'PostgreSQL error ' || state;
    END IF;
  END;
  -- the first error row, in check()'s own order (as the hook raises the first error)
  adv := coalesce((SELECT rule || ' error'
                     FROM migration_guard.check(array_to_string(stmts, E';\n'), in_transaction => true)
                    WHERE severity = 'error' LIMIT 1), '-');
  IF hook = adv THEN
    RETURN 'same: ' || hook;
  END IF;
  IF hook LIKE 'PostgreSQL error%' AND adv = '-' THEN
    RETURN 'same: - (' || hook || ' when it runs)';
  END IF;
  RETURN 'DIFFERENT: hook ' || hook || ', check() ' || adv;
END
$fn$;

\pset format unaligned
\pset fieldsep ' | '
SELECT n, parity(stmts) AS verdict, array_to_string(stmts, '; ') AS statements
FROM (VALUES
  -- create_index_blocking
  (1, ARRAY['CREATE INDEX ON big (c)']),
  (2, ARRAY['CREATE INDEX ON small (c)']),
  (3, ARRAY['CREATE UNIQUE INDEX big_id_c ON par.big (id, c)']),
  (4, ARRAY['CREATE INDEX ON parted (c)']),
  (5, ARRAY['CREATE INDEX parted_c ON ONLY parted (c)']),
  (6, ARRAY['CREATE INDEX ON parted_1 (c)']),
  (7, ARRAY['CREATE INDEX ON never_analyzed (c)']),
  (8, ARRAY['CREATE INDEX ON mv (c)']),
  (9, ARRAY['CREATE TABLE fresh (id int, c int)', 'INSERT INTO fresh SELECT id, c FROM big', 'CREATE INDEX ON fresh (c)']),
  (10, ARRAY['CREATE TEMP TABLE tmp AS SELECT * FROM big', 'CREATE INDEX ON tmp (c)']),
  (11, ARRAY['CREATE INDEX ON nosuch (c)']),
  -- constraint_unnamed: refused on large existing tables; on small ones a warning (the hook's
  -- WARNING shows above the table); nothing for a table created in the same transaction
  (20, ARRAY['ALTER TABLE small ADD CHECK (c > 0)']),
  (21, ARRAY['ALTER TABLE small ADD CONSTRAINT small_c_check CHECK (c > 0)']),
  (22, ARRAY['ALTER TABLE big ADD FOREIGN KEY (c) REFERENCES p (id) NOT VALID']),
  (23, ARRAY['ALTER TABLE big ADD CONSTRAINT big_c_fkey FOREIGN KEY (c) REFERENCES p (id) NOT VALID']),
  (24, ARRAY['CREATE TABLE t1 (a int UNIQUE, b int REFERENCES p, CHECK (a > b))']),
  (25, ARRAY['CREATE TABLE t2 (a int CONSTRAINT t2_a_key UNIQUE, PRIMARY KEY (a))']),
  (26, ARRAY['ALTER TABLE small ADD COLUMN d int CHECK (d > 0)']),
  (27, ARRAY['ALTER TABLE parted ADD CHECK (c >= 0)']),
  (28, ARRAY['CREATE TABLE t3 (id int)', 'ALTER TABLE t3 ADD UNIQUE (id)']),
  (29, ARRAY['ALTER TABLE small ADD EXCLUDE USING btree (c WITH =)']),
  (30, ARRAY['CREATE TEMP TABLE t4 (a int CHECK (a > 0))']),
  (31, ARRAY['ALTER TABLE never_analyzed ADD PRIMARY KEY (id)']),
  (32, ARRAY['CREATE TABLE t5 (id int)', 'ALTER TABLE t5 ADD PRIMARY KEY (id)', 'ALTER TABLE t5 ADD CHECK (id > 0)']),
  (33, ARRAY['ALTER TABLE big ADD CHECK (c > 0) NOT VALID']),
  -- dml_without_where
  (40, ARRAY['UPDATE big SET c = 0']),
  (41, ARRAY['UPDATE big SET c = 0 WHERE true']),
  (42, ARRAY['DELETE FROM big']),
  (43, ARRAY['DELETE FROM small']),
  (44, ARRAY['UPDATE big SET c = 0 WHERE id = 1']),
  (45, ARRAY['UPDATE parted SET c = 0']),
  (46, ARRAY['UPDATE ONLY big SET c = 0 WHERE 1 = 1']),
  (47, ARRAY['UPDATE never_analyzed SET c = 0']),
  -- data-modifying CTEs: every one is judged, by check() as by the hook
  (48, ARRAY['WITH s AS (INSERT INTO small VALUES (-1, 0) RETURNING 1), d AS (DELETE FROM big RETURNING 1) SELECT count(*) FROM d']),
  (49, ARRAY['WITH d AS (UPDATE big SET c = 0 RETURNING 1) UPDATE small SET c = 0 WHERE id = 1']),
  (50, ARRAY['WITH d AS (DELETE FROM big WHERE id = 1 RETURNING 1) SELECT count(*) FROM d']),
  (51, ARRAY['WITH d AS (DELETE FROM small RETURNING 1), e AS (UPDATE parted SET c = 0 RETURNING 1) SELECT 1']),
  -- backfill_under_exclusive_lock
  (60, ARRAY['ALTER TABLE big ADD COLUMN d int', 'UPDATE big SET d = c WHERE id > 0']),
  (61, ARRAY['ALTER TABLE big ADD COLUMN d int', 'UPDATE big SET d = c WHERE id = 1']),
  (62, ARRAY['LOCK TABLE big IN ACCESS EXCLUSIVE MODE', 'DELETE FROM big WHERE id < 100']),
  (63, ARRAY['LOCK TABLE big IN SHARE MODE', 'DELETE FROM big WHERE id < 100']),
  (64, ARRAY['ALTER TABLE small ADD COLUMN d int', 'UPDATE small SET d = c WHERE id > 0']),
  (65, ARRAY['ALTER TABLE big ADD COLUMN d int', 'INSERT INTO big (id, c) VALUES (-1, 0)']),
  (66, ARRAY['ALTER TABLE big ADD COLUMN d int', 'INSERT INTO big (id, c) SELECT id + 100000, c FROM small']),
  (67, ARRAY['TRUNCATE small', 'INSERT INTO big (id, c) SELECT -id, c FROM small']),
  -- dml_large_unbatched (max_dml_rows = 20000 here)
  (80, ARRAY['ALTER TABLE small ADD COLUMN d int', 'UPDATE big SET c = 0']),
  (81, ARRAY['COMMENT ON TABLE small IS $$x$$', 'DELETE FROM parted']),
  (82, ARRAY['UPDATE small SET c = 0']),
  (83, ARRAY['COMMENT ON TABLE small IS $$x$$', 'UPDATE big SET c = 0 WHERE id > 10']),
  (84, ARRAY['COMMENT ON TABLE small IS $$x$$', 'INSERT INTO small SELECT id + 1000, c FROM big']),
  (85, ARRAY['COMMENT ON TABLE small IS $$x$$', 'INSERT INTO big SELECT id + 100000, c FROM small']),
  -- a data change after each kind of statement the statement-lock model knows to leave a
  -- strong lock behind (backfill_under_exclusive_lock), and after the ones that leave a weaker one
  (100, ARRAY['DROP INDEX mid_c_idx', 'UPDATE mid SET c = 0']),
  (101, ARRAY['CLUSTER mid USING mid_pkey', 'UPDATE mid SET c = 0']),
  (102, ARRAY['REFRESH MATERIALIZED VIEW mid_mv', 'UPDATE mid SET c = 0']),
  (103, ARRAY['CREATE TRIGGER big_touch BEFORE UPDATE ON big FOR EACH ROW EXECUTE FUNCTION touch()', 'UPDATE big SET c = 0 WHERE id < 100']),
  (104, ARRAY['CREATE POLICY big_all ON big USING (true)', 'UPDATE big SET c = 0 WHERE id < 100']),
  (105, ARRAY['ALTER TABLE big RENAME COLUMN pad TO padding', 'UPDATE big SET c = 0 WHERE id < 100']),
  (106, ARRAY['ALTER TABLE parted ATTACH PARTITION loose FOR VALUES FROM (40000) TO (60000)', 'UPDATE loose SET c = 0 WHERE id < 40100']),
  (107, ARRAY['CREATE TABLE parted_3 PARTITION OF parted FOR VALUES FROM (60000) TO (80000)', 'UPDATE parted SET c = 0 WHERE c < 100']),
  (108, ARRAY['ALTER TABLE parted DETACH PARTITION parted_2', 'UPDATE parted_2 SET c = 0 WHERE id < 20100']),
  (109, ARRAY['TRUNCATE small CASCADE', 'UPDATE big SET c = 0 WHERE id < 100']),
  (110, ARRAY['ALTER TABLE big DROP COLUMN spare', 'UPDATE big SET c = 0 WHERE id < 100']),
  (111, ARRAY['ALTER TYPE pair RENAME ATTRIBUTE b TO bb CASCADE', 'UPDATE typed SET a = 0 WHERE a < 100']),
  (112, ARRAY['ALTER TABLE big ADD CONSTRAINT big_c_p FOREIGN KEY (c) REFERENCES p (id) NOT VALID', 'UPDATE p SET id = id WHERE id < 100']),
  (113, ARRAY['COMMENT ON TABLE big IS $$x$$', 'UPDATE big SET c = 0 WHERE id < 100']),
  (114, ARRAY['REINDEX TABLE small', 'UPDATE big SET c = 0 WHERE id < 100']),
  (115, ARRAY['CREATE INDEX ON small (c)', 'UPDATE small SET c = 0 WHERE id < 100'])
) AS cases(n, stmts)
ORDER BY n;

-- index_redundant is advisory (docs/rules.md#index_redundant): at its default severity check()
-- warns and the hooks read nothing; made an error, both refuse it
SELECT rule, severity FROM migration_guard.check('CREATE INDEX small_id_idx ON small (id)');
SET migration_guard.rule_severity = 'index_redundant=error';
SELECT n, parity(stmts) AS verdict, array_to_string(stmts, '; ') AS statements
FROM (VALUES
  (200, ARRAY['CREATE INDEX small_id_idx ON small (id)']),
  (201, ARRAY['CREATE INDEX small_c_idx ON small (c)'])
) AS cases(n, stmts)
ORDER BY n;
RESET migration_guard.rule_severity;
\pset format aligned

\i test/regress/fixtures/teardown.sql
