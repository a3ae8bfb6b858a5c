package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// PersonalColumn names a column that identifies a person, and how /deleteme
// erases it. Every table that refers to a user must be listed in
// PersonalData: a test walks the schema and fails otherwise, and both
// Export and DeleteUser are driven by this list, so neither can forget one.
type PersonalColumn struct {
	Table  string
	Column string
	// Clear is the SET clause that anonymises a row which must stay (for
	// de-duplication or an audit trail); empty means the row is deleted.
	Clear string
	// Omit are columns left out of the export: ones that identify someone
	// else (the other side of a contact request, a reporter) or that are
	// only derived data (a search vector).
	Omit []string
}

// PersonalData lists every column that points at a person. Rows are erased
// in this order; users comes last so foreign keys still resolve until then.
// limit_marks is not here by design: it holds no id, only a keyed hash of
// one, and outlives /deleteme until its limit's window ends (limits.go).
var PersonalData = []PersonalColumn{
	{Table: "conversations", Column: "user_id"},
	{Table: "user_profiles", Column: "user_id"},
	// A proposed town stays when its proposer leaves; only the link goes.
	{Table: "towns", Column: "proposed_by", Clear: "proposed_by = NULL"},
	{Table: "inbound_updates", Column: "user_id", Clear: "user_id = NULL, payload = NULL, raw = NULL"},
	// An export holds the person's own data only: whoever acted on them (a
	// coordinator who hid their project, dismissed a report about it or
	// decided their town; an administrator who changed their role) stays
	// unnamed, and so do the people an actor acted on.
	{Table: "audit_log", Column: "actor_id", Clear: "actor_id = NULL", Omit: []string{"target_id"}},
	{Table: "audit_log", Column: "target_id", Clear: "target_id = NULL", Omit: []string{"actor_id"}},
	// Projects (with their followers, requests and reports) go with their
	// owner. Neither side of a contact request learns the other's id from
	// an export; a report outlives its reporter, a reporter stays unnamed.
	{Table: "contact_requests", Column: "requester_id", Omit: []string{"owner_id"}},
	{Table: "contact_requests", Column: "owner_id", Omit: []string{"requester_id"}},
	{Table: "project_followers", Column: "user_id"},
	{Table: "project_reports", Column: "reporter_id", Clear: "reporter_id = NULL", Omit: []string{"resolved_by"}},
	{Table: "project_reports", Column: "resolved_by", Clear: "resolved_by = NULL", Omit: []string{"reporter_id"}},
	{Table: "project_searches", Column: "user_id"},
	{Table: "projects", Column: "owner_id", Omit: []string{"search"}},
	// Events: a person's settings and reminders go; an event they published
	// stays for the people who plan to attend, without its creator.
	{Table: "user_settings", Column: "user_id"},
	{Table: "event_reminders", Column: "user_id"},
	{Table: "events", Column: "created_by", Clear: "created_by = NULL"},
	// Groups and channels (groups.go, joinrequests.go): a person's requests
	// to join project groups, the group rules they wrote, what they did as
	// an administrator in a group, and a pending channel link. Nobody who
	// merely writes in a group is stored.
	{Table: "join_requests", Column: "user_id"},
	{Table: "group_rules", Column: "written_by"},
	{Table: "group_roles", Column: "user_id"},
	{Table: "channel_link_intents", Column: "user_id"},
	// Delivery (package delivery): whether a private chat blocked the bot,
	// and when the next message to it may go.
	{Table: "delivery_inactive", Column: "chat_id"},
	{Table: "delivery_chat_pace", Column: "chat_id"},
	// Broadcasts (issue 10): the towns a coordinator speaks for, a broadcast's
	// author (the broadcast stays for its recipients, unsigned), the copies a
	// person received, what they muted and the kinds they switched off.
	{Table: "coordinator_towns", Column: "user_id", Omit: []string{"granted_by"}},
	{Table: "coordinator_towns", Column: "granted_by", Clear: "granted_by = NULL", Omit: []string{"user_id"}},
	{Table: "broadcasts", Column: "author_id", Clear: "author_id = NULL, status_chat_id = NULL, status_message_id = NULL"},
	{Table: "broadcast_recipients", Column: "user_id"},
	{Table: "user_mutes", Column: "user_id"},
	{Table: "user_message_kinds_off", Column: "user_id"},
	// Project news: its author (the news stays for the followers, unsigned).
	{Table: "project_news", Column: "author_id", Clear: "author_id = NULL"},
	// Machine translations of what the person wrote (package translate);
	// the hash of the source text is only a cache key.
	{Table: "translations", Column: "owner_id", Omit: []string{"source_hash"}},
	{Table: "users", Column: "id"},
}

// Export returns every stored row about userID, keyed by "table.column",
// as a JSON document for the person to keep.
func (s *Store) Export(ctx context.Context, userID int64) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(PersonalData))
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		for _, pc := range PersonalData {
			var rows json.RawMessage
			q := fmt.Sprintf(`SELECT coalesce(jsonb_agg(to_jsonb(t) - $2::text[]), '[]'::jsonb) FROM %s t WHERE %s = $1`,
				pgx.Identifier{pc.Table}.Sanitize(), pgx.Identifier{pc.Column}.Sanitize())
			omit := append([]string{}, pc.Omit...) // never nil: jsonb - NULL would blank every row
			if err := tx.QueryRow(ctx, q, userID, omit).Scan(&rows); err != nil {
				return fmt.Errorf("export %s.%s: %w", pc.Table, pc.Column, err)
			}
			out[pc.Table+"."+pc.Column] = rows
		}
		return nil
	})
	return out, err
}

// DeleteUserTx erases or anonymises every row about userID in tx: either
// all of it goes, or nothing does. The caller owns tx and erases in it
// what other packages hold about the person (the delivery queue), so that
// nothing of them outlives the commit.
func (s *Store) DeleteUserTx(ctx context.Context, tx pgx.Tx, userID int64) error {
	for _, pc := range PersonalData {
		table, col := pgx.Identifier{pc.Table}.Sanitize(), pgx.Identifier{pc.Column}.Sanitize()
		q := fmt.Sprintf(`DELETE FROM %s WHERE %s = $1`, table, col)
		if pc.Clear != "" {
			q = fmt.Sprintf(`UPDATE %s SET %s WHERE %s = $1`, table, pc.Clear, col)
		}
		if _, err := tx.Exec(ctx, q, userID); err != nil {
			return fmt.Errorf("erase %s.%s: %w", pc.Table, pc.Column, err)
		}
	}
	return nil
}
