-- migration_guard: the security suite. An unprivileged role tries every way we know to weaken
-- the policy, override a rule, read what it should not, or get check() to run something.
-- Every attempt must be refused; one that succeeds fails the test.
--
-- The fixture table must exist before the transaction (a table created in the transaction is
-- new, and new tables are never refused), so it is made first and dropped at the end.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS migration_guard;
DROP TABLE IF EXISTS public.sec_big;
DROP TABLE IF EXISTS public.sec_t1, public.sec_t2, public.sec_t3, public.sec_t4, public.sec_t5, public.sec_t6,
  public.sec_t7, public.sec_t8, public.sec_payroll, public.sec_child, public.sec_parent, public.sec_part,
  public.sec_dom_t, public.sec_typed;
DROP DOMAIN IF EXISTS public.sec_dom;
DROP TYPE IF EXISTS public.sec_comp;
DROP ROLE IF EXISTS regress_sec_attacker;
DROP ROLE IF EXISTS regress_sec_migrator;
DROP ROLE IF EXISTS regress_sec_migrators;
CREATE ROLE regress_sec_attacker;
CREATE ROLE regress_sec_migrators;
CREATE ROLE regress_sec_migrator IN ROLE regress_sec_migrators;
CREATE TABLE public.sec_big (id int, c int);
INSERT INTO public.sec_big SELECT g, g FROM generate_series(1, 1000) g;
ALTER TABLE public.sec_big OWNER TO regress_sec_attacker;
GRANT CREATE ON SCHEMA public TO regress_sec_attacker, regress_sec_migrator;
-- issue 14's fixtures: the attacker owns large tables of every shape, eight small ones, a
-- domain and a composite type; sec_payroll is the superuser's, and the attacker has no
-- privilege on it
CREATE INDEX sec_big_c_idx ON public.sec_big (c);
DO $$
BEGIN
  FOR i IN 1..8 LOOP
    EXECUTE format('CREATE TABLE public.sec_t%s (a int)', i);
    EXECUTE format('CREATE INDEX sec_t%s_i ON public.sec_t%s (a)', i, i);
    EXECUTE format('ALTER TABLE public.sec_t%s OWNER TO regress_sec_attacker', i);
  END LOOP;
END $$;
CREATE TABLE public.sec_payroll (id int, salary int);
INSERT INTO public.sec_payroll SELECT g, g FROM generate_series(1, 1000) g;
CREATE TABLE public.sec_parent (c int);
CREATE TABLE public.sec_child () INHERITS (public.sec_parent);
INSERT INTO public.sec_child SELECT g FROM generate_series(1, 1000) g;
CREATE TABLE public.sec_part (id int, c int) PARTITION BY RANGE (id);
CREATE TABLE public.sec_part_default PARTITION OF public.sec_part DEFAULT;
INSERT INTO public.sec_part SELECT g, g FROM generate_series(100, 1099) g;
CREATE DOMAIN public.sec_dom AS int;
CREATE TABLE public.sec_dom_t (v public.sec_dom);
INSERT INTO public.sec_dom_t SELECT g FROM generate_series(1, 1000) g;
ALTER DOMAIN public.sec_dom ADD CONSTRAINT sec_dom_pos CHECK (VALUE > 0) NOT VALID;
CREATE TYPE public.sec_comp AS (a int, b int);
CREATE TABLE public.sec_typed OF public.sec_comp;
INSERT INTO public.sec_typed SELECT g, g FROM generate_series(1, 1000) g;
ALTER TABLE public.sec_parent OWNER TO regress_sec_attacker;
ALTER TABLE public.sec_child OWNER TO regress_sec_attacker;
ALTER TABLE public.sec_part OWNER TO regress_sec_attacker;
ALTER TABLE public.sec_part_default OWNER TO regress_sec_attacker;
ALTER TABLE public.sec_dom_t OWNER TO regress_sec_attacker;
ALTER TABLE public.sec_typed OWNER TO regress_sec_attacker;
ALTER DOMAIN public.sec_dom OWNER TO regress_sec_attacker;
ALTER TYPE public.sec_comp OWNER TO regress_sec_attacker;
ANALYZE public.sec_big, public.sec_payroll, public.sec_child, public.sec_part_default, public.sec_dom_t,
        public.sec_typed;

