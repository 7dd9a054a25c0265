--
-- DBA policy: per-rule severity, overrides with a reason, the audit line, events and stats
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS migration_guard;
DROP ROLE IF EXISTS regress_mg_migrators;
DROP ROLE IF EXISTS regress_mg_migrator;
DROP ROLE IF EXISTS regress_mg_app;
DROP ROLE IF EXISTS regress_mg_owners;
RESET client_min_messages;
CREATE SCHEMA pol;
SET search_path = pol;
SET migration_guard.large_table_threshold = '256kB';

CREATE TABLE t (id int PRIMARY KEY, a int, b int, c int, d int);
INSERT INTO t SELECT g, g, g, g, g FROM generate_series(1, 20000) g;
ANALYZE t;
SELECT pg_size_pretty(pg_table_size('t')) AS size;

-- the events of this test only
SELECT coalesce(max(event_id), 0) AS start FROM migration_guard.events \gset

-- 1. Per-rule severity -------------------------------------------------------------

-- the default: refused
CREATE INDEX t_a_idx ON t (a);
-- one rule turned down to a warning: the statement runs
SET migration_guard.rule_severity = 'create_index_blocking=warning';
CREATE INDEX t_a_idx ON t (a);
SELECT rule, default_severity, effective_severity FROM migration_guard.rules()
 WHERE rule IN ('create_index_blocking', 'drop_table') ORDER BY rule;
-- and off: no message at all
SET migration_guard.rule_severity = 'create_index_blocking=off';
CREATE INDEX t_b_idx ON t (b);
-- warn mode still wins over a per-rule error
SET migration_guard.rule_severity = 'dml_without_where=error';
SET migration_guard.mode = warn;
SELECT rule, effective_severity FROM migration_guard.rules() WHERE rule = 'dml_without_where';
RESET migration_guard.mode;
RESET migration_guard.rule_severity;
-- bad values are refused with the reason, and change nothing
SET migration_guard.rule_severity = 'no_such_rule=error';
SET migration_guard.rule_severity = 'create_index_blocking=loud';
SET migration_guard.rule_severity = 'create_index_blocking';
SET migration_guard.rule_severity = 'drop_table=off, drop_table=error';
SHOW migration_guard.rule_severity;
-- per role and per database
SELECT current_database() AS db \gset
ALTER DATABASE :"db" SET migration_guard.rule_severity = 'bogus=off';
CREATE ROLE regress_mg_app;
ALTER ROLE regress_mg_app SET migration_guard.rule_severity = 'create_index_blocking=warning';
SELECT unnest(setconfig) FROM pg_db_role_setting WHERE setrole = 'regress_mg_app'::regrole;

-- 2. Overrides ----------------------------------------------------------------------

-- a reason is mandatory, and an override names its rules
SET migration_guard.allow = 'create_index_blocking';
SET migration_guard.allow = 'create_index_blocking:   ';
SET migration_guard.allow = 'all: deploy';
SET migration_guard.allow = '*: deploy';
SET migration_guard.allow = 'create_index_blocking, nope: deploy';

-- SET LOCAL: lets the named rule through for this transaction, with an audit line
SET client_min_messages = log;
BEGIN;
SET LOCAL migration_guard.allow = 'create_index_blocking: write-idle during the 02:00 window, CHG-1234';
CREATE INDEX t_c_idx ON t (c);
COMMIT;
RESET client_min_messages;
-- ... and only that rule
BEGIN;
SET LOCAL migration_guard.allow = 'constraint_unnamed: reviewed';
CREATE INDEX t_d_idx ON t (d);
ROLLBACK;
-- it does not leak into the next transaction
SHOW migration_guard.allow;
CREATE INDEX t_d_idx ON t (d);

-- the statement's own directive, in a -- or a slash-star comment
SET client_min_messages = log;
/* migration_guard:allow create_index_blocking: index needed by the nightly report, CHG-1300 */
CREATE INDEX t_d_idx ON t (d);
DROP INDEX CONCURRENTLY t_d_idx;
CREATE INDEX t_d_idx ON t (d) -- migration_guard:allow create_index_blocking: same, inline
;
RESET client_min_messages;
-- a directive without a reason is an error of its own
/* migration_guard:allow create_index_blocking */ CREATE INDEX t_d2_idx ON t (d);
-- a directive inside a string is not a directive
CREATE INDEX t_d2_idx ON t (d) WHERE '/* migration_guard:allow create_index_blocking: x */' <> '';

