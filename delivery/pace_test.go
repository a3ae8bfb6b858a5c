package delivery

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"partnerbot/internal/testdb"
)

// TestGapsKeepTelegramsLimits: the spacing the shared pace uses, per
// chat and overall, keeps every window within Telegram's limits.
func TestGapsKeepTelegramsLimits(t *testing.T) {
	for _, tc := range []struct {
		name   string
		gap    time.Duration
		n      int           // n slots in a row, one gap apart, ...
		atMost time.Duration // ... must not fit in this (the limit's window)
		within time.Duration // ... and fit in this (throughput)
	}{
		{"private chat, 1 a second", chatGap(42), 2, time.Second, 1100 * time.Millisecond},
		{"group, 20 a minute", chatGap(-42), 21, time.Minute, 61 * time.Second},
		{"supergroup, 20 a minute", chatGap(-1001234567890), 21, time.Minute, 61 * time.Second},
		{"overall at 30/s", globalGap(30), 31, time.Second, 1030 * time.Millisecond},
		{"overall at 1000/s", globalGap(1000), 1001, time.Second, 1030 * time.Millisecond},
		{"overall at 0.5/s", globalGap(0.5), 2, 2 * time.Second, 2100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if span := time.Duration(tc.n-1) * tc.gap; span < tc.atMost || span > tc.within {
				t.Errorf("%d slots %v apart span %v; want at least %v (the limit) and at most %v", tc.n, tc.gap, span, tc.atMost, tc.within)
			}
		})
	}
	// What the gate holds real sends to: at least the limit, and no more
	// than the slots' gap.
	for _, tc := range []struct {
		chat          int64
		least, atMost time.Duration
	}{{42, time.Second, chatGap(42)}, {-42, 3 * time.Second, chatGap(-42)}} {
		if got := chatSpacing(tc.chat); got < tc.least || got > tc.atMost {
			t.Errorf("chatSpacing(%d) = %v, want %v to %v", tc.chat, got, tc.least, tc.atMost)
		}
	}
	for _, tc := range []struct {
		rate   float64
		limit  int
		window time.Duration
	}{{1000, 1000, time.Second}, {30, 30, time.Second}, {20.5, 20, time.Second}, {0.5, 1, 2 * time.Second}} {
		g := newSendGate(globalGap(tc.rate))
		if g.limit != tc.limit || g.window < tc.window-time.Microsecond || g.window > tc.window+time.Microsecond {
			t.Errorf("gate at %v/s: %d in %v, want %d in %v", tc.rate, g.limit, g.window, tc.limit, tc.window)
		}
	}
}

// manualClock stands still until the test moves it.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type reserved struct {
	slot    time.Time
	chat    int64
	engine  int
	batch   int // the reservation call that gave it
	askedAt time.Time
}

