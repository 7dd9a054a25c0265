--
-- migration_guard.check() called many times in one session: each call starts from the live
-- catalog, and nothing one call simulated is seen by the next (or crashes it).
--
\set schema chk_rep
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

CREATE TABLE tt (x int, y int);
INSERT INTO tt SELECT g, g FROM generate_series(1, 5000) g;
ANALYZE tt;

-- Twenty CREATE TABLE / ADD CHECK NOT VALID pairs, three times: each call simulates its own
-- CHECK constraints and forgets them at the end (this text once crashed the backend on the
-- second call, appending to a list in the memory of the first).
SELECT format('SELECT count(*) AS findings FROM migration_guard.check(%L);',
              string_agg(format('CREATE TABLE n%s (a int); ALTER TABLE tt ADD CONSTRAINT c%s CHECK (y IS NOT NULL) NOT VALID;', g, g), E'\n'))
  AS crash_text
  FROM generate_series(1, 20) g \gset
:crash_text
:crash_text
:crash_text

-- A NOT NULL proof simulated by one call does not carry over to the next: SET NOT NULL in a
-- second call still needs its scan, as it would in a fresh session.
SELECT rule FROM migration_guard.check('ALTER TABLE tt ADD CONSTRAINT tt_x_nn CHECK (x IS NOT NULL);');
SELECT rule FROM migration_guard.check('ALTER TABLE tt ALTER COLUMN x SET NOT NULL;');
-- ... and in one text it does: the proof is simulated, SET NOT NULL skips the scan
SELECT rule FROM migration_guard.check($$
ALTER TABLE tt ADD CONSTRAINT tt_x_nn CHECK (x IS NOT NULL) NOT VALID;
ALTER TABLE tt VALIDATE CONSTRAINT tt_x_nn;
ALTER TABLE tt ALTER COLUMN x SET NOT NULL;
$$);

-- squawk's issue 628 recipe, checked repeatedly in a session that created the table
CREATE TABLE foo (id bigint PRIMARY KEY);
INSERT INTO foo SELECT g FROM generate_series(1, 5000) g;
ANALYZE foo;
\set squawk628 'BEGIN; ALTER TABLE foo ADD COLUMN bar BIGINT; ALTER TABLE foo ADD CONSTRAINT bar_not_null CHECK (bar IS NOT NULL) NOT VALID; COMMIT; BEGIN; ALTER TABLE foo VALIDATE CONSTRAINT bar_not_null; ALTER TABLE foo ALTER COLUMN bar SET NOT NULL; ALTER TABLE foo DROP CONSTRAINT bar_not_null; COMMIT;'
SELECT statement_no, rule, severity FROM migration_guard.check(:'squawk628');
SELECT statement_no, rule, severity FROM migration_guard.check(:'squawk628');
SELECT statement_no, rule, severity FROM migration_guard.check(:'squawk628');

-- Every finding the same, call after call: 50 calls of a text that exercises the simulation
-- (created, renamed and dropped tables, locks, indexes, policies, NOT NULL proofs).
\set mixed 'CREATE TABLE m1 (a int); ALTER TABLE m1 RENAME TO m2; DROP TABLE m2; BEGIN; ALTER TABLE tt ADD COLUMN z int; UPDATE tt SET z = 1; CREATE INDEX ON tt (y); CREATE POLICY p ON tt USING (true); ALTER TABLE tt ENABLE ROW LEVEL SECURITY; ALTER TABLE tt ADD CONSTRAINT z_nn CHECK (z IS NOT NULL) NOT VALID; ROLLBACK; CREATE INDEX ON tt (x); ALTER TABLE tt ALTER COLUMN y SET NOT NULL;'
CREATE TEMP TABLE first_run AS SELECT statement_no, rule, severity, message FROM migration_guard.check(:'mixed');
SELECT statement_no, rule, severity FROM first_run ORDER BY 1, 2;
SELECT count(*) AS calls_that_differ
  FROM generate_series(1, 50) i
 WHERE EXISTS (SELECT statement_no, rule, severity, message FROM migration_guard.check(:'mixed')
               EXCEPT SELECT * FROM first_run)
    OR (SELECT count(*) FROM migration_guard.check(:'mixed')) <> (SELECT count(*) FROM first_run);

\i test/regress/fixtures/teardown.sql
