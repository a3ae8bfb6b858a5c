-- +goose Up
-- A search with a topic and a country intersected both long lists in the
-- match index (a topic is in about a fifth of all listings, a country in up
-- to three fifths): most of such a probe's time (docs/benchmarks.md). Each
-- listing also carries its topic/country pairs, one short list per pair in
-- the index, which such a search reads instead.
-- +goose StatementBegin
CREATE FUNCTION listing_facets(topics TEXT[], countries TEXT[]) RETURNS TEXT[] LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(t || '/' || c), '{}') FROM unnest(topics) t, unnest(countries) c
$$;
-- +goose StatementEnd
ALTER TABLE project_listings ADD COLUMN facets TEXT[] GENERATED ALWAYS AS (listing_facets(topics, countries)) STORED;
DROP INDEX project_listings_match_recent_idx;
CREATE INDEX project_listings_match_recent_idx ON project_listings
    USING gin (words, topics, languages, countries, facets, created_at) WITH (fastupdate = off);

-- +goose Down
DROP INDEX project_listings_match_recent_idx;
CREATE INDEX project_listings_match_recent_idx ON project_listings
    USING gin (words, topics, languages, countries, created_at) WITH (fastupdate = off);
ALTER TABLE project_listings DROP COLUMN facets;
DROP FUNCTION listing_facets(TEXT[], TEXT[]);
