-- +goose Up
-- Per-user settings that are not part of the profile: for now the time zone in which the bot
-- shows dates and times. A user without a row gets the default of their language (package zones).
CREATE TABLE user_settings (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    time_zone  TEXT NOT NULL CHECK (time_zone <> '' AND length(time_zone) <= 64),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Events coordinators publish. starts_at is the instant; time_zone is the IANA zone the
-- coordinator gave the time in, in which the event is shown next to the viewer's own time and in
-- which "1 day/week before" reminders count. An event takes place somewhere (place), online
-- (online_url), or both. It may belong to a town or a project, whose people hear about it.
-- A cancelled event stays, so that late reminders find out and stay silent.
CREATE TABLE events (
    id           BIGSERIAL PRIMARY KEY,
    title        TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description  TEXT NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
    starts_at    TIMESTAMPTZ NOT NULL,
    time_zone    TEXT NOT NULL CHECK (time_zone <> '' AND length(time_zone) <= 64),
    duration_min INT NOT NULL CHECK (duration_min BETWEEN 5 AND 20160),
    place        TEXT NOT NULL DEFAULT '' CHECK (char_length(place) <= 300),
    online_url   TEXT NOT NULL DEFAULT '' CHECK (char_length(online_url) <= 500),
    town_id      BIGINT REFERENCES towns (id) ON DELETE SET NULL,
    project_id   BIGINT REFERENCES projects (id) ON DELETE SET NULL,
    created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    cancelled_at TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (place <> '' OR online_url <> '')
);
-- Listing walks upcoming events in start order; ends_at-based filtering reads few rows past it.
CREATE INDEX events_upcoming_idx ON events (starts_at, id) WHERE cancelled_at IS NULL;
CREATE INDEX events_town_idx ON events (town_id, starts_at) WHERE cancelled_at IS NULL AND town_id IS NOT NULL;
CREATE INDEX events_project_idx ON events (project_id, starts_at) WHERE cancelled_at IS NULL AND project_id IS NOT NULL;
CREATE INDEX events_created_by_idx ON events (created_by) WHERE created_by IS NOT NULL;

-- The reminders people asked for: one row per event, person and offset (minutes before the
-- start, package remind). Having at least one makes a person a subscriber of the event, who is
-- told when it changes or is cancelled.
CREATE TABLE event_reminders (
    event_id   BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    offset_min INT NOT NULL CHECK (offset_min IN (0, 60, 1440, 10080)),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, user_id, offset_min)
);
CREATE INDEX event_reminders_user_idx ON event_reminders (user_id);

-- Each edit of an event: its fields before and after, so that the notice to every subscriber
-- can be written when it is sent, in their language and time zone of that moment.
CREATE TABLE event_changes (
    id         BIGSERIAL PRIMARY KEY,
    event_id   BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    old        JSONB NOT NULL,
    new        JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX event_changes_event_idx ON event_changes (event_id);

-- +goose Down
DROP TABLE event_changes;
DROP TABLE event_reminders;
DROP TABLE events;
DROP TABLE user_settings;