BEGIN;
SELECT plan(56);

-- the policy the attacker faces: every table is large, overrides for regress_sec_migrators only
SET migration_guard.large_table_threshold = 0;
SET migration_guard.override_role = 'regress_sec_migrators';
CREATE SCHEMA sec_evil AUTHORIZATION regress_sec_attacker;
-- a refusal by the superuser, which the attacker must not see in the events
SELECT throws_ok('CREATE INDEX sec_big_su_idx ON public.sec_big (c)', 'MG001', NULL,
                 'the superuser is refused too (an event the attacker must not see)');

SET SESSION AUTHORIZATION regress_sec_attacker;

-- 1. the policy settings, every way a session can change a setting -------------------
SELECT throws_ok('SET migration_guard.mode = off', '42501', NULL, 'SET mode');
SELECT throws_ok('SET LOCAL migration_guard.mode = warn', '42501', NULL, 'SET LOCAL mode');
SELECT throws_ok($$SELECT set_config('migration_guard.mode', 'off', false)$$, '42501', NULL, 'set_config() mode');
SELECT throws_ok($$SELECT set_config('migration_guard.mode', 'off', true)$$, '42501', NULL, 'set_config(local) mode');
SELECT throws_ok($$SET migration_guard.rule_severity = 'create_index_blocking=off'$$, '42501', NULL,
                 'SET rule_severity');
SELECT throws_ok($$SELECT set_config('migration_guard.rule_severity', 'create_index_blocking=off', true)$$, '42501',
                 NULL, 'set_config(local) rule_severity');
SELECT throws_ok($$SET migration_guard.override_role = 'regress_sec_attacker'$$, '42501', NULL, 'SET override_role');
SELECT throws_ok($$SET migration_guard.large_table_threshold = '1TB'$$, '42501', NULL, 'SET large_table_threshold');
SELECT throws_ok($$SET migration_guard.log_format = json$$, '42501', NULL, 'SET log_format');
SELECT throws_ok($$ALTER ROLE CURRENT_USER SET migration_guard.mode = off$$, '42501', NULL,
                 'ALTER ROLE self SET mode');
SELECT throws_ok($$ALTER ROLE CURRENT_USER SET migration_guard.rule_severity = 'create_index_blocking=off'$$, '42501',
                 NULL, 'ALTER ROLE self SET rule_severity');
SELECT throws_ok($$CREATE FUNCTION public.sec_off() RETURNS int LANGUAGE sql SET migration_guard.mode = off
                   AS 'SELECT 1'$$, '42501', NULL, 'a function with SET mode = off');
SELECT throws_ok($$CREATE FUNCTION public.sec_sev() RETURNS int LANGUAGE sql
                   SET migration_guard.rule_severity = 'create_index_blocking=off' AS 'SELECT 1'$$, '42501', NULL,
                 'a function with SET rule_severity');
SELECT throws_ok('SET ROLE postgres', '42501', NULL, 'SET ROLE to a superuser');

-- 2. overrides without membership ---------------------------------------------------------
SELECT throws_ok($$SET migration_guard.allow = 'create_index_blocking: I say so'$$, '42501',
                 'permission denied to override migration_guard rules', 'SET allow');
SELECT throws_ok($$SET LOCAL migration_guard.allow = 'create_index_blocking: I say so'$$, '42501', NULL,
                 'SET LOCAL allow');
SELECT throws_ok($$SELECT set_config('migration_guard.allow', 'create_index_blocking: I say so', true)$$, '42501',
                 NULL, 'set_config(local) allow');
SELECT throws_ok($$ALTER ROLE CURRENT_USER SET migration_guard.allow = 'create_index_blocking: I say so'$$, '42501',
                 NULL, 'ALTER ROLE self SET allow');
