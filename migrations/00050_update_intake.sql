-- +goose Up
-- raw keeps, as bytes, an update PostgreSQL refuses as JSONB for what it contains (a NUL character or
-- bytes that are not UTF-8, as in forged callback data). Such an update is recorded done and rejected at
-- once, so it is acknowledged and never holds intake back; raw is there for diagnosis and goes with the
-- row when handled updates are pruned (after a week) or with /deleteme.
ALTER TABLE inbound_updates ADD COLUMN raw BYTEA;
-- How an update ended: handled (by a handler), throttled (over the user's rate limit, not handled),
-- rejected (unstorable or undecodable content, not handled), abandoned (given up after repeated
-- attempts, or its payload erased by /deleteme). NULL for rows done before this migration.
ALTER TABLE inbound_updates ADD COLUMN outcome TEXT
    CHECK (outcome IN ('handled', 'throttled', 'rejected', 'abandoned'));
-- How often a worker claimed the update: a lease that ran out counts again.
ALTER TABLE inbound_updates ADD COLUMN attempts INT NOT NULL DEFAULT 0;

-- Only a user's oldest undone update may be claimed (their updates are handled one at a time and in
-- order across instances): the claim looks for an earlier undone update of the same user.
CREATE INDEX inbound_updates_user_pending_idx ON inbound_updates (user_id, update_id) WHERE done_at IS NULL;
-- The per-user rate limit counts a user's updates received in the last seconds; /deleteme finds a
-- user's rows by the same index.
DROP INDEX inbound_updates_user_idx;
CREATE INDEX inbound_updates_user_received_idx ON inbound_updates (user_id, received_at);

-- +goose Down
DROP INDEX inbound_updates_user_received_idx;
CREATE INDEX inbound_updates_user_idx ON inbound_updates (user_id);
DROP INDEX inbound_updates_user_pending_idx;
ALTER TABLE inbound_updates DROP COLUMN attempts;
ALTER TABLE inbound_updates DROP COLUMN outcome;
ALTER TABLE inbound_updates DROP COLUMN raw;
