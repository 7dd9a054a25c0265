--
-- Lock-queue warnings: trigger_ddl, rls_policy_ddl, replica_identity_change,
-- lock_table_explicit. Quick statements whose risk is the wait for their lock; silent when a
-- lock_timeout will be in effect, and on new and temporary tables. Harms beyond the queue
-- (default-deny RLS, DISABLE TRIGGER ALL, REPLICA IDENTITY FULL/NOTHING) are always said.
--
\set schema lq
\i test/regress/fixtures/setup.sql
-- no lock_timeout in effect: the session's is 0, and the guard's own injected one (where
-- this build has migration_guard.lock_timeout) is turned off
SET lock_timeout = 0;
DO $$ BEGIN PERFORM set_config('migration_guard.lock_timeout', '0', false);
          EXCEPTION WHEN OTHERS THEN NULL; END $$;

CREATE TABLE t (id bigint PRIMARY KEY, owner_name text);
INSERT INTO t SELECT g, 'u' || g FROM generate_series(1, 100) g;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;

-- trigger_ddl: size does not matter, a hot small table is the usual victim
\set VERBOSITY verbose
CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
\set VERBOSITY default
ALTER TABLE t DISABLE TRIGGER t_touch;
ALTER TABLE t DISABLE TRIGGER ALL;
ALTER TABLE t ENABLE TRIGGER ALL;
DROP TRIGGER t_touch ON t;

-- rls_policy_ddl: ENABLE with no policy hides every row
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE POLICY t_own ON t USING (owner_name = current_user);
ALTER POLICY t_own ON t USING (true);
DROP POLICY t_own ON t;
ALTER TABLE t DISABLE ROW LEVEL SECURITY;

-- replica_identity_change
ALTER TABLE t REPLICA IDENTITY FULL;
ALTER TABLE t REPLICA IDENTITY DEFAULT;
SET client_min_messages = error;  -- PostgreSQL's wal_level warning, worded differently by version
CREATE PUBLICATION lq_pub FOR TABLE t;
RESET client_min_messages;
ALTER TABLE t REPLICA IDENTITY NOTHING;
DROP PUBLICATION lq_pub;

-- lock_table_explicit: modes that conflict with reads or writes
BEGIN;
LOCK TABLE t;
LOCK TABLE t IN SHARE MODE;
LOCK TABLE t IN ROW EXCLUSIVE MODE;     -- what every INSERT takes: no conflict with traffic
LOCK TABLE t IN ACCESS EXCLUSIVE MODE NOWAIT;  -- never queues
ROLLBACK;

-- silent when a lock_timeout will be in effect, except for the harms beyond the queue
SET lock_timeout = '2s';
CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
DROP TRIGGER t_touch ON t;
ALTER TABLE t REPLICA IDENTITY DEFAULT;
BEGIN;
LOCK TABLE t;
ROLLBACK;
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
ALTER TABLE t DISABLE ROW LEVEL SECURITY;
SET lock_timeout = 0;

-- silent on new and temporary tables
BEGIN;
CREATE TABLE fresh (id int);
CREATE TRIGGER fresh_touch BEFORE UPDATE ON fresh FOR EACH ROW EXECUTE FUNCTION touch();
CREATE POLICY fresh_all ON fresh USING (true);
ALTER TABLE fresh ENABLE ROW LEVEL SECURITY, REPLICA IDENTITY FULL;
LOCK TABLE fresh;
ROLLBACK;
CREATE TEMP TABLE scratch (id int);
CREATE TRIGGER scratch_touch BEFORE UPDATE ON scratch FOR EACH ROW EXECUTE FUNCTION touch();

-- partitioned: CREATE TRIGGER on the parent locks every partition
CREATE TABLE parted (id int) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
CREATE TRIGGER parted_touch BEFORE UPDATE ON parted FOR EACH ROW EXECUTE FUNCTION touch();

-- inside a function
CREATE FUNCTION secure() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  CREATE POLICY t_all ON lq.t USING (true);
END $$;
SELECT secure();

-- PostgreSQL's own errors come through untouched
CREATE TRIGGER x BEFORE UPDATE ON no_such_table FOR EACH ROW EXECUTE FUNCTION touch();
DROP TRIGGER no_such_trigger ON no_such_table;
DROP TRIGGER IF EXISTS no_such_trigger ON no_such_table;
CREATE POLICY p ON no_such_table USING (true);

-- check(): policies created earlier in the text count, so the recipe's ENABLE draws nothing
-- (check() sees the calling session's lock_timeout, not a SET inside the text)
CREATE TABLE r (id int);
SET lock_timeout = '2s';
SELECT count(*) AS findings FROM migration_guard.check($$
CREATE POLICY r_all ON r USING (true);
ALTER TABLE r ENABLE ROW LEVEL SECURITY;
$$);
SELECT statement_no, rule, message FROM migration_guard.check('ALTER TABLE r ENABLE ROW LEVEL SECURITY');
SET lock_timeout = 0;
-- check() gives the same verdicts
SELECT * FROM verdicts($$
CREATE TRIGGER t_touch2 BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
LOCK TABLE t IN EXCLUSIVE MODE;
ALTER TABLE t REPLICA IDENTITY FULL;
CREATE TABLE n (id int);
CREATE TRIGGER n_touch BEFORE UPDATE ON n FOR EACH ROW EXECUTE FUNCTION touch();
$$, in_transaction => true);

\i test/regress/fixtures/teardown.sql
