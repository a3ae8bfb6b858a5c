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
	wait    time.Duration
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
	// free slot; only the batch loop touches it.
	notBefore time.Time
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
			if err := sleep(ctx, a.wait); err != nil {
				return 0, err
			}
			if time.Now().UnixNano() >= p.pausedUntil.Load() {
				return verdictGo, nil
			}
			// A 429 came in while this slot was waiting: take a new one,
			// which the shared pace puts after the pause.
		case "chat":
			if err := sleep(ctx, a.wait); err != nil {
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
	rows, err := p.pool.Query(ctx, `SELECT i, verdict, wait FROM delivery_reserve($1, $2, $3, $4, $5)`,
		jobs, chats, gaps, p.gap.Seconds(), horizon.Seconds())
	if err != nil {
		return nil, fmt.Errorf("reserve send slots: %w", err)
	}
	defer rows.Close()
	answers := make([]paceAns, len(qs))
	p.notBefore = time.Time{}
	for rows.Next() {
		var (
			i    int
			a    paceAns
			wait float64
		)
		if err := rows.Scan(&i, &a.verdict, &wait); err != nil {
			return nil, err
		}
		if i < 1 || i > len(qs) {
			return nil, fmt.Errorf("delivery_reserve answered for request %d of %d", i, len(qs))
		}
		a.wait = time.Duration(wait * float64(time.Second))
		answers[i-1] = a
		if a.verdict == "later" && p.notBefore.IsZero() {
			p.notBefore = time.Now().Add(a.wait + batchWindow)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reserve send slots: %w", err)
	}
	return answers, nil
}

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
