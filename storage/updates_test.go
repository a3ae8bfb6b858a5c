package storage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

func TestUpdateLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	payload := []byte(`{"update_id":7}`)

	fresh, err := record(ctx, s, 7, 42, payload)
	if err != nil || !fresh {
		t.Fatalf("first record: fresh=%v err=%v", fresh, err)
	}
	if fresh, err := record(ctx, s, 7, 42, payload); err != nil || fresh {
		t.Fatalf("replayed update counted as fresh=%v err=%v", fresh, err)
	}

	got, err := s.ClaimUpdate(ctx, 7, "a", time.Minute)
	var back struct {
		UpdateID int64 `json:"update_id"`
	}
	if err != nil || json.Unmarshal(got, &back) != nil || back.UpdateID != 7 {
		t.Fatalf("claim: %q %v", got, err)
	}
	if _, err := s.ClaimUpdate(ctx, 7, "b", time.Minute); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("second owner claimed a leased update: %v", err)
	}
	if _, err := s.ClaimUpdate(ctx, 7, "a", time.Minute); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("same owner claimed a leased update twice: %v", err)
	}
	pending, err := s.PendingUpdates(ctx, time.Minute, 10)
	if err != nil || len(pending) != 0 {
		t.Fatalf("leased update listed as pending: %v %v", pending, err)
	}
	// Once its lease has run out (here a lease of zero), the sweeper sees
	// the claimed update again: its worker may have died.
	pending, err = s.PendingUpdates(ctx, 0, 10)
	if err != nil || len(pending) != 1 || pending[0] != (storage.PendingUpdate{UpdateID: 7, UserID: 42}) {
		t.Fatalf("claimed update with an expired lease not listed as pending: %v %v", pending, err)
	}
	// A lease that ran out (the owner crashed) frees the update again.
	if _, err := s.ClaimUpdate(ctx, 7, "b", 0); err != nil {
		t.Fatalf("expired lease not taken over: %v", err)
	}
	if err := s.FinishUpdate(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimUpdate(ctx, 7, "c", 0); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("finished update claimed again: %v", err)
	}
	if fresh, _ := record(ctx, s, 7, 42, payload); fresh {
		t.Fatal("finished update accepted again")
	}
}

// Payloads the Bot API delivers for forged callback data: a NUL byte (the
// JSON escape \u0000) and raw bytes that are not UTF-8 (written as they
// came). encoding/json accepts both; JSONB refuses both. They are kept as
// raw bytes, done and rejected, and hold nobody back (security review,
// finding 1).
func TestUnstorableUpdateIsRecordedRejected(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	for i, raw := range [][]byte{
		[]byte(`{"update_id":1,"callback_query":{"id":"1","from":{"id":5,"is_bot":false,"first_name":"M"},"chat_instance":"1","data":"pj:v:\u0000"}}`),
		append(append([]byte(`{"update_id":2,"callback_query":{"id":"2","from":{"id":5,"is_bot":false,"first_name":"M"},"chat_instance":"1","data":"pj:`), 0xff, 0xfe), []byte(`"}}`)...),
	} {
		id := int64(i + 1)
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("payload %d: encoding/json refuses it (%v), so the case is not the one Telegram sends", id, err)
		}
		_, err := record(ctx, s, id, 5, raw)
		if !errors.Is(err, storage.ErrUnstorable) {
			t.Fatalf("payload %d: RecordUpdate error %v, want ErrUnstorable", id, err)
		}
		if fresh, err := s.RecordRejectedUpdate(ctx, id, 5, raw); err != nil || !fresh {
			t.Fatalf("payload %d: record rejected: fresh=%v err=%v", id, fresh, err)
		}
		if fresh, err := s.RecordRejectedUpdate(ctx, id, 5, raw); err != nil || fresh {
			t.Fatalf("payload %d: replay of a rejected update counted as fresh=%v err=%v", id, fresh, err)
		}
		var kept []byte
		var outcome string
		if err := s.Pool().QueryRow(ctx, `SELECT raw, outcome FROM inbound_updates WHERE update_id = $1 AND done_at IS NOT NULL`,
			id).Scan(&kept, &outcome); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(kept, raw) || outcome != string(storage.OutcomeRejected) {
			t.Fatalf("payload %d: kept %q as %q", id, kept, outcome)
		}
	}
	// Nothing of them is left to claim, and the same user's next update
	// is not held back.
	if fresh, err := record(ctx, s, 3, 5, []byte(`{"update_id":3}`)); err != nil || !fresh {
		t.Fatal(fresh, err)
	}
	c, err := s.ClaimNextUpdate(ctx, "a", time.Minute, time.Minute, 0)
	if err != nil || c.UpdateID != 3 {
		t.Fatalf("claimed %+v, %v; want the next update 3", c, err)
	}
	// A database that is away is not the content's fault: that error must
	// not be mistaken for ErrUnstorable, or the update would be dropped.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := record(cancelled, s, 4, 5, []byte(`{"update_id":4}`)); err == nil || errors.Is(err, storage.ErrUnstorable) {
		t.Fatalf("transient failure reported as %v", err)
	}
}

