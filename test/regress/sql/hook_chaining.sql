--
-- hook_chaining: the guard shares ProcessUtility_hook and ExecutorStart_hook with
-- pg_stat_statements and auto_explain. scripts/test.sh runs this file once per
-- test/conf/chain_*.conf: once with both loaded before the guard, once after it. The
-- expected output is the same for both orders.
--

-- All three libraries are preloaded (in an order this file does not show).
SELECT array_agg(lib ORDER BY lib) AS preloaded
  FROM regexp_split_to_table(current_setting('shared_preload_libraries'), '\s*,\s*') AS lib;
SELECT name, setting FROM pg_settings
 WHERE name IN ('migration_guard.mode', 'pg_stat_statements.track', 'auto_explain.log_min_duration')
 ORDER BY name;

CREATE EXTENSION pg_stat_statements;
SET migration_guard.large_table_threshold = '1MB';
CREATE TABLE chain_big AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 20000) g;
CREATE TABLE chain_parent (id int CONSTRAINT chain_parent_pkey PRIMARY KEY);
SELECT pg_table_size('chain_big') >= 1024 * 1024 AS chain_big_is_large;
SELECT pg_stat_statements_reset() IS NOT NULL AS pgss_reset;

--
-- The guard still refuses, whichever hook runs first.
--
\set VERBOSITY terse
CREATE INDEX chain_big_id_idx ON chain_big (id);
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE chain_big ADD FOREIGN KEY (id) REFERENCES chain_parent (id) NOT VALID;
\echo :LAST_ERROR_SQLSTATE
-- also a statement that a function runs (a nested ProcessUtility call)
DO $$ BEGIN EXECUTE 'CREATE INDEX chain_big_id_idx ON chain_big (id)'; END $$;
\echo :LAST_ERROR_SQLSTATE
-- and in a transaction block, which the refusal aborts
BEGIN;
ALTER TABLE chain_big ADD CHECK (id > 0) NOT VALID;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- mode warn: a WARNING with the same text and SQLSTATE, and the statement runs
SET migration_guard.mode = warn;
CREATE TABLE chain_warned (id int CHECK (id > 0));
ALTER TABLE chain_warned ADD CHECK (id < 1000);
\set VERBOSITY sqlstate
ALTER TABLE chain_big ADD CHECK (id > 0) NOT VALID;
SET migration_guard.mode = enforce;
\set VERBOSITY default
SELECT conname FROM pg_constraint WHERE conrelid = 'chain_warned'::regclass AND contype <> 'n' ORDER BY 1;

--
-- Allowed DDL runs.
--
CREATE INDEX CONCURRENTLY chain_big_id_idx ON chain_big (id);
CREATE TABLE chain_child (id int CONSTRAINT chain_child_pkey PRIMARY KEY,
                          parent_id int CONSTRAINT chain_child_parent_fkey REFERENCES chain_parent (id));
BEGIN;
CREATE TABLE chain_fresh AS SELECT g AS id FROM generate_series(1, 50000) g;
CREATE INDEX chain_fresh_id_idx ON chain_fresh (id);
COMMIT;
SELECT c.relname AS index, i.indisvalid
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid IN ('chain_big'::regclass, 'chain_fresh'::regclass)
 ORDER BY 1;

--
-- SELECT and DML run through every executor hook in the chain.
--
INSERT INTO chain_parent SELECT g FROM generate_series(1, 10) g;
INSERT INTO chain_child VALUES (1, 1), (2, 2), (3, 3);
UPDATE chain_child SET parent_id = 4 WHERE id = 3;
DELETE FROM chain_child WHERE id = 2;
SELECT * FROM chain_child ORDER BY id;
SELECT count(*) FROM chain_big WHERE id <= 100;
CREATE FUNCTION chain_children() RETURNS bigint LANGUAGE plpgsql
  AS $$ BEGIN RETURN (SELECT count(*) FROM chain_child); END $$;
SELECT chain_children();
SELECT chain_children();
PREPARE chain_q(int) AS SELECT id, length(pad) FROM chain_big WHERE id = $1;
EXECUTE chain_q(7);
DEALLOCATE chain_q;
WITH moved AS (DELETE FROM chain_child WHERE id = 3 RETURNING *) SELECT count(*) FROM moved;

--
-- pg_stat_statements recorded them (track = all: also the statement inside the function).
-- The refused statements never completed, so they are not there.
--
SELECT toplevel, calls, rows, query FROM pg_stat_statements
 WHERE query LIKE '%chain\_%' AND query NOT LIKE '%pg_stat_statements%'
   AND query NOT LIKE '%FOR KEY SHARE%' -- the foreign key checks' own queries
 ORDER BY query COLLATE "C", toplevel;

--
-- auto_explain: a plan reaches the client at log_level notice. The message carries the
-- statement's duration, so it is shown as its SQLSTATE alone.
--
SET auto_explain.log_level = notice;
\set VERBOSITY sqlstate
SELECT 'chain auto_explain probe' AS probe;
SET auto_explain.log_min_duration = -1;
SELECT 'no plan now' AS probe;
RESET auto_explain.log_min_duration;
\set VERBOSITY default
RESET auto_explain.log_level;

-- At the configured log_level (log) the plans go to the server log; read this one back.
SELECT 'chain auto_explain log probe' AS probe;
DO $$
DECLARE
	m text[];
BEGIN
	FOR i IN 1 .. 300 LOOP -- the logging collector writes asynchronously: wait up to 30s
		m := regexp_match(pg_read_file(pg_current_logfile()),
						  'Query Text: (SELECT ''chain auto_explain log probe''[^\n]*)\n\s*([^\n]*)');
		EXIT WHEN m IS NOT NULL;
		PERFORM pg_sleep(0.1);
	END LOOP;
	RAISE NOTICE 'logged query text: %', coalesce(m[1], '(no plan in the server log)');
	RAISE NOTICE 'logged plan: %', m[2];
END
$$;

DROP FUNCTION chain_children();
DROP TABLE chain_child, chain_parent, chain_big, chain_fresh, chain_warned;
DROP EXTENSION pg_stat_statements;
