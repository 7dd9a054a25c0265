-- migration_guard: what it refuses (SQLSTATE MG001), what it lets through, and the modes.
--
-- A table created in the current transaction is never "large" to the guard, so the tables
-- the refusals need are created and committed before the test transaction and dropped at
-- the end. Everything else happens in one transaction that is rolled back.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

DROP TABLE IF EXISTS mg_tap_big, mg_tap_small, mg_tap_parted CASCADE;
CREATE TABLE mg_tap_big AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 20000) g;
CREATE TABLE mg_tap_small AS SELECT g AS id FROM generate_series(1, 10) g;
CREATE TABLE mg_tap_parted (id int, pad text) PARTITION BY RANGE (id);
CREATE TABLE mg_tap_parted_1 PARTITION OF mg_tap_parted FOR VALUES FROM (1) TO (10001);
CREATE TABLE mg_tap_parted_2 PARTITION OF mg_tap_parted FOR VALUES FROM (10001) TO (20001);
INSERT INTO mg_tap_parted SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g;
CREATE TEMP TABLE mg_tap_temp AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 20000) g;

BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS migration_guard;

SELECT plan(41);

SET LOCAL migration_guard.mode = enforce;
SET LOCAL migration_guard.large_table_threshold = '1MB';

-- ---------------------------------------------------------------- preconditions
SELECT ok(migration_guard.table_size('mg_tap_big') >= 1048576, 'mg_tap_big is at least 1MB');
SELECT ok(migration_guard.table_size('mg_tap_small') < 1048576, 'mg_tap_small is under 1MB');
SELECT ok(migration_guard.table_size('mg_tap_parted') >= 1048576,
          'the partitions of mg_tap_parted add up to at least 1MB');
SELECT ok(pg_table_size('mg_tap_temp') >= 1048576, 'temporary table mg_tap_temp is at least 1MB');

-- ---------------------------------------------------------------- create_index_blocking: refused
SELECT throws_ok('CREATE INDEX mg_tap_big_id_idx ON mg_tap_big (id)', 'MG001',
                 'creating an index without CONCURRENTLY would block writes on large table "public.mg_tap_big" for the whole build',
                 'plain CREATE INDEX on a table over the threshold is refused with MG001');
SELECT hasnt_index('public', 'mg_tap_big', 'mg_tap_big_id_idx', 'the refused index was not created');
SELECT throws_ok('CREATE UNIQUE INDEX mg_tap_big_id_uidx ON mg_tap_big (id)', 'MG001',
                 'creating an index without CONCURRENTLY would block writes on large table "public.mg_tap_big" for the whole build',
                 'plain CREATE UNIQUE INDEX on a large table is refused with MG001');
SELECT throws_ok('CREATE INDEX ON mg_tap_parted (id)', 'MG001',
                 'creating an index on partitioned table "public.mg_tap_parted" would block writes on all 2 of its partitions for the whole build',
                 'plain CREATE INDEX on a large partitioned table is refused with MG001');
SELECT throws_ok('CREATE INDEX CONCURRENTLY mg_tap_big_cc_idx ON mg_tap_big (id)', 'MG001',
                 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block',
                 'CREATE INDEX CONCURRENTLY in a transaction is refused by the guard with the fix (concurrently_in_transaction), where PostgreSQL would say 25001');

-- the threshold is inclusive: at the size refused, one page above allowed
DO $$ BEGIN PERFORM set_config('migration_guard.large_table_threshold',
                               (migration_guard.table_size('mg_tap_big') / 1024)::text, true); END $$;
SELECT throws_ok('CREATE INDEX mg_tap_big_at_idx ON mg_tap_big (id)', 'MG001',
                 'creating an index without CONCURRENTLY would block writes on large table "public.mg_tap_big" for the whole build',
                 'a threshold equal to the table''s size refuses');
DO $$ BEGIN PERFORM set_config('migration_guard.large_table_threshold',
                               (migration_guard.table_size('mg_tap_big') / 1024 + 8)::text, true); END $$;
