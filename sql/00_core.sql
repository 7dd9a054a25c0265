
COMMENT ON SCHEMA migration_guard IS
  'migration_guard: advisor functions and views. The guard itself works from shared_preload_libraries.';

CREATE FUNCTION migration_guard.version()
RETURNS text
LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mg_version';
COMMENT ON FUNCTION migration_guard.version() IS
  'Version of the loaded migration_guard library.';

CREATE FUNCTION migration_guard.table_size(rel regclass)
RETURNS bigint
LANGUAGE C STRICT VOLATILE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'mg_table_size';
COMMENT ON FUNCTION migration_guard.table_size(regclass) IS
  'Size on disk as pg_table_size() reports it (summed over leaf partitions for a partitioned table), read from the catalog and stat() without locking the table. This is the size the guard compares with migration_guard.large_table_threshold.';

REVOKE ALL ON FUNCTION migration_guard.table_size(regclass) FROM PUBLIC;
GRANT USAGE ON SCHEMA migration_guard TO PUBLIC;
