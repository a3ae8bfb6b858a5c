package intake

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// TestUpdateThatNeverFinishesIsGivenUp: an update whose handling was
// started MaxAttempts times and never finished (it brought its instance
// down each time) is given up rather than tried for ever, and its user's
// next update is handled.
func TestUpdateThatNeverFinishesIsGivenUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := storage.New(testdb.New(t))
	if _, err := store.RecordUpdates(ctx, []storage.NewUpdate{{UpdateID: 1, UserID: 5, Payload: []byte(`{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"text":"a"}}`)}}, storage.RateLimit{}); err != nil {
		t.Fatal(err)
	}
	// Three instances claimed it and died.
	for range DefaultMaxAttempts {
		if cs, err := store.ClaimUpdates(ctx, "dead", 0, time.Minute, 0, 1); err != nil || len(cs) != 1 || cs[0].UpdateID != 1 {
			t.Fatalf("claim: %+v %v", cs, err)
		}
	}
	var mu sync.Mutex
	var handled []int64
	in := New(store, func(_ context.Context, u *models.Update) {
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, u.ID)
	}, Config{Owner: "live", Lease: 300 * time.Millisecond, RateLimit: -1,
		KeyOf: func(*models.Update) int64 { return 5 }}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); in.Run(runCtx, 50*time.Millisecond) }()
	defer func() { stop(); <-done }()
	if err := in.Record(ctx, []byte(`{"update_id":2,"message":{"message_id":2,"date":1,"chat":{"id":5,"type":"private"},"text":"b"}}`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := store.Pool().QueryRow(ctx, `SELECT count(*) FROM inbound_updates WHERE done_at IS NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("updates still not done")
		}
		time.Sleep(20 * time.Millisecond)
	}
	var outcome string
	if err := store.Pool().QueryRow(ctx, `SELECT outcome FROM inbound_updates WHERE update_id = 1`).Scan(&outcome); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if outcome != string(storage.OutcomeAbandoned) || len(handled) != 1 || handled[0] != 2 {
		t.Fatalf("update 1 ended %q; handled %v, want update 1 abandoned and only update 2 handled", outcome, handled)
	}
}

// TestRecordBatchKeepsGoodUpdatesBesideARefusedOne: a batch in which
// PostgreSQL refuses one update's content is stored one by one: the
// others are stored for handling, the refused one kept as rejected, an
// undecodable one rejected, and a replayed batch changes nothing.
func TestRecordBatchKeepsGoodUpdatesBesideARefusedOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := storage.New(testdb.New(t))
	in := New(store, func(context.Context, *models.Update) {}, Config{Owner: "a", RateLimit: -1},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	msg := func(id int, text string) []byte {
		return []byte(`{"update_id":` + strconv.Itoa(id) + `,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"text":"` + text + `"}}`)
	}
	batch := [][]byte{msg(1, "a"), msg(2, `b\u0000`), []byte(`{"update_id":3,"message":"no"}`), msg(4, "d")}
	for range 2 {
		if err := in.RecordBatch(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := store.Pool().Query(ctx, `SELECT update_id, coalesce(outcome, ''), payload IS NOT NULL FROM inbound_updates ORDER BY update_id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id int
		var outcome string
		var payload bool
		if err := rows.Scan(&id, &outcome, &payload); err != nil {
			t.Fatal(err)
		}
		got = append(got, strconv.Itoa(id)+":"+outcome+":"+strconv.FormatBool(payload))
	}
	want := []string{"1::true", "2:rejected:false", "3:rejected:false", "4::true"}
	if !slices.Equal(got, want) {
		t.Fatalf("stored %v, want %v", got, want)
	}
}

// TestStoppingInstanceGivesBackClaimsItDidNotStart: the dispatcher claims
// updates ahead for a busy worker, as many as claimedPerWorker allows;
// when the instance stops, the update the worker is on is finished and
// marked done, and those claimed ahead are given back at once, unstarted
// and not counted as attempts, instead of waiting for their leases to run
// out.
func TestStoppingInstanceGivesBackClaimsItDidNotStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := storage.New(testdb.New(t))
	started, release := make(chan int64, claimedPerWorker+1), make(chan struct{})
	var mu sync.Mutex
	var handled []int64
	in := New(store, func(_ context.Context, u *models.Update) {
		started <- u.ID
		<-release
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, u.ID)
	}, Config{Owner: "live", Workers: 1, Lease: time.Minute, RateLimit: -1,
		KeyOf: func(u *models.Update) int64 { return u.Message.Chat.ID }}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); in.Run(runCtx, time.Minute) }()
	defer func() { stop(); <-done }()
	// One update being handled, claimedPerWorker-1 claimed ahead, and the
	// last one left to others.
	last := int64(claimedPerWorker + 1)
	for id := int64(1); id <= last; id++ {
		raw := `{"update_id":` + strconv.FormatInt(id, 10) + `,"message":{"message_id":1,"date":1,"chat":{"id":` +
			strconv.FormatInt(id, 10) + `,"type":"private"},"text":"a"}}`
		if err := in.Record(ctx, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	if id := <-started; id != 1 {
		t.Fatalf("started update %d first, want 1", id)
	}
	claimedBy := func(id int64) (owner string, attempts int, done bool) {
		t.Helper()
		var o *string
		if err := store.Pool().QueryRow(ctx, `SELECT claimed_by, attempts, done_at IS NOT NULL FROM inbound_updates
			WHERE update_id = $1`, id).Scan(&o, &attempts, &done); err != nil {
			t.Fatal(err)
		}
		if o != nil {
			owner = *o
		}
		return owner, attempts, done
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal(what)
			}
		}
	}
	ahead := func(owner string) func() bool {
		return func() bool {
			for id := int64(2); id < last; id++ {
				if o, _, _ := claimedBy(id); o != owner {
					return false
				}
			}
			return true
		}
	}
	waitFor("updates not claimed ahead for the busy worker", ahead("live"))
	if o, _, _ := claimedBy(last); o != "" {
		t.Fatalf("update %d claimed by %q: one worker holds at most %d updates", last, o, claimedPerWorker)
	}
	stop()
	waitFor("updates claimed ahead not given back on stopping", ahead(""))
	close(release)
	<-done
	if _, _, ok := claimedBy(1); !ok {
		t.Error("the update being handled at the stop was not marked done")
	}
	for id := int64(2); id <= last; id++ {
		if o, attempts, ok := claimedBy(id); o != "" || attempts != 0 || ok {
			t.Errorf("update %d: claimed by %q, %d attempts, done %v; want given back unstarted", id, o, attempts, ok)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(handled, []int64{1}) {
		t.Errorf("handled %v, want only update 1", handled)
	}
}
