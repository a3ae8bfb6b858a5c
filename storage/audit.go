package storage

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuditEntry records one privileged change.
type AuditEntry struct {
	ID        int64     `json:"id"`
	ActorID   *int64    `json:"actor_id"`
	Action    string    `json:"action"`
	TargetID  *int64    `json:"target_id"`
	CreatedAt time.Time `json:"created_at"`
}

// AuditFor lists the entries in which userID acted or was acted upon.
func (s *Store) AuditFor(ctx context.Context, userID int64) ([]AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, actor_id, action, target_id, created_at FROM audit_log
		WHERE actor_id = $1 OR target_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[AuditEntry])
}
