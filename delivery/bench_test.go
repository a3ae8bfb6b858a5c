package delivery_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
)

// BenchmarkDelivery is a load run, not a micro-benchmark: every message is
// due at the same instant, and the engine sends them through the fake Bot
// API at the configured rate. Run it once:
//
//	go test -run '^$' -bench BenchmarkDelivery -benchtime 1x -timeout 60m ./delivery/
//
// Reported: achieved rate as a fraction of the configured one (from the
// due instant to the last message Telegram accepted), duplicates, lost
// messages, 429 answers, lateness (accepted minus due) percentiles, and
// the tightest windows: overall, per private chat and per group. It fails
// on a duplicate, a lost message, a 429 where the fake server enforces
// Telegram's limits, and a window that held more than the limit.
func BenchmarkDelivery(b *testing.B) {
	for _, tc := range []load{
		{name: "50000_chats_at_1000_per_s", messages: 50000, chats: 50000, rate: 1000, workers: 500},
		{name: "600_messages_100_chats_at_30_per_s_telegram_limits", messages: 600, chats: 100, rate: 30, workers: 100, limits: true},
		{name: "10000_messages_1000_chats_25_groups_at_30_per_s_telegram_limits", messages: 10000, chats: 1000, groups: 25, rate: 30, workers: 100, limits: true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				tc.run(b)
			}
		})
	}
}

type load struct {
	name            string
	messages, chats int
	// groups: every tenth message goes to one of this many groups.
	groups  int
	rate    float64
	workers int
	limits  bool // the fake server enforces Telegram's flood limits
}

const (
	benchChat  = 10_000_000
	benchGroup = -1_000_000_000_000 // supergroup ids are -100…
)

// chat is the recipient of message i.
func (l load) chat(i int) int64 {
	if l.groups > 0 && i%10 == 0 {
		return benchGroup - int64(i/10%l.groups)
	}
	return benchChat + int64(i%l.chats)
}

