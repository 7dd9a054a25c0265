--
-- Security, as an unprivileged role: what it cannot change, and hostile names and sizes in
-- messages and events (quotes, unicode, names over 63 bytes, 1 MB statements).
-- test/pgtap/04_security.sql runs the full list of attacks.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS migration_guard;
DROP ROLE IF EXISTS regress_mg_sec;
RESET client_min_messages;
CREATE ROLE regress_mg_sec;
CREATE SCHEMA sec AUTHORIZATION regress_mg_sec;
SET search_path = sec;
SET migration_guard.large_table_threshold = 0;
SELECT coalesce(max(event_id), 0) AS start FROM migration_guard.events \gset

CREATE TABLE "we""ird ☃ tablé" (id int, "cölumn ""x""" int);
INSERT INTO "we""ird ☃ tablé" SELECT g, g FROM generate_series(1, 100) g;
CREATE TABLE t_with_a_name_that_is_far_longer_than_sixty_three_bytes_which_postgres_cuts (id int);
ALTER TABLE "we""ird ☃ tablé" OWNER TO regress_mg_sec;
ALTER TABLE t_with_a_name_that_is_far_longer_than_sixty_three_bytes_which_postgres_c OWNER TO regress_mg_sec;

SET SESSION AUTHORIZATION regress_mg_sec;

-- the policy stays the DBA's
SET migration_guard.mode = off;
SET migration_guard.rule_severity = 'create_index_blocking=off';
SET migration_guard.allow = 'create_index_blocking: mine';
SELECT set_config('migration_guard.large_table_threshold', '1TB', true);
SELECT migration_guard.reset_stats();

-- quoted and unicode names: named as they are, the recipe runs as printed
CREATE INDEX "ïdx ""1""" ON "we""ird ☃ tablé" ("cölumn ""x""");
CREATE INDEX CONCURRENTLY "ïdx ""1""" ON "we""ird ☃ tablé" ("cölumn ""x""");
SELECT indexrelid::regclass FROM pg_index WHERE indrelid = '"we""ird ☃ tablé"'::regclass;

-- a name over 63 bytes is cut by PostgreSQL before the guard sees it
CREATE INDEX ON t_with_a_name_that_is_far_longer_than_sixty_three_bytes_which_postgres_cuts (id);

-- a 1 MB statement: the message stays readable, the hint is cut at a line end and says so,
-- and the event keeps the first kilobyte, cut at a character boundary
DO $$
DECLARE
  m text; d text; h text;
BEGIN
  EXECUTE 'CREATE INDEX big_pred_idx ON "we""ird ☃ tablé" (id) WHERE "cölumn ""x""" <> 0 '
          || repeat(' AND id <> ''é''::text::int', 40000);
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
  RAISE NOTICE 'message: %', m;
  RAISE NOTICE 'detail: % bytes, hint: % bytes, hint ends with: %', octet_length(d), octet_length(h), right(h, 12);
END $$;

RESET SESSION AUTHORIZATION;
SELECT usename, rule, action, relation, octet_length(statement) AS stmt_bytes, left(statement, 60) AS statement
  FROM migration_guard.events WHERE event_id > :start ORDER BY event_id;

DROP SCHEMA sec CASCADE;
DROP ROLE regress_mg_sec;
