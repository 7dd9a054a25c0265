--
-- attach_partition_scan: ATTACH PARTITION scans the partition (and the DEFAULT partition)
-- under ACCESS EXCLUSIVE unless validated CHECK constraints prove the bound;
-- detach_partition_blocking: DETACH PARTITION without CONCURRENTLY
--
\set schema ap
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

CREATE TABLE m (id int, ts date, pad text) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO m SELECT g, date '2024-01-01' + g % 365, repeat('m', 20) FROM generate_series(1, 5000) g;
ANALYZE m;
CREATE TABLE m_2025 (id int, ts date, pad text);
INSERT INTO m_2025 SELECT g, date '2025-01-01' + g % 365, repeat('n', 20) FROM generate_series(1, 5000) g;

-- refused: no CHECK proves the bound; the hint is the recipe, built from the bound
\set VERBOSITY verbose
ALTER TABLE m ATTACH PARTITION m_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
\set VERBOSITY default
-- a CHECK that does not imply the bound (too wide) is no proof, nor one not yet validated
ALTER TABLE m_2025 ADD CONSTRAINT m_2025_wide CHECK (ts >= '2024-06-01' AND ts < '2026-01-01') NOT VALID;
ALTER TABLE m_2025 VALIDATE CONSTRAINT m_2025_wide;
ALTER TABLE m ATTACH PARTITION m_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE m_2025 DROP CONSTRAINT m_2025_wide;
ALTER TABLE m_2025 ADD CONSTRAINT m_2025_unchecked CHECK (ts >= '2025-01-01' AND ts < '2026-01-01') NOT VALID;
ALTER TABLE m ATTACH PARTITION m_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE m_2025 DROP CONSTRAINT m_2025_unchecked;

-- every step of the recipe passes silently, and the attach no longer scans
ALTER TABLE ap.m_2025 ADD CONSTRAINT m_2025_bound CHECK (ts IS NOT NULL AND ts >= '2025-01-01' AND ts < '2026-01-01') NOT VALID;
ALTER TABLE ap.m_2025 VALIDATE CONSTRAINT m_2025_bound;
ALTER TABLE m ATTACH PARTITION m_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE ap.m_2025 DROP CONSTRAINT m_2025_bound;
-- a CHECK written differently but implying the bound is proof too
ALTER TABLE m DETACH PARTITION m_2025 CONCURRENTLY;
ALTER TABLE m_2025 ADD CONSTRAINT m_2025_narrow CHECK (ts >= '2025-01-01' AND ts <= '2025-12-31') NOT VALID;
ALTER TABLE m_2025 VALIDATE CONSTRAINT m_2025_narrow;
ALTER TABLE m ATTACH PARTITION m_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');

-- list partitions
CREATE TABLE l (id int, region text, pad text) PARTITION BY LIST (region);
CREATE TABLE l_eu (id int, region text, pad text);
INSERT INTO l_eu SELECT g, 'eu', repeat('l', 20) FROM generate_series(1, 5000) g;
ALTER TABLE l ATTACH PARTITION l_eu FOR VALUES IN ('eu', 'uk');
ALTER TABLE l_eu ADD CONSTRAINT l_eu_region CHECK (region IN ('eu', 'uk')) NOT VALID;
ALTER TABLE l_eu VALIDATE CONSTRAINT l_eu_region;
ALTER TABLE l ATTACH PARTITION l_eu FOR VALUES IN ('eu', 'uk');