func (l load) run(b *testing.B) {
	e := newEnv(b)
	e.fake.SetRateLimits(l.limits)
	ms := make([]delivery.Message, l.messages)
	for i := range ms {
		ms[i] = delivery.Message{ChatID: l.chat(i), Kind: "note", Ref: int64(i)}
		e.chats(ms[i].ChatID)
	}
	in := e.start(startOpts{systemClock: true, log: testLogger(b, slog.LevelWarn),
		cfg: delivery.Config{Rate: l.rate, Workers: l.workers}})

	// All due at once, a little after the last insert.
	lead := 5*time.Second + time.Duration(l.messages/2000)*time.Second
	due := time.Now().Add(lead).Truncate(time.Second)
	for i := range ms {
		ms[i].DueAt = due
	}
	ctx := context.Background()
	start := time.Now()
	for chunk := range slices.Chunk(ms, 5000) {
		if err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
			_, err := in.engine.ScheduleManyTx(ctx, tx, chunk)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	inserted := time.Since(start)
	if time.Now().After(due) {
		b.Fatalf("inserting %d jobs took %v, past the due time; raise the lead", l.messages, inserted)
	}

	// Polled by counting only: copying the records of tens of thousands of
	// calls under the fake server's lock, as Calls does, held up the
	// sends themselves and bunched them.
	limit := time.Until(due) + time.Duration(float64(l.messages)/l.rate*2*float64(time.Second)) + time.Minute
	deadline := time.Now().Add(limit)
	for e.fake.CallCount("sendMessage")-e.fake.TooManyRequestsCount() < l.messages && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	e.settled()
	r := l.measure(e, ms, due)
	r.report(b, l, inserted)
}

// result is what a run achieved, from the fake server's records.
type result struct {
	accepted, dups, lost, tooMany int
	achieved                      float64 // messages a second
	late                          []time.Duration
	// Tightest windows, from the instants the fake server admitted the
	// messages (where its own flood limits count them): the shortest time
	// in which rate+1 messages in a row went out (under a second means one
	// second held more than the rate), and the same from the instants it
	// answered them.
	tightest, tightestAnswered time.Duration
	// Per chat: the shortest time between two messages to one private
	// chat, and between two to one group; the shortest time in which 21
	// messages in a row went to one group (under a minute: more than 20 in
	// a minute).
	privateGap, groupGap, group21 time.Duration
}

func (l load) measure(e *env, ms []delivery.Message, due time.Time) result {
	var r result
	chats := map[int64]bool{}
	for _, m := range ms {
		chats[m.ChatID] = true
	}
	count := map[string]int{}
	var admitted []time.Time
	const forever = time.Duration(1<<63 - 1)
	r.privateGap, r.groupGap, r.group21 = forever, forever, forever
	for chat := range chats {
		var at []time.Time
		for _, m := range e.fake.Sent(chat) {
			count[strconv.FormatInt(chat, 10)+" "+m.Text]++
			at = append(at, m.Time)
		}
		admitted = append(admitted, at...)
		slices.SortFunc(at, time.Time.Compare)
		for k := 1; k < len(at); k++ {
			if chat < 0 {
				r.groupGap = min(r.groupGap, at[k].Sub(at[k-1]))
			} else {
				r.privateGap = min(r.privateGap, at[k].Sub(at[k-1]))
			}
		}
		if chat < 0 {
			r.group21 = min(r.group21, tightest(at, 21))
		}
	}
	var answered []time.Time
	for _, c := range e.fake.Calls("sendMessage") {
		if c.Status == http.StatusOK {
			answered = append(answered, c.Time)
		}
	}
	slices.SortFunc(admitted, time.Time.Compare)
	slices.SortFunc(answered, time.Time.Compare)
	for _, m := range ms {
		n := count[strconv.FormatInt(m.ChatID, 10)+" "+fmt.Sprintf("note %d.0", m.Ref)]
		if n == 0 {
			r.lost++
		} else {
			r.dups += n - 1
		}
	}
	r.accepted = len(admitted)
	for _, t := range admitted {
		r.late = append(r.late, t.Sub(due))
	}
	slices.Sort(r.late)
	if n := len(admitted); n > 1 {
		// n messages from the due instant on at the rate take (n-1)/rate.
		r.achieved = float64(n-1) / admitted[n-1].Sub(due).Seconds()
	}
	per := int(l.rate) + 1
	r.tightest, r.tightestAnswered = tightest(admitted, per), tightest(answered, per)
	r.tooMany = e.fake.TooManyRequestsCount()
	return r
}

// tightest is the shortest span of n instants in a row of the sorted at.
func tightest(at []time.Time, n int) time.Duration {
	d := time.Duration(1<<63 - 1)
	for k := 0; k+n-1 < len(at); k++ {
		d = min(d, at[k+n-1].Sub(at[k]))
	}
	return d
}

func (r result) pct(p float64) time.Duration {
	if len(r.late) == 0 {
		return 0
	}
	// Nearest rank.
	return r.late[max(0, min(len(r.late)-1, int(p*float64(len(r.late))+0.999999)-1))]
}

func (r result) report(b *testing.B, l load, inserted time.Duration) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(r.achieved/l.rate, "rate_fraction")
	b.ReportMetric(float64(r.dups), "duplicates")
	b.ReportMetric(float64(r.lost), "lost")
	b.ReportMetric(float64(r.tooMany), "429s")
	b.ReportMetric(ms(r.pct(0.50)), "p50_late_ms")
	b.ReportMetric(ms(r.pct(0.99)), "p99_late_ms")
	b.ReportMetric(ms(r.tightest), "tightest_window_ms")
	b.Logf("%d messages to %d private chats and %d groups at %.0f/s (workers %d, Telegram limits %v): inserted in %v; "+
		"achieved %.1f/s = %.3f of the rate; duplicates %d, lost %d, 429 answers %d; "+
		"lateness p50 %v, p95 %v, p99 %v, max %v; the fastest %d messages in a row took %v (admitted), %v (answered)",
		l.messages, l.chats, l.groups, l.rate, l.workers, l.limits, inserted.Round(time.Millisecond),
		r.achieved, r.achieved/l.rate, r.dups, r.lost, r.tooMany,
		r.pct(0.50).Round(time.Millisecond), r.pct(0.95).Round(time.Millisecond), r.pct(0.99).Round(time.Millisecond),
		r.pct(1).Round(time.Millisecond), int(l.rate)+1, r.tightest.Round(time.Microsecond), r.tightestAnswered.Round(time.Microsecond))
	if r.privateGap < time.Hour {
		b.ReportMetric(ms(r.privateGap), "private_gap_ms")
		b.Logf("shortest time between two messages to one private chat: %v", r.privateGap.Round(time.Microsecond))
	}
	if l.groups > 0 {
		b.ReportMetric(ms(r.groupGap), "group_gap_ms")
		b.ReportMetric(ms(r.group21), "group_21_ms")
		b.Logf("shortest time between two messages to one group: %v; the fastest 21 messages in a row to one group took %v",
			r.groupGap.Round(time.Microsecond), r.group21.Round(time.Microsecond))
	}

	if r.dups > 0 || r.lost > 0 {
		b.Errorf("%d duplicates and %d lost messages, want none", r.dups, r.lost)
	}
	if l.limits && r.tooMany > 0 {
		b.Errorf("the fake server answered 429 %d times, want none", r.tooMany)
	}
	if r.tightest < time.Second {
		b.Errorf("%d messages went out within %v: one second held more than the rate %.0f", int(l.rate)+1, r.tightest, l.rate)
	}
	if r.privateGap < time.Second {
		b.Errorf("two messages to one private chat %v apart, want at least a second", r.privateGap)
	}
	if r.groupGap < time.Minute/20 || r.group21 < time.Minute {
		b.Errorf("messages to one group %v apart, 21 within %v; want at least 3s and a minute", r.groupGap, r.group21)
	}
}
