--
-- reindex_blocking: REINDEX without CONCURRENTLY on a large table
--
\set schema rib
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE t (id int CONSTRAINT t_pkey PRIMARY KEY, c int, pad text);
INSERT INTO t SELECT g, g % 1000, repeat('x', 20) FROM generate_series(1, 34000) g;
ANALYZE t;
CREATE INDEX CONCURRENTLY t_c_idx ON t (c);
CREATE TABLE small (id int CONSTRAINT small_pkey PRIMARY KEY);

-- refused: INDEX, TABLE, SCHEMA and DATABASE, each with CONCURRENTLY in its place
\set VERBOSITY verbose
REINDEX INDEX t_c_idx;
\set VERBOSITY default
REINDEX TABLE rib.t;
REINDEX (VERBOSE) SCHEMA rib;
-- the database: judged by its largest table
SELECT set_config('migration_guard.large_table_threshold',
       (SELECT max(pg_table_size(c.oid)) / 1024 FROM pg_class c
         WHERE c.relkind IN ('r', 'm') AND c.relnamespace NOT IN ('pg_catalog'::regnamespace,
               'information_schema'::regnamespace, 'pg_toast'::regnamespace)) || 'kB', false) IS NOT NULL AS set;
SELECT rule, relation = (SELECT c.relnamespace::regnamespace || '.' || c.relname FROM pg_class c
         WHERE c.relkind IN ('r', 'm') AND c.relnamespace NOT IN ('pg_catalog'::regnamespace,
               'information_schema'::regnamespace, 'pg_toast'::regnamespace)
         ORDER BY pg_table_size(c.oid) DESC LIMIT 1) AS the_largest
  FROM migration_guard.check('REINDEX DATABASE ' || quote_ident(current_database()));
SET migration_guard.large_table_threshold = '1MB';

-- allowed: the hint's own statements
REINDEX INDEX CONCURRENTLY t_c_idx;
REINDEX (TABLESPACE pg_default) TABLE CONCURRENTLY t;
-- allowed: small tables, system catalogs and REINDEX SYSTEM (no CONCURRENTLY form)
REINDEX TABLE small;
REINDEX INDEX small_pkey;
REINDEX TABLE pg_catalog.pg_class;
-- allowed: a table created in this transaction
BEGIN;
CREATE TABLE fresh AS SELECT * FROM t;
CREATE INDEX fresh_c_idx ON fresh (c);
REINDEX TABLE fresh;
REINDEX INDEX fresh_c_idx;
ROLLBACK;

-- refused: never analyzed, judged by its real size
CREATE TABLE loaded (id int, c int, pad text);
INSERT INTO loaded SELECT g, g, repeat('y', 30) FROM generate_series(1, 30000) g;
CREATE INDEX CONCURRENTLY loaded_c_idx ON loaded (c);
REINDEX TABLE loaded;

-- partitioned: CONCURRENTLY works on partitioned tables and indexes (PostgreSQL 14 and later)
CREATE TABLE m (id int, ts date) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO m SELECT g, date '2024-01-01' + (g % 300) FROM generate_series(1, 50000) g;
ANALYZE m;
SET migration_guard.mode = off;
CREATE INDEX m_ts_idx ON m (ts);
RESET migration_guard.mode;
REINDEX TABLE m;
REINDEX INDEX m_ts_idx;
REINDEX TABLE CONCURRENTLY m;

-- inside a function: the same refusal
CREATE FUNCTION rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    REINDEX TABLE rib.t;
END $$;
SELECT rebuild();

-- PostgreSQL's own errors come through untouched
REINDEX TABLE no_such_table;
REINDEX INDEX t;
REINDEX SCHEMA no_such_schema;

-- check() gives the same verdict
SELECT * FROM verdicts($$
REINDEX INDEX t_c_idx;
REINDEX INDEX CONCURRENTLY t_c_idx;
REINDEX TABLE small;
CREATE TABLE made AS SELECT 1 AS a;
REINDEX TABLE made;
REINDEX TABLE m;
$$);

\i test/regress/fixtures/teardown.sql
