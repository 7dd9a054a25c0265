--
-- foreign_key_validating: ADD FOREIGN KEY without NOT VALID, judged by the referencing table
-- (PostgreSQL reads every row of it and looks each one up in the referenced table's key index)
--
\set schema fkv
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE users (id int CONSTRAINT users_pkey PRIMARY KEY, pad text);
INSERT INTO users SELECT g, repeat('u', 40) FROM generate_series(1, 30000) g;
CREATE TABLE orders (id int CONSTRAINT orders_pkey PRIMARY KEY, user_id int, pad text);
INSERT INTO orders SELECT g, g % 30000 + 1, repeat('o', 20) FROM generate_series(1, 34000) g;
CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);
CREATE TABLE kinds (id int CONSTRAINT kinds_pkey PRIMARY KEY);
INSERT INTO kinds VALUES (1), (2);
CREATE TABLE tags (id int, kind_id int, user_id int);
INSERT INTO tags SELECT g, 1, 1 FROM generate_series(1, 100) g;
ANALYZE users, orders, kinds, tags;

-- refused: a large referencing table
\set VERBOSITY verbose
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
\set VERBOSITY default
-- allowed: a small referencing table and a large referenced one. The check reads the 100 rows
-- of tags and looks each up in users_pkey (a nested loop over an index-only scan: auto_explain
-- shows it), so the SHARE ROW EXCLUSIVE lock on users is brief: fk_locks_referenced_table's
-- warning about it, which the injected lock_timeout silences here
BEGIN;
ALTER TABLE tags ADD CONSTRAINT tags_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;
SELECT relation::regclass, mode FROM pg_locks
 WHERE locktype = 'relation' AND pid = pg_backend_pid() AND mode = 'ShareRowExclusiveLock' ORDER BY 1;
ROLLBACK;
SET migration_guard.lock_timeout = 0;
ALTER TABLE tags ADD CONSTRAINT tags_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;
RESET migration_guard.lock_timeout;
-- ... also from a small partitioned table
CREATE TABLE tag_log (id int, user_id int) PARTITION BY RANGE (id);
CREATE TABLE tag_log_1 PARTITION OF tag_log FOR VALUES FROM (0) TO (1000);
INSERT INTO tag_log SELECT g, g FROM generate_series(1, 500) g;
ALTER TABLE tag_log ADD CONSTRAINT tag_log_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;
-- refused: ADD COLUMN ... REFERENCES with a DEFAULT checks every row
ALTER TABLE orders ADD COLUMN kind_id int DEFAULT 1 CONSTRAINT orders_kind_id_fkey REFERENCES kinds;
SELECT conname FROM pg_constraint WHERE contype = 'f' AND connamespace = 'fkv'::regnamespace;

-- allowed: each step of the hint, VALIDATE in a later transaction
ALTER TABLE fkv.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
ALTER TABLE fkv.orders VALIDATE CONSTRAINT orders_user_id_fkey;
-- allowed: ADD COLUMN ... REFERENCES without a default: the column is all NULL, PostgreSQL skips the check
ALTER TABLE orders ADD COLUMN kind2_id int CONSTRAINT orders_kind2_id_fkey REFERENCES kinds;
-- ... but checked when another new column of the statement has a default
ALTER TABLE orders ADD COLUMN kind3_id int CONSTRAINT orders_kind3_id_fkey REFERENCES kinds,
                   ADD COLUMN flag bool DEFAULT false;
-- allowed: two small tables
ALTER TABLE tags ADD CONSTRAINT tags_kind_id_fkey FOREIGN KEY (kind_id) REFERENCES kinds;
-- allowed: a table created in this transaction, and a temporary one
BEGIN;
CREATE TABLE fresh AS SELECT * FROM orders;
ALTER TABLE fresh ADD CONSTRAINT fresh_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;
ROLLBACK;
CREATE TEMP TABLE tusers AS SELECT * FROM users;
ALTER TABLE tusers ADD CONSTRAINT tusers_pkey PRIMARY KEY (id);
CREATE TEMP TABLE scratch AS SELECT * FROM orders;
ALTER TABLE scratch ADD CONSTRAINT scratch_user_id_fkey FOREIGN KEY (user_id) REFERENCES tusers;

-- refused: never analyzed, judged by its real size
CREATE TABLE loaded (id int, user_id int, pad text);
INSERT INTO loaded SELECT g, 1, repeat('y', 30) FROM generate_series(1, 30000) g;
CREATE INDEX CONCURRENTLY loaded_user_id_idx ON loaded (user_id);
ALTER TABLE loaded ADD CONSTRAINT loaded_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;
-- refused: a partitioned table, which has no NOT VALID foreign keys in PostgreSQL 15
CREATE TABLE m (id int, user_id int, ts date) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO m SELECT g, 1, date '2024-01-01' + (g % 300) FROM generate_series(1, 50000) g;
ALTER TABLE m ADD CONSTRAINT m_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;
ALTER TABLE m ADD CONSTRAINT m_user_id_fkey FOREIGN KEY (user_id) REFERENCES users NOT VALID;
-- ... the hint's route: NOT VALID and VALIDATE on each partition, then the parent takes them over
ALTER TABLE m_2024 ADD CONSTRAINT m_user_id_fkey FOREIGN KEY (user_id) REFERENCES users NOT VALID;
ALTER TABLE m_2024 VALIDATE CONSTRAINT m_user_id_fkey;
SELECT conrelid::regclass, convalidated FROM pg_constraint WHERE conname = 'm_user_id_fkey';

-- inside a function: the same refusal
CREATE FUNCTION add_fk() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE fkv.loaded ADD CONSTRAINT loaded_user_id_fkey2 FOREIGN KEY (user_id) REFERENCES fkv.users;
END $$;
SELECT add_fk();

-- PostgreSQL's own errors come through untouched
ALTER TABLE orders ADD CONSTRAINT orders_x_fkey FOREIGN KEY (user_id) REFERENCES no_such_table;

-- check() gives the same verdict, the referenced table created earlier in the text included
SELECT * FROM verdicts($$
ALTER TABLE loaded ADD CONSTRAINT loaded_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;
ALTER TABLE loaded ADD CONSTRAINT loaded_user_id_fkey FOREIGN KEY (user_id) REFERENCES users NOT VALID;
CREATE TABLE made (id int CONSTRAINT made_pkey PRIMARY KEY);
ALTER TABLE tags ADD CONSTRAINT tags_made_fkey FOREIGN KEY (kind_id) REFERENCES made;
ALTER TABLE tags ADD CONSTRAINT tags_user2_fkey FOREIGN KEY (id) REFERENCES users;
$$);

\i test/regress/fixtures/teardown.sql
