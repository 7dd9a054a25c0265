-- The statement-lock model: which relations each statement of a migration text would lock,
-- and how, without running it.

CREATE FUNCTION migration_guard.statement_locks(
  migration text,
  in_transaction boolean DEFAULT false,
  OUT statement_no integer,
  OUT relation regclass,
  OUT lock_mode text,
  OUT role text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'mg_statement_locks_sql';
COMMENT ON FUNCTION migration_guard.statement_locks(text, boolean) IS
  'The locks each statement of a migration text would take, read from the catalog without executing it or locking any table: one row per relation a statement would lock in SHARE UPDATE EXCLUSIVE mode or stronger, with the mode as pg_locks shows it and why (target, child, parent, default partition, referenced, referencing, index, index table, sequence, dependent). Relations created earlier in the text are left out. in_transaction => true reads the text as one transaction.';
