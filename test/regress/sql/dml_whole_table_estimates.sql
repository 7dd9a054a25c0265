--
-- dml_whole_table where the planner guesses: "new_col IS NULL" on a column the statistics do not
-- know yet (the planner guesses 0.5% of the rows), the one-shot backfill of a new column. The
-- guard counts every row that existed when the column was added, without a default, as NULL:
-- the column was added in this transaction, or after the last ANALYZE (no pg_statistic row
-- for it, while the table's other columns have older ones). A generic plan is estimated again
-- with the execution's parameter values. NOT IN (subquery) keeps the planner's estimate
-- (docs/rules.md, dml_whole_table, Known limits).
--
\set schema we
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE items (id bigint CONSTRAINT items_pkey PRIMARY KEY, v int);
INSERT INTO items SELECT g, g FROM generate_series(1, 30000) g;
-- the INSERT's counts reach the statistics before ANALYZE resets them (else they would count
-- as changed since the last ANALYZE, rows that may hold a value)
SELECT pg_stat_force_next_flush();
VACUUM ANALYZE items;
ALTER TABLE items ADD COLUMN flag int;
ALTER TABLE items ADD COLUMN kind int DEFAULT 0;
SELECT attname, atthasdef, atthasmissing,
       EXISTS (SELECT FROM pg_statistic s WHERE s.starelid = a.attrelid AND s.staattnum = a.attnum) AS has_stats
  FROM pg_attribute a WHERE attrelid = 'we.items'::regclass AND attnum > 0 ORDER BY attnum;
