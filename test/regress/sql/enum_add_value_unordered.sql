--
-- Enum labels (warnings): enum_add_value_unordered, enum_add_value_in_tx, enum_rename_value
--
\set schema en
\i test/regress/fixtures/setup.sql
CREATE TYPE status AS ENUM ('new', 'paid', 'shipped');

-- enum_add_value_unordered: the hint states the position explicitly
\set VERBOSITY verbose
ALTER TYPE status ADD VALUE 'returned';
\set VERBOSITY default
-- allowed: BEFORE / AFTER, and IF NOT EXISTS on a label that exists (nothing happens)
ALTER TYPE status ADD VALUE 'cancelled' AFTER 'paid';
ALTER TYPE en.status ADD VALUE 'refunded' AFTER 'returned';
ALTER TYPE status ADD VALUE IF NOT EXISTS 'paid';
SELECT enum_range(NULL::status);

-- enum_add_value_in_tx: inside a transaction block the label cannot be used before COMMIT
BEGIN;
ALTER TYPE status ADD VALUE 'lost' BEFORE 'new';
SELECT 'lost'::status;
ROLLBACK;
-- ... even when the type was created in the same transaction on 12 to 16; from 17 the label
-- is usable at once then, and the guard says nothing
BEGIN;
CREATE TYPE color AS ENUM ('red');
ALTER TYPE color ADD VALUE 'green' AFTER 'red';
SELECT 'green'::color;
COMMIT;
-- the same in warn mode, where the guard reads the statement inside a subtransaction of its
-- own: the statement's level decides, not the guard's
BEGIN;
SET LOCAL migration_guard.mode = warn;
CREATE TYPE shade AS ENUM ('dark');
ALTER TYPE shade ADD VALUE 'light' AFTER 'dark';
SELECT 'light'::shade;
COMMIT;
-- inside a function called in a transaction block
CREATE FUNCTION add_status() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  ALTER TYPE en.status ADD VALUE 'held' AFTER 'new';
END $$;
BEGIN;
SELECT add_status();
COMMIT;

-- enum_rename_value
ALTER TYPE status RENAME VALUE 'shipped' TO 'sent';
-- PostgreSQL's own errors come through untouched
ALTER TYPE status RENAME VALUE 'no_such_label' TO 'x';
ALTER TYPE status ADD VALUE 'paid';
ALTER TYPE no_such_type ADD VALUE 'x';

-- check() gives the same verdicts; in_transaction => true is a transaction block
SELECT statement_no, rule, severity, message
  FROM migration_guard.check($$
ALTER TYPE status ADD VALUE 'archived';
ALTER TYPE status ADD VALUE 'draft' BEFORE 'new';
ALTER TYPE status RENAME VALUE 'sent' TO 'dispatched';
CREATE TYPE size AS ENUM ('s');
ALTER TYPE size ADD VALUE 'm' AFTER 's';
$$, in_transaction => true);
-- outside a transaction block: only the order
SELECT statement_no, rule FROM migration_guard.check($$ALTER TYPE status ADD VALUE 'archived';$$);

\i test/regress/fixtures/teardown.sql
