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

BEGIN;
SELECT plan(38);

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

RESET SESSION AUTHORIZATION;
SELECT is(current_setting('migration_guard.mode'), 'enforce', 'after all that, the guard is still enforcing');

SELECT * FROM finish();
ROLLBACK;
DROP TABLE public.sec_big;
REVOKE CREATE ON SCHEMA public FROM regress_sec_attacker, regress_sec_migrator;
DROP ROLE regress_sec_attacker;
DROP ROLE regress_sec_migrator;
DROP ROLE regress_sec_migrators;