// TestClaimNextKeepsEachUsersOrder: only a user's oldest undone update can
// be claimed, by anyone; other users' updates are claimed beside it.
func TestClaimNextKeepsEachUsersOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	record := func(id, user int64) {
		t.Helper()
		if fresh, err := record(ctx, s, id, user, []byte(fmt.Sprintf(`{"update_id":%d}`, id))); err != nil || !fresh {
			t.Fatal(fresh, err)
		}
	}
	claim := func(owner string, lease time.Duration) int64 {
		t.Helper()
		c, err := s.ClaimNextUpdate(ctx, owner, lease, time.Minute, 0)
		if errors.Is(err, storage.ErrNotFound) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return c.UpdateID
	}
	record(1, 100)
	record(2, 100)
	record(3, 200)
	record(4, 0) // no user: no order to keep
	if got := claim("a", time.Hour); got != 1 {
		t.Fatalf("first claim got %d, want 1", got)
	}
	if got := claim("b", time.Hour); got != 3 {
		t.Fatalf("second claim got %d, want 3 (update 2 waits for its user's update 1)", got)
	}
	if got := claim("b", time.Hour); got != 4 {
		t.Fatalf("third claim got %d, want 4", got)
	}
	if got := claim("c", time.Hour); got != 0 {
		t.Fatalf("claimed %d while every user's oldest update is leased", got)
	}
	if _, err := s.ClaimUpdate(ctx, 2, "c", time.Hour); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("update 2 claimed by id before its user's update 1 is done: %v", err)
	}
	if err := s.FinishUpdate(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got := claim("c", time.Hour); got != 2 {
		t.Fatalf("after update 1 was done the claim got %d, want 2", got)
	}

	for _, id := range []int64{2, 3, 4} {
		if err := s.FinishUpdate(ctx, id); err != nil {
			t.Fatal(err)
		}
	}

	// A worker that died holds its user back only until the lease ends.
	record(5, 300)
	record(6, 300)
	if got := claim("dead", time.Hour); got != 5 {
		t.Fatalf("claim got %d, want 5", got)
	}
	c, err := s.ClaimNextUpdate(ctx, "heir", 0, time.Minute, 0)
	if err != nil || c.UpdateID != 5 || c.Attempts != 2 || c.UserID != 300 {
		t.Fatalf("expired lease taken over as %+v, %v; want update 5, attempt 2, user 300", c, err)
	}
	if ok, err := s.RenewUpdate(ctx, 5, "dead"); err != nil || ok {
		t.Fatalf("the dead worker renewed a lease it lost: %v %v", ok, err)
	}
	if ok, err := s.RenewUpdate(ctx, 5, "heir"); err != nil || !ok {
		t.Fatalf("the holder could not renew its lease: %v %v", ok, err)
	}
	if err := s.CloseUpdate(ctx, 5, storage.OutcomeThrottled); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishUpdate(ctx, 5); err != nil {
		t.Fatal(err)
	}
	var outcome string
	if err := s.Pool().QueryRow(ctx, `SELECT outcome FROM inbound_updates WHERE update_id = 5`).Scan(&outcome); err != nil ||
		outcome != string(storage.OutcomeThrottled) {
		t.Fatalf("outcome %q (%v): a done update must keep its first outcome", outcome, err)
	}
	if ok, err := s.RenewUpdate(ctx, 5, "heir"); err != nil || ok {
		t.Fatalf("a done update's lease renewed: %v %v", ok, err)
	}
	if got := claim("c", time.Hour); got != 6 {
		t.Fatalf("claim got %d, want 6", got)
	}
}

