--
-- dml_whole_table: a data change whose plan expects to touch (nearly) every row (at least 90%,
-- and at least 1,000 rows) of a large table in one statement, whatever form its condition
-- takes. Refused in a migration transaction (one that has run DDL), a warning elsewhere.
--
\set schema wt
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE customers (id bigint CONSTRAINT customers_pkey PRIMARY KEY, name text);
INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 1000) g;
CREATE TABLE orders (id bigint CONSTRAINT orders_pkey PRIMARY KEY, customer_id bigint, status text,
                     created date, total int);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
INSERT INTO orders SELECT g, 1 + g % 1000, 'new', date '2024-01-01' + g % 300, g % 50
  FROM generate_series(1, 30000) g;
VACUUM ANALYZE customers, orders;

-- refused in a migration transaction: a range over the whole key space
BEGIN;
COMMENT ON TABLE orders IS 'orders';
UPDATE orders SET status = 'old' WHERE id > 0;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- a time bound every row satisfies, a tautology that is not literally true
BEGIN;
COMMENT ON TABLE orders IS 'orders';
DELETE FROM orders WHERE created < date '2030-01-01';
ROLLBACK;
BEGIN;
COMMENT ON TABLE orders IS 'orders';
UPDATE orders SET status = 'old' WHERE total >= 0 OR total IS NULL;
ROLLBACK;
-- joins and subqueries that reach every row
BEGIN;
COMMENT ON TABLE orders IS 'orders';
UPDATE orders o SET status = c.name FROM customers c WHERE c.id = o.customer_id;
ROLLBACK;
BEGIN;
COMMENT ON TABLE orders IS 'orders';
DELETE FROM orders o USING customers c WHERE c.id = o.customer_id;
ROLLBACK;
BEGIN;
COMMENT ON TABLE orders IS 'orders';
DELETE FROM orders WHERE customer_id IN (SELECT id FROM customers);
ROLLBACK;
-- MERGE whose WHEN MATCHED action updates every row
BEGIN;
COMMENT ON TABLE orders IS 'orders';
MERGE INTO orders o USING customers c ON c.id = o.customer_id
  WHEN MATCHED THEN UPDATE SET status = c.name;
ROLLBACK;
-- INSERT ... SELECT ... ON CONFLICT DO UPDATE over every row
BEGIN;
COMMENT ON TABLE orders IS 'orders';
INSERT INTO orders (id, status) SELECT id, 'copied' FROM orders
  ON CONFLICT (id) DO UPDATE SET status = excluded.status;
ROLLBACK;

-- a warning outside a migration transaction (a cleanup job may mean it); the change is made
BEGIN;
UPDATE orders SET status = 'old' WHERE id > 0;
SELECT count(*) FROM orders WHERE status = 'old';
ROLLBACK;
-- a prepared statement whose parameter matches every row (custom plan): warned; a few rows: silent
PREPARE mark(bigint) AS UPDATE orders SET status = 'p' WHERE id > $1;
BEGIN;
EXECUTE mark(0);
EXECUTE mark(29900);
ROLLBACK;
DEALLOCATE mark;
-- inside a function, in a migration transaction: refused
CREATE FUNCTION wt.mark_all() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE wt.orders SET status = 'f' WHERE total >= 0;
END
$$;
BEGIN;
COMMENT ON TABLE orders IS 'orders';
SELECT wt.mark_all();
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

VACUUM ANALYZE orders;
-- batches that never commit: a loop in a DO block, in a migration transaction, is refused at
-- the batch that brings the transaction's count to nearly the whole table
BEGIN;
COMMENT ON TABLE orders IS 'orders';
DO $loop$
DECLARE
    s bigint := 0;
BEGIN
    WHILE s < 30000 LOOP
        UPDATE wt.orders SET status = 'loop' WHERE id > s AND id <= s + 2500;
        RAISE NOTICE 'batch up to %', s + 2500;
        s := s + 2500;
    END LOOP;
END
$loop$;
ROLLBACK;
-- the client's own batches inside one BEGIN ... COMMIT, outside a migration: a warning, once
BEGIN;
UPDATE orders SET status = 'half' WHERE id <= 15000;
UPDATE orders SET status = 'half' WHERE id > 15000 AND id <= 28000;
UPDATE orders SET status = 'half' WHERE id > 28000;
ROLLBACK;
-- silent: batches in one transaction that cover half of the table
BEGIN;
COMMENT ON TABLE orders IS 'orders';
UPDATE orders SET status = 'half' WHERE id <= 7500;
UPDATE orders SET status = 'half' WHERE id > 7500 AND id <= 15000;
ROLLBACK;
VACUUM ANALYZE orders;
-- savepoints: the rows of a subtransaction that rolled back are forgotten (silent) ...
BEGIN;
SAVEPOINT a;
DELETE FROM orders WHERE id <= 15000;
ROLLBACK TO SAVEPOINT a;
DELETE FROM orders WHERE id > 15000;
ROLLBACK;
-- ... and those of a released one are kept: the second half is reported
BEGIN;
SAVEPOINT a;
DELETE FROM orders WHERE id <= 15000;
RELEASE SAVEPOINT a;
DELETE FROM orders WHERE id > 15000;
ROLLBACK;
-- ... and a PL/pgSQL EXCEPTION block that caught its batch's error forgets that batch
BEGIN;
COMMENT ON TABLE orders IS 'orders';
DO $$
BEGIN
    BEGIN
        DELETE FROM wt.orders WHERE id <= 15000;
        RAISE EXCEPTION 'undo this batch';
    EXCEPTION WHEN raise_exception THEN
        RAISE NOTICE 'batch rolled back';
    END;
    DELETE FROM wt.orders WHERE id > 15000;
