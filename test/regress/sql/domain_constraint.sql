--
-- domain_constraint: a domain constraint checked against every large table that uses the domain
--
\set schema dc
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

CREATE DOMAIN amount AS numeric;
CREATE DOMAIN price AS amount;      -- derived: its users count too
CREATE TABLE small (a amount);
INSERT INTO small VALUES (1);
CREATE TABLE legacy (a amount);     -- an old row that a new constraint will not accept
INSERT INTO legacy VALUES (-1);
CREATE TABLE orders (id int, total price, pad text);
INSERT INTO orders SELECT g, g, repeat('x', 20) FROM generate_series(1, 34000) g;
ANALYZE orders;

-- refused: judged by the largest table that uses the domain
\set VERBOSITY verbose
ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);
\set VERBOSITY default
ALTER DOMAIN amount SET NOT NULL;

-- allowed: each step of the hint. NOT VALID takes no lock on the tables and checks every new
-- value; the read-only query (ACCESS SHARE: writes go on) passes on a table whose rows all
-- satisfy it, and stops at the first old row that does not
ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0) NOT VALID;
INSERT INTO legacy VALUES (-2);
SELECT count(*) FROM dc.orders WHERE total::numeric::dc.amount IS NOT NULL;
SELECT count(*) FROM dc.legacy WHERE a::numeric::dc.amount IS NOT NULL;
ALTER DOMAIN dc.amount ADD CONSTRAINT amount_not_null CHECK (VALUE IS NOT NULL) NOT VALID;
-- refused: VALIDATE CONSTRAINT scans every table that uses the domain under SHARE, as
-- pg_locks shows when it runs (here in a maintenance window, by override, once the old row is
-- fixed): writes to every one of them stop for the whole scan
ALTER DOMAIN amount VALIDATE CONSTRAINT amount_positive;
DELETE FROM legacy;
BEGIN;
SET LOCAL migration_guard.allow = 'domain_constraint: maintenance window CHG-7';
ALTER DOMAIN amount VALIDATE CONSTRAINT amount_positive;
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND c.relnamespace = 'dc'::regnamespace
 ORDER BY 1;
COMMIT;
-- PostgreSQL's own errors come through: no such constraint, not a CHECK
ALTER DOMAIN amount VALIDATE CONSTRAINT no_such_constraint;
-- allowed: a domain used only by small tables, or by none
CREATE DOMAIN code AS text;
CREATE TABLE codes (c code);
ALTER DOMAIN code ADD CONSTRAINT code_check CHECK (VALUE <> '');
ALTER DOMAIN code ADD CONSTRAINT code_len CHECK (length(VALUE) < 100) NOT VALID;
ALTER DOMAIN code VALIDATE CONSTRAINT code_len;
CREATE DOMAIN unused AS int;
ALTER DOMAIN unused SET NOT NULL;
-- allowed: DROP NOT NULL, DROP CONSTRAINT, SET DEFAULT touch no rows
ALTER DOMAIN amount DROP CONSTRAINT amount_not_null;
ALTER DOMAIN amount SET DEFAULT 0;

-- edge: a table created in this transaction is not counted
BEGIN;
CREATE DOMAIN fresh_d AS int;
CREATE TABLE fresh AS SELECT g::fresh_d AS v FROM generate_series(1, 50000) g;
ALTER DOMAIN fresh_d ADD CONSTRAINT fresh_d_check CHECK (VALUE > 0);
ROLLBACK;
-- edge: a never-analyzed table, a partitioned table (its partitions count), inside a function
CREATE DOMAIN qty AS int;
CREATE TABLE loaded (q qty, pad text);
INSERT INTO loaded SELECT g, repeat('y', 30) FROM generate_series(1, 30000) g;
ALTER DOMAIN qty ADD CONSTRAINT qty_check CHECK (VALUE >= 0);
CREATE DOMAIN ts_d AS date;
CREATE TABLE m (id int, ts ts_d) PARTITION BY RANGE (ts);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO m SELECT g, date '2024-01-01' + (g % 300) FROM generate_series(1, 50000) g;
ALTER DOMAIN ts_d SET NOT NULL;
CREATE FUNCTION tighten() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER DOMAIN dc.qty ADD CONSTRAINT qty_small CHECK (VALUE < 1000000);
END $$;
SELECT tighten();

-- PostgreSQL's own errors come through untouched
ALTER DOMAIN no_such_domain SET NOT NULL;
ALTER DOMAIN int4 SET NOT NULL;

-- check() gives the same verdict; a domain created earlier in the text has no users yet
SELECT * FROM verdicts($$
ALTER DOMAIN qty ADD CONSTRAINT qty_check CHECK (VALUE >= 0);
ALTER DOMAIN qty ADD CONSTRAINT qty_check CHECK (VALUE >= 0) NOT VALID;
ALTER DOMAIN qty VALIDATE CONSTRAINT qty_check;
CREATE DOMAIN later AS int;
ALTER DOMAIN later SET NOT NULL;
$$);

\i test/regress/fixtures/teardown.sql
