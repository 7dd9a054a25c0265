-- Index advice: invalid, duplicate, redundant, unused and tiny-table indexes, and foreign keys
-- without an index, read from the catalogs and statistics. Sizes come from pg_class.relpages (as
-- of the last VACUUM, ANALYZE or CREATE INDEX), never from pg_relation_size(), which waits for a
-- lock on the relation. The one thing that opens a user table is printing the definition of an
-- invalid index, and that never queues for the lock (_index_definition). See docs/advisor.md.

-- The longest prefix of name that is at most max_bytes bytes long and does not split a
-- character: what PostgreSQL's pg_mbcliplen() keeps when it truncates an identifier.
CREATE FUNCTION migration_guard._clip_name(name text, max_bytes integer)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n integer := least(pg_catalog.char_length(name), max_bytes);
BEGIN
  WHILE n > 0 AND pg_catalog.octet_length(pg_catalog.left(name, n)) > max_bytes LOOP
    n := n - 1;
  END LOOP;
  RETURN pg_catalog.left(name, greatest(n, 0));
END
$$;
COMMENT ON FUNCTION migration_guard._clip_name(text, integer) IS
  'Internal: the longest prefix of a name within max_bytes bytes that does not split a character.';

-- The name CREATE INDEX would choose for an index on columns colnames of table tabname in
-- namespace nsp: ChooseRelationName(tabname, ChooseIndexNameAddition(colnames), "idx") of
-- src/backend/commands/indexcmds.c, with makeObjectName()'s truncation to 63 bytes. Names in
-- taken (each written '<namespace oid>.<name>') count as used, so that one recipe never picks
-- the same name twice.
CREATE FUNCTION migration_guard._choose_index_name(
  nsp oid, tabname text, colnames text[], taken text[] DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  max_bytes constant integer := 63;  -- NAMEDATALEN - 1
  name2 text := '';
  col text;
  label text := 'idx';
  pass integer := 0;
  avail integer;
  len1 integer;
  len2 integer;
  candidate text;
BEGIN
  -- ChooseIndexNameAddition: column names joined with '_', stopping once 64 bytes are reached
  FOREACH col IN ARRAY colnames LOOP
    IF name2 <> '' THEN
      name2 := name2 || '_';
    END IF;
    name2 := name2 || col;
    EXIT WHEN pg_catalog.octet_length(name2) >= max_bytes + 1;
  END LOOP;
  LOOP
    -- makeObjectName: shorten the longer of the two parts until name1_name2_label fits
    avail := max_bytes - (1 + pg_catalog.octet_length(label) + 1);
    len1 := pg_catalog.octet_length(tabname);
    len2 := pg_catalog.octet_length(name2);
    WHILE len1 + len2 > avail LOOP
      IF len1 > len2 THEN
        len1 := len1 - 1;
      ELSE
        len2 := len2 - 1;
      END IF;
    END LOOP;
    candidate := migration_guard._clip_name(tabname, len1) || '_'
                 || migration_guard._clip_name(name2, len2) || '_' || label;
    EXIT WHEN NOT EXISTS (SELECT FROM pg_catalog.pg_class c
                           WHERE c.relnamespace = nsp AND c.relname = candidate)
          AND NOT (nsp::text || '.' || candidate) = ANY (taken);
    pass := pass + 1;
    label := 'idx' || pass;
  END LOOP;
  RETURN candidate;
END
$$;
COMMENT ON FUNCTION migration_guard._choose_index_name(oid, text, text[], text[]) IS
  'Internal: the name PostgreSQL would choose for CREATE INDEX ON <table> (<columns>) without a name (at most 63 bytes, unique in the schema).';

-- Size on disk of a relation as of its last VACUUM, ANALYZE or CREATE INDEX, from
-- pg_class.relpages only (no lock, no file access). A partitioned table or index has no
-- storage of its own: its size is the sum over its partitions, at every level.
CREATE FUNCTION migration_guard._relation_bytes(rel oid)
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  WITH RECURSIVE tree(oid) AS (
    SELECT rel
    UNION ALL
    SELECT i.inhrelid
      FROM pg_catalog.pg_inherits i
      JOIN tree ON i.inhparent = tree.oid
      JOIN pg_catalog.pg_class p ON p.oid = tree.oid
     WHERE p.relkind IN ('p', 'I')
  )
  SELECT coalesce(sum(c.relpages::bigint), 0)::bigint
         * pg_catalog.current_setting('block_size')::bigint
    FROM tree JOIN pg_catalog.pg_class c ON c.oid = tree.oid
$$;
COMMENT ON FUNCTION migration_guard._relation_bytes(oid) IS
  'Internal: relpages * block_size, summed over the partitions of a partitioned table or index. As of the last VACUUM, ANALYZE or CREATE INDEX; takes no lock.';

-- pg_get_indexdef() for an index, or NULL when its table is locked right now: the function
-- opens the table with an ACCESS SHARE lock (and releases it at once). This does not queue
-- behind another session's ACCESS EXCLUSIVE lock, held or awaited, on the table; one taken
-- between the look at pg_locks and the call is waited for 100 ms at most.
CREATE FUNCTION migration_guard._index_definition(idx oid)
RETURNS text
LANGUAGE plpgsql STABLE STRICT
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_locks l
              WHERE l.locktype = 'relation'
                AND l.relation = (SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid = idx)
                AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
                                   WHERE d.datname = pg_catalog.current_database())
                AND l.pid <> pg_catalog.pg_backend_pid()
                AND l.mode = 'AccessExclusiveLock') THEN
    RETURN NULL;
  END IF;
  RETURN pg_catalog.pg_get_indexdef(idx);