END
$$;
ROLLBACK;
-- data-modifying WITH queries count too: the rows each DELETE ... RETURNING moved
CREATE TABLE orders_archive (LIKE orders);
BEGIN;
WITH moved AS (DELETE FROM orders WHERE id <= 15000 RETURNING *)
INSERT INTO orders_archive SELECT * FROM moved;
WITH moved AS (DELETE FROM orders WHERE id > 15000 RETURNING *)
INSERT INTO orders_archive SELECT * FROM moved;
ROLLBACK;
-- ... with or without RETURNING, under a SELECT
BEGIN;
WITH gone AS (DELETE FROM orders WHERE id <= 15000) SELECT 1 AS one;
WITH gone AS (DELETE FROM orders WHERE id > 15000) SELECT 1 AS one;
ROLLBACK;
-- ... and one that moves every row, in a migration: refused
BEGIN;
COMMENT ON TABLE orders IS 'orders';
WITH moved AS (DELETE FROM orders WHERE id > 0 RETURNING *)
INSERT INTO orders_archive SELECT * FROM moved;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- silent: most but not nearly all of the table, in a migration
BEGIN;
COMMENT ON TABLE orders IS 'orders';
UPDATE orders SET status = 'b1' WHERE total >= 10;
ROLLBACK;
-- silent: MERGE that only inserts the rows that are missing
BEGIN;
COMMENT ON TABLE orders IS 'orders';
MERGE INTO orders o USING customers c ON c.id = o.id
  WHEN NOT MATCHED THEN INSERT (id, status) VALUES (c.id, 'x');
ROLLBACK;
-- dml_whole_table off: silent
VACUUM ANALYZE orders;
SET migration_guard.rule_severity = 'dml_whole_table=off';
BEGIN;
COMMENT ON TABLE orders IS 'orders';
UPDATE orders SET status = 'old' WHERE id > 0;
ROLLBACK;
RESET migration_guard.rule_severity;

-- edge: a DELETE that selects exactly one whole partition: the hint gives the partition operations
CREATE TABLE events (id bigint, created date, payload text) PARTITION BY RANGE (created);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO events SELECT g, date '2024-01-01' + (g % 730), repeat('x', 20) FROM generate_series(1, 60000) g;
VACUUM ANALYZE events;
BEGIN;
COMMENT ON TABLE events IS 'events';
DELETE FROM events WHERE created < date '2025-01-01';
ROLLBACK;
-- ... and the partition named directly
BEGIN;
COMMENT ON TABLE events IS 'events';
DELETE FROM events_2024 WHERE id > 0;
ROLLBACK;
-- safe counterpart: part of a partition
BEGIN;
COMMENT ON TABLE events IS 'events';
DELETE FROM events WHERE created < date '2024-02-01';
ROLLBACK;
-- edge: a table created in this transaction is nobody else's concern
BEGIN;
CREATE TABLE wt.fresh (LIKE orders);
INSERT INTO fresh SELECT * FROM orders;
UPDATE fresh SET status = 'x' WHERE id > 0;
ROLLBACK;
-- edge: a never-analyzed table: the planner's estimate without statistics
CREATE TABLE raw (id bigint, v int);
INSERT INTO raw SELECT g, g FROM generate_series(1, 40000) g;
SELECT reltuples < 0 AS never_analyzed FROM pg_class WHERE oid = 'wt.raw'::regclass;
BEGIN;
COMMENT ON TABLE raw IS 'raw';
UPDATE raw SET v = 0 WHERE v IS NOT NULL;
ROLLBACK;
-- check() cannot know a condition's row count: it decides only the unconditioned forms
SELECT rule, severity FROM migration_guard.check($$UPDATE wt.orders SET status = 'x' WHERE id > 0$$);

-- silent: a real batched backfill by key range, each batch committed (the guard's own recipe)
SET migration_guard.max_dml_rows = 5000;
DO $batch$
DECLARE
    batch_start bigint := (SELECT id FROM wt.orders ORDER BY id LIMIT 1);
    batch_end bigint;
BEGIN
    WHILE batch_start IS NOT NULL LOOP
        SELECT id INTO batch_end FROM (
            SELECT id FROM wt.orders WHERE id >= batch_start
             ORDER BY id LIMIT 2500) AS next_batch
         ORDER BY id DESC LIMIT 1;
        UPDATE orders SET status = 'done'
         WHERE orders.id BETWEEN batch_start AND batch_end;
        COMMIT;
        batch_start := (SELECT id FROM wt.orders WHERE id > batch_end ORDER BY id LIMIT 1);
    END LOOP;
END
$batch$;
RESET migration_guard.max_dml_rows;
SELECT count(*) FILTER (WHERE status = 'done') AS done FROM orders;
RESET migration_guard.large_table_threshold;

\i test/regress/fixtures/teardown.sql
