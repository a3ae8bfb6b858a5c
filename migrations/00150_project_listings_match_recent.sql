-- +goose Up
-- The match index also holds each listing's date (btree_gin), so that a
-- search probe can collect only the matches newer than a date: when a
-- probe's matches are many (hundreds or thousands), collecting all of them
-- and keeping the newest 50 read every matching listing (about 3 µs each),
-- and the sample of the newest listings tells from how far back the newest
-- 50 are likely to come (storage/searchsample.go, docs/benchmarks.md).
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX project_listings_match_recent_idx ON project_listings
    USING gin (words, topics, languages, countries, created_at) WITH (fastupdate = off);
DROP INDEX project_listings_match_idx;

-- +goose Down
CREATE INDEX project_listings_match_idx ON project_listings USING gin (words, topics, languages, countries)
    WITH (fastupdate = off);
DROP INDEX project_listings_match_recent_idx;
DROP EXTENSION IF EXISTS btree_gin;