// TestReservedSlotsHoldTheRateInEveryWindow lets the pacers of two
// engines reserve slots on one database at the same time, batch after
// batch, while an injected clock moves on by uneven steps (shorter than
// the horizon, so that batches meet a pace ahead of the clock, and longer,
// so that it falls behind), and a 429 pauses everything once. Every
// reserved slot, across both engines and all batches, is then checked:
// the engines hold the pace in turns with a guard between them, no second
// holds more than the rate, no chat more than its limit, no slot
// lies in the past or, once the pause began, within it.
func TestReservedSlotsHoldTheRateInEveryWindow(t *testing.T) {
	t.Parallel()
	for _, rate := range []float64{1000, 30} {
		t.Run(fmt.Sprintf("%.0f per second", rate), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			pool := testdb.New(t)
			clock := &manualClock{t: time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)}
			pacers := []*pacer{newPacer(pool, rate, clock), newPacer(pool, rate, clock)}
			rnd := rand.New(rand.NewPCG(14, uint64(rate)))
			// Enough private chats that their limit of one a second does
			// not cap the rate; three groups, asked for often.
			groups := []int64{-7, -8, -1001234567890}
			var private []int64
			for c := range int64(rate * 3) {
				private = append(private, 100+c)
			}
			chat := func() int64 {
				if rnd.IntN(10) == 0 {
					return groups[rnd.IntN(len(groups))]
				}
				return private[rnd.IntN(len(private))]
			}
			maxAsk := int(rate*horizon.Seconds()) + 20

			var got []reserved
			job := int64(0)
			var pauseFrom, pauseTo time.Time
			// Enough rounds (a quarter second each on average) for the
			// pace to change hands twice.
			rounds := int(5*turnBlock/(2*horizon)) + 20
			for round := range rounds {
				if round == rounds/2 {
					pauseFrom = clock.Now()
					pauseTo = pauseFrom.Add(1500 * time.Millisecond)
					if err := pacers[1].pause(ctx, 1500*time.Millisecond); err != nil {
						t.Fatal(err)
					}
				}
				// Both engines reserve a batch at once.
				var mu sync.Mutex
				var wg sync.WaitGroup
				for i, p := range pacers {
					qs := make([]paceReq, 1+rnd.IntN(maxAsk))
					for k := range qs {
						job++
						qs[k] = paceReq{job: job, chat: chat()}
					}
					asked := clock.Now()
					batch := round*len(pacers) + i
					wg.Go(func() {
						ans, err := p.reserve(ctx, qs)
						if err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						defer mu.Unlock()
						for k, a := range ans {
							if a.verdict == "go" {
								got = append(got, reserved{slot: a.slot, chat: qs[k].chat, engine: i, batch: batch, askedAt: asked})
							}
						}
					})
				}
				wg.Wait()
				if t.Failed() {
					return
				}
				// Steps from a tenth of the horizon to twice it, in whole
				// microseconds as PostgreSQL keeps time.
				clock.Advance((horizon/10 + time.Duration(rnd.Int64N(int64(2*horizon)))).Truncate(time.Microsecond))
			}

			slices.SortFunc(got, func(a, b reserved) int { return a.slot.Compare(b.slot) })
			byEngine := map[int]int{}
			crossings, switches := 0, 0
			for k, r := range got {
				byEngine[r.engine]++
				if r.slot.Before(r.askedAt) || r.slot.After(r.askedAt.Add(horizon)) {
					t.Errorf("slot %v given at %v: want between then and the horizon", r.slot, r.askedAt)
				}
				if !r.askedAt.Before(pauseFrom) && r.slot.Before(pauseTo) {
					t.Errorf("slot %v given at %v, after the pause from %v to %v began", r.slot, r.askedAt, pauseFrom, pauseTo)
				}
				if k > 0 && got[k-1].batch != r.batch {
					crossings++
				}
				if k > 0 && got[k-1].engine != r.engine {
					switches++
					if d := r.slot.Sub(got[k-1].slot); d < pacers[0].gap+turnGuard-time.Microsecond {
						t.Errorf("engine %d's slot %v came %v after engine %d's; want a gap and the guard between turns",
							r.engine, r.slot, d, got[k-1].engine)
					}
				}
			}
			t.Logf("%d slots, %v per engine; neighbouring slots from different batches %d times, engines %d times",
				len(got), byEngine, crossings, switches)
			if crossings < rounds/2 || switches < 2 {
				t.Fatal("the test did not exercise two engines across batches")
			}
			n := int(rate)
			for k := 0; k+n < len(got); k++ {
				if d := got[k+n].slot.Sub(got[k].slot); d < time.Second {
					t.Fatalf("%d slots within %v (%v to %v; engines %d and %d, batches %d and %d): more than %v in one second",
						n+1, d, got[k].slot, got[k+n].slot, got[k].engine, got[k+n].engine, got[k].batch, got[k+n].batch, rate)
				}
			}
			perChat := map[int64][]time.Time{}
			for _, r := range got {
				perChat[r.chat] = append(perChat[r.chat], r.slot)
			}
			for chat, slots := range perChat {
				// Telegram allows one a second to a private chat, 20 a
				// minute to a group, which the pace spaces evenly.
				least := time.Second
				if chat < 0 {
					least = time.Minute / 20
				}
				for k := 1; k < len(slots); k++ {
					if d := slots[k].Sub(slots[k-1]); d < least {
						t.Errorf("chat %d: two slots %v apart, want at least %v", chat, d, least)
					}
				}
			}
			for _, g := range groups {
				if len(perChat[g]) < 3 {
					t.Errorf("group %d got %d slots: the test did not exercise groups", g, len(perChat[g]))
				}
			}
		})
	}
}

// TestClockSyncIsNeverEarlyNorJumps maps the database's clock from round
// trips of uneven length: a slot never lands before the instant the
// database meant, and a tighter sample moves later slots earlier only by
// maxSlew of the time passed, so that the slots of consecutive batches are
// not brought closer than the pace spaced them.
func TestClockSyncIsNeverEarlyNorJumps(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	base := time.Now()
	offset := 3*time.Hour + 7*time.Millisecond // this machine's clock minus the database's
	var c clockSync
	probe := func(local time.Time) time.Time { return local.Add(-offset).Add(10 * time.Second) } // a db instant ahead
	var last, lastReceived time.Time                                                             // where the probe mapped before, and when
	sent := base
	for k := range 2000 {
		// One call at a time, as the batch loop makes them.
		sent = sent.Add(50 * time.Millisecond)
		rtt := time.Duration(rnd.ExpFloat64() * float64(5*time.Millisecond))
		if k%100 == 0 {
			rtt = 80 * time.Millisecond
		}
		read := sent.Add(time.Duration(rnd.Float64() * float64(rtt))) // when the database read its clock
		received := sent.Add(rtt)
		c.observe(received, read.Add(-offset))
		sent = received

		for _, db := range []time.Time{read.Add(-offset), probe(base)} {
			if got, truth := c.local(db), db.Add(offset); got.Before(truth) {
				t.Fatalf("sample %d: db %v maps to %v, %v before it", k, db, got, truth.Sub(got))
			}
		}
		p := c.local(probe(base))
		if since := received.Sub(lastReceived); k > 0 && last.Sub(p) > since/100+time.Microsecond {
			t.Fatalf("sample %d: the mapping moved %v earlier in %v", k, last.Sub(p), since)
		}
		last, lastReceived = p, received
	}
	if d := c.local(probe(base)).Sub(probe(base).Add(offset)); d > 5*time.Millisecond {
		t.Errorf("after 100 s of samples the mapping is still %v late", d)
	}
}
