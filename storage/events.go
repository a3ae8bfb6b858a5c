package storage

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/langdetect"
)

// Limits of an event's texts, in characters, as the schema enforces them.
const (
	MaxEventTitleLen       = 200
	MaxEventDescriptionLen = 2000
	MaxEventPlaceLen       = 300
	MaxEventURLLen         = 500
)

// EventFields is what a coordinator says about an event.
type EventFields struct {
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	StartsAt    time.Time `json:"starts_at"`
	// TimeZone is the IANA zone the start was given in.
	TimeZone string        `json:"time_zone"`
	Duration time.Duration `json:"duration"`
	// Place and URL: where it happens, an online link, or both.
	Place string `json:"place,omitempty"`
	URL   string `json:"url,omitempty"`
	// TownID and ProjectID are 0 when the event belongs to none.
	TownID    int64 `json:"town_id,omitempty"`
	ProjectID int64 `json:"project_id,omitempty"`
}

// Event is a published event.
type Event struct {
	ID int64
	EventFields
	// CreatedBy is 0 when the creator has left.
	CreatedBy int64
	Cancelled bool
	// TownName, TownCountry and ProjectTitle describe the town and
	// project, "" for none; a project a coordinator hid has no title here,
	// since only its owner may still see it.
	TownName     string
	TownCountry  string
	ProjectTitle string
	// TextLang is the language of the title and description (package
	// langdetect), "" when not known.
	TextLang string
}

// EndsAt is when the event is over.
func (e Event) EndsAt() time.Time { return e.StartsAt.Add(e.Duration) }

// ErrEventClosed is returned for changes to an event that was cancelled or
// has already started.
var ErrEventClosed = errors.New("event cancelled or started")

// ErrProjectHidden is returned when an event would be linked to a project
// that a coordinator hid.
var ErrProjectHidden = errors.New("the project is hidden")

// linkable checks that an event may be linked to the project id: not a
// hidden one. The project stays as it is until tx ends (a coordinator
// hiding it meanwhile waits).
func linkable(ctx context.Context, tx pgx.Tx, projectID int64) error {
	var hidden bool
	err := tx.QueryRow(ctx, `SELECT hidden_at IS NOT NULL FROM projects WHERE id = $1 FOR SHARE`, projectID).Scan(&hidden)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil // the foreign key refuses it
	case err != nil:
		return err
	case hidden:
		return ErrProjectHidden
	}
	return nil
}

// ErrInvalidEvent is returned for fields the schema would refuse.
var ErrInvalidEvent = errors.New("invalid event")

// eventLang detects the language of an event's title and description,
// read together: a title alone is often too short to tell.
func eventLang(f EventFields) string {
	return langdetect.Detect(f.Title + "\n" + f.Description)
}

// Validate checks the rules the schema enforces, and that the texts hold no
// control character but the line break (CleanEventText): a calendar file
// must not carry a bare carriage return.
func (f EventFields) Validate() error {
	n := utf8.RuneCountInString
	switch {
	case f.Title == "" || n(f.Title) > MaxEventTitleLen, n(f.Description) > MaxEventDescriptionLen,
		hasControl(f.Title), hasControl(f.Description), hasControl(f.Place), hasControl(f.URL),
		f.Place == "" && f.URL == "", n(f.Place) > MaxEventPlaceLen, n(f.URL) > MaxEventURLLen,
		f.TimeZone == "", f.StartsAt.IsZero(),
		f.Duration < 5*time.Minute, f.Duration > 14*24*time.Hour, f.Duration%time.Minute != 0:
		return ErrInvalidEvent
	}
	return nil
}

// CleanEventText is s as an event text may hold it: a carriage return (with
// or without a line feed after it) becomes a line break, a tab a space, and
// every other control character goes.
func CleanEventText(s string) string {
	if !hasControl(s) {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\t':
			return ' '
		case r != '\n' && unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// cleaned is f with its texts cleaned (CleanEventText), as they are
// written.
func (f EventFields) cleaned() EventFields {
	for _, s := range []*string{&f.Title, &f.Description, &f.Place, &f.URL} {
		*s = CleanEventText(*s)
	}
	return f
}

// hasControl reports whether s holds a control character other than \n.
func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r != '\n' && unicode.IsControl(r) }) >= 0
}

