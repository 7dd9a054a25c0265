--
-- Privileges first (issue 14, items 3 and 4): PostgreSQL's own permission error comes before any
-- verdict of the guard. A role with no privilege on a large table learns nothing about it from
-- the guard: no size, no row estimate (the issue's attack read a predicate's selectivity from
-- the estimate in the refusal), no event, no counter, no check() row about it. Once the role
-- may act on the table, the same statements draw the guard's verdict (the test can fail).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS migration_guard;
DROP ROLE IF EXISTS regress_pf_user;
RESET client_min_messages;
CREATE ROLE regress_pf_user;
CREATE SCHEMA pf_shared;
CREATE SCHEMA pf_own AUTHORIZATION regress_pf_user;
GRANT USAGE ON SCHEMA pf_shared TO regress_pf_user;
SET migration_guard.large_table_threshold = '64kB';
CREATE TABLE pf_shared.payroll (id bigint PRIMARY KEY, salary int);
CREATE INDEX payroll_salary_idx ON pf_shared.payroll (salary) WHERE salary > 0;
INSERT INTO pf_shared.payroll SELECT g, g * 100 FROM generate_series(1, 10000) g;
ANALYZE pf_shared.payroll;
SELECT coalesce(max(event_id), 0) AS start FROM migration_guard.events \gset
SELECT sum(refused + warned + overridden) AS counted FROM migration_guard.stats \gset

SET SESSION AUTHORIZATION regress_pf_user;
SET search_path = pf_own;

-- 1. the issue's attack: in a transaction that has run DDL (so dml_large_unbatched would
--    judge it), an UPDATE whose row estimate would tell the predicate's selectivity
BEGIN;
CREATE TABLE pf_own.mine (id int);
UPDATE pf_shared.payroll SET salary = salary
 WHERE salary > 800000 OR random() < 0.5 OR random() < 0.5 OR random() < 0.5;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- every data change the guard judges: PostgreSQL's error, nothing else
DELETE FROM pf_shared.payroll;
UPDATE pf_shared.payroll SET salary = 0;
INSERT INTO pf_shared.payroll SELECT g, 0 FROM generate_series(20001, 30000) g;
WITH d AS (DELETE FROM pf_shared.payroll RETURNING 1) SELECT count(*) FROM d;
-- 2. DDL: "must be owner" or "permission denied" before any refusal
CREATE INDEX ON pf_shared.payroll (salary);
ALTER TABLE pf_shared.payroll ADD COLUMN bonus int DEFAULT random() * 10;
ALTER TABLE pf_shared.payroll ADD CONSTRAINT pos CHECK (salary > 0);
ALTER TABLE pf_shared.payroll ALTER COLUMN salary TYPE bigint;
DROP INDEX pf_shared.payroll_salary_idx;
TRUNCATE pf_shared.payroll;
LOCK TABLE pf_shared.payroll IN ACCESS EXCLUSIVE MODE;
DROP TABLE pf_shared.payroll;
CREATE TABLE pf_own.copy AS SELECT * FROM pf_shared.payroll;
SELECT * INTO pf_own.copy FROM pf_shared.payroll;
CREATE TABLE pf_own.copy AS WITH p AS (SELECT * FROM pf_shared.payroll) SELECT * FROM p;
CREATE TABLE pf_own.copy AS SELECT 1 AS one FROM generate_series(1, 2) WHERE EXISTS (SELECT FROM pf_shared.payroll);
-- 3. check() gives PostgreSQL's error as a statement_error row: no table, size or estimate
SELECT rule, relation, table_size, estimated_rows, message
  FROM migration_guard.check($$DELETE FROM pf_shared.payroll WHERE salary > 800000 OR random() < 0.5;
                               CREATE INDEX ON pf_shared.payroll (salary);
                               TRUNCATE pf_shared.payroll;
                               CREATE TABLE pf_own.copy AS SELECT * FROM pf_shared.payroll;$$);
RESET SESSION AUTHORIZATION;

-- 4. nothing was recorded or counted for any of it (CREATE TABLE AS above got PostgreSQL's
--    error, not ctas_large_source's warning with the source's size)
SELECT count(*) AS events FROM migration_guard.events WHERE event_id > :start;
SELECT sum(refused + warned + overridden) - :counted AS counted FROM migration_guard.stats;

-- 5. once the role may change the table, the guard judges it (the same statements draw its
--    verdict: the gate above is what kept them silent)
GRANT SELECT, UPDATE, DELETE ON pf_shared.payroll TO regress_pf_user;
SET SESSION AUTHORIZATION regress_pf_user;
DELETE FROM pf_shared.payroll;
\echo :LAST_ERROR_SQLSTATE
SELECT rule, relation FROM migration_guard.check('DELETE FROM pf_shared.payroll;');
SELECT rule, relation FROM migration_guard.check('CREATE TABLE pf_own.copy AS SELECT * FROM pf_shared.payroll;');
-- still not the owner: DDL still gets PostgreSQL's error first
CREATE INDEX ON pf_shared.payroll (salary);
RESET SESSION AUTHORIZATION;
SELECT usename, rule, action, relation FROM migration_guard.events WHERE event_id > :start ORDER BY event_id;

SET client_min_messages = error;
DROP SCHEMA pf_shared CASCADE;
DROP SCHEMA pf_own CASCADE;
RESET client_min_messages;
DROP ROLE regress_pf_user;
