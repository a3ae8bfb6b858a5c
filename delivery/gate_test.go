package delivery

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// simSend is one message in a simulated run of the gate: when its slot
// is, when its worker really gets there, how long its request takes to
// reach Telegram and its answer to come back.
type simSend struct {
	slot, wake time.Duration
	fwd, back  time.Duration
	chat       int64
	// inst is the instance (gate) that sends it.
	inst int

	w        *gateWaiter
	t        *gateTicket
	answered bool
	expired  int
	// admitted: the gate let it go; arrived: Telegram got it.
	admitted, arrived time.Duration
}

// simPace is the shared pace of a simulated run: when an instance's turn
// ends, as its reservations would tell it, and which new slot it gets for
// a send whose slot expired.
type simPace interface {
	turnEnd(inst int, now time.Duration) time.Duration
	reslot(inst int, now time.Duration) time.Duration
}

// alonePace is the pace of one instance that nobody waits for: a new slot
// comes at the end of the pace.
type alonePace struct{ last, gap time.Duration }

func (p *alonePace) turnEnd(int, time.Duration) time.Duration { return turnUnbounded }

func (p *alonePace) reslot(_ int, now time.Duration) time.Duration {
	p.last += p.gap
	return max(p.last, now)
}

// simulate runs sends through a gate whose clock the test moves from one
// event to the next: workers arriving, answers coming back, the gate's
// own timer. Slots whose sends come too late to use them are replaced by
// new ones at the end of the pace, as the shared pace would give.
func simulate(t *testing.T, rate float64, sends []*simSend) *sendGate {
	t.Helper()
	last := time.Duration(0)
	for _, s := range sends {
		last = max(last, s.slot)
	}
	return simulateInstances(t, rate, 1, sends, &alonePace{last: last, gap: globalGap(rate)})[0]
}

// simulateInstances is simulate with n instances, each with its own gate
// on the one clock; a send goes through the gate of its instance (inst),
// which holds its slot; pace tells the gates their turns and gives new
// slots.
func simulateInstances(t *testing.T, rate float64, n int, sends []*simSend, pace simPace) []*sendGate {
	t.Helper()
	gap := globalGap(rate)
	var now atomic.Int64
	gates := make([]*sendGate, n)
	base := time.Now()
	for i := range gates {
		gates[i] = newSendGate(gap)
		gates[i].base = base
		gates[i].clock = func() time.Duration { return time.Duration(now.Load()) }
	}
	const never = time.Duration(1<<63 - 1)
	for steps := 0; ; steps++ {
		if steps > 100000 {
			t.Fatal("the simulation does not end")
		}
		next := never
		for _, s := range sends {
			switch {
			case s.w == nil:
				next = min(next, s.wake)
			case s.t != nil && !s.answered:
				next = min(next, s.arrived+s.back)
			}
		}
		for _, g := range gates {
			g.mu.Lock()
			if g.wakeAt >= 0 {
				next = min(next, max(g.wakeAt, time.Duration(now.Load())+1))
			}
			g.mu.Unlock()
		}
		if next == never {
			break
		}
		now.Store(int64(next))
		for i, g := range gates {
			g.setTurnEnd(pace.turnEnd(i, next))
		}
		for _, s := range sends {
			if s.w == nil && s.wake == next {
				s.w = gates[s.inst].offer(s.slot, s.chat)
			}
			if s.t != nil && !s.answered && s.arrived+s.back == next {
				s.answered = true
				s.t.answered()
				s.t.done()
			}
		}
		for _, g := range gates {
			g.wake()
		}
		for changed := true; changed; {
			changed = false
			for _, s := range sends {
				if s.w == nil || s.t != nil {
					continue
				}
				select {
				case tk := <-s.w.ready:
					changed = true
					if tk == nil {
						s.expired++
						s.slot = pace.reslot(s.inst, next)
						s.w = gates[s.inst].offer(s.slot, s.chat)
						continue
					}
					s.t, s.admitted, s.arrived = tk, next, next+s.fwd
				default:
				}
			}
		}
	}
	for _, s := range sends {
		if s.t == nil {
			t.Fatalf("send with slot %v never went", s.slot)
		}
	}
	return gates
}

