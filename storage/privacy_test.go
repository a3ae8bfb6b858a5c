package storage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

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
	// Telegram ids far from every serial id and count in the schema, so
	// that the walk below finds them only where they refer to the person.
	const erased, kept = 7_700_101, 7_700_202
	for i, id := range []int64{erased, kept} {
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
	for actor, target := range map[int64]int64{erased: kept, kept: erased} {
		if err := s.InTx(ctx, func(tx pgx.Tx) error {
			_, _, err := s.SetRoleTx(ctx, tx, actor, target, storage.RoleCoordinator)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	fillProjectData(t, s, erased, kept)
	fillEventData(t, s, erased, kept)
	fillDeliveryData(t, pool, erased, kept)
	fillGroupData(t, s, erased, kept)
	fillBroadcastData(t, s, erased, kept)
	fillTranslationData(t, s, erased, kept)

	// The live status message of a broadcast is in its author's chat.
	if _, err := pool.Exec(ctx, `UPDATE broadcasts SET status_chat_id = author_id, status_message_id = 7`); err != nil {
		t.Fatal(err)
	}

	export, err := s.Export(ctx, erased)
	if err != nil {
		t.Fatal(err)
	}
	for _, pc := range storage.PersonalData {
		var rows []map[string]any
		if err := json.Unmarshal(export[pc.Table+"."+pc.Column], &rows); err != nil {
			t.Fatalf("export %s.%s: %v", pc.Table, pc.Column, err)
		}
		if len(rows) == 0 {
			t.Errorf("export of the user has no rows in %s.%s although the test filled it", pc.Table, pc.Column)
		}
	}

	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.DeleteUserTx(ctx, tx, erased) }); err != nil {
		t.Fatal(err)
	}
	for _, pc := range storage.PersonalData {
		for id, want := range map[int64]int{erased: 0, kept: 1} {
			var n int
			q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s = $1`, pc.Table, pc.Column)
			if err := pool.QueryRow(ctx, q, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if (want == 0) != (n == 0) {
				t.Errorf("%s.%s has %d rows about user %d after erasing user %d", pc.Table, pc.Column, n, id, erased)
			}
		}
	}
	// Nor does the id stay anywhere else: no bigint column of any table
	// (row ids and references to other tables than users aside) holds it,
	// whether PersonalData lists the column or not (a chat id kept beside
	// a cleared author, say).
	for _, col := range personColumnCandidates(t, pool) {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s = $1`, pgx.Identifier{col[0]}.Sanitize(), pgx.Identifier{col[1]}.Sanitize())
		if err := pool.QueryRow(ctx, q, erased).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s.%s still holds the erased user's id in %d rows", col[0], col[1], n)
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

// personColumnCandidates lists the bigint columns of the schema's tables
// that could hold a Telegram id: neither a row's own serial id nor a
// reference to another table than users.
func personColumnCandidates(t *testing.T, pool *pgxpool.Pool) [][2]string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT c.table_name, c.column_name FROM information_schema.columns c
		JOIN information_schema.tables t
		  ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = 'public' AND c.data_type = 'bigint'
		  AND coalesce(c.column_default, '') NOT LIKE 'nextval(%' AND c.is_identity = 'NO'
		  AND NOT EXISTS (SELECT 1 FROM information_schema.key_column_usage k
			JOIN information_schema.table_constraints tc
			  ON tc.constraint_name = k.constraint_name AND tc.table_schema = k.table_schema
			JOIN information_schema.constraint_column_usage u
			  ON u.constraint_name = tc.constraint_name AND u.table_schema = tc.table_schema
			WHERE tc.constraint_type = 'FOREIGN KEY' AND k.table_schema = c.table_schema
			  AND k.table_name = c.table_name AND k.column_name = c.column_name AND u.table_name <> 'users')
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var c [2]string
		return c, r.Scan(&c[0], &c[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cols, [2]string{"broadcasts", "status_chat_id"}) {
		t.Fatalf("the column walk missed broadcasts.status_chat_id (found %v); the query is broken", cols)
	}
	return cols
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
