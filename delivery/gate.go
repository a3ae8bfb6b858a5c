package delivery

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// countMargin widens the window the gate counts in, for the error of its
// estimate of when a request reached Telegram (at most how much the
// fastest round trip seen took longer than the fastest way there plus the
// fastest way back, well under a millisecond here). Every millisecond of
// it costs a thousandth of the rate once the pace is saturated.
const countMargin = 2 * time.Millisecond

// sendGate is the last step before a message leaves this instance. The
// shared pace hands out send slots that never hold more than the rate in
// a window, but a slot is only a promise: a worker wakes when the machine
// lets it, and a request reaches Telegram when the network and the other
// side let it. A send that is late then lands in the same second as the
// ones after it, which are on time; a pause of 100 ms put 1,290 messages in
// one second at 1,000/s. The gate therefore counts the moments sends
// actually happen and lets a send through only when
//
//   - its slot has come (never before: the slot is what the pace agreed),
//   - fewer than limit sends of this instance may have reached Telegram
//     within the last window (how that is known: below); the shared pace
//     is held by one instance at a time, so these are all the sends,
//     but for the last ones of the previous holder (see lateGrace),
//   - this instance's previous send to the chat is at least a chat spacing
//     past (chatSpacing) by the same count.
//
// When a send is held back its slot is not lost: the sends behind it catch
// up as soon as the window has room again, so a stall costs no throughput
// unless it is longer than the window. That holds while no other instance
// waits for the pace; in the last window of a turn that another instance
// waits for, a send goes at most lateGrace past its slot, else asks for a
// new one (see lateGrace).
//
// When a request reached Telegram is known only to lie between its start
// and its answer. A send counts as "may have reached Telegram" from its
// start until its answer minus the shortest round trip seen lately before
// it (until its answer when none was seen yet): a round trip that takes
// longer than usual may have spent the extra on the way there. A constant network delay shifts every send alike and changes
// no window, so it costs nothing, while a request held up on its way still
// counts until its answer shows it arrived.
type sendGate struct {
	limit int // most sends in any window
	// window is the limit's window; counted is that plus countMargin.
	window, counted time.Duration
	// slotSpan is the span of limit consecutive slots of the shared pace:
	// a slot older than that plus lag no longer counts (errSlotExpired).
	slotSpan time.Duration
	// base is the origin of every instant below (monotonic); clock reads
	// the time since (tests replace it).
	base  time.Time
	clock func() time.Duration

	mu   sync.Mutex
	ends []time.Duration // when finished sends may last have reached Telegram, sorted
	// inflight counts sends started and not yet answered: they may reach
	// Telegram at any moment.
	inflight int
	chats    map[int64]*chatSends
	queue    []*gateWaiter // sends whose slot has come, held back, in slot order
	timer    *time.Timer
	rtt      shortestRTT
	// lag is how long a send counts past its start, on average lately:
	// the sends of a window count for window+lag each, so a slot is kept
	// as much longer, or a machine whose sends all take longer than the
	// slack would see its slots expire.
	lag    time.Duration
	pruned time.Duration // when chats was last pruned
	// wakeAt is when the timer next lets waiting sends through, or -1.
	wakeAt time.Duration
	// turnEnd is when this instance's turn of the shared pace ends:
	// turnUnbounded while no other instance waits for it, turnNone when
	// it does not hold the pace.
	turnEnd time.Duration
}

// Values of sendGate.turnEnd.
const (
	turnUnbounded = time.Duration(1<<63 - 1)
	turnNone      = time.Duration(-1 << 63)
)

// chatSends is what the gate remembers of one chat.
type chatSends struct {
	inflight int
	end      time.Duration // when the last finished send may have reached Telegram
}

type gateWaiter struct {
	slot  time.Duration
	chat  int64
	ready chan *gateTicket // receives the ticket when admitted, nil when the slot expired
}

// gateTicket is a send the gate let through. Exactly one of done and
// abandon must follow; answered may come before done.
type gateTicket struct {
	g     *sendGate
	chat  int64
	start time.Duration
	once  sync.Once
}

