--
-- create_index_blocking: CREATE INDEX without CONCURRENTLY on a large table
--
\set schema cib
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

-- a 2 MB table, analyzed
CREATE TABLE t (id int PRIMARY KEY, c int, pad text);
INSERT INTO t SELECT g, g % 1000, repeat('x', 20) FROM generate_series(1, 34000) g;
ANALYZE t;
SELECT pg_size_pretty(pg_table_size('t')) AS size, reltuples FROM pg_class WHERE oid = 't'::regclass;

-- refused: the plain build, with the safe statement in the hint
CREATE INDEX ON t (c);
\echo :LAST_ERROR_SQLSTATE
CREATE UNIQUE INDEX t_id_c_key ON cib.t (id, c);
/* a leading comment */ CREATE INDEX IF NOT EXISTS t_c_part_idx
    ON t USING btree (c) INCLUDE (id) WHERE c > 10;
-- nothing was built
SELECT indexname FROM pg_indexes WHERE schemaname = 'cib' AND tablename = 't' ORDER BY 1;

-- allowed: the hint's own statement
CREATE INDEX CONCURRENTLY t_c_idx ON t (c);
DROP INDEX CONCURRENTLY t_c_idx;

-- the threshold is inclusive: at the size refused, one kB above allowed
SELECT set_config('migration_guard.large_table_threshold', (pg_table_size('t') / 1024) || 'kB', false) IS NOT NULL AS set;
BEGIN;
CREATE INDEX t_c_idx ON t (c);
ROLLBACK;
SELECT set_config('migration_guard.large_table_threshold', (pg_table_size('t') / 1024 + 1) || 'kB', false) IS NOT NULL AS set;
BEGIN;
CREATE INDEX t_c_idx ON t (c);
ROLLBACK;
SET migration_guard.large_table_threshold = '1MB';

-- allowed: a small table
CREATE TABLE small (id int, c int);
INSERT INTO small SELECT g, g FROM generate_series(1, 100) g;
CREATE INDEX small_c_idx ON small (c);

-- allowed: a table created in this transaction, however large
BEGIN;
CREATE TABLE fresh AS SELECT * FROM t;
CREATE INDEX fresh_c_idx ON fresh (c);
SAVEPOINT s1;
CREATE TABLE fresh2 AS SELECT * FROM t;
RELEASE SAVEPOINT s1;
CREATE INDEX fresh2_c_idx ON fresh2 (c);
COMMIT;
-- ... and no longer once it has committed
CREATE INDEX fresh_id_idx ON fresh (id);

-- a table created in a savepoint that rolled back is forgotten; an existing table altered
-- in this transaction is not new (its pg_class row has a current xmin all the same)
BEGIN;
ALTER TABLE fresh ADD COLUMN extra int;
CREATE INDEX fresh_id_idx ON fresh (id);
ROLLBACK;
BEGIN;
SAVEPOINT s2;
CREATE TABLE gone AS SELECT * FROM t;
ROLLBACK TO SAVEPOINT s2;
CREATE INDEX gone_c_idx ON gone (c);
ROLLBACK;
-- more relations created in one transaction than the guard's record keeps in place (8, then a
-- hash table): the same, and a savepoint rolled back forgets its own
BEGIN;
SET LOCAL migration_guard.rule_severity = 'ctas_large_source=off';
SELECT format('CREATE TABLE many_%s (id bigint)', g) FROM generate_series(1, 6) g \gexec
CREATE TABLE fresh3 AS SELECT * FROM t;
SAVEPOINT s3;
SELECT format('CREATE TABLE more_%s (id bigint)', g) FROM generate_series(1, 6) g \gexec
CREATE TABLE fresh4 AS SELECT * FROM t;
ROLLBACK TO SAVEPOINT s3;
CREATE INDEX fresh3_c_idx ON fresh3 (c);
SAVEPOINT s4;
CREATE TABLE fresh5 AS SELECT * FROM t;
RELEASE SAVEPOINT s4;
CREATE INDEX fresh5_c_idx ON fresh5 (c);
CREATE INDEX t_c_many_idx ON t (c);
ROLLBACK;

-- allowed: a temporary table is nobody else's concern
CREATE TEMP TABLE scratch AS SELECT * FROM t;
CREATE INDEX scratch_c_idx ON scratch (c);
DROP TABLE scratch;

-- refused: a materialized view counts as a table
CREATE MATERIALIZED VIEW mv AS SELECT * FROM t;
CREATE INDEX mv_c_idx ON mv (c);

-- refused: never analyzed (reltuples = -1, relpages = 0): judged by its real size
CREATE TABLE loaded (id int, c int, pad text);
INSERT INTO loaded SELECT g, g, repeat('y', 30) FROM generate_series(1, 30000) g;
SELECT reltuples, relpages FROM pg_class WHERE oid = 'loaded'::regclass;
CREATE INDEX loaded_c_idx ON loaded (c);

