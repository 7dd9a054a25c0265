-- A stand-in for migration_guard.check(), for developing and exercising the CLI tests
-- before the real advisor is installed. Used only when run.sh is given MG_CLI_STUB=1.
-- It looks at the text line by line with regular expressions (no parser), so its
-- verdicts and positions are rough; its messages copy the real guard's wording.
-- Delete this file once the real check() is in place.
CREATE OR REPLACE FUNCTION migration_guard.check(
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
LANGUAGE plpgsql VOLATILE
AS $stub$
DECLARE
  l record;
  m text[];
  sev text := CASE current_setting('migration_guard.mode', true) WHEN 'warn' THEN 'warning' ELSE 'error' END;
  thr_setting text := coalesce(current_setting('migration_guard.large_table_threshold', true), '10MB');
  thr bigint;
  rel regclass;
  sz bigint;
  n int := 0;
  altered boolean := false;
  stmt text;
BEGIN
  IF current_setting('migration_guard.mode', true) = 'off' THEN
    RETURN;
  END IF;
  thr := pg_size_bytes(CASE WHEN thr_setting ~ '^[0-9]+$' THEN thr_setting || 'kB' ELSE thr_setting END);
  FOR l IN SELECT t.s, t.i::int AS i FROM regexp_split_to_table(migration, E'\n') WITH ORDINALITY AS t(s, i) LOOP
    CONTINUE WHEN l.s ~ '^\s*--' OR l.s ~ '^\s*$';
    n := n + 1;
    stmt := rtrim(btrim(l.s), E'\r');
    IF l.s ~* '^\s*CREAT\s' THEN
      statement_no := n; line := l.i; col := strpos(l.s, 'CREAT'); statement := stmt;
      rule := 'syntax_error'; severity := 'error'; relation := NULL; lock_mode := NULL;
      table_size := NULL; estimated_rows := NULL;
      message := 'syntax error at or near "CREAT"'; detail := NULL; hint := NULL;
      RETURN NEXT;
      RETURN;
    END IF;
    IF l.s ~* '^\s*ALTER\s+TABLE' THEN
      altered := true;
    END IF;
    m := regexp_match(l.s, '(CREATE\s+(UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY)(\w+\s+)?ON\s+(\w+))', 'i');
    IF m IS NOT NULL THEN
      rel := to_regclass(m[4]);
      IF rel IS NOT NULL THEN
        sz := pg_table_size(rel);
        IF sz >= thr THEN
          statement_no := n; line := l.i; col := strpos(l.s, m[1]); statement := stmt;
          rule := 'create_index_blocking'; severity := sev; relation := rel::text;
          lock_mode := 'SHARE'; table_size := sz;
          estimated_rows := (SELECT reltuples::bigint FROM pg_class WHERE oid = rel);
          message := format('creating an index without CONCURRENTLY would block writes on large table "%s" for the whole build', rel);
          detail := format('Rule create_index_blocking: "%s" is %s with about %s rows, at or above migration_guard.large_table_threshold (%s). A plain CREATE INDEX holds a SHARE lock on it until the index is built.',
                           rel, pg_size_pretty(sz), estimated_rows, pg_size_pretty(thr));
          hint := 'Build the index without blocking writes. CREATE INDEX CONCURRENTLY cannot run inside a transaction block, so run it on its own:' || E'\n  '
                  || regexp_replace(stmt, 'INDEX\s+', 'INDEX CONCURRENTLY ', 'i')
                  || E'\nAlembic: run it inside op.get_context().autocommit_block(). Django: set atomic = False on the migration.';
          RETURN NEXT;
        END IF;
      END IF;
    END IF;
    m := regexp_match(l.s, 'ALTER\s+TABLE\s+(\w+)\s+ADD\s+(CHECK|UNIQUE|FOREIGN KEY)', 'i');
    IF m IS NOT NULL THEN
      statement_no := n; line := l.i; col := strpos(upper(l.s), 'ALTER'); statement := stmt;
      rule := 'constraint_unnamed'; severity := CASE WHEN sev = 'warning' THEN 'warning' ELSE 'error' END;
      relation := coalesce(to_regclass(m[1])::text, m[1]); lock_mode := NULL; table_size := NULL; estimated_rows := NULL;
      message := format('%s constraint on table "%s" has no name', upper(m[2]), relation);
      detail := 'Rule constraint_unnamed: PostgreSQL would generate the name for you. Generated names depend on the server version and on the names already taken.';
      hint := E'Name the constraint explicitly:\n  ' || regexp_replace(stmt, 'ADD\s+', 'ADD CONSTRAINT ' || m[1] || '_check ', 'i');
      RETURN NEXT;
    END IF;
    IF in_transaction AND altered AND l.s ~* '^\s*UPDATE\s' THEN
      statement_no := n; line := l.i; col := strpos(upper(l.s), 'UPDATE'); statement := stmt;
      rule := 'backfill_under_exclusive_lock'; severity := sev; relation := NULL; lock_mode := 'ACCESS EXCLUSIVE';
      table_size := NULL; estimated_rows := NULL;
      message := 'data change on a table this transaction has locked ACCESS EXCLUSIVE';
      detail := 'Rule backfill_under_exclusive_lock: every row is changed while the table is locked.';
      hint := 'Commit the schema change first, then backfill in batches.';
      RETURN NEXT;
    END IF;
  END LOOP;
END
$stub$;
