package storage

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// ProjectNews is an owner's update to the followers of a project.
type ProjectNews struct {
	ID        int64
	ProjectID int64
	Text      string
	CreatedAt time.Time
}

// ErrNewsTooSoon: the project already sent news within NewsEvery.
var ErrNewsTooSoon = errors.New("project news sent too recently")

// NewsEvery is how often a project may send news to its followers.
const NewsEvery = 24 * time.Hour

// CreateProjectNewsTx stores news of projectID by its owner authorID at
// now, in tx, and returns it with the followers it goes to: those who
// have project news on and did not block the bot. The caller schedules
// their copies in tx. ErrNotFound when authorID does not own the project
// (or it is archived or hidden), ErrNewsTooSoon within NewsEvery of the
// last news.
func (s *Store) CreateProjectNewsTx(ctx context.Context, tx pgx.Tx, projectID, authorID int64, text string, now time.Time) (ProjectNews, []int64, error) {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT true FROM projects WHERE id = $1 AND owner_id = $2
		AND archived_at IS NULL AND hidden_at IS NULL FOR UPDATE`, projectID, authorID).Scan(&ok)
	if err != nil {
		return ProjectNews{}, nil, notFound(err)
	}
	var recent bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM project_news WHERE project_id = $1 AND created_at > $2)`,
		projectID, now.Add(-NewsEvery)).Scan(&recent); err != nil {
		return ProjectNews{}, nil, err
	}
	if recent {
		return ProjectNews{}, nil, ErrNewsTooSoon
	}
	n := ProjectNews{ProjectID: projectID, Text: text, CreatedAt: now}
	if err := tx.QueryRow(ctx, `INSERT INTO project_news (project_id, author_id, text, created_at) VALUES ($1, $2, $3, $4)
		RETURNING id`, projectID, authorID, text, now).Scan(&n.ID); err != nil {
		return ProjectNews{}, nil, err
	}
	rows, err := tx.Query(ctx, `
		SELECT f.user_id FROM project_followers f
		WHERE f.project_id = $1 AND f.user_id <> $2
		  AND NOT EXISTS (SELECT 1 FROM user_message_kinds_off k WHERE k.user_id = f.user_id AND k.kind = $3)
		  AND NOT EXISTS (SELECT 1 FROM delivery_inactive x WHERE x.chat_id = f.user_id)
		ORDER BY f.user_id`, projectID, authorID, KindProjectNews)
	if err != nil {
		return ProjectNews{}, nil, err
	}
	to, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return n, to, err
}

// ProjectNewsByID returns the news with id.
func (s *Store) ProjectNewsByID(ctx context.Context, id int64) (ProjectNews, error) {
	var n ProjectNews
	err := s.pool.QueryRow(ctx, `SELECT id, project_id, text, created_at FROM project_news WHERE id = $1`, id).
		Scan(&n.ID, &n.ProjectID, &n.Text, &n.CreatedAt)
	return n, notFound(err)
}
