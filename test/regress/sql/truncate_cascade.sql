--
-- truncate_cascade: TRUNCATE ... CASCADE empties the tables that reference it (refused,
-- whatever their size); truncate: TRUNCATE of a large table (warning)
--
\set schema tc
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

CREATE TABLE customers (id bigint PRIMARY KEY, pad text);
INSERT INTO customers SELECT g, repeat('c', 20) FROM generate_series(1, 5000) g;
ANALYZE customers;
-- each foreign key column leads an index (its primary key), so that nothing else is said
CREATE TABLE orders (id bigint PRIMARY KEY CONSTRAINT orders_customer_fkey REFERENCES customers (id));
INSERT INTO orders SELECT g FROM generate_series(1, 100) g;
CREATE TABLE order_lines (order_id bigint PRIMARY KEY CONSTRAINT order_lines_order_fkey REFERENCES orders (id));
INSERT INTO order_lines SELECT g FROM generate_series(1, 100) g;
CREATE TABLE tags (id int);
INSERT INTO tags VALUES (1);

-- refused: CASCADE reaches two more tables, named with their sizes, whatever they hold
\set VERBOSITY verbose
TRUNCATE orders CASCADE;
\set VERBOSITY default
TRUNCATE customers CASCADE;
SELECT count(*) FROM order_lines;
-- several tables: the finding names the one the cascaded tables reference, wherever it stands
TRUNCATE tags, orders CASCADE;
TRUNCATE orders, tags CASCADE;
-- allowed: CASCADE that reaches nothing more, and the hint's own statement
TRUNCATE tags CASCADE;
TRUNCATE tc.orders, tc.order_lines;

-- truncate: a warning on a large table, and the statement runs
TRUNCATE customers, orders, order_lines;
SELECT count(*) FROM customers;
INSERT INTO customers SELECT g, repeat('c', 20) FROM generate_series(1, 5000) g;
-- no warning on a small, new or temporary table
TRUNCATE tags;
BEGIN;
CREATE TABLE fresh AS SELECT * FROM tags;
TRUNCATE fresh;
ROLLBACK;
CREATE TEMP TABLE scratch (id int, pad text);
INSERT INTO scratch SELECT g, repeat('s', 30) FROM generate_series(1, 5000) g;
TRUNCATE scratch;

-- partitioned: the parent is judged by its partitions; CASCADE follows the partitions' keys
CREATE TABLE parted (id int, pad text) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10000);
INSERT INTO parted SELECT g, repeat('p', 20) FROM generate_series(1, 5000) g;
TRUNCATE parted;

-- traditional inheritance: TRUNCATE of the parent empties its children too, and they count
CREATE TABLE logs (id int, pad text);
CREATE TABLE logs_2024 () INHERITS (logs);
INSERT INTO logs_2024 SELECT g, repeat('l', 20) FROM generate_series(1, 5000) g;
TRUNCATE logs;
TRUNCATE ONLY logs;

-- inside a function
CREATE FUNCTION reset_all() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE tc.customers CASCADE;
END $$;
SELECT reset_all();

-- PostgreSQL's own errors come through untouched
TRUNCATE no_such_table CASCADE;

-- check() gives the same verdicts
SELECT * FROM verdicts($$
TRUNCATE customers CASCADE;
TRUNCATE customers;
TRUNCATE tags CASCADE;
TRUNCATE tags, orders CASCADE;
$$);

\i test/regress/fixtures/teardown.sql
