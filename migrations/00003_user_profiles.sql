-- +goose Up
-- What a volunteer tells about themselves: their town, the languages they
-- speak (ISO 639-1 codes) and the topics they care about (ids from
-- storage.Topics).
CREATE TABLE user_profiles (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    town_id    BIGINT REFERENCES towns (id) ON DELETE SET NULL,
    languages  TEXT[] NOT NULL DEFAULT '{}',
    interests  TEXT[] NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX user_profiles_town_idx ON user_profiles (town_id);

-- +goose Down
DROP TABLE user_profiles;
