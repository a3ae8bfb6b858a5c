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
var PersonalData = []PersonalColumn{
	{Table: "conversations", Column: "user_id"},
	{Table: "user_profiles", Column: "user_id"},
	// A proposed town stays when its proposer leaves; only the link goes.
	{Table: "towns", Column: "proposed_by", Clear: "proposed_by = NULL"},
	{Table: "inbound_updates", Column: "user_id", Clear: "user_id = NULL, payload = NULL"},
	{Table: "audit_log", Column: "actor_id", Clear: "actor_id = NULL"},
	{Table: "audit_log", Column: "target_id", Clear: "target_id = NULL"},
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
	// Delivery (package delivery): whether a private chat blocked the bot,
	// and when the next message to it may go.
	{Table: "delivery_inactive", Column: "chat_id"},
	{Table: "delivery_chat_pace", Column: "chat_id"},
	// Machine translations of what the person wrote (package translate);
	// the hash of the source text is only a cache key.
	{Table: "translations", Column: "owner_id", Omit: []string{"source_hash"}},
	{Table: "users", Column: "id"},
}

// Export returns every stored row about userID, keyed by "table.column",
// as a JSON document for the person to keep.
func (s *Store) Export(ctx context.Context, userID int64) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(PersonalData))
	err := s.inTx(ctx, func(tx pgx.Tx) error {
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

// DeleteUser erases or anonymises every row about userID in one
// transaction: either all of it goes, or nothing does. then runs in that
// transaction with userID, for what other packages hold about the person
// (the delivery queue).
func (s *Store) DeleteUser(ctx context.Context, userID int64, then ...Hook[int64]) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
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
		return runHooks(tx, userID, then)
	})
}
