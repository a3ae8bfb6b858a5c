package storage

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Link is a link button under a broadcast.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// BroadcastFields is what an author composes.
type BroadcastFields struct {
	AuthorID   int64
	AuthorLang string
	Audience   Audience
	// FromTown and Topic are what recipients may mute it by (0, "").
	FromTown int64
	Topic    string
	// Versions maps a language to its text (Telegram HTML, checked); the
	// author's language is always there.
	Versions map[string]string
	Links    []Link
	// MediaKind is "photo" or "document" with MediaFileID, or "".
	MediaKind   string
	MediaFileID string
	// Deadline makes it a funding call; DeadlineZone is the zone it was
	// given in.
	Deadline     time.Time
	DeadlineZone string
	Urgent       bool
	SendAt       time.Time
	// StatusChatID and StatusMessageID are the author's live status
	// message.
	StatusChatID    int64
	StatusMessageID int64
}

// Kind is KindFundingCalls for a broadcast with a deadline, else
// KindAnnouncements.
func (f BroadcastFields) Kind() string {
	if !f.Deadline.IsZero() {
		return KindFundingCalls
	}
	return KindAnnouncements
}

// Broadcast is a stored broadcast.
type Broadcast struct {
	ID int64
	BroadcastFields
	Revision  int
	Stopped   bool
	CreatedAt time.Time
	// StatusText is the last text of the status message.
	StatusText string
}

// BroadcastDelivery is one recipient's copy as scheduled.
type BroadcastDelivery struct {
	UserID int64
	DueAt  time.Time
}

// The states of a recipient's copy.
const (
	CopyPending = "pending"
	CopySent    = "sent"
	CopyBlocked = "blocked"
	CopyFailed  = "failed"
	CopyDropped = "dropped"
	CopyStopped = "stopped"
)

// CreateBroadcastTx stores a broadcast, its versions and its recipients,
// and writes it to the audit log, in tx. The caller schedules the copies in
// the same tx.
func (s *Store) CreateBroadcastTx(ctx context.Context, tx pgx.Tx, f BroadcastFields, to []BroadcastDelivery) (int64, error) {
	aud, err := json.Marshal(f.Audience)
	if err != nil {
		return 0, err
	}
	links, err := json.Marshal(nonNilLinks(f.Links))
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `
		INSERT INTO broadcasts (author_id, author_lang, audience, from_town_id, topic, links, media_kind, media_file_id,
			deadline, deadline_zone, urgent, send_at, status_chat_id, status_message_id)
		VALUES ($1, $2, $3, nullif($4, 0::bigint), nullif($5, ''), $6, nullif($7, ''), nullif($8, ''),
			$9, nullif($10, ''), $11, $12, nullif($13, 0::bigint), nullif($14, 0::bigint))
		RETURNING id`, f.AuthorID, f.AuthorLang, aud, f.FromTown, f.Topic, links, f.MediaKind, f.MediaFileID,
		nullTime(f.Deadline), f.DeadlineZone, f.Urgent, f.SendAt, f.StatusChatID, f.StatusMessageID).Scan(&id)
	if err != nil {
		return 0, err
	}
	for lang, text := range f.Versions {
		if _, err := tx.Exec(ctx, `INSERT INTO broadcast_versions (broadcast_id, lang, text) VALUES ($1, $2, $3)`,
			id, lang, text); err != nil {
			return 0, err
		}
	}
	users := make([]int64, len(to))
	dues := make([]time.Time, len(to))
	for i, d := range to {
		users[i], dues[i] = d.UserID, d.DueAt
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO broadcast_recipients (broadcast_id, user_id, due_at)
		SELECT $1, * FROM unnest($2::bigint[], $3::timestamptz[])`, id, users, dues); err != nil {
		return 0, err
	}
	detail, _ := json.Marshal(map[string]any{"broadcast_id": id, "recipients": len(to), "kind": f.Kind(),
		"urgent": f.Urgent, "audience": f.Audience})
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, detail) VALUES ($1, 'broadcast', $2)`, f.AuthorID, detail)
	return id, err
}

// GroupDelivery is one youth group's copy as scheduled.
type GroupDelivery struct {
	ChatID int64
	DueAt  time.Time
}

