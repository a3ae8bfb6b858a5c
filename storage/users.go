package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Roles a user can hold in the database. Administrators are configured, not
// stored, so they never appear here.
const (
	RoleVolunteer   = "volunteer"
	RoleCoordinator = "coordinator"
)

// User is a person who has talked to the bot.
type User struct {
	ID           int64     `json:"telegram_user_id"`
	Username     string    `json:"username,omitempty"`
	FirstName    string    `json:"first_name"`
	LastName     string    `json:"last_name,omitempty"`
	LanguageCode string    `json:"telegram_language_code,omitempty"`
	Language     string    `json:"chosen_language,omitempty"`
	Role         string    `json:"role"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// DisplayName is how the user is named to others.
func (u User) DisplayName() string {
	name := u.FirstName
	if u.LastName != "" {
		name += " " + u.LastName
	}
	if name == "" && u.Username != "" {
		return "@" + u.Username
	}
	if name == "" {
		return fmt.Sprint(u.ID)
	}
	return name
}

// TelegramProfile is what Telegram tells about a user in every update.
type TelegramProfile struct {
	ID           int64
	Username     string
	FirstName    string
	LastName     string
	LanguageCode string
	// InPrivate is true when the update comes from the user's private
	// chat with the bot: whoever writes to the bot there no longer blocks
	// it, so delivery to that chat resumes if a 403 had marked it
	// inactive.
	InPrivate bool
}

const userColumns = `id, coalesce(username, ''), first_name, last_name, language_code, coalesce(language, ''), role, created_at, updated_at`

func scanUser(row pgx.Row) (User, error) {
	var u User
	err := row.Scan(u.fields()...)
	return u, notFound(err)
}

// fields are the scan targets of userColumns, in their order.
func (u *User) fields() []any {
	return []any{&u.ID, &u.Username, &u.FirstName, &u.LastName, &u.LanguageCode, &u.Language, &u.Role, &u.CreatedAt, &u.UpdatedAt}
}

// sameProfile holds for the row of user $1 when its profile is $2–$5
// and, if $6 (written in private), the chat is not marked inactive for
// delivery.
const sameProfile = `id = $1 AND (username, first_name, last_name, language_code)
			IS NOT DISTINCT FROM (nullif($2, ''), $3::text, $4::text, $5::text)
		  AND NOT ($6 AND EXISTS (SELECT FROM delivery_inactive x WHERE x.chat_id = $1))`

// TouchUser creates the user on first contact and keeps name, username and
// Telegram's language code current afterwards. A username belongs to one
// account at a time: whoever held it before loses it here, so that
// UserByUsername never finds a former holder. For an update from the
// private chat it also takes that chat off delivery_inactive (see
// TelegramProfile.InPrivate).
//
// It runs for every update, and most updates come from someone whose
// profile has not changed and whose chat is active: then it only reads,
// in one statement, so that it writes no row version (and no WAL to
// flush) per update. It first reads the row by its key alone: a
// statement that can write (the one below) costs PostgreSQL several
// times as much to run, even when it writes nothing (it opens the tables
// and their indexes for writing); an empty DELETE on delivery_inactive
// beside every update cost PostgreSQL about a third of its time per /help
// in the load run. Only a new or changed profile, or a chat to take off
// the list, needs the writing statement. That one is committed without
// waiting for the disk: should PostgreSQL itself crash and lose it, the
// person's next update writes it again, and anything written later that
// refers to the row waits for the disk and so makes the row durable too.
//
// Within an update's handler (WithClaim) the claim has read the row: when
// it is current, no round trip is needed; when the claim found none or
// one to change, the writing statement goes at once, without the reading
// one. The writing statement runs with a generic plan (its plan, key
// look-ups, is the same for any person): planned anew for each first
// contact, planning took a third of its time in the load run.
func (s *Store) TouchUser(ctx context.Context, p TelegramProfile) (User, error) {
	args := []any{p.ID, p.Username, p.FirstName, p.LastName, p.LanguageCode, p.InPrivate}
	if c := claimed(ctx); c != nil && c.UserID == p.ID {
		if c.Known != nil && c.Known.current(p) {
			return c.Known.row, nil
		}
		return s.writeUser(ctx, args)
	}
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+sameProfile, args...))
	if !errors.Is(err, ErrNotFound) {
		return u, err
	}
	return s.writeUser(ctx, args)
}

// userWriteSettings are writeUser's: committed without waiting for the
// disk (asyncCommit), with a generic plan, and with the index look-ups
// its plan is made of also when a table is small: a generic plan is kept
// by the connection, and one made while delivery_inactive was nearly empty
// would read all of it for every first contact once it is not.
const userWriteSettings = asyncCommit + `,
	set_config('plan_cache_mode', 'force_generic_plan', true),
	set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true)`

// writeUserSQL is writeUser's statement, with TouchUser's arguments.
const writeUserSQL = `
		WITH same AS (
			SELECT ` + userColumns + ` FROM users WHERE ` + sameProfile + `),
		reactivated AS (
			DELETE FROM delivery_inactive WHERE $6 AND chat_id = $1),
		former AS (
			UPDATE users SET username = NULL, updated_at = now()
			WHERE NOT EXISTS (SELECT FROM same) AND $2 <> '' AND lower(username) = lower($2) AND id <> $1),
		touched AS (
		INSERT INTO users (id, username, first_name, last_name, language_code)
		SELECT $1, nullif($2, ''), $3, $4, $5 WHERE NOT EXISTS (SELECT FROM same)
		ON CONFLICT (id) DO UPDATE SET
			username = excluded.username, first_name = excluded.first_name,
			last_name = excluded.last_name, language_code = excluded.language_code,
			updated_at = CASE WHEN (users.username, users.first_name, users.last_name, users.language_code)
			                    IS DISTINCT FROM (excluded.username, excluded.first_name, excluded.last_name, excluded.language_code)
			                  THEN now() ELSE users.updated_at END
		RETURNING ` + userColumns + `)
		SELECT * FROM same UNION ALL SELECT * FROM touched`

// writeUser is TouchUser's writing statement; args are its arguments.
func (s *Store) writeUser(ctx context.Context, args []any) (User, error) {
	var u User
	err := s.queryAfter(ctx, []stmt{{sql: userWriteSettings}}, stmt{writeUserSQL, args}, func(br pgx.BatchResults) (err error) {
		u, err = scanUser(br.QueryRow())
		return err
	})
	return u, err
}

// KnownUser is a user's row as read with the claim of their update
// (ClaimedUpdate.Known).
type KnownUser struct {
	row User
	// inactive is true when their private chat was marked inactive for
	// delivery.
	inactive bool
}

// claimKey is the context key of what the claim of the update being
// handled read (WithClaim).
type claimKey struct{}

// WithClaim lets the handler of claimed c use what its claim read instead
// of reading it again: one or two round trips less for nearly every
// update.
//
// TouchUser returns c.Known when the profile the update carries is the
// stored one (and, written in private, the chat is not inactive). The row
// cannot be older than the user's own previous update, which was done
// before this one could be claimed; a change by someone else (a role
// granted) in the moments between claim and handler counts as made just
// after.
//
// Searches and town look-ups (searchcache.go) take c.SearchGeneration as
// the current count of changes, for the same reason: whatever the user's
// own earlier updates changed is counted, and someone else's change in
// between counts as made just after. A handler that changes projects or
// towns and then searches in the same update would not see its own change
// in kept results; none does.
func WithClaim(ctx context.Context, c ClaimedUpdate) context.Context {
	return context.WithValue(ctx, claimKey{}, &c)
}

// claimed returns what WithClaim put in ctx, or nil.
func claimed(ctx context.Context) *ClaimedUpdate {
	c, _ := ctx.Value(claimKey{}).(*ClaimedUpdate)
	return c
}

// current reports whether k is p's stored row with p's profile, needing
// no write (see sameProfile).
func (k *KnownUser) current(p TelegramProfile) bool {
	u := k.row
	return u.ID == p.ID && u.Username == p.Username && u.FirstName == p.FirstName && u.LastName == p.LastName &&
		u.LanguageCode == p.LanguageCode && !(p.InPrivate && k.inactive)
}

// User returns the user with id.
func (s *Store) User(ctx context.Context, id int64) (User, error) {
	return scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// UserByUsername finds a user by @username, case-insensitively: the one
// who last reported it (TouchUser takes it from anyone else). Telegram
// lets a username pass to another account, so the holder found may be a
// former one who has not written since: callers confirm with a person.
func (s *Store) UserByUsername(ctx context.Context, username string) (User, error) {
	return scanUser(s.pool.QueryRow(ctx,
		`SELECT `+userColumns+` FROM users WHERE lower(username) = lower($1) ORDER BY updated_at DESC LIMIT 1`, username))
}

// SetLanguage stores the language the user chose.
func (s *Store) SetLanguage(ctx context.Context, id int64, lang string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET language = $2, updated_at = now() WHERE id = $1`, id, lang)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return err
}

