package delivery_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"partnerbot/delivery"
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
