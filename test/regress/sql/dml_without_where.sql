--
-- dml_without_where: an UPDATE or DELETE that changes every row of a large table
--
\set schema dw
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE accounts (id bigint CONSTRAINT accounts_pkey PRIMARY KEY, balance int, note text);
INSERT INTO accounts SELECT g, g % 100, repeat('n', 20) FROM generate_series(1, 30000) g;
ANALYZE accounts;

-- refused, with a batching recipe built from the statement and the primary key
UPDATE accounts SET balance = 0;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM accounts;
-- WHERE true changes nothing: the plan has no condition, so the guard refuses it too
UPDATE accounts SET balance = 0 WHERE true;
-- a data-modifying CTE
WITH gone AS (DELETE FROM accounts RETURNING id) SELECT count(*) FROM gone;
-- UPDATE ... FROM with no join condition touches every row
CREATE TABLE rates (r int);
INSERT INTO rates VALUES (2);
UPDATE accounts a SET balance = a.balance * r.r FROM rates r;
SELECT count(*) AS unchanged FROM accounts WHERE balance = id % 100;

-- allowed: a bounded WHERE, a join condition, EXPLAIN without ANALYZE
UPDATE accounts SET balance = 0 WHERE id BETWEEN 1 AND 1000;
DELETE FROM accounts WHERE id > 29990;
UPDATE accounts a SET balance = 1 FROM rates r WHERE a.id = r.r;
EXPLAIN (COSTS OFF) UPDATE accounts SET balance = 0;
-- allowed: the guard's own recipe runs silently, batch by batch
DO $batch$
DECLARE
    batch_start bigint := (SELECT id FROM dw.accounts ORDER BY id LIMIT 1);
    batch_end bigint;
BEGIN
    WHILE batch_start IS NOT NULL LOOP
        SELECT id INTO batch_end FROM (
            SELECT id FROM dw.accounts WHERE id >= batch_start
             ORDER BY id LIMIT 10000) AS next_batch
         ORDER BY id DESC LIMIT 1;
        UPDATE accounts SET balance = 7
         WHERE accounts.id BETWEEN batch_start AND batch_end;
        COMMIT;
        PERFORM pg_sleep(0.1);
        batch_start := (SELECT id FROM dw.accounts WHERE id > batch_end ORDER BY id LIMIT 1);
    END LOOP;
END
$batch$;
SELECT count(*) FILTER (WHERE balance = 7) AS batched, count(*) AS total FROM accounts;

-- a uuid key: the recipe orders by the key instead of min()/max(), which uuid lacks
CREATE TABLE tokens (id uuid CONSTRAINT tokens_pkey PRIMARY KEY, used boolean);
INSERT INTO tokens SELECT md5(g::text)::uuid, false FROM generate_series(1, 20000) g;
ANALYZE tokens;
UPDATE tokens SET used = true;
DO $batch$
DECLARE
    batch_start uuid := (SELECT id FROM dw.tokens ORDER BY id LIMIT 1);
    batch_end uuid;
BEGIN
    WHILE batch_start IS NOT NULL LOOP
        SELECT id INTO batch_end FROM (
            SELECT id FROM dw.tokens WHERE id >= batch_start
             ORDER BY id LIMIT 10000) AS next_batch
         ORDER BY id DESC LIMIT 1;
        UPDATE tokens SET used = true
         WHERE tokens.id BETWEEN batch_start AND batch_end;
        COMMIT;
        PERFORM pg_sleep(0.1);
        batch_start := (SELECT id FROM dw.tokens WHERE id > batch_end ORDER BY id LIMIT 1);
    END LOOP;
END
$batch$;
SELECT count(*) FILTER (WHERE used) AS used, count(*) AS total FROM tokens;

-- allowed: a small table, a temporary table, a table created in this transaction
CREATE TABLE tiny (id int, v int);
INSERT INTO tiny SELECT g, g FROM generate_series(1, 100) g;
UPDATE tiny SET v = 0;
DELETE FROM tiny;
CREATE TEMP TABLE scratch AS SELECT * FROM accounts;
UPDATE scratch SET balance = 0;
BEGIN;
CREATE TABLE fresh AS SELECT * FROM accounts;
UPDATE fresh SET balance = 0;
COMMIT;
UPDATE fresh SET balance = 1;

-- edge: never analyzed, judged by its real size
CREATE TABLE loaded (id int, v text);
INSERT INTO loaded SELECT g, 'x' FROM generate_series(1, 50000) g;
SELECT reltuples FROM pg_class WHERE oid = 'loaded'::regclass;
DELETE FROM loaded;
-- the hint's recipe for a table without a key (ctid batches) runs silently and empties it
DO $batch$
BEGIN
    LOOP
        DELETE FROM dw.loaded WHERE ctid = ANY (ARRAY(SELECT loaded.ctid FROM loaded LIMIT 10000));
        EXIT WHEN NOT FOUND;
        COMMIT;
        PERFORM pg_sleep(0.1);
    END LOOP;
END
$batch$;
SELECT count(*) AS left_over FROM loaded;

-- edge: a partitioned table, judged by the sum of its partitions; pruning is a condition
CREATE TABLE events (id bigint, day date, v text) PARTITION BY RANGE (day);
CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
INSERT INTO events SELECT g, date '2024-01-01' + (g % 360), 'e' FROM generate_series(1, 30000) g;
ANALYZE events;
UPDATE events SET v = 'x';
DELETE FROM events WHERE day < '2024-07-01';
-- edge: inheritance
CREATE TABLE parent_log (id int, v text);
CREATE TABLE child_log () INHERITS (parent_log);
INSERT INTO child_log SELECT g, repeat('c', 30) FROM generate_series(1, 30000) g;
DELETE FROM parent_log;
DELETE FROM ONLY parent_log;

-- edge: prepared statements, with a generic plan
SET plan_cache_mode = force_generic_plan;
PREPARE zero(int) AS UPDATE accounts SET balance = $1;
EXECUTE zero(0);
PREPARE one(bigint) AS UPDATE accounts SET balance = 0 WHERE id = $1;
EXECUTE one(5);
RESET plan_cache_mode;
-- edge: inside a function and a DO block (no recipe for a statement with parameters)
CREATE FUNCTION reset_balances(v int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE dw.accounts SET balance = v;
END $$;
SELECT reset_balances(0);
DO $$ BEGIN DELETE FROM dw.accounts; END $$;

-- warn: the same text as a WARNING, and the statement runs; off: nothing
SET migration_guard.mode = warn;
UPDATE tiny SET v = 1;
UPDATE accounts SET note = 'w';
SET migration_guard.mode = off;
UPDATE accounts SET note = 'o';
RESET migration_guard.mode;
SELECT count(*) FILTER (WHERE note = 'o') AS changed_when_off FROM accounts;

\i test/regress/fixtures/teardown.sql
