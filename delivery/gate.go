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
//     within the last window (how that is known: below), and fewer than
//     this instance's own slots of the last window (widened by lag, below),
//     so that several instances together stay about within the slots they
//     were given,
//   - this instance's previous send to the chat is at least a chat spacing
//     past (chatSpacing) by the same count.
//
// When a send is held back its slot is not lost: the sends behind it catch
// up as soon as the window has room again, so a stall costs no throughput
// unless it is longer than the window. That holds for an instance that
// has the pace to itself; one that shares it sends at most lateGrace
// past a slot, else asks for a new one (see lateGrace).
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
	// slotSpan is the span of limit consecutive slots of the shared pace.
	// This instance's own slots count as far back as that plus lag.
	slotSpan time.Duration
	// base is the origin of every instant below (monotonic); clock reads
	// the time since (tests replace it).
	base  time.Time
	clock func() time.Duration

	mu    sync.Mutex
	slots []time.Duration // own slots, sorted; those older than slotSpan+maxLag are dropped
	ends  []time.Duration // when finished sends may last have reached Telegram, sorted
	// inflight counts sends started and not yet answered: they may reach
	// Telegram at any moment.
	inflight int
	chats    map[int64]*chatSends
	queue    []*gateWaiter // sends whose slot has come, held back, in slot order
	timer    *time.Timer
	rtt      shortestRTT
	// lag is how long a send counts past its start, on average lately:
	// the sends of a window count for window+lag each, so the slots that
	// allow them are counted over as long, or a machine whose sends all
	// take longer than the slack would fall behind its own slots.
	lag    time.Duration
	pruned time.Duration // when chats was last pruned
	// wakeAt is when the timer next lets waiting sends through, or -1.
	wakeAt time.Duration
}

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
	return g
}

func (g *sendGate) now() time.Duration { return g.clock() }

// at turns an instant of this machine's clock into the gate's.
func (g *sendGate) at(t time.Time) time.Duration { return t.Sub(g.base) }

// addSlots records slots the shared pace gave this instance.
func (g *sendGate) addSlots(ts []time.Time) {
	if len(ts) == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, t := range ts {
		g.slots = insertSorted(g.slots, g.at(t))
	}
}

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
		if w.slot <= now-g.budgetSpan() || now-w.slot > lateGrace && !g.aloneLocked(now) {
			// Its slot no longer counts in the window, or it is late while
			// other instances share the pace: sending now would take a
			// turn that belongs to newer slots, perhaps another
			// instance's. It asks the shared pace again.
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
// how long until it may (the oldest counted send leaves the window, or
// another own slot comes), or -1 if only an answer can change that.
func (g *sendGate) busyLocked(now time.Duration) time.Duration {
	slotsNow, _ := slices.BinarySearch(g.slots, now+1)
	counted, _ := slices.BinarySearch(g.slots, now-g.budgetSpan()+1)
	budget := min(g.limit, slotsNow-counted)
	if g.inflight+len(g.ends) < budget {
		return 0
	}
	wait := time.Duration(-1)
	if len(g.ends) > 0 {
		wait = g.ends[0] + g.counted - now
	}
	if budget < g.limit && slotsNow < len(g.slots) {
		if s := g.slots[slotsNow] - now; wait < 0 || s < wait {
			wait = s
		}
	}
	if wait == 0 {
		wait = 1
	}
	return wait
}

// lateGrace is how late past its slot a send may still go while other
// instances share the pace. A send that catches up later lands in a
// second whose slots the other instances are using as well: this
// instance's sends of that second were bought with slots of an earlier
// one, so two instances catching up after a stall (or one, beside
// another on time) put more than the rate into a second, which the
// window each gate counts in cannot see. Sends at most lateGrace late
// stay within the slots of a window widened by less than the pace's
// slack (windowSlack), which holds no more than the rate.
const lateGrace = windowSlack - countMargin

// aloneLocked tells whether this instance seems to have the pace to
// itself: its slots of the last window follow one another without a gap
// another instance's slots could fill. Then a late send may catch up,
// since the limit alone keeps every second within the rate.
func (g *sendGate) aloneLocked(now time.Duration) bool {
	from, _ := slices.BinarySearch(g.slots, now-g.slotSpan+1)
	to, _ := slices.BinarySearch(g.slots, now+1)
	if to == from {
		return false
	}
	hole := g.slotSpan / time.Duration(g.limit) * 3 / 2
	for k := from + 1; k < to; k++ {
		if g.slots[k]-g.slots[k-1] > hole {
			return false
		}
	}
	return true
}

// maxLag bounds lag.
const maxLag = 500 * time.Millisecond

// budgetSpan is how far back this instance's own slots count.
func (g *sendGate) budgetSpan() time.Duration { return g.slotSpan + min(max(g.lag, 0), maxLag) }

// pruneLocked forgets sends that left the window, slots that no longer
// count, and chats whose last send is long past.
func (g *sendGate) pruneLocked(now time.Duration) {
	n := 0
	for n < len(g.ends) && g.ends[n] <= now-g.counted {
		n++
	}
	g.ends = slices.Delete(g.ends, 0, n)
	n = 0
	for n < len(g.slots) && g.slots[n] <= now-g.slotSpan-maxLag {
		n++
	}
	g.slots = slices.Delete(g.slots, 0, n)
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
