-- +goose Up
-- A request to get in touch with a project's owner: the requester's short
-- introduction and what the owner decided. owner_id is the project's owner
-- when the request was made (owners never change), so that the owner's side
-- of a request is theirs for /export and /deleteme. Times come from the
-- application's clock.
CREATE TABLE contact_requests (
    id           BIGSERIAL PRIMARY KEY,
    project_id   BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    requester_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    owner_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    intro        TEXT NOT NULL CHECK (char_length(intro) BETWEEN 1 AND 500),
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined', 'expired')),
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    decided_at   TIMESTAMPTZ,
    CHECK (requester_id <> owner_id)
);
-- At most one pending request per requester and project.
CREATE UNIQUE INDEX contact_requests_pending_idx ON contact_requests (project_id, requester_id) WHERE status = 'pending';
-- The daily limit counts a requester's recent requests.
CREATE INDEX contact_requests_requester_idx ON contact_requests (requester_id, created_at);
CREATE INDEX contact_requests_owner_idx ON contact_requests (owner_id);

-- +goose Down
DROP TABLE contact_requests;
