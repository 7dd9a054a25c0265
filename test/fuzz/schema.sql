-- The database the fuzzers run against (test/fuzz/run.sh loads it): a varied schema, so that
-- sqlsmith's queries and the statements fed to check() meet every kind of relation the guard
-- looks at. Every table gets a few thousand rows; run.sh sets the database's
-- migration_guard.large_table_threshold low enough that all of them count as large.
SET client_min_messages = warning;

CREATE TYPE status AS ENUM ('new', 'paid', 'shipped', 'returned');
CREATE TYPE money_range AS RANGE (subtype = numeric);
CREATE TYPE address AS (street text, city text, zip varchar(10));
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN positive_int AS integer NOT NULL CHECK (VALUE > 0);
CREATE DOMAIN short_code AS varchar(8);

CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT customers_pkey PRIMARY KEY,
    mail email NOT NULL CONSTRAINT customers_mail_key UNIQUE,
    name text NOT NULL,
    home address,
    tags text[] DEFAULT '{}',
    profile jsonb,
    created timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id serial CONSTRAINT products_pkey PRIMARY KEY,
    code short_code NOT NULL,
    price numeric(10, 2) NOT NULL CONSTRAINT products_price_check CHECK (price >= 0),
    price_band money_range,
    stock positive_int DEFAULT 1,
    doc json,
    CONSTRAINT products_code_key UNIQUE (code)
);

