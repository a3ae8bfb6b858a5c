-- +goose Up
-- People who talk to the bot. id is the Telegram user id.
CREATE TABLE users (
    id            BIGINT PRIMARY KEY,
    username      TEXT,
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    -- language_code as Telegram last reported it; language is the user's own choice and wins.
    language_code TEXT NOT NULL DEFAULT '',
    language      TEXT,
    role          TEXT NOT NULL DEFAULT 'volunteer' CHECK (role IN ('volunteer', 'coordinator')),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX users_username_idx ON users (lower(username));

-- Every update Telegram delivered, recorded before it is acknowledged so none is lost
-- in a crash and none is handled twice. The payload is dropped once handled.
CREATE TABLE inbound_updates (
    update_id   BIGINT PRIMARY KEY,
    user_id     BIGINT,
    payload     JSONB,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    claimed_by  TEXT,
    claimed_at  TIMESTAMPTZ,
    done_at     TIMESTAMPTZ
);
CREATE INDEX inbound_updates_pending_idx ON inbound_updates (update_id) WHERE done_at IS NULL;
CREATE INDEX inbound_updates_user_idx ON inbound_updates (user_id);

-- Multi-step conversations (wizards): one active flow per user, with an expiry.
CREATE TABLE conversations (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    flow       TEXT NOT NULL,
    step       TEXT NOT NULL,
    data       JSONB NOT NULL DEFAULT '{}'::jsonb,
    expires_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Who granted or revoked which role, and when. actor_id is NULL for the command line.
CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    actor_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    action     TEXT NOT NULL,
    target_id  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE conversations;
DROP TABLE inbound_updates;
DROP TABLE users;
