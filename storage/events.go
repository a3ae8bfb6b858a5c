package storage

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"
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
	// project, "" for none.
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

// ErrInvalidEvent is returned for fields the schema would refuse.
var ErrInvalidEvent = errors.New("invalid event")

// eventLang detects the language of an event's title and description,
// read together: a title alone is often too short to tell.
func eventLang(f EventFields) string {
	return langdetect.Detect(f.Title + "\n" + f.Description)
}

// Validate checks the rules the schema enforces.
func (f EventFields) Validate() error {
	n := utf8.RuneCountInString
	switch {
	case f.Title == "" || n(f.Title) > MaxEventTitleLen, n(f.Description) > MaxEventDescriptionLen,
		f.Place == "" && f.URL == "", n(f.Place) > MaxEventPlaceLen, n(f.URL) > MaxEventURLLen,
		f.TimeZone == "", f.StartsAt.IsZero(),
		f.Duration < 5*time.Minute, f.Duration > 14*24*time.Hour, f.Duration%time.Minute != 0:
		return ErrInvalidEvent
	}
	return nil
}

const eventColumns = `e.id, e.title, e.description, e.starts_at, e.time_zone, e.duration_min, e.place, e.online_url,
	coalesce(e.town_id, 0), coalesce(e.project_id, 0), coalesce(e.created_by, 0), e.cancelled_at IS NOT NULL,
	coalesce((SELECT t.name FROM towns t WHERE t.id = e.town_id), ''),
	coalesce((SELECT t.country FROM towns t WHERE t.id = e.town_id), ''),
	coalesce((SELECT p.title FROM projects p WHERE p.id = e.project_id), ''), coalesce(e.text_lang, '')`

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

// CreateEvent publishes an event. then runs in the same transaction with
// the new event and its audience (the followers of its project and the
// people whose profile town is its town, without the creator), so that
// announcing it commits or fails together with it.
func (s *Store) CreateEvent(ctx context.Context, creatorID int64, f EventFields,
	then func(tx pgx.Tx, e Event, audience []int64) error) (Event, error) {
	if err := f.Validate(); err != nil {
		return Event{}, err
	}
	var e Event
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO events (title, description, starts_at, time_zone, duration_min, place, online_url,
				town_id, project_id, created_by, text_lang)
			VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, 0::bigint), nullif($9, 0::bigint), $10, $11)
			RETURNING id`, f.Title, f.Description, f.StartsAt, f.TimeZone, int(f.Duration/time.Minute), f.Place, f.URL,
			f.TownID, f.ProjectID, creatorID, nullLang(eventLang(f))).Scan(&id); err != nil {
			return err
		}
		var err error
		if e, err = eventByID(ctx, tx, id, false); err != nil {
			return err
		}
		audience, err := eventAudience(ctx, tx, e.EventFields, creatorID)
		if err != nil {
			return err
		}
		return then(tx, e, audience)
	})
	return e, err
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

// UpdateEvent replaces an event's fields and records the change. then runs
// in the same transaction with the change and the event's reminders, so
// that telling subscribers and moving reminders commit together with the
// edit. A cancelled or already started event cannot be changed
// (ErrEventClosed).
func (s *Store) UpdateEvent(ctx context.Context, id int64, f EventFields, now time.Time,
	then func(tx pgx.Tx, ch EventChange, e Event, reminders []EventReminder) error) (Event, error) {
	if err := f.Validate(); err != nil {
		return Event{}, err
	}
	var e Event
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		old, err := eventByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if old.Cancelled || !old.StartsAt.After(now) {
			return ErrEventClosed
		}
		if _, err := tx.Exec(ctx, `
			UPDATE events SET title = $2, description = $3, starts_at = $4, time_zone = $5, duration_min = $6,
				place = $7, online_url = $8, town_id = nullif($9, 0::bigint), project_id = nullif($10, 0::bigint),
				text_lang = $11, updated_at = now()
			WHERE id = $1`, id, f.Title, f.Description, f.StartsAt, f.TimeZone, int(f.Duration/time.Minute),
			f.Place, f.URL, f.TownID, f.ProjectID, nullLang(eventLang(f))); err != nil {
			return err
		}
		if err := deleteTranslationsOf(ctx, tx, changed(old.Title, f.Title), changed(old.Description, f.Description)); err != nil {
			return err
		}
		if e, err = eventByID(ctx, tx, id, false); err != nil {
			return err
		}
		ch := EventChange{EventID: id, Old: old.EventFields, New: e.EventFields}
		oldJSON, _ := json.Marshal(ch.Old)
		newJSON, _ := json.Marshal(ch.New)
		if err := tx.QueryRow(ctx, `INSERT INTO event_changes (event_id, old, new) VALUES ($1, $2, $3) RETURNING id`,
			id, oldJSON, newJSON).Scan(&ch.ID); err != nil {
			return err
		}
		reminders, err := eventReminders(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.TownID != e.TownID || old.ProjectID != e.ProjectID {
			if ch.Newcomers, err = newcomers(ctx, tx, old, e, reminders); err != nil {
				return err
			}
		}
		return then(tx, ch, e, reminders)
	})
	return e, err
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

// CancelEvent cancels an event. then runs in the same transaction with the
// event and its reminders, so that telling subscribers commits together
// with the cancellation. An event already cancelled or started gives
// ErrEventClosed.
func (s *Store) CancelEvent(ctx context.Context, id int64, now time.Time,
	then func(tx pgx.Tx, e Event, reminders []EventReminder) error) (Event, error) {
	var e Event
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if e, err = eventByID(ctx, tx, id, true); err != nil {
			return err
		}
		if e.Cancelled || !e.StartsAt.After(now) {
			return ErrEventClosed
		}
		if _, err := tx.Exec(ctx, `UPDATE events SET cancelled_at = $2, updated_at = now() WHERE id = $1`, id, now); err != nil {
			return err
		}
		e.Cancelled = true
		reminders, err := eventReminders(ctx, tx, id)
		if err != nil {
			return err
		}
		return then(tx, e, reminders)
	})
	return e, err
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

// SetEventReminder switches one reminder of userID for an event on or off.
// When that changed anything, then runs in the same transaction with the
// event and the offsets userID now has for it, so that the scheduled
// messages are brought in line with the rows in the same commit. The event
// row is share-locked, so a concurrent edit, which moves every reminder,
// sees this one or runs after it. A cancelled or started event gives
// ErrEventClosed.
func (s *Store) SetEventReminder(ctx context.Context, eventID, userID int64, offset int, on bool, now time.Time,
	then func(tx pgx.Tx, e Event, offsets []int) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		e, err := scanEvent(tx.QueryRow(ctx, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1 FOR SHARE OF e`, eventID))
		if err != nil {
			return err
		}
		if e.Cancelled || !e.StartsAt.After(now) {
			return ErrEventClosed
		}
		q := `DELETE FROM event_reminders WHERE event_id = $1 AND user_id = $2 AND offset_min = $3`
		if on {
			q = `INSERT INTO event_reminders (event_id, user_id, offset_min) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`
		}
		tag, err := tx.Exec(ctx, q, eventID, userID, offset)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT offset_min FROM event_reminders WHERE event_id = $1 AND user_id = $2
			ORDER BY offset_min DESC`, eventID, userID)
		if err != nil {
			return err
		}
		offsets, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		return then(tx, e, offsets)
	})
}

// EventSubscriberCount is how many people asked for a reminder of the
// event.
func (s *Store) EventSubscriberCount(ctx context.Context, eventID int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(DISTINCT user_id) FROM event_reminders WHERE event_id = $1`, eventID).Scan(&n)
	return n, err
}
