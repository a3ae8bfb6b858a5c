package storage

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// The states of a join request.
const (
	JoinNew       = "new"        // recorded, nothing said yet
	JoinRulesSent = "rules_sent" // the applicant has the rules and "I agree"
	JoinWithOwner = "with_owner" // the owner decides
	JoinApproved  = "approved"
	JoinDeclined  = "declined"
)

// JoinRequest is a request to join a project's group or channel.
type JoinRequest struct {
	ID          int64
	ChatID      int64
	ProjectID   int64
	UserID      int64
	UserChatID  int64
	Bio         string
	RequestedAt time.Time
	Status      string
	Decided     bool
	// FirstName is the applicant's, for the owner's decision.
	FirstName string
}

const joinColumns = `j.id, j.chat_id, j.project_id, j.user_id, j.user_chat_id, j.bio, j.requested_at, j.status,
	j.decided_at IS NOT NULL, u.first_name`

func scanJoinRequest(row pgx.Row) (JoinRequest, error) {
	var j JoinRequest
	err := row.Scan(&j.ID, &j.ChatID, &j.ProjectID, &j.UserID, &j.UserChatID, &j.Bio, &j.RequestedAt, &j.Status,
		&j.Decided, &j.FirstName)
	return j, notFound(err)
}

// RecordJoinRequest stores a request, or returns the open one of the same
// person for the same chat (Telegram may send it again).
func (s *Store) RecordJoinRequest(ctx context.Context, j JoinRequest) (JoinRequest, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `
		INSERT INTO join_requests (chat_id, project_id, user_id, user_chat_id, bio, requested_at)
		VALUES ($1, $2, $3, $4, left($5, 500), $6)
		ON CONFLICT (chat_id, user_id) WHERE decided_at IS NULL
		DO UPDATE SET user_chat_id = excluded.user_chat_id, requested_at = excluded.requested_at
		RETURNING id`, j.ChatID, j.ProjectID, j.UserID, j.UserChatID, j.Bio, j.RequestedAt).Scan(&id)
	if err != nil {
		return JoinRequest{}, err
	}
	return s.JoinRequest(ctx, id)
}

// JoinRequest returns the request, or ErrNotFound.
func (s *Store) JoinRequest(ctx context.Context, id int64) (JoinRequest, error) {
	return scanJoinRequest(s.pool.QueryRow(ctx, `SELECT `+joinColumns+` FROM join_requests j JOIN users u ON u.id = j.user_id
		WHERE j.id = $1`, id))
}

// ErrJoinDecided: the request was decided already, or is not in the state
// the step needs.
var ErrJoinDecided = errors.New("join request already decided")

// MoveJoinRequest changes an open request from one of the states from to
// status; ErrJoinDecided when it is in none of them.
func (s *Store) MoveJoinRequest(ctx context.Context, id int64, status string, from ...string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE join_requests SET status = $2 WHERE id = $1 AND decided_at IS NULL
		AND status = ANY($3)`, id, status, from)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrJoinDecided
	}
	return err
}

// DecideJoinRequestTx closes an open request as approved or declined.
// ErrJoinDecided when it was closed already: two presses decide once.
func (s *Store) DecideJoinRequestTx(ctx context.Context, tx pgx.Tx, id int64, approve bool) error {
	status := JoinDeclined
	if approve {
		status = JoinApproved
	}
	tag, err := tx.Exec(ctx, `UPDATE join_requests SET status = $2, decided_at = now() WHERE id = $1 AND decided_at IS NULL`,
		id, status)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrJoinDecided
	}
	return err
}
