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
//	go test -run '^$' -bench BenchmarkDelivery -benchtime 1x -timeout 30m ./delivery/
//
// Reported: achieved rate as a fraction of the configured one (from the
// due instant to the last message Telegram accepted), duplicates, lost
// messages, 429 answers, and lateness (accepted minus due) percentiles.
func BenchmarkDelivery(b *testing.B) {
	for _, tc := range []load{
		{name: "50000_chats_at_1000_per_s", messages: 50000, chats: 50000, rate: 1000, workers: 500},
		{name: "600_messages_100_chats_at_30_per_s_telegram_limits", messages: 600, chats: 100, rate: 30, workers: 100, limits: true},
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
	rate            float64
	workers         int
	limits          bool // the fake server enforces Telegram's flood limits
}

func (l load) run(b *testing.B) {
	e := newEnv(b)
	e.fake.SetRateLimits(l.limits)
	for c := range int64(l.chats) {
		e.chats(10_000_000 + c)
	}
	in := e.start(startOpts{systemClock: true, log: testLogger(b, slog.LevelWarn),
		cfg: delivery.Config{Rate: l.rate, Workers: l.workers}})

	// All due at once, a little after the last insert.
	lead := 5*time.Second + time.Duration(l.messages/2000)*time.Second
	due := time.Now().Add(lead).Truncate(time.Second)
	ms := make([]delivery.Message, l.messages)
	for i := range ms {
		ms[i] = delivery.Message{ChatID: 10_000_000 + int64(i%l.chats), Kind: "note", Ref: int64(i), DueAt: due}
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

	limit := time.Until(due) + time.Duration(float64(l.messages)/l.rate*2*float64(time.Second)) + time.Minute
	deadline := time.Now().Add(limit)
	for countOK(e.fake.Calls("sendMessage")) < l.messages && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	e.settled()

	type key struct {
		chat string
		text string
	}
	seen := map[key]int{}
	var late []time.Duration
	var at []time.Time
	for _, c := range e.fake.Calls("sendMessage") {
		if c.Status != http.StatusOK {
			continue
		}
		seen[key{c.Params["chat_id"], c.Params["text"]}]++
		late = append(late, c.Time.Sub(due))
		at = append(at, c.Time)
	}
	slices.SortFunc(at, time.Time.Compare)
	last := at[len(at)-1]
	// tightest is the shortest time in which rate+1 messages went out:
	// under a second means one window held more than the rate.
	per := int(l.rate)
	tightest := time.Duration(1<<63 - 1)
	for k := 0; k+per < len(at); k++ {
		tightest = min(tightest, at[k+per].Sub(at[k]))
	}
	dups, lost := 0, 0
	for _, m := range ms {
		n := seen[key{strconv.FormatInt(m.ChatID, 10), fmt.Sprintf("note %d.0", m.Ref)}]
		if n == 0 {
			lost++
		} else {
			dups += n - 1
		}
	}
	slices.Sort(late)
	pct := func(p float64) time.Duration {
		if len(late) == 0 {
			return 0
		}
		return late[min(len(late)-1, int(p*float64(len(late))))]
	}
	achieved := float64(len(late)) / last.Sub(due).Seconds()
	tooMany := e.fake.TooManyRequestsCount()
	b.ReportMetric(achieved/l.rate, "rate_fraction")
	b.ReportMetric(float64(dups), "duplicates")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(float64(tooMany), "429s")
	b.ReportMetric(float64(pct(0.50).Milliseconds()), "p50_late_ms")
	b.ReportMetric(float64(pct(0.99).Milliseconds()), "p99_late_ms")
	b.ReportMetric(float64(tightest.Microseconds())/1000, "tightest_window_ms")
	b.Logf("%d messages to %d chats at %.0f/s (workers %d, Telegram limits %v): inserted in %v; "+
		"achieved %.1f/s = %.3f of the rate; duplicates %d, lost %d, 429 answers %d; "+
		"lateness p50 %v, p95 %v, p99 %v, max %v; the fastest %d messages in a row took %v",
		l.messages, l.chats, l.rate, l.workers, l.limits, inserted.Round(time.Millisecond),
		achieved, achieved/l.rate, dups, lost, tooMany,
		pct(0.50).Round(time.Millisecond), pct(0.95).Round(time.Millisecond), pct(0.99).Round(time.Millisecond),
		pct(1).Round(time.Millisecond), per+1, tightest.Round(time.Millisecond))
}
