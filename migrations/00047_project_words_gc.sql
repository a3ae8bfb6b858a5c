-- +goose Up
-- project_words forgets the words of deleted texts (security review #8):
-- names, phone numbers and e-mail addresses people wrote into projects
-- they deleted, or deleted with /deleteme, or edited away.
--
-- A trigger notes the ids of the words a deleted project had, or an edit
-- removed, in project_words_unused, in the same transaction as the change;
-- Store.CollectUnusedWords then deletes those no listing refers to (the
-- bot calls it right after such a change, housekeeping every hour). It
-- holds a share lock on projects while it does: no project write, and so
-- no listing that could take one of these ids, is under way meanwhile.
-- A word of an archived or hidden project is kept in its search vector,
-- and gets an id again when the project is listed again.

CREATE TABLE project_words_unused (
    word_id INTEGER PRIMARY KEY
);

-- +goose StatementBegin
CREATE FUNCTION projects_note_unused_words() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    gone TEXT[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        gone := tsvector_to_array(OLD.search);
    ELSE
        gone := ARRAY(SELECT unnest(tsvector_to_array(OLD.search)) EXCEPT SELECT unnest(tsvector_to_array(NEW.search)));
    END IF;
    INSERT INTO project_words_unused (word_id)
        SELECT id FROM project_words WHERE word = ANY (gone)
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER projects_words_delete AFTER DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_note_unused_words();
CREATE TRIGGER projects_words_update AFTER UPDATE OF search ON projects
    FOR EACH ROW WHEN (OLD.search IS DISTINCT FROM NEW.search)
    EXECUTE FUNCTION projects_note_unused_words();

-- The words no listing refers to, left by deletes and edits before this.
LOCK TABLE projects IN SHARE MODE;
DELETE FROM project_words w WHERE NOT EXISTS (SELECT FROM project_listings l WHERE l.words @> ARRAY[w.id]);

-- +goose Down
DROP TRIGGER projects_words_update ON projects;
DROP TRIGGER projects_words_delete ON projects;
DROP FUNCTION projects_note_unused_words();
DROP TABLE project_words_unused;
