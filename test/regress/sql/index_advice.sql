--
-- index_advice: invalid, duplicate, redundant, unused and tiny-table indexes, foreign keys
-- without an index; each fix is run to prove it works
--
\set schema ia
\i test/regress/fixtures/setup.sql
-- findings carry long, multi-line texts: print them as they are
\pset format unaligned

-- the findings for this test's schema only
CREATE FUNCTION advice(OUT kind text, OUT relation text, OUT index text, OUT size_bytes bigint,
                       OUT size text, OUT evidence text, OUT fix text)
RETURNS SETOF record LANGUAGE sql AS
$$ SELECT * FROM migration_guard.index_advice() WHERE relation LIKE 'ia.%' $$;

-- the function's contract: pinned search_path, STABLE, callable by everyone
SELECT p.proname, p.provolatile, p.proconfig, has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM pg_proc p WHERE p.oid = 'migration_guard.index_advice()'::regprocedure;
-- an empty schema: no findings
SELECT * FROM advice();

--
-- invalid_index
--
CREATE TABLE accounts (id int NOT NULL, email text, region int);
INSERT INTO accounts SELECT g, 'user' || (g % 50), g % 7 FROM generate_series(1, 100) g;
-- a failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind
CREATE UNIQUE INDEX CONCURRENTLY accounts_email_key ON accounts (email);
SELECT kind, relation, index, size_bytes, size, evidence, fix FROM advice() WHERE kind = 'invalid_index';
-- the fix runs once the duplicates are gone: the index is valid and no longer reported
DELETE FROM accounts WHERE id > 50;
SELECT fix AS fix_sql FROM advice() WHERE index = 'ia.accounts_email_key' \gset
:fix_sql
SELECT indisvalid FROM pg_index WHERE indexrelid = 'accounts_email_key'::regclass;
SELECT count(*) FROM advice() WHERE kind = 'invalid_index';
-- an invalid index with a valid twin (what a failed REINDEX CONCURRENTLY leaves): dropping it is enough
INSERT INTO accounts VALUES (1, 'dup', 1);
CREATE UNIQUE INDEX CONCURRENTLY accounts_id_key ON accounts (id);
DELETE FROM accounts WHERE email = 'dup';
CREATE UNIQUE INDEX accounts_id_valid ON accounts (id);
SELECT kind, index, evidence, fix FROM advice() WHERE kind = 'invalid_index';
DROP INDEX CONCURRENTLY accounts_id_key;
-- a partitioned index created ON ONLY, attached on one partition out of three (one of them
-- sub-partitioned): the recipe builds and attaches the rest without blocking writes
CREATE TABLE measures (sensor int NOT NULL, taken date NOT NULL, val int) PARTITION BY LIST (sensor);
CREATE TABLE measures_1 PARTITION OF measures FOR VALUES IN (1);
CREATE TABLE measures_2 PARTITION OF measures FOR VALUES IN (2);
CREATE TABLE measures_3 PARTITION OF measures FOR VALUES IN (3) PARTITION BY RANGE (taken);
CREATE TABLE measures_3_2024 PARTITION OF measures_3 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX measures_val_idx ON ONLY measures (val);
CREATE INDEX measures_1_val ON measures_1 (val);
ALTER INDEX measures_val_idx ATTACH PARTITION measures_1_val;
SELECT kind, relation, index, size, evidence, fix FROM advice() WHERE kind = 'invalid_index';
SELECT fix AS fix_sql FROM advice() WHERE index = 'ia.measures_val_idx' \gset
:fix_sql
SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE c.relname LIKE 'measures%' ORDER BY 1;
SELECT count(*) FROM advice() WHERE kind = 'invalid_index';

