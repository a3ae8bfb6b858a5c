-- +goose Up
-- Per-person limits that outlive /deleteme (security review #4): how many
-- contact requests, reports and projects someone made in the last day, and
-- which proposed towns are theirs, counted by a keyed hash of their
-- Telegram id instead of the id. The rows hold no id, so /export and
-- /deleteme (storage.PersonalData) leave them alone by design; each goes
-- when its limit's window ends (expires_at), a town proposal's also when
-- the town is decided. The privacy text names them (legitimate interest).

-- The key of the hash: random, made here once, the same for every
-- instance. Without it the hashes cannot be matched to ids by trying them.
CREATE TABLE limit_pepper (
    only_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    pepper   BYTEA NOT NULL CHECK (length(pepper) >= 32)
);
-- Two version 4 UUIDs: 244 random bits from the server's strong source.
INSERT INTO limit_pepper (pepper)
VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

CREATE TABLE limit_marks (
    -- HMAC-SHA256 of the Telegram user id (decimal) under the pepper.
    person_hmac BYTEA NOT NULL,
    -- What was done: contact_request, report, project, town_proposal.
    action      TEXT NOT NULL,
    -- The proposed town, for town_proposal only: it counts while it waits.
    town_id     BIGINT REFERENCES towns (id) ON DELETE CASCADE,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX limit_marks_person_idx ON limit_marks (person_hmac, action, expires_at);
CREATE INDEX limit_marks_expires_idx ON limit_marks (expires_at);
CREATE INDEX limit_marks_town_idx ON limit_marks (town_id) WHERE town_id IS NOT NULL;

-- +goose Down
DROP TABLE limit_marks;
DROP TABLE limit_pepper;
