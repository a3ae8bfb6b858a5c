package storage

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/langdetect"
)

// Contact request rules.
const (
	// ContactRequestsPerDay is how many contact requests one person may
	// send in 24 hours, so nobody can flood owners; erasing one's data
	// does not reset the count (limits.go).
	ContactRequestsPerDay = 10
	// ContactRequestTTL is how long an owner has to answer a request.
	ContactRequestTTL = 14 * 24 * time.Hour
	// MaxIntroLen bounds the requester's introduction, in characters.
	MaxIntroLen = 500
)

// Contact request statuses.
const (
	RequestPending  = "pending"
	RequestAccepted = "accepted"
	RequestDeclined = "declined"
	RequestExpired  = "expired"
)

// Why a contact request cannot be made or decided.
var (
	ErrRequestsClosed   = errors.New("the project takes no contact requests")
	ErrOwnProject       = errors.New("a request to one's own project")
	ErrDuplicateRequest = errors.New("a request to this project is already pending")
	ErrRequestLimit     = errors.New("too many contact requests today")
	ErrRequestExpired   = errors.New("the contact request has expired")
	ErrRequestDecided   = errors.New("the contact request was already answered")
	ErrInvalidIntro     = errors.New("the introduction must have 1 to 500 characters")
)

// ContactRequest is one person's request to get in touch with a project's
// owner.
type ContactRequest struct {
	ID           int64
	ProjectID    int64
	ProjectTitle string
	RequesterID  int64
	OwnerID      int64
	Intro        string
	// IntroLang is the language of the introduction (package langdetect),
	// "" when not known: the owner may need it translated.
	IntroLang string
	Status    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// querier is what both a pool and a transaction offer.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// CheckContactRequest tells whether requesterID may ask for the contact of
// the project's owner at now: ErrNotFound for a project that is gone or
// hidden, ErrRequestsClosed, ErrOwnProject, ErrDuplicateRequest or
// ErrRequestLimit. CreateContactRequest checks the same again.
func (s *Store) CheckContactRequest(ctx context.Context, requesterID, projectID int64, now time.Time) error {
	_, err := checkContactRequest(ctx, s.pool, requesterID, projectID, now)
	return err
}

func checkContactRequest(ctx context.Context, q querier, requesterID, projectID int64, now time.Time) (ownerID int64, err error) {
	var open, active, hidden bool
	if err := q.QueryRow(ctx, `SELECT owner_id, contact_requests, archived_at IS NULL, hidden_at IS NOT NULL
		FROM projects WHERE id = $1`, projectID).Scan(&ownerID, &open, &active, &hidden); err != nil {
		return 0, notFound(err)
	}
	var pending bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contact_requests WHERE project_id = $1 AND requester_id = $2
				AND status = 'pending' AND expires_at > $3)`,
		projectID, requesterID, now).Scan(&pending); err != nil {
		return 0, err
	}
	key, err := personKey(ctx, q, requesterID)
	if err != nil {
		return 0, err
	}
	today, err := countMarks(ctx, q, key, limitContactRequest, now)
	if err != nil {
		return 0, err
	}
	switch {
	case hidden:
		return 0, ErrNotFound
	case ownerID == requesterID:
		return 0, ErrOwnProject
	case !open || !active:
		return 0, ErrRequestsClosed
	case pending:
		return 0, ErrDuplicateRequest
	case today >= ContactRequestsPerDay:
		return 0, ErrRequestLimit
	}
	return ownerID, nil
}

// CreateContactRequestTx records requesterID's request with intro to the
// owner of the project, made at now, after the checks of
// CheckContactRequest, in tx. The caller owns tx and schedules the request's
// delivery to the owner in it, so that the request and its message commit
// or fail together.
func (s *Store) CreateContactRequestTx(ctx context.Context, tx pgx.Tx, requesterID, projectID int64, intro string,
	now time.Time) (ContactRequest, error) {
	if intro == "" || utf8.RuneCountInString(intro) > MaxIntroLen {
		return ContactRequest{}, ErrInvalidIntro
	}
	// Serialise one person's requests, so that two at once cannot both
	// pass the daily limit or the duplicate check; and keep the
	// project's settings still until the request is in.
	if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, requesterID); err != nil {
		return ContactRequest{}, err
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM projects WHERE id = $1 FOR SHARE`, projectID); err != nil {
		return ContactRequest{}, err
	}
	ownerID, err := checkContactRequest(ctx, tx, requesterID, projectID, now)
	if err != nil {
		return ContactRequest{}, err
	}
	// A pending request past its time no longer counts as pending.
	if _, err := tx.Exec(ctx, `UPDATE contact_requests SET status = 'expired'
		WHERE project_id = $1 AND requester_id = $2 AND status = 'pending' AND expires_at <= $3`,
		projectID, requesterID, now); err != nil {
		return ContactRequest{}, err
	}
	c, err := scanContactRequest(tx.QueryRow(ctx, `
		WITH c AS (
			INSERT INTO contact_requests (project_id, requester_id, owner_id, intro, created_at, expires_at, intro_lang)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *)
		SELECT `+contactRequestColumns+` FROM c JOIN projects p ON p.id = c.project_id`,
		projectID, requesterID, ownerID, intro, now, now.Add(ContactRequestTTL), nullLang(langdetect.Detect(intro))))
	if err != nil {
		return c, err
	}
	key, err := personKey(ctx, tx, requesterID)
	if err != nil {
		return c, err
	}
	return c, addMark(ctx, tx, key, limitContactRequest, 0, now.Add(limitWindow))
}