// newSendGate makes the gate for slots of the shared pace gap apart. Its
// limit is what the pace promises: as many sends in a second as slots fit
// in a second widened by windowSlack (the rate); below one a second, one
// in the time a slot stands for.
func newSendGate(gap time.Duration) *sendGate {
	g := &sendGate{base: time.Now(), chats: map[int64]*chatSends{}}
	if span := time.Second + windowSlack; gap <= span {
		g.limit, g.window = int(span/gap), time.Second
	} else {
		g.limit, g.window = 1, time.Duration(float64(gap)*float64(time.Second)/float64(span))
	}
	g.counted = g.window + countMargin
	g.slotSpan = time.Duration(g.limit) * gap
	g.clock = func() time.Duration { return time.Since(g.base) }
	g.timer = time.AfterFunc(time.Hour, g.wake)
	g.timer.Stop()
	g.wakeAt = -1
	g.turnEnd = turnUnbounded
	return g
}

// setTurnEnd records when this instance's turn of the shared pace ends,
// as the last reservation said.
func (g *sendGate) setTurnEnd(end time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.turnEnd = end
	g.pumpLocked()
}

func (g *sendGate) now() time.Duration { return g.clock() }

// at turns an instant of this machine's clock into the gate's.
func (g *sendGate) at(t time.Time) time.Duration { return t.Sub(g.base) }

// errSlotExpired: a send waited so long that its slot left the window; it
// needs a new one.
var errSlotExpired = errors.New("send slot expired")

// enter waits until a send to chat whose slot is at may go, and returns
// its ticket, or errSlotExpired.
func (g *sendGate) enter(ctx context.Context, at time.Time, chat int64) (*gateTicket, error) {
	return g.wait(ctx, g.offer(g.at(at), chat))
}

// offer queues a send whose slot is slot and lets through what may go.
func (g *sendGate) offer(slot time.Duration, chat int64) *gateWaiter {
	w := &gateWaiter{slot: slot, chat: chat, ready: make(chan *gateTicket, 1)}
	g.mu.Lock()
	defer g.mu.Unlock()
	i, _ := slices.BinarySearchFunc(g.queue, w.slot, func(q *gateWaiter, s time.Duration) int { return cmpDuration(q.slot, s) })
	g.queue = slices.Insert(g.queue, i, w)
	g.pumpLocked()
	return w
}

// wait waits for w's turn.
func (g *sendGate) wait(ctx context.Context, w *gateWaiter) (*gateTicket, error) {
	select {
	case t := <-w.ready:
		if t == nil {
			return nil, errSlotExpired
		}
		return t, nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	if i := slices.Index(g.queue, w); i >= 0 {
		g.queue = slices.Delete(g.queue, i, i+1)
		g.mu.Unlock()
		return nil, ctx.Err()
	}
	g.mu.Unlock()
	// Admitted meanwhile: give the turn back.
	if t := <-w.ready; t != nil {
		t.abandon()
	}
	return nil, ctx.Err()
}

// answered records that the first byte of the answer came now: the
// request reached Telegram before. It is safe to call from any goroutine
// (the HTTP client's, see Engine.deliver), and sooner than the worker gets
// to run again on a busy machine.
func (t *gateTicket) answered() {
	t.once.Do(func() { t.g.finish(t, true) })
}

// done records that the send is over. Without an answer seen, the request
// may have reached Telegram until now.
func (t *gateTicket) done() {
	t.once.Do(func() { t.g.finish(t, false) })
}

func (g *sendGate) finish(t *gateTicket, answered bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	end := now
	if answered {
		// Only round trips seen before tell how long the way back may be
		// at least: with none, this request's own would say it arrived as
		// it started, and the first request of all (a new connection, a
		// cold server) is the one most likely to have been slow on its way.
		if rtt, ok := g.rtt.shortest(); ok {
			end = max(t.start, now-min(rtt, now-t.start))
		}
		g.rtt.observe(now-t.start, now)
	}
	g.lag += (end - t.start - g.lag) / 32
	g.inflight--
	g.ends = insertSorted(g.ends, end)
	c := g.chats[t.chat]
	c.inflight--
	c.end = max(c.end, end)
	g.pumpLocked()
}

// abandon gives back a turn that was not used: the message was not sent.
func (t *gateTicket) abandon() {
	t.once.Do(func() {
		g := t.g
		g.mu.Lock()
		defer g.mu.Unlock()
		g.inflight--
		g.chats[t.chat].inflight--
		g.pumpLocked()
	})
}

func (g *sendGate) wake() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pumpLocked()
}

