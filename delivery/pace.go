package delivery

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Telegram's limits for one bot token, as its FAQ states them. Telegram
// counts in sliding windows. The shared pace spaces slots so that a window
// widened by windowSlack holds no more than the limit: the gate (gate.go)
// then has that much room for the jitter of real sends (a worker that
// wakes a little late, a request a little slow on its way) before it has
// to hold a send back. It costs 0.5% of the rate: a send held back is not
// lost (the gate catches up), so the slack need not cover the jitter.
const (
	// privateGap: about one message a second to one private chat.
	privateGap = time.Second + windowSlack
	// groupGap: 20 messages a minute to one group or channel.
	groupGap    = (time.Minute + windowSlack) / 20
	windowSlack = 5 * time.Millisecond
	// horizon is how far ahead send slots are handed out: a pause after a
	// 429 reaches every instance within it.
	horizon = 250 * time.Millisecond
	// batchWindow is the least time between two reservations of an
	// instance while the shared pace is saturated.
	batchWindow = 50 * time.Millisecond
	// maxBatch is the most requests in one reservation call.
	maxBatch = 512
)

// The shared pace is held by one instance at a time (see
// migrations/00140_delivery_pace_turns.sql): a gate sees only its own
// instance's sends, so two instances sending in the same second would
// bunch whenever one is late and the other on time.
const (
	// turnBlock is how long an instance keeps the pace once another one
	// waits for it, at least: each change of holder costs turnGuard, 0.5%
	// of the rate at this length, and a message of the waiting instance
	// waits up to as long.
	turnBlock = 15 * time.Second
	// turnGuard is the pause between the last slot of one holder and the
	// first of the next. The last holder's sends are at most lateGrace
	// late by its gate; the guard leaves the rest (with windowSlack) for
	// the jitter of requests on their way: 60 ms.
	turnGuard = 80 * time.Millisecond
	// turnNotice is how long a holder keeps the pace after another
	// instance starts waiting, at least: it learns so at its next
	// reservation (within a horizon while it sends) and must know it a
	// window before its turn ends (see sendGate.turnEnd).
	turnNotice = 1500 * time.Millisecond
	// turnQuiet is how long a holder keeps the pace, and a waiting
	// instance its claim to the next turn, without asking: the longest a
	// gone instance holds up the others. A holder that was stalled that
	// long finds its slots expired (their horizon, a window and maxLag
	// ago), so that it does not catch up on them in another's turn.
	turnQuiet = 2 * time.Second
	// turnPoll is how often a waiting instance asks again.
	turnPoll = 500 * time.Millisecond
)

// globalGap is the time between two slots of the shared pace at rate
// messages per second.
func globalGap(rate float64) time.Duration {
	return time.Duration(float64(time.Second+windowSlack) / rate)
}

// chatGap is the least time between two slots of one chat. Telegram's
// group and channel ids are negative, private chats' positive.
func chatGap(chatID int64) time.Duration {
	if chatID < 0 {
		return groupGap
	}
	return privateGap
}

// chatSpacing is the least time between two sends to one chat as Telegram
// sees them: the chat's gap less the share of windowSlack a group's gap
// has (a private chat's keeps 19 ms of its slack).
func chatSpacing(chatID int64) time.Duration {
	return chatGap(chatID) - windowSlack/20
}

// verdict is what the pacer decided about one message.
type verdict int

const (
	verdictGo       verdict = iota // send now
	verdictSent                    // an earlier run of the job already sent it
	verdictInactive                // the chat is inactive: do not send
)

type paceReq struct{ job, chat int64 }

type paceAns struct {
	verdict string
	slot    time.Time // on the pace's clock: the reserved instant (for "go")
	at      time.Time // on this machine's clock: when to send, or to ask again
}

