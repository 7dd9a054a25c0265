--
-- migration_guard.fix() and fix_script(): the safe form of a migration text, without running it
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS migration_guard;
RESET client_min_messages;
CREATE SCHEMA fx;
SET search_path = fx;
SET migration_guard.large_table_threshold = '1MB';

-- large tables (their indexes built while they were empty), a small one, a partitioned one
-- with a large table to attach, an unlogged one, a domain with a CHECK
CREATE TABLE big (id bigint CONSTRAINT big_pkey PRIMARY KEY, c int, pad text);
CREATE INDEX big_pad_idx ON big (pad);
INSERT INTO big SELECT g, g % 1000, repeat('x', 20) FROM generate_series(1, 34000) g;
CREATE TABLE p (id bigint CONSTRAINT p_pkey PRIMARY KEY);
INSERT INTO p SELECT g FROM generate_series(0, 999) g;
CREATE TABLE nopk (id bigint, c int);
INSERT INTO nopk SELECT g, g FROM generate_series(1, 40000) g;
CREATE TABLE parted (id bigint, c int) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (20000);
CREATE TABLE parted_2 (id bigint, c int);
INSERT INTO parted_2 SELECT g, g FROM generate_series(20000, 59999) g;
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
-- small tables for the names of unnamed constraints
CREATE TABLE nm (a int, b bigint, CONSTRAINT nm_b_check CHECK (b > 0));
CREATE TABLE nm_ref (id bigint CONSTRAINT nm_ref_pkey PRIMARY KEY);
ANALYZE big, p, nopk, parted_2;

\pset format unaligned
\pset fieldsep ' | '

-- what fix() gives, and the error-level findings check() still has on fix_script()'s text
CREATE FUNCTION pg_temp.fixed(m text)
RETURNS TABLE (step int, sql text, runs_in text, xact int, replaces int, reason text)
LANGUAGE sql AS $$
  SELECT step, sql, runs_in, transaction_no, replaces_statement, reason FROM migration_guard.fix(m) $$;
CREATE FUNCTION pg_temp.still(m text) RETURNS text
LANGUAGE sql AS $$
  SELECT coalesce(string_agg(rule, ', ' ORDER BY statement_no), 'none')
    FROM migration_guard.check(migration_guard.fix_script(m)) WHERE severity = 'error' $$;

-- every rule with an automatic rewrite ------------------------------------------------------

-- create_index_blocking: CONCURRENTLY, outside any transaction, with the name PostgreSQL would give
\set m 'CREATE INDEX ON big (c);'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- concurrently_in_transaction: out of the block
\set m 'BEGIN; CREATE INDEX CONCURRENTLY big_c_idx ON big (c); COMMIT;'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- drop_index_blocking and reindex_blocking
\set m 'DROP INDEX big_pad_idx;'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
\set m 'REINDEX INDEX big_pad_idx;'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- check_constraint_validating: NOT VALID under a lock_timeout, then VALIDATE on its own
\set m 'ALTER TABLE big ADD CONSTRAINT big_c_pos CHECK (c >= 0);'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- constraint_unnamed: the name PostgreSQL would have given
\set m 'ALTER TABLE big ADD CHECK (c >= 0);'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- two in one text: the second gets the name PostgreSQL will give it once the first exists, in
-- fix() and in check()'s hint alike
SELECT step, sql FROM pg_temp.fixed('ALTER TABLE big ADD CHECK (c >= 0); ALTER TABLE big ADD CHECK (c >= 0);')
 WHERE sql LIKE '%ADD CONSTRAINT%';
SELECT statement_no, hint FROM migration_guard.check('ALTER TABLE big ADD CHECK (c >= 0); ALTER TABLE big ADD CHECK (c >= 0);')
 WHERE rule = 'constraint_unnamed';
