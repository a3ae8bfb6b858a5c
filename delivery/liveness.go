package delivery

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// River hands a job that an instance left running to another only after
// RescueAfter (minutes: a job may legitimately run a minute). An instance
// that died holds its messages that long, while the others send the rest
// of a broadcast. Engines therefore beat in delivery_instances; one that
// has not beaten for deadAfter is gone, and the next beat of any other
// hands its running jobs back to the queue.
const (
	beatEvery = time.Second
	deadAfter = 10 * time.Second
	// aliveFor is how long after the start of its last successful beat an
	// engine still sends. It is well under deadAfter, which the others
	// count from when the database recorded that beat (later than its
	// start): an engine cut off from the database stops sending before
	// anyone takes its jobs over, unless one of its sends is held up
	// between that check and the request for longer than the difference.
	aliveFor = deadAfter / 2
)

// liveness is an engine's beat and its view of being alive.
type liveness struct {
	pool  *pgxpool.Pool
	id    string
	log   *slog.Logger
	queue string
	// since is when this engine last (re)joined: its row was missing at a
	// beat, so the others took it for gone and may have handed its running
	// jobs to others. Runs started before may not send (Unix nanoseconds).
	since atomic.Int64
	// beat is the start of the last successful beat (Unix nanoseconds).
	beat   atomic.Int64
	joined bool
}

// loop beats every beatEvery until ctx ends.
func (l *liveness) loop(ctx context.Context) {
	t := time.NewTicker(beatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := l.beatOnce(ctx); err != nil && ctx.Err() == nil {
			l.log.Warn("delivery: beat failed", "err", err)
		}
	}
}

// beatOnce records that this engine is alive, and hands the running jobs
// of engines gone for deadAfter back to the queue.
func (l *liveness) beatOnce(ctx context.Context) error {
	start := time.Now()
	var (
		joined  bool
		rescued int
	)
	err := l.pool.QueryRow(ctx, `
		WITH me AS (
			INSERT INTO delivery_instances (id, seen_at) VALUES ($1, now())
			ON CONFLICT (id) DO UPDATE SET seen_at = now()
			RETURNING xmax = 0 AS joined),
		gone AS (
			DELETE FROM delivery_instances WHERE seen_at < now() - make_interval(secs => $2) AND id <> $1
			RETURNING id),
		rescued AS (
			UPDATE river_job SET state = 'available', scheduled_at = now()
			WHERE state = 'running' AND queue = $3 AND attempted_by[cardinality(attempted_by)] IN (SELECT id FROM gone)
			RETURNING id)
		SELECT (SELECT joined FROM me), (SELECT count(*) FROM rescued)`,
		l.id, deadAfter.Seconds(), l.queue).Scan(&joined, &rescued)
	if err != nil {
		return fmt.Errorf("beat: %w", err)
	}
	if joined {
		if l.joined {
			// The others took this engine for gone: what it is running
			// now may be running elsewhere too.
			l.log.Error("delivery: this instance was taken for gone; its running messages are left to others")
		}
		l.since.Store(start.UnixNano())
	}
	l.joined = true
	l.beat.Store(start.UnixNano())
	if rescued > 0 {
		l.log.Warn("delivery: messages of a gone instance handed back to the queue", "jobs", rescued)
	}
	return nil
}

// mayStart tells whether a run that started at started may send now: this
// engine beat lately, and has not been taken for gone since the run began.
func (l *liveness) mayStart(started time.Time) bool {
	now := time.Now()
	return now.Sub(time.Unix(0, l.beat.Load())) < aliveFor && started.UnixNano() >= l.since.Load()
}

// leave removes this engine's row once it has stopped: no job of it is
// running, and the others need not wait for it to be taken for gone.
func (l *liveness) leave(ctx context.Context) error {
	_, err := l.pool.Exec(ctx, `DELETE FROM delivery_instances WHERE id = $1`, l.id)
	return err
}