-- the DEFAULT partition is scanned too, unless its CHECK excludes the new bound
CREATE TABLE d (id int, k int, pad text) PARTITION BY RANGE (k);
CREATE TABLE d_default PARTITION OF d DEFAULT;
INSERT INTO d SELECT g, 1000 + g, repeat('d', 20) FROM generate_series(1, 5000) g;
CREATE TABLE d_low (id int, k int, pad text);
ALTER TABLE d ATTACH PARTITION d_low FOR VALUES FROM (0) TO (1000);
ALTER TABLE ap.d_default ADD CONSTRAINT d_default_excl_bound CHECK (NOT (k IS NOT NULL AND k >= 0 AND k < 1000)) NOT VALID;
ALTER TABLE ap.d_default VALIDATE CONSTRAINT d_default_excl_bound;
ALTER TABLE d ATTACH PARTITION d_low FOR VALUES FROM (0) TO (1000);
-- CREATE TABLE ... PARTITION OF scans the DEFAULT partition the same way (ACCESS EXCLUSIVE on
-- it, and on the parent), unless its CHECK excludes the new bound; a DEFAULT partition of its
-- own, a parent without one, and the hint's steps pass
BEGIN;
CREATE TABLE d_high PARTITION OF d FOR VALUES FROM (100000) TO (200000);
ROLLBACK;
BEGIN;
SET LOCAL migration_guard.mode = warn;
CREATE TABLE d_high PARTITION OF d FOR VALUES FROM (100000) TO (200000);
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND c.relname IN ('d', 'd_default') ORDER BY 1;
ROLLBACK;
ALTER TABLE ap.d_default ADD CONSTRAINT d_default_excl_high CHECK (NOT (k IS NOT NULL AND k >= 100000 AND k < 200000)) NOT VALID;
ALTER TABLE ap.d_default VALIDATE CONSTRAINT d_default_excl_high;
BEGIN;
CREATE TABLE d_high PARTITION OF d FOR VALUES FROM (100000) TO (200000);
CREATE TABLE m_default PARTITION OF m DEFAULT;
CREATE TABLE l_us PARTITION OF l FOR VALUES IN ('us');
ROLLBACK;

-- allowed: a small partition, a partition created in this transaction
CREATE TABLE m_2026 (id int, ts date, pad text);
ALTER TABLE m ATTACH PARTITION m_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
BEGIN;
CREATE TABLE m_2027 (id int, ts date, pad text);
INSERT INTO m_2027 SELECT g, date '2027-01-01' + g % 365, repeat('o', 20) FROM generate_series(1, 5000) g;
ALTER TABLE m ATTACH PARTITION m_2027 FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
ROLLBACK;

-- detach_partition_blocking: refused on a large parent, with CONCURRENTLY in the hint ...
ALTER TABLE m DETACH PARTITION m_2026;
-- ... but not when the parent has a DEFAULT partition, where PostgreSQL refuses CONCURRENTLY
ALTER TABLE d DETACH PARTITION d_low;
ALTER TABLE d DETACH PARTITION d_low CONCURRENTLY;
-- the hint's own statements pass: with a lock_timeout, the plain form is all there is
SET lock_timeout = '2s';
ALTER TABLE ap.d DETACH PARTITION ap.d_low;
RESET lock_timeout;
ALTER TABLE d ATTACH PARTITION d_low FOR VALUES FROM (0) TO (1000);
-- allowed: CONCURRENTLY, and a small parent
ALTER TABLE m DETACH PARTITION m_2026 CONCURRENTLY;
CREATE TABLE sp (id int) PARTITION BY LIST (id);
CREATE TABLE sp_1 PARTITION OF sp FOR VALUES IN (1);
ALTER TABLE sp DETACH PARTITION sp_1;

-- inside a function
CREATE FUNCTION rotate() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  ALTER TABLE ap.m DETACH PARTITION ap.m_2024;
END $$;
SELECT rotate();

-- PostgreSQL's own errors come through untouched
ALTER TABLE m ATTACH PARTITION no_such_table FOR VALUES FROM ('2030-01-01') TO ('2031-01-01');
ALTER TABLE m DETACH PARTITION no_such_table;

-- check() gives the same verdicts; a partition the text creates is new
SELECT statement_no, rule, severity, relation, lock_mode, pg_size_pretty(table_size) AS size
  FROM migration_guard.check($$
ALTER TABLE m DETACH PARTITION m_2025;
CREATE TABLE m_2030 (id int, ts date, pad text);
ALTER TABLE m ATTACH PARTITION m_2030 FOR VALUES FROM ('2030-01-01') TO ('2031-01-01');
ALTER TABLE l DETACH PARTITION l_eu;
$$);
SELECT statement_no, rule, hint FROM migration_guard.check(
  'ALTER TABLE d DETACH PARTITION d_low; ALTER TABLE d ATTACH PARTITION d_low FOR VALUES FROM (0) TO (500)');

\i test/regress/fixtures/teardown.sql