// TestClaimNextCountsRecentUpdates: Recent is the number of the user's
// updates received within the window before the claimed one, up to the
// limit asked for; the intake's rate limit reads it.
func TestClaimNextCountsRecentUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	for id := int64(1); id <= 5; id++ {
		if _, err := record(ctx, s, id, 9, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := record(ctx, s, 6, 10, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	var got []int
	for range 6 {
		c, err := s.ClaimNextUpdate(ctx, "a", time.Minute, time.Hour, 3)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c.Recent)
		if err := s.FinishUpdate(ctx, c.UpdateID); err != nil {
			t.Fatal(err)
		}
	}
	if want := []int{0, 1, 2, 3, 3, 0}; !slices.Equal(got, want) {
		t.Fatalf("recent counts %v, want %v", got, want)
	}
	if _, err := record(ctx, s, 7, 9, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if c, err := s.ClaimNextUpdate(ctx, "a", time.Minute, 0, 3); err != nil || c.Recent != 0 {
		t.Fatalf("an empty window counted %d (%v)", c.Recent, err)
	}
}

// TestConcurrentClaimsKeepOrderAndExclusivity: many workers of several
// instances claim at once; every update is claimed once, and no user ever
// has two updates in hand at the same time or one out of order.
func TestConcurrentClaimsKeepOrderAndExclusivity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	const users, each = 8, 12
	id := int64(0)
	for range each {
		for u := int64(1); u <= users; u++ {
			id++
			if _, err := record(ctx, s, id, u, []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
		}
	}
	var (
		mu      sync.Mutex
		holding = map[int64]bool{}
		last    = map[int64]int64{}
		claimed = map[int64]int{}
		wg      sync.WaitGroup
	)
	// take claims a worker's next updates: half the workers claim one at
	// a time and mark it done on its own, the others mark done what they
	// finished and claim up to three more in one round trip.
	take := func(w int, owner string, done []int64) ([]storage.ClaimedUpdate, error) {
		if w%2 == 0 {
			for _, id := range done {
				if err := s.FinishUpdate(ctx, id); err != nil {
					return nil, err
				}
			}
			c, err := s.ClaimNextUpdate(ctx, owner, time.Hour, time.Minute, 0)
			if errors.Is(err, storage.ErrNotFound) {
				return nil, nil
			}
			return []storage.ClaimedUpdate{c}, err
		}
		closed := make([]storage.ClosedUpdate, len(done))
		for i, id := range done {
			closed[i] = storage.ClosedUpdate{UpdateID: id, Outcome: storage.OutcomeHandled}
		}
		return s.CloseAndClaim(ctx, closed, owner, time.Hour, time.Minute, 0, 3)
	}
	for w := range 12 {
		wg.Go(func() {
			owner := fmt.Sprintf("instance-%d", w%3)
			var done []int64
			for {
				cs, err := take(w, owner, done)
				if err != nil {
					t.Error(err)
					return
				}
				done = nil
				if len(cs) == 0 {
					mu.Lock()
					n := len(claimed)
					mu.Unlock()
					if n == users*each {
						return
					}
					continue
				}
				mu.Lock()
				for _, c := range cs {
					if holding[c.UserID] {
						t.Errorf("user %d has two updates in hand (claimed %d)", c.UserID, c.UpdateID)
					}
					if c.UpdateID < last[c.UserID] {
						t.Errorf("user %d: update %d claimed after %d", c.UserID, c.UpdateID, last[c.UserID])
					}
					holding[c.UserID], last[c.UserID] = true, c.UpdateID
					claimed[c.UpdateID]++
				}
				mu.Unlock()
				time.Sleep(3 * time.Millisecond) // handling
				// Let go before the updates are done: once one is, the
				// user's next one may be claimed at once, before this
				// worker would get to say so.
				mu.Lock()
				for _, c := range cs {
					holding[c.UserID] = false
					done = append(done, c.UpdateID)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for id := int64(1); id <= users*each; id++ {
		if claimed[id] != 1 {
			t.Errorf("update %d claimed %d times", id, claimed[id])
		}
	}
}

func TestRecordUpdatesBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	if _, err := record(ctx, s, 11, 5, []byte(`{"update_id":11}`)); err != nil {
		t.Fatal(err)
	}
	fresh, err := s.RecordUpdates(ctx, []storage.NewUpdate{
		{UpdateID: 10, UserID: 5, Payload: []byte(`{"update_id":10}`)},
		{UpdateID: 11, UserID: 5, Payload: []byte(`{"update_id":11}`)},
		{UpdateID: 12, UserID: 0, Payload: []byte(`{"update_id":12}`)},
	}, storage.RateLimit{})
	_, fresh10 := fresh[10]
	_, fresh11 := fresh[11]
	_, fresh12 := fresh[12]
	if err != nil || !fresh10 || fresh11 || !fresh12 || len(fresh) != 2 {
		t.Fatalf("fresh %v, err %v; want 10 and 12 fresh, 11 a replay", fresh, err)
	}
	// One refused content refuses the whole batch: nothing of it is stored.
	_, err = s.RecordUpdates(ctx, []storage.NewUpdate{
		{UpdateID: 13, UserID: 5, Payload: []byte(`{"update_id":13}`)},
		{UpdateID: 14, UserID: 5, Payload: []byte(`{"update_id":14,"x":"\u0000"}`)},
	}, storage.RateLimit{})
	if !errors.Is(err, storage.ErrUnstorable) {
		t.Fatalf("err %v, want ErrUnstorable", err)
	}
	if fresh, err := record(ctx, s, 13, 5, []byte(`{"update_id":13}`)); err != nil || !fresh {
		t.Fatalf("update 13 of the refused batch was stored: fresh=%v err=%v", fresh, err)
	}
	c, err := s.ClaimNextUpdate(ctx, "a", time.Minute, time.Minute, 10)
	if err != nil || c.UpdateID != 10 || c.UserID != 5 {
		t.Fatalf("claimed %+v, %v; want update 10 of user 5 first", c, err)
	}
}

// record stores one update without a rate limit and reports whether it
// was fresh.
func record(ctx context.Context, s *storage.Store, id, user int64, payload []byte) (fresh bool, err error) {
	got, err := s.RecordUpdates(ctx, []storage.NewUpdate{{UpdateID: id, UserID: user, Payload: payload}}, storage.RateLimit{})
	_, fresh = got[id]
	return fresh, err
}

// TestRecordUpdatesDropsAFloodOnArrival: updates that come when their
// user has already sent more than the limit within the window are stored
// done and throttled, without their payload, and never claimed; the one
// that reaches the limit stays, to tell its user, and others are not
// touched.
func TestRecordUpdatesDropsAFloodOnArrival(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	lim := storage.RateLimit{Max: 3, Window: time.Minute}
	batch := func(user int64, ids ...int64) []storage.NewUpdate {
		var out []storage.NewUpdate
		for _, id := range ids {
			out = append(out, storage.NewUpdate{UpdateID: id, UserID: user, Payload: []byte(fmt.Sprintf(`{"update_id":%d}`, id))})
		}
		return out
	}
	got, err := s.RecordUpdates(ctx, append(batch(5, 1, 2, 3, 4, 5, 6), batch(6, 7, 8)...), lim)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]storage.Outcome{1: "", 2: "", 3: "", 4: "", 5: storage.OutcomeThrottled, 6: storage.OutcomeThrottled, 7: "", 8: ""}
	if !maps.Equal(got, want) {
		t.Fatalf("recorded %v, want %v", got, want)
	}
	// The next batch counts what is stored: user 5 is over, user 6 not yet.
	got, err = s.RecordUpdates(ctx, append(batch(5, 9), batch(6, 10, 11, 12)...), lim)
	want = map[int64]storage.Outcome{9: storage.OutcomeThrottled, 10: "", 11: "", 12: storage.OutcomeThrottled}
	if err != nil || !maps.Equal(got, want) {
		t.Fatalf("recorded %v, %v; want %v", got, err, want)
	}
	// Without a limit nothing is dropped.
	got, err = s.RecordUpdates(ctx, batch(5, 13), storage.RateLimit{})
	if err != nil || !maps.Equal(got, map[int64]storage.Outcome{13: ""}) {
		t.Fatalf("recorded %v, %v without a limit", got, err)
	}
	// Workers get the kept ones only, each user's in order; the fourth of
	// user 5 is the one at the limit (Recent 3).
	var claimed []int64
	recent := map[int64]int{}
	for {
		c, err := s.ClaimNextUpdate(ctx, "w", time.Minute, lim.Window, lim.Max+1)
		if errors.Is(err, storage.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		claimed, recent[c.UpdateID] = append(claimed, c.UpdateID), c.Recent
		if err := s.CloseUpdate(ctx, c.UpdateID, storage.OutcomeHandled); err != nil {
			t.Fatal(err)
		}
	}
	if want := []int64{1, 2, 3, 4, 7, 8, 10, 11, 13}; !slices.Equal(claimed, want) {
		t.Fatalf("claimed %v, want %v", claimed, want)
	}
	if recent[4] != 3 || recent[3] != 2 || recent[11] != 3 {
		t.Fatalf("recent counts %v: want 4 → 3, 3 → 2, 11 → 3", recent)
	}
}

// TestCloseAndClaim: several updates are claimed in one statement, one
// per user, oldest first; closing a user's update and claiming in the same
// round trip gives the same user's next update at once.
func TestCloseAndClaim(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	s := storage.New(pool)
	// Users 5 (three updates), 6 and 7 (one each).
	for _, u := range []struct{ id, user int64 }{{1, 5}, {2, 5}, {3, 6}, {4, 5}, {5, 7}} {
		if _, err := record(ctx, s, u.id, u.user, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(cs []storage.ClaimedUpdate) []int64 {
		var ids []int64
		for _, c := range cs {
			ids = append(ids, c.UpdateID)
		}
		return ids
	}
	cs, err := s.ClaimUpdates(ctx, "w", time.Minute, time.Minute, 0, 2)
	if err != nil || !slices.Equal(ids(cs), []int64{1, 3}) {
		t.Fatalf("claimed %v, %v; want the two oldest heads, 1 and 3", ids(cs), err)
	}
	cs, err = s.ClaimUpdates(ctx, "x", time.Minute, time.Minute, 0, 10)
	if err != nil || !slices.Equal(ids(cs), []int64{5}) {
		t.Fatalf("claimed %v, %v; want 5 only: user 5's next waits for update 1", ids(cs), err)
	}
	cs, err = s.CloseAndClaim(ctx, []storage.ClosedUpdate{{UpdateID: 1, Outcome: storage.OutcomeHandled},
		{UpdateID: 3, Outcome: storage.OutcomeThrottled}}, "w", time.Minute, time.Minute, 0, 10)
	if err != nil || !slices.Equal(ids(cs), []int64{2}) || cs[0].Attempts != 1 || cs[0].UserID != 5 {
		t.Fatalf("close and claim: %+v, %v; want update 2", cs, err)
	}
	cs, err = s.CloseAndClaim(ctx, []storage.ClosedUpdate{{UpdateID: 2, Outcome: storage.OutcomeHandled},
		{UpdateID: 5, Outcome: storage.OutcomeHandled}}, "w", time.Minute, time.Minute, 0, 10)
	if err != nil || !slices.Equal(ids(cs), []int64{4}) {
		t.Fatalf("close and claim: %v, %v; want update 4", ids(cs), err)
	}
	if cs, err := s.CloseAndClaim(ctx, []storage.ClosedUpdate{{UpdateID: 4, Outcome: storage.OutcomeRejected}},
		"w", time.Minute, time.Minute, 0, 10); err != nil || len(cs) != 0 {
		t.Fatalf("nothing left, got %v, %v", ids(cs), err)
	}
	rows, err := pool.Query(ctx, `SELECT outcome FROM inbound_updates WHERE done_at IS NOT NULL AND payload IS NULL ORDER BY update_id`)
	if err != nil {
		t.Fatal(err)
	}
	outcomes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || !slices.Equal(outcomes, []string{"handled", "handled", "throttled", "rejected", "handled"}) {
		t.Fatalf("outcomes %v, %v", outcomes, err)
	}
	// The planner settings the intake's batches run with hold for their
	// own transaction only.
	if err := s.CloseUpdates(ctx, []storage.ClosedUpdate{{UpdateID: 4, Outcome: storage.OutcomeHandled}}); err != nil {
		t.Fatal(err)
	}
	conns := pool.AcquireAllIdle(ctx)
	if len(conns) == 0 {
		t.Fatal("no idle connection to check")
	}
	for _, c := range conns {
		var changed []string
		err := c.QueryRow(ctx, `SELECT coalesce(array_agg(name), '{}') FROM pg_settings
			WHERE name LIKE 'enable%' AND current_setting(name) <> reset_val`).Scan(&changed)
		c.Release()
		if err != nil || len(changed) > 0 {
			t.Fatalf("after claims and closes the connection has changed settings %v (%v)", changed, err)
		}
	}
}

// TestReleaseUpdates: an update given back by its owner is claimed by
// another at once, without counting the first claim as an attempt; an
// update another owner holds or one that is done stays as it is.
func TestReleaseUpdates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	for _, id := range []int64{1, 2} {
		if _, err := record(ctx, s, id, id, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	if cs, err := s.ClaimUpdates(ctx, "a", time.Hour, time.Minute, 0, 1); err != nil || len(cs) != 1 || cs[0].UpdateID != 1 {
		t.Fatalf("claimed %+v, %v", cs, err)
	}
	if cs, err := s.ClaimUpdates(ctx, "b", time.Hour, time.Minute, 0, 1); err != nil || len(cs) != 1 || cs[0].UpdateID != 2 {
		t.Fatalf("claimed %+v, %v", cs, err)
	}
	if err := s.ReleaseUpdates(ctx, "a", []int64{1, 2}); err != nil {
		t.Fatal(err)
	}
	cs, err := s.ClaimUpdates(ctx, "c", time.Hour, time.Minute, 0, 10)
	if err != nil || len(cs) != 1 || cs[0].UpdateID != 1 || cs[0].Attempts != 1 {
		t.Fatalf("after the release: claimed %+v, %v; want update 1 at its first attempt (2 is b's)", cs, err)
	}
	if err := s.CloseUpdate(ctx, 1, storage.OutcomeHandled); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseUpdates(ctx, "c", []int64{1}); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.ClaimUpdates(ctx, "d", 0, time.Minute, 0, 10); err != nil || len(cs) != 1 || cs[0].UpdateID != 2 {
		t.Fatalf("claimed %+v, %v; want only 2 (its lease of zero ran out), not the done update 1", cs, err)
	}
}

// TestClaimCarriesTheUsersRow: a claim reads the row of each update's
// user, and TouchUser takes it from there (no second read) while the
// update's profile is the stored one; a changed profile, or a private
// chat marked inactive, still goes to the database.
func TestClaimCarriesTheUsersRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	s := storage.New(pool)
	jonas := storage.TelegramProfile{ID: 21, FirstName: "Jonas", LanguageCode: "de", InPrivate: true}
	if _, err := s.TouchUser(ctx, jonas); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ id, user int64 }{{1, 21}, {2, 22}} { // 22 is not stored yet
		if _, err := record(ctx, s, u.id, u.user, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := s.ClaimUpdates(ctx, "w", time.Minute, time.Minute, 0, 10)
	if err != nil || len(cs) != 2 {
		t.Fatalf("claimed %+v, %v", cs, err)
	}
	if cs[1].Known != nil {
		t.Errorf("a user not stored came with a row")
	}
	known := storage.WithClaim(ctx, cs[0])
	// Changed after the claim: a TouchUser that read again would see it.
	if _, err := pool.Exec(ctx, `UPDATE users SET language = 'uk' WHERE id = 21`); err != nil {
		t.Fatal(err)
	}
	if u, err := s.TouchUser(known, jonas); err != nil || u.ID != 21 || u.Language != "" || u.FirstName != "Jonas" {
		t.Fatalf("unchanged profile: %+v, %v; want the row as claimed", u, err)
	}
	renamed := jonas
	renamed.LastName = "Weber"
	if u, err := s.TouchUser(known, renamed); err != nil || u.LastName != "Weber" || u.Language != "uk" {
		t.Fatalf("changed profile: %+v, %v; want the row written and read", u, err)
	}

	// A chat marked inactive comes off the list when its user writes in
	// private, even with the row in hand.
	if _, err := pool.Exec(ctx, `INSERT INTO delivery_inactive (chat_id, reason) VALUES (21, 'blocked')`); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseUpdates(ctx, []storage.ClosedUpdate{{UpdateID: 1, Outcome: storage.OutcomeHandled}}); err != nil {
		t.Fatal(err)
	}
	if _, err := record(ctx, s, 3, 21, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	cs, err = s.ClaimUpdates(ctx, "w", time.Minute, time.Minute, 0, 10)
	if err != nil || len(cs) != 1 || cs[0].Known == nil {
		t.Fatalf("claimed %+v, %v", cs, err)
	}
	if _, err := s.TouchUser(storage.WithClaim(ctx, cs[0]), renamed); err != nil {
		t.Fatal(err)
	}
	var inactive bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM delivery_inactive WHERE chat_id = 21)`).Scan(&inactive); err != nil || inactive {
		t.Fatalf("chat still inactive after its user wrote (%v)", err)
	}
}

// TestGenericPlansWalkIndexes: statements that run many times a second
// with generic plans, kept by each connection, walk indexes only under
// their planner settings, whatever the statistics say. Here the tables are
// empty and never analyzed, as when a connection cached the generic claim
// plan that read every pending update once per candidate (a bitmap scan
// inside a nested loop, quadratic in a backlog).
func TestGenericPlansWalkIndexes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, settings, prepare, execute string
		// walks is an index the plan must walk.
		walks string
	}{
		{"claim", storage.IntakePlans, `PREPARE s(text, interval, interval, int, int) AS ` + storage.ClaimSQL,
			`EXECUTE s('w', '2 minutes', '10 seconds', 21, 16)`, "Index Scan using inbound_updates_pending_idx"},
		{"user write", storage.UserWriteSettings, `PREPARE s(bigint, text, text, text, text, boolean) AS ` + storage.WriteUserSQL,
			`EXECUTE s(7, 'olena', 'Olena', '', 'uk', true)`, "Index Scan using users_pkey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			pool := testdb.New(t)
			tx, err := pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			for _, sql := range []string{tt.settings, `SET LOCAL plan_cache_mode = force_generic_plan`, tt.prepare} {
				if _, err := tx.Exec(ctx, sql); err != nil {
					t.Fatal(err)
				}
			}
			rows, err := tx.Query(ctx, `EXPLAIN `+tt.execute)
			if err != nil {
				t.Fatal(err)
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			plan := strings.Join(lines, "\n")
			for _, node := range []string{"Bitmap", "Hash", "Sort", "Seq Scan", "Merge"} {
				if strings.Contains(plan, node) {
					t.Errorf("the plan has a %s node:\n%s", node, plan)
				}
			}
			if !strings.Contains(plan, tt.walks) {
				t.Errorf("the plan has no %s:\n%s", tt.walks, plan)
			}
		})
	}
}