SELECT throws_ok($$CREATE FUNCTION public.sec_allow() RETURNS int LANGUAGE sql
                   SET migration_guard.allow = 'create_index_blocking: I say so' AS 'SELECT 1'$$, '42501', NULL,
                 'a function with SET allow');
SELECT throws_ok($$/* migration_guard:allow create_index_blocking: I say so */ CREATE INDEX sec_big_c ON public.sec_big (c)$$,
                 '42501', 'permission denied to override migration_guard rule create_index_blocking',
                 'the statement directive');
SELECT throws_ok('CREATE INDEX sec_big_c ON public.sec_big (c)', 'MG001', NULL,
                 'and the statement itself is still refused');

-- 3. a member cannot widen an override, nor keep it after becoming someone else -------------
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_sec_migrator;
SELECT throws_ok($$SET migration_guard.allow = 'all: everything'$$, '22023', NULL, 'a member cannot allow all rules');
SELECT throws_ok($$SET migration_guard.allow = 'create_index_blocking'$$, '22023', NULL,
                 'a member cannot override without a reason');
SET migration_guard.allow = 'create_index_blocking: the migrator may';
SET SESSION AUTHORIZATION regress_sec_attacker;
SELECT throws_ok('CREATE INDEX sec_big_c ON public.sec_big (c)', 'MG001', NULL,
                 'an override set by a member does not apply to another role: the statement is refused');
RESET SESSION AUTHORIZATION;
RESET migration_guard.allow;
SET SESSION AUTHORIZATION regress_sec_attacker;

-- 4. events and stats -------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM migration_guard.events WHERE usename <> 'regress_sec_attacker'), 0,
          'the events view shows the attacker no other role''s events');
SELECT is((SELECT count(*)::int FROM migration_guard._events() WHERE usename <> 'regress_sec_attacker'), 0,
          'nor does the function behind it');
SELECT ok((SELECT count(*) FROM migration_guard.events WHERE usename = 'regress_sec_attacker') > 0,
          'the attacker sees its own events');
SELECT throws_ok('SELECT migration_guard.reset_stats()', '42501', NULL, 'reset_stats()');

-- 5. check() executes nothing ---------------------------------------------------------------
SELECT lives_ok($$SELECT count(*) FROM migration_guard.check(
                    'DROP TABLE public.sec_big; CREATE TABLE public.sec_pwned (); COMMIT; '
                    'SET migration_guard.mode = off; SELECT set_config(''migration_guard.mode'', ''off'', false); '
                    'TRUNCATE public.sec_big;')$$, 'check() reads a hostile text');
SELECT ok(to_regclass('public.sec_big') IS NOT NULL AND to_regclass('public.sec_pwned') IS NULL
          AND (SELECT count(*) FROM public.sec_big) = 1000 AND current_setting('migration_guard.mode') = 'enforce',
          'and nothing in it ran');

-- 6. the extension's objects --------------------------------------------------------------
SELECT throws_ok($$CREATE FUNCTION migration_guard.rules() RETURNS int LANGUAGE sql AS 'SELECT 1'$$, '42501', NULL,
                 'no one but its owner can add objects to the extension''s schema');
SELECT throws_ok('DROP EXTENSION migration_guard', '42501', NULL, 'DROP EXTENSION');
-- a hostile search_path: lookalike functions the advisor functions must never call
CREATE TABLE sec_evil.calls (fn text);
CREATE FUNCTION sec_evil.format_type(oid, integer) RETURNS text LANGUAGE sql VOLATILE
  AS $$INSERT INTO sec_evil.calls VALUES ('format_type') RETURNING 'pwned'$$;
CREATE FUNCTION sec_evil.quote_ident(text) RETURNS text LANGUAGE sql VOLATILE
  AS $$INSERT INTO sec_evil.calls VALUES ('quote_ident') RETURNING 'pwned'$$;
CREATE FUNCTION sec_evil.pg_get_indexdef(oid) RETURNS text LANGUAGE sql VOLATILE
  AS $$INSERT INTO sec_evil.calls VALUES ('pg_get_indexdef') RETURNING 'pwned'$$;
