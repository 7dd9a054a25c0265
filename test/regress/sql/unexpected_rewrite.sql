--
-- unexpected_rewrite: the table_rewrite event trigger refuses a rewrite of a large table that
-- no rule predicted. The rules decide before any lock is taken; this is the backstop behind
-- them. Its example is ALTER TYPE ... ALTER ATTRIBUTE ... CASCADE, which rewrites every table
-- typed with the composite type (CREATE TABLE ... OF type): no rule reads it as a rewrite.
--
\set schema ur
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

-- the event trigger CREATE EXTENSION installed
SELECT evtname, evtevent, evtenabled, evtfoid::regprocedure FROM pg_event_trigger
 WHERE evtname = 'migration_guard_backstop';

CREATE TYPE pt AS (id int, label text);
CREATE TABLE typed OF pt;
INSERT INTO typed SELECT g, 'row ' || g FROM generate_series(1, 5000) g;
ANALYZE typed;
SELECT migration_guard.table_size('typed') >= 64 * 1024 AS large;

-- refused: the rewrite of a large typed table, with SQLSTATE MG001
ALTER TYPE pt ALTER ATTRIBUTE id TYPE bigint CASCADE;
\echo :LAST_ERROR_SQLSTATE
-- nothing changed
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
 WHERE attrelid = (SELECT typrelid FROM pg_type WHERE oid = 'pt'::regtype) AND attname = 'id';
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'typed'::regclass AND attname = 'id';

-- allowed: no rewrite (a binary-coercible change of the other attribute)
ALTER TYPE pt ALTER ATTRIBUTE label TYPE varchar CASCADE;
ALTER TYPE pt ALTER ATTRIBUTE label TYPE text CASCADE;

-- allowed: below the threshold
SET migration_guard.large_table_threshold = '10MB';
BEGIN;
ALTER TYPE pt ALTER ATTRIBUTE id TYPE bigint CASCADE;
ROLLBACK;
SET migration_guard.large_table_threshold = '64kB';

-- allowed: a table created in this transaction, however large (nobody else can see it)
BEGIN;
CREATE TYPE pt_new AS (id int, label text);
CREATE TABLE typed_new OF pt_new;
INSERT INTO typed_new SELECT g, 'row ' || g FROM generate_series(1, 5000) g;
ALTER TYPE pt_new ALTER ATTRIBUTE id TYPE bigint CASCADE;
ROLLBACK;

-- allowed: a temporary table
CREATE TYPE pt_tmp AS (id int, label text);
CREATE TEMP TABLE typed_tmp OF pt_tmp;
INSERT INTO typed_tmp SELECT g, 'row ' || g FROM generate_series(1, 5000) g;
ALTER TYPE pt_tmp ALTER ATTRIBUTE id TYPE bigint CASCADE;
DROP TABLE typed_tmp;

-- edge: never analyzed; the size is measured on disk all the same (rows estimated from it)
CREATE TYPE pt_raw AS (id int, label text);
CREATE TABLE typed_raw OF pt_raw;
INSERT INTO typed_raw SELECT g, 'row ' || g FROM generate_series(1, 5000) g;
ALTER TYPE pt_raw ALTER ATTRIBUTE id TYPE bigint CASCADE;

-- edge: a partitioned typed table: each partition is rewritten, and judged, on its own
CREATE TYPE pt_part AS (id int, label text);
CREATE TABLE typed_part OF pt_part PARTITION BY RANGE (id);
CREATE TABLE typed_part_small PARTITION OF typed_part FOR VALUES FROM (0) TO (100);
CREATE TABLE typed_part_big PARTITION OF typed_part FOR VALUES FROM (100) TO (10000);
INSERT INTO typed_part SELECT g, 'row ' || g FROM generate_series(1, 5000) g;
ANALYZE typed_part;
ALTER TYPE pt_part ALTER ATTRIBUTE label TYPE varchar(20) CASCADE;

-- edge: inside a function, and inside DO
CREATE FUNCTION widen() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    ALTER TYPE pt ALTER ATTRIBUTE id TYPE bigint CASCADE;
END $$;
SELECT widen();
DO $$ BEGIN EXECUTE 'ALTER TYPE pt ALTER ATTRIBUTE id TYPE numeric CASCADE'; END $$;

-- warn mode: a WARNING, and the rewrite goes ahead
BEGIN;
SET LOCAL migration_guard.mode = 'warn';
ALTER TYPE pt ALTER ATTRIBUTE id TYPE bigint CASCADE;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'typed'::regclass AND attname = 'id';
ROLLBACK;
-- ... and said once: a statement that already drew a warning about the table (here from
-- constraint_unnamed) gets no second one from the backstop, while the next statement does
CREATE TABLE plain (id int, label text);
INSERT INTO plain SELECT g, 'row ' || g FROM generate_series(1, 5000) g;
ANALYZE plain;
BEGIN;
SET LOCAL migration_guard.mode = 'warn';
DO $$
BEGIN
    ALTER TABLE plain ADD CHECK (id > 0), ALTER COLUMN label TYPE varchar(20);
    ALTER TABLE plain ALTER COLUMN label TYPE varchar(10);
END $$;
ROLLBACK;

-- off: nothing
BEGIN;
SET LOCAL migration_guard.mode = 'off';
ALTER TYPE pt ALTER ATTRIBUTE id TYPE bigint CASCADE;
ROLLBACK;

-- the hint's override: the rewrite goes ahead, with the reason in the audit log and the events
BEGIN;
SET LOCAL migration_guard.allow = 'unexpected_rewrite: typed tables rewritten in the 02:00 window, CHG-77';
ALTER TYPE pt ALTER ATTRIBUTE id TYPE bigint CASCADE;
SELECT rule, action, reason FROM migration_guard.events ORDER BY event_id DESC LIMIT 1;
ROLLBACK;

-- a rewrite a rule predicted, let through by an override of that rule: the backstop does not
-- refuse what the override allowed (nor say it twice)
CREATE TABLE shrinkme (id int, label varchar(20));
INSERT INTO shrinkme SELECT g, 'row ' || g FROM generate_series(1, 5000) g;
BEGIN;
SET LOCAL migration_guard.allow = 'alter_column_type_rewrite: shrinking in the 02:00 window, CHG-78';
ALTER TABLE shrinkme ALTER COLUMN label TYPE varchar(10);
SELECT rule, action, reason FROM migration_guard.events ORDER BY event_id DESC LIMIT 1;
ROLLBACK;
-- ... and without the override, the rule refuses it before any lock is taken
ALTER TABLE shrinkme ALTER COLUMN label TYPE varchar(10);
\echo :LAST_ERROR_SQLSTATE

-- a superuser can switch the backstop off (and on) without touching the rules
BEGIN;
ALTER EVENT TRIGGER migration_guard_backstop DISABLE;
ALTER TYPE pt ALTER ATTRIBUTE id TYPE bigint CASCADE;
ROLLBACK;

-- check() reads the text without running it: it cannot see this rewrite coming (which is why
-- the backstop exists), so it reports nothing here
SELECT rule FROM migration_guard.check('ALTER TYPE ur.pt ALTER ATTRIBUTE id TYPE bigint CASCADE;');

-- calling the function directly is refused
SELECT migration_guard.backstop();

\i test/regress/fixtures/teardown.sql