EXCEPTION WHEN lock_not_available THEN
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION migration_guard._index_definition(oid) IS
  'Internal: pg_get_indexdef(), or NULL if another session holds or awaits an ACCESS EXCLUSIVE lock on the index''s table.';

-- True when the partition tree under rel contains a foreign table: an index created ON ONLY
-- such a table can never become valid (a foreign table has no index to attach).
CREATE FUNCTION migration_guard._has_foreign_partition(rel oid)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  WITH RECURSIVE tree(oid) AS (
    SELECT rel
    UNION ALL
    SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree ON i.inhparent = tree.oid
  )
  SELECT EXISTS (SELECT FROM tree JOIN pg_catalog.pg_class c ON c.oid = tree.oid
                  WHERE c.relkind = 'f')
$$;
COMMENT ON FUNCTION migration_guard._has_foreign_partition(oid) IS
  'Internal: whether any partition (at any level) of the relation is a foreign table.';

-- The statements that give every partition of partitioned table rel an index attached to the
-- partitioned index parent_index (a schema-qualified, quoted name), without blocking writes:
-- CREATE INDEX CONCURRENTLY on each leaf partition, CREATE INDEX ... ON ONLY on each
-- sub-partitioned one (recursively), then ALTER INDEX ... ATTACH PARTITION. tail is the part
-- of the definition after the table name ("USING btree (a, b) WHERE ..."); name_columns are
-- the column names the new indexes are named after. When parent_oid is an existing
-- partitioned index, partitions that already have a valid index attached to it are skipped.
CREATE FUNCTION migration_guard._partition_index_steps(
  rel oid, parent_index text, parent_oid oid, is_unique boolean, tail text,
  name_columns text[], INOUT taken text[], OUT steps text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  part record;
  attached_oid oid;
  attached_valid boolean;
  attached_name text;
  new_name text;
  qualified text;
  sub record;
BEGIN
  steps := '';
  FOR part IN
    SELECT c.oid, c.relname, c.relkind, c.relnamespace, n.nspname
      FROM pg_catalog.pg_inherits i
      JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE i.inhparent = rel AND c.relkind IN ('r', 'p')
     ORDER BY n.nspname, c.relname
  LOOP
    attached_oid := NULL;
    IF parent_oid IS NOT NULL THEN
      SELECT x.indexrelid, x.indisvalid, format('%I.%I', n.nspname, ic.relname)
        INTO attached_oid, attached_valid, attached_name
        FROM pg_catalog.pg_inherits ih
        JOIN pg_catalog.pg_index x ON x.indexrelid = ih.inhrelid
        JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
       WHERE ih.inhparent = parent_oid AND x.indrelid = part.oid;
    END IF;
    IF attached_oid IS NOT NULL THEN
      IF NOT attached_valid THEN
        -- a sub-partitioned partition whose own partitioned index still misses partitions
        SELECT * INTO sub FROM migration_guard._partition_index_steps(
          part.oid, attached_name, attached_oid, is_unique, tail, name_columns, taken);
        taken := sub.taken;
        steps := steps || sub.steps;
      END IF;
      CONTINUE;
    END IF;
    new_name := migration_guard._choose_index_name(part.relnamespace, part.relname,
                                                   name_columns, taken);
    taken := taken || (part.relnamespace::text || '.' || new_name);
    qualified := format('%I.%I', part.nspname, new_name);
    IF part.relkind = 'p' THEN
      steps := steps || format(E'CREATE %sINDEX %I ON ONLY %I.%I %s;\n',
                               CASE WHEN is_unique THEN 'UNIQUE ' ELSE '' END,
                               new_name, part.nspname, part.relname, tail);
      SELECT * INTO sub FROM migration_guard._partition_index_steps(
        part.oid, qualified, NULL, is_unique, tail, name_columns, taken);
      taken := sub.taken;
      steps := steps || sub.steps;
    ELSE
      steps := steps || format(E'CREATE %sINDEX CONCURRENTLY %I ON %I.%I %s;\n',
                               CASE WHEN is_unique THEN 'UNIQUE ' ELSE '' END,
                               new_name, part.nspname, part.relname, tail);
    END IF;
    steps := steps || format(E'ALTER INDEX %s ATTACH PARTITION %s;\n', parent_index, qualified);
  END LOOP;
END
$$;
COMMENT ON FUNCTION migration_guard._partition_index_steps(oid, text, oid, boolean, text, text[], text[]) IS
  'Internal: CREATE INDEX CONCURRENTLY / ON ONLY and ATTACH PARTITION statements that complete a partitioned index without blocking writes.';

-- The fix for a foreign key without an index: the statement(s) that create one on
-- attnums of rel, without blocking writes.
CREATE FUNCTION migration_guard._fk_index_fix(rel oid, attnums smallint[])
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  r record;
  colnames text[];
  cols text;
  idx_name text;
  sub record;
BEGIN
  SELECT c.relname, c.relkind, c.relnamespace, n.nspname INTO r
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = rel;
  SELECT array_agg(a.attname::text ORDER BY k.ord),
         string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.ord)
    INTO colnames, cols
    FROM unnest(attnums) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_catalog.pg_attribute a ON a.attrelid = rel AND a.attnum = k.attnum;
  idx_name := migration_guard._choose_index_name(r.relnamespace, r.relname, colnames);
  IF r.relkind <> 'p' THEN
    RETURN format('CREATE INDEX CONCURRENTLY %I ON %I.%I (%s);', idx_name, r.nspname, r.relname, cols);
  END IF;
  IF migration_guard._has_foreign_partition(rel) THEN
    RETURN format('-- %I.%I has a foreign table among its partitions, so an index created ON ONLY it could never become valid.'
                  || E'\n-- This builds the index on every other partition at once, holding a SHARE lock on each (writes wait) until it is done:'
                  || E'\nCREATE INDEX %I ON %I.%I (%s);',
                  r.nspname, r.relname, idx_name, r.nspname, r.relname, cols);
  END IF;
  SELECT * INTO sub FROM migration_guard._partition_index_steps(
    rel, format('%I.%I', r.nspname, idx_name), NULL, false, format('(%s)', cols), colnames,
    ARRAY[r.relnamespace::text || '.' || idx_name]);
  RETURN format('-- CREATE INDEX CONCURRENTLY does not work on a partitioned table: create the index ON ONLY the table (nothing is built, it stays invalid),'
                || E'\n-- build one on each partition without blocking writes and attach it; the index becomes valid when the last partition is attached.'
                || E'\nCREATE INDEX %I ON ONLY %I.%I (%s);\n%s',
                idx_name, r.nspname, r.relname, cols, rtrim(sub.steps, E'\n'));
