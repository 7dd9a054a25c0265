--
-- The injected lock_timeout (migration_guard.lock_timeout) against a lock_timeout that code
-- running inside the statement sets: an event trigger's SET LOCAL, set_config(..., true), a
-- plain SET, a function with a SET clause, on success and on error. The guard's value holds
-- for its statement only, as a function's SET clause would: a SET LOCAL made during the
-- statement ends with it, a plain SET outlives it (until ROLLBACK), and after COMMIT or
-- ROLLBACK the session's own value is back. The lock_timeout error itself, with its context
-- line, is in the isolation test lock_timeout.
--
\set schema ltn
\i test/regress/fixtures/setup.sql
SET lock_timeout = 0;
SET migration_guard.lock_timeout = '4s';
CREATE TABLE t (id bigint PRIMARY KEY);
-- what the trigger does: one row, changed by each case
CREATE TABLE how (what text);
INSERT INTO how VALUES ('nothing');
CREATE FUNCTION with_clause() RETURNS text LANGUAGE plpgsql SET lock_timeout = '6s' AS $$
BEGIN
	SET LOCAL lock_timeout = '5s';
	RETURN current_setting('lock_timeout');
END $$;
CREATE FUNCTION on_start() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
	what text := (SELECT h.what FROM ltn.how h);
BEGIN
	RAISE NOTICE 'start of %: lock_timeout = %', tg_tag, current_setting('lock_timeout');
	IF what LIKE 'set local%' THEN
		SET LOCAL lock_timeout = '7s';
	ELSIF what = 'set_config local' THEN
		PERFORM set_config('lock_timeout', '8s', true);
	ELSIF what LIKE 'set%' THEN
		SET lock_timeout = '9s';
		IF what = 'set, set local' THEN
			SET LOCAL lock_timeout = '3s';
		END IF;
	ELSIF what = 'clause' THEN
		RAISE NOTICE 'in a function with SET lock_timeout: %', ltn.with_clause();
	END IF;
	IF what LIKE '%fail' THEN
		RAISE EXCEPTION 'the trigger fails';
	END IF;
END $$;
CREATE FUNCTION on_end() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'end of %: lock_timeout = %', tg_tag, current_setting('lock_timeout');
END $$;
CREATE EVENT TRIGGER ltn_start ON ddl_command_start WHEN TAG IN ('ALTER TABLE') EXECUTE FUNCTION on_start();
CREATE EVENT TRIGGER ltn_end ON ddl_command_end WHEN TAG IN ('ALTER TABLE') EXECUTE FUNCTION on_end();

-- nothing set: the statement runs with 4s, the session has 0 before and after
ALTER TABLE t ADD COLUMN a int;
SHOW lock_timeout;

-- SET LOCAL in the trigger, one statement per transaction
UPDATE how SET what = 'set local';
ALTER TABLE t ADD COLUMN b int;
SHOW lock_timeout;
-- ... in a transaction block: it ends with the statement, and COMMIT leaves 0
BEGIN;
ALTER TABLE t ADD COLUMN c int;
SHOW lock_timeout;
COMMIT;
SHOW lock_timeout;
-- set_config(..., true) is SET LOCAL
UPDATE how SET what = 'set_config local';
BEGIN;
ALTER TABLE t ADD COLUMN d int;
SHOW lock_timeout;
COMMIT;
SHOW lock_timeout;
-- in a PL/pgSQL block with an exception handler (a subtransaction)
UPDATE how SET what = 'set local';
DO $$
BEGIN
	ALTER TABLE ltn.t ADD COLUMN e int;
	RAISE NOTICE 'after the statement: lock_timeout = %', current_setting('lock_timeout');
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'failed: %', SQLERRM;
END $$;
SHOW lock_timeout;

-- a function with SET lock_timeout during the statement: its value ends with it
UPDATE how SET what = 'clause';
BEGIN;
ALTER TABLE t ADD COLUMN f int;
SHOW lock_timeout;
COMMIT;
SHOW lock_timeout;

-- a plain SET outlives the statement and the transaction, as it would a function's SET clause
UPDATE how SET what = 'set';
BEGIN;
ALTER TABLE t ADD COLUMN g int;
SHOW lock_timeout;
COMMIT;
SHOW lock_timeout;
SET lock_timeout = 0;
-- ... but not a ROLLBACK
BEGIN;
ALTER TABLE t ADD COLUMN h int;
SHOW lock_timeout;
ROLLBACK;
SHOW lock_timeout;
-- SET, then SET LOCAL: the local value until COMMIT, then the SET's
UPDATE how SET what = 'set, set local';
BEGIN;
ALTER TABLE t ADD COLUMN h int;
SHOW lock_timeout;
COMMIT;
SHOW lock_timeout;
SET lock_timeout = 0;

-- error paths: the trigger fails after its SET LOCAL, or after its SET; the statement fails
-- after the trigger's SET LOCAL (PostgreSQL's own error)
UPDATE how SET what = 'set local, fail';
ALTER TABLE t ADD COLUMN i int;
SHOW lock_timeout;
BEGIN;
ALTER TABLE t ADD COLUMN i int;
ROLLBACK;
SHOW lock_timeout;
BEGIN;
SAVEPOINT s;
ALTER TABLE t ADD COLUMN i int;
ROLLBACK TO SAVEPOINT s;
SHOW lock_timeout;
COMMIT;
SHOW lock_timeout;
UPDATE how SET what = 'set, fail';
ALTER TABLE t ADD COLUMN i int;
SHOW lock_timeout;
UPDATE how SET what = 'set local';
ALTER TABLE t ADD COLUMN a int;
SHOW lock_timeout;
BEGIN;
SAVEPOINT s;
ALTER TABLE t ADD COLUMN a int;
ROLLBACK TO SAVEPOINT s;
SHOW lock_timeout;
COMMIT;
SHOW lock_timeout;

-- the session's own lock_timeout, set locally before the statement: nothing injected, and
-- the trigger's SET LOCAL ends with the transaction as usual
UPDATE how SET what = 'set local';
BEGIN;
SET LOCAL lock_timeout = '1s';
ALTER TABLE t ADD COLUMN j int;
SHOW lock_timeout;
COMMIT;
SHOW lock_timeout;
-- ... and set locally to 0: the guard injects its own
BEGIN;
SET LOCAL lock_timeout = 0;
ALTER TABLE t ADD COLUMN k int;
SHOW lock_timeout;
COMMIT;
SHOW lock_timeout;

SELECT count(*) AS columns FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0;
DROP EVENT TRIGGER ltn_start;
DROP EVENT TRIGGER ltn_end;
\i test/regress/fixtures/teardown.sql