// AddBroadcastGroupsTx adds youth groups to broadcast id's recipients, in
// tx; the caller schedules their copies in the same tx.
func (s *Store) AddBroadcastGroupsTx(ctx context.Context, tx pgx.Tx, id int64, to []GroupDelivery) error {
	if len(to) == 0 {
		return nil
	}
	chats := make([]int64, len(to))
	dues := make([]time.Time, len(to))
	for i, d := range to {
		chats[i], dues[i] = d.ChatID, d.DueAt
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO broadcast_group_copies (broadcast_id, chat_id, due_at)
		SELECT $1, * FROM unnest($2::bigint[], $3::timestamptz[])`, id, chats, dues)
	return err
}

func nonNilLinks(l []Link) []Link {
	if l == nil {
		return []Link{}
	}
	return l
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

const broadcastColumns = `b.id, coalesce(b.author_id, 0), b.author_lang, b.audience, coalesce(b.from_town_id, 0),
	coalesce(b.topic, ''), b.links, coalesce(b.media_kind, ''), coalesce(b.media_file_id, ''), b.deadline,
	coalesce(b.deadline_zone, ''), b.urgent, b.send_at, coalesce(b.status_chat_id, 0), coalesce(b.status_message_id, 0),
	b.revision, b.stopped_at IS NOT NULL, b.created_at, b.status_text,
	coalesce((SELECT jsonb_object_agg(v.lang, v.text) FROM broadcast_versions v WHERE v.broadcast_id = b.id), '{}')`

func scanBroadcast(row pgx.Row) (Broadcast, error) {
	var b Broadcast
	var aud, links, versions []byte
	var deadline *time.Time
	err := row.Scan(&b.ID, &b.AuthorID, &b.AuthorLang, &aud, &b.FromTown, &b.Topic, &links, &b.MediaKind, &b.MediaFileID,
		&deadline, &b.DeadlineZone, &b.Urgent, &b.SendAt, &b.StatusChatID, &b.StatusMessageID, &b.Revision, &b.Stopped,
		&b.CreatedAt, &b.StatusText, &versions)
	if err != nil {
		return b, notFound(err)
	}
	if deadline != nil {
		b.Deadline = *deadline
	}
	if err := json.Unmarshal(aud, &b.Audience); err != nil {
		return b, err
	}
	if err := json.Unmarshal(links, &b.Links); err != nil {
		return b, err
	}
	return b, json.Unmarshal(versions, &b.Versions)
}

// Broadcast returns the broadcast with id.
func (s *Store) Broadcast(ctx context.Context, id int64) (Broadcast, error) {
	return scanBroadcast(s.pool.QueryRow(ctx, `SELECT `+broadcastColumns+` FROM broadcasts b WHERE b.id = $1`, id))
}

// BroadcastCopy is one recipient's copy as it now stands.
type BroadcastCopy struct {
	// UserID is the recipient's chat: a person's, or a youth group's
	// (negative).
	UserID    int64
	DueAt     time.Time
	State     string
	MessageID int64
	Revision  int
	Remind    bool
}

// copyTable is the table that holds the copies of broadcasts to chatID
// and its column for the chat: people's private chats have positive ids,
// groups negative ones.
func copyTable(chatID int64) (table, chat string) {
	if chatID < 0 {
		return "broadcast_group_copies", "chat_id"
	}
	return "broadcast_recipients", "user_id"
}

// BroadcastCopyOf returns the copy of broadcast id to userID (a person,
// or a youth group's chat).
func (s *Store) BroadcastCopyOf(ctx context.Context, id, userID int64) (BroadcastCopy, error) {
	c := BroadcastCopy{UserID: userID}
	q := `SELECT due_at, state, coalesce(message_id, 0), revision, remind
		FROM broadcast_recipients WHERE broadcast_id = $1 AND user_id = $2`
	if userID < 0 {
		q = `SELECT due_at, state, coalesce(message_id, 0), revision, false
			FROM broadcast_group_copies WHERE broadcast_id = $1 AND chat_id = $2`
	}
	err := s.pool.QueryRow(ctx, q, id, userID).Scan(&c.DueAt, &c.State, &c.MessageID, &c.Revision, &c.Remind)
	return c, notFound(err)
}

// NoteBroadcastRendered records that userID's copy (a person's or a
// youth group's) is about to go out with the text of revision.
func (s *Store) NoteBroadcastRendered(ctx context.Context, id, userID int64, revision int) error {
	table, chat := copyTable(userID)
	_, err := s.pool.Exec(ctx, `UPDATE `+table+` SET revision = $3 WHERE broadcast_id = $1 AND `+chat+` = $2`,
		id, userID, revision)
	return err
}

// RecordBroadcastOutcomeTx records, in tx, what became of userID's copy
// (a person's or a youth group's):
// state (CopySent with its message id, CopyBlocked, CopyFailed,
// CopyDropped). A copy already stopped or decided keeps its state; only the
// message id of a copy sent is filled in later. behind is the broadcast's
// revision when the copy went out with an older text (corrected
// meanwhile), else 0: the caller then schedules its edit in tx.
//
// The broadcast's row is read FOR KEY SHARE, which a correction
// (CorrectBroadcastTx) holds off with FOR UPDATE from its first statement
// to its commit (updates of the status text do not): an outcome recorded while a correction is under way waits for it
// and compares with the new revision, and a correction that starts after
// finds this copy among the sent ones. Without the lock, a copy recorded
// between the correction's reading of the sent copies and its commit was
// in neither and kept the old text.
func (s *Store) RecordBroadcastOutcomeTx(ctx context.Context, tx pgx.Tx, id, userID int64, state string, messageID int64) (behind int, err error) {
	var revision int
	err = tx.QueryRow(ctx, `SELECT revision FROM broadcasts WHERE id = $1 FOR KEY SHARE`, id).Scan(&revision)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var old bool
	table, chat := copyTable(userID)
	err = tx.QueryRow(ctx, `
		UPDATE `+table+` r SET state = $3, message_id = coalesce(nullif($4, 0::bigint), r.message_id)
		WHERE r.broadcast_id = $1 AND r.`+chat+` = $2
		  AND (r.state IN ('pending', 'stopped') AND $3 = 'sent' OR r.state = 'pending')
		RETURNING r.revision < $5`, id, userID, state, messageID, revision).Scan(&old)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && !old {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return revision, nil
}

// BroadcastCounts are the figures of a broadcast.
type BroadcastCounts struct {
	Total, Sent, Blocked, Failed, Dropped, Stopped int
	// Waiting are copies held back by quiet hours (or a scheduled send),
	// Due are those due now and not yet sent.
	Waiting, Due int
	// NextDue is when the first waiting copy goes out.
	NextDue time.Time
}

// Remaining is how many copies may still go out.
func (c BroadcastCounts) Remaining() int { return c.Waiting + c.Due }

// BroadcastCounts counts the copies of broadcast id (to people and to
// youth groups) by state at now.
func (s *Store) BroadcastCounts(ctx context.Context, id int64, now time.Time) (BroadcastCounts, error) {
	var c BroadcastCounts
	var next *time.Time
	err := s.pool.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state = 'blocked'),
			count(*) FILTER (WHERE state = 'failed'), count(*) FILTER (WHERE state = 'dropped'),
			count(*) FILTER (WHERE state = 'stopped'),
			count(*) FILTER (WHERE state = 'pending' AND due_at > $2),
			count(*) FILTER (WHERE state = 'pending' AND due_at <= $2),
			min(due_at) FILTER (WHERE state = 'pending' AND due_at > $2)
		FROM (SELECT state, due_at FROM broadcast_recipients WHERE broadcast_id = $1
			UNION ALL
			SELECT state, due_at FROM broadcast_group_copies WHERE broadcast_id = $1) c`, id, now).
		Scan(&c.Total, &c.Sent, &c.Blocked, &c.Failed, &c.Dropped, &c.Stopped, &c.Waiting, &c.Due, &next)
	if next != nil {
		c.NextDue = *next
	}
	return c, err
}