--
-- duplicate_index
--
CREATE TABLE orders (id int NOT NULL, customer int, note text, placed date);
INSERT INTO orders SELECT g, g % 10, 'n' || g, date '2024-01-01' + g % 30 FROM generate_series(1, 200) g;
CREATE INDEX orders_customer_a ON orders (customer);
CREATE INDEX orders_customer_b ON orders USING btree (customer);
-- the same expression written differently is the same index
CREATE INDEX orders_lower_a ON orders (lower(note));
CREATE INDEX orders_lower_b ON orders (lower( (note) ));
-- not duplicates: another operator class, ordering, predicate, or INCLUDE column
CREATE INDEX orders_note ON orders (note);
CREATE INDEX orders_note_pattern ON orders (note text_pattern_ops);
CREATE INDEX orders_placed ON orders (placed);
CREATE INDEX orders_placed_desc ON orders (placed DESC);
CREATE INDEX orders_placed_recent ON orders (placed) WHERE placed > '2024-01-15';
CREATE INDEX orders_placed_incl ON orders (placed) INCLUDE (customer);
-- a plain unique index, then a UNIQUE constraint, then a primary key on the same column: the
-- primary key's index is kept although it is the newest; the UNIQUE constraint goes as a constraint
CREATE UNIQUE INDEX orders_id_plain ON orders (id);
ALTER TABLE orders ADD CONSTRAINT orders_id_key UNIQUE (id);
ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
SELECT kind, relation, index, size_bytes, evidence, fix FROM advice()
 WHERE kind = 'duplicate_index' ORDER BY index;
-- partitioned: duplicate partitioned indexes are dropped without CONCURRENTLY, their
-- partitions' indexes never on their own
CREATE INDEX measures_taken_a ON measures (taken);
CREATE INDEX measures_taken_b ON measures (taken);
SELECT kind, index, fix FROM advice() WHERE kind = 'duplicate_index' AND relation = 'ia.measures';
SELECT count(*) FROM advice() WHERE index LIKE 'ia.measures\_%\_taken%';
-- the fixes run
SELECT string_agg(fix, E'\n' ORDER BY index) AS fix_sql FROM advice() WHERE kind = 'duplicate_index' \gset
:fix_sql
SELECT count(*) FROM advice() WHERE kind = 'duplicate_index';
SELECT conname FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype <> 'n' ORDER BY 1;

--
-- redundant_index
--
CREATE TABLE items (id int NOT NULL, order_id int, sku text, qty int,
                    CONSTRAINT items_pkey PRIMARY KEY (id));
INSERT INTO items SELECT g, g % 50, 's' || (g % 20), g % 5 FROM generate_series(1, 3000) g;
CREATE INDEX items_order ON items (order_id);
CREATE INDEX items_order_sku ON items (order_id, sku);
CREATE INDEX items_order_sku_qty ON items (order_id, sku, qty);
-- not redundant: not a left prefix, another predicate, another ordering, unique, INCLUDE
CREATE INDEX items_sku ON items (sku);
CREATE INDEX items_qty_part ON items (qty) WHERE qty > 2;
CREATE INDEX items_qty_sku ON items (qty, sku);
CREATE INDEX items_order_desc ON items (order_id DESC);
CREATE UNIQUE INDEX items_id_order ON items (id, order_id);
CREATE INDEX items_qty_incl ON items (qty) INCLUDE (sku);
-- the primary key (id) leads items_id_order but backs a constraint: never reported
SELECT kind, relation, index, size_bytes, evidence, fix FROM advice()
 WHERE kind = 'redundant_index' ORDER BY index;

--
-- unused_index
--
-- everything above has never been scanned; scan items_sku (the only index that leads with
-- sku) and flush this backend's statistics
SET enable_seqscan = off;
SELECT count(*) FROM items WHERE sku = 's1';
RESET enable_seqscan;
SELECT pg_stat_force_next_flush();
SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE relid = 'items'::regclass ORDER BY 1;
-- items_sku is not listed; unique and constraint indexes never are; redundant ones are listed
-- as redundant only
SELECT kind, index FROM advice() WHERE relation = 'ia.items' ORDER BY kind, index;
SELECT relation, index, size_bytes, size,
       regexp_replace(evidence, 'statistics (never reset|last reset [^;]*)', 'statistics <reset>') AS evidence,
       fix
  FROM advice() WHERE kind = 'unused_index' AND index = 'ia.items_order_sku_qty';
