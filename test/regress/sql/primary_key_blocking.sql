--
-- primary_key_blocking: ADD PRIMARY KEY, and USING INDEX on nullable columns, on a large table
--
\set schema pkb
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE t (id int, org int, pad text);
INSERT INTO t SELECT g, g % 10, repeat('x', 20) FROM generate_series(1, 34000) g;
ANALYZE t;

-- refused: the index build and the NULL scan; the hint is the NOT NULL route, then USING INDEX
\set VERBOSITY verbose
ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id);
\set VERBOSITY default
-- refused: USING INDEX on a nullable column still scans for NULLs under ACCESS EXCLUSIVE
CREATE UNIQUE INDEX CONCURRENTLY t_pkey ON t (id);
ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;
-- ... a two-column key
CREATE UNIQUE INDEX CONCURRENTLY t_id_org_key ON t (id, org);
ALTER TABLE t ADD CONSTRAINT t_id_org_pkey PRIMARY KEY USING INDEX t_id_org_key;

-- allowed: each step of the hint
ALTER TABLE t ADD CONSTRAINT t_id_not_null CHECK (id IS NOT NULL) NOT VALID;
ALTER TABLE t VALIDATE CONSTRAINT t_id_not_null;
-- a validated CHECK (id IS NOT NULL) proves it, by PostgreSQL's own implication logic
ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey;
ALTER TABLE t DROP CONSTRAINT t_id_not_null;
SELECT conname, contype FROM pg_constraint WHERE conrelid = 't'::regclass AND contype <> 'n' ORDER BY 1;
-- a NOT VALID check proves nothing
ALTER TABLE t ADD CONSTRAINT t_org_not_null CHECK (org IS NOT NULL) NOT VALID;
CREATE TABLE t2 (id int NOT NULL, org int, pad text);
INSERT INTO t2 SELECT * FROM t;
CREATE UNIQUE INDEX CONCURRENTLY t2_id_org_key ON t2 (id, org);
ALTER TABLE t2 ADD CONSTRAINT t2_org_not_null CHECK (org IS NOT NULL AND org >= 0) NOT VALID;
ALTER TABLE t2 ADD CONSTRAINT t2_pkey PRIMARY KEY USING INDEX t2_id_org_key;
-- ... validated, a stronger CHECK implies it too
ALTER TABLE t2 VALIDATE CONSTRAINT t2_org_not_null;
ALTER TABLE t2 ADD CONSTRAINT t2_pkey PRIMARY KEY USING INDEX t2_id_org_key;
-- allowed: a small table, a table created in this transaction, a temporary table
CREATE TABLE small (id int);
ALTER TABLE small ADD CONSTRAINT small_pkey PRIMARY KEY (id);
BEGIN;
CREATE TABLE fresh AS SELECT * FROM t;
ALTER TABLE fresh ADD CONSTRAINT fresh_pkey PRIMARY KEY (id);
ROLLBACK;
CREATE TEMP TABLE scratch AS SELECT * FROM t;
ALTER TABLE scratch ADD CONSTRAINT scratch_pkey PRIMARY KEY (id);

-- refused: never analyzed; a NOT NULL column needs no scan, only the index build
CREATE TABLE loaded (id int NOT NULL, pad text);
INSERT INTO loaded SELECT g, repeat('y', 30) FROM generate_series(1, 30000) g;
ALTER TABLE loaded ADD CONSTRAINT loaded_pkey PRIMARY KEY (id);
-- refused: a partitioned table: the per-partition route
CREATE TABLE m (id int, ts date) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO m SELECT g, date '2024-01-01' + (g % 300) FROM generate_series(1, 50000) g;
ALTER TABLE m ADD CONSTRAINT m_pkey PRIMARY KEY (id, ts);
-- ... which the hint describes: each partition first, then the parent attaches them, building nothing
ALTER TABLE m_2024 ADD CONSTRAINT m_2024_key_not_null CHECK (id IS NOT NULL AND ts IS NOT NULL) NOT VALID;
ALTER TABLE m_2024 VALIDATE CONSTRAINT m_2024_key_not_null;
ALTER TABLE m_2024 ALTER COLUMN id SET NOT NULL, ALTER COLUMN ts SET NOT NULL;
ALTER TABLE m_2024 DROP CONSTRAINT m_2024_key_not_null;
CREATE UNIQUE INDEX CONCURRENTLY m_2024_pkey ON m_2024 (id, ts);
ALTER TABLE m_2024 ADD CONSTRAINT m_2024_pkey PRIMARY KEY USING INDEX m_2024_pkey;
ALTER TABLE m ADD CONSTRAINT m_pkey PRIMARY KEY (id, ts);
SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid IN ('m'::regclass, 'm_2024'::regclass) ORDER BY 1;

-- inside a function: the same refusal
CREATE FUNCTION add_pk() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE pkb.loaded ADD CONSTRAINT loaded_pkey PRIMARY KEY (id);
END $$;
SELECT add_pk();

-- check() gives the same verdict
SELECT * FROM verdicts($$
ALTER TABLE loaded ADD CONSTRAINT loaded_pkey PRIMARY KEY (id);
CREATE TABLE made (a int);
ALTER TABLE made ADD CONSTRAINT made_pkey PRIMARY KEY (a);
$$);

\i test/regress/fixtures/teardown.sql