// UsersWithRole lists the users holding role, by name.
func (s *Store) UsersWithRole(ctx context.Context, role string) ([]User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE role = $1 ORDER BY first_name, id`, role)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) { return scanUser(r) })
}

// RoleChange is one person's role changed by another, as the audit log
// records it.
type RoleChange struct {
	// AuditID is the audit log entry.
	AuditID  int64
	TargetID int64
	Old, New string
}

// roleAction is how the audit log writes a role change.
const roleAction = "role:%s->%s"

// SetRoleTx gives target the role and writes the change to the audit log,
// in tx, and returns the change. actorID 0 means the command line. changed
// is false when the user already had that role; nothing is written then.
// The caller owns tx and schedules the notice to the person in it, so that
// the change and its notice commit or fail together.
func (s *Store) SetRoleTx(ctx context.Context, tx pgx.Tx, actorID, targetID int64, role string) (c RoleChange, changed bool, err error) {
	c = RoleChange{TargetID: targetID, New: role}
	if err := tx.QueryRow(ctx, `SELECT role FROM users WHERE id = $1 FOR UPDATE`, targetID).Scan(&c.Old); err != nil {
		return c, false, notFound(err)
	}
	if c.Old == role {
		return c, false, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE users SET role = $2, updated_at = now() WHERE id = $1`, targetID, role); err != nil {
		return c, false, err
	}
	err = tx.QueryRow(ctx, `INSERT INTO audit_log (actor_id, action, target_id) VALUES (nullif($1, 0::bigint), $2, $3)
		RETURNING id`, actorID, fmt.Sprintf(roleAction, c.Old, role), targetID).Scan(&c.AuditID)
	return c, true, err
}

// RoleChange returns the role change recorded in audit log entry id;
// ErrNotFound when that entry is no role change. TargetID is 0 once the
// person erased their data.
func (s *Store) RoleChange(ctx context.Context, id int64) (RoleChange, error) {
	c := RoleChange{AuditID: id}
	var action string
	if err := s.pool.QueryRow(ctx, `SELECT action, coalesce(target_id, 0) FROM audit_log WHERE id = $1`, id).
		Scan(&action, &c.TargetID); err != nil {
		return c, notFound(err)
	}
	roles, isRole := strings.CutPrefix(action, "role:")
	from, to, ok := strings.Cut(roles, "->")
	if !isRole || !ok {
		return c, ErrNotFound
	}
	c.Old, c.New = from, to
	return c, nil
}
