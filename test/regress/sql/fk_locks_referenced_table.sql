--
-- fk_locks_referenced_table: adding or dropping a foreign key locks the referenced table too
--
\set schema flr
\i test/regress/fixtures/setup.sql
-- no lock_timeout in effect: the session's is 0, and the injected one (where it exists) is off
SHOW lock_timeout;
DO $$ BEGIN PERFORM set_config('migration_guard.lock_timeout', '0', false);
EXCEPTION WHEN OTHERS THEN NULL; END $$;

CREATE TABLE users (id int CONSTRAINT users_pkey PRIMARY KEY);
CREATE TABLE orders (id int CONSTRAINT orders_pkey PRIMARY KEY, user_id int);
CREATE INDEX orders_user_id_idx ON orders (user_id);

-- warned whatever the size, with no lock_timeout in effect: SHARE ROW EXCLUSIVE on users
\set VERBOSITY verbose
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users NOT VALID;
\set VERBOSITY default
-- ... CREATE TABLE ... REFERENCES an existing table
CREATE TABLE items (id int, user_id int CONSTRAINT items_user_id_fkey REFERENCES users);
-- ... and dropping one: ACCESS EXCLUSIVE on users
ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;

-- allowed: the hint, with a lock_timeout in effect
SET lock_timeout = '2s';
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users NOT VALID;
ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;
RESET lock_timeout;
-- allowed: a referenced table created in this transaction, or the table itself
BEGIN;
CREATE TABLE kinds (id int CONSTRAINT kinds_pkey PRIMARY KEY);
CREATE TABLE things (id int CONSTRAINT things_pkey PRIMARY KEY, kind int CONSTRAINT things_kind_fkey REFERENCES kinds,
                     parent int CONSTRAINT things_parent_fkey REFERENCES things);
ALTER TABLE things ADD CONSTRAINT things_kind_fkey2 FOREIGN KEY (kind) REFERENCES kinds;
ROLLBACK;
ALTER TABLE orders ADD CONSTRAINT orders_id_fkey FOREIGN KEY (id) REFERENCES orders NOT VALID;
-- allowed: temporary tables
CREATE TEMP TABLE tusers (id int CONSTRAINT tusers_pkey PRIMARY KEY);
CREATE TEMP TABLE torders (id int, user_id int CONSTRAINT torders_user_id_fkey REFERENCES tusers);

-- edge: a partitioned table as referencing and as referenced table, a never-analyzed table, a function
CREATE TABLE m (id int, user_id int, ts date, CONSTRAINT m_pkey PRIMARY KEY (id, ts)) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
ALTER TABLE m ADD CONSTRAINT m_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;
CREATE TABLE notes (id int, m_id int, m_ts date,
                    CONSTRAINT notes_m_fkey FOREIGN KEY (m_id, m_ts) REFERENCES m);
CREATE TABLE loaded (id int CONSTRAINT loaded_pkey PRIMARY KEY);
INSERT INTO loaded SELECT g FROM generate_series(1, 1000) g;
CREATE FUNCTION link() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE flr.orders ADD CONSTRAINT orders_id_loaded_fkey FOREIGN KEY (id) REFERENCES flr.loaded NOT VALID;
END $$;
SELECT link();

-- check() gives the same verdict
SELECT * FROM verdicts($$
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users NOT VALID;
CREATE TABLE made (id int CONSTRAINT made_pkey PRIMARY KEY);
ALTER TABLE orders ADD CONSTRAINT orders_made_fkey FOREIGN KEY (id) REFERENCES made NOT VALID;
$$);

\i test/regress/fixtures/teardown.sql
