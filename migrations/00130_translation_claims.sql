-- +goose Up
-- A translation being made right now (package translate): the instance
-- whose row this is asks the service; another instance that wants the
-- same text in the same language meanwhile waits for the translation to
-- appear in translations instead of asking (and paying) too. A claim
-- whose instance died before it let go runs out at expires_at. Rows live
-- for the length of one request to the service; no person is named.
CREATE TABLE translation_claims (
    source_hash BYTEA NOT NULL CHECK (octet_length(source_hash) = 32),
    target_lang TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source_hash, target_lang)
);

-- +goose Down
DROP TABLE translation_claims;
