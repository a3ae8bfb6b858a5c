-- +goose Up
-- The filters of a person's recent /find searches, so that result pages and
-- filter buttons (whose callback data holds only the search id) know what
-- was asked. Old ones are pruned when a new one is saved.
CREATE TABLE project_searches (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    filters    JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX project_searches_user_idx ON project_searches (user_id, id);

-- +goose Down
DROP TABLE project_searches;
