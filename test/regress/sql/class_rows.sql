--
-- The pg_class rows the guard keeps (src/facts/catalog.cpp): a row read once is answered
-- from a small memo until the invalidation that drops the syscache's entry for it drops it
-- too. A row that changes must be read again: TRUNCATE and VACUUM FULL give the table a new
-- file, and a stale row would stat() the old one, which is gone after commit (an empty
-- table: the guard would let a large one pass), or still there until then.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS migration_guard;
RESET client_min_messages;
CREATE SCHEMA crow;
SET search_path = crow;
SET migration_guard.large_table_threshold = '1MB';
\set VERBOSITY terse
CREATE TABLE big (id bigint PRIMARY KEY, pad text);
INSERT INTO big SELECT g, repeat('x', 60) FROM generate_series(1, 30000) g;
-- large: refused (and its row is now kept)
CREATE INDEX big_pad_idx ON big (pad);
\echo :LAST_ERROR_SQLSTATE
SELECT migration_guard.table_size('big') = pg_table_size('big') AS equal;
-- a new file, as large: still refused (VACUUM FULL is refused too, so it runs unguarded)
SET migration_guard.mode = off;
VACUUM FULL big;
RESET migration_guard.mode;
SELECT migration_guard.table_size('big') = pg_table_size('big') AS equal;
CREATE INDEX big_pad_idx ON big (pad);
\echo :LAST_ERROR_SQLSTATE
-- in a transaction: TRUNCATE's new file is empty, and the old one is still on disk
BEGIN;
SELECT migration_guard.table_size('big') = pg_table_size('big') AS equal;
TRUNCATE big;
SELECT migration_guard.table_size('big') = pg_table_size('big') AS equal,
       migration_guard.table_size('big') < 100000 AS small;
-- a small table: the plain build is let through
CREATE INDEX big_pad_idx ON big (pad);
ROLLBACK;
-- the rollback brings the old file back: large again
SELECT migration_guard.table_size('big') = pg_table_size('big') AS equal,
       migration_guard.table_size('big') > 1000000 AS large;
CREATE INDEX big_pad_idx ON big (pad);
\echo :LAST_ERROR_SQLSTATE
-- a savepoint rolled back: the same
BEGIN;
SAVEPOINT s;
TRUNCATE big;
SELECT migration_guard.table_size('big') < 100000 AS small;
ROLLBACK TO SAVEPOINT s;
SELECT migration_guard.table_size('big') = pg_table_size('big') AS equal,
       migration_guard.table_size('big') > 1000000 AS large;
COMMIT;
-- committed: the old file is gone, the new one is read
TRUNCATE big;
SELECT migration_guard.table_size('big') = pg_table_size('big') AS equal;
CREATE INDEX big_pad_idx ON big (pad);
INSERT INTO big SELECT g, repeat('x', 60) FROM generate_series(1, 30000) g;
-- same file, grown: sizes are always read from the files, only the row is kept
CREATE INDEX big_id_pad_idx ON big (id, pad);
\echo :LAST_ERROR_SQLSTATE
-- a renamed table is found under its new name, with its new name in the message
ALTER TABLE big RENAME TO huge;
CREATE INDEX huge_pad2_idx ON huge (pad);
\echo :LAST_ERROR_SQLSTATE
-- many relations in one session: more than the memo holds, each with its own size
DO $$
BEGIN
	FOR i IN 1 .. 40 LOOP
		EXECUTE format('CREATE TABLE crow.t%s (id int)', i);
		EXECUTE format('INSERT INTO crow.t%s SELECT g FROM generate_series(1, %s) g', i, i * 100);
	END LOOP;
END $$;
SELECT count(*) FILTER (WHERE migration_guard.table_size(c.oid) = pg_table_size(c.oid)) AS equal,
       count(*) AS tables
FROM pg_class c WHERE c.relnamespace = 'crow'::regnamespace AND c.relkind = 'r';
SELECT count(*) FILTER (WHERE migration_guard.table_size(c.oid) = pg_table_size(c.oid)) AS equal_again
FROM pg_class c WHERE c.relnamespace = 'crow'::regnamespace AND c.relkind = 'r';
DROP SCHEMA crow CASCADE;