-- the names check() gives, then the names PostgreSQL gives running the same text: taken in the
-- whole schema (nm_a's own CHECK takes nm_a_check2), freed by a DROP (of one the text added,
-- or of one in the catalog: nm_b_check) and by a ROLLBACK
\set m 'ALTER TABLE nm ADD CHECK (a > 0);\nALTER TABLE nm ADD CHECK (a > 1);\nCREATE TABLE nm_a (x int, y int, CHECK (x > y));\nALTER TABLE nm_a ADD CHECK (x > 0);\nALTER TABLE nm DROP CONSTRAINT nm_a_check1;\nALTER TABLE nm ADD CHECK (a > 2);\nBEGIN;\nALTER TABLE nm ADD CHECK (a > 3);\nROLLBACK;\nALTER TABLE nm ADD CHECK (a > 4);\nALTER TABLE nm ADD UNIQUE (a);\nALTER TABLE nm ADD UNIQUE (a);\nALTER TABLE nm ADD FOREIGN KEY (b) REFERENCES nm_ref (id);\nALTER TABLE nm ADD FOREIGN KEY (b) REFERENCES nm_ref (id);\nALTER TABLE nm ADD CHECK (b > 1);\nALTER TABLE nm DROP CONSTRAINT nm_b_check;\nALTER TABLE nm ADD CHECK (b > 2);\n'
SELECT statement_no, substring(detail FROM 'would generate the names? (.*?)\. Generated') AS check_names
  FROM migration_guard.check(E:'m') WHERE rule = 'constraint_unnamed';
SET migration_guard.mode = off;
SELECT s FROM regexp_split_to_table(E:'m', E';\n') s WHERE s <> '' \gexec
RESET migration_guard.mode;
SELECT conrelid::regclass AS "table", conname AS postgresql_names FROM pg_constraint
 WHERE conrelid IN ('nm'::regclass, 'nm_a'::regclass) AND contype <> 'n' ORDER BY oid;
-- foreign_key_validating (and fk_without_index: the index comes first)
\set m 'ALTER TABLE big ADD CONSTRAINT big_c_fkey FOREIGN KEY (c) REFERENCES p (id);'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- validate_in_same_transaction: the user's block is split, and the reason says so
\set m 'BEGIN; ALTER TABLE big ADD CONSTRAINT big_c_pos CHECK (c >= 0) NOT VALID; ALTER TABLE big VALIDATE CONSTRAINT big_c_pos; COMMIT;'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- unique_constraint_blocking and primary_key_blocking: the index first, then USING INDEX
\set m 'ALTER TABLE big ADD CONSTRAINT big_id_c_key UNIQUE (id, c);'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
\set m 'ALTER TABLE nopk ADD PRIMARY KEY (id);'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- set_not_null_scan, in an ALTER TABLE with a second subcommand: cut in two, each fixed
\set m 'ALTER TABLE big ALTER COLUMN c SET NOT NULL, ADD CONSTRAINT big_c_pos CHECK (c >= 0);'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- add_column_volatile_default and add_column_serial_or_identity: column, default, batched fill
\set m 'ALTER TABLE big ADD COLUMN created timestamptz DEFAULT clock_timestamp();'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
\set m 'ALTER TABLE big ADD COLUMN s bigserial;'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- dml_without_where: batched
\set m 'UPDATE big SET c = 0;'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- backfill_under_exclusive_lock: the fill leaves the block that added the column
\set m 'BEGIN; ALTER TABLE big ADD COLUMN d int; UPDATE big SET d = c; COMMIT;'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- attach_partition_scan: the recipe is laid out, but the simulation cannot prove the ATTACH
-- safe after it, so that step is flagged rather than passed off as fixed
\set m 'ALTER TABLE parted ATTACH PARTITION parted_2 FOR VALUES FROM (20000) TO (60000);'
SELECT * FROM pg_temp.fixed(:'m');
SELECT pg_temp.still(:'m');
-- the flag is in the text too: fixing the fixed text keeps that step as it is
SELECT migration_guard.fix_script(migration_guard.fix_script(:'m')) = migration_guard.fix_script(:'m') AS idempotent;

-- rules with no automatic rewrite: kept as written, with a comment, flagged -----------------
SELECT r.rule_stmt, f.replaces, left(f.sql, strpos(f.sql, E'\n') - 1) AS first_line, f.reason
  FROM (VALUES ('ALTER TABLE big ALTER COLUMN c TYPE bigint;'),
               ('ALTER TABLE big ADD COLUMN c2 int GENERATED ALWAYS AS (c * 2) STORED;'),
               ('ALTER TABLE big ADD COLUMN r int NOT NULL;'),
               ('ALTER TABLE big ADD CONSTRAINT big_c_excl EXCLUDE USING btree (c WITH =);'),
               ('VACUUM FULL big;'),
               ('ALTER TABLE big RENAME COLUMN pad TO padding;')) AS r(rule_stmt),
       LATERAL pg_temp.fixed(r.rule_stmt) AS f;
-- check() on the result: only the flagged statements still draw an error
SELECT pg_temp.still('ALTER TABLE big ALTER COLUMN c TYPE bigint; CREATE INDEX ON big (c);');

