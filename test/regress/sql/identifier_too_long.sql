--
-- identifier_too_long: names over 63 bytes, which PostgreSQL truncates with only a NOTICE
--
\set schema itl
\i test/regress/fixtures/setup.sql

CREATE TABLE t (id bigint PRIMARY KEY, c int);

-- warned (SQLSTATE shown once), after PostgreSQL's own NOTICE; the statement runs
\set VERBOSITY verbose
CREATE TABLE customer_subscription_billing_events_with_a_name_that_goes_on_and_on (id bigint);
\set VERBOSITY default
-- ADD COLUMN; a quoted name with an escaped quote
ALTER TABLE t ADD COLUMN number_of_times_the_customer_has_contacted_support_about_billing int;
ALTER TABLE t ADD COLUMN "Quoted ""Name"" That Is Much Too Long For PostgreSQL To Keep In Full!!" int;
-- RENAME of a column and of a table
ALTER TABLE t RENAME COLUMN c TO the_column_formerly_known_as_c_and_now_with_a_longer_name_than_ok;
ALTER TABLE t RENAME TO t_renamed_to_a_name_that_is_longer_than_sixty_three_bytes_in_total;
-- allowed: exactly 63 bytes
CREATE TABLE t_exactly_sixty_three_bytes_long_name_xxxxxxxxxxxxxxxxxxxxxxxxx (id bigint);
-- edge: temporary table
CREATE TEMP TABLE tmp_customer_subscription_billing_events_with_a_name_that_goes_on (id bigint);
-- edge: created in this transaction; partitioned; inside a DO block
BEGIN;
CREATE TABLE fresh (a_column_name_that_is_far_too_long_to_be_kept_by_postgresql_as_is int);
ROLLBACK;
CREATE TABLE parted (a_column_name_that_is_far_too_long_to_be_kept_by_postgresql_as_is int)
  PARTITION BY RANGE (a_column_name_that_is_far_too_long_to_be_kept_by_postgresql_as_is);
DO $$ BEGIN ALTER TABLE itl.parted ADD COLUMN another_column_name_that_is_far_too_long_to_be_kept_by_postgres_as_is int; END $$;

-- check(): the same verdicts
\pset format unaligned
\pset fieldsep ' | '
SELECT statement_no, rule, severity, relation, detail
  FROM migration_guard.check($$
CREATE TABLE c1 (a_column_name_that_is_far_too_long_to_be_kept_by_postgresql_as_is int);
CREATE TABLE c2 (short_name int);
$$);
\pset format aligned

\i test/regress/fixtures/teardown.sql
