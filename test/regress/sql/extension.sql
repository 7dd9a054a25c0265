--
-- The extension's objects, and a guard that works with or without them
--
DROP EXTENSION IF EXISTS migration_guard;
-- the hooks are active before CREATE EXTENSION: the guard lives in shared_preload_libraries
SET migration_guard.large_table_threshold = 0;
CREATE TABLE ext_t (id int);
ALTER TABLE ext_t ADD CHECK (id > 0);
DROP TABLE ext_t;
RESET migration_guard.large_table_threshold;

CREATE EXTENSION migration_guard;
SELECT migration_guard.version();
SELECT e.extname, e.extversion, n.nspname, e.extrelocatable
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'migration_guard';
SELECT p.oid::regprocedure AS function, p.prorettype::regtype AS returns, p.provolatile
FROM pg_proc p WHERE p.pronamespace = 'migration_guard'::regnamespace ORDER BY 1;
-- the schema cannot be moved
ALTER EXTENSION migration_guard SET SCHEMA public;
-- dropping and re-creating leaves the guard working throughout
DROP EXTENSION migration_guard;
CREATE EXTENSION migration_guard;
SELECT migration_guard.version();