-- whole migrations ----------------------------------------------------------------------------
-- a migration check() finds clean comes back byte for byte, comments and spacing included
\set m '-- a safe migration\nCREATE TABLE fresh (id bigint PRIMARY KEY, c int);  -- new\n/* index it */ CREATE INDEX fresh_c_idx ON fresh (c);\n\nCREATE INDEX CONCURRENTLY big_c_idx ON big (c);\n-- the end\n'
SELECT count(*) AS findings FROM migration_guard.check(E:'m');
SELECT migration_guard.fix_script(E:'m') = E:'m' AS unchanged;
SELECT step, runs_in, replaces, reason IS NULL AS as_written FROM pg_temp.fixed(E:'m');
-- a mixed one: the comments stay before the statement they preceded, the untouched statements
-- are copied, the rewritten ones are introduced by a comment naming the rule
\set m '-- add an index and a check\nCREATE TABLE fresh (id bigint PRIMARY KEY);\n/* the index */\nCREATE INDEX ON big (c);\nSELECT 1; -- kept\nALTER TABLE big ADD CONSTRAINT big_c_pos CHECK (c >= 0);\n-- done\n'
SELECT migration_guard.fix_script(E:'m');
-- fixing the fixed text changes nothing
SELECT migration_guard.fix_script(migration_guard.fix_script(E:'m')) = migration_guard.fix_script(E:'m') AS idempotent;
SELECT migration_guard.fix_script(migration_guard.fix_script('ALTER TABLE big RENAME COLUMN pad TO padding;'))
     = migration_guard.fix_script('ALTER TABLE big RENAME COLUMN pad TO padding;') AS idempotent_decision;
-- in_transaction: judged as one block, as Alembic and Django run a migration
SELECT * FROM pg_temp.fixed('CREATE TABLE fresh (id bigint); CREATE INDEX ON big (c);');
SELECT step, sql, runs_in, transaction_no, reason
  FROM migration_guard.fix('CREATE TABLE fresh (id bigint); CREATE INDEX ON big (c);', true);
-- a block the user ends with ROLLBACK is never split (a split would commit part of what the
-- ROLLBACK undoes): a fix that stays in the block is made, one that must leave it is flagged;
-- the simulation rolls the block back (the index after it gets the first name again)
\set m 'BEGIN; -- a rehearsal\nALTER TABLE big ADD CONSTRAINT big_c_pos CHECK (c >= 0) NOT VALID;\nCREATE INDEX ON big (c);\nUPDATE big SET c = 0;\nROLLBACK; -- undone\nCREATE INDEX ON big (c);\n'
SELECT * FROM pg_temp.fixed(E:'m');
SELECT pg_temp.still(E:'m');
SELECT migration_guard.fix_script(E:'m');
SELECT migration_guard.fix_script(migration_guard.fix_script(E:'m')) = migration_guard.fix_script(E:'m') AS idempotent;
-- the same with in_transaction and a ROLLBACK at the end
SELECT step, sql, runs_in, transaction_no, reason FROM migration_guard.fix('CREATE INDEX ON big (c); ROLLBACK;', true);
-- a block that commits is split as before; one a SAVEPOINT spans is not
SELECT step, runs_in, xact, reason FROM pg_temp.fixed('BEGIN; SAVEPOINT s; CREATE INDEX ON big (c); RELEASE s; COMMIT;');
-- a comment at the end of a statement's line stays there, on a statement kept as written and on
-- the last step of a rewritten one; one after COMMIT goes with what follows; the part of a split
-- block after the split begins with a bare BEGIN
SELECT migration_guard.fix_script(E'CREATE TABLE fresh (id bigint);  -- kept\nCREATE INDEX ON big (c); /* why */ -- the report\nSELECT 1; SELECT 2; -- two\nBEGIN; -- open\nALTER TABLE big ADD CONSTRAINT big_c_pos CHECK (c >= 0); -- a check\nSELECT 3;\nCOMMIT; -- done\n-- end\n');
SELECT migration_guard.fix_script(migration_guard.fix_script(E'CREATE INDEX ON big (c); -- the report\nSELECT 1; -- one\n'))
     = migration_guard.fix_script(E'CREATE INDEX ON big (c); -- the report\nSELECT 1; -- one\n') AS idempotent_comments;
