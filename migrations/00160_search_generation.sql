-- +goose Up
-- What a search shows (listings, their words, projects, towns and the names
-- towns are found by) changes only when one of these tables is written. A
-- transaction that writes one of them adds one to search_generation, at its
-- commit, so that an instance may keep the results of a search for as long
-- as the number stands (storage/searchcache.go): it reads the number, and
-- only a changed number means that something a search shows has changed.
--
-- The trigger is a deferred constraint trigger: the row is updated at the
-- very end of the transaction, so that its lock is held for the commit only
-- and never while the transaction waits for another row (two writers each
-- holding the number and waiting for the other's project would deadlock).
-- A setting of the transaction makes it count once, however many rows the
-- transaction writes.
CREATE TABLE search_generation (
    one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    generation BIGINT NOT NULL
);
INSERT INTO search_generation (generation) VALUES (0);

-- +goose StatementBegin
CREATE FUNCTION count_search_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('partnerbot.search_generation_counted', true) IS DISTINCT FROM 'on' THEN
        UPDATE search_generation SET generation = generation + 1;
        PERFORM set_config('partnerbot.search_generation_counted', 'on', true);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER projects_search_generation AFTER INSERT OR UPDATE OR DELETE ON projects
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_search_generation();
CREATE CONSTRAINT TRIGGER project_listings_search_generation AFTER INSERT OR UPDATE OR DELETE ON project_listings
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_search_generation();
CREATE CONSTRAINT TRIGGER project_words_search_generation AFTER INSERT OR UPDATE OR DELETE ON project_words
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_search_generation();
CREATE CONSTRAINT TRIGGER towns_search_generation AFTER INSERT OR UPDATE OR DELETE ON towns
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_search_generation();
CREATE CONSTRAINT TRIGGER town_search_keys_search_generation AFTER INSERT OR UPDATE OR DELETE ON town_search_keys
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_search_generation();
-- TRUNCATE has no constraint triggers; it locks the whole table anyway.
CREATE TRIGGER projects_truncate_search_generation AFTER TRUNCATE ON projects
    FOR EACH STATEMENT EXECUTE FUNCTION count_search_generation();
CREATE TRIGGER project_listings_truncate_search_generation AFTER TRUNCATE ON project_listings
    FOR EACH STATEMENT EXECUTE FUNCTION count_search_generation();
CREATE TRIGGER project_words_truncate_search_generation AFTER TRUNCATE ON project_words
    FOR EACH STATEMENT EXECUTE FUNCTION count_search_generation();
CREATE TRIGGER towns_truncate_search_generation AFTER TRUNCATE ON towns
    FOR EACH STATEMENT EXECUTE FUNCTION count_search_generation();
CREATE TRIGGER town_search_keys_truncate_search_generation AFTER TRUNCATE ON town_search_keys
    FOR EACH STATEMENT EXECUTE FUNCTION count_search_generation();

-- +goose Down
DROP TRIGGER town_search_keys_truncate_search_generation ON town_search_keys;
DROP TRIGGER towns_truncate_search_generation ON towns;
DROP TRIGGER project_words_truncate_search_generation ON project_words;
DROP TRIGGER project_listings_truncate_search_generation ON project_listings;
DROP TRIGGER projects_truncate_search_generation ON projects;
DROP TRIGGER town_search_keys_search_generation ON town_search_keys;
DROP TRIGGER towns_search_generation ON towns;
DROP TRIGGER project_words_search_generation ON project_words;
DROP TRIGGER project_listings_search_generation ON project_listings;
DROP TRIGGER projects_search_generation ON projects;
DROP FUNCTION count_search_generation();
DROP TABLE search_generation;
