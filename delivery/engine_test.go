package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/internal/faketelegram"
)

func TestSendsAtTheScheduledTimeOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.chats(11)
	in := e.start(startOpts{})
	due := e.clock.Now().Add(time.Hour)
	m := delivery.Message{ChatID: 11, Kind: "note", Ref: 7, Variant: 2, DueAt: due}
	e.schedule(in.engine, m)
	// Scheduling the same message again adds nothing.
	if inserted, err := in.engine.Schedule(context.Background(), m); err != nil || inserted {
		t.Fatalf("second Schedule: inserted %v, err %v; want a duplicate", inserted, err)
	}
	if got := e.job(11); got.State != "scheduled" || !got.Schedule.Equal(due.Truncate(time.Microsecond)) {
		t.Fatalf("job %+v, want scheduled at %v", got, due)
	}

	e.clock.Advance(time.Hour)
	msgs := e.fake.ExpectMessages(t, 11, 1)
	e.settled()
	if len(e.fake.Sent(11)) != 1 || msgs[0].Text != "note 7.2" || msgs[0].ParseMode != "HTML" {
		t.Fatalf("sent %+v, want one HTML message \"note 7.2\"", e.fake.Sent(11))
	}
}

func TestScheduleTxFollowsTheTransaction(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.chats(21)
	in := e.start(startOpts{})
	ctx := context.Background()
	rollback := errors.New("rollback")
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		if _, err := in.engine.ScheduleTx(ctx, tx, e.note(21, 1)); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	e.schedule(in.engine, e.note(21, 2))
	e.fake.ExpectMessages(t, 21, 1)
	e.settled()
	if sent := e.fake.Sent(21); len(sent) != 1 || sent[0].Text != "note 2.0" {
		t.Fatalf("sent %+v, want only the committed message", sent)
	}
}

func TestTooManyRequestsSnoozesWithoutUsingAnAttempt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.chats(31)
	e.fake.FailNext("sendMessage", faketelegram.Fault{Code: http.StatusTooManyRequests, RetryAfter: 1})
	in := e.start(startOpts{})
	e.schedule(in.engine, e.note(31, 1))
	e.fake.ExpectMessages(t, 31, 1)
	e.settled()
	if calls := e.callsTo(31); calls != 2 {
		t.Errorf("%d sendMessage calls, want 2 (429, then delivered)", calls)
	}
	if n := len(e.fake.Sent(31)); n != 1 {
		t.Errorf("%d messages delivered, want 1", n)
	}
	if n := e.fake.TooManyRequestsCount(); n != 1 {
		t.Errorf("%d answers 429, want 1", n)
	}
	if j := e.job(31); j.State != "completed" || j.Attempt != 1 || j.Snoozes != 1 {
		t.Errorf("job %+v, want completed on attempt 1 after one snooze", j)
	}
	// The 429 paused the shared pace.
	var pausedTill time.Time
	if err := e.pool.QueryRow(context.Background(), `SELECT next_at FROM delivery_pace`).Scan(&pausedTill); err != nil {
		t.Fatal(err)
	}
	if first := e.fake.Calls("sendMessage")[0].Time; pausedTill.Before(first.Add(time.Second - 100*time.Millisecond)) {
		t.Errorf("shared pace free from %v, want paused for retry_after after the 429 at %v", pausedTill, first)
	}
}

func TestServerErrorsAreRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.chats(41)
	e.fake.FailNext("sendMessage", faketelegram.Fault{Code: http.StatusInternalServerError})
	e.fake.FailNext("sendMessage", faketelegram.Fault{Code: http.StatusBadGateway,
		RawBody: "<html><body><h1>502 Bad Gateway</h1></body></html>"})
	in := e.start(startOpts{})
	e.schedule(in.engine, e.note(41, 1))
	// The first retry comes after about a second, the second after about
	// 16: move the clock instead of waiting.
	if _, err := e.fake.WaitForCalls(context.Background(), "sendMessage", 2, waitLong); err != nil {
		t.Fatal(err)
	}
	e.eventually("the second failure is recorded", func() bool { return e.job(41).State == "retryable" })
	e.clock.Advance(time.Minute)
	e.fake.ExpectMessages(t, 41, 1)
	e.settled()
	if calls, sent := e.callsTo(41), len(e.fake.Sent(41)); calls != 3 || sent != 1 {
		t.Errorf("%d calls and %d messages, want 3 calls (500, 502, ok) and 1 message", calls, sent)
	}
	if j := e.job(41); j.State != "completed" || j.Attempt != 3 {
		t.Errorf("job %+v, want completed on attempt 3", j)
	}
}