END
$$;
COMMENT ON FUNCTION migration_guard._fk_index_fix(oid, smallint[]) IS
  'Internal: the statements that index columns of a table without blocking writes (ON ONLY and per-partition recipe for a partitioned table).';

-- Foreign keys whose referencing columns are not the leading columns of any valid, non-partial
-- btree or hash index on the referencing table. The one place this is decided: index_advice()
-- and schema_advice() both read it.
CREATE FUNCTION migration_guard._fk_without_index(
  OUT constraint_oid oid,
  OUT relid oid,
  OUT relation text,
  OUT constraint_name text,
  OUT referenced text,
  OUT columns text,
  OUT size_bytes bigint,
  OUT fix text)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT k.oid, k.conrelid, format('%I.%I', n.nspname, t.relname), k.conname::text,
         format('%I.%I', fn.nspname, f.relname),
         (SELECT string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY u.ord)
            FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
            JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum),
         migration_guard._relation_bytes(t.oid),
         migration_guard._fk_index_fix(t.oid, k.conkey)
    FROM pg_catalog.pg_constraint k
    JOIN pg_catalog.pg_class t ON t.oid = k.conrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_catalog.pg_class f ON f.oid = k.confrelid
    JOIN pg_catalog.pg_namespace fn ON fn.oid = f.relnamespace
   WHERE k.contype = 'f'
     AND k.conparentid = 0          -- a partition's copy of its parent's key is judged on the parent
     AND t.relkind IN ('r', 'p')
     AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'migration_guard')
     AND NOT EXISTS (
       SELECT FROM pg_catalog.pg_index i
         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_catalog.pg_am am ON am.oid = ic.relam
        WHERE i.indrelid = k.conrelid
          AND i.indisvalid
          AND i.indpred IS NULL
          AND am.amname IN ('btree', 'hash')
          AND i.indnkeyatts >= cardinality(k.conkey)
          AND (SELECT array_agg(x.attnum ORDER BY x.attnum)
                 FROM unnest(i.indkey::smallint[]) WITH ORDINALITY AS x(attnum, ord)
                WHERE x.ord <= cardinality(k.conkey))
              = (SELECT array_agg(y.attnum ORDER BY y.attnum) FROM unnest(k.conkey) AS y(attnum)))