// ContactRequest returns the request with id, in whatever state. A request
// goes when its project or either person does (ErrNotFound).
func (s *Store) ContactRequest(ctx context.Context, id int64) (ContactRequest, error) {
	return scanContactRequest(s.pool.QueryRow(ctx, `SELECT `+contactRequestColumns+`
		FROM contact_requests c JOIN projects p ON p.id = c.project_id WHERE c.id = $1`, id))
}

const contactRequestColumns = `c.id, c.project_id, p.title, c.requester_id, c.owner_id, c.intro, coalesce(c.intro_lang, ''),
	c.status, c.created_at, c.expires_at`

func scanContactRequest(row pgx.Row) (ContactRequest, error) {
	var c ContactRequest
	err := row.Scan(&c.ID, &c.ProjectID, &c.ProjectTitle, &c.RequesterID, &c.OwnerID, &c.Intro, &c.IntroLang, &c.Status,
		&c.CreatedAt, &c.ExpiresAt)
	return c, notFound(err)
}

// DecideContactRequestTx records ownerID's answer to request id at now, in
// tx. It returns ErrNotFound unless the request was made to ownerID and
// ErrRequestDecided when it was answered before. The caller owns tx and
// schedules the answer's delivery to the requester in it, so that the
// decision and its message commit or fail together.
//
// When the request's time is up it returns ErrRequestExpired with the
// request marked expired in tx: there is nothing to send then, but a caller
// that commits tx all the same keeps the mark, so the request never counts
// as pending again.
func (s *Store) DecideContactRequestTx(ctx context.Context, tx pgx.Tx, ownerID, id int64, accept bool,
	now time.Time) (ContactRequest, error) {
	c, err := scanContactRequest(tx.QueryRow(ctx, `SELECT `+contactRequestColumns+`
		FROM contact_requests c JOIN projects p ON p.id = c.project_id
		WHERE c.id = $1 AND c.owner_id = $2 AND p.owner_id = $2
		FOR UPDATE OF c`, id, ownerID))
	switch {
	case err != nil:
		return c, err
	case c.Status == RequestExpired:
		return c, ErrRequestExpired
	case c.Status != RequestPending:
		return c, ErrRequestDecided
	}
	c.Status = RequestDeclined
	if accept {
		c.Status = RequestAccepted
	}
	if !now.Before(c.ExpiresAt) {
		c.Status = RequestExpired
	}
	if _, err := tx.Exec(ctx, `UPDATE contact_requests SET status = $2, decided_at = $3 WHERE id = $1`, id, c.Status, now); err != nil {
		return c, err
	}
	if c.Status == RequestExpired {
		return c, ErrRequestExpired
	}
	return c, nil
}