const eventColumns = `e.id, e.title, e.description, e.starts_at, e.time_zone, e.duration_min, e.place, e.online_url,
	coalesce(e.town_id, 0), coalesce(e.project_id, 0), coalesce(e.created_by, 0), e.cancelled_at IS NOT NULL,
	coalesce((SELECT t.name FROM towns t WHERE t.id = e.town_id), ''),
	coalesce((SELECT t.country FROM towns t WHERE t.id = e.town_id), ''),
	coalesce((SELECT p.title FROM projects p WHERE p.id = e.project_id AND p.hidden_at IS NULL), ''), coalesce(e.text_lang, '')`

// scanEvent reads eventColumns, and extra columns after them into extra.
func scanEvent(row pgx.Row, extra ...any) (Event, error) {
	var e Event
	var minutes int
	err := row.Scan(append([]any{&e.ID, &e.Title, &e.Description, &e.StartsAt, &e.TimeZone, &minutes, &e.Place, &e.URL,
		&e.TownID, &e.ProjectID, &e.CreatedBy, &e.Cancelled, &e.TownName, &e.TownCountry, &e.ProjectTitle, &e.TextLang},
		extra...)...)
	e.Duration = time.Duration(minutes) * time.Minute
	return e, notFound(err)
}

func eventByID(ctx context.Context, q pgx.Tx, id int64, lock bool) (Event, error) {
	sql := `SELECT ` + eventColumns + ` FROM events e WHERE e.id = $1`
	if lock {
		sql += ` FOR UPDATE OF e`
	}
	return scanEvent(q.QueryRow(ctx, sql, id))
}

