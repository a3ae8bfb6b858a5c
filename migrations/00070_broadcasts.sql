-- +goose Up
-- Coordinators for towns (issue 10): the towns a coordinator speaks for. A coordinator's
-- broadcasts reach these towns and their partnership networks. Coordinators without a row here
-- (granted before towns existed) speak for the town of their profile.
CREATE TABLE coordinator_towns (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    town_id    BIGINT NOT NULL REFERENCES towns (id) ON DELETE CASCADE,
    granted_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, town_id)
);
CREATE INDEX coordinator_towns_town_idx ON coordinator_towns (town_id);

-- Broadcasts: an announcement (or a funding call, when it has a deadline) from a coordinator or an
-- administrator to an audience (storage.Audience, as JSON). from_town_id and topic are what a
-- recipient may mute ("announcements from this town", "on this topic").
CREATE TABLE broadcasts (
    id                BIGSERIAL PRIMARY KEY,
    author_id         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    author_lang       TEXT NOT NULL,
    audience          JSONB NOT NULL,
    from_town_id      BIGINT REFERENCES towns (id) ON DELETE SET NULL,
    topic             TEXT,
    links             JSONB NOT NULL DEFAULT '[]'::jsonb,
    media_kind        TEXT CHECK (media_kind IN ('photo', 'document')),
    media_file_id     TEXT,
    deadline          TIMESTAMPTZ,
    deadline_zone     TEXT,
    urgent            BOOLEAN NOT NULL DEFAULT false,
    send_at           TIMESTAMPTZ NOT NULL,
    revision          INT NOT NULL DEFAULT 0,
    status_chat_id    BIGINT,
    status_message_id BIGINT,
    status_text       TEXT NOT NULL DEFAULT '',
    stopped_at        TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((media_kind IS NULL) = (media_file_id IS NULL))
);
CREATE INDEX broadcasts_author_idx ON broadcasts (author_id, id);

-- One text per language; the author's language is always there.
CREATE TABLE broadcast_versions (
    broadcast_id BIGINT NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    lang         TEXT NOT NULL,
    text         TEXT NOT NULL CHECK (text <> ''),
    PRIMARY KEY (broadcast_id, lang)
);

-- Each recipient of a broadcast and what became of their copy. due_at is when it goes out
-- (quiet hours move it to 08:00 in the recipient's zone); message_id is the copy in their chat,
-- for corrections; revision is the text revision their copy shows.
CREATE TABLE broadcast_recipients (
    broadcast_id BIGINT NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    due_at       TIMESTAMPTZ NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'sent', 'blocked', 'failed', 'dropped', 'stopped')),
    message_id   BIGINT,
    revision     INT NOT NULL DEFAULT 0,
    remind       BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (broadcast_id, user_id)
);
CREATE INDEX broadcast_recipients_user_idx ON broadcast_recipients (user_id);
CREATE INDEX broadcast_recipients_state_idx ON broadcast_recipients (broadcast_id, state);

-- What a person muted: announcements from a town, or on a topic.
CREATE TABLE user_mutes (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('town', 'topic')),
    value      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, kind, value)
);

-- The kinds of messages a person switched off in /settings (a row means off).
CREATE TABLE user_message_kinds_off (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('announcements', 'funding_calls', 'events', 'project_news')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, kind)
);

-- +goose Down
DROP TABLE user_message_kinds_off;
DROP TABLE user_mutes;
DROP TABLE broadcast_recipients;
DROP TABLE broadcast_versions;
DROP TABLE broadcasts;
DROP TABLE coordinator_towns;
