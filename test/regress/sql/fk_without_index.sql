--
-- fk_without_index: a foreign key on a large table with no index leading with its columns
--
\set schema fwi
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE TABLE users (id int CONSTRAINT users_pkey PRIMARY KEY, org int,
                    CONSTRAINT users_id_org_key UNIQUE (id, org));
INSERT INTO users SELECT g, g % 10 FROM generate_series(1, 1000) g;
CREATE TABLE orders (id int CONSTRAINT orders_pkey PRIMARY KEY, user_id int, org int, pad text);
INSERT INTO orders SELECT g, g % 1000 + 1, (g % 1000 + 1) % 10, repeat('o', 20) FROM generate_series(1, 34000) g;
ANALYZE users, orders;

-- warned: no index on orders (user_id); the NOT VALID form is the guard's own advice
\set VERBOSITY verbose
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users NOT VALID;
\set VERBOSITY default
-- the refusal of the validating form says to build the index too, first
ALTER TABLE orders ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) REFERENCES users;
-- an index whose leading column is another one does not count; nor does a partial or an invalid one
CREATE INDEX CONCURRENTLY orders_org_user_id_idx ON orders (org, user_id);
CREATE INDEX CONCURRENTLY orders_user_id_part_idx ON orders (user_id) WHERE user_id > 10;
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey2 FOREIGN KEY (user_id) REFERENCES users NOT VALID;

-- allowed: the hint's index, then the foreign key
CREATE INDEX CONCURRENTLY orders_user_id_idx ON fwi.orders (user_id);
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey3 FOREIGN KEY (user_id) REFERENCES users NOT VALID;
-- allowed: a two-column key, led by an index on both in another order
ALTER TABLE orders ADD CONSTRAINT orders_user_org_fkey FOREIGN KEY (user_id, org) REFERENCES users (id, org) NOT VALID;
-- warned: a foreign key on a new column, with no index on it
ALTER TABLE orders ADD COLUMN buyer_id int CONSTRAINT orders_buyer_id_fkey REFERENCES users;
-- allowed: an index that the same statement builds counts: UNIQUE inline on the new column
-- (refused for its index build on the large table, and nothing more: warn mode shows all)
SET migration_guard.mode = warn;
ALTER TABLE orders ADD COLUMN seller_id int CONSTRAINT orders_seller_id_key UNIQUE
                   CONSTRAINT orders_seller_id_fkey REFERENCES users (id);
-- ... or a UNIQUE or PRIMARY KEY of the table that leads with the columns
ALTER TABLE orders ADD COLUMN agent_id int, ADD COLUMN agent_org int,
                   ADD CONSTRAINT orders_agent_key UNIQUE (agent_org, agent_id),
                   ADD CONSTRAINT orders_agent_fkey FOREIGN KEY (agent_id, agent_org) REFERENCES users (id, org) NOT VALID;
-- ... but not one led by another column
ALTER TABLE orders ADD COLUMN rep_id int, ADD COLUMN rep_org int,
                   ADD CONSTRAINT orders_rep_key UNIQUE (rep_org, rep_id),
                   ADD CONSTRAINT orders_rep_fkey FOREIGN KEY (rep_id) REFERENCES users NOT VALID;
-- ... and an index an earlier CREATE INDEX of the same transaction built
BEGIN;
CREATE INDEX orders_buyer_id_idx ON orders (buyer_id);
ALTER TABLE orders ADD CONSTRAINT orders_buyer_id_fkey2 FOREIGN KEY (buyer_id) REFERENCES users NOT VALID;
ROLLBACK;
RESET migration_guard.mode;
-- allowed: a small table, and a temporary one
CREATE TABLE tags (id int, user_id int);
ALTER TABLE tags ADD CONSTRAINT tags_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;
CREATE TEMP TABLE tusers (id int CONSTRAINT tusers_pkey PRIMARY KEY);
CREATE TEMP TABLE scratch AS SELECT * FROM orders;
ALTER TABLE scratch ADD CONSTRAINT scratch_org_fkey FOREIGN KEY (org) REFERENCES tusers NOT VALID;

-- edge: a table created in this transaction is not judged: nobody deletes from its parent yet
BEGIN;
CREATE TABLE fresh AS SELECT * FROM orders;
ALTER TABLE fresh ADD CONSTRAINT fresh_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;
ROLLBACK;
-- edge: never analyzed
CREATE TABLE loaded (id int, user_id int, pad text);
INSERT INTO loaded SELECT g, 1, repeat('y', 30) FROM generate_series(1, 30000) g;
ALTER TABLE loaded ADD CONSTRAINT loaded_user_id_fkey FOREIGN KEY (user_id) REFERENCES users NOT VALID;
-- edge: inside a function
CREATE FUNCTION add_fk() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE fwi.loaded ADD CONSTRAINT loaded_user_id_fkey2 FOREIGN KEY (user_id) REFERENCES fwi.users NOT VALID;
END $$;
SELECT add_fk();
-- edge: a partitioned table is left to the per-partition recipe of foreign_key_validating
CREATE TABLE m (id int, user_id int, ts date) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
ALTER TABLE m ADD CONSTRAINT m_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;

-- check() gives the same verdict
SELECT statement_no, rule, severity, relation
  FROM migration_guard.check($$
ALTER TABLE loaded ADD CONSTRAINT loaded_user_id_fkey3 FOREIGN KEY (user_id) REFERENCES users NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey4 FOREIGN KEY (user_id) REFERENCES users NOT VALID;
CREATE INDEX CONCURRENTLY loaded_user_id_idx ON loaded (user_id);
ALTER TABLE loaded ADD CONSTRAINT loaded_user_id_fkey4 FOREIGN KEY (user_id) REFERENCES users NOT VALID;
ALTER TABLE orders ADD COLUMN buyer2_id int CONSTRAINT orders_buyer2_id_fkey REFERENCES users;
ALTER TABLE orders ADD COLUMN seller2_id int CONSTRAINT orders_seller2_id_key UNIQUE
                   CONSTRAINT orders_seller2_id_fkey REFERENCES users (id);
$$);
SELECT statement_no, rule, severity, relation
  FROM migration_guard.check($$
CREATE INDEX orders_buyer_id_idx ON orders (buyer_id);
ALTER TABLE orders ADD CONSTRAINT orders_buyer_id_fkey2 FOREIGN KEY (buyer_id) REFERENCES users NOT VALID;
$$, in_transaction => true);

\i test/regress/fixtures/teardown.sql
