-- +goose Up
-- The language each text is written in, as package langdetect tells it
-- (de, uk, fr, sv, en, pl), so that the bot knows when a text is foreign
-- to its reader and offers a translation. NULL: not known (too short to
-- tell, or written before this migration and not yet looked at).
ALTER TABLE projects ADD COLUMN title_lang TEXT CHECK (title_lang ~ '^[a-z]{2}$'),
    ADD COLUMN description_lang TEXT CHECK (description_lang ~ '^[a-z]{2}$');
ALTER TABLE events ADD COLUMN text_lang TEXT CHECK (text_lang ~ '^[a-z]{2}$');
ALTER TABLE contact_requests ADD COLUMN intro_lang TEXT CHECK (intro_lang ~ '^[a-z]{2}$');

-- Project search vectors also hold the concepts of the glossary (package
-- glossary) that a project's texts are about, and tokens of its topics and
-- sector. The glossary lives in the binary; version is the glossary's
-- Version() the stored vectors were made with. A binary with another
-- glossary rewrites every project's vector once at start
-- (storage.RefreshSearch) and then records its version here.
CREATE TABLE search_index_state (
    only_row   BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    version    TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE search_index_state;
ALTER TABLE contact_requests DROP COLUMN intro_lang;
ALTER TABLE events DROP COLUMN text_lang;
ALTER TABLE projects DROP COLUMN description_lang, DROP COLUMN title_lang;
