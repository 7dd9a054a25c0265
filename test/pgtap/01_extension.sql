-- migration_guard: the objects CREATE EXTENSION makes, and who may use them.
-- Runs in one transaction that is rolled back: nothing it creates outlives the file.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS migration_guard;

SELECT plan(40);

-- the extension and where it lives
SELECT has_extension('migration_guard', 'extension migration_guard is installed');
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'migration_guard'), '0.1.0',
          'extension version is 0.1.0');
SELECT has_schema('migration_guard', 'schema migration_guard exists');
SELECT is((SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
            WHERE e.extname = 'migration_guard'), 'migration_guard',
          'the extension is installed in schema migration_guard');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'migration_guard'), false,
          'the extension is not relocatable');

-- its functions, exactly: the public ones, and the internal helpers (leading underscore) of
-- index_advice() and schema_advice()
SELECT functions_are('migration_guard',
                     ARRAY['version', 'table_size', 'check', 'fix', 'fix_script', 'statement_locks', 'rules', 'index_advice', 'schema_advice',
                           '_clip_name', '_choose_index_name', '_relation_bytes', '_index_definition',
                           '_has_foreign_partition', '_partition_index_steps', '_fk_index_fix',
                           '_fk_without_index', '_sequence_last_value', '_not_null_steps', '_column_dependents',
                           '_expand_contract', '_serial_to_identity', '_fk_on_delete_fix',
                           '_primary_key_fix', '_events', '_stats', 'reset_stats', 'backstop'],
                     'schema migration_guard has exactly the functions version, table_size, check, fix, fix_script, statement_locks, rules, index_advice, schema_advice, reset_stats, backstop and their helpers');
SELECT views_are('migration_guard', ARRAY['events', 'stats'], 'schema migration_guard has exactly the views events and stats');
SELECT ok(has_table_privilege('public', 'migration_guard.events', 'SELECT')
          AND has_table_privilege('public', 'migration_guard.stats', 'SELECT'),
          'PUBLIC may read events and stats (the functions behind them filter the rows)');
SELECT ok(NOT has_function_privilege('public', 'migration_guard.reset_stats()', 'EXECUTE'),
          'PUBLIC may not execute reset_stats()');
SELECT has_function('migration_guard', 'version', '{}'::name[], 'migration_guard.version() exists');
SELECT has_function('migration_guard', 'table_size', ARRAY['regclass'],
                    'migration_guard.table_size(regclass) exists');
SELECT has_function('migration_guard', 'check', ARRAY['text', 'boolean'],
                    'migration_guard.check(text, boolean) exists');
SELECT has_function('migration_guard', 'statement_locks', ARRAY['text', 'boolean'],
                    'migration_guard.statement_locks(text, boolean) exists');
SELECT has_function('migration_guard', 'rules', '{}'::name[], 'migration_guard.rules() exists');
SELECT has_function('migration_guard', 'index_advice', '{}'::name[], 'migration_guard.index_advice() exists');
SELECT has_function('migration_guard', 'schema_advice', ARRAY['double precision'],
                    'migration_guard.schema_advice(double precision) exists');
SELECT is((SELECT count(*)::int FROM pg_proc p
            WHERE p.pronamespace = 'migration_guard'::regnamespace
              AND (p.proname IN ('index_advice', 'schema_advice') OR p.proname LIKE '\_%')
              AND p.provolatile IN ('s', 'i') AND p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp']
              AND has_function_privilege('public', p.oid, 'EXECUTE')), 17,
          'index_advice, schema_advice and their 15 helpers: STABLE or IMMUTABLE, search_path pinned, PUBLIC may execute');
SELECT is((SELECT provolatile::text || proparallel::text FROM pg_proc WHERE oid = 'migration_guard.check(text,boolean)'::regprocedure),
          'vu', 'check() is volatile and parallel unsafe (it opens a subtransaction per statement)');
SELECT is((SELECT provolatile::text || proparallel::text || has_function_privilege('public', oid, 'EXECUTE')::text
             FROM pg_proc WHERE oid = 'migration_guard.statement_locks(text,boolean)'::regprocedure),
          'vutrue', 'statement_locks() is volatile, parallel unsafe (a subtransaction per statement) and PUBLIC may execute it');
