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
CREATE TABLE orders (id int, total price, pad text);
INSERT INTO orders SELECT g, g, repeat('x', 20) FROM generate_series(1, 34000) g;
ANALYZE orders;

-- refused: judged by the largest table that uses the domain
\set VERBOSITY verbose
ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);
\set VERBOSITY default
ALTER DOMAIN amount SET NOT NULL;

-- allowed: each step of the hint
ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0) NOT VALID;
ALTER DOMAIN amount VALIDATE CONSTRAINT amount_positive;
ALTER DOMAIN dc.amount ADD CONSTRAINT amount_not_null CHECK (VALUE IS NOT NULL) NOT VALID;
-- allowed: a domain used only by small tables, or by none
CREATE DOMAIN code AS text;
CREATE TABLE codes (c code);
ALTER DOMAIN code ADD CONSTRAINT code_check CHECK (VALUE <> '');
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
CREATE DOMAIN later AS int;
ALTER DOMAIN later SET NOT NULL;
$$);

\i test/regress/fixtures/teardown.sql
