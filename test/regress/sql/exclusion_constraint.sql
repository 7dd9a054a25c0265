--
-- exclusion_constraint: ADD EXCLUDE on a large table, which has no online form
--
\set schema exc
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '256kB';

CREATE TABLE booking (id int CONSTRAINT booking_pkey PRIMARY KEY, room int, during int4range, pad text);
INSERT INTO booking SELECT g, g % 100, int4range(g * 10, g * 10 + 5), repeat('x', 20)
  FROM generate_series(1, 5000) g;
ANALYZE booking;

-- refused, and the hint says honestly that there is no online way
\set VERBOSITY verbose
ALTER TABLE booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (during WITH &&);
\set VERBOSITY default

-- allowed: a small table, a table created in this transaction, a temporary table
CREATE TABLE small (during int4range);
ALTER TABLE small ADD CONSTRAINT small_no_overlap EXCLUDE USING gist (during WITH &&);
BEGIN;
CREATE TABLE fresh AS SELECT * FROM booking;
ALTER TABLE fresh ADD CONSTRAINT fresh_no_overlap EXCLUDE USING gist (during WITH &&);
ROLLBACK;
CREATE TEMP TABLE scratch AS SELECT * FROM booking;
ALTER TABLE scratch ADD CONSTRAINT scratch_no_overlap EXCLUDE USING gist (during WITH &&);

-- refused: never analyzed
CREATE TABLE loaded (during int4range, pad text);
INSERT INTO loaded SELECT int4range(g * 10, g * 10 + 5), repeat('y', 30) FROM generate_series(1, 5000) g;
ALTER TABLE loaded ADD CONSTRAINT loaded_no_overlap EXCLUDE USING gist (during WITH &&);
-- refused: a partitioned table (the key must include the partition key)
CREATE TABLE m (id int, during int4range) PARTITION BY RANGE (id);
CREATE TABLE m_1 PARTITION OF m FOR VALUES FROM (0) TO (1000000);
INSERT INTO m SELECT g, int4range(g, g + 1) FROM generate_series(1, 8000) g;
ALTER TABLE m ADD CONSTRAINT m_no_overlap EXCLUDE USING btree (id WITH =);
-- inside a function: the same refusal
CREATE FUNCTION add_excl() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TABLE exc.loaded ADD CONSTRAINT loaded_no_overlap EXCLUDE USING gist (during WITH &&);
END $$;
SELECT add_excl();

-- check() gives the same verdict
SELECT * FROM verdicts($$
ALTER TABLE booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (during WITH &&);
ALTER TABLE small ADD CONSTRAINT small_no_overlap2 EXCLUDE USING gist (during WITH &&);
$$);

\i test/regress/fixtures/teardown.sql
