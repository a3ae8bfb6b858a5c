-- +goose Up
-- Machine translations of what people write (package translate), so that
-- a text is sent to the translation service once per target language.
-- source_hash is the SHA-256 of the source text; owner_id is the person
-- who wrote it (NULL for a text whose author has left, e.g. an event of a
-- coordinator who deleted their data), so that /deleteme erases the
-- translations of a person's texts with the texts (storage.PersonalData).
CREATE TABLE translations (
    id          BIGSERIAL PRIMARY KEY,
    source_hash BYTEA NOT NULL CHECK (octet_length(source_hash) = 32),
    target_lang TEXT NOT NULL CHECK (target_lang ~ '^[a-z]{2}$'),
    owner_id    BIGINT REFERENCES users (id) ON DELETE CASCADE,
    source_lang TEXT CHECK (source_lang ~ '^[a-z]{2}$'),
    translated  TEXT NOT NULL,
    provider    TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (source_hash, target_lang, owner_id)
);
CREATE INDEX translations_owner_idx ON translations (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX translations_created_idx ON translations (created_at);

-- Characters sent to the translation service per day (UTC), summed over
-- every instance: a translation first reserves its characters here, in
-- one atomic statement that refuses to pass the daily budget.
CREATE TABLE translation_usage (
    day   DATE PRIMARY KEY,
    chars BIGINT NOT NULL CHECK (chars >= 0)
);

-- +goose Down
DROP TABLE translation_usage;
DROP TABLE translations;