// Event returns the event with id, cancelled or not.
func (s *Store) Event(ctx context.Context, id int64) (Event, error) {
	return scanEvent(s.pool.QueryRow(ctx, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1`, id))
}

// CreateEventTx publishes an event in tx and returns it with its audience
// (the followers of its project and the people whose profile town is its
// town, without the creator). The caller owns tx and schedules the
// announcements to the audience in it, so that announcing the event commits
// or fails together with it. Texts are written cleaned (CleanEventText).
// A hidden project cannot be linked (ErrProjectHidden).
func (s *Store) CreateEventTx(ctx context.Context, tx pgx.Tx, creatorID int64, f EventFields) (Event, []int64, error) {
	f = f.cleaned()
	if err := f.Validate(); err != nil {
		return Event{}, nil, err
	}
	if f.ProjectID != 0 {
		if err := linkable(ctx, tx, f.ProjectID); err != nil {
			return Event{}, nil, err
		}
	}
	var id int64
	if err := tx.QueryRow(ctx, `
		INSERT INTO events (title, description, starts_at, time_zone, duration_min, place, online_url,
			town_id, project_id, created_by, text_lang)
		VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, 0::bigint), nullif($9, 0::bigint), $10, $11)
		RETURNING id`, f.Title, f.Description, f.StartsAt, f.TimeZone, int(f.Duration/time.Minute), f.Place, f.URL,
		f.TownID, f.ProjectID, creatorID, nullLang(eventLang(f))).Scan(&id); err != nil {
		return Event{}, nil, err
	}
	e, err := eventByID(ctx, tx, id, false)
	if err != nil {
		return e, nil, err
	}
	audience, err := eventAudience(ctx, tx, e.EventFields, creatorID)
	return e, audience, err
}

// eventAudience lists the people an event with fields f concerns: the
// followers of its project and the people whose profile town is its town,
// without exceptID.
func eventAudience(ctx context.Context, tx pgx.Tx, f EventFields, exceptID int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `
		SELECT user_id FROM project_followers WHERE project_id = $1
		UNION
		SELECT user_id FROM user_profiles WHERE town_id = $2
		EXCEPT SELECT $3::bigint
		ORDER BY 1`, f.ProjectID, f.TownID, exceptID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// EventReminder is one reminder a person asked for.
type EventReminder struct {
	UserID int64
	// Offset is minutes before the start (package remind).
	Offset int
}

func eventReminders(ctx context.Context, tx pgx.Tx, eventID int64) ([]EventReminder, error) {
	rows, err := tx.Query(ctx, `SELECT user_id, offset_min FROM event_reminders WHERE event_id = $1 ORDER BY user_id, offset_min`,
		eventID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (EventReminder, error) {
		var er EventReminder
		return er, r.Scan(&er.UserID, &er.Offset)
	})
}

// EventChange is one edit of an event.
type EventChange struct {
	ID       int64
	EventID  int64
	Old, New EventFields
	// Newcomers are the people the event concerns only since this change
	// (its new town's people, its new project's followers), who have not
	// heard of it: without the creator and the subscribers. Not stored.
	Newcomers []int64
}

// UpdateEventTx replaces an event's fields and records the change, in tx,
// and returns the event as it now is, the change and the event's
// reminders. The caller owns tx and, in it, tells the subscribers and moves
// their reminders, so that all of it commits together with the edit. A
// cancelled or already started event cannot be changed (ErrEventClosed).
// Texts are written cleaned (CleanEventText). It cannot be linked to a
// hidden project (ErrProjectHidden); one it is linked to already stays.
func (s *Store) UpdateEventTx(ctx context.Context, tx pgx.Tx, id int64, f EventFields,
	now time.Time) (Event, EventChange, []EventReminder, error) {
	f = f.cleaned()
	if err := f.Validate(); err != nil {
		return Event{}, EventChange{}, nil, err
	}
	old, err := eventByID(ctx, tx, id, true)
	if err != nil {
		return Event{}, EventChange{}, nil, err
	}
	if old.Cancelled || !old.StartsAt.After(now) {
		return Event{}, EventChange{}, nil, ErrEventClosed
	}
	if f.ProjectID != 0 && f.ProjectID != old.ProjectID {
		if err := linkable(ctx, tx, f.ProjectID); err != nil {
			return Event{}, EventChange{}, nil, err
		}
	}
	if _, err := tx.Exec(ctx, `
		UPDATE events SET title = $2, description = $3, starts_at = $4, time_zone = $5, duration_min = $6,
			place = $7, online_url = $8, town_id = nullif($9, 0::bigint), project_id = nullif($10, 0::bigint),
			text_lang = $11, updated_at = now()
		WHERE id = $1`, id, f.Title, f.Description, f.StartsAt, f.TimeZone, int(f.Duration/time.Minute),
		f.Place, f.URL, f.TownID, f.ProjectID, nullLang(eventLang(f))); err != nil {
		return Event{}, EventChange{}, nil, err
	}
	// Translations of a text that is gone go with it.
	if err := deleteTranslationsOf(ctx, tx, changed(old.Title, f.Title), changed(old.Description, f.Description)); err != nil {
		return Event{}, EventChange{}, nil, err
	}
	e, err := eventByID(ctx, tx, id, false)
	if err != nil {
		return e, EventChange{}, nil, err
	}
	ch := EventChange{EventID: id, Old: old.EventFields, New: e.EventFields}
	oldJSON, _ := json.Marshal(ch.Old)
	newJSON, _ := json.Marshal(ch.New)
	if err := tx.QueryRow(ctx, `INSERT INTO event_changes (event_id, old, new) VALUES ($1, $2, $3) RETURNING id`,
		id, oldJSON, newJSON).Scan(&ch.ID); err != nil {
		return e, ch, nil, err
	}
	reminders, err := eventReminders(ctx, tx, id)
	if err != nil {
		return e, ch, nil, err
	}
	if old.TownID != e.TownID || old.ProjectID != e.ProjectID {
		if ch.Newcomers, err = newcomers(ctx, tx, old, e, reminders); err != nil {
			return e, ch, reminders, err
		}
	}
	return e, ch, reminders, nil
}

// newcomers are the people event e concerns who were not concerned by it
// as it was (old), have no reminders for it, and did not create it.
func newcomers(ctx context.Context, tx pgx.Tx, old, e Event, reminders []EventReminder) ([]int64, error) {
	before, err := eventAudience(ctx, tx, old.EventFields, e.CreatedBy)
	if err != nil {
		return nil, err
	}
	now, err := eventAudience(ctx, tx, e.EventFields, e.CreatedBy)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(now, func(id int64) bool {
		return slices.Contains(before, id) || slices.ContainsFunc(reminders, func(r EventReminder) bool { return r.UserID == id })
	}), nil
}

// EventChangeByID returns a recorded change.
func (s *Store) EventChangeByID(ctx context.Context, id int64) (EventChange, error) {
	ch := EventChange{ID: id}
	var oldJSON, newJSON []byte
	err := s.pool.QueryRow(ctx, `SELECT event_id, old, new FROM event_changes WHERE id = $1`, id).
		Scan(&ch.EventID, &oldJSON, &newJSON)
	if err != nil {
		return ch, notFound(err)
	}
	if err := json.Unmarshal(oldJSON, &ch.Old); err != nil {
		return ch, err
	}
	return ch, json.Unmarshal(newJSON, &ch.New)
}

// CancelEventTx cancels an event in tx and returns it with its reminders.
// The caller owns tx and tells the subscribers in it, so that telling them
// commits together with the cancellation. An event already cancelled or
// started gives ErrEventClosed.
func (s *Store) CancelEventTx(ctx context.Context, tx pgx.Tx, id int64, now time.Time) (Event, []EventReminder, error) {
	e, err := eventByID(ctx, tx, id, true)
	if err != nil {
		return e, nil, err
	}
	if e.Cancelled || !e.StartsAt.After(now) {
		return e, nil, ErrEventClosed
	}
	if _, err := tx.Exec(ctx, `UPDATE events SET cancelled_at = $2, updated_at = now() WHERE id = $1`, id, now); err != nil {
		return e, nil, err
	}
	e.Cancelled = true
	reminders, err := eventReminders(ctx, tx, id)
	return e, reminders, err
}

// EventFilter selects which upcoming events a list shows.
type EventFilter string

// The lists /events offers.
const (
	// EventsAll lists every upcoming event.
	EventsAll EventFilter = "all"
	// EventsMyTown lists events in the viewer's profile town, or of
	// projects there.
	EventsMyTown EventFilter = "town"
	// EventsFollowed lists events of projects the viewer follows.
	EventsFollowed EventFilter = "projects"
)

// EventPage is one page of a list and the size of the whole list.
type EventPage struct {
	Events []Event
	Total  int
}

// UpcomingEvents lists events that are not cancelled and not over at now,
// soonest first.
func (s *Store) UpcomingEvents(ctx context.Context, filter EventFilter, viewerID int64, now time.Time,
	offset, limit int) (EventPage, error) {
	var cond string
	switch filter {
	case EventsMyTown:
		cond = `AND (e.town_id = mine.town_id OR e.project_id IN (SELECT p.id FROM projects p WHERE p.town_id = mine.town_id))`
	case EventsFollowed:
		cond = `AND e.project_id IN (SELECT f.project_id FROM project_followers f WHERE f.user_id = $2)`
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+eventColumns+`, count(*) OVER ()
		FROM events e
		LEFT JOIN user_profiles mine ON mine.user_id = $2
		WHERE e.cancelled_at IS NULL AND e.starts_at + make_interval(mins => e.duration_min) > $1 `+cond+`
		ORDER BY e.starts_at, e.id
		OFFSET $3 LIMIT $4`, now, viewerID, offset, limit)
	if err != nil {
		return EventPage{}, err
	}
	var page EventPage
	page.Events, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) { return scanEvent(r, &page.Total) })
	return page, err
}

// EventReminderOffsets returns the offsets of the reminders userID asked
// for the event, longest first.
func (s *Store) EventReminderOffsets(ctx context.Context, eventID, userID int64) ([]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT offset_min FROM event_reminders WHERE event_id = $1 AND user_id = $2
		ORDER BY offset_min DESC`, eventID, userID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int])
}