// SetBroadcastStatusText stores the status message's text; changed is
// false when it already said that.
func (s *Store) SetBroadcastStatusText(ctx context.Context, id int64, text string) (changed bool, err error) {
	tag, err := s.pool.Exec(ctx, `UPDATE broadcasts SET status_text = $2 WHERE id = $1 AND status_text <> $2`, id, text)
	return tag.RowsAffected() > 0, err
}

// ErrBroadcastStopped is returned for a change to a stopped broadcast.
var ErrBroadcastStopped = errors.New("broadcast stopped")

// StopBroadcastTx stops broadcast id in tx: the copies not yet sent will
// not go. It returns how many were stopped. The caller cancels their
// delivery jobs in the same tx.
func (s *Store) StopBroadcastTx(ctx context.Context, tx pgx.Tx, id, actorID int64) (int, error) {
	tag, err := tx.Exec(ctx, `UPDATE broadcasts SET stopped_at = now() WHERE id = $1 AND stopped_at IS NULL`, id)
	if err != nil {
		return 0, err
	}
	if tag.RowsAffected() == 0 {
		return 0, ErrBroadcastStopped
	}
	tag, err = tx.Exec(ctx, `UPDATE broadcast_recipients SET state = 'stopped' WHERE broadcast_id = $1 AND state = 'pending'`, id)
	if err != nil {
		return 0, err
	}
	groups, err := tx.Exec(ctx, `UPDATE broadcast_group_copies SET state = 'stopped' WHERE broadcast_id = $1 AND state = 'pending'`, id)
	if err != nil {
		return 0, err
	}
	stopped := tag.RowsAffected() + groups.RowsAffected()
	detail, _ := json.Marshal(map[string]any{"broadcast_id": id, "stopped": stopped})
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, detail) VALUES (nullif($1, 0::bigint), 'broadcast_stopped', $2)`,
		actorID, detail)
	return int(stopped), err
}

// SentCopy is a copy already in a recipient's chat (a person's, or a
// youth group's).
type SentCopy struct {
	ChatID    int64
	MessageID int64
}

// CorrectBroadcastTx replaces the text of one language version in tx and
// returns the new revision and the copies already sent, whose messages the
// caller has edited (scheduled in the same tx). Copies not yet sent go out
// with the new text, since they are rendered when they are sent; a copy
// rendered before and sent after is recorded behind by
// RecordBroadcastOutcomeTx, which waits for tx on the broadcast's row that
// this locks first (FOR UPDATE).
func (s *Store) CorrectBroadcastTx(ctx context.Context, tx pgx.Tx, id, actorID int64, lang, text string) (int, []SentCopy, error) {
	// FOR UPDATE, not the weaker lock of the UPDATE below: outcomes
	// recorded meanwhile wait for this transaction (they read the row FOR
	// KEY SHARE, which only FOR UPDATE holds off).
	var revision int
	if err := tx.QueryRow(ctx, `SELECT revision FROM broadcasts WHERE id = $1 FOR UPDATE`, id).Scan(&revision); err != nil {
		return 0, nil, notFound(err)
	}
	if err := tx.QueryRow(ctx, `UPDATE broadcasts SET revision = revision + 1 WHERE id = $1 RETURNING revision`, id).
		Scan(&revision); err != nil {
		return 0, nil, err
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO broadcast_versions (broadcast_id, lang, text) VALUES ($1, $2, $3)
		ON CONFLICT (broadcast_id, lang) DO UPDATE SET text = excluded.text`, id, lang, text); err != nil {
		return 0, nil, err
	}
	rows, err := tx.Query(ctx, `
		SELECT user_id, message_id FROM broadcast_recipients
		WHERE broadcast_id = $1 AND state = 'sent' AND message_id IS NOT NULL
		UNION ALL
		SELECT chat_id, message_id FROM broadcast_group_copies
		WHERE broadcast_id = $1 AND state = 'sent' AND message_id IS NOT NULL
		ORDER BY 1`, id)
	if err != nil {
		return 0, nil, err
	}
	sent, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SentCopy, error) {
		var c SentCopy
		return c, r.Scan(&c.ChatID, &c.MessageID)
	})
	if err != nil {
		return 0, nil, err
	}
	detail, _ := json.Marshal(map[string]any{"broadcast_id": id, "revision": revision, "lang": lang, "edited": len(sent)})
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, detail) VALUES (nullif($1, 0::bigint), 'broadcast_corrected', $2)`,
		actorID, detail)
	return revision, sent, err
}

// BroadcastSummary is a line of /broadcasts.
type BroadcastSummary struct {
	Broadcast
	Counts BroadcastCounts
}

// Broadcasts lists the newest broadcasts, of authorID only unless all.
func (s *Store) Broadcasts(ctx context.Context, authorID int64, all bool, now time.Time, limit int) ([]BroadcastSummary, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+broadcastColumns+` FROM broadcasts b
		WHERE $2 OR b.author_id = $1 ORDER BY b.id DESC LIMIT $3`, authorID, all, limit)
	if err != nil {
		return nil, err
	}
	bs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Broadcast, error) { return scanBroadcast(r) })
	if err != nil {
		return nil, err
	}
	out := make([]BroadcastSummary, len(bs))
	for i, b := range bs {
		out[i].Broadcast = b
		if out[i].Counts, err = s.BroadcastCounts(ctx, b.ID, now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SetBroadcastReminderTx notes, in tx, that userID asked to be reminded of
// broadcast id's deadline; changed is false when they already had. The
// caller schedules the reminders in tx.
func (s *Store) SetBroadcastReminderTx(ctx context.Context, tx pgx.Tx, id, userID int64) (changed bool, err error) {
	tag, err := tx.Exec(ctx, `UPDATE broadcast_recipients SET remind = true
		WHERE broadcast_id = $1 AND user_id = $2 AND NOT remind AND state = 'sent'`, id, userID)
	return tag.RowsAffected() > 0, err
}

// Mute is something a person muted.
type Mute struct {
	Kind  string // "town" or "topic"
	Value string
}

// The kinds of mutes.
const (
	MuteTown  = "town"
	MuteTopic = "topic"
)

// AddMute mutes announcements from a town or on a topic for userID.
func (s *Store) AddMute(ctx context.Context, userID int64, m Mute) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO user_mutes (user_id, kind, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		userID, m.Kind, m.Value)
	return err
}

// RemoveMute lifts a mute.
func (s *Store) RemoveMute(ctx context.Context, userID int64, m Mute) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM user_mutes WHERE user_id = $1 AND kind = $2 AND value = $3`, userID, m.Kind, m.Value)
	return err
}

