-- migration_guard: its two settings as pg_settings describes them, the reserved prefix,
-- value checking, and that only a superuser may change them from SQL.
-- Runs in one transaction that is rolled back (the role it creates goes with it).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS migration_guard;

SELECT plan(67);

-- ---------------------------------------------------------------- pg_settings
SELECT set_eq($$SELECT name::text FROM pg_settings WHERE name LIKE 'migration_guard.%'$$,
              ARRAY['migration_guard.mode', 'migration_guard.large_table_threshold',
                    'migration_guard.max_dml_rows', 'migration_guard.dml_scope',
                    'migration_guard.rule_severity', 'migration_guard.override_role',
                    'migration_guard.allow', 'migration_guard.log_format', 'migration_guard.events_size',
                    'migration_guard.lock_timeout', 'migration_guard.blocker_age',
                    'migration_guard.restore_relations'],
              'the guard defines exactly these twelve settings');
SELECT is((SELECT context || ' ' || vartype || ' ' || boot_val || ' ' || min_val || '..' || max_val
             FROM pg_settings WHERE name = 'migration_guard.restore_relations'),
          'postmaster integer 10000 0..1000000',
          'migration_guard.restore_relations: read at server start, 10000 by default, 0 turns restore sessions off');
SELECT set_eq($$SELECT name::text || '=' || context FROM pg_settings
                 WHERE name IN ('migration_guard.rule_severity', 'migration_guard.override_role',
                                'migration_guard.allow', 'migration_guard.log_format', 'migration_guard.events_size')$$,
              ARRAY['migration_guard.rule_severity=superuser', 'migration_guard.override_role=superuser',
                    'migration_guard.allow=user', 'migration_guard.log_format=superuser',
                    'migration_guard.events_size=postmaster'],
              'policy settings: superuser-only, except allow (checked against override_role) and events_size (at start)');
SELECT is((SELECT context || ' ' || vartype || ' ' || unit || ' ' || boot_val || ' ' || min_val || '..' || max_val
             FROM pg_settings WHERE name = 'migration_guard.lock_timeout'),
          'superuser integer ms 5000 0..2147483647',
          'migration_guard.lock_timeout: PGC_SUSET, milliseconds, 5s by default, 0 turns it off');
SELECT is((SELECT context || ' ' || vartype || ' ' || unit || ' ' || boot_val || ' ' || min_val || '..' || max_val
             FROM pg_settings WHERE name = 'migration_guard.blocker_age'),
          'superuser integer ms 5000 -1..2147483647',
          'migration_guard.blocker_age: PGC_SUSET, milliseconds, 5s by default, -1 turns it off');
SELECT is(current_setting('migration_guard.lock_timeout') || ' ' || current_setting('migration_guard.blocker_age'),
          '5s 5s', 'both show as 5s by default');
SELECT is((SELECT context FROM pg_settings WHERE name = 'migration_guard.max_dml_rows'), 'superuser',
          'migration_guard.max_dml_rows has context superuser (PGC_SUSET)');
SELECT is((SELECT boot_val FROM pg_settings WHERE name = 'migration_guard.max_dml_rows'), '100000',
          'migration_guard.max_dml_rows boots as 100000');
SELECT is((SELECT context FROM pg_settings WHERE name = 'migration_guard.dml_scope'), 'superuser',
          'migration_guard.dml_scope has context superuser (PGC_SUSET)');
SELECT is((SELECT boot_val FROM pg_settings WHERE name = 'migration_guard.dml_scope'), 'migration',
          'migration_guard.dml_scope boots as migration');
SELECT is((SELECT enumvals FROM pg_settings WHERE name = 'migration_guard.dml_scope'), ARRAY['migration', 'all'],
          'migration_guard.dml_scope takes migration or all');

SELECT is((SELECT context FROM pg_settings WHERE name = 'migration_guard.mode'), 'superuser',
          'migration_guard.mode has context superuser (PGC_SUSET)');
SELECT is((SELECT vartype FROM pg_settings WHERE name = 'migration_guard.mode'), 'enum',
          'migration_guard.mode is an enum');
