package delivery_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"partnerbot/delivery"
	"partnerbot/internal/faketelegram"
)

// TestGivingUpReportsFailed: a message whose last attempt fails (River
// then discards the job) is reported as failed, so that nobody counts it
// as still pending; one that fails before its last attempt is not.
func TestGivingUpReportsFailed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.chats(51, 52)
	var mu sync.Mutex
	got := map[int64][]string{}
	r := delivery.WithOutcomes{Kinds: notes(), Outcomes: map[string]delivery.OutcomeFunc{
		"note": func(_ context.Context, m delivery.Message, o delivery.Outcome) error {
			mu.Lock()
			defer mu.Unlock()
			got[m.ChatID] = append(got[m.ChatID], o.Result)
			return nil
		}}}
	in := e.start(startOpts{renderer: r})
	due := e.clock.Now().Add(time.Hour)
	last := delivery.Message{ChatID: 51, Kind: "note", Ref: 1, DueAt: due}
	e.schedule(in.engine, last)
	// Its earlier attempts failed already: the next is its last.
	if _, err := e.pool.Exec(context.Background(),
		`UPDATE river_job SET attempt = max_attempts - 1 WHERE (args->>'chat_id')::bigint = 51`); err != nil {
		t.Fatal(err)
	}
	e.fake.FailNext("sendMessage", faketelegram.Fault{Code: http.StatusInternalServerError})
	e.clock.Advance(2 * time.Hour)
	e.eventually("the job is given up", func() bool { return e.job(51).State == "discarded" })
	mu.Lock()
	if r := got[51]; len(r) != 1 || r[0] != delivery.ResultFailed {
		t.Errorf("outcomes %v, want one %q", r, delivery.ResultFailed)
	}
	mu.Unlock()

	// With attempts left, a failure is retried and only the send reported.
	e.fake.FailNext("sendMessage", faketelegram.Fault{Code: http.StatusInternalServerError})
	e.schedule(in.engine, e.note(52, 2))
	e.fake.ExpectMessages(t, 52, 1)
	e.settled()
	mu.Lock()
	defer mu.Unlock()
	if r := got[52]; len(r) != 1 || r[0] != delivery.ResultSent {
		t.Errorf("outcomes %v, want one %q", r, delivery.ResultSent)
	}
	if n := e.callsTo(52); n != 2 {
		t.Errorf("%d calls to the retried chat, want 2 (500, ok)", n)
	}
	if n := e.callsTo(51); n != 1 || len(e.fake.Sent(51)) != 0 {
		t.Errorf("%d calls and %d messages to the given-up chat, want 1 call and none", n, len(e.fake.Sent(51)))
	}
}
