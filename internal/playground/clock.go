package playground

import (
	"sync"
	"time"
)

// Clock is the playground's time: the real time plus an offset the page
// moves forward ("+1 hour", "+1 day"). It runs like the real clock between
// moves, so the bot's and River's timeouts and leases keep working. The
// bot and the delivery engine read it through instance.Config.Now.
type Clock struct {
	mu    sync.Mutex
	moves []move // in order; the offset before the first is zero
}

// move is one change of the offset: from real time at on, it is offset.
type move struct {
	at     time.Time
	offset time.Duration
}

// Now is the playground time.
func (c *Clock) Now() time.Time {
	now := time.Now()
	return now.Add(c.offsetAt(now))
}

// Offset is how far the clock is ahead of the real time.
func (c *Clock) Offset() time.Duration { return c.offsetAt(time.Now()) }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	off := time.Duration(0)
	if n := len(c.moves); n > 0 {
		off = c.moves[n-1].offset
	}
	c.moves = append(c.moves, move{at: time.Now(), offset: off + d})
}

// At is the playground time at the real instant t, e.g. when a message
// was sent, for the page to show the time the clock showed then.
func (c *Clock) At(t time.Time) time.Time { return t.Add(c.offsetAt(t)) }

func (c *Clock) offsetAt(t time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.moves) - 1; i >= 0; i-- {
		if !c.moves[i].at.After(t) {
			return c.moves[i].offset
		}
	}
	return 0
}