-- PostgreSQL 18 (fix_1.out; before 18 fix.out shows the parser's error on VIRTUAL): SET NOT NULL
-- becomes 18's own NOT NULL ... NOT VALID, VALIDATE (the constraint keeps the name SET NOT NULL
-- would give it); a VIRTUAL generated column is metadata only and kept as written; one with
-- NOT NULL, which scans, is flagged with the plan
SELECT * FROM pg_temp.fixed('ALTER TABLE big ALTER COLUMN c SET NOT NULL;');
SELECT migration_guard.fix_script('ALTER TABLE big ALTER COLUMN c SET NOT NULL;');
SELECT * FROM pg_temp.fixed('ALTER TABLE big ADD COLUMN v bigint GENERATED ALWAYS AS (id * 2) VIRTUAL;');
SELECT step, runs_in, replaces, reason FROM pg_temp.fixed('ALTER TABLE big ADD COLUMN v bigint GENERATED ALWAYS AS (id * 2) VIRTUAL NOT NULL;');
SELECT migration_guard.fix_script('ALTER TABLE big ADD COLUMN v bigint GENERATED ALWAYS AS (id * 2) VIRTUAL NOT NULL;');
SELECT pg_temp.still('ALTER TABLE big ADD COLUMN v bigint GENERATED ALWAYS AS (id * 2) VIRTUAL;');
-- PostgreSQL's own errors and the parser's: the statement as written, flagged
SELECT step, sql, reason FROM migration_guard.fix('CREATE INDEX ON no_such_table (c);');
SELECT step, sql, reason FROM migration_guard.fix('CREATE INDEX ON big (c); CREAT TABLE x ();');

-- many calls in one session, and the guard's mode does not matter ---------------------------
SELECT count(DISTINCT migration_guard.fix_script('CREATE INDEX ON big (c); UPDATE big SET c = 0;')) AS distinct_results,
       count(*) AS calls
  FROM generate_series(1, 200);
SELECT sum(n) AS rows FROM generate_series(1, 100) g,
       LATERAL (SELECT count(*) AS n FROM migration_guard.fix('CREATE INDEX ON big (c); ALTER TABLE big ADD CHECK (c > 0);')) x;
SET migration_guard.mode = off;
SELECT step, runs_in, reason FROM migration_guard.fix('CREATE INDEX ON big (c);');
RESET migration_guard.mode;

-- nothing ran: no index, no constraint, no column was made
SELECT count(*) AS indexes FROM pg_indexes WHERE schemaname = 'fx' AND tablename = 'big';
SELECT count(*) AS constraints FROM pg_constraint WHERE conrelid = 'big'::regclass AND contype <> 'n';
SELECT count(*) AS columns FROM pg_attribute WHERE attrelid = 'big'::regclass AND attnum > 0;

-- bad input: too large, as check(); NULL gives NULL
SELECT count(*) FROM migration_guard.check(repeat(' ', 64 * 1024 * 1024 + 1));
SELECT count(*) FROM migration_guard.fix(repeat(' ', 64 * 1024 * 1024 + 1));
SELECT migration_guard.fix_script(repeat(' ', 64 * 1024 * 1024 + 1)) IS NULL;
SELECT migration_guard.fix_script(NULL) IS NULL AS null_in_null_out;
SELECT count(*) FROM migration_guard.fix('');

-- an unprivileged user may call it; PostgreSQL's own permission error comes first, as in check():
-- the statement as written, flagged
CREATE ROLE regress_fix_user;
GRANT USAGE ON SCHEMA fx TO regress_fix_user;
SET ROLE regress_fix_user;
SELECT step, sql, runs_in, reason FROM migration_guard.fix('CREATE INDEX ON big (c);');
RESET ROLE;
REVOKE USAGE ON SCHEMA fx FROM regress_fix_user;
SET ROLE regress_fix_user;
SELECT rule FROM migration_guard.check('CREATE INDEX ON fx.big (c);') WHERE severity = 'error';
SELECT step, sql, reason FROM migration_guard.fix('CREATE INDEX ON fx.big (c);');
RESET ROLE;

-- running the fixed migration -------------------------------------------------------------
-- The same migration on two identical tables: on a1 its fix(), each step where it says it
-- runs (the guard in enforce mode refuses none of them); on b1 as written, with the guard off.
-- Both end with the same schema and the same rows.
CREATE TABLE a1 (id bigint CONSTRAINT a1_pkey PRIMARY KEY, c int, pad text);
CREATE TABLE b1 (id bigint CONSTRAINT b1_pkey PRIMARY KEY, c int, pad text);
INSERT INTO a1 SELECT g, g % 1000, repeat('x', 20) FROM generate_series(1, 34000) g;
INSERT INTO b1 SELECT * FROM a1;
CREATE TABLE p1 (id bigint CONSTRAINT p1_pkey PRIMARY KEY);
INSERT INTO p1 SELECT g FROM generate_series(0, 999) g;
ANALYZE a1, b1, p1;
\set m 'CREATE INDEX ON tbl (c);\nALTER TABLE tbl ADD CONSTRAINT tbl_c_pos CHECK (c >= 0), ALTER COLUMN c SET NOT NULL;\nALTER TABLE tbl ADD CONSTRAINT tbl_c_fkey FOREIGN KEY (c) REFERENCES p1 (id);\nALTER TABLE tbl ADD COLUMN n bigserial;\nUPDATE tbl SET pad = ''y'';\nALTER TABLE tbl ADD CONSTRAINT tbl_id_c_key UNIQUE (id, c);\n'
SELECT count(*) AS steps, count(*) FILTER (WHERE reason LIKE 'needs a decision%') AS decisions
  FROM migration_guard.fix(replace(E:'m', 'tbl', 'a1'));
