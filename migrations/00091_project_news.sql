-- +goose Up
-- Project news (issue 10): an owner's update to the followers of their project, delivered to
-- each follower who has "project news" on in /settings. The text is kept so that each copy is
-- written when it goes out; author_id is personal data (storage.PersonalData).
CREATE TABLE project_news (
    id         BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    author_id  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    text       TEXT NOT NULL CHECK (text <> ''),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX project_news_project_idx ON project_news (project_id, created_at);
CREATE INDEX project_news_author_idx ON project_news (author_id);

-- +goose Down
DROP TABLE project_news;