SELECT is((SELECT string_agg(provolatile::text || proparallel::text || proisstrict::text
                             || has_function_privilege('public', oid, 'EXECUTE')::text, ',' ORDER BY oid::regprocedure::text)
             FROM pg_proc WHERE oid IN ('migration_guard.fix(text,boolean)'::regprocedure,
                                        'migration_guard.fix_script(text,boolean)'::regprocedure)),
          'vutruetrue,vutruetrue', 'fix() and fix_script() are volatile, parallel unsafe (check()''s simulation), strict, and PUBLIC may execute them');
SELECT function_returns('migration_guard', 'fix_script', ARRAY['text', 'boolean'], 'text', 'fix_script(text, boolean) returns text');
SELECT function_returns('migration_guard', 'version', '{}'::name[], 'text', 'version() returns text');
SELECT function_returns('migration_guard', 'table_size', ARRAY['regclass'], 'bigint',
                        'table_size(regclass) returns bigint');
SELECT function_lang_is('migration_guard', 'version', '{}'::name[], 'c', 'version() is written in C');
SELECT function_lang_is('migration_guard', 'table_size', ARRAY['regclass'], 'c',
                        'table_size(regclass) is written in C');
SELECT is((SELECT count(*)::int FROM pg_depend d
            WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_extension'::regclass
              AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'migration_guard')
              AND d.deptype = 'e'), 28,
          'the extension owns exactly its twenty-eight functions');

-- the rewrite backstop: an event trigger on table_rewrite, owned by the extension
SELECT function_returns('migration_guard', 'backstop', '{}'::name[], 'event_trigger',
                        'backstop() is an event trigger function');
SELECT is((SELECT p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
                  AND p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'] AND NOT p.prosecdef
             FROM pg_proc p WHERE p.oid = 'migration_guard.backstop()'::regprocedure), true,
          'backstop() is written in C, runs as the invoker, with search_path pinned');
SELECT is((SELECT evtevent || ' ' || evtenabled::text || ' ' || evtfoid::regprocedure::text
             FROM pg_event_trigger WHERE evtname = 'migration_guard_backstop'),
          'table_rewrite O migration_guard.backstop()',
          'event trigger migration_guard_backstop fires on table_rewrite, enabled, running backstop()');
SELECT is((SELECT count(*)::int FROM pg_depend d
            WHERE d.classid = 'pg_event_trigger'::regclass AND d.refclassid = 'pg_extension'::regclass
              AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'migration_guard')
              AND d.deptype = 'e'), 1,
          'the extension owns the event trigger (DROP EXTENSION removes it)');
SELECT throws_ok('SELECT migration_guard.backstop()', '39P03', 'migration_guard.backstop() is an event trigger function',
                 'backstop() cannot be called directly');

-- what they return
SELECT is(migration_guard.version(), '0.1.0', 'version() returns 0.1.0');
SELECT is(migration_guard.table_size('pg_class'), pg_table_size('pg_class'),
          'table_size() agrees with pg_table_size() on pg_class');

-- privileges: table_size is revoked from PUBLIC, version and the schema are not
SELECT is((SELECT count(*)::int FROM pg_proc p, aclexplode(p.proacl) a
            WHERE p.oid = 'migration_guard.table_size(regclass)'::regprocedure
              AND a.grantee = 0 AND a.privilege_type = 'EXECUTE'), 0,
          'PUBLIC has no EXECUTE grant on table_size(regclass)');
SELECT isnt((SELECT proacl FROM pg_proc WHERE oid = 'migration_guard.table_size(regclass)'::regprocedure),
            NULL, 'table_size(regclass) has an explicit ACL (NULL would mean PUBLIC may execute it)');

CREATE ROLE mg_tap_ext_nobody NOLOGIN;
SELECT ok(NOT has_function_privilege('mg_tap_ext_nobody', 'migration_guard.table_size(regclass)', 'EXECUTE'),
          'an ordinary role may not execute table_size(regclass)');
SELECT ok(has_function_privilege('mg_tap_ext_nobody', 'migration_guard.version()', 'EXECUTE'),
          'an ordinary role may execute version()');
SELECT ok(has_schema_privilege('mg_tap_ext_nobody', 'migration_guard', 'USAGE'),
          'an ordinary role has USAGE on schema migration_guard');

SET LOCAL ROLE mg_tap_ext_nobody;
SELECT throws_ok('SELECT migration_guard.table_size(''pg_class'')', '42501',
                 'permission denied for function table_size',
                 'an ordinary role calling table_size() gets 42501');
SELECT lives_ok('SELECT migration_guard.version()', 'an ordinary role can call version()');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
