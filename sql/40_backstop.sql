-- The rewrite backstop (rule unexpected_rewrite): an event trigger that runs just before
-- ALTER TABLE (or ALTER TYPE ... CASCADE) rewrites a table, and refuses the rewrite of a
-- large table that no rule refused before the lock was taken. See docs/rules.md#unexpected_rewrite.
CREATE FUNCTION migration_guard.backstop()
RETURNS event_trigger
LANGUAGE C
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'mg_backstop';
COMMENT ON FUNCTION migration_guard.backstop() IS
  'Event trigger function of migration_guard_backstop (table_rewrite): refuses the rewrite of a large table that no rule predicted (rule unexpected_rewrite).';

CREATE EVENT TRIGGER migration_guard_backstop ON table_rewrite
  EXECUTE FUNCTION migration_guard.backstop();
COMMENT ON EVENT TRIGGER migration_guard_backstop IS
  'migration_guard: refuses a rewrite of a large table that no rule predicted (rule unexpected_rewrite).';
