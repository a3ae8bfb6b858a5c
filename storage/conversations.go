package storage

import (
	"context"
	"encoding/json"
	"time"
)

// Conversation is the state of a multi-step dialogue with one user: which
// flow, which step, and the answers collected so far.
type Conversation struct {
	UserID    int64           `json:"-"`
	Flow      string          `json:"flow"`
	Step      string          `json:"step"`
	Data      json.RawMessage `json:"data"`
	ExpiresAt time.Time       `json:"expires_at"`
	// UpdatedAt is when the state was last saved (by the database's
	// clock): the version EndConversationIf compares.
	UpdatedAt time.Time `json:"-"`
}

// Conversation returns the user's active conversation, or ErrNotFound when
// there is none or it has expired.
func (s *Store) Conversation(ctx context.Context, userID int64) (Conversation, error) {
	c := Conversation{UserID: userID}
	err := s.pool.QueryRow(ctx, `
		SELECT flow, step, data, expires_at, updated_at FROM conversations
		WHERE user_id = $1 AND expires_at > now()`, userID).Scan(&c.Flow, &c.Step, &c.Data, &c.ExpiresAt, &c.UpdatedAt)
	return c, notFound(err)
}

// SaveConversation starts or advances the user's conversation, replacing
// any other flow they were in. It expires ttl from now by the database's
// clock, the one Conversation compares with, so clocks injected into the
// application cannot make a dialogue expire at once or never.
func (s *Store) SaveConversation(ctx context.Context, c Conversation, ttl time.Duration) error {
	data := c.Data
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO conversations (user_id, flow, step, data, expires_at) VALUES ($1, $2, $3, $4, now() + $5::interval)
		ON CONFLICT (user_id) DO UPDATE SET flow = excluded.flow, step = excluded.step,
			data = excluded.data, expires_at = excluded.expires_at, updated_at = now()`,
		c.UserID, c.Flow, c.Step, data, ttl)
	return err
}

// EndConversation forgets the user's conversation.
func (s *Store) EndConversation(ctx context.Context, userID int64) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM conversations WHERE user_id = $1`, userID)
	return err
}

// EndConversationIf forgets the user's conversation only if it is still
// c as read by Conversation (same flow, step and save): a compare-and-
// delete. ok is false when it was ended or moved on meanwhile, e.g. by the
// same button pressed twice and handled at the same time; only the caller
// that ended it may act on its last answer.
func (s *Store) EndConversationIf(ctx context.Context, c Conversation) (ok bool, err error) {
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM conversations WHERE user_id = $1 AND flow = $2 AND step = $3 AND updated_at = $4`,
		c.UserID, c.Flow, c.Step, c.UpdatedAt)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// PruneConversations forgets expired conversations.
func (s *Store) PruneConversations(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM conversations WHERE expires_at <= now()`)
	return err
}
