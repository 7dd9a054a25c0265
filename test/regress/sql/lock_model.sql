--
-- The statement-lock model (src/facts/locks.cpp) proven against PostgreSQL itself.
--
-- For each statement, lm_check() asks migration_guard.statement_locks() for the model's
-- answer, then runs the statement in a subtransaction that is always rolled back and reads
-- pg_locks for this backend: relation locks granted, SHARE UPDATE EXCLUSIVE or stronger, on
-- relations that existed before the statement, the strongest mode of each. The comparison is
-- exact, except that an index or TOAST relation the model leaves out must be locked no harder
-- than its table, which the model must list (the model's scope, locks.h). Every difference is
-- a row of lm_diffs: none is expected. Where PostgreSQL and the model disagree, PostgreSQL is
-- right and the model is fixed.
--
-- The guard itself is off (migration_guard.mode = off): the statements take PostgreSQL's
-- locks and nothing else, and none is refused.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS migration_guard;
RESET client_min_messages;
SET migration_guard.mode = off;
CREATE ROLE regress_lm_owner;
CREATE ROLE regress_lm_owner2;
CREATE SCHEMA lm;
SET search_path = lm, public;
-- (quiet: a publication warns when wal_level is not logical, and CASCADE lists what it drops)
SET client_min_messages = error;

-- ---------------------------------------------------------------------------- the fixture
-- a partitioned table: range partitions, one of them sub-partitioned, a DEFAULT partition,
-- a partitioned index, a row trigger and a statement trigger
CREATE TABLE pt (id int NOT NULL, k int, v text, w int, PRIMARY KEY (id)) PARTITION BY RANGE (id);
CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (100);
CREATE TABLE pt2 PARTITION OF pt FOR VALUES FROM (100) TO (200) PARTITION BY RANGE (id);
CREATE TABLE pt2a PARTITION OF pt2 FOR VALUES FROM (100) TO (150);
CREATE TABLE pt2b PARTITION OF pt2 FOR VALUES FROM (150) TO (200);
CREATE TABLE ptd PARTITION OF pt DEFAULT;
CREATE INDEX pt_k_idx ON pt (k);
-- w is NOT NULL in every partition, not in pt
ALTER TABLE pt1 ALTER COLUMN w SET NOT NULL;
ALTER TABLE pt2 ALTER COLUMN w SET NOT NULL;
ALTER TABLE ptd ALTER COLUMN w SET NOT NULL;
CREATE FUNCTION lm_trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER pt_row_trg AFTER INSERT ON pt FOR EACH ROW EXECUTE FUNCTION lm_trg();
CREATE TRIGGER pt_stmt_trg AFTER INSERT ON pt FOR EACH STATEMENT EXECUTE FUNCTION lm_trg();
-- tables to attach: a plain one and a partitioned one
CREATE TABLE pt_new (id int NOT NULL, k int, v text, w int NOT NULL);
CREATE TABLE pt_newp (id int NOT NULL, k int, v text, w int) PARTITION BY RANGE (id);
CREATE TABLE pt_newp1 PARTITION OF pt_newp FOR VALUES FROM (200) TO (250);
CREATE TABLE pt_newp2 PARTITION OF pt_newp FOR VALUES FROM (250) TO (300);
-- a partitioned table that a foreign key references
CREATE TABLE ptr (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE ptr1 PARTITION OF ptr FOR VALUES FROM (0) TO (100);
CREATE TABLE ptr2 PARTITION OF ptr FOR VALUES FROM (100) TO (200) PARTITION BY RANGE (id);
CREATE TABLE ptr2a PARTITION OF ptr2 FOR VALUES FROM (100) TO (200);
CREATE TABLE fk_to_ptr (id int PRIMARY KEY, ptr_id int REFERENCES ptr);
ALTER TABLE ptr ADD CONSTRAINT ptr_nv CHECK (id >= 0) NOT VALID;
CREATE TABLE ptr_new (id int NOT NULL, CONSTRAINT ptr_nv CHECK (id >= 0));
-- a partitioned table with a foreign key of its own
CREATE TABLE ptf (id int, par_id int) PARTITION BY LIST (id);
CREATE TABLE ptf1 PARTITION OF ptf FOR VALUES IN (1);
CREATE TABLE ptf_new (id int, par_id int);
-- inheritance: two children and a grandchild, a CHECK not validated yet
CREATE TABLE ih (id int, a int);
CREATE TABLE ih_c1 () INHERITS (ih);
CREATE TABLE ih_c2 () INHERITS (ih);
CREATE TABLE ih_g1 () INHERITS (ih_c1);
ALTER TABLE ih ADD CONSTRAINT ih_chk CHECK (a > 0) NOT VALID;
CREATE TABLE ih_new (id int, a int, CONSTRAINT ih_chk CHECK (a > 0));
CREATE TRIGGER ih_row_trg AFTER INSERT ON ih FOR EACH ROW EXECUTE FUNCTION lm_trg();
-- foreign keys both ways: par <- chi <- gchi, and one not validated yet
CREATE TABLE par (id int PRIMARY KEY, name text);
ALTER TABLE ptf ADD FOREIGN KEY (par_id) REFERENCES par;
CREATE TABLE chi (id int PRIMARY KEY, par_id int REFERENCES par, note text);
CREATE TABLE gchi (id int PRIMARY KEY, chi_id int REFERENCES chi ON DELETE CASCADE);
CREATE TABLE chi_nv (id int, par_id int);
ALTER TABLE chi_nv ADD CONSTRAINT chi_nv_fk FOREIGN KEY (par_id) REFERENCES par NOT VALID;
-- identity and serial columns
CREATE TABLE idt (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, x int);
CREATE TABLE ser (id serial PRIMARY KEY, x int);
-- a domain used by two tables
CREATE DOMAIN posint AS int;
CREATE TABLE dom1 (id int, p posint);
CREATE TABLE dom2 (id int, p posint);
-- a typed table
CREATE TYPE comp AS (a int, b text);
CREATE TABLE typed OF comp;
-- a view and a matview
CREATE VIEW chi_v AS SELECT id, note FROM chi;
CREATE MATERIALIZED VIEW chi_mv AS SELECT id, note FROM chi;
CREATE UNIQUE INDEX chi_mv_id ON chi_mv (id);
-- a foreign table
CREATE FOREIGN DATA WRAPPER lm_fdw;
CREATE SERVER lm_srv FOREIGN DATA WRAPPER lm_fdw;
CREATE FOREIGN TABLE ft (id int, a int) SERVER lm_srv;
-- a plain table with indexes, a policy, a rule, a trigger, a view, statistics
CREATE TABLE plain (id int PRIMARY KEY, a int, b text);
CREATE INDEX plain_a_idx ON plain (a);
CREATE INDEX plain_expr_idx ON plain ((a + 1));
CREATE SEQUENCE lm_seq;
CREATE UNIQUE INDEX plain_b_key ON plain (b);
CREATE POLICY plain_pol ON plain USING (true);
CREATE RULE plain_rule AS ON INSERT TO plain DO ALSO NOTIFY lm;
CREATE TRIGGER plain_trg BEFORE UPDATE ON plain FOR EACH ROW EXECUTE FUNCTION lm_trg();
CREATE VIEW plain_v AS SELECT a FROM plain;
CREATE STATISTICS plain_st ON a, b FROM plain;
-- an exclusion constraint
CREATE TABLE exc (id int, r int4range, EXCLUDE USING gist (r WITH &&));
-- a temporary table
CREATE TEMP TABLE tmp_t (id int PRIMARY KEY, a int);
-- a partitioned index with a partition's index not attached yet
CREATE INDEX pt_v_idx ON ONLY pt (v);
CREATE INDEX lm_detached_idx ON pt1 (v);
-- a view over a view and an inheritance parent
CREATE VIEW lm_vv AS SELECT chi_v.id, chi_v.note FROM chi_v JOIN ih USING (id);
-- schemas, roles, a publication
CREATE SCHEMA lm_s2;
CREATE SCHEMA lm_s3;
CREATE TABLE lm_s3.t (id int REFERENCES par);
CREATE VIEW lm_s3.v AS SELECT a FROM plain;
CREATE PUBLICATION lm_pub0 FOR TABLE chi;
CREATE TABLE lm_own (id int REFERENCES par);
ALTER TABLE lm_own OWNER TO regress_lm_owner2;
-- a second tablespace (in place), for the statements that move relations
SET allow_in_place_tablespaces = on;
CREATE TABLESPACE lm_ts LOCATION '';
RESET allow_in_place_tablespaces;

-- ---------------------------------------------------------------------------- the harness
CREATE FUNCTION lm_rank(mode text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT array_position(ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock',
                              'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'], mode)
$$;
CREATE TABLE lm_result (no serial, stmt text, model_n int, pg_n int);
CREATE TABLE lm_diffs (no serial, stmt text, relation text, model text, pg_locks text);

-- Runs stmt and compares what it locked with the model's answer for model_text (stmt itself,
-- unless the statement runs others, as a function does). Returns the number of differences.
CREATE FUNCTION lm_check(stmt text, model_text text DEFAULT NULL) RETURNS int LANGUAGE plpgsql AS $fn$
DECLARE
  before jsonb;
  model jsonb;
  got jsonb;
  n_diffs int;
BEGIN
  -- every relation before the statement: its name, its kind, and the table an index or
  -- TOAST relation belongs to (for a TOAST table's index: the main table)
  SELECT jsonb_object_agg(c.oid::text, jsonb_build_object('n', c.oid::regclass::text, 'k', c.relkind,
           't', coalesce(tt.oid, it.oid, i.indrelid)))
    INTO before
    FROM pg_class c
    LEFT JOIN pg_index i ON i.indexrelid = c.oid
    LEFT JOIN pg_class tt ON tt.reltoastrelid = c.oid
    LEFT JOIN pg_class it ON it.reltoastrelid = i.indrelid;
  SELECT jsonb_object_agg(relation::oid::text, lock_mode) INTO model
    FROM migration_guard.statement_locks(coalesce(model_text, stmt));
  BEGIN
    EXECUTE stmt;
    SELECT jsonb_object_agg(relation::text, mode) INTO got
      FROM (SELECT l.relation, (array_agg(l.mode ORDER BY lm_rank(l.mode) DESC))[1] AS mode
              FROM pg_locks l
             WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid() AND l.granted
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND lm_rank(l.mode) >= lm_rank('ShareUpdateExclusiveLock') AND before ? l.relation::text
             GROUP BY l.relation) s;
    RAISE EXCEPTION USING ERRCODE = 'MGRBK', MESSAGE = 'rolled back';
  EXCEPTION WHEN SQLSTATE 'MGRBK' THEN NULL;
  END;
  model := coalesce(model, '{}');
  -- an index or TOAST relation that the model leaves out, locked no harder than its table,
  -- which the model lists, is in the model's scope: not a difference
  SELECT coalesce(jsonb_object_agg(r, got->r), '{}') INTO got
    FROM jsonb_object_keys(coalesce(got, '{}')) r
   WHERE NOT (model->>r IS NULL AND before->r->>'k' IN ('i', 'I', 't')
              AND lm_rank(got->>r) <= lm_rank(model->>(before->r->>'t')));
  INSERT INTO lm_result (stmt, model_n, pg_n)
    SELECT stmt, (SELECT count(*) FROM jsonb_object_keys(model)), (SELECT count(*) FROM jsonb_object_keys(got));
  INSERT INTO lm_diffs (stmt, relation, model, pg_locks)
    SELECT stmt, before->r->>'n', model->>r, got->>r
      FROM (SELECT jsonb_object_keys(model) UNION SELECT jsonb_object_keys(got)) k(r)
     WHERE (model->>r) IS DISTINCT FROM (got->>r)
     ORDER BY 2;
  GET DIAGNOSTICS n_diffs = ROW_COUNT;
  RETURN n_diffs;
END $fn$;

-- ---------------------------------------------------------------------------- every statement kind
SELECT count(*) AS statements, sum(lm_check(stmt)) AS differences FROM (VALUES
  -- ALTER TABLE: columns
  ($$ALTER TABLE plain ADD COLUMN c int$$),
  ($$ALTER TABLE plain ADD COLUMN c int DEFAULT 1$$),
  ($$ALTER TABLE plain ADD COLUMN c serial$$),
  ($$ALTER TABLE plain ADD COLUMN c int REFERENCES par$$),
  ($$ALTER TABLE plain ADD COLUMN c int REFERENCES ptr$$),
  ($$ALTER TABLE plain ADD COLUMN c int UNIQUE$$),
  ($$ALTER TABLE pt ADD COLUMN c int$$),
  ($$ALTER TABLE ih ADD COLUMN c int$$),
  ($$ALTER TABLE ft ADD COLUMN c int$$),
  ($$ALTER TABLE pt ALTER COLUMN k SET DEFAULT 1$$),
  ($$ALTER TABLE ONLY pt ALTER COLUMN k SET DEFAULT 1$$),
  ($$ALTER TABLE ih ALTER COLUMN a SET DEFAULT 1$$),
  ($$ALTER TABLE ONLY ih ALTER COLUMN a DROP DEFAULT$$),
  ($$ALTER TABLE ser ALTER COLUMN id DROP DEFAULT$$),
  ($$ALTER VIEW chi_v ALTER COLUMN note SET DEFAULT 'x'$$),
  ($$ALTER TABLE pt ALTER COLUMN k SET NOT NULL$$),
  ($$ALTER TABLE ONLY pt ALTER COLUMN w SET NOT NULL$$),
  ($$ALTER TABLE ONLY pt ALTER COLUMN id SET NOT NULL$$),
  ($$ALTER TABLE pt ALTER COLUMN id SET NOT NULL$$),
  ($$ALTER TABLE ih ALTER COLUMN a SET NOT NULL$$),
  ($$ALTER TABLE ONLY ih ALTER COLUMN a SET NOT NULL$$),
  ($$ALTER TABLE pt ALTER COLUMN k DROP NOT NULL$$),
  ($$ALTER TABLE ih ALTER COLUMN a DROP NOT NULL$$),
  ($$ALTER TABLE plain ALTER COLUMN a SET STATISTICS 100$$),
  ($$ALTER TABLE pt ALTER COLUMN k SET STATISTICS 100$$),
  ($$ALTER TABLE ih ALTER COLUMN a SET STATISTICS 100$$),
  ($$ALTER TABLE pt ALTER COLUMN k SET (n_distinct = 10)$$),
  ($$ALTER TABLE pt ALTER COLUMN v SET STORAGE EXTERNAL$$),
  ($$ALTER TABLE plain ALTER COLUMN b SET COMPRESSION pglz$$),
  ($$ALTER TABLE pt ALTER COLUMN k SET STATISTICS 100, ALTER COLUMN k SET DEFAULT 2$$),
  ($$ALTER TABLE plain DROP COLUMN b$$),
  ($$ALTER TABLE plain DROP COLUMN a CASCADE$$),
  ($$ALTER TABLE pt DROP COLUMN k$$),
  ($$ALTER TABLE ih DROP COLUMN a$$),
  ($$ALTER TABLE ONLY ih DROP COLUMN a$$),
  ($$ALTER TABLE chi DROP COLUMN par_id$$),
  ($$ALTER TABLE par DROP COLUMN id CASCADE$$),
  ($$ALTER TABLE fk_to_ptr DROP COLUMN ptr_id$$),
  ($$ALTER TABLE idt DROP COLUMN id$$),
  ($$ALTER TABLE ser DROP COLUMN id$$),
  ($$ALTER TABLE plain ALTER COLUMN b TYPE varchar(10)$$),
  ($$ALTER TABLE par ALTER COLUMN id TYPE bigint$$),
  ($$ALTER TABLE chi ALTER COLUMN par_id TYPE bigint$$),
  ($$ALTER TABLE pt ALTER COLUMN k TYPE bigint$$),
  ($$ALTER TABLE ih ALTER COLUMN a TYPE bigint$$),
  ($$ALTER TABLE dom1 ALTER COLUMN p TYPE int$$),
  ($$ALTER TABLE exc ALTER COLUMN id TYPE bigint$$),
  ($$ALTER TABLE idt ALTER COLUMN id TYPE bigint$$),
  ($$ALTER TABLE fk_to_ptr ALTER COLUMN ptr_id TYPE bigint$$),
  -- ALTER TABLE: constraints
  ($$ALTER TABLE pt ADD CONSTRAINT pt_c1 CHECK (k > 0)$$),
  ($$ALTER TABLE pt ADD CONSTRAINT pt_c1 CHECK (k > 0) NOT VALID$$),
  ($$ALTER TABLE ih ADD CONSTRAINT ih_c1 CHECK (a > 0)$$),
  ($$ALTER TABLE ONLY ih ADD CONSTRAINT ih_c1 CHECK (a > 0) NO INHERIT$$),
  ($$ALTER TABLE plain ADD CONSTRAINT plain_fk FOREIGN KEY (a) REFERENCES par$$),
  ($$ALTER TABLE plain ADD CONSTRAINT plain_fk FOREIGN KEY (a) REFERENCES par NOT VALID$$),
  ($$ALTER TABLE plain ADD CONSTRAINT plain_fk FOREIGN KEY (a) REFERENCES ptr$$),
  ($$ALTER TABLE pt ADD CONSTRAINT pt_fk FOREIGN KEY (k) REFERENCES par$$),
  ($$ALTER TABLE ih ADD CONSTRAINT ih_fk FOREIGN KEY (a) REFERENCES par$$),
  ($$ALTER TABLE par ADD CONSTRAINT par_self FOREIGN KEY (id) REFERENCES par$$),
  ($$ALTER TABLE ptf ADD CONSTRAINT ptf_ptr FOREIGN KEY (id) REFERENCES ptr$$),
  ($$ALTER TABLE plain ADD CONSTRAINT plain_u UNIQUE (a)$$),
  ($$ALTER TABLE pt ADD CONSTRAINT pt_u UNIQUE (id, k)$$),
  ($$ALTER TABLE ih ADD CONSTRAINT ih_u UNIQUE (a)$$),
  ($$ALTER TABLE ih ADD PRIMARY KEY (a)$$),
  ($$ALTER TABLE pt_new ADD PRIMARY KEY (k)$$),
  ($$ALTER TABLE pt_newp ADD PRIMARY KEY (id)$$),
  ($$ALTER TABLE pt_newp ADD PRIMARY KEY (id, k)$$),
  ($$ALTER TABLE ONLY pt_newp ADD CONSTRAINT pt_newp_u UNIQUE (id)$$),
  ($$ALTER TABLE ih ADD PRIMARY KEY (id)$$),
  ($$ALTER TABLE plain ADD CONSTRAINT plain_u2 UNIQUE USING INDEX plain_b_key$$),
  ($$ALTER TABLE plain ADD CONSTRAINT plain_x EXCLUDE USING btree (a WITH =)$$),
  ($$ALTER TABLE chi DROP CONSTRAINT chi_par_id_fkey$$),
  ($$ALTER TABLE par DROP CONSTRAINT par_pkey CASCADE$$),
  ($$ALTER TABLE ptr DROP CONSTRAINT ptr_pkey CASCADE$$),
  ($$ALTER TABLE fk_to_ptr DROP CONSTRAINT fk_to_ptr_ptr_id_fkey$$),
  ($$ALTER TABLE ptf DROP CONSTRAINT ptf_par_id_fkey$$),
  ($$ALTER TABLE ih DROP CONSTRAINT ih_chk$$),
  ($$ALTER TABLE ONLY ih DROP CONSTRAINT ih_chk$$),
  ($$ALTER TABLE pt DROP CONSTRAINT pt_pkey$$),
  ($$ALTER TABLE chi ALTER CONSTRAINT chi_par_id_fkey DEFERRABLE$$),
  ($$ALTER TABLE fk_to_ptr ALTER CONSTRAINT fk_to_ptr_ptr_id_fkey DEFERRABLE$$),
  ($$ALTER TABLE ptf ALTER CONSTRAINT ptf_par_id_fkey DEFERRABLE$$),
  ($$ALTER TABLE chi_nv VALIDATE CONSTRAINT chi_nv_fk$$),
  ($$ALTER TABLE ih VALIDATE CONSTRAINT ih_chk$$),
  ($$ALTER TABLE ptr VALIDATE CONSTRAINT ptr_nv$$),
  ($$ALTER TABLE chi VALIDATE CONSTRAINT chi_par_id_fkey$$),
  -- ALTER TABLE: partitions
  ($$ALTER TABLE pt ATTACH PARTITION pt_new FOR VALUES FROM (200) TO (300)$$),
  ($$ALTER TABLE pt ATTACH PARTITION pt_newp FOR VALUES FROM (200) TO (300)$$),
  ($$ALTER TABLE pt2 ATTACH PARTITION pt_new FOR VALUES FROM (200) TO (300)$$),
  ($$ALTER TABLE ptr ATTACH PARTITION ptr_new FOR VALUES FROM (200) TO (300)$$),
  ($$ALTER TABLE ptf ATTACH PARTITION ptf_new FOR VALUES IN (2)$$),
  ($$ALTER TABLE pt DETACH PARTITION pt1$$),
  ($$ALTER TABLE pt DETACH PARTITION pt2$$),
  ($$ALTER TABLE pt DETACH PARTITION ptd$$),
  ($$ALTER TABLE pt2 DETACH PARTITION pt2a$$),
  ($$ALTER TABLE ptr DETACH PARTITION ptr1$$),
  ($$ALTER TABLE ptr DETACH PARTITION ptr2$$),
  ($$ALTER TABLE ptf DETACH PARTITION ptf1$$),
  -- ALTER TABLE: owner, storage, tablespaces, options, inheritance, triggers, rules, identity, temporary tables, IF EXISTS
  ($$ALTER TABLE plain ADD COLUMN c int GENERATED ALWAYS AS IDENTITY$$),
  ($$ALTER TABLE plain OWNER TO regress_lm_owner$$),
  ($$ALTER TABLE ser OWNER TO regress_lm_owner$$),
  ($$ALTER TABLE idt OWNER TO regress_lm_owner$$),
  ($$ALTER TABLE pt OWNER TO regress_lm_owner$$),
  ($$ALTER TABLE plain OWNER TO CURRENT_USER$$),
  ($$ALTER TABLE plain CLUSTER ON plain_pkey$$),
  ($$ALTER TABLE plain SET WITHOUT CLUSTER$$),
  ($$ALTER TABLE plain SET UNLOGGED$$),
  ($$ALTER TABLE idt SET UNLOGGED$$),
  ($$ALTER TABLE ser SET UNLOGGED$$),
  ($$ALTER TABLE ser SET LOGGED$$),
  ($$ALTER TABLE plain SET ACCESS METHOD heap$$),
  ($$ALTER TABLE plain SET TABLESPACE pg_default$$),
  ($$ALTER TABLE pt SET TABLESPACE pg_default$$),
  ($$ALTER TABLE plain SET TABLESPACE lm_ts$$),
  ($$ALTER TABLE chi_mv SET TABLESPACE lm_ts$$),
  ($$ALTER TABLE ALL IN TABLESPACE pg_default OWNED BY regress_lm_owner2 SET TABLESPACE lm_ts$$),
  ($$ALTER TABLE plain SET (fillfactor = 50)$$),
  ($$ALTER TABLE plain SET (autovacuum_enabled = false)$$),
  ($$ALTER TABLE plain RESET (fillfactor)$$),
  ($$ALTER TABLE ih_new INHERIT ih$$),
  ($$ALTER TABLE ih_c2 NO INHERIT ih$$),
  ($$ALTER TABLE plain REPLICA IDENTITY FULL$$),
  ($$ALTER TABLE plain REPLICA IDENTITY USING INDEX plain_pkey$$),
  ($$ALTER TABLE plain ENABLE ROW LEVEL SECURITY$$),
  ($$ALTER TABLE plain FORCE ROW LEVEL SECURITY$$),
  ($$ALTER TABLE typed NOT OF$$),
  ($$ALTER TABLE plain DISABLE TRIGGER plain_trg$$),
  ($$ALTER TABLE pt DISABLE TRIGGER pt_row_trg$$),
  ($$ALTER TABLE pt DISABLE TRIGGER pt_stmt_trg$$),
  ($$ALTER TABLE ONLY pt DISABLE TRIGGER pt_row_trg$$),
  ($$ALTER TABLE pt DISABLE TRIGGER ALL$$),
  ($$ALTER TABLE pt ENABLE TRIGGER USER$$),
  ($$ALTER TABLE ih DISABLE TRIGGER ih_row_trg$$),
  ($$ALTER TABLE plain DISABLE RULE plain_rule$$),
  ($$ALTER TABLE idt ALTER COLUMN id SET GENERATED BY DEFAULT$$),
  ($$ALTER TABLE idt ALTER COLUMN id RESTART WITH 100$$),
  ($$ALTER TABLE idt ALTER COLUMN id DROP IDENTITY$$),
  ($$ALTER TABLE pt_new ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY$$),
  ($$ALTER FOREIGN TABLE ft OPTIONS (ADD x 'y')$$),
  ($$ALTER FOREIGN TABLE ft ALTER COLUMN a OPTIONS (ADD x 'y')$$),
  ($$ALTER TABLE tmp_t ADD COLUMN c int$$),
  ($$ALTER TABLE IF EXISTS lm_missing ADD COLUMN c int$$),
  -- ALTER INDEX, ALTER MATERIALIZED VIEW, ALTER VIEW, ALTER SEQUENCE
  ($$ALTER INDEX ALL IN TABLESPACE pg_default OWNED BY regress_lm_owner2 SET TABLESPACE lm_ts$$),
  ($$ALTER INDEX plain_a_idx SET (fillfactor = 50)$$),
  ($$ALTER INDEX plain_a_idx RESET (fillfactor)$$),
  ($$ALTER INDEX plain_a_idx SET TABLESPACE pg_default$$),
  ($$ALTER INDEX pt_v_idx ATTACH PARTITION lm_detached_idx$$),
  ($$ALTER INDEX plain_expr_idx ALTER COLUMN 1 SET STATISTICS 100$$),
  ($$ALTER MATERIALIZED VIEW chi_mv SET (fillfactor = 50)$$),
  ($$ALTER MATERIALIZED VIEW chi_mv ALTER COLUMN note SET STATISTICS 100$$),
  ($$ALTER MATERIALIZED VIEW chi_mv CLUSTER ON chi_mv_id$$),
  ($$ALTER VIEW chi_v SET (security_barrier)$$),
  ($$ALTER VIEW chi_v OWNER TO regress_lm_owner$$),
  ($$ALTER SEQUENCE ser_id_seq RESTART$$),
  ($$ALTER SEQUENCE ser_id_seq INCREMENT 2$$),
  ($$ALTER SEQUENCE ser_id_seq OWNED BY NONE$$),
  ($$ALTER SEQUENCE ser_id_seq OWNED BY plain.a$$),
  ($$ALTER SEQUENCE ser_id_seq AS bigint$$),
  ($$ALTER SEQUENCE lm_seq OWNER TO regress_lm_owner$$),
  ($$ALTER SEQUENCE ser_id_seq SET UNLOGGED$$),
  ($$ALTER SEQUENCE IF EXISTS lm_missing RESTART$$),
  ($$ALTER STATISTICS plain_st SET STATISTICS 100$$),
  -- RENAME
  ($$ALTER INDEX plain_a_idx RENAME TO plain_a_idx2$$),
  ($$ALTER INDEX pt_k_idx RENAME TO pt_k_idx2$$),
  ($$ALTER TABLE plain RENAME TO plain2$$),
  ($$ALTER TABLE pt RENAME TO pt_x$$),
  ($$ALTER TABLE pt1 RENAME TO pt1_x$$),
  ($$ALTER VIEW chi_v RENAME TO chi_v2$$),
  ($$ALTER MATERIALIZED VIEW chi_mv RENAME TO chi_mv2$$),
  ($$ALTER FOREIGN TABLE ft RENAME TO ft2$$),
  ($$ALTER SEQUENCE ser_id_seq RENAME TO ser_seq2$$),
  ($$ALTER TABLE plain RENAME COLUMN a TO a2$$),
  ($$ALTER TABLE pt RENAME COLUMN k TO k2$$),
  ($$ALTER TABLE ih RENAME COLUMN a TO a2$$),
  ($$ALTER VIEW chi_v RENAME COLUMN note TO note2$$),
  ($$ALTER TABLE chi RENAME CONSTRAINT chi_par_id_fkey TO chi_fk2$$),
  ($$ALTER TABLE chi RENAME CONSTRAINT chi_pkey TO chi_pk2$$),
  ($$ALTER TABLE ih RENAME CONSTRAINT ih_chk TO ih_chk2$$),
  ($$ALTER TRIGGER pt_row_trg ON pt RENAME TO pt_row_trg2$$),
  ($$ALTER TRIGGER pt_stmt_trg ON pt RENAME TO pt_stmt_trg2$$),
  ($$ALTER TRIGGER plain_trg ON plain RENAME TO plain_trg2$$),
  ($$ALTER POLICY plain_pol ON plain RENAME TO plain_pol2$$),
  ($$ALTER RULE plain_rule ON plain RENAME TO plain_rule2$$),
  -- composite types (typed tables), SET SCHEMA
  ($$ALTER TYPE comp RENAME TO comp2$$),
  ($$ALTER TYPE comp RENAME ATTRIBUTE a TO a2 CASCADE$$),
  ($$ALTER TYPE comp ADD ATTRIBUTE c int CASCADE$$),
  ($$ALTER TYPE comp DROP ATTRIBUTE b CASCADE$$),
  ($$ALTER TYPE comp ALTER ATTRIBUTE a TYPE bigint CASCADE$$),
  ($$ALTER TYPE comp OWNER TO regress_lm_owner$$),
  ($$ALTER TYPE comp SET SCHEMA lm_s2$$),
  ($$ALTER TABLE plain SET SCHEMA lm_s2$$),
  ($$ALTER TABLE ser SET SCHEMA lm_s2$$),
  ($$ALTER TABLE idt SET SCHEMA lm_s2$$),
  ($$ALTER TABLE pt SET SCHEMA lm_s2$$),
  ($$ALTER VIEW chi_v SET SCHEMA lm_s2$$),
  ($$ALTER MATERIALIZED VIEW chi_mv SET SCHEMA lm_s2$$),
  -- ALTER DOMAIN (tables with a column of the domain)
  ($$ALTER DOMAIN posint ADD CONSTRAINT posint_pos CHECK (VALUE > 0)$$),
  ($$ALTER DOMAIN posint ADD CONSTRAINT posint_pos CHECK (VALUE > 0) NOT VALID$$),
  ($$ALTER DOMAIN posint SET NOT NULL$$),
  ($$ALTER DOMAIN posint DROP NOT NULL$$),
  ($$ALTER DOMAIN posint SET DEFAULT 1$$),
  ($$ALTER DOMAIN posint RENAME TO posint2$$),
  -- CREATE TABLE
  ($$CREATE TABLE lm_n1 (id int REFERENCES par)$$),
  ($$CREATE TABLE lm_n1 (id int REFERENCES ptr)$$),
  ($$CREATE TABLE lm_n1 (id int, FOREIGN KEY (id) REFERENCES par)$$),
  ($$CREATE TABLE lm_n1 PARTITION OF pt FOR VALUES FROM (300) TO (400)$$),
  ($$CREATE TABLE lm_n1 PARTITION OF pt2 FOR VALUES FROM (300) TO (400)$$),
  ($$CREATE TABLE lm_n1 PARTITION OF pt2 DEFAULT$$),
  ($$CREATE TABLE lm_n1 PARTITION OF ptr FOR VALUES FROM (300) TO (400)$$),
  ($$CREATE TABLE lm_n1 PARTITION OF ptf FOR VALUES IN (3)$$),
  ($$CREATE TABLE lm_n1 PARTITION OF pt_newp FOR VALUES FROM (300) TO (400)$$),
  ($$CREATE FOREIGN TABLE lm_n1 PARTITION OF pt_newp FOR VALUES FROM (300) TO (400) SERVER lm_srv$$),
  ($$CREATE TABLE lm_n1 () INHERITS (ih)$$),
  ($$CREATE TABLE lm_n1 () INHERITS (ih_c1, ih_c2)$$),
  ($$CREATE TABLE lm_n1 (LIKE plain INCLUDING ALL)$$),
  ($$CREATE TABLE lm_n1 OF comp$$),
  ($$CREATE TABLE lm_n1 AS SELECT * FROM plain$$),
  ($$CREATE TABLE IF NOT EXISTS plain (id int)$$),
  ($$CREATE TEMP TABLE lm_n1 (id int REFERENCES tmp_t)$$),
  -- CREATE INDEX, DROP INDEX, REINDEX
  ($$CREATE INDEX ON plain (b)$$),
  ($$CREATE INDEX ON pt (v)$$),
  ($$CREATE INDEX ON ONLY pt (v)$$),
  ($$CREATE INDEX ON pt2 (v)$$),
  ($$CREATE INDEX ON ih (a)$$),
  ($$CREATE INDEX ON chi_mv (note)$$),
  ($$CREATE UNIQUE INDEX ON pt (id, v)$$),
  ($$CREATE INDEX ON pt_newp (v)$$),
  ($$CREATE INDEX IF NOT EXISTS plain_a_idx ON plain (a)$$),
  ($$CREATE INDEX ON tmp_t (a)$$),
  ($$DROP INDEX plain_a_idx$$),
  ($$DROP INDEX pt_k_idx$$),
  ($$DROP INDEX chi_mv_id$$),
  ($$DROP INDEX plain_a_idx, plain_b_key$$),
  ($$REINDEX INDEX plain_a_idx$$),
  ($$REINDEX INDEX pt1_pkey$$),
  ($$REINDEX TABLE plain$$),
  ($$REINDEX TABLE chi_mv$$),
  ($$REINDEX TABLE pt1$$),
  -- DROP (dependencies, CASCADE), DROP OWNED, REASSIGN OWNED
  ($$DROP TABLE plain CASCADE$$),
  ($$DROP TABLE gchi$$),
  ($$DROP TABLE chi CASCADE$$),
  ($$DROP TABLE par CASCADE$$),
  ($$DROP TABLE ih CASCADE$$),
  ($$DROP TABLE ih_g1$$),
  ($$DROP TABLE idt$$),
  ($$DROP TABLE ser$$),
  ($$DROP TABLE fk_to_ptr$$),
  ($$DROP TABLE ptf$$),
  ($$DROP TABLE dom1$$),
  ($$DROP TABLE typed$$),
  ($$DROP TABLE pt$$),
  ($$DROP TABLE pt1$$),
  ($$DROP TABLE ptd$$),
  ($$DROP TABLE pt2$$),
  ($$DROP TABLE pt2a$$),
  ($$DROP TABLE ptr1 CASCADE$$),
  ($$DROP TABLE ptr CASCADE$$),
  ($$DROP TABLE tmp_t$$),
  ($$DROP TABLE IF EXISTS lm_missing, gchi$$),
  ($$DROP VIEW chi_v CASCADE$$),
  ($$DROP VIEW lm_vv$$),
  ($$DROP VIEW plain_v$$),
  ($$DROP MATERIALIZED VIEW chi_mv$$),
  ($$DROP FOREIGN TABLE ft$$),
  ($$DROP SEQUENCE ser_id_seq CASCADE$$),
  ($$DROP TYPE comp CASCADE$$),
  ($$DROP DOMAIN posint CASCADE$$),
  ($$DROP FUNCTION lm_trg() CASCADE$$),
  ($$DROP STATISTICS plain_st$$),
  ($$DROP SERVER lm_srv CASCADE$$),
  ($$DROP FOREIGN DATA WRAPPER lm_fdw CASCADE$$),
  ($$DROP SCHEMA lm_s3 CASCADE$$),
  ($$DROP OWNED BY regress_lm_owner2$$),
  ($$REASSIGN OWNED BY regress_lm_owner2 TO regress_lm_owner$$),
  -- TRUNCATE
  ($$TRUNCATE plain$$),
  ($$TRUNCATE pt$$),
  ($$TRUNCATE pt2$$),
  ($$TRUNCATE ONLY ih$$),
  ($$TRUNCATE ih$$),
  ($$TRUNCATE par CASCADE$$),
  ($$TRUNCATE par, chi, gchi, ptf, chi_nv, lm_s3.t, lm_own$$),
  ($$TRUNCATE ptr CASCADE$$),
  ($$TRUNCATE idt RESTART IDENTITY$$),
  ($$TRUNCATE ser RESTART IDENTITY$$),
  ($$TRUNCATE ser CONTINUE IDENTITY$$),
  ($$TRUNCATE tmp_t$$),
  -- triggers, policies, rules
  ($$CREATE TRIGGER lm_tr BEFORE INSERT ON plain FOR EACH ROW EXECUTE FUNCTION lm_trg()$$),
  ($$CREATE TRIGGER lm_tr AFTER UPDATE ON pt FOR EACH ROW EXECUTE FUNCTION lm_trg()$$),
  ($$CREATE TRIGGER lm_tr AFTER INSERT ON pt FOR EACH STATEMENT EXECUTE FUNCTION lm_trg()$$),
  ($$CREATE TRIGGER lm_tr INSTEAD OF INSERT ON chi_v FOR EACH ROW EXECUTE FUNCTION lm_trg()$$),
  ($$CREATE TRIGGER lm_tr BEFORE UPDATE ON ih FOR EACH ROW EXECUTE FUNCTION lm_trg()$$),
  ($$CREATE CONSTRAINT TRIGGER lm_tr AFTER INSERT ON plain FROM par FOR EACH ROW EXECUTE FUNCTION lm_trg()$$),
  ($$CREATE OR REPLACE TRIGGER pt_row_trg AFTER INSERT ON pt FOR EACH ROW EXECUTE FUNCTION lm_trg()$$),
  ($$DROP TRIGGER plain_trg ON plain$$),
  ($$DROP TRIGGER pt_row_trg ON pt$$),
  ($$DROP TRIGGER pt_stmt_trg ON pt$$),
  ($$DROP TRIGGER ih_row_trg ON ih$$),
  ($$CREATE POLICY lm_pol ON plain USING (true)$$),
  ($$CREATE POLICY lm_pol ON pt USING (true)$$),
  ($$ALTER POLICY plain_pol ON plain USING (false)$$),
  ($$DROP POLICY plain_pol ON plain$$),
  ($$CREATE RULE lm_rule AS ON UPDATE TO plain DO ALSO NOTIFY lm$$),
  ($$CREATE RULE lm_rule AS ON INSERT TO chi_v DO INSTEAD NOTHING$$),
  ($$CREATE RULE lm_rule AS ON DELETE TO plain DO ALSO DELETE FROM par$$),
  ($$CREATE OR REPLACE RULE plain_rule AS ON INSERT TO plain DO ALSO NOTIFY lm2$$),
  ($$DROP RULE plain_rule ON plain$$),
  -- LOCK TABLE (children, views)
  ($$LOCK TABLE plain$$),
  ($$LOCK TABLE plain IN SHARE MODE$$),
  ($$LOCK TABLE plain IN SHARE UPDATE EXCLUSIVE MODE$$),
  ($$LOCK TABLE plain IN ROW EXCLUSIVE MODE$$),
  ($$LOCK TABLE pt IN SHARE MODE$$),
  ($$LOCK TABLE ONLY pt IN SHARE MODE$$),
  ($$LOCK TABLE pt2 IN EXCLUSIVE MODE$$),
  ($$LOCK TABLE ih IN EXCLUSIVE MODE$$),
  ($$LOCK TABLE chi_v IN ACCESS EXCLUSIVE MODE$$),
  ($$LOCK TABLE plain_v IN SHARE MODE$$),
  ($$LOCK TABLE lm_vv IN SHARE MODE$$),
  ($$LOCK TABLE plain, par IN SHARE ROW EXCLUSIVE MODE NOWAIT$$),
  -- CLUSTER, REFRESH MATERIALIZED VIEW, ANALYZE
  ($$CLUSTER plain USING plain_pkey$$),
  ($$CLUSTER chi_mv USING chi_mv_id$$),
  ($$REFRESH MATERIALIZED VIEW chi_mv$$),
  ($$REFRESH MATERIALIZED VIEW CONCURRENTLY chi_mv$$),
  ($$ANALYZE plain$$),
  ($$ANALYZE pt$$),
  ($$ANALYZE ih$$),
  ($$ANALYZE plain, par$$),
  -- COMMENT ON, GRANT, views, statistics, publications, CREATE SCHEMA
  ($$COMMENT ON TABLE plain IS 'x'$$),
  ($$COMMENT ON COLUMN plain.a IS 'x'$$),
  ($$COMMENT ON INDEX plain_a_idx IS 'x'$$),
  ($$COMMENT ON CONSTRAINT chi_par_id_fkey ON chi IS 'x'$$),
  ($$COMMENT ON TRIGGER plain_trg ON plain IS 'x'$$),
  ($$COMMENT ON VIEW chi_v IS 'x'$$),
  ($$COMMENT ON SEQUENCE ser_id_seq IS 'x'$$),
  ($$COMMENT ON MATERIALIZED VIEW chi_mv IS 'x'$$),
  ($$COMMENT ON FOREIGN TABLE ft IS 'x'$$),
  ($$COMMENT ON TYPE comp IS 'x'$$),
  ($$GRANT SELECT ON plain TO PUBLIC$$),
  ($$GRANT SELECT ON ALL TABLES IN SCHEMA lm TO PUBLIC$$),
  ($$REVOKE SELECT ON plain FROM PUBLIC$$),
  ($$GRANT SELECT (a) ON plain TO PUBLIC$$),
  ($$CREATE VIEW lm_v2 AS SELECT * FROM plain$$),
  ($$CREATE OR REPLACE VIEW chi_v AS SELECT id, note FROM chi$$),
  ($$CREATE OR REPLACE VIEW chi_v AS SELECT id, note, par_id FROM chi$$),
  ($$CREATE OR REPLACE VIEW lm_v3 AS SELECT 1 AS x$$),
  ($$CREATE MATERIALIZED VIEW lm_mv2 AS SELECT * FROM plain$$),
  ($$CREATE STATISTICS lm_st ON a, b FROM plain$$),
  ($$CREATE PUBLICATION lm_pub FOR TABLE plain, pt$$),
  ($$CREATE PUBLICATION lm_pub FOR ALL TABLES$$),
  ($$ALTER PUBLICATION lm_pub0 ADD TABLE plain$$),
  ($$ALTER PUBLICATION lm_pub0 SET TABLE par$$),
  ($$ALTER PUBLICATION lm_pub0 DROP TABLE chi$$),
  ($$CREATE SCHEMA lm_s4 CREATE TABLE t (id int REFERENCES lm.par) CREATE VIEW v AS SELECT 1 AS x$$)
) s(stmt);
RESET client_min_messages;

-- Every difference between the model and pg_locks: none.
SELECT stmt, relation, model, pg_locks FROM lm_diffs ORDER BY no;
-- How many relations each statement locks (SHARE UPDATE EXCLUSIVE or stronger, indexes and
-- TOAST relations locked no harder than their table left out): the model's count, equal to
-- pg_locks' for every statement.
SELECT model_n AS relations, stmt FROM lm_result WHERE model_n = pg_n ORDER BY no;
SELECT count(*) AS model_differs_from_pg_locks FROM lm_result WHERE model_n <> pg_n;

-- ---------------------------------------------------------------------------- statements with transactions of their own
-- VACUUM, CLUSTER and REINDEX of a partitioned table, and the CONCURRENTLY forms, commit
-- transactions of their own, so no transaction block can hold them for pg_locks to be read.
-- They are watched from inside instead: an index expression (lm_spy.seen) reads pg_locks each
-- time the statement builds that index, which it does holding its locks, and reports each
-- relation of the fixture locked SHARE UPDATE EXCLUSIVE or stronger against the model's
-- answer: "ok" (the model lists it at that mode, or it is an index or TOAST relation locked
-- no harder than its table) or the difference. (Its findings cannot outlive the statement's
-- own GUC nest level, so they are NOTICEs.)
CREATE SCHEMA lm_spy;
CREATE TABLE lm_spy.before (relid oid);
CREATE TABLE lm_spy.model (relid oid, mode text);
CREATE FUNCTION lm_spy.seen(x int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT l.relation::regclass::text AS rel, l.mode,
           CASE WHEN lm.lm_rank(m.mode) >= lm.lm_rank(l.mode) THEN 'ok'
                WHEN lm.lm_rank(t.mode) >= lm.lm_rank(l.mode) THEN 'ok, no harder than its table'
                WHEN m.mode IS NULL THEN 'NOT IN THE MODEL'
                ELSE 'STRONGER THAN THE MODEL (' || m.mode || ')' END AS verdict
      FROM pg_locks l
      LEFT JOIN lm_spy.model m ON m.relid = l.relation
      LEFT JOIN pg_index i ON i.indexrelid = l.relation
      LEFT JOIN pg_class tt ON tt.reltoastrelid = l.relation
      LEFT JOIN lm_spy.model t ON t.relid = coalesce(i.indrelid, tt.oid)
     WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid() AND l.granted
       AND lm.lm_rank(l.mode) >= lm.lm_rank('ShareUpdateExclusiveLock')
       AND l.relation IN (SELECT relid FROM lm_spy.before)
       AND EXISTS (SELECT 1 FROM lm_spy.model)
     ORDER BY 1, 2
  LOOP
    RAISE NOTICE 'index build of %: % %: %', x, r.rel, r.mode, r.verdict;
  END LOOP;
  RETURN x;
END $$;
CREATE TABLE lm_spy.t (id int PRIMARY KEY);
INSERT INTO lm_spy.t VALUES (1);
CREATE INDEX t_spy ON lm_spy.t (lm_spy.seen(id));
CREATE TABLE lm_spy.p (id int) PARTITION BY RANGE (id);
CREATE TABLE lm_spy.p1 PARTITION OF lm_spy.p FOR VALUES FROM (0) TO (10);
CREATE TABLE lm_spy.p2 PARTITION OF lm_spy.p FOR VALUES FROM (10) TO (20);
INSERT INTO lm_spy.p VALUES (1), (11);
CREATE INDEX p_id ON lm_spy.p (id);
CREATE INDEX p_spy ON lm_spy.p (lm_spy.seen(id));
-- Before the statement: the model's answer, and the relations that exist; after it: nothing.
CREATE FUNCTION lm_spy.expect(stmt text) RETURNS SETOF text LANGUAGE sql AS $$
  TRUNCATE lm_spy.model, lm_spy.before;
  INSERT INTO lm_spy.model SELECT relation, lock_mode FROM migration_guard.statement_locks(stmt);
  INSERT INTO lm_spy.before SELECT oid FROM pg_class;
  SELECT relid::regclass::text || ' ' || mode FROM lm_spy.model ORDER BY 1;
$$;
CREATE FUNCTION lm_spy.done() RETURNS void LANGUAGE sql AS $$ TRUNCATE lm_spy.model $$;
SELECT lm_spy.expect($$VACUUM FULL lm_spy.t$$);
VACUUM FULL lm_spy.t;
SELECT lm_spy.expect($$VACUUM FULL lm_spy.p$$);
VACUUM FULL lm_spy.p;
SELECT lm_spy.expect($$CLUSTER lm_spy.p USING p_id$$);
CLUSTER lm_spy.p USING p_id;
SELECT lm_spy.expect($$REINDEX TABLE lm_spy.p$$);
REINDEX TABLE lm_spy.p;
SELECT lm_spy.expect($$REINDEX INDEX lm_spy.p_spy$$);
REINDEX INDEX lm_spy.p_spy;
SELECT lm_spy.expect($$REINDEX TABLE CONCURRENTLY lm_spy.t$$);
REINDEX TABLE CONCURRENTLY lm_spy.t;
SELECT lm_spy.expect($$CREATE INDEX CONCURRENTLY t_spy2 ON lm_spy.t (lm_spy.seen(id + 1))$$);
CREATE INDEX CONCURRENTLY t_spy2 ON lm_spy.t (lm_spy.seen(id + 1));
SELECT lm_spy.done();
-- The others have no index build to watch: the model's answer, from the code.
SELECT statement_no, relation, lock_mode, role FROM migration_guard.statement_locks($$
  VACUUM lm_spy.t;
  VACUUM (FULL) lm_spy.p;
  DROP INDEX CONCURRENTLY lm_spy.t_spy2;
  ALTER TABLE lm_spy.p DETACH PARTITION lm_spy.p2 CONCURRENTLY;
  REINDEX SCHEMA lm_spy;
$$) WHERE relation::text NOT LIKE 'pg_toast.%' ORDER BY 1, 2::text;

-- ---------------------------------------------------------------------------- 1,000 partitions
CREATE TABLE lm_big (id int, k int) PARTITION BY RANGE (id);
DO $$
BEGIN
  FOR i IN 1..1000 LOOP
    EXECUTE format('CREATE TABLE lm_big_%s PARTITION OF lm_big FOR VALUES FROM (%s) TO (%s)', i, i * 10, i * 10 + 10);
  END LOOP;
END $$;
-- every partition is listed, right after the partitioned table
SELECT count(*) AS locks, count(*) FILTER (WHERE role = 'child') AS partitions,
       (array_agg(relation ORDER BY ord))[1] AS first, (array_agg(relation ORDER BY ord))[1001] AS last
  FROM migration_guard.statement_locks('ALTER TABLE lm_big ADD COLUMN c int') WITH ORDINALITY AS s(statement_no, relation, lock_mode, role, ord);
SET client_min_messages = warning;
SELECT lm_check(stmt) AS differences, stmt FROM (VALUES
  ($$ALTER TABLE lm_big ADD COLUMN c int$$),
  ($$CREATE INDEX ON lm_big (k)$$),
  ($$LOCK TABLE lm_big IN SHARE MODE$$),
  ($$TRUNCATE lm_big$$),
  ($$DROP TABLE lm_big$$)
) s(stmt);
RESET client_min_messages;
SELECT model_n AS relations, stmt FROM lm_result WHERE stmt LIKE '%lm_big%' ORDER BY no;

-- ---------------------------------------------------------------------------- edge cases
-- A missing relation is left out: PostgreSQL's own error follows when the statement runs.
SELECT * FROM migration_guard.statement_locks($$ALTER TABLE lm_missing ADD COLUMN c int; DROP INDEX lm_missing_idx$$);
ALTER TABLE lm_missing ADD COLUMN c int;
-- A relation created earlier in the same text is new: nobody can be waiting on it, so it is
-- left out; the other relations its statements lock are not.
SELECT statement_no, relation, lock_mode, role FROM migration_guard.statement_locks($$
  CREATE TABLE lm_n2 (id int PRIMARY KEY, par_id int);
  ALTER TABLE lm_n2 ADD FOREIGN KEY (par_id) REFERENCES par;
  CREATE INDEX ON lm_n2 (par_id);
  ALTER TABLE plain ADD CONSTRAINT plain_n2 FOREIGN KEY (a) REFERENCES lm_n2;
  CREATE TABLE lm_n3 PARTITION OF pt FOR VALUES FROM (500) TO (600);
  ALTER TABLE lm_n3 ADD COLUMN c int;
  ALTER TABLE pt DETACH PARTITION lm_n3;
  DROP TABLE plain;
  ALTER TABLE plain ADD COLUMN c int;
$$) ORDER BY 1, 2::text;
-- The same inside one transaction block (in_transaction => true): the same locks.
SELECT count(*) FROM migration_guard.statement_locks($$ALTER TABLE pt ADD COLUMN c int; TRUNCATE par CASCADE$$, true);
-- A statement in a function: the model is per statement. The call itself names no relation;
-- the statement the function runs locks what the model says it locks.
CREATE FUNCTION lm_fn() RETURNS void LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE pt ADD COLUMN from_fn int; END $$;
SELECT * FROM migration_guard.statement_locks($t$SELECT lm_fn(); DO $$ BEGIN ALTER TABLE pt ADD COLUMN c int; END $$$t$);
SELECT lm_check($$SELECT lm_fn()$$, $$ALTER TABLE pt ADD COLUMN from_fn int$$) AS differences;
-- statement_locks() itself locks no table: after it, this transaction holds no lock on any
-- relation of the fixture.
BEGIN;
SELECT count(*) > 0 AS answered FROM migration_guard.statement_locks($$
  ALTER TABLE pt ADD COLUMN c int; DROP TABLE chi CASCADE; TRUNCATE par CASCADE; LOCK TABLE lm_vv;
  ALTER TABLE pt DETACH PARTITION pt2; REINDEX TABLE plain; ALTER DOMAIN posint SET NOT NULL$$);
SELECT count(*) AS locks_on_fixture
  FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'
   AND (c.relnamespace IN ('lm'::regnamespace, 'lm_s3'::regnamespace) OR c.relname LIKE 'pg_toast%');
COMMIT;
-- Any role may ask (the catalogs it reads are readable by every role), as it may call check().
SET ROLE regress_lm_owner;
SELECT count(*) FROM migration_guard.statement_locks($$LOCK TABLE public.lm_nothing_here$$);
SELECT has_function_privilege('migration_guard.statement_locks(text, boolean)', 'EXECUTE') AS may_call;
RESET ROLE;
-- A syntax error is PostgreSQL's own, with where it is in the text.
SELECT * FROM migration_guard.statement_locks($$LOCK TABLE plain;
ALTER TABLE plain ADD COLUMN;$$);
SELECT count(*) FROM migration_guard.statement_locks(NULL);
SELECT count(*) FROM migration_guard.statement_locks('');

-- ---------------------------------------------------------------------------- clean up
SET client_min_messages = warning;
DROP SCHEMA lm, lm_s2, lm_s3, lm_spy CASCADE;
DROP PUBLICATION lm_pub0;
DROP FOREIGN DATA WRAPPER lm_fdw CASCADE;
DROP TABLESPACE lm_ts;
DROP ROLE regress_lm_owner;
DROP ROLE regress_lm_owner2;
RESET client_min_messages;
RESET search_path;
RESET migration_guard.mode;