// pumpLocked lets through, in slot order, every waiting send that may go
// now, and sets the timer for when the next one may.
func (g *sendGate) pumpLocked() {
	if len(g.queue) == 0 {
		g.wakeAt = -1
		return
	}
	now := g.now()
	g.pruneLocked(now)
	next := time.Duration(-1)
	later := func(t time.Duration) {
		if next < 0 || t < next {
			next = t
		}
	}
	for i := 0; i < len(g.queue); {
		w := g.queue[i]
		if w.slot > now {
			later(w.slot)
			break // the rest come later still
		}
		if w.slot <= now-g.expireSpan() || now-w.slot > lateGrace && now > g.catchUpUntil() {
			// Its slot no longer counts in the window, or it is late and
			// the window it would land in reaches into another instance's
			// turn: sending now would take a send that belongs to newer
			// slots, perhaps another instance's. It asks the shared pace
			// again.
			g.queue = slices.Delete(g.queue, i, i+1)
			w.ready <- nil
			continue
		}
		if wait := g.busyLocked(now); wait != 0 {
			if wait > 0 {
				later(now + wait)
			}
			break // the window is full for every chat alike
		}
		c := g.chats[w.chat]
		if c != nil && c.inflight > 0 {
			i++ // its answer pumps again
			continue
		}
		if c != nil && c.end+chatSpacing(w.chat) > now {
			later(c.end + chatSpacing(w.chat))
			i++
			continue
		}
		if c == nil {
			c = &chatSends{end: -1 << 62}
			g.chats[w.chat] = c
		}
		c.inflight++
		g.inflight++
		g.queue = slices.Delete(g.queue, i, i+1)
		w.ready <- &gateTicket{g: g, chat: w.chat, start: now}
	}
	g.wakeAt = next
	if next >= 0 {
		g.timer.Reset(next - now + time.Microsecond)
	}
}

// busyLocked reports 0 if one more send fits the window now; otherwise
// how long until it may (the oldest counted send leaves the window), or
// -1 if only an answer can change that.
func (g *sendGate) busyLocked(now time.Duration) time.Duration {
	if g.inflight+len(g.ends) < g.limit {
		return 0
	}
	if len(g.ends) == 0 {
		return -1
	}
	return max(g.ends[0]+g.counted-now, 1)
}

// lateGrace is how late past its slot a send may still go when its
// window reaches into another instance's turn of the shared pace. Sends
// that catch up later than that are bought with slots of an earlier
// second, which the gate of the other instance, counting only its own
// sends, cannot see: together the two would put more than the rate into
// a second. The pace leaves turnGuard between two holders' slots, and
// windowSlack in every second, for sends at most lateGrace late and the
// jitter of their way to Telegram.
const lateGrace = 25 * time.Millisecond

// catchUpUntil is the last moment a send may catch up on a slot more
// than lateGrace past: a window before the end of this instance's turn,
// so that no window holding a late send holds a send of the next holder.
func (g *sendGate) catchUpUntil() time.Duration {
	if g.turnEnd == turnUnbounded || g.turnEnd == turnNone {
		return g.turnEnd
	}
	return g.turnEnd - g.window
}

// maxLag bounds lag.
const maxLag = 500 * time.Millisecond

// expireSpan is how late a send may be past its slot before the slot
// expires.
func (g *sendGate) expireSpan() time.Duration { return g.slotSpan + min(max(g.lag, 0), maxLag) }

// pruneLocked forgets sends that left the window and chats whose last send is long past.
func (g *sendGate) pruneLocked(now time.Duration) {
	n := 0
	for n < len(g.ends) && g.ends[n] <= now-g.counted {
		n++
	}
	g.ends = slices.Delete(g.ends, 0, n)
	if now-g.pruned > time.Minute {
		g.pruned = now
		for id, c := range g.chats {
			if c.inflight == 0 && c.end+groupGap < now {
				delete(g.chats, id)
			}
		}
	}
}

// shortestRTT is the shortest round trip of the last minute or two.
type shortestRTT struct {
	cur, prev time.Duration // shortest of this period and of the one before
	since     time.Duration // when this period began
	seen      bool
}

// observe adds a round trip that ended at now.
func (r *shortestRTT) observe(d, now time.Duration) {
	switch {
	case !r.seen:
		r.cur, r.prev, r.since, r.seen = d, d, now, true
	case now-r.since > time.Minute:
		r.prev, r.cur, r.since = r.cur, d, now
	default:
		r.cur = min(r.cur, d)
	}
}

// shortest is the shortest round trip observed, if any was.
func (r *shortestRTT) shortest() (time.Duration, bool) { return min(r.cur, r.prev), r.seen }

func insertSorted(s []time.Duration, v time.Duration) []time.Duration {
	i := len(s)
	for i > 0 && s[i-1] > v {
		i--
	}
	return slices.Insert(s, i, v)
}

func cmpDuration(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
