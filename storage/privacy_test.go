package storage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// TestPersonalDataCoversSchema walks the schema: every column that refers
// to a person (a foreign key to users, or named user_id / *_user_id) must
// be in storage.PersonalData, or /export and /deleteme would miss it.
func TestPersonalDataCoversSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	rows, err := pool.Query(ctx, `
		SELECT kcu.table_name, kcu.column_name
		FROM information_schema.table_constraints tc
		JOIN information_schema.key_column_usage kcu
		  ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
		JOIN information_schema.constraint_column_usage ccu
		  ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
		WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public' AND ccu.table_name = 'users'
		UNION
		SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND (column_name = 'user_id' OR column_name LIKE '%\_user\_id')
		UNION
		SELECT 'users', 'id'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	found := 0
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		found++
		if !slices.ContainsFunc(storage.PersonalData, func(pc storage.PersonalColumn) bool {
			return pc.Table == table && pc.Column == column
		}) {
			t.Errorf("%s.%s refers to a person but is not in storage.PersonalData: /export and /deleteme would miss it", table, column)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if found < 4 {
		t.Fatalf("schema walk found only %d person columns; the query is broken", found)
	}
}

// TestDeleteUserErasesOnlyThatUser fills every personal table for two
// users, erases one, and checks that nothing about them is left while the
// other's data stays.
func TestDeleteUserErasesOnlyThatUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	s := storage.New(pool)
	for i, id := range []int64{101, 202} {
		if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: id, Username: fmt.Sprint("user", id), FirstName: "Olena"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveConversation(ctx, storage.Conversation{UserID: id, Flow: "f", Step: "0"}, time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := record(ctx, s, int64(1000+i), id, []byte(`{"update_id":1}`)); err != nil {
			t.Fatal(err)
		}
		// Fills towns.proposed_by and user_profiles.user_id.
		if _, err := testdb.InTx(s, func(tx pgx.Tx) (storage.Town, error) {
			return s.ProposeTownTx(ctx, tx, storage.TownProposal{Name: fmt.Sprint("Town ", id), Country: "UA"}, storage.Profile{UserID: id})
		}); err != nil {
			t.Fatal(err)
		}
	}
	for actor, target := range map[int64]int64{101: 202, 202: 101} {
		if err := s.InTx(ctx, func(tx pgx.Tx) error {
			_, _, err := s.SetRoleTx(ctx, tx, actor, target, storage.RoleCoordinator)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	fillProjectData(t, s, 101, 202)
	fillEventData(t, s, 101, 202)
	fillDeliveryData(t, pool, 101, 202)
	fillGroupData(t, s, 101, 202)
	fillBroadcastData(t, s, 101, 202)

	export, err := s.Export(ctx, 101)
	if err != nil {
		t.Fatal(err)
	}
	for _, pc := range storage.PersonalData {
		var rows []map[string]any
		if err := json.Unmarshal(export[pc.Table+"."+pc.Column], &rows); err != nil {
			t.Fatalf("export %s.%s: %v", pc.Table, pc.Column, err)
		}
		if len(rows) == 0 {
			t.Errorf("export of user 101 has no rows in %s.%s although the test filled it", pc.Table, pc.Column)
		}
	}

	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.DeleteUserTx(ctx, tx, 101) }); err != nil {
		t.Fatal(err)
	}
	for _, pc := range storage.PersonalData {
		for id, want := range map[int64]int{101: 0, 202: 1} {
			var n int
			q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s = $1`, pc.Table, pc.Column)
			if err := pool.QueryRow(ctx, q, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if (want == 0) != (n == 0) {
				t.Errorf("%s.%s has %d rows about user %d after erasing user 101", pc.Table, pc.Column, n, id)
			}
		}
	}
	var payloads int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM inbound_updates WHERE update_id = 1000 AND payload IS NOT NULL`).Scan(&payloads); err != nil {
		t.Fatal(err)
	}
	if payloads != 0 {
		t.Error("the erased user's update payload is still stored")
	}
}

// TestUsernameBelongsToItsLastReporter: when Telegram reports a username
// for a new account, no other row keeps it (security review #16).
func TestUsernameBelongsToItsLastReporter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	touch := func(id int64, username string) {
		t.Helper()
		if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: id, Username: username, FirstName: fmt.Sprint("U", id)}); err != nil {
			t.Fatal(err)
		}
	}
	touch(1, "partner_kyiv")
	touch(2, "someone_else")
	touch(3, "")
	touch(2, "Partner_Kyiv")
	for id, want := range map[int64]string{1: "", 2: "Partner_Kyiv", 3: ""} {
		if u, err := s.User(ctx, id); err != nil || u.Username != want {
			t.Errorf("user %d: %+v, %v; want username %q", id, u, err, want)
		}
	}
	if u, err := s.UserByUsername(ctx, "partner_KYIV"); err != nil || u.ID != 2 {
		t.Errorf("UserByUsername: %+v, %v", u, err)
	}
	touch(1, "partner_kyiv") // and back
	if u, err := s.UserByUsername(ctx, "partner_kyiv"); err != nil || u.ID != 1 {
		t.Errorf("UserByUsername after it changed hands again: %+v, %v", u, err)
	}
	if u, _ := s.User(ctx, 2); u.Username != "" {
		t.Errorf("user 2 keeps %q", u.Username)
	}
}
