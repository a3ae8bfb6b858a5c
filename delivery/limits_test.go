package delivery_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"partnerbot/delivery"
	"partnerbot/internal/faketelegram"
)

// TestTelegramLimitsHold sends a burst, all due at once, to two private
// chats and a group through a fake Bot API that enforces Telegram's
// limits, at an overall rate low enough to bind (2 a second, where the
// chats alone would take 2⅓). It runs in real time, about ten seconds:
// the limits are about seconds and a minute, and the pace follows the
// database's clock. The times checked are those at which the fake server
// admitted each message, where its own limits count them.
func TestTelegramLimitsHold(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fake.SetRateLimits(true)
	const rate = 2
	chats := map[int64]int{601: 8, 602: 8, -603: 4}
	want := map[int64][]string{}
	var ms []delivery.Message
	for chat, n := range chats {
		e.chats(chat)
		for i := range int64(n) {
			ms = append(ms, delivery.Message{ChatID: chat, Kind: "note", Ref: i})
			want[chat] = append(want[chat], fmt.Sprintf("note %d.0", i))
		}
	}
	in := e.start(startOpts{cfg: delivery.Config{Rate: rate, Workers: 20}})
	e.schedule(in.engine, ms...)
	e.waitSends(len(ms))
	e.settled()
	e.expectOncePerChat(want)

	if n := e.fake.TooManyRequestsCount(); n != 0 {
		t.Errorf("the fake server answered 429 %d times, want none", n)
	}
	var all []time.Time
	for chat := range chats {
		var at []time.Time
		for _, m := range e.fake.Sent(chat) {
			at = append(at, m.Time)
		}
		slices.SortFunc(at, time.Time.Compare)
		least := time.Second
		if chat < 0 {
			least = 3 * time.Second
		}
		for k := 1; k < len(at); k++ {
			if d := at[k].Sub(at[k-1]); d < least {
				t.Errorf("chat %d: messages %d and %d %v apart, want at least %v", chat, k, k+1, d, least)
			}
		}
		all = append(all, at...)
	}
	slices.SortFunc(all, time.Time.Compare)
	for k := 0; k+rate < len(all); k++ {
		if d := all[k+rate].Sub(all[k]); d < time.Second {
			t.Errorf("%d messages within %v (from the %dth on): more than %d in one second", rate+1, d, k+1, rate)
		}
	}
}

// TestTooManyRequestsPausesEveryInstance: a 429 stops all sending for its
// retry_after, on the instance that got it and on every other one (the
// pause is written to the shared pace). Instance a gets the 429 and
// stops; instance b, started only after it, must not send to anyone
// before the pause has run out, and then sends every message once.
// (Repeated test audit: the pause kept only locally, and a retry_after
// above one second ignored, both passed every other test.)
func TestTooManyRequestsPausesEveryInstance(t *testing.T) {
	t.Parallel()
	const retryAfter = 3 * time.Second
	e := newEnv(t)
	e.chats(701, 702, 703, -704)
	e.fake.FailNext("sendMessage", faketelegram.Fault{Code: http.StatusTooManyRequests, RetryAfter: int(retryAfter / time.Second)})
	a := e.start(startOpts{})
	e.schedule(a.engine, e.note(701, 1))
	// The job is snoozed once the pause is written.
	e.eventually("the 429 is answered and the job snoozed", func() bool { return e.job(701).Snoozes == 1 })
	a.stop(t)
	calls := e.fake.Calls("sendMessage")
	if len(calls) != 1 || calls[0].Status != http.StatusTooManyRequests {
		t.Fatalf("calls before the pause %+v, want one answered 429", calls)
	}
	pausedUntil := calls[0].Time.Add(retryAfter)

	b := e.start(startOpts{})
	e.schedule(b.engine, e.note(702, 1), e.note(703, 1), e.note(-704, 1))
	e.waitSends(4)
	e.settled()
	e.expectOncePerChat(map[int64][]string{701: {"note 1.0"}, 702: {"note 1.0"}, 703: {"note 1.0"}, -704: {"note 1.0"}})
	// The fake server stamps its answers; the pause began when the 429's
	// answer arrived, after that stamp. The clocks of the engine and the
	// database agree within milliseconds.
	const slack = 100 * time.Millisecond
	for _, c := range e.fake.Calls("sendMessage")[1:] {
		if c.Time.Before(pausedUntil.Add(-slack)) {
			t.Errorf("chat %s: sent %v after the 429, want no send within its retry_after of %v",
				c.Params["chat_id"], c.Time.Sub(calls[0].Time), retryAfter)
		}
	}
}