// SetEventReminderTx switches one reminder of userID for an event on or
// off, in tx. It returns the event, the offsets userID now has for it
// (longest first) and whether that changed anything; when nothing changed,
// offsets is nil. The caller owns tx and brings the scheduled messages in
// line with the rows in it, in the same commit. The event row is
// share-locked, so a concurrent edit, which moves every reminder, sees this
// one or runs after it. A cancelled or started event gives ErrEventClosed.
func (s *Store) SetEventReminderTx(ctx context.Context, tx pgx.Tx, eventID, userID int64, offset int, on bool,
	now time.Time) (e Event, offsets []int, changed bool, err error) {
	e, err = scanEvent(tx.QueryRow(ctx, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1 FOR SHARE OF e`, eventID))
	if err != nil {
		return e, nil, false, err
	}
	if e.Cancelled || !e.StartsAt.After(now) {
		return e, nil, false, ErrEventClosed
	}
	q := `DELETE FROM event_reminders WHERE event_id = $1 AND user_id = $2 AND offset_min = $3`
	if on {
		q = `INSERT INTO event_reminders (event_id, user_id, offset_min) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`
	}
	tag, err := tx.Exec(ctx, q, eventID, userID, offset)
	if err != nil || tag.RowsAffected() == 0 {
		return e, nil, false, err
	}
	rows, err := tx.Query(ctx, `SELECT offset_min FROM event_reminders WHERE event_id = $1 AND user_id = $2
		ORDER BY offset_min DESC`, eventID, userID)
	if err != nil {
		return e, nil, true, err
	}
	offsets, err = pgx.CollectRows(rows, pgx.RowTo[int])
	return e, offsets, true, err
}

// EventSubscriberCount is how many people asked for a reminder of the
// event.
func (s *Store) EventSubscriberCount(ctx context.Context, eventID int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(DISTINCT user_id) FROM event_reminders WHERE event_id = $1`, eventID).Scan(&n)
	return n, err
}
