--
-- Lock-free size: migration_guard.table_size() must equal pg_table_size(), summed over the
-- leaf partitions for a partitioned table, without opening or locking the relation.
--
\set schema rs
\i test/regress/fixtures/setup.sql

CREATE TABLE plain (id int, v text);
INSERT INTO plain SELECT g, repeat('p', 50) FROM generate_series(1, 20000) g;
ANALYZE plain;

-- TOASTed: values far above the TOAST threshold that do not compress
CREATE TABLE toasted (id int, doc text);
INSERT INTO toasted
SELECT g, (SELECT string_agg(md5(g::text || ':' || i::text), '') FROM generate_series(1, 300) i)
FROM generate_series(1, 200) g;

-- bulk-loaded and never analyzed: reltuples = -1, relpages = 0
CREATE TABLE loaded (id int, v text);
INSERT INTO loaded SELECT g, 'x' FROM generate_series(1, 50000) g;

-- after VACUUM: free space map and visibility map forks exist too
CREATE TABLE vacuumed (id int, v text);
INSERT INTO vacuumed SELECT g, 'y' FROM generate_series(1, 20000) g;
DELETE FROM vacuumed WHERE id % 2 = 0;
VACUUM vacuumed;

CREATE TABLE empty (id int);
CREATE UNLOGGED TABLE unlogged (id int);
INSERT INTO unlogged SELECT generate_series(1, 1000);
CREATE MATERIALIZED VIEW mv AS SELECT * FROM plain;

-- partitioned, two levels, one foreign-free default partition
CREATE TABLE parted (id int, v text) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10000);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (10000) TO (20000) PARTITION BY HASH (id);
CREATE TABLE parted_2a PARTITION OF parted_2 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE parted_2b PARTITION OF parted_2 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE parted_d PARTITION OF parted DEFAULT;
INSERT INTO parted SELECT g, repeat('q', 20) FROM generate_series(1, 30000) g;

SELECT c.relname, c.reltuples, c.reltoastrelid <> 0 AS has_toast,
       migration_guard.table_size(c.oid) = pg_table_size(c.oid) AS equal,
       migration_guard.table_size(c.oid) > 0 AS nonzero
FROM pg_class c
WHERE c.relnamespace = 'rs'::regnamespace AND c.relkind IN ('r', 'm')
ORDER BY c.relname;

-- the TOAST part really is counted
SELECT pg_table_size('toasted') > pg_relation_size('toasted') * 2 AS mostly_toast;
-- partitioned: pg_table_size() of the parent is 0; ours is the sum over the leaves
SELECT pg_table_size('parted') AS parent_only,
       migration_guard.table_size('parted') =
       (SELECT sum(pg_table_size(relid)) FROM pg_partition_tree('parted') WHERE isleaf) AS equal_to_leaves,
       migration_guard.table_size('parted_2') =
       pg_table_size('parted_2a') + pg_table_size('parted_2b') AS subtree;
-- The TOAST table's and TOAST index's pg_class rows are read from the page that holds the
-- table's own row when they are there (CREATE TABLE writes them together), and looked up
-- otherwise. Either way the size is pg_table_size(): beside it, after GRANT and REVOKE have
-- given the table's row versions on other pages (its TOAST rows stay behind), after VACUUM
-- FULL has given the TOAST table new files, and after TRUNCATE, in a transaction and after it.
CREATE TABLE beside (id int, doc text);
INSERT INTO beside
SELECT g, (SELECT string_agg(md5(g::text || ':' || i::text), '') FROM generate_series(1, 100) i)
FROM generate_series(1, 50) g;
-- (Which page each row is on depends on how full pg_class's pages are, so only the sizes are
-- shown.)
CREATE VIEW beside_pages AS
SELECT migration_guard.table_size('beside') = pg_table_size('beside') AS equal,
       pg_table_size('beside') > pg_relation_size('beside') * 2 AS mostly_toast;
SELECT * FROM beside_pages;
DO $$
BEGIN
	FOR i IN 1 .. 100 LOOP
		GRANT SELECT ON rs.beside TO PUBLIC;
		REVOKE SELECT ON rs.beside FROM PUBLIC;
	END LOOP;
END $$;
SELECT (SELECT (ctid::text::point)[0] FROM pg_class WHERE oid = 'beside'::regclass) <>
       (SELECT (ctid::text::point)[0] FROM pg_class
        WHERE oid = (SELECT reltoastrelid FROM pg_class WHERE oid = 'beside'::regclass)) AS moved_away;
SELECT * FROM beside_pages;
SET migration_guard.mode = off;
VACUUM FULL beside;
RESET migration_guard.mode;
SELECT equal, mostly_toast FROM beside_pages;
BEGIN;
SET LOCAL migration_guard.mode = off;
TRUNCATE beside;
SELECT equal FROM beside_pages;
ROLLBACK;
SELECT equal, mostly_toast FROM beside_pages;
-- An emptied heap: VACUUM truncates it to no pages, and without PROCESS_TOAST its TOAST table
-- keeps its dead pages. table_size() is still pg_table_size(); the verdicts count what a
-- statement reads, the heap alone (no row points into that TOAST table), except SET TABLESPACE,
-- which copies every file.
CREATE TABLE emptied (id int, doc text);
INSERT INTO emptied
SELECT g, (SELECT string_agg(md5(g::text || ':' || i::text), '') FROM generate_series(1, 100) i)
FROM generate_series(1, 50) g;
SET migration_guard.mode = off;
DELETE FROM emptied;
VACUUM (PROCESS_TOAST false) emptied;
RESET migration_guard.mode;
SELECT pg_relation_size('emptied') AS heap_bytes,
       migration_guard.table_size('emptied') = pg_table_size('emptied') AS equal,
       pg_table_size('emptied') >= 128 * 1024 AS toast_kept;
SET allow_in_place_tablespaces = true;
CREATE TABLESPACE rs_space LOCATION '';
SET migration_guard.large_table_threshold = '128kB';
SELECT statement_no, rule, severity, relation
  FROM migration_guard.check($$
ALTER TABLE emptied SET TABLESPACE rs_space;
CREATE INDEX emptied_id_idx ON emptied (id);
VACUUM FULL emptied;
$$);
-- the hooks agree: SET TABLESPACE is refused, the other two run
\set VERBOSITY terse
ALTER TABLE emptied SET TABLESPACE rs_space;
\set VERBOSITY default
CREATE INDEX emptied_id_idx ON emptied (id);
VACUUM FULL emptied;
SELECT pg_table_size('emptied') < 128 * 1024 AS rewritten_small;
RESET migration_guard.large_table_threshold;
DROP TABLE emptied;
DROP TABLESPACE rs_space;
RESET allow_in_place_tablespaces;
-- a dropped relation has no size
SELECT migration_guard.table_size(0::oid::regclass) IS NULL AS is_null;
-- only superusers may call it, unless granted
CREATE ROLE regress_mg_nobody;
SELECT has_function_privilege('regress_mg_nobody', 'migration_guard.table_size(regclass)', 'EXECUTE') AS may_call;
DROP ROLE regress_mg_nobody;

\i test/regress/fixtures/teardown.sql
