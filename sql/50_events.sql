-- What the guard did: recent verdicts and per-rule counters, from shared memory.

CREATE FUNCTION migration_guard._events(
  OUT event_id bigint,
  OUT at timestamptz,
  OUT pid integer,
  OUT usename text,
  OUT datname text,
  OUT application_name text,
  OUT rule text,
  OUT severity text,
  OUT action text,
  OUT relation text,
  OUT table_size bigint,
  OUT reason text,
  OUT statement text)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'mg_events';
COMMENT ON FUNCTION migration_guard._events() IS
  'The rows of migration_guard.events. Superusers and members of pg_read_all_stats see every event; other roles see the events of roles whose privileges they have.';

CREATE VIEW migration_guard.events AS
  SELECT * FROM migration_guard._events();
COMMENT ON VIEW migration_guard.events IS
  'Recent verdicts of the guard (refused, warned, overridden, lock_queue_refused), oldest first, from a ring buffer in shared memory of migration_guard.events_size entries. Statements are cut at 1 kB.';

CREATE FUNCTION migration_guard._stats(
  OUT rule text,
  OUT refused bigint,
  OUT warned bigint,
  OUT overridden bigint,
  OUT last_event timestamptz,
  OUT stats_reset timestamptz)
RETURNS SETOF record
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'mg_stats';
COMMENT ON FUNCTION migration_guard._stats() IS
  'The rows of migration_guard.stats.';

CREATE VIEW migration_guard.stats AS
  SELECT * FROM migration_guard._stats();
COMMENT ON VIEW migration_guard.stats IS
  'Per-rule counts of statements refused (including lock_queue_refused), warned about and let through by an override, since the server started or migration_guard.reset_stats() was last called.';

CREATE FUNCTION migration_guard.reset_stats()
RETURNS void
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
AS 'MODULE_PATHNAME', 'mg_reset_stats';
COMMENT ON FUNCTION migration_guard.reset_stats() IS
  'Sets the counters of migration_guard.stats to zero. Superusers only, unless granted. The events are kept.';
REVOKE ALL ON FUNCTION migration_guard.reset_stats() FROM PUBLIC;

-- Everyone may read the views; the functions behind them filter the rows.
GRANT SELECT ON migration_guard.events, migration_guard.stats TO PUBLIC;