-- the evidence names the reset time of this database's statistics, or says there was none
SELECT bool_and(evidence LIKE '%' || coalesce('statistics last reset ' || d.stats_reset, 'statistics never reset') || ';%')
  FROM advice(), pg_stat_database d
 WHERE kind = 'unused_index' AND d.datname = current_database();

--
-- tiny_table_index: only tables whose size is known (analyzed or vacuumed), only indexes that
-- are in use (an unused one is reported as unused)
--
CREATE TABLE colors (id int NOT NULL, name text, CONSTRAINT colors_pkey PRIMARY KEY (id));
CREATE INDEX colors_name ON colors (name);
CREATE UNIQUE INDEX colors_name_key ON colors (lower(name));
INSERT INTO colors VALUES (1, 'red'), (2, 'green'), (3, 'blue');
-- a table of 8 pages or more is no tiny table
CREATE TABLE big_enough (id int, pad text);
INSERT INTO big_enough SELECT g, repeat('x', 100) FROM generate_series(1, 600) g;
CREATE INDEX big_enough_id ON big_enough (id);
ANALYZE big_enough;
SET enable_seqscan = off;
SELECT count(*) FROM colors WHERE name = 'red';
SELECT count(*) FROM colors WHERE lower(name) = 'red';
SELECT count(*) FROM big_enough WHERE id = 5;
RESET enable_seqscan;
SELECT pg_stat_force_next_flush();
-- never analyzed: reltuples is -1 and nothing is reported
SELECT relpages, reltuples FROM pg_class WHERE oid = 'colors'::regclass;
SELECT kind, index FROM advice() WHERE relation IN ('ia.colors', 'ia.big_enough');
ANALYZE colors;
SELECT relpages, reltuples FROM pg_class WHERE oid = 'big_enough'::regclass;
SELECT kind, relation, index, size_bytes, size, evidence, fix FROM advice()
 WHERE relation IN ('ia.colors', 'ia.big_enough');

--
-- fk_without_index
--
CREATE TABLE customers (id int NOT NULL, region int NOT NULL,
                        CONSTRAINT customers_pkey PRIMARY KEY (id),
                        CONSTRAINT customers_region_id_key UNIQUE (region, id));
INSERT INTO customers SELECT g, g % 3 FROM generate_series(1, 20) g;
CREATE TABLE invoices (id int NOT NULL, customer_id int, region int, memo text,
                       CONSTRAINT invoices_pkey PRIMARY KEY (id),
                       CONSTRAINT invoices_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
                       CONSTRAINT invoices_region_customer_fk FOREIGN KEY (region, customer_id)
                         REFERENCES customers (region, id));
INSERT INTO invoices SELECT g, g % 20 + 1, (g % 20 + 1) % 3, 'm' FROM generate_series(1, 100) g;
ANALYZE invoices;
SELECT kind, relation, index, size_bytes, size, evidence, fix FROM advice()
 WHERE kind = 'fk_without_index' ORDER BY evidence;
-- not an index for the key: a partial one, or one where the columns do not lead
CREATE INDEX invoices_customer_part ON invoices (customer_id) WHERE memo IS NOT NULL;
CREATE INDEX invoices_memo_customer ON invoices (memo, customer_id);
SELECT count(*) FROM advice() WHERE kind = 'fk_without_index' AND relation = 'ia.invoices';
-- the columns lead in another order: that index serves both keys
CREATE INDEX invoices_customer_region ON invoices (customer_id, region);
SELECT evidence FROM advice() WHERE kind = 'fk_without_index' AND relation = 'ia.invoices';
DROP INDEX invoices_customer_region;
-- the fixes run, and the name is the one CREATE INDEX would choose itself
SELECT string_agg(fix, E'\n') AS fix_sql FROM advice()
 WHERE kind = 'fk_without_index' AND relation = 'ia.invoices' \gset
