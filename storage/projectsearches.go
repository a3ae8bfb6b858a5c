package storage

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"
)

// keptSearches is how many recent searches are kept per person: enough for
// the result messages still on their screen.
const keptSearches = 20

// CreateProjectSearch stores the filters of a new search by userID and
// returns its id; the person's oldest searches beyond keptSearches go.
//
// Every /find writes one, so it is committed without waiting for the disk
// (one batch, one round trip: the setting holds for this transaction
// only). A search lost in a crash of PostgreSQL itself only leaves its
// buttons answering that they are no longer valid, as for a search
// beyond keptSearches.
func (s *Store) CreateProjectSearch(ctx context.Context, userID int64, filters json.RawMessage) (int64, error) {
	var id int64
	err := s.queryAfter(ctx, []stmt{{sql: asyncCommit}}, stmt{`
		WITH ins AS (INSERT INTO project_searches (user_id, filters) VALUES ($1, $2) RETURNING id),
		old AS (
			DELETE FROM project_searches WHERE user_id = $1 AND id <= (
				SELECT id FROM project_searches WHERE user_id = $1 ORDER BY id DESC OFFSET $3 LIMIT 1))
		SELECT id FROM ins`, []any{userID, filters, keptSearches - 1}},
		func(br pgx.BatchResults) error { return br.QueryRow().Scan(&id) })
	return id, err
}

// asyncCommit, run first in a batch (queryAfter), commits the batch's
// transaction without waiting for the disk: for writes whose loss in a
// crash of PostgreSQL itself does no harm. A later transaction that waits
// for the disk makes them durable too (the log is written in order).
const asyncCommit = `SELECT set_config('synchronous_commit', 'off', true)`

// ProjectSearch returns the filters of userID's search id; ErrNotFound when
// there is none or it belongs to someone else.
func (s *Store) ProjectSearch(ctx context.Context, userID, id int64) (json.RawMessage, error) {
	var filters json.RawMessage
	err := s.pool.QueryRow(ctx, `SELECT filters FROM project_searches WHERE id = $1 AND user_id = $2`, id, userID).Scan(&filters)
	return filters, notFound(err)
}

// UpdateProjectSearch replaces the filters of userID's search id;
// ErrNotFound as for ProjectSearch.
func (s *Store) UpdateProjectSearch(ctx context.Context, userID, id int64, filters json.RawMessage) error {
	tag, err := s.pool.Exec(ctx, `UPDATE project_searches SET filters = $3 WHERE id = $1 AND user_id = $2`, id, userID, filters)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return err
}