// pacer keeps the bot within Telegram's limits across all instances: the
// shared state is in PostgreSQL (delivery_pace, delivery_chat_pace, see
// migrations/00022_delivery.sql) and every instance reserves send times for
// the messages it is about to send in batches, one round trip per batch.
// Its gate then makes the real sends keep what the reservations promised.
type pacer struct {
	pool *pgxpool.Pool
	// instance names this pacer in the shared pace's turns.
	instance string
	gap      time.Duration
	batch    *batcher[paceReq, paceAns]
	gate     *sendGate
	// clock, when not nil, is the pace's clock instead of the database's:
	// tests reserve a minute of slots by it without waiting a minute.
	// Engines leave it nil, so that every instance shares one clock.
	clock Clock
	// notBefore gates the next reservation call when the last one found no
	// free slot; only the batch loop touches it, as it does sync.
	notBefore time.Time
	sync      clockSync
	// pausedUntil (Unix nanoseconds) is set by a 429 on this instance, so
	// that slots reserved before it are not used during the pause.
	pausedUntil atomic.Int64
}

func newPacer(pool *pgxpool.Pool, rate float64, clock Clock) *pacer {
	p := &pacer{pool: pool, instance: rand.Text(), gap: globalGap(rate), clock: clock}
	p.gate = newSendGate(p.gap)
	p.batch = newBatcher(maxBatch, p.reserveWhenDue)
	return p
}

// acquire waits until the job's message may be sent to chat, or tells why
// it must not be. For verdictGo the caller sends at once and then calls the
// ticket's done.
func (p *pacer) acquire(ctx context.Context, job, chat int64) (verdict, *gateTicket, error) {
	for {
		a, err := p.batch.do(ctx, paceReq{job: job, chat: chat})
		if err != nil {
			return 0, nil, err
		}
		switch a.verdict {
		case "sent":
			return verdictSent, nil, nil
		case "inactive":
			return verdictInactive, nil, nil
		case "go":
			if err := sleep(ctx, time.Until(a.at)); err != nil {
				return 0, nil, err
			}
			t, err := p.gate.enter(ctx, a.at, chat)
			if errors.Is(err, errSlotExpired) {
				continue
			}
			if err != nil {
				return 0, nil, err
			}
			if time.Now().UnixNano() >= p.pausedUntil.Load() {
				return verdictGo, t, nil
			}
			// A 429 came in while this slot was waiting: take a new one,
			// which the shared pace puts after the pause.
			t.abandon()
		case "chat":
			if err := sleep(ctx, time.Until(a.at)); err != nil {
				return 0, nil, err
			}
		case "later":
			// The batch loop waits before asking again.
		default:
			return 0, nil, fmt.Errorf("delivery_reserve answered %q", a.verdict)
		}
	}
}

// reserveWhenDue is the batch function: it waits while the last call
// found no free slot, then reserves.
func (p *pacer) reserveWhenDue(ctx context.Context, qs []paceReq) ([]paceAns, error) {
	if err := sleep(ctx, time.Until(p.notBefore)); err != nil {
		return nil, err
	}
	return p.reserve(ctx, qs)
}