:fix_sql
SELECT count(*) FROM advice() WHERE kind = 'fk_without_index' AND relation = 'ia.invoices';
SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'invoices'::regclass AND c.relname LIKE '%idx' ORDER BY 1;
-- partitioned referencing table, with a sub-partitioned partition: ON ONLY, then one index per
-- partition built CONCURRENTLY and attached
CREATE TABLE readings (sensor int NOT NULL, customer_id int, taken date NOT NULL,
                       CONSTRAINT readings_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id))
  PARTITION BY LIST (sensor);
CREATE TABLE readings_1 PARTITION OF readings FOR VALUES IN (1);
CREATE TABLE readings_2 PARTITION OF readings FOR VALUES IN (2) PARTITION BY RANGE (taken);
CREATE TABLE readings_2_2024 PARTITION OF readings_2 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE readings_2_2025 PARTITION OF readings_2 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO readings SELECT 1 + g % 2, g % 20 + 1, date '2024-06-01' + g FROM generate_series(1, 400) g;
ANALYZE readings;
-- the partitions' copies of the key are not reported on their own
SELECT count(*) FROM pg_constraint WHERE conname = 'readings_customer_fk';
SELECT kind, relation, size_bytes, evidence, fix FROM advice()
 WHERE kind = 'fk_without_index' AND relation = 'ia.readings';
SELECT fix AS fix_sql FROM advice() WHERE kind = 'fk_without_index' AND relation = 'ia.readings' \gset
:fix_sql
SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE c.relname LIKE 'readings%customer%' ORDER BY 1;
SELECT count(*) FROM advice() WHERE kind = 'fk_without_index';
-- quoted and non-ASCII identifiers, and a name over 63 bytes: PostgreSQL truncates both parts
-- to fit without splitting a character, then appends a number while the name is taken
CREATE TABLE "Billing Périodes de facturation très détaillées" (
  "Numéro client (référence)" int,
  CONSTRAINT "Billing FK" FOREIGN KEY ("Numéro client (référence)") REFERENCES customers (id));
SELECT relation, fix, octet_length(substring(fix FROM 'CONCURRENTLY "(.*)" ON')) AS name_bytes
  FROM advice() WHERE kind = 'fk_without_index';
-- the same name as PostgreSQL's own choice, also when that name is taken
SELECT substring(fix FROM 'CONCURRENTLY (.*) ON ') AS advised FROM advice() WHERE kind = 'fk_without_index' \gset
BEGIN;
CREATE INDEX ON "Billing Périodes de facturation très détaillées" ("Numéro client (référence)");
SELECT quote_ident(relname) = :'advised' AS same_name FROM pg_class
 WHERE oid = (SELECT indexrelid FROM pg_index
               WHERE indrelid = '"Billing Périodes de facturation très détaillées"'::regclass);
ROLLBACK;
CREATE TABLE taken (x int);
SELECT format('CREATE INDEX %s ON taken (x)', substring(fix FROM 'CONCURRENTLY (.*) ON '))
  FROM advice() WHERE kind = 'fk_without_index' \gexec
SELECT substring(fix FROM 'CONCURRENTLY (.*) ON ') AS advised FROM advice() WHERE kind = 'fk_without_index' \gset
SELECT :'advised' AS advised;
BEGIN;
CREATE INDEX ON "Billing Périodes de facturation très détaillées" ("Numéro client (référence)");
SELECT quote_ident(relname) = :'advised' AS same_name FROM pg_class
 WHERE oid = (SELECT indexrelid FROM pg_index
               WHERE indrelid = '"Billing Périodes de facturation très détaillées"'::regclass);
ROLLBACK;

--
-- everything this test left behind, in order: kind, then size (largest first), then names
--
SELECT kind, relation, index, size_bytes FROM advice();
-- nothing is reported outside user schemas, and the advisor holds no lock on a table of this
-- schema afterwards (that it never waits for one is tested in test/specs/advice_lock_free.spec)
SELECT count(*) FROM migration_guard.index_advice()
 WHERE relation ~ '^(pg_catalog|information_schema|pg_toast|migration_guard)\.';
BEGIN;
SELECT count(*) > 0 AS found FROM migration_guard.index_advice();
SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND c.relnamespace = 'ia'::regnamespace;
COMMIT;

\i test/regress/fixtures/teardown.sql
