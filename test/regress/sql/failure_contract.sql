--
-- The failure contract (docs/settings.md, "When the guard cannot judge a statement"), shown by
-- injecting failures at every point where the guard reads a statement. Runs in the "faults"
-- suite of scripts/test.sh only: it needs test/faults/mg_faults, a test-only library that
-- scripts/test.sh installs into the test installation (no package installs it).
--
--   an internal error while the guard reads the facts: rule unjudged, refused when a rule at
--     severity error could have applied (fail closed), a WARNING when only warnings could,
--     recorded in the events; rule_severity caps it, an override lets one through;
--   cancel, out of memory and the like: re-thrown unchanged (the statement ends as PostgreSQL
--     ends it);
--   PostgreSQL's own error about the statement: re-thrown unchanged by the hooks.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS migration_guard;
RESET client_min_messages;
CREATE SCHEMA fc;
SET search_path = fc;
SET migration_guard.large_table_threshold = '64kB';
CREATE TABLE big (id int, c int, pad text);
INSERT INTO big SELECT g, g, repeat('x', 20) FROM generate_series(1, 5000) g;
CREATE TABLE small (id int, c int);
INSERT INTO small VALUES (1, 1);
ANALYZE big, small;
SELECT coalesce(max(event_id), 0) AS start FROM migration_guard.events \gset

-- nothing is injected until the test module is loaded and armed
LOAD 'mg_faults';
SHOW mg_faults.point;
ALTER TABLE small ADD COLUMN d int;

-- 1. the facts of a utility statement cannot be read: refused, whatever the table's size,
--    since rules at severity error apply to ALTER TABLE
SET mg_faults.point = 'facts';
ALTER TABLE big ADD COLUMN e int;
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE small ADD COLUMN e int;
-- rule_severity caps it: unjudged=warning runs the statement with a WARNING, off silently
SET migration_guard.rule_severity = 'unjudged=warning';
ALTER TABLE small ADD COLUMN e int;
SET migration_guard.rule_severity = 'unjudged=off';
ALTER TABLE small ADD COLUMN f int;
RESET migration_guard.rule_severity;
-- in warn mode every rule warns: so does this one
SET migration_guard.mode = warn;
ALTER TABLE small ADD COLUMN g int;
RESET migration_guard.mode;
-- an override names the rule, with a reason, and is audited like any other
SET migration_guard.allow = 'unjudged: the catalog is being repaired';
ALTER TABLE big ADD COLUMN e int;
RESET migration_guard.allow;
-- check() reports the same, as a row
SELECT rule, severity, message FROM migration_guard.check('ALTER TABLE big ADD COLUMN h int;');

-- 2. errors that end the statement as PostgreSQL would, unchanged: cancel, out of memory,
--    disk full, stack depth, and PostgreSQL's own error about the statement
SET mg_faults.sqlstate = '57014';
ALTER TABLE big ADD COLUMN h int;
\echo :LAST_ERROR_SQLSTATE
SET mg_faults.sqlstate = '53200';
ALTER TABLE big ADD COLUMN h int;
\echo :LAST_ERROR_SQLSTATE
SET mg_faults.sqlstate = '54001';
ALTER TABLE big ADD COLUMN h int;
\echo :LAST_ERROR_SQLSTATE
SET mg_faults.sqlstate = '42883';
ALTER TABLE big ADD COLUMN h int;
\echo :LAST_ERROR_SQLSTATE
-- check() too ends on a cancel, and shows the statement's own error as statement_error
SELECT rule FROM migration_guard.check('ALTER TABLE big ADD COLUMN h int;');
SET mg_faults.sqlstate = '57014';
SELECT rule FROM migration_guard.check('ALTER TABLE big ADD COLUMN h int;');
RESET mg_faults.sqlstate;

-- 3. one expression of the statement cannot be evaluated: only where its rule would apply
SET mg_faults.point = 'cook_default';
ALTER TABLE big ADD COLUMN h int DEFAULT 0;
ALTER TABLE small ADD COLUMN h int DEFAULT 0;
SELECT rule, severity, relation FROM migration_guard.check('ALTER TABLE big ADD COLUMN i int DEFAULT 0;');
SET mg_faults.point = 'type_change';
ALTER TABLE big ALTER COLUMN c TYPE bigint;
SET mg_faults.point = 'domain_condition';
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
ALTER TABLE big ADD COLUMN p positive;

-- 4. the other reading points: data changes, the statement-lock model, the lock-queue
--    preflight, the rewrite backstop, and the rules layer itself
SET mg_faults.point = 'dml_facts';
DELETE FROM big;
UPDATE small SET c = 2;
-- where every rule that could apply is a warning (here by rule_severity), a WARNING, and the
-- statement runs: fail open only where nothing would have refused it
SET migration_guard.rule_severity = 'dml_without_where=warning, backfill_under_exclusive_lock=warning, dml_large_unbatched=warning, dml_whole_table=warning';
UPDATE small SET c = 2;
RESET migration_guard.rule_severity;
SET mg_faults.point = 'lock_model';
BEGIN;
LOCK TABLE big IN SHARE MODE;
ROLLBACK;
SET mg_faults.point = 'lock_queue';
TRUNCATE small;
SET mg_faults.point = 'backstop';
ALTER TABLE small ALTER COLUMN c TYPE bigint;
SET mg_faults.point = 'rules';
CREATE INDEX ON big (c);
CREATE INDEX ON small (c);
SELECT rule, severity FROM migration_guard.check('CREATE INDEX ON big (c);');

-- 5. nothing of it when the guard is off: it does nothing, and fails at nothing
SET migration_guard.mode = off;
SET mg_faults.point = 'lock_model';
BEGIN;
LOCK TABLE big IN SHARE MODE;
ROLLBACK;
RESET migration_guard.mode;
RESET mg_faults.point;

-- 6. the events: every unjudged statement is recorded, refused, warned or overridden
SELECT rule, severity, action, relation, reason, statement
  FROM migration_guard.events WHERE event_id > :start ORDER BY event_id;

-- 7. only a superuser arms the faults (and only where the test library is installed)
CREATE ROLE regress_fc_user;
SET ROLE regress_fc_user;
SET mg_faults.point = 'facts';
RESET ROLE;
DROP ROLE regress_fc_user;

RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA fc CASCADE;
