-- +goose Up
-- Project search reads a narrow copy of every listed project (neither
-- archived nor hidden): what it filters and orders by, and its words as
-- numbers (ids in project_words) instead of a text search vector. A row of
-- projects is about 2.4 kB (title, description and a vector of about 80
-- lexemes with positions), three to a page, and 100,000 of them do not fit
-- PostgreSQL's default 128 MB of shared buffers; a listing is about 0.5 kB
-- and all of them do. Whether a search walks the newest listings or
-- collects its matches from the index, every row it looks at is then read
-- from memory (docs/benchmarks.md, "Project search"). projects.search
-- stays: it ranks the few candidates a search finds.
--
-- The triggers keep the copy in the same transaction as every write to
-- projects, whichever code makes it: a listing can never disagree with its
-- project.

-- Words get small numbers that the listings refer to.
ALTER TABLE project_words ADD COLUMN id INTEGER GENERATED ALWAYS AS IDENTITY;
ALTER TABLE project_words ADD CONSTRAINT project_words_id_key UNIQUE (id);
-- Search looks up the ids of the words a query word begins: from the index
-- alone.
DROP INDEX project_words_prefix_idx;
CREATE INDEX project_words_prefix_idx ON project_words (word text_pattern_ops) INCLUDE (id);

CREATE TABLE project_listings (
    project_id      BIGINT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    created_at      TIMESTAMPTZ NOT NULL,
    town_id         BIGINT NOT NULL,
    partner_town_id BIGINT,
    sector          TEXT NOT NULL,
    topics          TEXT[] NOT NULL,
    languages       TEXT[] NOT NULL,
    countries       TEXT[] NOT NULL,
    -- The ids of the project's search vector's lexemes, ascending.
    words           INTEGER[] NOT NULL
);
-- Finer statistics on the words let the planner tell a rare word (collect
-- matches from the index) from a common one (walk the newest listings).
ALTER TABLE project_listings ALTER COLUMN words SET STATISTICS 1000;
-- Text and the topic, language and country filters in one index, so that a
-- search combining them intersects them inside the index. Written rarely,
-- searched often: no pending list that every search would have to scan.
CREATE INDEX project_listings_match_idx ON project_listings USING gin (words, topics, languages, countries)
    WITH (fastupdate = off);
CREATE INDEX project_listings_recent_idx ON project_listings (created_at DESC, project_id DESC);
CREATE INDEX project_listings_sector_recent_idx ON project_listings (sector, created_at DESC, project_id DESC);
CREATE INDEX project_listings_town_idx ON project_listings (town_id);
CREATE INDEX project_listings_partner_town_idx ON project_listings (partner_town_id)
    WHERE partner_town_id IS NOT NULL;

-- project_word_ids adds the lexemes of a search vector to project_words and
-- returns their ids. A word another transaction is adding at the same time
-- is waited for by ON CONFLICT and then seen by the next statement (READ
-- COMMITTED); should one ever be missing, the write fails instead of
-- leaving a project that its own words do not find.
-- +goose StatementBegin
CREATE FUNCTION project_word_ids(search TSVECTOR) RETURNS INTEGER[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    lexemes TEXT[] := tsvector_to_array(search);
    ids INTEGER[];
BEGIN
    -- Only words not yet known: every row INSERT tries takes an id, even
    -- one that ON CONFLICT then skips.
    INSERT INTO project_words (word)
        SELECT l FROM unnest(lexemes) AS l WHERE NOT EXISTS (SELECT FROM project_words w WHERE w.word = l)
        ON CONFLICT DO NOTHING;
    SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO ids FROM project_words WHERE word = ANY (lexemes);
    IF cardinality(ids) <> cardinality(lexemes) THEN
        RAISE EXCEPTION 'project_word_ids: % of % words have no id', cardinality(lexemes) - cardinality(ids),
            cardinality(lexemes);
    END IF;
    RETURN ids;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION projects_sync_listing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.archived_at IS NOT NULL OR NEW.hidden_at IS NOT NULL THEN
        DELETE FROM project_listings WHERE project_id = NEW.id;
        RETURN NULL;
    END IF;
    INSERT INTO project_listings AS l (project_id, created_at, town_id, partner_town_id, sector, topics, languages,
            countries, words)
        VALUES (NEW.id, NEW.created_at, NEW.town_id, NEW.partner_town_id, NEW.sector, NEW.topics, NEW.languages,
            NEW.countries, project_word_ids(NEW.search))
        ON CONFLICT (project_id) DO UPDATE SET created_at = EXCLUDED.created_at, town_id = EXCLUDED.town_id,
            partner_town_id = EXCLUDED.partner_town_id, sector = EXCLUDED.sector, topics = EXCLUDED.topics,
            languages = EXCLUDED.languages, countries = EXCLUDED.countries, words = EXCLUDED.words;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER projects_listing_insert AFTER INSERT ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_sync_listing();
-- Only changes a search can see rewrite the listing (not a new
-- contact_requests setting or updated_at).
CREATE TRIGGER projects_listing_update AFTER UPDATE ON projects
    FOR EACH ROW WHEN ((OLD.archived_at, OLD.hidden_at, OLD.created_at, OLD.town_id, OLD.partner_town_id, OLD.sector,
            OLD.topics, OLD.languages, OLD.countries, OLD.search)
        IS DISTINCT FROM (NEW.archived_at, NEW.hidden_at, NEW.created_at, NEW.town_id, NEW.partner_town_id, NEW.sector,
            NEW.topics, NEW.languages, NEW.countries, NEW.search))
    EXECUTE FUNCTION projects_sync_listing();

INSERT INTO project_listings (project_id, created_at, town_id, partner_town_id, sector, topics, languages, countries,
        words)
    SELECT id, created_at, town_id, partner_town_id, sector, topics, languages, countries, project_word_ids(search)
    FROM projects WHERE archived_at IS NULL AND hidden_at IS NULL;

-- Search no longer reads these.
DROP INDEX projects_match_idx;
DROP INDEX projects_recent_idx;
DROP INDEX projects_sector_recent_idx;

-- +goose Down
CREATE INDEX projects_match_idx ON projects USING gin (search, topics, languages, countries)
    WITH (fastupdate = off)
    WHERE archived_at IS NULL AND hidden_at IS NULL;
CREATE INDEX projects_recent_idx ON projects (created_at DESC, id DESC)
    WHERE archived_at IS NULL AND hidden_at IS NULL;
CREATE INDEX projects_sector_recent_idx ON projects (sector, created_at DESC, id DESC)
    WHERE archived_at IS NULL AND hidden_at IS NULL;
DROP TRIGGER projects_listing_update ON projects;
DROP TRIGGER projects_listing_insert ON projects;
DROP FUNCTION projects_sync_listing();
DROP FUNCTION project_word_ids(TSVECTOR);
DROP TABLE project_listings;
DROP INDEX project_words_prefix_idx;
CREATE INDEX project_words_prefix_idx ON project_words (word text_pattern_ops);
ALTER TABLE project_words DROP CONSTRAINT project_words_id_key;
ALTER TABLE project_words DROP COLUMN id;