// Mutes lists what userID muted.
func (s *Store) Mutes(ctx context.Context, userID int64) ([]Mute, error) {
	rows, err := s.pool.Query(ctx, `SELECT kind, value FROM user_mutes WHERE user_id = $1 ORDER BY kind, value`, userID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Mute, error) {
		var m Mute
		return m, r.Scan(&m.Kind, &m.Value)
	})
}

// MessageKindsOff lists the kinds of messages userID switched off.
func (s *Store) MessageKindsOff(ctx context.Context, userID int64) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT kind FROM user_message_kinds_off WHERE user_id = $1 ORDER BY kind`, userID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// SetMessageKind switches a kind of messages on or off for userID.
func (s *Store) SetMessageKind(ctx context.Context, userID int64, kind string, on bool) error {
	q := `INSERT INTO user_message_kinds_off (user_id, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING`
	if on {
		q = `DELETE FROM user_message_kinds_off WHERE user_id = $1 AND kind = $2`
	}
	_, err := s.pool.Exec(ctx, q, userID, kind)
	return err
}

// Receives tells whether userID still wants broadcast b now: the kind is
// on, neither its town nor its topic is muted.
func (s *Store) Receives(ctx context.Context, userID int64, b Broadcast) (bool, error) {
	var blocked bool
	err := s.pool.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM user_message_kinds_off WHERE user_id = $1 AND kind = $2)
		    OR EXISTS (SELECT 1 FROM user_mutes WHERE user_id = $1
		               AND (kind = 'town' AND value = $3 OR kind = 'topic' AND value = $4))`,
		userID, b.Kind(), itoa(b.FromTown), b.Topic).Scan(&blocked)
	return !blocked, err
}

