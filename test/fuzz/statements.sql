-- One or more statements of every kind PostgreSQL 15's grammar has (the stmt rule of gram.y),
-- written against test/fuzz/schema.sql. The check() fuzzer feeds them to check() as they are
-- and mutated; nothing here is ever run as written. One statement per entry, entries separated
-- by a line holding only "--".
ALTER EVENT TRIGGER et DISABLE;
--
ALTER COLLATION "C" REFRESH VERSION;
--
ALTER DATABASE mg_fuzz SET work_mem = '8MB';
--
ALTER DATABASE mg_fuzz CONNECTION LIMIT 50;
--
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC;
--
ALTER DOMAIN email ADD CONSTRAINT email_len CHECK (length(VALUE) < 200) NOT VALID;
--
ALTER DOMAIN positive_int DROP NOT NULL;
--
ALTER TYPE status ADD VALUE 'lost' AFTER 'shipped';
--
ALTER TYPE status RENAME VALUE 'lost' TO 'missing';
--
ALTER EXTENSION migration_guard UPDATE;
--
ALTER EXTENSION migration_guard ADD TABLE scratch;
--
ALTER FOREIGN DATA WRAPPER fdw OPTIONS (ADD debug 'true');
--
ALTER SERVER srv VERSION '2';
--
ALTER FUNCTION f(int) IMMUTABLE;
--
ALTER GROUP g ADD USER u;
--
ALTER FUNCTION f(int) DEPENDS ON EXTENSION migration_guard;
--
ALTER TABLE orders SET SCHEMA archive;
--
ALTER TABLE orders OWNER TO CURRENT_USER;
--
ALTER OPERATOR + (int, int) SET (RESTRICT = NONE);
--
ALTER TYPE address ADD ATTRIBUTE country text;
--
ALTER POLICY p ON orders USING (true);
--
ALTER SEQUENCE invoice_no RESTART WITH 100;
--
ALTER SYSTEM SET work_mem = '8MB';
--
ALTER TABLE orders ADD COLUMN shipped_at timestamptz;
--
ALTER TABLE orders ADD COLUMN ref uuid DEFAULT gen_random_uuid();
--
ALTER TABLE orders ADD COLUMN n int NOT NULL;
--
ALTER TABLE orders ALTER COLUMN note TYPE text;
--
ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2) USING total::numeric(14, 2);
--
ALTER TABLE orders ALTER COLUMN note SET NOT NULL;
--
ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;
--
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
--
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;
--
ALTER TABLE orders ADD CHECK (total > 0);
--
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
--
ALTER TABLE orders ADD CONSTRAINT orders_note_key UNIQUE (note);
--
ALTER TABLE orders ADD CONSTRAINT orders_note_key UNIQUE USING INDEX orders_note_idx;
--
ALTER TABLE scratch ADD PRIMARY KEY (k);
--
ALTER TABLE orders ADD CONSTRAINT no_overlap EXCLUDE USING gist (id WITH =);
--
ALTER TABLE orders DROP CONSTRAINT orders_customer_fk;
--
ALTER TABLE orders DROP COLUMN note CASCADE;
--
ALTER TABLE orders RENAME COLUMN note TO remark;
--
ALTER TABLE orders RENAME TO orders_old;
--
ALTER TABLE scratch SET LOGGED;
--
ALTER TABLE scratch SET TABLESPACE pg_default;
--
ALTER TABLE scratch SET ACCESS METHOD heap;
--
ALTER TABLE scratch SET (autovacuum_enabled = false);
--
ALTER TABLE orders REPLICA IDENTITY FULL;
--
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
--
ALTER TABLE orders DISABLE TRIGGER ALL;
--
ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
--
ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;
--
ALTER TABLE events DETACH PARTITION events_2024;
--
ALTER TABLE orders ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
--
ALTER TABLE orders ADD COLUMN t tsvector GENERATED ALWAYS AS (to_tsvector('simple', note)) STORED;
--
ALTER TABLE orders ADD COLUMN s bigserial;
--
ALTER TABLE orders ADD COLUMN p positive_int DEFAULT 1;
--
ALTER TABLE ONLY orders ALTER COLUMN state SET DEFAULT 'paid';
--
ALTER TABLE IF EXISTS nothing_here ADD COLUMN x int;
--
ALTER INDEX orders_customer_idx RENAME TO orders_customer_id_idx;
--
ALTER INDEX events_kind_idx ATTACH PARTITION events_2024_kind_idx;
--
ALTER MATERIALIZED VIEW sales_by_day SET (fillfactor = 90);
--
ALTER TABLESPACE pg_default SET (seq_page_cost = 1);
--
ALTER TYPE address RENAME ATTRIBUTE city TO town;
--
ALTER PUBLICATION pub ADD TABLE orders;
--
ALTER ROLE CURRENT_USER SET migration_guard.mode = 'warn';
--
ALTER ROLE u WITH NOLOGIN;
--
ALTER SUBSCRIPTION sub DISABLE;
--
ALTER STATISTICS s SET STATISTICS 100;
--
ALTER TEXT SEARCH CONFIGURATION english ALTER MAPPING FOR word WITH simple;
--
ALTER TEXT SEARCH DICTIONARY simple (StopWords = english);
--
ALTER USER MAPPING FOR CURRENT_USER SERVER srv OPTIONS (ADD user 'x');
--
ANALYZE orders (note);
--
CALL p(1);
--
CHECKPOINT;
--
CLOSE c;
--
CLUSTER orders USING orders_pkey;
--
COMMENT ON TABLE orders IS 'orders';
--
SET CONSTRAINTS ALL DEFERRED;
--
COPY orders FROM STDIN;
--
COPY (SELECT * FROM orders) TO STDOUT WITH (FORMAT csv);
--
CREATE ACCESS METHOD am TYPE TABLE HANDLER heap_tableam_handler;
--
CREATE TABLE orders_copy AS SELECT * FROM orders;
--
CREATE TABLE big_copy AS SELECT * FROM orders, customers;
--
SELECT * INTO orders_copy2 FROM orders;
--
CREATE ASSERTION a CHECK (true);
--
CREATE CAST (text AS email) WITH INOUT;
--
CREATE CONVERSION conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
--
CREATE DOMAIN d AS int CHECK (VALUE > 0);
--
CREATE EXTENSION IF NOT EXISTS plpgsql;
--
CREATE FOREIGN DATA WRAPPER fdw;
--
CREATE SERVER srv FOREIGN DATA WRAPPER fdw;
--
CREATE FOREIGN TABLE ft (a int) SERVER srv;
--
CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a + 1 $$;
--
CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql AS $f$ BEGIN CREATE INDEX ON orders (total); END $f$;
--
CREATE GROUP g;
--
CREATE MATERIALIZED VIEW mv AS SELECT count(*) FROM orders WITH NO DATA;
--
CREATE OPERATOR CLASS oc FOR TYPE int USING btree AS OPERATOR 1 <;
--
CREATE OPERATOR FAMILY of USING btree;
--
CREATE PUBLICATION pub FOR TABLE orders;
--
ALTER OPERATOR FAMILY of USING btree ADD OPERATOR 1 < (int, int);
--
CREATE POLICY p ON orders USING (customer_id > 0);
--
CREATE LANGUAGE plpgsql;
--
CREATE SCHEMA archive CREATE TABLE old_orders (id int) CREATE INDEX ON old_orders (id) CREATE VIEW v AS SELECT 1;
--
CREATE SEQUENCE s2 AS int START 10;
--
CREATE TABLE t_new (id int PRIMARY KEY, c int CHECK (c > 0), o bigint REFERENCES orders (id), u text UNIQUE);
--
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
--
CREATE TABLE t_like (LIKE orders INCLUDING ALL);
--
CREATE TEMP TABLE tmp (a int);
--
CREATE UNLOGGED TABLE IF NOT EXISTS scratch2 (a int) WITH (fillfactor = 70);
--
CREATE SUBSCRIPTION sub CONNECTION 'dbname=x' PUBLICATION pub WITH (connect = false);
--
CREATE STATISTICS s ON customer_id, state FROM orders;
--
CREATE TABLESPACE ts LOCATION '/nonexistent';
--
CREATE TRANSFORM FOR int LANGUAGE sql (FROM SQL WITH FUNCTION f(internal), TO SQL WITH FUNCTION g(internal));
--
CREATE TRIGGER tr BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
--
CREATE EVENT TRIGGER et ON ddl_command_start EXECUTE FUNCTION f();
--
CREATE ROLE r NOLOGIN;
--
CREATE USER u PASSWORD 'x';
--
CREATE USER MAPPING FOR CURRENT_USER SERVER srv;
--
CREATE DATABASE db2 TEMPLATE template0;
--
DEALLOCATE ALL;
--
DECLARE c CURSOR FOR SELECT * FROM orders;
--
CREATE AGGREGATE agg (int) (SFUNC = int4pl, STYPE = int);
--
CREATE TYPE t2 AS (a int, b text);
--
CREATE TYPE e2 AS ENUM ('a', 'b');
--
CREATE TEXT SEARCH DICTIONARY d2 (TEMPLATE = simple);
--
CREATE COLLATION c2 (provider = icu, locale = 'und');
--
DELETE FROM orders;
--
DELETE FROM orders WHERE id < 100;
--
DELETE FROM events WHERE at < '2025-01-01';
--
DISCARD ALL;
--
DO $$ BEGIN PERFORM 1; END $$;
--
DO $$ BEGIN EXECUTE 'CREATE INDEX ON orders (note)'; END $$;
--
DROP CAST (text AS email);
--
DROP OPERATOR CLASS oc USING btree;
--
DROP OPERATOR FAMILY of USING btree;
--
DROP OWNED BY u;
--
DROP TABLE orders;
--
DROP TABLE IF EXISTS orders, customers CASCADE;
--
DROP INDEX orders_customer_idx;
--
DROP INDEX CONCURRENTLY IF EXISTS orders_customer_idx;
--
DROP SCHEMA public CASCADE;
--
DROP TYPE status;
--
DROP MATERIALIZED VIEW sales_by_day;
--
DROP SUBSCRIPTION sub;
--
DROP TABLESPACE ts;
--
DROP TRANSFORM FOR int LANGUAGE sql;
--
DROP ROLE u;
--
DROP USER MAPPING FOR CURRENT_USER SERVER srv;
--
DROP DATABASE db2;
--
EXECUTE q(1);
--
EXPLAIN (ANALYZE, COSTS OFF) UPDATE orders SET total = 0;
--
EXPLAIN SELECT * FROM orders;
--
FETCH 10 FROM c;
--
GRANT SELECT ON orders TO PUBLIC;
--
GRANT r TO CURRENT_USER;
--
IMPORT FOREIGN SCHEMA s FROM SERVER srv INTO public;
--
CREATE INDEX orders_total_idx ON orders (total);
--
CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);
--
CREATE UNIQUE INDEX ON orders (id, total) INCLUDE (note) WHERE total > 0;
--
CREATE INDEX ON events (payload);
--
CREATE INDEX ON ONLY events (kind, at);
--
CREATE INDEX IF NOT EXISTS orders_customer_idx ON orders (customer_id);
--
CREATE INDEX ON sales_by_day (n);
--
CREATE INDEX ON orders USING gin (to_tsvector('simple', note));
--
INSERT INTO orders SELECT * FROM orders;
--
INSERT INTO orders VALUES (100001, 1, 'new', 1, 'x', '2024-01-01');
--
INSERT INTO scratch SELECT k, v FROM scratch ON CONFLICT DO NOTHING;
--
LISTEN ch;
--
REFRESH MATERIALIZED VIEW sales_by_day;
--
REFRESH MATERIALIZED VIEW CONCURRENTLY sales_by_day;
--
LOAD 'migration_guard';
--
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
--
MERGE INTO orders o USING customers c ON o.customer_id = c.id WHEN MATCHED THEN UPDATE SET total = 0;
--
NOTIFY ch, 'x';
--
PREPARE q(int) AS SELECT * FROM orders WHERE id = $1;
--
REASSIGN OWNED BY u TO CURRENT_USER;
--
REINDEX TABLE orders;
--
REINDEX TABLE CONCURRENTLY orders;
--
REINDEX INDEX orders_customer_idx;
--
DROP AGGREGATE agg(int);
--
DROP FUNCTION f(int);
--
DROP OPERATOR + (int, int);
--
ALTER TABLE orders RENAME CONSTRAINT orders_pkey TO orders_pk;
--
ALTER SCHEMA public RENAME TO main;
--
REVOKE ALL ON orders FROM PUBLIC;
--
REVOKE r FROM CURRENT_USER;
--
CREATE RULE r AS ON INSERT TO scratch DO INSTEAD NOTHING;
--
SECURITY LABEL ON TABLE orders IS 'x';
--
SELECT * FROM orders WHERE id = 1;
--
WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d;
--
BEGIN;
--
COMMIT;
--
ROLLBACK;
--
SAVEPOINT s;
--
ROLLBACK TO SAVEPOINT s;
--
PREPARE TRANSACTION 'x';
--
TRUNCATE orders;
--
TRUNCATE orders CASCADE;
--
UNLISTEN *;
--
UPDATE orders SET total = 0;
--
UPDATE orders SET total = 0 WHERE id BETWEEN 1 AND 100;
--
UPDATE orders o SET total = c.id FROM customers c;
--
VACUUM FULL orders;
--
VACUUM (ANALYZE) orders;
--
RESET ALL;
--
SET lock_timeout = '2s';
--
SET LOCAL statement_timeout = 0;
--
SHOW lock_timeout;
--
CREATE VIEW v2 AS SELECT * FROM orders;
--
CREATE OR REPLACE VIEW open_orders AS SELECT * FROM orders WHERE state <> 'shipped';
--
VALUES (1), (2);
--
TABLE orders;
