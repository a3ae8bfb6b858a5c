// Package testclock is a clock for tests of code with an injected clock:
// it runs like the real clock from a time the test sets, and jumps when
// the test sets another. A running clock (rather than a frozen one) keeps
// timeouts and leases of libraries such as River working, while a test
// still reaches next week at once.
package testclock

import (
	"sync/atomic"
	"time"
)

// Clock is safe for concurrent use.
type Clock struct{ offset atomic.Int64 }

// New starts a clock at at.
func New(at time.Time) *Clock {
	c := &Clock{}
	c.Set(at)
	return c
}

// Now is the clock's time.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Set moves the clock to at, forwards or back.
func (c *Clock) Set(at time.Time) { c.offset.Store(int64(time.Until(at))) }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }
