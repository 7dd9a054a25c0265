--
-- Settings: defaults, who may change them, per-role and per-database values
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS migration_guard;
RESET client_min_messages;
SELECT current_user AS superuser \gset
SHOW migration_guard.mode;
SHOW migration_guard.large_table_threshold;
SELECT name, setting, unit, context, vartype, boot_val, enumvals
FROM pg_settings WHERE name LIKE 'migration_guard.%' ORDER BY name;

-- bad values are rejected with the value named
SET migration_guard.mode = 'strict';
-- (by SQLSTATE: 16 and later print the range with its unit)
\set VERBOSITY sqlstate
SET migration_guard.large_table_threshold = '-1';
\set VERBOSITY default
SET migration_guard.large_table_threshold = 'ten megabytes';
-- the prefix is reserved: a misspelt setting is an error, not a silent placeholder
SET migration_guard.threshold = '1MB';
SET migration_guard.max_dml_rows = -1;
SET migration_guard.dml_scope = 'some';
-- units work as for any size setting
SET migration_guard.large_table_threshold = '2GB';
SHOW migration_guard.large_table_threshold;
SET migration_guard.large_table_threshold = 0;
SHOW migration_guard.large_table_threshold;
RESET migration_guard.large_table_threshold;

-- a non-superuser cannot weaken the policy: SET, SET LOCAL, set_config()
CREATE ROLE regress_mg_app LOGIN;
CREATE ROLE regress_mg_migrator LOGIN;
SET ROLE regress_mg_app;
SET migration_guard.mode = off;
\echo :LAST_ERROR_SQLSTATE
SET migration_guard.large_table_threshold = '100GB';
BEGIN;
SET LOCAL migration_guard.mode = 'warn';
ROLLBACK;
SELECT set_config('migration_guard.mode', 'off', false);
SELECT set_config('migration_guard.large_table_threshold', '100GB', true);
SET migration_guard.max_dml_rows = 0;
SET migration_guard.dml_scope = 'all';
SHOW migration_guard.mode;
RESET ROLE;

-- a superuser's ALTER ROLE ... SET and ALTER DATABASE ... SET apply to new sessions
ALTER ROLE regress_mg_migrator SET migration_guard.mode = 'warn';
ALTER ROLE regress_mg_migrator SET migration_guard.large_table_threshold = '64MB';
SELECT current_database() AS db \gset
ALTER DATABASE :"db" SET migration_guard.large_table_threshold = '5MB';
\c - regress_mg_migrator
SHOW migration_guard.mode;
SHOW migration_guard.large_table_threshold;
-- ... and the role still cannot change them itself
SET migration_guard.mode = 'off';
\c - regress_mg_app
SHOW migration_guard.mode;
SHOW migration_guard.large_table_threshold;
\c - :"superuser"
ALTER DATABASE :"db" RESET migration_guard.large_table_threshold;
ALTER ROLE regress_mg_migrator RESET ALL;

-- GRANT SET ON PARAMETER delegates one setting to one role
GRANT SET ON PARAMETER migration_guard.mode TO regress_mg_migrator;
SET ROLE regress_mg_migrator;
SET migration_guard.mode = 'warn';
SHOW migration_guard.mode;
SET migration_guard.large_table_threshold = '1GB';
RESET ROLE;
RESET migration_guard.mode;
REVOKE SET ON PARAMETER migration_guard.mode FROM regress_mg_migrator;

DROP ROLE regress_mg_app;
DROP ROLE regress_mg_migrator;
