-- The fixture of the multi-item generator (multi_item.py), loaded after schema.sql into the
-- oracle database only: 1,000 empty tables many.m1 ... many.m1000, each with one index
-- many.m<i>_a_idx, so that a statement can name up to 1,000 harmless items (empty tables are
-- under any threshold) before the dangerous one.
SET client_min_messages = warning;
CREATE SCHEMA many;
DO $$
BEGIN
    FOR i IN 1..1000 LOOP
        EXECUTE format('CREATE TABLE many.m%s (a integer, b integer)', i);
        EXECUTE format('CREATE INDEX m%s_a_idx ON many.m%s (a)', i, i);
    END LOOP;
END
$$;
ANALYZE;
