package delivery

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Telegram's limits for one bot token, as its FAQ states them. Telegram
// counts in sliding windows; windowSlack widens each window a little, so
// that a send delayed on its way (scheduling, network) by up to that much
// cannot squeeze one message too many into a window. It costs 2% of the
// rate; on a machine so busy that sends are delayed more, a 429 can still
// come, and pauses everyone for its retry_after.
const (
	// privateGap: about one message a second to one private chat.
	privateGap = time.Second
	// groupGap: 20 messages a minute to one group or channel.
	groupGap    = (time.Minute + windowSlack) / 20
	windowSlack = 20 * time.Millisecond
	// horizon is how far ahead send slots are handed out: a pause after a
	// 429 reaches every instance within it.
	horizon = 250 * time.Millisecond
	// batchWindow is the least time between two reservations of an
	// instance while the shared pace is saturated.
	batchWindow = 50 * time.Millisecond
	// maxBatch is the most requests in one reservation call.
	maxBatch = 512
)

// globalGap is the time between two messages at rate messages per second.
func globalGap(rate float64) time.Duration {
	return time.Duration(float64(time.Second+windowSlack) / rate)
}

// chatGap is the least time between two messages to one chat. Telegram's
// group and channel ids are negative, private chats' positive.
func chatGap(chatID int64) time.Duration {
	if chatID < 0 {
		return groupGap
	}
	return privateGap
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
	at      time.Time // on this machine's clock: when to send, or to ask again
}

// pacer keeps the bot within Telegram's limits across all instances: the
// shared state is in PostgreSQL (delivery_pace, delivery_chat_pace, see
// migrations/00022_delivery.sql) and every instance reserves send times for
// the messages it is about to send in batches, one round trip per batch.
type pacer struct {
	pool  *pgxpool.Pool
	gap   time.Duration
	batch *batcher[paceReq, paceAns]
	// notBefore gates the next reservation call when the last one found no
	// free slot; only the batch loop touches it, as it does sync.
	notBefore time.Time
	sync      clockSync
	// pausedUntil (Unix nanoseconds) is set by a 429 on this instance, so
	// that slots reserved before it are not used during the pause.
	pausedUntil atomic.Int64
}

func newPacer(pool *pgxpool.Pool, rate float64) *pacer {
	p := &pacer{pool: pool, gap: globalGap(rate)}
	p.batch = newBatcher(maxBatch, p.reserve)
	return p
}

// acquire waits until the job's message may be sent to chat, or tells why
// it must not be.
func (p *pacer) acquire(ctx context.Context, job, chat int64) (verdict, error) {
	for {
		a, err := p.batch.do(ctx, paceReq{job: job, chat: chat})
		if err != nil {
			return 0, err
		}
		switch a.verdict {
		case "sent":
			return verdictSent, nil
		case "inactive":
			return verdictInactive, nil
		case "go":
			if err := sleep(ctx, time.Until(a.at)); err != nil {
				return 0, err
			}
			if time.Now().UnixNano() >= p.pausedUntil.Load() {
				return verdictGo, nil
			}
			// A 429 came in while this slot was waiting: take a new one,
			// which the shared pace puts after the pause.
		case "chat":
			if err := sleep(ctx, time.Until(a.at)); err != nil {
				return 0, err
			}
		case "later":
			// The batch loop waits before asking again.
		default:
			return 0, fmt.Errorf("delivery_reserve answered %q", a.verdict)
		}
	}
}

// reserve is the batch function: one call of delivery_reserve.
func (p *pacer) reserve(ctx context.Context, qs []paceReq) ([]paceAns, error) {
	if err := sleep(ctx, time.Until(p.notBefore)); err != nil {
		return nil, err
	}
	jobs := make([]int64, len(qs))
	chats := make([]int64, len(qs))
	gaps := make([]float64, len(qs))
	for i, q := range qs {
		jobs[i], chats[i], gaps[i] = q.job, q.chat, chatGap(q.chat).Seconds()
	}
	sent := time.Now()
	rows, err := p.pool.Query(ctx, `SELECT i, verdict, wait, now_at FROM delivery_reserve($1, $2, $3, $4, $5)`,
		jobs, chats, gaps, p.gap.Seconds(), horizon.Seconds())
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
		got   []row
		dbNow time.Time
	)
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.i, &r.verdict, &r.wait, &dbNow); err != nil {
			return nil, err
		}
		if r.i < 1 || r.i > len(qs) {
			return nil, fmt.Errorf("delivery_reserve answered for request %d of %d", r.i, len(qs))
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reserve send slots: %w", err)
	}
	p.sync.observe(sent, time.Now(), dbNow)
	answers := make([]paceAns, len(qs))
	p.notBefore = time.Time{}
	for _, r := range got {
		a := paceAns{verdict: r.verdict, at: p.sync.local(dbNow.Add(time.Duration(r.wait * float64(time.Second))))}
		answers[r.i-1] = a
		if a.verdict == "later" && p.notBefore.IsZero() {
			p.notBefore = a.at.Add(batchWindow)
		}
	}
	return answers, nil
}

// clockSync maps the database's clock to this machine's, from the round
// trip of reservation calls: the database read its clock somewhere between
// sending the call and receiving the answer, so the shortest round trip
// seen lately pins it best. Send slots then land on this machine's clock at
// the instant the database meant, however late an answer was delivered to
// its worker, which keeps sends from different batches (and instances)
// from bunching.
type clockSync struct {
	here time.Time // this machine's time (monotonic) when the database read db
	db   time.Time
	rtt  time.Duration
}

// syncMaxAge is how long a best sample is trusted before any new one
// replaces it (clocks drift, routes change).
const syncMaxAge = time.Minute

func (c *clockSync) observe(sent, received, db time.Time) {
	rtt := received.Sub(sent)
	if c.here.IsZero() || rtt <= c.rtt || received.Sub(c.here) > syncMaxAge {
		*c = clockSync{here: sent.Add(rtt / 2), db: db, rtt: rtt}
	}
}

// local is the time on this machine at which the database's clock reads t.
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
	_, err := p.pool.Exec(ctx, `UPDATE delivery_pace SET next_at = greatest(next_at, clock_timestamp() + make_interval(secs => $1))`,
		d.Seconds())
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
