--
-- backfill_under_exclusive_lock: a data change on a table that earlier DDL in the same
-- transaction has locked exclusively, so every other session waits for the whole backfill
--
\set schema bf
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE users (id bigint CONSTRAINT users_pkey PRIMARY KEY, name text);
INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 30000) g;
ANALYZE users;

-- refused: the ALTER's ACCESS EXCLUSIVE lock would be held for the whole backfill
BEGIN;
ALTER TABLE users ADD COLUMN active boolean;
UPDATE users SET active = true;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- refused even when bounded: the lock is the problem, and the table is large
BEGIN;
ALTER TABLE users ADD COLUMN active boolean;
UPDATE users SET active = true WHERE id <= 20000;
ROLLBACK;
-- refused: LOCK TABLE, and SHARE ROW EXCLUSIVE from a foreign key on the referenced table
BEGIN;
LOCK TABLE users IN EXCLUSIVE MODE;
DELETE FROM users WHERE id > 15000;
ROLLBACK;
CREATE TABLE sessions (id int, user_id bigint);
BEGIN;
ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
UPDATE users SET name = upper(name) WHERE id > 100;
ROLLBACK;
-- refused: INSERT ... SELECT into a locked table
CREATE TABLE users_archive (id bigint, name text);
INSERT INTO users_archive SELECT * FROM users;
BEGIN;
ALTER TABLE users_archive ADD COLUMN archived_at timestamptz;
INSERT INTO users_archive (id, name) SELECT id, name FROM users;
ROLLBACK;

-- refused: TRUNCATE holds ACCESS EXCLUSIVE too, and the message names it; the emptied
-- table is small, so here it is the planner's row estimate that counts
SET migration_guard.max_dml_rows = 10000;
BEGIN;
TRUNCATE users_archive;
INSERT INTO users_archive (id, name) SELECT id, name FROM users;
ROLLBACK;
RESET migration_guard.max_dml_rows;
-- allowed: a few rows of INSERT ... VALUES under the lock are no backfill
BEGIN;
ALTER TABLE users_archive ADD COLUMN archived_at timestamptz;
INSERT INTO users_archive (id, name) VALUES (1, 'one'), (2, 'two');
ROLLBACK;

-- allowed: the safe order, DDL committed first and the backfill in batches afterwards
ALTER TABLE users ADD COLUMN active boolean;
UPDATE users SET active = true WHERE id BETWEEN 1 AND 10000;
UPDATE users SET active = true WHERE id BETWEEN 10001 AND 20000;
-- allowed: a small change on a small table under the lock
CREATE TABLE flags (id int, v int);
INSERT INTO flags SELECT g, 0 FROM generate_series(1, 50) g;
BEGIN;
ALTER TABLE flags ADD COLUMN w int;
UPDATE flags SET w = 1;
COMMIT;
-- allowed: SHARE UPDATE EXCLUSIVE (VALIDATE) is not an exclusive lock
BEGIN;
ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_positive CHECK (user_id > 0) NOT VALID;
COMMIT;
BEGIN;
ALTER TABLE sessions VALIDATE CONSTRAINT sessions_user_id_positive;
UPDATE users SET active = false WHERE id BETWEEN 1 AND 100;
COMMIT;
-- allowed: a table created in this transaction holds ACCESS EXCLUSIVE, but nobody sees it
BEGIN;
CREATE TABLE fresh AS SELECT * FROM users;
ALTER TABLE fresh ADD COLUMN extra int;
UPDATE fresh SET extra = 1;
COMMIT;
-- allowed: the lock was taken in a savepoint that rolled back
BEGIN;
SAVEPOINT s;
ALTER TABLE users ADD COLUMN tmp int;
ROLLBACK TO SAVEPOINT s;
UPDATE users SET active = true WHERE id BETWEEN 1 AND 5000;
COMMIT;

-- edge: a small table, but more rows than migration_guard.max_dml_rows
SET migration_guard.large_table_threshold = '1GB';
SET migration_guard.max_dml_rows = 1000;
BEGIN;
ALTER TABLE users ADD COLUMN score int;
UPDATE users SET score = 0;
ROLLBACK;
SET migration_guard.max_dml_rows = 0;
BEGIN;
ALTER TABLE users ADD COLUMN score int;
UPDATE users SET score = 0;
ROLLBACK;
RESET migration_guard.max_dml_rows;
SET migration_guard.large_table_threshold = '1MB';

-- edge: a partitioned table altered at its root
CREATE TABLE metrics (id bigint, day date, v int, pad text) PARTITION BY RANGE (day);
CREATE TABLE metrics_1 PARTITION OF metrics FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
-- at most 30000 rows, so that ANALYZE samples every row and the estimates do not move
INSERT INTO metrics SELECT g, date '2024-01-01' + (g % 300), g, 'pad' FROM generate_series(1, 30000) g;
ANALYZE metrics;
BEGIN;
ALTER TABLE metrics ADD COLUMN v2 int;
UPDATE metrics SET v2 = v WHERE day >= '2024-06-01';
ROLLBACK;
-- edge: inside a function
CREATE FUNCTION migrate() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE bf.users ADD COLUMN tier int;
    UPDATE bf.users SET tier = 1;
END $$;
SELECT migrate();

\i test/regress/fixtures/teardown.sql
