package storage

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Limits per person that /deleteme does not reset (security review #4):
// what someone did is counted in limit_marks under a keyed hash of their
// Telegram id (personKey), not under the id, and each mark goes when its
// limit's window ends. Erasing one's data therefore erases everything that
// names the person, but not the count.
//
// The key (the pepper) lives in the database, made once by the migration:
// it needs no configuration, is the same for every instance by
// construction, and a hash cannot be matched to an id without it. Someone
// who holds the whole database holds the key too and could try every id;
// the marks are kept for a day (a waiting town proposal at most
// TownProposalMarkTTL), which bounds what that could reveal.

// The actions counted.
const (
	limitContactRequest = "contact_request"
	limitReport         = "report"
	limitProject        = "project"
	limitTownProposal   = "town_proposal"
)

// Limits.
const (
	// ReportsPerDay is how many reports one person may file in 24 hours:
	// each report is shown to every coordinator and administrator.
	ReportsPerDay = 10
	// MaxActiveProjects is how many projects one person may have that are
	// not archived (hidden ones count).
	MaxActiveProjects = 20
	// ProjectsPerDay is how many projects one person may register in 24
	// hours, also across deleting them or their data.
	ProjectsPerDay = 20
	// TownProposalMarkTTL is how long a waiting town proposal still counts
	// against its proposer after they erased their data.
	TownProposalMarkTTL = 30 * 24 * time.Hour
	// limitWindow is the window of the daily limits.
	limitWindow = 24 * time.Hour
)

// Why a person may not do something now.
var (
	ErrReportLimit  = errors.New("too many reports today")
	ErrProjectLimit = errors.New("too many active projects")
	ErrProjectRate  = errors.New("too many new projects today")
)

// personKey is the hash limit_marks counts userID's actions under:
// HMAC-SHA256 of the id, in decimal, keyed with the pepper.
func personKey(ctx context.Context, q querier, userID int64) ([]byte, error) {
	var pepper []byte
	if err := q.QueryRow(ctx, `SELECT pepper FROM limit_pepper`).Scan(&pepper); err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, pepper)
	m.Write([]byte(strconv.FormatInt(userID, 10)))
	return m.Sum(nil), nil
}

// countMarks counts the person's unexpired marks of action at now.
func countMarks(ctx context.Context, q querier, key []byte, action string, now time.Time) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM limit_marks WHERE person_hmac = $1 AND action = $2 AND expires_at > $3`,
		key, action, now).Scan(&n)
	return n, err
}

// addMark records that the person did action, counting until expires; a
// town proposal names its town.
func addMark(ctx context.Context, tx pgx.Tx, key []byte, action string, townID int64, expires time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO limit_marks (person_hmac, action, town_id, expires_at)
		VALUES ($1, $2, nullif($3, 0::bigint), $4)`, key, action, townID, expires)
	return err
}

// dbNow is the database's clock, for the limits whose callers pass no
// time.
func dbNow(ctx context.Context, tx pgx.Tx) (time.Time, error) {
	var now time.Time
	err := tx.QueryRow(ctx, `SELECT now()`).Scan(&now)
	return now, err
}

// lockPerson serialises one person's limited actions, so that two at once
// cannot both pass a limit.
func lockPerson(ctx context.Context, tx pgx.Tx, userID int64) error {
	_, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, userID)
	return err
}

// PruneLimitMarks forgets the marks whose window ended before now, and
// returns how many.
func (s *Store) PruneLimitMarks(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM limit_marks WHERE expires_at <= $1`, now)
	return tag.RowsAffected(), err
}