-- what the planner expects: 0.5% of the rows
CREATE FUNCTION scan_rows(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    l text;
BEGIN
    FOR l IN EXECUTE 'EXPLAIN ' || q LOOP
        IF l ~ 'Scan' THEN
            RETURN (regexp_match(l, 'rows=(\d+)'))[1]::bigint;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
SELECT scan_rows('UPDATE we.items SET flag = 1 WHERE flag IS NULL') AS planner_rows;

-- the one-shot backfill in a migration transaction: refused
BEGIN;
COMMENT ON TABLE items IS 'items';
UPDATE items SET flag = 1 WHERE flag IS NULL;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- outside a migration: a warning, and the change is made (a DELETE, which leaves the table's
-- size as it was once rolled back, unlike an UPDATE's new row versions)
BEGIN;
DELETE FROM items WHERE flag IS NULL;
SELECT count(*) AS remaining FROM items;
ROLLBACK;
-- the same with another condition every row meets
BEGIN;
COMMENT ON TABLE items IS 'items';
UPDATE items SET flag = 1 WHERE flag IS NULL AND id > 0;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a DELETE of the rows without a value, inside a DO block in a migration: refused
BEGIN;
COMMENT ON TABLE items IS 'items';
DO $$ BEGIN DELETE FROM we.items WHERE flag IS NULL; END $$;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- silent: a keyed batch of the backfill (the hint's own form), in a migration
BEGIN;
COMMENT ON TABLE items IS 'items';
UPDATE items SET flag = 1 WHERE id BETWEEN 1 AND 2500 AND (flag IS NULL);
ROLLBACK;
-- silent: a column added with a default holds it in every row (attmissingval), not NULL
BEGIN;
COMMENT ON TABLE items IS 'items';
UPDATE items SET kind = 1 WHERE kind IS NULL;
ROLLBACK;
-- silent: a column the statistics know (the planner's estimate stands)
BEGIN;
COMMENT ON TABLE items IS 'items';
UPDATE items SET v = 0 WHERE v IS NULL;
ROLLBACK;
-- silent: IS NULL under an OR (the planner's estimate stands)
BEGIN;
COMMENT ON TABLE items IS 'items';
DELETE FROM items WHERE flag IS NULL OR id < 0;
ROLLBACK;
-- silent: IS NOT NULL on that column holds at most for the rows changed since the column was
-- added; the planner, without statistics, guesses 99.5% of the rows
SELECT scan_rows('DELETE FROM we.items WHERE flag IS NOT NULL') AS planner_rows;
BEGIN;
COMMENT ON TABLE items IS 'items';
DELETE FROM items WHERE flag IS NOT NULL;
ROLLBACK;

-- edge: the column added in this transaction (its ADD COLUMN holds ACCESS EXCLUSIVE, so
-- backfill_under_exclusive_lock comes first; in warn mode both are shown)
BEGIN;
ALTER TABLE items ADD COLUMN note text;
SET LOCAL migration_guard.mode = warn;
DELETE FROM items WHERE note IS NULL;
ROLLBACK;
-- ... and added in a subtransaction that was released
BEGIN;
SAVEPOINT s;
ALTER TABLE items ADD COLUMN note text;
RELEASE SAVEPOINT s;
SET LOCAL migration_guard.mode = warn;
SET LOCAL migration_guard.rule_severity = 'backfill_under_exclusive_lock=off';
DELETE FROM items WHERE note IS NULL;
ROLLBACK;
-- ... but not one added in a subtransaction that rolled back (and added again after it, with
-- a default: every row holds the default)
BEGIN;
SAVEPOINT s;
ALTER TABLE items ADD COLUMN note text;
ROLLBACK TO SAVEPOINT s;
ALTER TABLE items ADD COLUMN note text DEFAULT 'n';
SET LOCAL migration_guard.mode = warn;
SET LOCAL migration_guard.rule_severity = 'backfill_under_exclusive_lock=off';
DELETE FROM items WHERE note IS NULL;
ROLLBACK;

-- ... and among more columns than the transaction's record keeps in place (8, then a hash
-- table): the first, the one that took the attribute number of a column rolled back before
-- it, and the last are new; one added again with a default after a rollback holds its default.
-- (The rollbacks are exception blocks: subtransactions, as SAVEPOINT ... ROLLBACK TO.)
CREATE FUNCTION add_eleven() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	ALTER TABLE we.items ADD COLUMN n1 int, ADD COLUMN n2 int, ADD COLUMN n3 int, ADD COLUMN n4 int,
		ADD COLUMN n5 int;
	BEGIN
		ALTER TABLE we.items ADD COLUMN gone int;
		RAISE EXCEPTION 'rolled back';
	EXCEPTION WHEN raise_exception THEN NULL;
	END;
	ALTER TABLE we.items ADD COLUMN n6 int, ADD COLUMN n7 int, ADD COLUMN n8 int, ADD COLUMN n9 int,
		ADD COLUMN n10 int;
	BEGIN
		ALTER TABLE we.items ADD COLUMN n11 int;
		RAISE EXCEPTION 'rolled back';
	EXCEPTION WHEN raise_exception THEN NULL;
	END;
	ALTER TABLE we.items ADD COLUMN n11 int DEFAULT 0;
END $$;
BEGIN;
SET LOCAL migration_guard.mode = warn;
SET LOCAL migration_guard.rule_severity = 'backfill_under_exclusive_lock=off, multiple_alter_same_table=off';
SELECT add_eleven();
SAVEPOINT probe;
DELETE FROM items WHERE n1 IS NULL;
ROLLBACK TO SAVEPOINT probe;
DELETE FROM items WHERE n6 IS NULL;
ROLLBACK TO SAVEPOINT probe;
DELETE FROM items WHERE n10 IS NULL;
ROLLBACK TO SAVEPOINT probe;
DELETE FROM items WHERE n11 IS NULL;
ROLLBACK;
DROP FUNCTION add_eleven();

-- edge: a table created in this transaction is nobody else's concern
BEGIN;
CREATE TABLE fresh (id bigint PRIMARY KEY);
INSERT INTO fresh SELECT g FROM generate_series(1, 30000) g;
ALTER TABLE fresh ADD COLUMN flag int;
UPDATE fresh SET flag = 1 WHERE flag IS NULL;
ROLLBACK;

-- edge: a never-analyzed table: no column has statistics, so the guard cannot tell a new
-- column from an old one, and the planner's guess stands (silent)
CREATE TABLE raw (id bigint, v int);
INSERT INTO raw SELECT g, g FROM generate_series(1, 40000) g;
ALTER TABLE raw ADD COLUMN flag int;
BEGIN;
COMMENT ON TABLE raw IS 'raw';
UPDATE raw SET flag = 1 WHERE flag IS NULL;
ROLLBACK;

-- edge: a partitioned table, the column added to every partition after their ANALYZE
CREATE TABLE events (id bigint, created date, payload text) PARTITION BY RANGE (created);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO events SELECT g, date '2024-01-01' + (g % 730), repeat('x', 20) FROM generate_series(1, 40000) g;
SELECT pg_stat_force_next_flush();
VACUUM ANALYZE events;
ALTER TABLE events ADD COLUMN region text;
BEGIN;
COMMENT ON TABLE events IS 'events';
UPDATE events SET region = 'eu' WHERE region IS NULL;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- ... silent for one partition's rows of it
BEGIN;
COMMENT ON TABLE events IS 'events';
UPDATE events SET region = 'eu' WHERE region IS NULL AND created < date '2024-03-01';
ROLLBACK;

-- after ANALYZE the planner knows the column is all NULL, and the rule follows the planner
ANALYZE items;
BEGIN;
COMMENT ON TABLE items IS 'items';
UPDATE items SET flag = 1 WHERE flag IS NULL;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- rows changed since the last ANALYZE may hold a value: they are not counted as NULL
ALTER TABLE items ADD COLUMN tag int;
UPDATE items SET tag = 1 WHERE id <= 6000;
SELECT pg_stat_force_next_flush();
SELECT pg_sleep(0.1);
BEGIN;
COMMENT ON TABLE items IS 'items';
UPDATE items SET tag = 1 WHERE tag IS NULL;
ROLLBACK;

-- silent: the guard's own batched recipe for the backfill, each batch committed
ANALYZE items;
ALTER TABLE items ADD COLUMN done int;
SET migration_guard.max_dml_rows = 5000;
DO $batch$
DECLARE
    batch_start bigint := (SELECT id FROM we.items ORDER BY id LIMIT 1);
    batch_end bigint;
BEGIN
    WHILE batch_start IS NOT NULL LOOP
        SELECT id INTO batch_end FROM (
            SELECT id FROM we.items WHERE id >= batch_start
             ORDER BY id LIMIT 2500) AS next_batch
         ORDER BY id DESC LIMIT 1;
        UPDATE we.items SET done = 1
         WHERE items.id BETWEEN batch_start AND batch_end AND (done IS NULL);
        COMMIT;
        batch_start := (SELECT id FROM we.items WHERE id > batch_end ORDER BY id LIMIT 1);
    END LOOP;
END
$batch$;
RESET migration_guard.max_dml_rows;
SELECT count(*) FILTER (WHERE done = 1) AS done FROM items;

-- NOT IN (subquery): the planner guesses half the rows whatever the subquery, and the guard
-- keeps its estimate (silent); NOT EXISTS is planned as an anti-join the planner estimates,
-- and is judged like any other condition
CREATE TABLE keep (id bigint PRIMARY KEY);
INSERT INTO keep SELECT g FROM generate_series(1, 20) g;
ANALYZE keep;
VACUUM ANALYZE items;
BEGIN;
COMMENT ON TABLE items IS 'items';
DELETE FROM items WHERE id NOT IN (SELECT id FROM keep);
ROLLBACK;
BEGIN;
COMMENT ON TABLE items IS 'items';
DELETE FROM items i WHERE NOT EXISTS (SELECT FROM keep k WHERE k.id = i.id);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- a generic plan (made without the parameter's value): the guard has the planner estimate its
-- scan again with this execution's values, as a custom plan would be
SET plan_cache_mode = force_generic_plan;
PREPARE mark(bigint) AS UPDATE items SET flag = 2 WHERE id > $1;
SELECT scan_rows('EXECUTE mark(0)') AS generic_plan_rows;
BEGIN;
COMMENT ON TABLE items IS 'items';
EXECUTE mark(0);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- ... silent for a value that selects a few rows, and for a key
BEGIN;
COMMENT ON TABLE items IS 'items';
EXECUTE mark(29900);
ROLLBACK;
PREPARE one(bigint) AS UPDATE items SET flag = 2 WHERE id = $1;
BEGIN;
COMMENT ON TABLE items IS 'items';
EXECUTE one(5);
ROLLBACK;
DEALLOCATE mark;
DEALLOCATE one;
-- ... inside a PL/pgSQL function, its variable the parameter: refused for 0, silent for 29000
CREATE FUNCTION mark_after(p bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE we.items SET flag = 3 WHERE id > p;
END
$$;
BEGIN;
COMMENT ON TABLE items IS 'items';
SELECT mark_after(0);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
COMMENT ON TABLE items IS 'items';
SELECT mark_after(29000);
ROLLBACK;
-- ... and a partitioned table, whose generic plan keeps every partition (pruned when it runs)
PREPARE purge(date) AS DELETE FROM events WHERE created >= $1;
BEGIN;
COMMENT ON TABLE events IS 'events';
EXECUTE purge(date '2024-01-01');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
COMMENT ON TABLE events IS 'events';
EXECUTE purge(date '2025-12-01');
ROLLBACK;
DEALLOCATE purge;
RESET plan_cache_mode;

-- silent: an old column whose type changed since the last ANALYZE has no statistics either,
-- but a column after it has: it is not new
SET migration_guard.mode = off;
ALTER TABLE items ALTER COLUMN v TYPE bigint;
RESET migration_guard.mode;
BEGIN;
COMMENT ON TABLE items IS 'items';
UPDATE items SET v = 0 WHERE v IS NULL;
ROLLBACK;

-- check() cannot plan: it decides only the unconditioned forms
SELECT rule, severity FROM migration_guard.check($$UPDATE we.items SET flag = 1 WHERE flag IS NULL$$);
RESET migration_guard.large_table_threshold;

\i test/regress/fixtures/teardown.sql
