--
-- migration_guard.check(): the guard's verdicts on a migration text, without running it
--
\set schema chk
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '1MB';

-- a 2 MB table, a small one, a partitioned one
CREATE TABLE big (id int PRIMARY KEY, c int, pad text);
INSERT INTO big SELECT g, g % 1000, repeat('x', 20) FROM generate_series(1, 34000) g;
CREATE TABLE p (id int PRIMARY KEY);
INSERT INTO p SELECT g FROM generate_series(0, 999) g;
CREATE TABLE parted (id int, c int) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (20000);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (20000) TO (40000);
INSERT INTO parted SELECT g, g FROM generate_series(0, 39999) g;
ANALYZE big, p, parted;

\pset format unaligned
\pset fieldsep ' | '

-- both findings of the issue's example, with lines, lock modes and hints
SELECT statement_no, line, col, statement, rule, severity, relation, lock_mode,
       pg_size_pretty(table_size) AS size, estimated_rows
  FROM migration_guard.check($$CREATE INDEX ON big (c);
ALTER TABLE big ADD FOREIGN KEY (c) REFERENCES p(id);$$);
SELECT statement_no, message, detail, hint
  FROM migration_guard.check($$CREATE INDEX ON big (c);
ALTER TABLE big ADD FOREIGN KEY (c) REFERENCES p(id);$$);

-- the safe counterparts draw nothing
SELECT count(*) AS findings FROM migration_guard.check($$
CREATE INDEX CONCURRENTLY big_c_idx ON big (c);
ALTER TABLE big ADD CONSTRAINT big_c_fkey FOREIGN KEY (c) REFERENCES p(id) NOT VALID;
ALTER TABLE big VALIDATE CONSTRAINT big_c_fkey;
CREATE INDEX p_id_brin ON p USING brin (id);
UPDATE big SET c = 0 WHERE id = 1;
$$);

-- lines and columns: 1-based, columns in characters, leading comments skipped
SELECT statement_no, line, col, rule FROM migration_guard.check(
E'-- a migration\n/* header */\n\n   SELECT ''é€😀''; CREATE INDEX ON big (c);\n\tCREATE INDEX\n  ON big (id);');

-- partitioned parent: the ON ONLY recipe
SELECT statement_no, rule, relation, lock_mode, hint
  FROM migration_guard.check('CREATE INDEX parted_c_idx ON parted (c);');
SELECT count(*) AS findings FROM migration_guard.check('CREATE INDEX parted_c_idx ON ONLY parted (c);');

-- the simulated transaction --------------------------------------------------------------

-- a table created earlier in the text is new: no size-based finding on it (an unnamed
-- constraint is still one)
SELECT statement_no, rule FROM migration_guard.check($$
CREATE TABLE fresh (id int, c int, CONSTRAINT fresh_pkey PRIMARY KEY (id));
INSERT INTO fresh SELECT id, c FROM big;
CREATE INDEX ON fresh (c);
UPDATE fresh SET c = 0;
ALTER TABLE fresh ADD CHECK (c >= 0);
$$);