SELECT is((SELECT boot_val FROM pg_settings WHERE name = 'migration_guard.mode'), 'enforce',
          'migration_guard.mode boots as enforce');
SELECT is((SELECT reset_val FROM pg_settings WHERE name = 'migration_guard.mode'), 'enforce',
          'migration_guard.mode resets to enforce');
SELECT is((SELECT enumvals FROM pg_settings WHERE name = 'migration_guard.mode'),
          ARRAY['enforce', 'warn', 'off'],
          'migration_guard.mode accepts enforce, warn, off');
SELECT is((SELECT unit FROM pg_settings WHERE name = 'migration_guard.mode'), NULL,
          'migration_guard.mode has no unit');
SELECT is(current_setting('migration_guard.mode'), 'enforce', 'migration_guard.mode is enforce by default');

SELECT is((SELECT context FROM pg_settings WHERE name = 'migration_guard.large_table_threshold'), 'superuser',
          'migration_guard.large_table_threshold has context superuser (PGC_SUSET)');
SELECT is((SELECT vartype FROM pg_settings WHERE name = 'migration_guard.large_table_threshold'), 'integer',
          'migration_guard.large_table_threshold is an integer');
SELECT is((SELECT unit FROM pg_settings WHERE name = 'migration_guard.large_table_threshold'), 'kB',
          'migration_guard.large_table_threshold has unit kB');
SELECT is((SELECT boot_val FROM pg_settings WHERE name = 'migration_guard.large_table_threshold'), '10240',
          'migration_guard.large_table_threshold boots as 10240 kB');
SELECT is((SELECT reset_val FROM pg_settings WHERE name = 'migration_guard.large_table_threshold'), '10240',
          'migration_guard.large_table_threshold resets to 10240 kB');
SELECT is((SELECT min_val || '..' || max_val FROM pg_settings
            WHERE name = 'migration_guard.large_table_threshold'), '0..2147483647',
          'migration_guard.large_table_threshold ranges over 0..2147483647');
SELECT is(current_setting('migration_guard.large_table_threshold'), '10MB',
          'migration_guard.large_table_threshold shows as 10MB by default');

-- ---------------------------------------------------------------- reserved prefix
SELECT throws_ok('SET migration_guard.bogus = 1', '42602',
                 'invalid configuration parameter name "migration_guard.bogus"',
                 'SET of an unknown migration_guard.* name fails: the prefix is reserved');
SELECT throws_ok($$SELECT set_config('migration_guard.bogus', '1', false)$$, '42602',
                 'invalid configuration parameter name "migration_guard.bogus"',
                 'set_config() of an unknown migration_guard.* name fails as well');
SELECT lives_ok('SET LOCAL mg_tap_unreserved.bogus = 1',
                'an unreserved custom prefix still accepts placeholders (control)');

-- ---------------------------------------------------------------- value checking
SELECT throws_ok($$SET migration_guard.mode = 'bogus'$$, '22023',
                 'invalid value for parameter "migration_guard.mode": "bogus"',
                 'mode = bogus is rejected with 22023');
SELECT throws_ok($$SET migration_guard.large_table_threshold = '-1'$$, '22023',
                 -- (16 and later print the range with its unit)
                 CASE WHEN current_setting('server_version_num')::int >= 160000
                      THEN '-1 kB is outside the valid range for parameter "migration_guard.large_table_threshold" (0 kB .. 2147483647 kB)'
                      ELSE '-1 kB is outside the valid range for parameter "migration_guard.large_table_threshold" (0 .. 2147483647)' END,
                 'threshold = -1 is rejected with 22023');
SELECT throws_ok($$SET migration_guard.large_table_threshold = 'abc'$$, '22023',
                 'invalid value for parameter "migration_guard.large_table_threshold": "abc"',
                 'threshold = abc is rejected with 22023');
SELECT throws_ok($$SET migration_guard.large_table_threshold = '3TB'$$, '22023',
                 'invalid value for parameter "migration_guard.large_table_threshold": "3TB"',
                 'threshold = 3TB (beyond int kB) is rejected with 22023');
