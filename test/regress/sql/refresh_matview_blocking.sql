--
-- refresh_matview_blocking: REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads
--
\set schema rm
\i test/regress/fixtures/setup.sql
SET migration_guard.large_table_threshold = '64kB';

CREATE TABLE t (id bigint PRIMARY KEY, c int, pad text);
INSERT INTO t SELECT g, g % 100, repeat('x', 20) FROM generate_series(1, 5000) g;
CREATE MATERIALIZED VIEW mv AS SELECT id, c, pad FROM t;
CREATE MATERIALIZED VIEW mv_keyed AS SELECT id, c, pad FROM t;
CREATE UNIQUE INDEX CONCURRENTLY mv_keyed_id ON mv_keyed (id);
-- indexes CONCURRENTLY cannot use: partial, on an expression
CREATE UNIQUE INDEX CONCURRENTLY mv_partial ON mv (id) WHERE c > 0;
CREATE UNIQUE INDEX CONCURRENTLY mv_expr ON mv ((id + 0));

-- refused: no usable unique index, so the hint builds one first
\set VERBOSITY verbose
REFRESH MATERIALIZED VIEW mv;
\set VERBOSITY default
-- refused: with a usable unique index, the hint is CONCURRENTLY itself
REFRESH MATERIALIZED VIEW rm.mv_keyed;
-- allowed: the hint's own statement, and WITH NO DATA
REFRESH MATERIALIZED VIEW CONCURRENTLY rm.mv_keyed;
REFRESH MATERIALIZED VIEW mv WITH NO DATA;
-- allowed: not populated (nobody can read it yet), small, new
REFRESH MATERIALIZED VIEW mv;
CREATE MATERIALIZED VIEW small_mv AS SELECT 1 AS one;
REFRESH MATERIALIZED VIEW small_mv;
BEGIN;
CREATE MATERIALIZED VIEW fresh_mv AS SELECT * FROM t;
REFRESH MATERIALIZED VIEW fresh_mv;
ROLLBACK;

-- inside a function
CREATE FUNCTION nightly() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  REFRESH MATERIALIZED VIEW rm.mv_keyed;
END $$;
SELECT nightly();

-- PostgreSQL's own errors come through untouched
REFRESH MATERIALIZED VIEW no_such_view;

-- check() gives the same verdicts
SELECT statement_no, rule, severity, relation, lock_mode, pg_size_pretty(table_size) AS size
  FROM migration_guard.check($$
REFRESH MATERIALIZED VIEW mv_keyed;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_keyed;
CREATE MATERIALIZED VIEW mv2 AS SELECT * FROM t WITH NO DATA;
REFRESH MATERIALIZED VIEW mv2;
$$);

\i test/regress/fixtures/teardown.sql