-- quoted, mixed-case names survive into the hint
CREATE TABLE "Order Items" ("Sku" int, qty int);
INSERT INTO "Order Items" SELECT g, g FROM generate_series(1, 60000) g;
CREATE INDEX ON "Order Items" ("Sku");

-- partitioned parent: judged by the sum of its partitions, given the per-partition recipe
CREATE TABLE m (id int, ts date, v text) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
    PARTITION BY HASH (id);
CREATE TABLE m_2025_h0 PARTITION OF m_2025 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE m_2025_h1 PARTITION OF m_2025 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO m SELECT g, date '2024-01-01' + (g % 700), 'v' FROM generate_series(1, 40000) g;
ANALYZE m;
CREATE INDEX ON m (ts);
-- every step of the recipe passes silently, and the parent index ends up valid
CREATE INDEX m_ts_idx ON ONLY m (ts);
CREATE INDEX CONCURRENTLY m_2024_ts_idx ON cib.m_2024 (ts);
ALTER INDEX cib.m_ts_idx ATTACH PARTITION cib.m_2024_ts_idx;
CREATE INDEX m_2025_ts_idx ON ONLY cib.m_2025 (ts);
ALTER INDEX cib.m_ts_idx ATTACH PARTITION cib.m_2025_ts_idx;
CREATE INDEX CONCURRENTLY m_2025_h0_ts_idx ON cib.m_2025_h0 (ts);
ALTER INDEX cib.m_2025_ts_idx ATTACH PARTITION cib.m_2025_h0_ts_idx;
CREATE INDEX CONCURRENTLY m_2025_h1_ts_idx ON cib.m_2025_h1 (ts);
ALTER INDEX cib.m_2025_ts_idx ATTACH PARTITION cib.m_2025_h1_ts_idx;
SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relname IN ('m_ts_idx', 'm_2025_ts_idx') ORDER BY 1;
-- ON ONLY exempts a partitioned parent only: on an ordinary table it builds the whole index
CREATE INDEX t_only_c_idx ON ONLY t (c);
-- a new partitioned parent does not make an old table attached to it new
BEGIN;
CREATE TABLE newparent (id int, c int, pad text) PARTITION BY RANGE (id);
SET LOCAL migration_guard.mode = off; -- the ATTACH scans t (attach_partition_scan), not this case
ALTER TABLE newparent ATTACH PARTITION t FOR VALUES FROM (0) TO (1000000);
SET LOCAL migration_guard.mode = enforce;
CREATE INDEX newparent_c_idx ON newparent (c);
ROLLBACK;
-- a partition is an ordinary table
CREATE INDEX m_2024_v_idx ON m_2024 (v);
-- a small partitioned table, and one whose only large partition is new, are allowed
CREATE TABLE sp (id int) PARTITION BY LIST (id);
CREATE TABLE sp_1 PARTITION OF sp FOR VALUES IN (1);
CREATE INDEX sp_id_idx ON sp (id);
BEGIN;
CREATE TABLE sp_2 PARTITION OF sp FOR VALUES IN (2);
INSERT INTO sp SELECT 2 FROM generate_series(1, 100000);
CREATE INDEX sp_id2_idx ON sp (id);
ROLLBACK;

-- PostgreSQL's own errors come through untouched
CREATE INDEX ON no_such_table (c);
CREATE INDEX ON t (no_such_column);
CREATE INDEX ON t c;

-- check() follows the text: an index on a column added earlier in it is judged as the server
-- judges it (Django's AddField of a ForeignKey prints this pair); a column that nothing adds
-- draws nothing, PostgreSQL's own error follows
SELECT * FROM verdicts($$
ALTER TABLE t ADD COLUMN added int;
CREATE INDEX t_added_idx ON t (added);
CREATE INDEX t_typo_idx ON t (never_added);
$$);
BEGIN;
ALTER TABLE t ADD COLUMN added int;
CREATE INDEX t_added_idx ON t (added);
ROLLBACK;

-- warn: the same text as a WARNING, and the statement runs
SET migration_guard.mode = warn;
CREATE INDEX t_c_idx ON t (c);
DROP INDEX t_c_idx;
\set VERBOSITY sqlstate
CREATE INDEX t_c_idx ON t (c);
\set VERBOSITY default
SELECT count(*) FROM pg_indexes WHERE indexname = 't_c_idx';
DROP INDEX t_c_idx;
-- off: nothing at all
SET migration_guard.mode = off;
CREATE INDEX t_c_idx ON t (c);
DROP INDEX t_c_idx;
RESET migration_guard.mode;

\i test/regress/fixtures/teardown.sql
