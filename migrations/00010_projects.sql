-- +goose Up
-- Projects volunteers register so that partners in other towns find them.
-- code is the public, random identifier used in deep links and buttons, so
-- nobody can walk the projects by counting. sector, topics and languages hold
-- ids defined in Go (storage.Sectors, storage.Topics, storage.ProfileLanguages).
-- search is written by the application from the title (weight A) and the
-- description (weight B): every word as its search keys from package
-- searchkey (the spelling-independent forms town search uses, Cyrillic words
-- also in Latin transliteration); the database only matches.
CREATE TABLE projects (
    id               BIGSERIAL PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE CHECK (code ~ '^[a-z2-7]{10}$'),
    owner_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title            TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 120),
    description      TEXT NOT NULL CHECK (char_length(description) BETWEEN 1 AND 2000),
    town_id          BIGINT NOT NULL REFERENCES towns (id),
    partner_town_id  BIGINT REFERENCES towns (id) ON DELETE SET NULL,
    sector           TEXT NOT NULL CHECK (sector IN ('administration', 'civil_society', 'business', 'forums')),
    topics           TEXT[] NOT NULL CHECK (cardinality(topics) > 0),
    languages        TEXT[] NOT NULL CHECK (cardinality(languages) > 0),
    contact_requests BOOLEAN NOT NULL,
    archived_at      TIMESTAMPTZ,
    hidden_at        TIMESTAMPTZ,
    search           TSVECTOR NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (partner_town_id <> town_id)
);
CREATE INDEX projects_owner_idx ON projects (owner_id, created_at);
CREATE INDEX projects_town_idx ON projects (town_id);
CREATE INDEX projects_partner_town_idx ON projects (partner_town_id) WHERE partner_town_id IS NOT NULL;
-- Search only ever looks at visible projects (neither archived nor hidden):
-- the partial indexes below hold just those. Chosen with EXPLAIN ANALYZE on
-- 100,000 projects (docs/benchmarks.md, "Project search").
CREATE INDEX projects_search_idx ON projects USING gin (search)
    WHERE archived_at IS NULL AND hidden_at IS NULL;
CREATE INDEX projects_topics_idx ON projects USING gin (topics)
    WHERE archived_at IS NULL AND hidden_at IS NULL;
CREATE INDEX projects_languages_idx ON projects USING gin (languages)
    WHERE archived_at IS NULL AND hidden_at IS NULL;
CREATE INDEX projects_sector_recent_idx ON projects (sector, created_at DESC, id DESC)
    WHERE archived_at IS NULL AND hidden_at IS NULL;
CREATE INDEX projects_recent_idx ON projects (created_at DESC, id DESC)
    WHERE archived_at IS NULL AND hidden_at IS NULL;

-- Every word that occurs in some project's search vector. A query word that
-- matches nothing is compared with these by trigram similarity, so a typo
-- still finds what was meant. Words are only added: a stale one costs a
-- comparison, never a wrong result.
CREATE TABLE project_words (
    word TEXT PRIMARY KEY
);
CREATE INDEX project_words_trgm_idx ON project_words USING gin (word gin_trgm_ops);

-- Who follows which project: the audience of its announcements and events.
CREATE TABLE project_followers (
    project_id BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_followers_user_idx ON project_followers (user_id);

-- +goose Down
DROP TABLE project_followers;
DROP TABLE project_words;
DROP TABLE projects;
