-- +goose Up
-- Telegram groups and channels the bot was added to and works in: project groups and channels,
-- and youth groups. language is the chat's language, set by its administrators (default: the
-- language of the one who added the bot). A group upgraded to a supergroup gets a new id; the
-- tables below follow it through ON UPDATE CASCADE.
CREATE TABLE group_chats (
    chat_id    BIGINT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('group', 'supergroup', 'channel')),
    title      TEXT NOT NULL DEFAULT '' CHECK (char_length(title) <= 255),
    language   TEXT NOT NULL CHECK (language IN ('de', 'uk', 'fr', 'sv', 'en')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A project's group or channel. A link whose bot was removed or demoted stays with unlinked_at
-- set, so that the notice to the owner can still say which group it was.
CREATE TABLE project_groups (
    id            BIGSERIAL PRIMARY KEY,
    project_id    BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    chat_id       BIGINT NOT NULL REFERENCES group_chats (chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('group', 'channel')),
    invite_link   TEXT NOT NULL DEFAULT '' CHECK (char_length(invite_link) <= 200),
    -- owner_decides: each join request goes to the owner (Approve / Decline) after the rules.
    owner_decides BOOLEAN NOT NULL DEFAULT false,
    linked_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    unlinked_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX project_groups_live_chat_idx ON project_groups (chat_id) WHERE unlinked_at IS NULL;
CREATE UNIQUE INDEX project_groups_live_kind_idx ON project_groups (project_id, kind) WHERE unlinked_at IS NULL;

-- The rules of a project's group, one text per language, written by the owner. A project for
-- young people names the responsible adult, shown with the rules.
CREATE TABLE group_rules (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    language   TEXT NOT NULL CHECK (language IN ('de', 'uk', 'fr', 'sv', 'en')),
    body       TEXT NOT NULL CHECK (char_length(body) BETWEEN 1 AND 2000),
    written_by BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, language)
);
CREATE INDEX group_rules_written_by_idx ON group_rules (written_by);

CREATE TABLE group_youth_projects (
    project_id        BIGINT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    responsible_adult TEXT NOT NULL CHECK (char_length(responsible_adult) BETWEEN 1 AND 200)
);

-- Requests to join a project's group or channel (chat_join_request). user_chat_id is where the
-- bot may write to the applicant for five minutes after requested_at, until the request is
-- decided. The applicant is stored because they act; nobody else in a group is.
CREATE TABLE join_requests (
    id           BIGSERIAL PRIMARY KEY,
    chat_id      BIGINT NOT NULL REFERENCES group_chats (chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    project_id   BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_chat_id BIGINT NOT NULL,
    bio          TEXT NOT NULL DEFAULT '' CHECK (char_length(bio) <= 500),
    requested_at TIMESTAMPTZ NOT NULL,
    status       TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'rules_sent', 'with_owner', 'approved', 'declined')),
    decided_at   TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX join_requests_open_idx ON join_requests (chat_id, user_id) WHERE decided_at IS NULL;
CREATE INDEX join_requests_user_idx ON join_requests (user_id);

-- Youth groups: a youth club, school class or youth council that receives, in its language, new
-- projects and events of its town that match its topics, and broadcasts to youth groups.
CREATE TABLE youth_groups (
    chat_id            BIGINT PRIMARY KEY REFERENCES group_chats (chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    town_id            BIGINT NOT NULL REFERENCES towns (id),
    age_min            INT NOT NULL CHECK (age_min BETWEEN 6 AND 30),
    age_max            INT NOT NULL CHECK (age_max BETWEEN 6 AND 30 AND age_max >= age_min),
    topics             TEXT[] NOT NULL DEFAULT '{}',
    receive_projects   BOOLEAN NOT NULL DEFAULT true,
    receive_events     BOOLEAN NOT NULL DEFAULT true,
    receive_broadcasts BOOLEAN NOT NULL DEFAULT true,
    active             BOOLEAN NOT NULL DEFAULT true,
    registered_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX youth_groups_town_idx ON youth_groups (town_id) WHERE active;

-- Who acted in a group as what: linked it to a project, registered it, changed its settings.
-- Only people who act are here (administrators); members who merely write are never stored.
CREATE TABLE group_roles (
    chat_id  BIGINT NOT NULL REFERENCES group_chats (chat_id) ON UPDATE CASCADE ON DELETE CASCADE,
    user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('linked', 'registered', 'settings')),
    acted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, user_id, role)
);
CREATE INDEX group_roles_user_idx ON group_roles (user_id);

-- An owner who pressed "Link a channel": the next channel they add the bot to as administrator
-- becomes that project's channel (Telegram's startchannel link carries no parameter).
CREATE TABLE channel_link_intents (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE channel_link_intents;
DROP TABLE group_roles;
DROP TABLE youth_groups;
DROP TABLE join_requests;
DROP TABLE group_youth_projects;
DROP TABLE group_rules;
DROP TABLE project_groups;
DROP TABLE group_chats;