-- a table dropped earlier is gone (PostgreSQL's own error will come); created again, it is new
SELECT statement_no, rule FROM migration_guard.check($$
DROP TABLE big;
CREATE INDEX ON big (c);
CREATE TABLE big (id int, c int);
CREATE INDEX ON big (c);
$$);

-- a renamed table follows its name
SELECT statement_no, rule, relation FROM migration_guard.check($$
ALTER TABLE big RENAME TO big_old;
CREATE INDEX ON big (c);
CREATE INDEX ON big_old (c);
$$);

-- locks taken earlier in the same transaction block are held
SELECT statement_no, line, rule, lock_mode, estimated_rows FROM migration_guard.check($$
BEGIN;
ALTER TABLE big ADD COLUMN d int;
UPDATE big SET d = 1 WHERE id > 0;
COMMIT;
UPDATE big SET d = 1 WHERE id > 0;
$$);
-- ... and only there: without BEGIN each statement commits on its own
SELECT count(*) AS findings FROM migration_guard.check($$
ALTER TABLE big ADD COLUMN d int;
UPDATE big SET d = 1 WHERE id > 0;
$$);
-- in_transaction: the text runs in one transaction, as Alembic and Django run a migration
SELECT statement_no, rule, detail FROM migration_guard.check($$
ALTER TABLE big ADD COLUMN d int;
UPDATE big SET d = 1 WHERE id > 0;
$$, in_transaction => true);
-- ROLLBACK undoes what the block created and dropped
SELECT statement_no, rule FROM migration_guard.check($$
BEGIN;
DROP TABLE big;
CREATE TABLE p2 (id int);
ROLLBACK;
CREATE INDEX ON big (c);
ALTER TABLE p2 ADD CHECK (id > 0);
$$);
-- the data-change rules: a whole-table UPDATE, WHERE true, 1 = 1, DELETE
SELECT statement_no, rule, estimated_rows FROM migration_guard.check($$
UPDATE big SET c = 0;
UPDATE big SET c = 0 WHERE true;
DELETE FROM big WHERE 1 = 1;
DELETE FROM p;
UPDATE big SET c = 0 WHERE c = 1;
INSERT INTO big VALUES (0, 0, 'x');
$$);

-- CREATE SCHEMA elements are judged, in the new schema
SELECT statement_no, rule, relation FROM migration_guard.check(
  'CREATE SCHEMA fresh_s CREATE TABLE t (a int CHECK (a > 0));');
-- types and schemas created earlier in the text are known
SELECT statement_no, rule, relation FROM migration_guard.check($$
CREATE SCHEMA app;
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE app.t (m mood, a int UNIQUE);
$$);

-- bad input ---------------------------------------------------------------------------------

-- NULL: nothing; empty, blank or comments only: no rows
SELECT count(*) AS findings FROM migration_guard.check(NULL);
SELECT count(*) AS findings FROM migration_guard.check('');
SELECT count(*) AS findings FROM migration_guard.check(E'  \n-- nothing\n/* at all */ ;;');
-- a syntax error is a finding at its position; the findings before it are kept
SELECT statement_no, line, col, statement, rule, severity, message
  FROM migration_guard.check($$CREATE INDEX ON big (c);
CREATE INDEX ON ;
CREATE INDEX ON big (c);$$);
SELECT statement_no, line, col, rule, message
  FROM migration_guard.check(E'CREATE INDEX ON big (c);\nSELECT ''unterminated;\nCREATE INDEX ON big (c);');
SELECT statement_no, line, col, rule, message FROM migration_guard.check('SELECT (((((1');
-- a comment never closed after the last statement, or as the whole text: PostgreSQL's syntax
-- error, as when it runs (closed comments after the last statement draw nothing)
SELECT statement_no, line, col, statement, rule, message
  FROM migration_guard.check(E'CREATE INDEX ON big (c);
/* not closed
DROP TABLE big;');
SELECT statement_no, line, col, rule, message FROM migration_guard.check('/* a */ /* b /* nested */');
SELECT count(*) AS findings FROM migration_guard.check(E'SELECT 1; /* closed */ -- line
');
-- a BEGIN ATOMIC body holds semicolons of its own
SELECT statement_no, line, rule FROM migration_guard.check($$
CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;
CREATE INDEX ON big (c);
$$);
-- PostgreSQL's own errors: a missing table or column draws nothing (its error will come) ...
SELECT count(*) AS findings FROM migration_guard.check(
  'CREATE INDEX ON nosuch (c); CREATE INDEX ON big (nosuch); ALTER TABLE nosuch ADD CHECK (a > 0);');
-- ... and an error it raises while reading the catalog is a finding; the text is still read
SELECT statement_no, rule, severity, message, detail
  FROM migration_guard.check('CREATE INDEX ON otherdb.chk.big (c); CREATE INDEX ON big (c);');
-- deep nesting
SELECT rule, message FROM migration_guard.check('SELECT ' || repeat('(', 100000) || '1' || repeat(')', 100000));
-- too large
SELECT count(*) FROM migration_guard.check(repeat(' ', 64 * 1024 * 1024 + 1));
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM migration_guard.statement_locks(repeat(' ', 64 * 1024 * 1024 + 1));
\echo :LAST_ERROR_SQLSTATE
-- a long migration: 40000 statements, 2 MB, one finding at the end
SELECT statement_no, line, rule FROM migration_guard.check(
  repeat(E'COMMENT ON TABLE big IS ''x; y'';\n', 20000) ||
  repeat(E'CREATE INDEX CONCURRENTLY big_c_idx ON big (c);\n', 20000) || 'CREATE INDEX big_c_idx ON big (c);');

-- it never executes anything --------------------------------------------------------------
SET statement_timeout = '5s';
SELECT count(*) AS findings FROM migration_guard.check($$
DROP TABLE big;
SELECT pg_sleep(30);
INSERT INTO p VALUES (-1);
TRUNCATE p;
CREATE TABLE made_by_check (id int);
$$);
RESET statement_timeout;
SELECT count(*) AS big_rows FROM big;
SELECT count(*) AS p_rows, min(id) FROM p;
SELECT to_regclass('made_by_check') AS made_by_check;
-- and it takes no lock on a user table
BEGIN;
SELECT count(*) AS findings FROM migration_guard.check('CREATE INDEX ON big (c); LOCK TABLE p; UPDATE big SET c = 0;');
SELECT count(*) AS user_table_locks FROM pg_locks
 WHERE pid = pg_backend_pid() AND locktype = 'relation'
   AND relation IN ('big'::regclass, 'p'::regclass, 'big_pkey'::regclass, 'p_pkey'::regclass);
COMMIT;

-- policy ------------------------------------------------------------------------------------
-- warn mode: the same findings, as warnings
SET migration_guard.mode = warn;
SELECT rule, severity FROM migration_guard.check('CREATE INDEX ON big (c); ALTER TABLE p ADD CHECK (id >= 0);');
-- off: nothing
SET migration_guard.mode = off;
SELECT count(*) AS findings FROM migration_guard.check('CREATE INDEX ON big (c);');
RESET migration_guard.mode;
-- the threshold: big is small under 10MB
SET migration_guard.large_table_threshold = '10MB';
SELECT rule FROM migration_guard.check('CREATE INDEX ON big (c); ALTER TABLE p ADD CHECK (id >= 0);');
SET migration_guard.large_table_threshold = '1MB';
-- an unprivileged user may call it: on a table it may not index it gets PostgreSQL's own
-- permission error (as when the statement runs), and nothing about the table; once it may
-- (here as a member of the owner), the same verdicts as the owner
CREATE ROLE regress_chk_user;
GRANT USAGE ON SCHEMA chk TO regress_chk_user;
SET ROLE regress_chk_user;
SELECT rule, relation, table_size, estimated_rows, message, detail
  FROM migration_guard.check('CREATE INDEX ON big (c);');
RESET ROLE;
CREATE ROLE regress_chk_owner;
ALTER TABLE big OWNER TO regress_chk_owner;
GRANT regress_chk_owner TO regress_chk_user;
SET ROLE regress_chk_user;
SELECT rule, relation FROM migration_guard.check('CREATE INDEX ON big (c);');
RESET ROLE;

-- rules() -----------------------------------------------------------------------------------
SELECT * FROM migration_guard.rules() ORDER BY rule;
SET migration_guard.mode = warn;
SELECT rule, default_severity, effective_severity FROM migration_guard.rules() ORDER BY rule;
RESET migration_guard.mode;

\pset format aligned
\i test/regress/fixtures/teardown.sql
DROP ROLE regress_chk_user;
DROP ROLE regress_chk_owner;