-- json audit lines, for log pipelines
SET migration_guard.log_format = json;
SET client_min_messages = log;
/* migration_guard:allow create_index_blocking: "quoted" reason */ CREATE INDEX t_d3_idx ON t (d);
RESET client_min_messages;
RESET migration_guard.log_format;

-- override_role: its members may override, others may not
CREATE ROLE regress_mg_migrators;
CREATE ROLE regress_mg_migrator IN ROLE regress_mg_migrators;
GRANT ALL ON SCHEMA pol TO regress_mg_migrator, regress_mg_app;
-- both may index t (PostgreSQL's own "must be owner" would come first otherwise): they share
-- the role that owns it, and only the migrator may override
CREATE ROLE regress_mg_owners;
GRANT regress_mg_owners TO regress_mg_migrator, regress_mg_app;
ALTER TABLE t OWNER TO regress_mg_owners;
SET migration_guard.override_role = 'regress_mg_migrators';
-- (a parallel index build: its workers copy the override and must accept it)
SET max_parallel_maintenance_workers = 2;
SET min_parallel_table_scan_size = 0;
SET ROLE regress_mg_migrator;
BEGIN;
SET LOCAL migration_guard.allow = 'create_index_blocking: migrator, CHG-1400';
CREATE INDEX t_a2_idx ON t (a);
COMMIT;
RESET ROLE;
RESET max_parallel_maintenance_workers;
RESET min_parallel_table_scan_size;
SET ROLE regress_mg_app;
SET migration_guard.allow = 'create_index_blocking: app wants it';
\echo :LAST_ERROR_SQLSTATE
SELECT set_config('migration_guard.allow', 'create_index_blocking: app wants it', true);
/* migration_guard:allow create_index_blocking: app wants it */ CREATE INDEX t_a3_idx ON t (a);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- a member who sets it and then becomes someone else loses it
SET ROLE regress_mg_migrator;
SET migration_guard.allow = 'create_index_blocking: set as migrator';
SET ROLE regress_mg_app;
CREATE INDEX t_a3_idx ON t (a);
RESET ROLE;
RESET migration_guard.allow;
-- an override_role that does not exist means superusers only
SET migration_guard.override_role = 'regress_mg_nobody';
SET ROLE regress_mg_migrator;
SET migration_guard.allow = 'create_index_blocking: migrator';
RESET ROLE;
RESET migration_guard.override_role;

-- 3. Events and stats ------------------------------------------------------------------
SELECT usename, rule, severity, action, relation, table_size > 0 AS sized, reason, statement
  FROM migration_guard.events WHERE event_id > :start ORDER BY event_id;
SELECT rule, refused >= 2 AS refused, warned >= 1 AS warned, overridden >= 5 AS overridden,
       last_event IS NOT NULL AS has_last, stats_reset <= now() AS reset_ok
  FROM migration_guard.stats WHERE rule = 'create_index_blocking';
-- one's own rows only, unless pg_read_all_stats
SET ROLE regress_mg_app;
CREATE INDEX t_a4_idx ON t (a);
SELECT count(*) AS app_sees FROM migration_guard.events WHERE event_id > :start;
SELECT count(*) AS app_sees_others FROM migration_guard.events WHERE event_id > :start AND usename <> 'regress_mg_app';
SELECT migration_guard.reset_stats();
RESET ROLE;
GRANT pg_read_all_stats TO regress_mg_app;
SET ROLE regress_mg_app;
SELECT count(*) > 5 AS reader_sees_all FROM migration_guard.events WHERE event_id > :start;
RESET ROLE;
SELECT migration_guard.reset_stats();
SELECT sum(refused + warned + overridden) AS after_reset FROM migration_guard.stats;
-- the events are kept
SELECT count(*) > 5 AS events_kept FROM migration_guard.events WHERE event_id > :start;

-- cleanup
ALTER DATABASE :"db" RESET migration_guard.rule_severity;
DROP SCHEMA pol CASCADE;
DROP OWNED BY regress_mg_app, regress_mg_migrator, regress_mg_owners;
DROP ROLE regress_mg_app;
DROP ROLE regress_mg_migrator;
DROP ROLE regress_mg_migrators;
DROP ROLE regress_mg_owners;