SELECT lives_ok('CREATE INDEX mg_tap_big_below_idx ON mg_tap_big (id)',
                'a threshold 8kB above the table''s size allows');
SET LOCAL migration_guard.large_table_threshold = 0;
SELECT throws_ok('CREATE INDEX mg_tap_small_zero_idx ON mg_tap_small (id)', 'MG001',
                 'creating an index without CONCURRENTLY would block writes on large table "public.mg_tap_small" for the whole build',
                 'a threshold of 0 makes even a small table large');
SET LOCAL migration_guard.large_table_threshold = '1MB';

-- ---------------------------------------------------------------- create_index_blocking: allowed
SELECT lives_ok('CREATE INDEX mg_tap_small_id_idx ON mg_tap_small (id)',
                'CREATE INDEX on a table under the threshold is allowed');
SELECT has_index('public', 'mg_tap_small', 'mg_tap_small_id_idx', 'the small table''s index exists');

CREATE TABLE mg_tap_fresh AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 20000) g;
SELECT ok(pg_table_size('mg_tap_fresh') >= 1048576, 'mg_tap_fresh, created in this transaction, is at least 1MB');
SELECT lives_ok('CREATE INDEX mg_tap_fresh_id_idx ON mg_tap_fresh (id)',
                'CREATE INDEX on a large table created in the same transaction is allowed');
SELECT lives_ok($$CREATE TABLE mg_tap_fresh2 AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 20000) g$$,
                'a large table created inside a released subtransaction');
SELECT lives_ok('CREATE INDEX mg_tap_fresh2_id_idx ON mg_tap_fresh2 (id)',
                '... still counts as created by this transaction');
SELECT lives_ok('CREATE INDEX mg_tap_temp_id_idx ON mg_tap_temp (id)',
                'CREATE INDEX on a large temporary table is allowed');
SELECT lives_ok('CREATE INDEX mg_tap_parted_id_idx ON ONLY mg_tap_parted (id)',
                'CREATE INDEX ... ON ONLY on a large partitioned parent is allowed');
SELECT has_index('public', 'mg_tap_parted', 'mg_tap_parted_id_idx', 'the ON ONLY parent index exists');

-- ---------------------------------------------------------------- constraint_unnamed
CREATE TABLE mg_tap_parent (id int CONSTRAINT mg_tap_parent_pkey PRIMARY KEY);
SET LOCAL migration_guard.large_table_threshold = '1MB';

-- refused: an unnamed constraint added to a large existing table
SELECT throws_ok('ALTER TABLE mg_tap_big ADD FOREIGN KEY (id) REFERENCES mg_tap_parent (id) NOT VALID', 'MG001',
                 'FOREIGN KEY constraint on table "public.mg_tap_big" has no name',
                 'an unnamed FOREIGN KEY added to a large table is refused with MG001');
SELECT throws_ok('ALTER TABLE mg_tap_big ADD CHECK (id > 0) NOT VALID', 'MG001',
                 'CHECK constraint on table "public.mg_tap_big" has no name',
                 'an unnamed CHECK added to a large table is refused with MG001');
SELECT throws_ok('ALTER TABLE mg_tap_big ADD COLUMN v int UNIQUE', 'MG001',
                 'adding UNIQUE constraint mg_tap_big_v_key would build its index on large table "public.mg_tap_big" while holding a lock that blocks all access',
                 'an unnamed inline UNIQUE of ADD COLUMN on a large table is refused for its index build first (constraint_unnamed in the DETAIL)');
SELECT throws_ok('ALTER TABLE mg_tap_big ADD PRIMARY KEY (id)', 'MG001',
                 'adding PRIMARY KEY mg_tap_big_pkey would build its index on large table "public.mg_tap_big" while holding a lock that blocks all access',
                 'an unnamed PRIMARY KEY added to a large table is refused for its index build first (constraint_unnamed in the DETAIL)');