SET LOCAL search_path = sec_evil, pg_catalog, public;
SELECT lives_ok($$SELECT count(*) FROM migration_guard.index_advice()$$, 'index_advice() under a hostile search_path');
SELECT lives_ok($$SELECT count(*) FROM migration_guard.schema_advice()$$, 'schema_advice() under a hostile search_path');
SELECT is((SELECT count(*)::int FROM sec_evil.calls), 0, 'no lookalike function was called');
RESET search_path;
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
            WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'migration_guard')
              AND p.prosecdef AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)), 0,
          'every SECURITY DEFINER function of the extension pins its search_path');

-- 7. issue 14: the holes an unprivileged table owner found, closed ---------------------------
-- (a threshold under which the attacker's empty tables are small, so that only the dangerous
-- item can draw the refusal)
RESET SESSION AUTHORIZATION;
SET migration_guard.large_table_threshold = '16kB';
SET SESSION AUTHORIZATION regress_sec_attacker;
-- item 1: the ninth item is judged like the first
SELECT throws_ok('DROP INDEX public.sec_t1_i, public.sec_t2_i, public.sec_t3_i, public.sec_t4_i, public.sec_t5_i, '
                 'public.sec_t6_i, public.sec_t7_i, public.sec_t8_i, public.sec_big_c_idx', 'MG001',
                 'dropping index public.sec_big_c_idx without CONCURRENTLY would lock large table "public.sec_big" against all access',
                 'DROP INDEX of nine indexes: the ninth is judged');
SELECT throws_ok('ALTER TABLE public.sec_big ' || (SELECT string_agg(format('ADD CONSTRAINT k%s CHECK (c > -%s) NOT VALID, ', g, g), '')
                                                     FROM generate_series(1, 8) g)
                 || 'ADD CONSTRAINT sec_u UNIQUE (id, c)', 'MG001',
                 'adding UNIQUE constraint sec_u would build its index on large table "public.sec_big" while holding a lock that blocks all access',
                 'a UNIQUE constraint after eight NOT VALID checks is judged');
SELECT throws_ok('ALTER TABLE public.sec_big ' || (SELECT string_agg(format('ADD COLUMN x%s int, ', g), '') FROM generate_series(1, 32) g)
                 || 'ALTER COLUMN c SET NOT NULL', 'MG001',
                 'SET NOT NULL on column "c" would scan large table "public.sec_big" under an ACCESS EXCLUSIVE lock',
                 'SET NOT NULL after 32 ADD COLUMNs is judged');
SELECT throws_ok('WITH ' || (SELECT string_agg(format('c%s AS (INSERT INTO public.sec_t1 VALUES (%s) RETURNING 1), ', g, g), '')
                               FROM generate_series(1, 4) g)
                 || 'e AS (DELETE FROM public.sec_big RETURNING 1) SELECT count(*) FROM e', 'MG001',
                 'DELETE without a WHERE clause would delete every row of large table "public.sec_big"',
                 'a DELETE after four data-modifying CTEs is judged');
-- items 3 and 4: PostgreSQL's own permission error first; nothing recorded
SELECT throws_ok('UPDATE public.sec_payroll SET salary = salary WHERE salary > 800 OR random() < 0.5 OR random() < 0.5',
                 '42501', 'permission denied for table sec_payroll',
                 'an UPDATE without privilege gets PostgreSQL''s error, not a refusal quoting the row estimate');
SELECT throws_ok('CREATE INDEX ON public.sec_payroll (salary)', '42501', 'must be owner of table sec_payroll',
                 'DDL on another role''s table gets PostgreSQL''s "must be owner" first');
SELECT throws_ok('CREATE TABLE sec_evil.copy AS SELECT * FROM public.sec_payroll', '42501',
                 'permission denied for table sec_payroll', 'CREATE TABLE AS from it: PostgreSQL''s error, no size');