SET client_min_messages = error;
WITH f AS (SELECT * FROM migration_guard.fix(replace(E:'m', 'tbl', 'a1')))
SELECT s FROM (
  SELECT 3 * step AS k, sql AS s FROM f
  UNION ALL SELECT 3 * min(step) - 1, 'BEGIN' FROM f WHERE transaction_no IS NOT NULL GROUP BY transaction_no
  UNION ALL SELECT 3 * max(step) + 1, 'COMMIT' FROM f WHERE transaction_no IS NOT NULL GROUP BY transaction_no
) x ORDER BY k \gexec
RESET client_min_messages;
SET migration_guard.mode = off;
SELECT replace(E:'m', 'tbl', 'b1') \gexec
RESET migration_guard.mode;
-- the schema: columns, constraints, indexes, with the table's name taken out
CREATE FUNCTION pg_temp.shape(t regclass, name text) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT 'column ' || attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' not null' ELSE '' END
         || coalesce(' default ' || replace(pg_get_expr(d.adbin, d.adrelid), name, 'T'), '')
    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE attrelid = t AND attnum > 0 AND NOT attisdropped
  UNION ALL
  SELECT 'constraint ' || replace(conname, name, 'T') || ' ' || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' (not validated)' END
    FROM pg_constraint WHERE conrelid = t AND contype <> 'n'  -- not PostgreSQL 18's not-null rows
  UNION ALL
  SELECT 'index ' || replace(pg_get_indexdef(indexrelid), name, 'T') || CASE WHEN indisvalid THEN '' ELSE ' (invalid)' END
    FROM pg_index WHERE indrelid = t $$;
SELECT * FROM pg_temp.shape('a1', 'a1') ORDER BY 1;
SELECT count(*) AS differences FROM (
  (SELECT * FROM pg_temp.shape('a1', 'a1') EXCEPT ALL SELECT * FROM pg_temp.shape('b1', 'b1'))
  UNION ALL
  (SELECT * FROM pg_temp.shape('b1', 'b1') EXCEPT ALL SELECT * FROM pg_temp.shape('a1', 'a1'))) x;
SELECT count(*) AS rows_differ FROM (
  (SELECT id, c, pad, n FROM a1 EXCEPT SELECT id, c, pad, n FROM b1)
  UNION ALL (SELECT id, c, pad, n FROM b1 EXCEPT SELECT id, c, pad, n FROM a1)) x;
-- PostgreSQL 18's not-null constraints (none before 18): the fix's NOT NULL ... NOT VALID then
-- VALIDATE leaves the same validated constraints, under the same names, as SET NOT NULL
SELECT replace(conname, 'a1', 'T') AS not_null_constraint, convalidated FROM pg_constraint
 WHERE conrelid = 'a1'::regclass AND contype = 'n' ORDER BY 1;
SELECT count(*) AS not_null_differences FROM (
  (SELECT replace(conname, 'a1', 'T'), convalidated FROM pg_constraint WHERE conrelid = 'a1'::regclass AND contype = 'n'
   EXCEPT SELECT replace(conname, 'b1', 'T'), convalidated FROM pg_constraint WHERE conrelid = 'b1'::regclass AND contype = 'n')
  UNION ALL
  (SELECT replace(conname, 'b1', 'T'), convalidated FROM pg_constraint WHERE conrelid = 'b1'::regclass AND contype = 'n'
   EXCEPT SELECT replace(conname, 'a1', 'T'), convalidated FROM pg_constraint WHERE conrelid = 'a1'::regclass AND contype = 'n')) x;

\pset format aligned
SET client_min_messages = error;
DROP SCHEMA fx CASCADE;
RESET client_min_messages;
DROP ROLE regress_fix_user;
