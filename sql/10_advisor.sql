-- The advisor: the guard's verdicts on a migration text, without running it.

CREATE FUNCTION migration_guard.check(
  migration text,
  in_transaction boolean DEFAULT false,
  OUT statement_no integer,
  OUT line integer,
  OUT col integer,
  OUT statement text,
  OUT rule text,
  OUT severity text,
  OUT relation text,
  OUT lock_mode text,
  OUT table_size bigint,
  OUT estimated_rows bigint,
  OUT message text,
  OUT detail text,
  OUT hint text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'mg_check';
COMMENT ON FUNCTION migration_guard.check(text, boolean) IS
  'Reviews a migration text against the live catalog without executing it or locking any table: one row per finding, with the same verdicts the guard gives when the statements run. in_transaction => true judges the text as one transaction, as Alembic and Django run a migration.';

CREATE FUNCTION migration_guard.rules(
  OUT rule text,
  OUT category text,
  OUT default_severity text,
  OUT effective_severity text,
  OUT description text,
  OUT doc_anchor text)
RETURNS SETOF record
LANGUAGE C STRICT STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mg_rules';
COMMENT ON FUNCTION migration_guard.rules() IS
  'Every rule of the guard: its id, category, default severity, the severity it has under the current settings, a one-line description and its section of docs/rules.md.';

CREATE FUNCTION migration_guard.fix(
  migration text,
  in_transaction boolean DEFAULT false,
  OUT step integer,
  OUT sql text,
  OUT runs_in text,
  OUT transaction_no integer,
  OUT replaces_statement integer,
  OUT reason text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'mg_fix';
COMMENT ON FUNCTION migration_guard.fix(text, boolean) IS
  'The safe form of a migration text, without executing it or locking any table: one row per step, in order, saying whether it runs in a transaction (transaction_no numbers them) or in autocommit, which statement of the text it replaces and the rule it answers (reason; NULL for a statement kept as written, "needs a decision: ..." for one fix() cannot make safe on its own).';

CREATE FUNCTION migration_guard.fix_script(
  migration text,
  in_transaction boolean DEFAULT false)
RETURNS text
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'mg_fix_script';
COMMENT ON FUNCTION migration_guard.fix_script(text, boolean) IS
  'The rows of migration_guard.fix() as one runnable script: BEGIN/COMMIT around each transaction, the autocommit steps outside, a comment before each rewritten statement; the text itself, unchanged, when nothing needs fixing.';
