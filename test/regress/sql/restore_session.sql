--
-- Restore sessions (src/pg/restore.cpp): the relations that a session with application_name
-- pg_restore (or pg_repack) creates count as new for the restore sessions of the database,
-- for the role that created them, until a session that is not a restore session uses them.
-- One session plays every part by changing its application_name. The tools suite
-- (test/tools/run.sh) runs the real pg_restore, pg_restore -j and pg_repack.
--
\set schema rs
\i test/regress/fixtures/setup.sql
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_mg_restorer;
RESET client_min_messages;
SET migration_guard.large_table_threshold = '256kB';
SELECT coalesce(max(event_id), 0) AS start FROM migration_guard.events \gset

-- 1. A table that existed before: refused in a restore session as anywhere else.
CREATE TABLE live (id int, v int);
INSERT INTO live SELECT g, g FROM generate_series(1, 20000) g;
SET application_name = 'pg_restore';
CREATE INDEX live_v_idx ON live (v);

-- 2. Created by a restore session and filled in later transactions, as pg_restore does:
-- its index and keys pass, each recorded as an override with the restore's reason.
CREATE TABLE restored (id int, v int);
INSERT INTO restored SELECT g, g FROM generate_series(1, 20000) g;
SELECT pg_table_size('restored') >= 256 * 1024 AS large;
CREATE INDEX restored_v_idx ON restored (v);
ALTER TABLE restored ADD CONSTRAINT restored_pkey PRIMARY KEY (id);
ALTER TABLE restored ADD CONSTRAINT restored_v_key UNIQUE (v);
SELECT action, rule, relation, application_name, reason FROM migration_guard.events
 WHERE event_id > :start AND action <> 'warned' ORDER BY event_id;

-- 3. Another session uses it: it is live from then on, and refused in restore sessions too.
SET application_name = 'app';
SELECT count(*) FROM restored;
SET application_name = 'pg_restore';
CREATE INDEX restored_v2_idx ON restored (v);

-- 4. Only for the role that created it, unless the role may override rules.
CREATE ROLE regress_mg_restorer;
GRANT USAGE, CREATE ON SCHEMA rs TO regress_mg_restorer;
CREATE TABLE theirs (id int, v int);
INSERT INTO theirs SELECT g, g FROM generate_series(1, 20000) g;
ALTER TABLE theirs OWNER TO regress_mg_restorer;
SET ROLE regress_mg_restorer;
CREATE INDEX theirs_v_idx ON theirs (v);
-- a table the role's own restore session created passes
CREATE TABLE mine (id int, v int);
INSERT INTO mine SELECT g, g FROM generate_series(1, 20000) g;
CREATE INDEX mine_v_idx ON mine (v);
RESET ROLE;

-- 5. Not in a session that is not a restore session, though nobody else has used it.
CREATE TABLE unused (id int, v int);
INSERT INTO unused SELECT g, g FROM generate_series(1, 20000) g;
SET application_name = 'psql';
CREATE INDEX unused_v_idx ON unused (v);

-- 6. pg_repack's sessions too, with their own reason.
SET application_name = 'pg_repack';
CREATE TABLE repack_copy (id int, v int);
INSERT INTO repack_copy SELECT g, g FROM generate_series(1, 20000) g;
CREATE UNIQUE INDEX repack_copy_id_idx ON repack_copy (id);
SELECT rule, relation, application_name, reason FROM migration_guard.events
 WHERE event_id > :start AND action = 'overridden' AND application_name = 'pg_repack';

-- 7. In one transaction with the CREATE, the usual rule applies (new in this transaction),
-- and nothing is recorded as an override.
SELECT count(*) AS overrides_before FROM migration_guard.events WHERE event_id > :start AND action = 'overridden' \gset
BEGIN;
CREATE TABLE one_tx (id int, v int);
INSERT INTO one_tx SELECT g, g FROM generate_series(1, 20000) g;
CREATE INDEX one_tx_v_idx ON one_tx (v);
COMMIT;
SELECT count(*) - :overrides_before AS new_overrides FROM migration_guard.events
 WHERE event_id > :start AND action = 'overridden';

-- 8. Warnings about a table that counts as new are not raised in restore sessions: the tool
-- replays a schema that was judged when it was first written. Elsewhere they are.
SET application_name = 'pg_restore';
CREATE TABLE quiet (id int PRIMARY KEY, at timestamp);
ALTER TABLE quiet SET (autovacuum_enabled = off);
SET application_name = 'psql';
CREATE TABLE loud (id int PRIMARY KEY, at timestamp);
ALTER TABLE loud SET (autovacuum_enabled = off);

RESET application_name;
\i test/regress/fixtures/teardown.sql
SET client_min_messages = warning;
DROP ROLE regress_mg_restorer;
