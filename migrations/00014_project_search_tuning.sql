-- +goose Up
-- Project search tuned with EXPLAIN ANALYZE on 100,000 generated projects
-- (docs/benchmarks.md, "Project search").

-- Search filters by country without joining towns for every candidate row:
-- each project carries the countries of its town and partner town. The
-- triggers keep them right when a project's towns change and when a town's
-- country is corrected.
ALTER TABLE projects ADD COLUMN countries TEXT[] NOT NULL DEFAULT '{}';

-- +goose StatementBegin
CREATE FUNCTION project_countries(town BIGINT, partner BIGINT) RETURNS TEXT[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT country ORDER BY country), '{}') FROM towns WHERE id IN (town, partner)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION projects_set_countries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.countries := project_countries(NEW.town_id, NEW.partner_town_id);
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER projects_countries BEFORE INSERT OR UPDATE OF town_id, partner_town_id ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_set_countries();

-- +goose StatementBegin
CREATE FUNCTION towns_update_project_countries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE projects SET countries = project_countries(town_id, partner_town_id)
    WHERE town_id = NEW.id OR partner_town_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER towns_project_countries AFTER UPDATE OF country ON towns
    FOR EACH ROW WHEN (OLD.country IS DISTINCT FROM NEW.country) EXECUTE FUNCTION towns_update_project_countries();

UPDATE projects SET countries = project_countries(town_id, partner_town_id);

-- Search checks a candidate's vector right in the table row: keeping vectors
-- inline (compressed, never in the TOAST table) spares a lookup per row.
-- Finer statistics on the vectors let the planner tell a rare word (use
-- the text index) from a common one (walk the newest projects).
ALTER TABLE projects SET (toast_tuple_target = 8160);
ALTER TABLE projects ALTER COLUMN search SET STORAGE MAIN;
ALTER TABLE projects ALTER COLUMN search SET STATISTICS 1000;

-- A query word that begins some known word is no typo: the check looks
-- up the prefix here before any trigram comparison.
CREATE INDEX project_words_prefix_idx ON project_words (word text_pattern_ops);

-- Topics, team languages and countries in one index: a search combining
-- them is answered by one index scan.
DROP INDEX projects_topics_idx;
DROP INDEX projects_languages_idx;
CREATE INDEX projects_facets_idx ON projects USING gin (topics, languages, countries) WITH (fastupdate = off)
    WHERE archived_at IS NULL AND hidden_at IS NULL;

-- Projects are written rarely and searched often: a GIN pending list would
-- be scanned by every search until the next vacuum.
ALTER INDEX projects_search_idx SET (fastupdate = off);
ALTER INDEX project_words_trgm_idx SET (fastupdate = off);

-- +goose Down
ALTER INDEX project_words_trgm_idx RESET (fastupdate);
ALTER INDEX projects_search_idx RESET (fastupdate);
DROP INDEX project_words_prefix_idx;
ALTER TABLE projects ALTER COLUMN search SET STATISTICS -1;
ALTER TABLE projects ALTER COLUMN search SET STORAGE EXTENDED;
ALTER TABLE projects RESET (toast_tuple_target);
DROP INDEX projects_facets_idx;
CREATE INDEX projects_topics_idx ON projects USING gin (topics) WHERE archived_at IS NULL AND hidden_at IS NULL;
CREATE INDEX projects_languages_idx ON projects USING gin (languages) WHERE archived_at IS NULL AND hidden_at IS NULL;
DROP TRIGGER towns_project_countries ON towns;
DROP FUNCTION towns_update_project_countries();
DROP TRIGGER projects_countries ON projects;
DROP FUNCTION projects_set_countries();
DROP FUNCTION project_countries(BIGINT, BIGINT);
ALTER TABLE projects DROP COLUMN countries;
