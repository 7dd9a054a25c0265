--
-- schema_advice: column types, keys, sequences and foreign keys, each with a migration that
-- avoids a long ACCESS EXCLUSIVE lock; the fixes are run where they can run as they stand
--
\set schema sa
\i test/regress/fixtures/setup.sql
-- findings carry long, multi-line texts: print them as they are
\pset format unaligned

-- the findings for this test's schema only
CREATE FUNCTION advice(range_share double precision DEFAULT 0.5, OUT kind text, OUT relation text,
                       OUT "column" text, OUT detail text, OUT fix text)
RETURNS SETOF record LANGUAGE sql AS
$$ SELECT * FROM migration_guard.schema_advice(range_share) WHERE relation LIKE 'sa.%' $$;

-- the function's contract: pinned search_path, STABLE, STRICT, callable by everyone
SELECT p.proname, p.provolatile, p.proisstrict, p.proconfig,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
  FROM pg_proc p WHERE p.oid = 'migration_guard.schema_advice(double precision)'::regprocedure;
-- range_share must be in (0, 1]; NULL gives nothing
-- (the SQLSTATE by \echo: VERBOSITY verbose would print pl_exec.c's line, which moves between releases)
SELECT * FROM migration_guard.schema_advice(0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migration_guard.schema_advice(1.5);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migration_guard.schema_advice(-0.5);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM migration_guard.schema_advice('NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM migration_guard.schema_advice(NULL);
SELECT count(*) >= 0 AS accepted FROM migration_guard.schema_advice(1);
-- an empty schema: no findings
SELECT * FROM advice();

--
-- timestamp_without_time_zone
--
CREATE TABLE visits (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                     seen timestamp, seen_tz timestamptz, booked timestamp NOT NULL);
CREATE INDEX visits_booked ON visits (booked);
INSERT INTO visits (seen, seen_tz, booked)
  SELECT timestamp '2024-03-31 00:30' + g * interval '1 hour', now(), timestamp '2024-01-01' + g * interval '1 day'
    FROM generate_series(1, 50) g;
SELECT kind, relation, "column", detail, fix FROM advice() WHERE kind = 'timestamp_without_time_zone' ORDER BY "column";
-- nothing depends on seen: changed in place with TimeZone = UTC, whatever the session's zone;
-- the table is not rewritten (same file) and every value is the same instant read as UTC
SET TimeZone = 'Europe/Paris';
CREATE TEMP TABLE before AS
  SELECT (SELECT relfilenode FROM pg_class WHERE oid = 'visits'::regclass) AS file,
         array_agg(seen ORDER BY id) AS seen FROM visits;
SELECT fix AS fix_sql FROM advice() WHERE kind = 'timestamp_without_time_zone' AND "column" = 'seen' \gset
:fix_sql
SHOW TimeZone;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'visits'::regclass AND attname = 'seen';
SELECT b.file = c.relfilenode AS same_file,
       b.seen = (SELECT array_agg(seen AT TIME ZONE 'UTC' ORDER BY id) FROM visits) AS same_utc_values
  FROM before b, pg_class c WHERE c.oid = 'visits'::regclass;
RESET TimeZone;
-- booked has an index: expand/contract. Run as it stands, it stops at the swap because
-- step 3 (move the index) is not done; nothing is lost
SELECT fix AS fix_sql FROM advice() WHERE kind = 'timestamp_without_time_zone' AND "column" = 'booked' \gset
:fix_sql
SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
 WHERE attrelid = 'visits'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT count(*) FILTER (WHERE booked_new = booked AT TIME ZONE 'UTC') AS converted, count(*) FROM visits;
-- step 3 done by hand, step 4 as advised: the swap goes through
CREATE INDEX CONCURRENTLY visits_booked_new ON visits (booked_new);
DROP INDEX CONCURRENTLY visits_booked;
SELECT substring(:'fix_sql' FROM '-- 4\. contract.*$') AS swap_sql \gset
:swap_sql
SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
 WHERE attrelid = 'visits'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT indexrelid::regclass, pg_get_indexdef(indexrelid) FROM pg_index
 WHERE indrelid = 'visits'::regclass ORDER BY 1::text;
INSERT INTO visits (seen, booked) VALUES (now(), now()) RETURNING booked = seen AS same_instant;
-- a partitioned table is reported, its partitions are not
CREATE TABLE stays (region int NOT NULL, arrived timestamp) PARTITION BY LIST (region);
CREATE TABLE stays_1 PARTITION OF stays FOR VALUES IN (1);
SELECT kind, relation, "column" FROM advice() WHERE kind = 'timestamp_without_time_zone';

--
-- json_column: expand/contract, run end to end (NOT NULL moved to the new column)
--
CREATE TABLE docs (id int NOT NULL, body json NOT NULL, meta jsonb,
                   CONSTRAINT docs_pkey PRIMARY KEY (id));
INSERT INTO docs SELECT g, json_build_object('n', g, 'tags', json_build_array('a', 'b')), '{}' FROM generate_series(1, 300) g;
SELECT kind, relation, "column", detail, fix FROM advice() WHERE kind = 'json_column';
SELECT fix AS fix_sql FROM advice() WHERE kind = 'json_column' \gset
:fix_sql
SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
 WHERE attrelid = 'docs'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
SELECT count(*) FILTER (WHERE (body->>'n')::int = id AND body->'tags' = '["a", "b"]') AS intact, count(*) FROM docs;
SELECT count(*) FROM pg_trigger WHERE tgrelid = 'docs'::regclass;
SELECT count(*) FROM advice() WHERE relation = 'sa.docs';

--
-- char_column: expand/contract; the padding goes, as it does in any char(n) to text cast
--
CREATE TABLE codes (id int NOT NULL, code char(5), name varchar(20), flag "char",
                    CONSTRAINT codes_pkey PRIMARY KEY (id));
INSERT INTO codes VALUES (1, 'ab', 'x', 'y'), (2, NULL, 'z', 'n'), (3, 'abcde', 'w', 'y');
SELECT kind, relation, "column", detail FROM advice() WHERE kind = 'char_column';
SELECT fix AS fix_sql FROM advice() WHERE kind = 'char_column' \gset
:fix_sql
SELECT id, code, octet_length(code), pg_typeof(code) FROM codes ORDER BY id;
-- the default moves as step 3 says; until it does, the swap stops
CREATE TABLE tags (id int NOT NULL, tag char(8) DEFAULT 'none', CONSTRAINT tags_pkey PRIMARY KEY (id));
INSERT INTO tags VALUES (1, 'red');
SELECT fix AS fix_sql FROM advice() WHERE kind = 'char_column' AND relation = 'sa.tags' \gset
SELECT substring(:'fix_sql' FROM '-- 3\..*-- 4\.') AS step3;
:fix_sql
ALTER TABLE tags ALTER COLUMN tag_new SET DEFAULT 'none';
SELECT substring(:'fix_sql' FROM '-- 4\. contract.*$') AS swap_sql \gset
:swap_sql
INSERT INTO tags (id) VALUES (2);
SELECT id, tag, pg_typeof(tag) FROM tags ORDER BY id;

--
-- no_primary_key
--
-- a unique index on NOT NULL columns is promoted
CREATE TABLE plans (code text NOT NULL, name text);
CREATE UNIQUE INDEX plans_code ON plans (code);
-- a UNIQUE constraint cannot be promoted: a twin index is built and promoted
CREATE TABLE regions (code int NOT NULL, CONSTRAINT regions_code_key UNIQUE (code));
-- a nullable unique column: NOT NULL is proven by a validated CHECK first
CREATE TABLE sessions (token text, CONSTRAINT sessions_token_key UNIQUE (token));
CREATE UNIQUE INDEX sessions_token ON sessions (token);
-- nothing to promote: a new bigint key, filled in batches
CREATE TABLE audit (at timestamptz, what text);
INSERT INTO audit SELECT now(), 'w' || g FROM generate_series(1, 2500) g;
-- partitioned: the key must contain the partition key; partitions are not reported
CREATE TABLE ledger (region int NOT NULL, amount int) PARTITION BY LIST (region);
CREATE TABLE ledger_1 PARTITION OF ledger FOR VALUES IN (1);
SELECT kind, relation, detail, fix FROM advice() WHERE kind = 'no_primary_key' ORDER BY relation;
INSERT INTO plans VALUES ('basic', 'Basic');
INSERT INTO regions VALUES (1), (2);
INSERT INTO sessions VALUES ('t1'), ('t2');
SELECT string_agg(fix, E'\n' ORDER BY relation) AS fix_sql FROM advice()
 WHERE kind = 'no_primary_key' AND relation <> 'sa.ledger' \gset
:fix_sql
SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE contype IN ('p', 'c') AND conrelid IN ('plans'::regclass, 'regions'::regclass, 'sessions'::regclass, 'audit'::regclass)
 ORDER BY 1::text, 2;
SELECT count(DISTINCT id) AS ids, count(*) AS rows, min(id), max(id) FROM audit;
SELECT kind, relation FROM advice() WHERE kind = 'no_primary_key';

--
-- serial_column
--
CREATE TABLE tickets (id serial PRIMARY KEY, other_id int DEFAULT nextval('tickets_id_seq'),
                      ident int GENERATED BY DEFAULT AS IDENTITY);
INSERT INTO tickets DEFAULT VALUES;
INSERT INTO tickets DEFAULT VALUES;
-- id: serial; other_id uses a sequence it does not own; ident is an identity already
SELECT kind, relation, "column", detail, fix FROM advice() WHERE kind = 'serial_column';
CREATE TEMP TABLE tickets_file AS SELECT relfilenode FROM pg_class WHERE oid = 'tickets'::regclass;
SELECT fix AS fix_sql FROM advice() WHERE kind = 'serial_column' AND relation = 'sa.tickets' \gset
:fix_sql
-- other_id's default used the old sequence: the transaction rolled back, nothing changed
SELECT attname, attidentity FROM pg_attribute WHERE attrelid = 'tickets'::regclass AND attnum > 0 ORDER BY attnum;
ALTER TABLE tickets ALTER COLUMN other_id DROP DEFAULT;
:fix_sql
SELECT attname, attidentity, attnotnull FROM pg_attribute WHERE attrelid = 'tickets'::regclass AND attnum > 0 ORDER BY attnum;
SELECT count(*) FROM pg_class WHERE relname = 'tickets_id_seq';
-- the identity goes on where the sequence stopped; the table was not rewritten
INSERT INTO tickets DEFAULT VALUES RETURNING id;
SELECT f.relfilenode = c.relfilenode AS same_file FROM tickets_file f, pg_class c WHERE c.oid = 'tickets'::regclass;
-- a serial column without NOT NULL gets it first, proven by a CHECK constraint
CREATE TABLE notes (n serial, body text);
ALTER TABLE notes ALTER COLUMN n DROP NOT NULL;
INSERT INTO notes (body) VALUES ('a'), ('b'), ('c');
SELECT fix FROM advice() WHERE kind = 'serial_column' AND relation = 'sa.notes';
SELECT fix AS fix_sql FROM advice() WHERE kind = 'serial_column' AND relation = 'sa.notes' \gset
:fix_sql
INSERT INTO notes (body) VALUES ('d') RETURNING n;
SELECT count(*) FROM advice() WHERE kind = 'serial_column';

--
-- int4_key_near_limit and sequence_near_limit
--
CREATE TABLE accounts (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text);
CREATE TABLE small_keys (id smallserial PRIMARY KEY);
CREATE TABLE big_keys (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);
CREATE TABLE transfers (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                        account_id int, big_id int, note text,
                        CONSTRAINT transfers_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE,
                        CONSTRAINT transfers_big_fk FOREIGN KEY (big_id) REFERENCES big_keys (id) ON DELETE CASCADE);
CREATE INDEX transfers_account ON transfers (account_id);
CREATE INDEX transfers_big ON transfers (big_id);
SELECT setval(pg_get_serial_sequence('accounts', 'id'), 1200000000);     -- 55.9% of int4
SELECT setval(pg_get_serial_sequence('small_keys', 'id'), 20000);        -- 61.0% of int2
SELECT setval(pg_get_serial_sequence('big_keys', 'id'), 1900000000);     -- 88.5% of int4, 0.0% of int8
CREATE SEQUENCE counter AS integer MAXVALUE 1000;
SELECT setval('counter', 990);
CREATE SEQUENCE countdown INCREMENT BY -1 MINVALUE -100 MAXVALUE -1 START WITH -1;
SELECT setval('countdown', -80);
CREATE SEQUENCE at_limit AS bigint;
SELECT setval('at_limit', 9223372036854775000);
CREATE SEQUENCE unused_seq AS smallint;
SELECT kind, relation, "column", detail FROM advice()
 WHERE kind IN ('int4_key_near_limit', 'sequence_near_limit') ORDER BY kind, relation, "column";
-- the threshold moves the line: 0.6 drops accounts (55.9%), 0.9 keeps only what is above 90%
SELECT kind, relation, "column" FROM advice(0.6)
 WHERE kind IN ('int4_key_near_limit', 'sequence_near_limit') ORDER BY kind, relation, "column";
SELECT kind, relation, "column" FROM advice(0.9)
 WHERE kind IN ('int4_key_near_limit', 'sequence_near_limit') ORDER BY kind, relation, "column";
-- the fixes
SELECT relation, fix FROM advice() WHERE kind = 'sequence_near_limit' ORDER BY relation;
SELECT fix FROM advice() WHERE kind = 'int4_key_near_limit' AND relation = 'sa.transfers' AND "column" = 'big_id';
SELECT substring(fix FROM '-- 3\..*-- 4\.') AS step3 FROM advice()
 WHERE kind = 'int4_key_near_limit' AND relation = 'sa.accounts';
SELECT fix AS fix_sql FROM advice() WHERE kind = 'sequence_near_limit' AND relation = 'sa.counter' \gset
:fix_sql
SELECT data_type, max_value FROM pg_sequences WHERE schemaname = 'sa' AND sequencename = 'counter';
SELECT count(*) FROM advice() WHERE relation = 'sa.counter';
-- a role that may not read a sequence does not see its value, and no finding about it
CREATE ROLE regress_advice_reader;
SET ROLE regress_advice_reader;
SELECT kind, relation, "column" FROM migration_guard.schema_advice()
 WHERE relation LIKE 'sa.%' AND kind IN ('int4_key_near_limit', 'sequence_near_limit');
SELECT count(*) > 0 AS sees_the_rest FROM migration_guard.schema_advice() WHERE relation LIKE 'sa.%';
RESET ROLE;
GRANT SELECT ON SEQUENCE small_keys_id_seq TO regress_advice_reader;
SET ROLE regress_advice_reader;
SELECT kind, relation, "column" FROM migration_guard.schema_advice()
 WHERE relation LIKE 'sa.%' AND kind IN ('int4_key_near_limit', 'sequence_near_limit');
RESET ROLE;

--
-- fk_no_on_delete
--
CREATE TABLE owners (id int NOT NULL, CONSTRAINT owners_pkey PRIMARY KEY (id));
INSERT INTO owners SELECT g FROM generate_series(1, 10) g;
CREATE TABLE pets (id int NOT NULL, owner_id int, vet_id int,
                   CONSTRAINT pets_pkey PRIMARY KEY (id),
                   CONSTRAINT pets_owner_fk FOREIGN KEY (owner_id) REFERENCES owners (id),
                   CONSTRAINT pets_vet_fk FOREIGN KEY (vet_id) REFERENCES owners (id)
                     MATCH FULL ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED,
                   CONSTRAINT pets_id_fk FOREIGN KEY (id) REFERENCES owners (id) ON DELETE CASCADE);
CREATE INDEX pets_owner ON pets (owner_id);
CREATE INDEX pets_vet ON pets (vet_id);
INSERT INTO pets SELECT g, g, g FROM generate_series(1, 10) g;
CREATE TABLE litters (region int NOT NULL, owner_id int,
                      CONSTRAINT litters_owner_fk FOREIGN KEY (owner_id) REFERENCES owners (id))
  PARTITION BY LIST (region);
CREATE TABLE litters_1 PARTITION OF litters FOR VALUES IN (1);
CREATE INDEX litters_owner ON litters (owner_id);
-- pets_id_fk says ON DELETE CASCADE: not reported; the partition's copy of litters_owner_fk: not reported
SELECT kind, relation, "column", detail, fix FROM advice() WHERE kind = 'fk_no_on_delete' ORDER BY relation, "column";
SELECT string_agg(fix, E'\n' ORDER BY "column") AS fix_sql FROM advice()
 WHERE kind = 'fk_no_on_delete' AND relation = 'sa.pets' \gset
:fix_sql
SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint
 WHERE conrelid = 'pets'::regclass AND contype = 'f' ORDER BY 1;
SELECT count(*) FROM advice() WHERE kind = 'fk_no_on_delete' AND relation = 'sa.pets';

--
-- fk_without_index: the very findings of index_advice() (one place decides both)
--
CREATE TABLE visits_by_owner (owner_id int, CONSTRAINT visits_by_owner_fk FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE CASCADE);
SELECT kind, relation, "column", detail, fix FROM advice() WHERE kind = 'fk_without_index' ORDER BY relation;
SELECT relation, fix FROM advice() WHERE kind = 'fk_without_index'
EXCEPT SELECT relation, fix FROM migration_guard.index_advice() WHERE kind = 'fk_without_index';
SELECT relation, fix FROM migration_guard.index_advice() WHERE kind = 'fk_without_index' AND relation LIKE 'sa.%'
EXCEPT SELECT relation, fix FROM advice() WHERE kind = 'fk_without_index';

--
-- everything left, in order; nothing outside user schemas; no lock kept on a table of sa
--
SELECT kind, relation, "column" FROM advice();
SELECT count(*) FROM migration_guard.schema_advice()
 WHERE relation ~ '^(pg_catalog|information_schema|pg_toast|migration_guard)\.';
BEGIN;
SELECT count(*) > 0 AS found FROM migration_guard.schema_advice();
SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND c.relnamespace = 'sa'::regnamespace AND c.relkind <> 'S';
COMMIT;

\i test/regress/fixtures/teardown.sql
SET client_min_messages = warning;
DROP ROLE regress_advice_reader;
RESET client_min_messages;