$$;
COMMENT ON FUNCTION migration_guard._fk_without_index() IS
  'Internal: foreign keys whose columns do not lead any valid, non-partial btree or hash index of the referencing table, with the statements that add one.';

CREATE FUNCTION migration_guard.index_advice(
  OUT kind text,
  OUT relation text,
  OUT index text,
  OUT size_bytes bigint,
  OUT size text,
  OUT evidence text,
  OUT fix text)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
WITH idx AS (
  SELECT i.indexrelid AS ioid,
         i.indrelid AS toid,
         ic.relname::text AS iname,
         format('%I.%I', n.nspname, ic.relname) AS qindex,
         format('%I.%I', n.nspname, t.relname) AS qtable,
         ic.relkind AS ikind,
         t.relkind AS tkind,
         ic.relispartition AS attached,     -- part of a partitioned index: cannot be dropped alone
         am.amname::text AS amname,
         i.indisvalid AS valid,
         i.indisready AS ready,
         i.indisunique AS is_unique,
         i.indnullsnotdistinct AS nulls_not_distinct,
         i.indnkeyatts AS nkeys,
         i.indnatts AS natts,
         ARRAY(SELECT unnest(i.indkey::smallint[])) AS keys,
         ARRAY(SELECT unnest(i.indclass::oid[])) AS classes,
         ARRAY(SELECT unnest(i.indcollation::oid[])) AS collations,
         ARRAY(SELECT unnest(i.indoption::smallint[])) AS options,
         -- expression trees without their (source-text dependent) location fields
         regexp_replace(i.indexprs::text, ' :location -?[0-9]+', '', 'g') AS exprs,
         regexp_replace(i.indpred::text, ' :location -?[0-9]+', '', 'g') AS pred,
         (SELECT k.conname FROM pg_catalog.pg_constraint k
           WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
             AND k.contype IN ('p', 'u', 'x')
           ORDER BY k.contype = 'p' DESC, k.conname LIMIT 1) AS own_constraint,
         EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid)
           AS backs_constraint,             -- its own PK/UNIQUE/EXCLUDE, or a foreign key to it
         i.indisprimary AS is_primary,
         i.indisreplident AS replident,
         migration_guard._relation_bytes(i.indexrelid) AS bytes,
         t.relpages AS table_pages,
         t.reltuples AS table_tuples
    FROM pg_catalog.pg_index i
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_catalog.pg_am am ON am.oid = ic.relam
   WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'migration_guard')
),
-- how an index is dropped without blocking: partitioned indexes cannot be dropped CONCURRENTLY
drop_stmt AS (
  SELECT ioid,
         CASE WHEN ikind = 'I'
              THEN E'-- a partitioned index cannot be dropped CONCURRENTLY; DROP INDEX takes a brief ACCESS EXCLUSIVE lock on the table and each partition:\n'
                   || format('DROP INDEX %s;', qindex)
              ELSE format('DROP INDEX CONCURRENTLY %s;', qindex)
         END AS sql
    FROM idx
),
-- valid indexes with the same definition on the same table, best one to keep first
dup_group AS (
  SELECT idx.*,
         row_number() OVER w AS rank,
         first_value(qindex) OVER w AS keeper
    FROM idx
   WHERE valid
  WINDOW w AS (PARTITION BY toid, amname, is_unique, nulls_not_distinct, nkeys, keys, classes,
                            collations, options, exprs, pred
               ORDER BY attached DESC, is_primary DESC, backs_constraint DESC, replident DESC, ioid)
),
duplicate AS (
  SELECT 'duplicate_index'::text AS kind, g.qtable, g.qindex, g.bytes,
         format('same definition as %s on the same table (same columns, operator classes, collations, ordering, expressions, predicate and uniqueness); %s',
                g.keeper,
                CASE WHEN g.own_constraint IS NOT NULL
                     THEN format('it backs constraint %I, which duplicates the one of %s: drop the constraint (DROP CONSTRAINT refuses while a foreign key depends on it)',
                                 g.own_constraint, g.keeper)
                     ELSE 'every write maintains both, and queries need only one' END) AS evidence,
         CASE WHEN g.own_constraint IS NOT NULL
              THEN format('ALTER TABLE %s DROP CONSTRAINT %I;', g.qtable, g.own_constraint)
              ELSE d.sql END AS fix,
         g.ioid
    FROM dup_group g JOIN drop_stmt d USING (ioid)
   WHERE g.rank > 1
     AND NOT g.attached
     AND NOT g.replident
     AND (g.own_constraint IS NOT NULL OR NOT g.backs_constraint)
),
redundant AS (
  SELECT DISTINCT ON (a.ioid)
         'redundant_index'::text AS kind, a.qtable, a.qindex, a.bytes,
         format('its key columns are the leading key columns of %s (same operator classes, collations, ordering and predicate), which serves the same lookups',
                b.qindex) AS evidence,
         d.sql AS fix,
         a.ioid
    FROM idx a
    JOIN idx b ON b.toid = a.toid AND b.ioid <> a.ioid
    JOIN drop_stmt d ON d.ioid = a.ioid
   WHERE a.valid AND b.valid
     AND a.amname = 'btree' AND b.amname = 'btree'
     AND NOT a.is_unique
     AND NOT a.backs_constraint AND NOT a.replident AND NOT a.attached
     AND a.exprs IS NULL AND b.exprs IS NULL
     AND a.pred IS NOT DISTINCT FROM b.pred
     AND a.natts = a.nkeys                 -- no INCLUDE columns that b might lack
     AND a.nkeys <= b.nkeys
     AND a.keys = b.keys[1:a.nkeys]
     AND a.classes = b.classes[1:a.nkeys]
     AND a.collations = b.collations[1:a.nkeys]
     AND a.options = b.options[1:a.nkeys]
     AND a.ioid NOT IN (SELECT ioid FROM duplicate)
     AND NOT (a.nkeys = b.nkeys AND a.natts = b.natts AND a.is_unique = b.is_unique)  -- a duplicate pair
   ORDER BY a.ioid, (b.ioid IN (SELECT ioid FROM duplicate)), b.nkeys, b.qindex COLLATE "C"
),
stats_reset AS (
  SELECT coalesce('statistics last reset ' || pg_catalog.pg_stat_get_db_stat_reset_time(d.oid)::text,
                  'statistics never reset') AS since
    FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()
),
unused AS (
  SELECT 'unused_index'::text AS kind, x.qtable, x.qindex, x.bytes,
         format('0 index scans on this server (%s; scans on standbys are not counted here); %s on disk maintained by every write',
                r.since, pg_catalog.pg_size_pretty(x.bytes)) AS evidence,
         d.sql AS fix,
         x.ioid
    FROM idx x
    JOIN pg_catalog.pg_stat_user_indexes s ON s.indexrelid = x.ioid
    JOIN drop_stmt d ON d.ioid = x.ioid
    CROSS JOIN stats_reset r
   WHERE s.idx_scan = 0
     AND x.valid AND NOT x.is_unique AND NOT x.backs_constraint AND NOT x.replident
     AND NOT x.attached AND x.ikind = 'i'
     AND x.ioid NOT IN (SELECT ioid FROM duplicate UNION ALL SELECT ioid FROM redundant)
),
tiny AS (
  SELECT 'tiny_table_index'::text AS kind, x.qtable, x.qindex, x.bytes,
         format('%s has %s page(s), about %s rows, as of its last VACUUM or ANALYZE: a sequential scan of %s page(s) is as cheap as using the index, which every write still maintains (advisory)',
                x.qtable, x.table_pages, x.table_tuples::bigint, x.table_pages) AS evidence,
         d.sql AS fix,
         x.ioid
    FROM idx x JOIN drop_stmt d ON d.ioid = x.ioid
   WHERE x.tkind IN ('r', 'm')
     AND x.table_pages < 8 AND x.table_tuples >= 0      -- -1: never vacuumed or analyzed
     AND x.valid AND NOT x.is_unique AND NOT x.backs_constraint AND NOT x.replident
     AND NOT x.attached AND x.ikind = 'i'
     AND x.ioid NOT IN (SELECT ioid FROM duplicate UNION ALL SELECT ioid FROM redundant
                        UNION ALL SELECT ioid FROM unused)
),
invalid AS (
  SELECT 'invalid_index'::text AS kind, x.qtable, x.qindex, x.bytes,
         CASE WHEN x.ikind = 'I'
              THEN 'INVALID partitioned index: created with CREATE INDEX ... ON ONLY, and not every partition has an index attached to it yet. Queries on the partitions use their own indexes; the partitioned index stays invalid'
              ELSE 'INVALID index: left behind by a CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY that failed or was cancelled, or being built right now (the catalog cannot tell these apart: check pg_stat_progress_create_index first). Queries never use it'
                   || CASE WHEN x.ready THEN ', yet every INSERT and UPDATE maintains it' ELSE '' END
         END
         || CASE WHEN twin.qindex IS NOT NULL
                 THEN format('. A valid index with the same definition exists (%s), so dropping this one is enough', twin.qindex)
                 ELSE '' END AS evidence,
         CASE
           WHEN twin.qindex IS NOT NULL THEN d.sql
           WHEN x.ikind = 'I' AND migration_guard._has_foreign_partition(x.toid) THEN
             format('-- %s has a foreign table among its partitions, so this index can never become valid; drop it, or re-create it without ON ONLY (that builds it on every other partition at once, holding a SHARE lock on each: writes wait)'
                    || E'\nDROP INDEX %s;', x.qtable, x.qindex)
           WHEN x.ikind = 'I' THEN
             coalesce(
               (SELECT format(E'-- build the missing partition indexes without blocking writes and attach them; the index becomes valid with the last one:\n%s',
                              rtrim(s.steps, E'\n'))
                  FROM migration_guard._partition_index_steps(
                         x.toid, x.qindex, x.ioid, x.is_unique,
                         substr(def.sql, length(def.prefix) + 1),
                         (SELECT array_agg(coalesce(a.attname::text, 'expr') ORDER BY k.ord)
                            FROM unnest(x.keys[1:x.nkeys]) WITH ORDINALITY AS k(attnum, ord)
                            LEFT JOIN pg_catalog.pg_attribute a
                                   ON a.attrelid = x.toid AND a.attnum = k.attnum AND k.attnum > 0),
                         '{}') AS s
                 WHERE left(def.sql, length(def.prefix)) = def.prefix),
               format('-- could not read the definition of %s (its table is locked right now); try again later', x.qindex))
           WHEN def.sql IS NULL THEN
             format(E'-- could not read the definition (%s is locked right now): save SELECT pg_get_indexdef(%L::regclass); before dropping\n%s',
                    x.qtable, x.qindex, d.sql)
           ELSE d.sql || E'\n'
                || regexp_replace(def.sql, '^CREATE (UNIQUE )?INDEX ', 'CREATE \1INDEX CONCURRENTLY ') || ';'
         END AS fix,
         x.ioid
    FROM idx x
    JOIN drop_stmt d ON d.ioid = x.ioid
    LEFT JOIN LATERAL (
      SELECT g.qindex FROM idx g
       WHERE g.valid AND g.toid = x.toid AND g.amname = x.amname AND g.is_unique = x.is_unique
         AND g.nulls_not_distinct = x.nulls_not_distinct AND g.nkeys = x.nkeys
         AND g.keys = x.keys AND g.classes = x.classes AND g.collations = x.collations
         AND g.options = x.options AND g.exprs IS NOT DISTINCT FROM x.exprs
         AND g.pred IS NOT DISTINCT FROM x.pred
       ORDER BY g.ioid LIMIT 1) twin ON true
    LEFT JOIN LATERAL (
      SELECT migration_guard._index_definition(x.ioid) AS sql,
             format('CREATE %sINDEX %I ON ONLY %s ',
                    CASE WHEN x.is_unique THEN 'UNIQUE ' ELSE '' END, x.iname, x.qtable) AS prefix
       WHERE twin.qindex IS NULL) def ON true
   WHERE NOT x.valid
     AND NOT x.attached               -- its partitioned parent is reported, with the recipe
),
fk AS (
  SELECT 'fk_without_index'::text AS kind, f.relation, NULL::text, f.size_bytes,
         format('foreign key %I (%s) references %s, and no valid index on %s starts with these columns: every DELETE from %s, and every UPDATE of its key, scans %s for referencing rows',
                f.constraint_name, f.columns, f.referenced, f.relation, f.referenced, f.relation),
         f.fix,
         NULL::oid
    FROM migration_guard._fk_without_index() f
)
SELECT a.kind, a.qtable, a.qindex, a.bytes, pg_catalog.pg_size_pretty(a.bytes), a.evidence, a.fix
  FROM (SELECT * FROM invalid
        UNION ALL SELECT * FROM duplicate
        UNION ALL SELECT * FROM redundant
        UNION ALL SELECT * FROM unused
        UNION ALL SELECT * FROM tiny
        UNION ALL SELECT * FROM fk) AS a
 ORDER BY a.kind, a.bytes DESC, a.qtable COLLATE "C", a.qindex COLLATE "C"
$$;
COMMENT ON FUNCTION migration_guard.index_advice() IS
  'Index findings (invalid_index, duplicate_index, redundant_index, unused_index, fk_without_index, tiny_table_index), one row each, with the evidence and the statements that fix it without blocking writes. Reads catalogs and statistics only; sizes are as of the last VACUUM/ANALYZE. See docs/advisor.md.';