SELECT is((SELECT string_agg(rule || ':' || coalesce(relation, '') || ':' || coalesce(estimated_rows::text, ''), ',')
             FROM migration_guard.check('DELETE FROM public.sec_payroll WHERE salary > 800 OR random() < 0.5')),
          'statement_error::', 'check() tells nothing about it either');
SELECT is((SELECT count(*)::int FROM migration_guard.events WHERE relation = 'public.sec_payroll'), 0,
          'and none of it was recorded');
-- item 5: the paths that changed tables unjudged
SELECT throws_ok('ALTER TABLE public.sec_parent ADD CONSTRAINT sec_parent_ck CHECK (c > 0)', 'MG001', NULL,
                 'a CHECK on an inheritance parent is judged by its children');
SELECT is((SELECT string_agg(rule, ',') FROM migration_guard.check('ALTER TABLE public.sec_parent ADD CONSTRAINT sec_parent_ck CHECK (c > 0)')),
          'check_constraint_validating', '... as check_constraint_validating');
SELECT throws_ok('CREATE TABLE public.sec_part_1 PARTITION OF public.sec_part FOR VALUES FROM (1) TO (10)', 'MG001', NULL,
                 'CREATE TABLE ... PARTITION OF a table with a large DEFAULT partition is judged');
SELECT is((SELECT string_agg(rule || ':' || relation, ',') FROM migration_guard.check('CREATE TABLE public.sec_part_1 PARTITION OF public.sec_part FOR VALUES FROM (1) TO (10)')),
          'attach_partition_scan:public.sec_part_default', '... as attach_partition_scan, on the DEFAULT partition');
SELECT throws_ok('ALTER DOMAIN public.sec_dom VALIDATE CONSTRAINT sec_dom_pos', 'MG001',
                 'validating constraint sec_dom_pos of domain public.sec_dom would scan every table that uses it while blocking writes, large table "public.sec_dom_t" among them',
                 'ALTER DOMAIN ... VALIDATE CONSTRAINT is judged');
SELECT throws_ok('ALTER TABLE public.sec_big ALTER COLUMN c TYPE int USING c + 1', 'MG001',
                 'recomputing column "c" (integer) with a USING expression would rewrite large table "public.sec_big"',
                 'a USING expression of the same type is named as such');
SELECT is((SELECT string_agg(rule || ':' || relation, ',') FROM migration_guard.check('ALTER TYPE public.sec_comp RENAME ATTRIBUTE a TO a2 CASCADE')),
          'rename_column:public.sec_typed', 'ALTER TYPE ... RENAME ATTRIBUTE ... CASCADE renames a column of the typed table');
SELECT is((SELECT string_agg(rule || ':' || relation, ',') FROM migration_guard.check('ALTER TYPE public.sec_comp DROP ATTRIBUTE b CASCADE')),
          'drop_column:public.sec_typed', 'ALTER TYPE ... DROP ATTRIBUTE ... CASCADE drops a column of the typed table');
SELECT is((SELECT string_agg(rule, ',') FROM migration_guard.check('SELECT 1; /* never closed')), 'syntax_error',
          'check() reports an unterminated comment as PostgreSQL''s syntax error');

RESET SESSION AUTHORIZATION;
SELECT is(current_setting('migration_guard.mode'), 'enforce', 'after all that, the guard is still enforcing');

SELECT * FROM finish();
ROLLBACK;
DROP TABLE public.sec_big;
DROP TABLE public.sec_t1, public.sec_t2, public.sec_t3, public.sec_t4, public.sec_t5, public.sec_t6, public.sec_t7,
           public.sec_t8, public.sec_payroll, public.sec_child, public.sec_parent, public.sec_part, public.sec_dom_t,
           public.sec_typed;
DROP DOMAIN public.sec_dom;
DROP TYPE public.sec_comp;
REVOKE CREATE ON SCHEMA public FROM regress_sec_attacker, regress_sec_migrator;
DROP ROLE regress_sec_attacker;
DROP ROLE regress_sec_migrator;
DROP ROLE regress_sec_migrators;