SELECT lives_ok('ALTER TABLE mg_tap_big ADD CONSTRAINT mg_tap_big_id_check CHECK (id > 0) NOT VALID',
                'the same CHECK, named, is allowed');
-- allowed, with a warning: below the threshold
SELECT lives_ok('ALTER TABLE mg_tap_small ADD FOREIGN KEY (id) REFERENCES mg_tap_parent (id) NOT VALID',
                'an unnamed FOREIGN KEY added to a small table runs (with a WARNING)');
SELECT lives_ok('ALTER TABLE mg_tap_small ADD PRIMARY KEY (id)', 'an unnamed PRIMARY KEY added to a small table runs (with a WARNING)');
-- allowed, silently: constraints created together with their table
SELECT lives_ok('CREATE TABLE mg_tap_child (id int CHECK (id > 0) UNIQUE, parent_id int REFERENCES mg_tap_parent (id),
                   EXCLUDE USING btree (parent_id WITH =))',
                'unnamed constraints of CREATE TABLE are allowed');
SELECT is((SELECT string_agg(conname::text, ', ' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'mg_tap_child'::regclass),
          'mg_tap_child_id_check, mg_tap_child_id_key, mg_tap_child_parent_id_excl, mg_tap_child_parent_id_fkey',
          'they have the names PostgreSQL generates');
SELECT lives_ok('CREATE TABLE mg_tap_child2 (id int); ALTER TABLE mg_tap_child2 ADD CHECK (id > 0), ADD PRIMARY KEY (id)',
                'ALTER TABLE of a table created in the same transaction is allowed');
SELECT throws_ok('ALTER TABLE mg_tap_big ADD EXCLUDE USING btree (id WITH =)', 'MG001',
                 'adding EXCLUDE constraint mg_tap_big_id_excl would build its index on large table "public.mg_tap_big" while holding a lock that blocks all access',
                 'an unnamed EXCLUDE added to a large table is refused for its index build first (constraint_unnamed in the DETAIL)');
SELECT lives_ok('CREATE TEMP TABLE mg_tap_temp_child (id int CHECK (id > 0))',
                'an unnamed CHECK on a temporary table is allowed');

-- ---------------------------------------------------------------- warn and off
SET LOCAL migration_guard.large_table_threshold = '1MB';
SET LOCAL migration_guard.mode = warn;
SELECT lives_ok('CREATE INDEX mg_tap_big_warn_idx ON mg_tap_big (id)',
                'mode warn: the refused CREATE INDEX runs (with a WARNING)');
SELECT has_index('public', 'mg_tap_big', 'mg_tap_big_warn_idx', 'mode warn: the index was created');
SELECT lives_ok('CREATE TABLE mg_tap_warn_child (id int CHECK (id > 0))',
                'mode warn: the unnamed CHECK runs (with a WARNING)');
SELECT is((SELECT conname::text FROM pg_constraint WHERE conrelid = 'mg_tap_warn_child'::regclass),
          'mg_tap_warn_child_id_check', 'mode warn: the constraint got the generated name');

SET LOCAL migration_guard.mode = off;
SELECT lives_ok('CREATE INDEX mg_tap_big_off_idx ON mg_tap_big (id)', 'mode off: the refused CREATE INDEX runs');
SELECT has_index('public', 'mg_tap_big', 'mg_tap_big_off_idx', 'mode off: the index was created');
SELECT lives_ok('ALTER TABLE mg_tap_big ADD CHECK (id > 0)', 'mode off: the unnamed CHECK runs');

SET LOCAL migration_guard.mode = enforce;
SELECT throws_ok('CREATE INDEX mg_tap_big_again_idx ON mg_tap_big (id)', 'MG001',
                 'creating an index without CONCURRENTLY would block writes on large table "public.mg_tap_big" for the whole build',
                 'back in mode enforce, CREATE INDEX on the large table is refused again');

SELECT * FROM finish();
ROLLBACK;

DROP TABLE mg_tap_big, mg_tap_small, mg_tap_parted CASCADE;
