-- +goose Up
-- One GIN index over the search vector and the topic, language and country
-- arrays: a search combining text with these filters intersects them inside
-- the index and fetches from the table only the rows that match all of
-- them. With separate indexes PostgreSQL took the text bitmap and checked
-- topic and country on each row in the table (larger than shared_buffers):
-- `equipment` + energy + UA fetched 3,110 rows to keep 386, 8-12 ms; now it
-- fetches the 386, 2 ms (docs/benchmarks.md, "Project search"). The index
-- also answers filters without text, so it replaces both older ones.
CREATE INDEX projects_match_idx ON projects USING gin (search, topics, languages, countries)
    WITH (fastupdate = off)
    WHERE archived_at IS NULL AND hidden_at IS NULL;
DROP INDEX projects_search_idx;
DROP INDEX projects_facets_idx;

-- +goose Down
CREATE INDEX projects_search_idx ON projects USING gin (search) WITH (fastupdate = off)
    WHERE archived_at IS NULL AND hidden_at IS NULL;
CREATE INDEX projects_facets_idx ON projects USING gin (topics, languages, countries) WITH (fastupdate = off)
    WHERE archived_at IS NULL AND hidden_at IS NULL;
DROP INDEX projects_match_idx;