func TestGoneChatsAreMarkedInactive(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		gone    int64
		blocked bool
	}{
		{"blocked the bot (403)", 51, true},
		{"chat not found (400)", 51, false},
		{"kicked from the group (403)", -5100, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			gone, other := tc.gone, int64(52)
			if tc.blocked {
				e.fake.BlockChat(gone)
			}
			e.chats(other)
			in := e.start(startOpts{})
			e.schedule(in.engine, e.note(gone, 1))
			e.settled()
			if j := e.job(gone); j.State != "cancelled" || j.Attempt != 1 {
				t.Fatalf("job %+v, want cancelled after one attempt", j)
			}
			var reason string
			if err := e.pool.QueryRow(context.Background(), `SELECT reason FROM delivery_inactive WHERE chat_id = $1`, gone).Scan(&reason); err != nil {
				t.Fatalf("chat not marked inactive: %v", err)
			}

			// Later messages to the chat are not even tried.
			e.schedule(in.engine, e.note(gone, 2), e.note(other, 3))
			e.fake.ExpectMessages(t, other, 1)
			e.settled()
			if calls := e.callsTo(gone); calls != 1 {
				t.Errorf("%d calls to the inactive chat, want 1", calls)
			}
			if j := e.job(gone); j.State != "completed" {
				t.Errorf("job to the inactive chat %+v, want completed without sending", j)
			}

			// Once they write to the bot again, which takes the chat off
			// the list (storage.TouchUser), messages go to them again.
			e.fake.UnblockChat(gone)
			e.chats(gone)
			if _, err := e.pool.Exec(context.Background(), `DELETE FROM delivery_inactive WHERE chat_id = $1`, gone); err != nil {
				t.Fatal(err)
			}
			e.schedule(in.engine, e.note(gone, 4))
			if msgs := e.fake.ExpectMessages(t, gone, 1); msgs[0].Text != "note 4.0" {
				t.Errorf("after reactivation got %q", msgs[0].Text)
			}
		})
	}
}

func TestUnparsableHTMLIsNotRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.chats(61)
	in := e.start(startOpts{})
	e.schedule(in.engine, delivery.Message{ChatID: 61, Kind: "bad"})
	e.settled()
	if j := e.job(61); j.State != "cancelled" || j.Attempt != 1 {
		t.Errorf("job %+v, want cancelled after one attempt", j)
	}
	if calls := e.callsTo(61); calls != 1 {
		t.Errorf("%d calls, want 1", calls)
	}
	var inactive bool
	if err := e.pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM delivery_inactive)`).Scan(&inactive); err != nil || inactive {
		t.Errorf("a markup bug marked the chat inactive (%v)", err)
	}
}

// TestDueWhileDownSentOnlyIfStillRelevant: reminders that fell due while
// no instance ran go out late if their event has not started, and are
// dropped if it has.
func TestDueWhileDownSentOnlyIfStillRelevant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.chats(71, 72)
	now := e.clock.Now()
	starts := map[int64]time.Time{1: now.Add(2 * time.Hour), 2: now.Add(20 * time.Minute)}
	events := delivery.Kinds{"reminder": func(_ context.Context, m delivery.Message) (delivery.Rendered, error) {
		if !e.clock.Now().Before(starts[m.Ref]) {
			return delivery.Rendered{}, fmt.Errorf("event %d has started: %w", m.Ref, delivery.ErrDrop)
		}
		return delivery.Rendered{Text: fmt.Sprintf("event %d soon", m.Ref)}, nil
	}}
	// Scheduled by an instance that then went away.
	first := e.start(startOpts{renderer: events})
	e.schedule(first.engine,
		delivery.Message{ChatID: 71, Kind: "reminder", Ref: 1, DueAt: now.Add(10 * time.Minute)},
		delivery.Message{ChatID: 72, Kind: "reminder", Ref: 2, DueAt: now.Add(10 * time.Minute)})
	first.stop(t)

	e.clock.Advance(30 * time.Minute)
	e.start(startOpts{renderer: events})
	e.fake.ExpectMessages(t, 71, 1)
	e.settled()
	if n := e.callsTo(72); n != 0 {
		t.Errorf("%d messages about the started event, want 0", n)
	}
	if j := e.job(72); j.State != "completed" {
		t.Errorf("dropped reminder's job %+v, want completed", j)
	}
}

func TestCancelTxRemovesOnlyMatchingPendingMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(startOpts{})
	later := e.clock.Now().Add(24 * time.Hour)
	var ms []delivery.Message
	for chat := int64(81); chat <= 83; chat++ {
		for _, ref := range []int64{1, 2} {
			for _, variant := range []int64{60, 1440} {
				ms = append(ms, delivery.Message{ChatID: chat, Kind: "note", Ref: ref, Variant: variant, DueAt: later})
			}
		}
	}
	e.schedule(in.engine, ms...)
	for _, tc := range []struct {
		f    delivery.Filter
		want int
	}{
		{delivery.Filter{Kind: "note", Ref: 1, ChatID: 81}, 2},
		{delivery.Filter{Kind: "note", Ref: 1, Variant: 60}, 2}, // chats 82, 83
		{delivery.Filter{Kind: "note", Ref: 1}, 2},              // the rest of ref 1
		{delivery.Filter{Kind: "other"}, 0},
		{delivery.Filter{Kind: "note", Ref: 1}, 0},
	} {
		var n int
		err := pgx.BeginFunc(context.Background(), e.pool, func(tx pgx.Tx) (err error) {
			n, err = in.engine.CancelTx(context.Background(), tx, tc.f)
			return err
		})
		if err != nil || n != tc.want {
			t.Errorf("CancelTx(%+v) = %d, %v; want %d", tc.f, n, err, tc.want)
		}
	}
	var left int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE (args->>'ref')::int = 2`).Scan(&left); err != nil || left != 6 {
		t.Errorf("%d messages about ref 2 left (%v), want all 6", left, err)
	}
	if _, err := in.engine.CancelTx(context.Background(), nil, delivery.Filter{}); err == nil {
		t.Error("CancelTx without a kind should fail")
	}
}
