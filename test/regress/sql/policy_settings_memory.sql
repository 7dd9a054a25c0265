--
-- The parsed values of migration_guard.rule_severity and migration_guard.allow (their check
-- hooks' "extra") belong to PostgreSQL's GUC machinery, which frees each one once no stacked
-- value refers to it: with free() up to PostgreSQL 15, with guc_free() (a pfree) since 16. On
-- an extra from the wrong allocator those frees fail ("pfree called with invalid pointer"), and
-- one that fails while a transaction commits PANICs the server. So this test makes PostgreSQL
-- free many of them, every way a value can be replaced or dropped, in one session, and checks
-- after each step that the value in force is the one that was set.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS migration_guard;
RESET client_min_messages;

CREATE FUNCTION pg_temp.severity() RETURNS text LANGUAGE sql AS
$$ SELECT effective_severity FROM migration_guard.rules() WHERE rule = 'create_index_blocking' $$;

-- SET replaces the value: the old one is freed
SET migration_guard.rule_severity = 'create_index_blocking=warning';
SET migration_guard.rule_severity = 'create_index_blocking=off, rename_column=error';
SELECT pg_temp.severity();
RESET migration_guard.rule_severity;
SELECT pg_temp.severity();

-- a refused value allocates nothing and leaves the current one in force
SET migration_guard.rule_severity = 'create_index_blocking=warning';
SET migration_guard.rule_severity = 'no_such_rule=off';
SET migration_guard.rule_severity = 'create_index_blocking=loud';
SELECT pg_temp.severity();

-- SET LOCAL, undone by ROLLBACK and by COMMIT; savepoints
BEGIN;
SET LOCAL migration_guard.rule_severity = 'create_index_blocking=off';
SELECT pg_temp.severity();
ROLLBACK;
SELECT pg_temp.severity();
BEGIN;
SET LOCAL migration_guard.rule_severity = 'create_index_blocking=off';
COMMIT;
SELECT pg_temp.severity();
BEGIN;
SET migration_guard.rule_severity = 'create_index_blocking=off';
SAVEPOINT a;
SET migration_guard.rule_severity = 'create_index_blocking=error';
SAVEPOINT b;
SET LOCAL migration_guard.rule_severity = 'create_index_blocking=warning';
ROLLBACK TO SAVEPOINT b;
SELECT pg_temp.severity();
ROLLBACK TO SAVEPOINT a;
SELECT pg_temp.severity();
RELEASE SAVEPOINT a;
COMMIT;
SELECT pg_temp.severity();
RESET migration_guard.rule_severity;

-- a function's SET clause pushes and pops a value on every call
CREATE FUNCTION pg_temp.with_severity() RETURNS text LANGUAGE sql
  SET migration_guard.rule_severity = 'create_index_blocking=warning'
  AS $$ SELECT pg_temp.severity() $$;
SELECT pg_temp.with_severity(), count(*) FROM generate_series(1, 2000) GROUP BY 1;
SELECT pg_temp.severity();

-- set_config() many times in one statement, alternating values
SELECT count(DISTINCT set_config('migration_guard.rule_severity',
                                 CASE WHEN g % 2 = 0 THEN 'create_index_blocking=warning'
                                      ELSE 'create_index_blocking=off' END, false))
  FROM generate_series(1, 5000) g;
SELECT pg_temp.severity();
RESET migration_guard.rule_severity;

-- the same for migration_guard.allow (a superuser may set it)
SET migration_guard.allow = 'create_index_blocking: first';
SET migration_guard.allow = 'create_index_blocking, drop_table: second';
SHOW migration_guard.allow;
SET migration_guard.allow = 'create_index_blocking';
SHOW migration_guard.allow;
BEGIN;
SET LOCAL migration_guard.allow = 'drop_table: local';
SAVEPOINT a;
SET LOCAL migration_guard.allow = 'create_index_blocking: inner';
ROLLBACK TO SAVEPOINT a;
SHOW migration_guard.allow;
ROLLBACK;
SHOW migration_guard.allow;
CREATE FUNCTION pg_temp.with_allow() RETURNS text LANGUAGE sql
  SET migration_guard.allow = 'create_index_blocking: from a function'
  AS $$ SELECT current_setting('migration_guard.allow') $$;
SELECT pg_temp.with_allow(), count(*) FROM generate_series(1, 2000) GROUP BY 1;
SELECT count(DISTINCT set_config('migration_guard.allow', 'drop_table: call ' || (g % 7), true))
  FROM generate_series(1, 5000) g;
SHOW migration_guard.allow;
RESET migration_guard.allow;
SHOW migration_guard.allow;

-- the server is still up, and the guard still judges
CREATE TABLE psm_t (id int);
SELECT rule, severity FROM migration_guard.check('ALTER TABLE psm_t RENAME COLUMN id TO key');
DROP TABLE psm_t;