// TestGateKeepsRealSendsWithinTheWindow: whatever the workers' delays
// and the requests' way to Telegram, the messages that reach Telegram
// hold no more than the rate in any second and no more than the chat's
// limit per chat; a send never goes before its slot; and a stall shorter
// than a second is caught up without losing slots.
func TestGateKeepsRealSendsWithinTheWindow(t *testing.T) {
	const rate = 10
	gap := globalGap(rate)
	ms := time.Millisecond
	slot := func(k int) time.Duration { return time.Second + time.Duration(k)*gap }
	type tweak func(k int, s *simSend)
	for _, tc := range []struct {
		name string
		n    int
		tw   tweak
		// finish: the last send goes no later than the last slot plus this.
		finish time.Duration
		// expired: whether some sends come so late that their slot
		// expires (want "no", "yes" or "may").
		expired string
	}{
		{name: "on time", n: 60, finish: 0, expired: "no"},
		// The first request of all (a new connection) is slow on its way:
		// no earlier round trip tells the gate how long the way back is.
		{name: "the first request held up on its way for 30ms", n: 60, finish: 100 * ms, expired: "no", tw: func(k int, s *simSend) {
			if k == 0 {
				s.fwd = 30 * ms
			}
		}},
		{name: "workers stalled for 600ms", n: 60, finish: 600 * ms, expired: "no", tw: func(k int, s *simSend) {
			if s.slot >= 2*time.Second && s.slot < 2600*ms {
				s.wake = 2600 * ms
			}
		}},
		{name: "every third worker 300ms late", n: 60, finish: 300 * ms, expired: "no", tw: func(k int, s *simSend) {
			if k%3 == 0 {
				s.wake += 300 * ms
			}
		}},
		{name: "requests held up on their way for 400ms", n: 60, finish: 2 * time.Second, expired: "may", tw: func(k int, s *simSend) {
			if s.slot >= 2*time.Second && s.slot < 2400*ms {
				s.fwd = 2400*ms - s.slot + ms
			}
		}},
		// The gate cannot tell a slow answer from a request held up on
		// its way: it holds back as if the request had arrived late.
		{name: "a quarter of the answers slow on their way back", n: 60, finish: 5 * time.Second, expired: "may", tw: func(k int, s *simSend) {
			if k%4 == 0 {
				s.back = 700 * ms
			}
		}},
		// Every other answer 60 ms slower: each of those sends counts that
		// much longer, more than the slack leaves; the gate falls behind
		// the slots by little, and does not stall (own slots are counted
		// over as much longer).
		{name: "half the answers 60ms slow", n: 120, finish: 500 * ms, expired: "no", tw: func(k int, s *simSend) {
			if k%2 == 0 {
				s.back = 61 * ms
			}
		}},
		{name: "stall longer than the window", n: 60, finish: 2 * time.Second, expired: "yes", tw: func(k int, s *simSend) {
			if s.slot >= 2*time.Second && s.slot < 3500*ms {
				s.wake = 3500 * ms
			}
		}},
		// Every tenth message to one private chat, every thirtieth to one
		// group (their slots a chat gap apart), the rest to other chats.
		{name: "a late message to a private chat before an early one", n: 60, finish: 0, expired: "no", tw: func(k int, s *simSend) {
			if k%10 == 0 {
				s.chat = 5
			}
			if k == 30 {
				s.wake += 500 * ms
				s.fwd = 100 * ms
			}
		}},
		{name: "a late message to a group before an early one", n: 120, finish: 0, expired: "no", tw: func(k int, s *simSend) {
			if k%30 == 0 {
				s.chat = -5
			}
			if k == 30 {
				s.wake += 400 * ms
				s.fwd = 100 * ms
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sends := make([]*simSend, tc.n)
			for k := range sends {
				sends[k] = &simSend{slot: slot(k), wake: slot(k), fwd: ms, back: ms, chat: int64(100 + k)}
				if tc.tw != nil {
					tc.tw(k, sends[k])
				}
			}
			simulate(t, rate, sends)

			var arrived []time.Duration
			perChat := map[int64][]time.Duration{}
			lastSlot, lastGo, expired := time.Duration(0), time.Duration(0), 0
			for _, s := range sends {
				if s.admitted < s.slot {
					t.Errorf("send with slot %v went at %v, before it", s.slot, s.admitted)
				}
				arrived = append(arrived, s.arrived)
				perChat[s.chat] = append(perChat[s.chat], s.arrived)
				lastSlot, lastGo, expired = max(lastSlot, s.slot), max(lastGo, s.admitted), expired+s.expired
			}
			slices.Sort(arrived)
			for k := 0; k+rate < len(arrived); k++ {
				if d := arrived[k+rate] - arrived[k]; d < time.Second {
					t.Errorf("%d messages reached Telegram within %v (from %v)", rate+1, d, arrived[k])
				}
			}
			for chat, at := range perChat {
				slices.Sort(at)
				spacing := time.Second // Telegram: one a second to a private chat
				if chat < 0 {
					spacing = time.Minute / 20 // 20 a minute to a group, spaced
				}
				for k := 1; k < len(at); k++ {
					if d := at[k] - at[k-1]; d < spacing {
						t.Errorf("chat %d got two messages %v apart", chat, d)
					}
				}
			}
			if lastGo > lastSlot+tc.finish {
				t.Errorf("last send went at %v, %v after the last slot; want at most %v", lastGo, lastGo-lastSlot, tc.finish)
			}
			if tc.expired != "may" && (expired > 0) != (tc.expired == "yes") {
				t.Errorf("%d slots expired, want %s", expired, tc.expired)
			}
		})
	}
}

// turnsPace is the shared pace of instances that take it in turns of
// perTurn slots each, instance k%n holding turn k, with turnGuard between
// two turns. A holder knows its turn's end from its start.
type turnsPace struct {
	n, perTurn int
	gap        time.Duration
	// next is the first slot index not handed out yet.
	next int
}

// slot is the instant of slot index k, and turnOf its turn.
func (p *turnsPace) slot(k int) time.Duration {
	return time.Second + time.Duration(k)*p.gap + time.Duration(p.turnOf(k))*turnGuard
}

func (p *turnsPace) turnOf(k int) int { return k / p.perTurn }

func (p *turnsPace) turnEnd(inst int, now time.Duration) time.Duration {
	for turn := 0; ; turn++ {
		end := p.slot((turn+1)*p.perTurn-1) + p.gap
		if now < p.slot(turn*p.perTurn)-turnGuard {
			return turnNone // waiting for a turn
		}
		if now < end {
			if turn%p.n == inst {
				return end
			}
			return turnNone
		}
	}
}

// reslot gives the first free slot of inst's turns not before now.
func (p *turnsPace) reslot(inst int, now time.Duration) time.Duration {
	for k := p.next; ; k++ {
		if p.turnOf(k)%p.n == inst && p.slot(k) >= now {
			p.next = k + 1
			return p.slot(k)
		}
	}
}

// TestTurnsKeepTwoInstancesWithinTheRate: two instances hold the shared
// pace in turns, with turnGuard between them. Half the answers are slow on
// their way back, so each instance's sends count longer than the slack and
// its gate counts its own slots over a longer window; some requests are
// slow on their way there. The holder stalls (a busy machine) in the
// middle of its turns and just before their ends, and catches up: every
// second at Telegram still holds no more than the rate.
func TestTurnsKeepTwoInstancesWithinTheRate(t *testing.T) {
	const rate = 30
	ms := time.Millisecond
	pace := &turnsPace{n: 2, perTurn: 90, gap: globalGap(rate)}
	sends := make([]*simSend, 600)
	pace.next = len(sends)
	for k := range sends {
		slot := pace.slot(k)
		s := &simSend{slot: slot, wake: slot, fwd: ms, back: ms, chat: int64(100 + k), inst: pace.turnOf(k) % 2}
		if k%2 == 0 {
			s.back = 90 * ms
		}
		if k%7 == 0 {
			s.fwd = 40 * ms
		}
		// Stalls: 600 ms in the middle of the second turn; 300 ms up to
		// the end of the third and of the fifth.
		mid := pace.slot(90 + 45)
		if slot >= mid && slot < mid+600*ms {
			s.wake = mid + 600*ms
		}
		for _, turn := range []int{2, 4} {
			end := pace.slot((turn+1)*90-1) + pace.gap
			if slot >= end-300*ms && slot < end {
				s.wake = end
			}
		}
		sends[k] = s
	}
	simulateInstances(t, rate, 2, sends, pace)
	var arrived []time.Duration
	lastSlot, expired := time.Duration(0), 0
	for _, s := range sends {
		if s.admitted < s.slot {
			t.Errorf("send with slot %v went at %v, before it", s.slot, s.admitted)
		}
		arrived = append(arrived, s.arrived)
		lastSlot, expired = max(lastSlot, s.slot), expired+s.expired
	}
	slices.Sort(arrived)
	for k := 0; k+rate < len(arrived); k++ {
		if d := arrived[k+rate] - arrived[k]; d < time.Second {
			t.Errorf("%d messages reached Telegram within %v (from %v)", rate+1, d, arrived[k])
		}
	}
	if expired == 0 {
		t.Error("no slot expired: the stalls before the ends of turns were not exercised")
	}
	if last := arrived[len(arrived)-1]; last > lastSlot+time.Second {
		t.Errorf("the last message arrived at %v, over a second after the last slot %v: the instances fell behind", last, lastSlot)
	}
}
