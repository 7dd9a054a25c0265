--
-- dml_large_unbatched: more than migration_guard.max_dml_rows rows in one transaction, judged
-- in migration transactions (ones that have run DDL) or, with dml_scope = all, everywhere
--
\set schema lu
\i test/regress/fixtures/setup.sql
SET migration_guard.max_dml_rows = 5000;

CREATE TABLE orders (id bigint CONSTRAINT orders_pkey PRIMARY KEY, status text, total int);
INSERT INTO orders SELECT g, 'new', g % 50 FROM generate_series(1, 20000) g;
ANALYZE orders;
CREATE TABLE audit (id bigint, status text);

-- refused in a migration transaction: DDL ran earlier in it
BEGIN;
CREATE TABLE lu.log (msg text);
UPDATE orders SET status = 'old' WHERE total > 10;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
BEGIN;
COMMENT ON TABLE orders IS 'orders';
DELETE FROM orders WHERE total < 40;
ROLLBACK;
BEGIN;
CREATE INDEX audit_id_idx ON audit (id);
INSERT INTO audit SELECT id, status FROM orders;
ROLLBACK;

-- allowed: ordinary traffic (no DDL in the transaction), however many rows
UPDATE orders SET status = 'old' WHERE total > 10;
BEGIN;
UPDATE orders SET status = 'new' WHERE total > 10;
COMMIT;
-- allowed: batches under the limit in a migration transaction; INSERT ... VALUES
VACUUM ANALYZE orders;
BEGIN;
CREATE TABLE lu.log (msg text);
UPDATE orders SET status = 'b1' WHERE id BETWEEN 1 AND 2000;
INSERT INTO audit VALUES (1, 'x'), (2, 'y');
COMMIT;
-- allowed: the recipe from the hint (batches of half the limit, each committed)
DO $batch$
DECLARE
    batch_start bigint := (SELECT id FROM lu.orders ORDER BY id LIMIT 1);
    batch_end bigint;
BEGIN
    WHILE batch_start IS NOT NULL LOOP
        SELECT id INTO batch_end FROM (
            SELECT id FROM lu.orders WHERE id >= batch_start
             ORDER BY id LIMIT 2500) AS next_batch
         ORDER BY id DESC LIMIT 1;
        UPDATE orders SET status = 'done'
         WHERE orders.id BETWEEN batch_start AND batch_end AND (total > 10);
        COMMIT;
        PERFORM pg_sleep(0.1);
        batch_start := (SELECT id FROM lu.orders WHERE id > batch_end ORDER BY id LIMIT 1);
    END LOOP;
END
$batch$;
SELECT count(*) FILTER (WHERE status = 'done') AS done FROM orders;

-- dml_scope = all: every transaction is judged
VACUUM ANALYZE orders;
SET migration_guard.dml_scope = 'all';
UPDATE orders SET status = 'x' WHERE total > 10;
DELETE FROM orders WHERE total > 5 RETURNING id;
SET migration_guard.dml_scope = 'migration';
-- max_dml_rows = 0 turns the rule off
SET migration_guard.max_dml_rows = 0;
BEGIN;
CREATE TABLE lu.log2 (msg text);
UPDATE orders SET status = 'x' WHERE total > 10;
ROLLBACK;
SET migration_guard.max_dml_rows = 5000;

-- edge: a table created in this transaction is nobody else's concern
BEGIN;
CREATE TABLE copy AS SELECT * FROM orders;
UPDATE copy SET status = 'c' WHERE total > 1;
COMMIT;
-- edge: never analyzed, the planner's estimate from the size
CREATE TABLE raw (id int, v text);
INSERT INTO raw SELECT g, 'r' FROM generate_series(1, 30000) g;
BEGIN;
CREATE TABLE lu.log3 (msg text);
UPDATE raw SET v = 's' WHERE id > 0;
ROLLBACK;
VACUUM ANALYZE orders;
-- edge: a partitioned table; a data-modifying CTE; a prepared statement; a DO block
CREATE TABLE parts (id bigint, k int, v text) PARTITION BY HASH (k);
CREATE TABLE parts_0 PARTITION OF parts FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE parts_1 PARTITION OF parts FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO parts SELECT g, g, 'p' FROM generate_series(1, 20000) g;
ANALYZE parts;
BEGIN;
CREATE TABLE lu.log4 (msg text);
UPDATE parts SET v = 'q' WHERE id > 100;
ROLLBACK;
BEGIN;
CREATE TABLE lu.log5 (msg text);
WITH moved AS (DELETE FROM orders WHERE total > 10 RETURNING id, status)
INSERT INTO audit SELECT * FROM moved;
ROLLBACK;
VACUUM ANALYZE orders;
SET migration_guard.dml_scope = 'all';
SET plan_cache_mode = force_generic_plan;
PREPARE mark(int) AS UPDATE orders SET status = 'm' WHERE total > $1;
EXECUTE mark(10);
RESET plan_cache_mode;
DO $$ BEGIN UPDATE lu.orders SET status = 'd' WHERE total > 10; END $$;
SET migration_guard.dml_scope = 'migration';

\i test/regress/fixtures/teardown.sql