SELECT throws_ok($$SET migration_guard.max_dml_rows = -5$$, '22023',
                 '-5 is outside the valid range for parameter "migration_guard.max_dml_rows" (0 .. 2147483647)',
                 'max_dml_rows = -5 is rejected with 22023');
SELECT throws_ok($$SET migration_guard.dml_scope = 'everything'$$, '22023',
                 'invalid value for parameter "migration_guard.dml_scope": "everything"',
                 'dml_scope = everything is rejected with 22023');
SELECT throws_ok($$SET migration_guard.lock_timeout = '-1'$$, '22023',
                 -- (16 and later print the range with its unit)
                 CASE WHEN current_setting('server_version_num')::int >= 160000
                      THEN '-1 ms is outside the valid range for parameter "migration_guard.lock_timeout" (0 ms .. 2147483647 ms)'
                      ELSE '-1 ms is outside the valid range for parameter "migration_guard.lock_timeout" (0 .. 2147483647)' END,
                 'lock_timeout = -1 is rejected with 22023 (0 is the way to turn it off)');
SELECT throws_ok($$SET migration_guard.blocker_age = '-2'$$, '22023',
                 -- (16 and later print the range with its unit)
                 CASE WHEN current_setting('server_version_num')::int >= 160000
                      THEN '-2 ms is outside the valid range for parameter "migration_guard.blocker_age" (-1 ms .. 2147483647 ms)'
                      ELSE '-2 ms is outside the valid range for parameter "migration_guard.blocker_age" (-1 .. 2147483647)' END,
                 'blocker_age = -2 is rejected with 22023 (-1 is the way to turn it off)');
SELECT lives_ok($$SET LOCAL migration_guard.lock_timeout = '1min'$$, 'lock_timeout takes time units');
SELECT is(current_setting('migration_guard.lock_timeout'), '1min', '... and shows them as SHOW does');
RESET migration_guard.lock_timeout;
SELECT is(current_setting('migration_guard.mode') || ' ' || current_setting('migration_guard.large_table_threshold'),
          'enforce 10MB', 'rejected values leave both settings unchanged');

SET LOCAL migration_guard.mode = 'WARN';
SELECT is(current_setting('migration_guard.mode'), 'warn', 'mode values are case-insensitive');
SET LOCAL migration_guard.large_table_threshold = 2048;
SELECT is(current_setting('migration_guard.large_table_threshold'), '2MB',
          'a threshold without a unit is in kB (2048 shows as 2MB)');
SET LOCAL migration_guard.large_table_threshold = '1GB';
SELECT is((SELECT setting FROM pg_settings WHERE name = 'migration_guard.large_table_threshold'), '1048576',
          'a threshold of 1GB is stored as 1048576 kB');
SET LOCAL migration_guard.large_table_threshold = 0;
SELECT is(current_setting('migration_guard.large_table_threshold'), '0', 'a threshold of 0 is accepted');

-- a superuser may change both settings every way
SELECT lives_ok($$SELECT set_config('migration_guard.mode', 'off', true)$$,
                'a superuser may set_config() the mode');
SELECT lives_ok($$SELECT set_config('migration_guard.large_table_threshold', '5MB', true)$$,
                'a superuser may set_config() the threshold');
SELECT is(current_setting('migration_guard.mode') || ' ' || current_setting('migration_guard.large_table_threshold'),
          'off 5MB', 'the superuser''s set_config() took effect');
RESET migration_guard.mode;
RESET migration_guard.large_table_threshold;

-- ---------------------------------------------------------------- non-superusers
CREATE ROLE mg_tap_settings_user NOLOGIN;
SET LOCAL ROLE mg_tap_settings_user;

SELECT is(current_setting('migration_guard.mode'), 'enforce', 'an ordinary role can read the mode');
SELECT throws_ok('SET migration_guard.mode = off', '42501',
                 'permission denied to set parameter "migration_guard.mode"',
                 'an ordinary role cannot SET the mode');
SELECT throws_ok('SET LOCAL migration_guard.mode = off', '42501',
                 'permission denied to set parameter "migration_guard.mode"',
                 'an ordinary role cannot SET LOCAL the mode');
