-- The tools suite's test extension. Its own new table and index are harmless; the index on
-- the existing public.big is a plain CREATE INDEX on a large table, which an extension script
-- runs like any other statement.
\echo Use "CREATE EXTENSION mg_tools_ext" to load this file. \quit
CREATE TABLE mg_tools_ext_config (key text CONSTRAINT mg_tools_ext_config_pkey PRIMARY KEY, value text);
CREATE INDEX mg_tools_ext_config_value_idx ON mg_tools_ext_config (value);
CREATE INDEX mg_tools_ext_big_payload_idx ON public.big (payload);
