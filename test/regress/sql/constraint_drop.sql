--
-- constraint_drop: ALTER TABLE ... DROP CONSTRAINT removes an integrity guarantee
--
\set schema cdr
\i test/regress/fixtures/setup.sql

CREATE TABLE users (id int CONSTRAINT users_pkey PRIMARY KEY, email text CONSTRAINT users_email_key UNIQUE);
CREATE TABLE orders (id int CONSTRAINT orders_pkey PRIMARY KEY,
                     user_id int CONSTRAINT orders_user_id_fkey REFERENCES users,
                     qty int CONSTRAINT orders_qty_check CHECK (qty > 0),
                     during int4range);
ALTER TABLE orders ADD CONSTRAINT orders_no_overlap EXCLUDE USING gist (during WITH &&);

-- warned whatever the size: each kind that carries a guarantee
\set VERBOSITY verbose
ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;
\set VERBOSITY default
ALTER TABLE users DROP CONSTRAINT users_email_key;
ALTER TABLE orders DROP CONSTRAINT orders_no_overlap, DROP CONSTRAINT orders_pkey;

-- allowed: a CHECK (not a data-loss event, and the last step of the NOT NULL recipe)
ALTER TABLE orders DROP CONSTRAINT orders_qty_check;
-- allowed: IF EXISTS on nothing, a table created in this transaction, a temporary table
ALTER TABLE orders DROP CONSTRAINT IF EXISTS no_such_constraint;
BEGIN;
CREATE TABLE fresh (id int CONSTRAINT fresh_pkey PRIMARY KEY);
ALTER TABLE fresh DROP CONSTRAINT fresh_pkey;
ROLLBACK;
CREATE TEMP TABLE scratch (id int CONSTRAINT scratch_pkey PRIMARY KEY);
ALTER TABLE scratch DROP CONSTRAINT scratch_pkey;

-- edge: a partitioned table, inside a function (the size plays no part)
CREATE TABLE m (id int, ts date, CONSTRAINT m_pkey PRIMARY KEY (id, ts)) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
ALTER TABLE m DROP CONSTRAINT m_pkey;
CREATE FUNCTION drop_key() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE cdr.users DROP CONSTRAINT users_pkey;
END $$;
SELECT drop_key();

-- allowed: the swap step of a replacement, as schema_advice's foreign key fix runs it (a
-- validated <name>_new takes the dropped constraint's place); while <name>_new is only
-- NOT VALID, the drop still loses a guarantee and is reported
CREATE TABLE owners (id int CONSTRAINT owners_pkey PRIMARY KEY);
CREATE TABLE pets (id int, owner_id int CONSTRAINT pets_owner_fk REFERENCES owners (id));
ALTER TABLE pets ADD CONSTRAINT pets_owner_fk_new FOREIGN KEY (owner_id) REFERENCES owners (id)
  ON DELETE RESTRICT NOT VALID;
BEGIN;
ALTER TABLE pets DROP CONSTRAINT pets_owner_fk;
ROLLBACK;
ALTER TABLE pets VALIDATE CONSTRAINT pets_owner_fk_new;
BEGIN;
ALTER TABLE pets DROP CONSTRAINT pets_owner_fk;
ALTER TABLE pets RENAME CONSTRAINT pets_owner_fk_new TO pets_owner_fk;
COMMIT;

-- PostgreSQL's own errors come through untouched
ALTER TABLE orders DROP CONSTRAINT no_such_constraint;

-- check() gives the same verdict
CREATE TABLE codes (code text CONSTRAINT codes_code_key UNIQUE, n int CONSTRAINT codes_n_check CHECK (n > 0));
SELECT statement_no, rule, severity, relation
  FROM migration_guard.check($$
ALTER TABLE codes DROP CONSTRAINT codes_code_key;
ALTER TABLE codes DROP CONSTRAINT codes_n_check;
$$);

\i test/regress/fixtures/teardown.sql