SELECT throws_ok($$SELECT set_config('migration_guard.mode', 'off', false)$$, '42501',
                 'permission denied to set parameter "migration_guard.mode"',
                 'an ordinary role cannot set_config() the mode');
SELECT throws_ok($$SELECT set_config('migration_guard.mode', 'warn', true)$$, '42501',
                 'permission denied to set parameter "migration_guard.mode"',
                 'an ordinary role cannot set_config(..., is_local) the mode');
SELECT throws_ok('RESET migration_guard.mode', '42501',
                 'permission denied to set parameter "migration_guard.mode"',
                 'an ordinary role cannot RESET the mode');
SELECT throws_ok($$SET migration_guard.large_table_threshold = '1TB'$$, '42501',
                 'permission denied to set parameter "migration_guard.large_table_threshold"',
                 'an ordinary role cannot SET the threshold');
SELECT throws_ok($$SET LOCAL migration_guard.large_table_threshold = '1TB'$$, '42501',
                 'permission denied to set parameter "migration_guard.large_table_threshold"',
                 'an ordinary role cannot SET LOCAL the threshold');
SELECT throws_ok($$SELECT set_config('migration_guard.large_table_threshold', '1TB', false)$$, '42501',
                 'permission denied to set parameter "migration_guard.large_table_threshold"',
                 'an ordinary role cannot set_config() the threshold');
SELECT throws_ok($$SELECT set_config('migration_guard.large_table_threshold', '0', true)$$, '42501',
                 'permission denied to set parameter "migration_guard.large_table_threshold"',
                 'an ordinary role cannot set_config(..., is_local) the threshold');
SELECT throws_ok('SET migration_guard.max_dml_rows = 0', '42501',
                 'permission denied to set parameter "migration_guard.max_dml_rows"',
                 'an ordinary role cannot SET max_dml_rows');
SELECT throws_ok($$SELECT set_config('migration_guard.max_dml_rows', '0', true)$$, '42501',
                 'permission denied to set parameter "migration_guard.max_dml_rows"',
                 'an ordinary role cannot set_config() max_dml_rows');
SELECT throws_ok($$SET LOCAL migration_guard.dml_scope = 'migration'$$, '42501',
                 'permission denied to set parameter "migration_guard.dml_scope"',
                 'an ordinary role cannot SET LOCAL dml_scope');
SELECT throws_ok($$SELECT set_config('migration_guard.dml_scope', 'all', false)$$, '42501',
                 'permission denied to set parameter "migration_guard.dml_scope"',
                 'an ordinary role cannot set_config() dml_scope');
SELECT is(current_setting('migration_guard.max_dml_rows') || ' ' || current_setting('migration_guard.dml_scope'),
          '100000 migration', 'the refused attempts changed neither DML setting');
SELECT throws_ok('SET migration_guard.lock_timeout = 0', '42501',
                 'permission denied to set parameter "migration_guard.lock_timeout"',
                 'an ordinary role cannot SET migration_guard.lock_timeout');
SELECT throws_ok('SET migration_guard.blocker_age = -1', '42501',
                 'permission denied to set parameter "migration_guard.blocker_age"',
                 'an ordinary role cannot SET migration_guard.blocker_age');
SELECT lives_ok($$SET LOCAL lock_timeout = '2s'$$,
                'an ordinary role sets its own lock_timeout, which then wins over the injected one');
SELECT is(current_setting('migration_guard.lock_timeout') || ' ' || current_setting('migration_guard.blocker_age'),
          '5s 5s', 'the refused attempts changed neither lock setting');
SELECT is(current_setting('migration_guard.mode') || ' ' || current_setting('migration_guard.large_table_threshold'),
          'enforce 10MB', 'the refused attempts changed neither setting');
RESET ROLE;

SELECT is(current_setting('migration_guard.mode') || ' ' || current_setting('migration_guard.large_table_threshold'),
          'enforce 10MB', 'back as the superuser, both settings are still at their defaults');

SELECT * FROM finish();
ROLLBACK;