CREATE TABLE orders (
    id bigint CONSTRAINT orders_pkey PRIMARY KEY,
    customer_id bigint NOT NULL CONSTRAINT orders_customer_fk REFERENCES customers (id),
    state status NOT NULL DEFAULT 'new',
    total numeric(12, 2),
    note varchar(200),
    placed date NOT NULL
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE INDEX orders_open_idx ON orders (placed) WHERE state <> 'shipped';
CREATE INDEX orders_lower_note_idx ON orders (lower(note));

CREATE TABLE order_lines (
    order_id bigint NOT NULL CONSTRAINT order_lines_order_fk REFERENCES orders (id) ON DELETE CASCADE,
    line smallint NOT NULL,
    product_id integer NOT NULL CONSTRAINT order_lines_product_fk REFERENCES products (id),
    qty integer NOT NULL CONSTRAINT order_lines_qty_check CHECK (qty > 0),
    CONSTRAINT order_lines_pkey PRIMARY KEY (order_id, line)
);

-- Range partitions with a DEFAULT partition, one sub-partitioned by list.
CREATE TABLE events (
    id bigint NOT NULL,
    at timestamptz NOT NULL,
    kind text NOT NULL,
    payload jsonb,
    CONSTRAINT events_pkey PRIMARY KEY (id, at, kind)
) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
    PARTITION BY LIST (kind);
CREATE TABLE events_2025_click PARTITION OF events_2025 FOR VALUES IN ('click');
CREATE TABLE events_2025_other PARTITION OF events_2025 DEFAULT;
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_kind_idx ON events (kind);

-- Hash partitions, no DEFAULT.
CREATE TABLE sessions (
    token uuid NOT NULL,
    customer_id bigint CONSTRAINT sessions_customer_fk REFERENCES customers (id),
    seen timestamptz
) PARTITION BY HASH (token);
CREATE TABLE sessions_0 PARTITION OF sessions FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE sessions_1 PARTITION OF sessions FOR VALUES WITH (MODULUS 2, REMAINDER 1);

-- Inheritance, a table without a primary key, an unlogged table, a view and materialized views.
CREATE TABLE audit (at timestamptz NOT NULL DEFAULT now(), who text, what text);
CREATE TABLE audit_orders (order_id bigint) INHERITS (audit);
CREATE UNLOGGED TABLE scratch (k text, v text);
CREATE VIEW open_orders AS SELECT * FROM orders WHERE state <> 'shipped';
CREATE MATERIALIZED VIEW sales_by_day AS
    SELECT placed, count(*) AS n, sum(total) AS total FROM orders GROUP BY placed;
CREATE UNIQUE INDEX sales_by_day_placed_idx ON sales_by_day (placed);
CREATE MATERIALIZED VIEW customer_stats AS
    SELECT c.id, count(o.id) AS orders FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id;
CREATE SEQUENCE invoice_no;

-- For the session oracle and the multi-item generator (session_oracle.py, multi_item.py), which
-- run with a threshold of 64kB: big is large (about 1 MB) and has no primary key (so ADD PRIMARY
-- KEY can be judged), small has a few rows and stays under the threshold, fresh is bulk-loaded
-- after the final ANALYZE (never analyzed: reltuples is unknown), measurements is partitioned with
-- one large leaf and a DEFAULT partition, and inh_parent is an empty inheritance parent of a
-- large child.
CREATE TABLE big (id bigint NOT NULL, c integer, d integer, note varchar(100), at timestamptz);
CREATE INDEX big_c_idx ON big (c);
CREATE TABLE small (id integer CONSTRAINT small_pkey PRIMARY KEY, a integer, b text);
CREATE TABLE fresh (id bigint, v text);
CREATE TABLE measurements (id bigint NOT NULL, city text NOT NULL, temp numeric(5, 1))
    PARTITION BY LIST (city);
CREATE TABLE measurements_oslo PARTITION OF measurements FOR VALUES IN ('oslo');
CREATE TABLE measurements_rome PARTITION OF measurements FOR VALUES IN ('rome');
CREATE TABLE measurements_other PARTITION OF measurements DEFAULT;
CREATE TABLE inh_parent (id bigint NOT NULL, v integer);
CREATE TABLE inh_child (extra text) INHERITS (inh_parent);
CREATE FUNCTION touch_row() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;

INSERT INTO customers (mail, name, home, tags, profile)
SELECT 'c' || g || '@example.com', 'customer ' || g, ROW('street ' || g, 'city ' || g % 50, lpad((g % 99999)::text, 5, '0'))::address,
       ARRAY['t' || g % 7], jsonb_build_object('g', g)
  FROM generate_series(1, 2000) g;
INSERT INTO products (code, price, price_band, stock, doc)
SELECT 'p' || g, g % 300, money_range(g % 300, g % 300 + 10), 1 + g % 50, json_build_object('g', g)
  FROM generate_series(1, 500) g;
INSERT INTO orders
SELECT g, 1 + g % 2000, (ARRAY['new', 'paid', 'shipped', 'returned']::status[])[1 + g % 4], g % 1000,
       'note ' || g, date '2024-01-01' + g % 700
  FROM generate_series(1, 5000) g;
INSERT INTO order_lines SELECT 1 + g % 5000, g / 5000, 1 + g % 500, 1 + g % 9 FROM generate_series(1, 10000) g;
INSERT INTO events
SELECT g, timestamptz '2024-01-01' + g * interval '3 hours', (ARRAY['click', 'view', 'buy'])[1 + g % 3],
       jsonb_build_object('g', g)
  FROM generate_series(1, 8000) g;
INSERT INTO sessions SELECT gen_random_uuid(), 1 + g % 2000, now() FROM generate_series(1, 3000) g;
INSERT INTO audit_orders (who, what, order_id) SELECT 'u' || g % 10, 'change', g FROM generate_series(1, 2000) g;
INSERT INTO scratch SELECT g::text, repeat('x', 50) FROM generate_series(1, 2000) g;
INSERT INTO big SELECT g, g % 1000, g % 7, 'note ' || g, timestamptz '2024-01-01' + g * interval '1 minute'
  FROM generate_series(1, 20000) g;
INSERT INTO small SELECT g, g, 's' || g FROM generate_series(1, 20) g;
INSERT INTO measurements SELECT g, (ARRAY['oslo', 'rome', 'lima'])[1 + g % 3], g % 40 FROM generate_series(1, 9000) g;
INSERT INTO inh_child SELECT g, g, 'x' FROM generate_series(1, 5000) g;
REFRESH MATERIALIZED VIEW sales_by_day;
REFRESH MATERIALIZED VIEW customer_stats;
ANALYZE;
-- After ANALYZE: never analyzed.
INSERT INTO fresh SELECT g, repeat('v', 40) FROM generate_series(1, 3000) g;