// reserve is one call of delivery_reserve.
func (p *pacer) reserve(ctx context.Context, qs []paceReq) ([]paceAns, error) {
	jobs := make([]int64, len(qs))
	chats := make([]int64, len(qs))
	gaps := make([]float64, len(qs))
	for i, q := range qs {
		jobs[i], chats[i], gaps[i] = q.job, q.chat, chatGap(q.chat).Seconds()
	}
	var at *time.Time
	if p.clock != nil {
		t := p.clock.Now()
		at = &t
	}
	sent := time.Now()
	rows, err := p.pool.Query(ctx, `SELECT i, verdict, wait, now_at, turn_end
		FROM delivery_reserve($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		jobs, chats, gaps, p.gap.Seconds(), horizon.Seconds(), at,
		p.instance, turnBlock.Seconds(), turnGuard.Seconds(), turnNotice.Seconds(), turnQuiet.Seconds(), turnPoll.Seconds())
	if err != nil {
		return nil, fmt.Errorf("reserve send slots: %w", err)
	}
	defer rows.Close()
	type row struct {
		i       int
		verdict string
		wait    float64
	}
	var (
		got     []row
		dbNow   time.Time
		turnEnd pgtype.InfinityModifier
		endAt   time.Time
	)
	for rows.Next() {
		var (
			r   row
			end pgtype.Timestamptz
		)
		if err := rows.Scan(&r.i, &r.verdict, &r.wait, &dbNow, &end); err != nil {
			return nil, err
		}
		if r.i < 1 || r.i > len(qs) {
			return nil, fmt.Errorf("delivery_reserve answered for request %d of %d", r.i, len(qs))
		}
		got = append(got, r)
		turnEnd, endAt = end.InfinityModifier, end.Time
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reserve send slots: %w", err)
	}
	local := func(t time.Time) time.Time { return sent.Add(t.Sub(*at)) }
	if at == nil {
		p.sync.observe(time.Now(), dbNow)
		local = p.sync.local
	}
	answers := make([]paceAns, len(qs))
	p.notBefore = time.Time{}
	for _, r := range got {
		t := dbNow.Add(time.Duration(r.wait * float64(time.Second)))
		a := paceAns{verdict: r.verdict, at: local(t)}
		if a.verdict == "go" {
			a.slot = t
		}
		answers[r.i-1] = a
		if a.verdict == "later" && p.notBefore.IsZero() {
			p.notBefore = a.at.Add(batchWindow)
		}
	}
	if len(got) > 0 {
		switch turnEnd {
		case pgtype.Infinity:
			p.gate.setTurnEnd(turnUnbounded)
		case pgtype.NegativeInfinity:
			p.gate.setTurnEnd(turnNone)
		default:
			p.gate.setTurnEnd(p.gate.at(local(endAt)))
		}
	}
	return answers, nil
}

// clockSync maps the database's clock to this machine's, from the round
// trip of reservation calls: the database read its clock somewhere between
// sending the call and receiving the answer. Send slots then land on this
// machine's clock at the instant the database meant, however late an
// answer was delivered to its worker, which keeps sends from different
// batches (and instances) from bunching.
//
// A sample maps the database's reading to the moment its answer came, the
// latest it can have been made, so that a slot is never early: a send may
// come a round trip late by it, never before its time. A sample that maps
// earlier is tighter and is taken, but moves the mapping by at most
// maxSlew of the time since the last sample: jumping, it would move the
// slots of the next batch closer to those of the last than the pace spaced
// them. A looser one is taken only when the mapping is older than
// syncMaxAge (clocks drift, routes change); moving later bunches nothing.
type clockSync struct {
	here    time.Time // this machine's time (monotonic) that db maps to
	db      time.Time
	changed time.Time // when the mapping last changed (this machine's)
	seen    time.Time // when the last sample came
}

const (
	syncMaxAge = time.Minute
	// maxSlew: 0.25% of a second of slots (1 s + windowSlack) is 2.5 ms,
	// half the slack.
	maxSlew = 0.0025
)

func (c *clockSync) observe(received, db time.Time) {
	if c.here.IsZero() {
		*c = clockSync{here: received, db: db, changed: received, seen: received}
		return
	}
	earlier := c.local(db).Sub(received)
	switch {
	case earlier > 0:
		earlier = min(earlier, time.Duration(maxSlew*float64(received.Sub(c.seen))))
		*c = clockSync{here: c.local(db).Add(-earlier), db: db, changed: received}
	case received.Sub(c.changed) > syncMaxAge:
		*c = clockSync{here: received, db: db, changed: received}
	}
	c.seen = received
}

// local is the time on this machine at which the database's clock reads t
// at the latest.
func (c *clockSync) local(t time.Time) time.Time { return c.here.Add(t.Sub(c.db)) }

// pause stops all sending for d, on this instance at once and on the others
// from their next reservation.
func (p *pacer) pause(ctx context.Context, d time.Duration) error {
	until := time.Now().Add(d).UnixNano()
	for {
		old := p.pausedUntil.Load()
		if old >= until || p.pausedUntil.CompareAndSwap(old, until) {
			break
		}
	}
	var at *time.Time
	if p.clock != nil {
		t := p.clock.Now()
		at = &t
	}
	_, err := p.pool.Exec(ctx, `UPDATE delivery_pace SET next_at = greatest(next_at, coalesce($2, clock_timestamp()) + make_interval(secs => $1))`,
		d.Seconds(), at)
	return err
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