// MessageKindOn tells whether userID receives messages of kind.
func (s *Store) MessageKindOn(ctx context.Context, userID int64, kind string) (bool, error) {
	var off bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM user_message_kinds_off WHERE user_id = $1 AND kind = $2)`,
		userID, kind).Scan(&off)
	return !off, err
}

// AddCoordinatorTownTx lets coordinator userID speak for townID, in tx,
// and writes it to the audit log; added is false when they already did.
func (s *Store) AddCoordinatorTownTx(ctx context.Context, tx pgx.Tx, actorID, userID, townID int64) (added bool, err error) {
	tag, err := tx.Exec(ctx, `INSERT INTO coordinator_towns (user_id, town_id, granted_by) VALUES ($1, $2, nullif($3, 0::bigint))
		ON CONFLICT DO NOTHING`, userID, townID, actorID)
	if err != nil || tag.RowsAffected() == 0 {
		return false, err
	}
	detail, _ := json.Marshal(map[string]any{"town_id": townID})
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, target_id, detail) VALUES (nullif($1, 0::bigint), 'coordinator_town', $2, $3)`,
		actorID, userID, detail)
	return true, err
}

// CoordinatorTowns lists the towns granted to coordinator userID.
func (s *Store) CoordinatorTowns(ctx context.Context, userID int64) ([]Town, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+townColumns+` FROM towns t JOIN coordinator_towns c ON c.town_id = t.id
		WHERE c.user_id = $1 ORDER BY t.name, t.id`, userID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Town, error) { return scanTown(r) })
}

func itoa(n int64) string {
	if n == 0 {
		return ""
	}
	b, _ := json.Marshal(n)
	return string(b)
}
