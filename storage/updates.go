package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
)

// RecordUpdate stores an incoming update before it is acknowledged to
// Telegram. fresh is false when this update_id was seen before: a replay
// that must not be handled again.
func (s *Store) RecordUpdate(ctx context.Context, updateID, userID int64, payload []byte) (fresh bool, err error) {
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO inbound_updates (update_id, user_id, payload) VALUES ($1, nullif($2, 0::bigint), $3)
		ON CONFLICT (update_id) DO NOTHING`, updateID, userID, json.RawMessage(payload))
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// ClaimUpdate takes the lease on a pending update for owner and returns its
// payload. It returns ErrNotFound when the update is done or another owner
// holds a lease younger than lease, so one update is handled by one worker.
func (s *Store) ClaimUpdate(ctx context.Context, updateID int64, owner string, lease time.Duration) ([]byte, error) {
	var payload []byte
	err := s.pool.QueryRow(ctx, `
		UPDATE inbound_updates SET claimed_by = $2, claimed_at = now()
		WHERE update_id = $1 AND done_at IS NULL
		  AND (claimed_at IS NULL OR claimed_at < now() - $3::interval)
		RETURNING payload`, updateID, owner, lease).Scan(&payload)
	return payload, notFound(err)
}

// FinishUpdate marks an update handled and drops its payload, keeping only
// the id for de-duplication.
func (s *Store) FinishUpdate(ctx context.Context, updateID int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE inbound_updates SET done_at = now(), payload = NULL WHERE update_id = $1`, updateID)
	return err
}

// PendingUpdate is an update recorded but not yet handled.
type PendingUpdate struct {
	UpdateID int64
	UserID   int64
}

// PendingUpdates lists updates not yet handled whose lease is free or older
// than lease: work left by a crash or by a stopped instance.
func (s *Store) PendingUpdates(ctx context.Context, lease time.Duration, limit int) ([]PendingUpdate, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT update_id, coalesce(user_id, 0) FROM inbound_updates
		WHERE done_at IS NULL AND (claimed_at IS NULL OR claimed_at < now() - $1::interval)
		ORDER BY update_id LIMIT $2`, lease, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[PendingUpdate])
}

// PruneUpdates forgets handled updates older than age. Telegram never
// redelivers an update after a day, so de-duplication needs no more.
func (s *Store) PruneUpdates(ctx context.Context, age time.Duration) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM inbound_updates WHERE done_at < now() - $1::interval`, age)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
