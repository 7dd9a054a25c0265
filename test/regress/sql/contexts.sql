--
-- Every context: top level, multi-statement strings, PL/pgSQL, SQL functions, DO, EXECUTE
--
\set schema ctx
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';
CREATE TABLE big (id int, c int, pad text);
INSERT INTO big SELECT g, g % 100, repeat('z', 30) FROM generate_series(1, 30000) g;
ANALYZE big;

-- a multi-statement query string (one simple-protocol message): the hint is this statement only
SELECT 1 AS first \; CREATE INDEX big_c_idx ON big (c) \; SELECT 2 AS never_reached;

-- PL/pgSQL: the statement inside the function is judged
CREATE FUNCTION make_index() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CREATE INDEX big_c_idx ON ctx.big (c);
END $$;
SELECT make_index();

-- a SQL-language function
CREATE FUNCTION make_index_sql() RETURNS void LANGUAGE sql AS $$
    CREATE INDEX big_c_idx ON ctx.big (c);
$$;
SELECT make_index_sql();

-- a DO block
DO $$
BEGIN
    CREATE INDEX big_c_idx ON ctx.big (c);
END $$;

-- dynamic EXECUTE: the hint quotes the generated statement
DO $$
BEGIN
    EXECUTE format('CREATE INDEX %I ON %I.%I (%I)', 'big_c_idx', 'ctx', 'big', 'c');
END $$;

-- an exception block (a subtransaction) catches the refusal like any other error
DO $$
BEGIN
    CREATE INDEX big_c_idx ON ctx.big (c);
EXCEPTION WHEN SQLSTATE 'MG001' THEN
    RAISE NOTICE 'caught %', SQLERRM;
END $$;

-- a table created inside a function is new for the rest of the transaction
CREATE FUNCTION copy_and_index() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    CREATE TABLE ctx.copy AS SELECT * FROM ctx.big;
    CREATE INDEX copy_c_idx ON ctx.copy (c);
    RETURN (SELECT count(*) FROM ctx.copy);
END $$;
SELECT copy_and_index();

-- unnamed constraints in a DO block
DO $$
BEGIN
    ALTER TABLE ctx.big ADD CHECK (c >= 0);
END $$;

-- an aborted transaction: PostgreSQL refuses before the guard is asked
BEGIN;
SELECT 1/0;
CREATE INDEX big_c_idx ON big (c);
ROLLBACK;

-- nothing was built along the way
SELECT indexname FROM pg_indexes WHERE schemaname = 'ctx' ORDER BY 1;

\i test/regress/fixtures/teardown.sql
