// Package delivery sends every message the bot sends on its own initiative
// (reminders, announcements, broadcasts): durable jobs in PostgreSQL through
// River, paced within Telegram's limits across all running instances,
// rendered at send time by a Renderer the bot provides.
//
// Guarantees:
//   - A message is scheduled in the caller's transaction (ScheduleTx): it
//     exists if and only if the transaction commits.
//   - Two instances never send one message twice: River hands a job to one
//     worker, and a job that runs again after a crash finds its message in
//     delivery_sent. The one window left runs from the Bot API request until
//     the batch that records the message in delivery_sent commits: a crash
//     in it (before Telegram answers, or after it answered but before the
//     record is written) leaves no trace of the send, and the message is
//     then sent again rather than lost, once.
//   - Send times reserved from the pace all instances share in PostgreSQL
//     never put more than Config.Rate in one second, nor more in one chat
//     than Telegram allows. An instance sends a message only at or after
//     its reserved time, and only while its own sends of the last second,
//     each counted until Telegram answered it, stay within the rate and
//     within the slots it was given (sendGate): a late send is not followed
//     by punctual ones into the same second.
//   - A message whose instance died is picked up by another (or the
//     restarted) instance once River considers the job stuck (RescueAfter).
//   - Stale messages (event moved, cancelled, started) are dropped by the
//     Renderer at send time, so a message due while the bot was down is sent
//     late only if it still makes sense. CancelTx removes pending messages
//     early, which keeps the queue small; correctness does not depend on it.
//   - A message to a group Telegram upgraded to a supergroup goes to the
//     supergroup: the send to the old id is refused with its new id (or the
//     Renderer, already following the group, drops it and MigratedTx said
//     where the group went); the message is scheduled anew there, and the
//     Renderer learns the new id (Migrator).
//
// Moving reminders when an event changes: in the transaction that changes
// it, CancelTx(Filter{Kind, Ref: event}) and ScheduleTx the reminders at
// their new times. A reminder already being sent cannot be cancelled; the
// Renderer sees the event's new state and drops it (Message.DueAt no longer
// matches). A message's unique key is all its fields, DueAt included, so
// scheduling the same reminder twice adds nothing, while a moved one is new.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"
)

// Defaults for Config.
const (
	DefaultRate        = 30
	DefaultWorkers     = 100
	DefaultStopTimeout = 10 * time.Second
)

const (
	queue = "delivery"
	// jobTimeout bounds one run of a job before the send starts (rendering,
	// waiting for a slot); the send itself has SendTimeout on top.
	jobTimeout = time.Minute
	// maxAttempts: with River's backoff (attempt⁴ seconds) the last retry
	// comes about 4½ hours after the first failure.
	maxAttempts = 10
	// fetchPoll is how often an instance looks for due jobs when no
	// notification woke it: the precision of scheduled sends.
	fetchPoll = 250 * time.Millisecond
	// sentRetention is how long delivery_sent remembers a sent job, far
	// longer than any job can run again.
	sentRetention = 7 * 24 * time.Hour
	// analyzeAfter: a fan-out of this many messages refreshes river_job's
	// planner statistics (see analyzeWorker).
	analyzeAfter = 1000
	pruneEvery   = time.Hour
)

// Clock tells the engine the time. Tests pass one they move by hand; River
// then schedules by it too.
type Clock interface {
	Now() time.Time
}

// Config tunes an Engine. Zero values mean the defaults.
type Config struct {
	// Rate is the most messages per second the bot token sends, summed over
	// all instances (Telegram allows about 30; more for paid broadcasts).
	// Every instance must use the same value.
	Rate float64
	// Workers is how many messages one instance handles at once.
	Workers int
	// SendTimeout bounds one Bot API call (default 20s).
	SendTimeout time.Duration
	// RescueAfter is how long a job may run before River hands it to
	// another instance, as after a crash (default 2 minutes). It must exceed
	// one minute plus SendTimeout.
	RescueAfter time.Duration
	// StopTimeout is how long Run waits for running jobs on shutdown
	// before cancelling them (default 10s).
	StopTimeout time.Duration
	// Clock is the time source; nil means the system clock. River schedules
	// by it too (its test facility). A clock behind the real time at New
	// lengthens RescueAfter by as much.
	Clock Clock
	// Log receives the engine's logs and River's warnings and errors; nil
	// means slog.Default().
	Log *slog.Logger
	// Priority, if set, ranks a message by its kind: River hands out due
	// messages of priority 1 before those of 2, 3 and 4, whenever they were
	// scheduled, so that a large fan-out does not hold up what is due
	// now. Other values, and nil, mean 1.
	Priority func(kind string) int
	// Events, if set, is told what became of every send attempt (metrics);
	// it must not block.
	Events func(Event)
}

func (c Config) withDefaults() Config {
	if c.Rate <= 0 {
		c.Rate = DefaultRate
	}
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 20 * time.Second
	}
	if c.RescueAfter <= 0 {
		c.RescueAfter = 2 * time.Minute
	}
	if c.StopTimeout <= 0 {
		c.StopTimeout = DefaultStopTimeout
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return c
}

// Engine schedules and sends messages. Create it with New, schedule with
// ScheduleTx at any time, and let Run send.
type Engine struct {
	cfg      Config
	pool     *pgxpool.Pool
	api      *tgbot.Bot
	client   *river.Client[pgx.Tx]
	pace     *pacer
	live     *liveness
	confirm  *batcher[sentRecord, struct{}]
	log      *slog.Logger
	renderer Renderer
}

// New builds an engine on pool (migrated: River's tables come from
// migrations/) that sends through api.
func New(pool *pgxpool.Pool, api *tgbot.Bot, cfg Config) (*Engine, error) {
	cfg = cfg.withDefaults()
	if cfg.RescueAfter <= jobTimeout+cfg.SendTimeout {
		return nil, fmt.Errorf("delivery: RescueAfter (%s) must exceed %s plus SendTimeout (%s)", cfg.RescueAfter, jobTimeout, cfg.SendTimeout)
	}
	e := &Engine{cfg: cfg, pool: pool, api: api, pace: newPacer(pool, cfg.Rate, nil), log: cfg.Log}
	e.live = &liveness{pool: pool, id: e.pace.instance, log: cfg.Log, queue: queue}
	e.confirm = newBatcher(maxBatch, recordSent(pool))
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &sendWorker{e: e}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &analyzeWorker{pool: pool}); err != nil {
		return nil, err
	}
	rc := &river.Config{
		// River records the id in attempted_by: liveness finds the jobs
		// a gone instance left running by it.
		ID:                   e.pace.instance,
		Queues:               map[string]river.QueueConfig{queue: {MaxWorkers: cfg.Workers, FetchPollInterval: fetchPoll}},
		Workers:              workers,
		Logger:               slog.New(warnings{cfg.Log.Handler()}),
		JobTimeout:           jobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		MaxAttempts:          maxAttempts,
	}
	if cfg.Clock != nil {
		rc.Test.Time = riverClock{cfg.Clock}
		// River's rescuer takes a job for stuck when the real time is
		// RescueAfter past the job's start, which River stamps by this
		// clock: one running behind (a test set in the past) would make
		// every running job look stuck and run it twice.
		if lag := time.Since(cfg.Clock.Now()); lag > 0 {
			rc.RescueStuckJobsAfter += lag
		}
	}
	client, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, fmt.Errorf("delivery: %w", err)
	}
	e.client = client
	return e, nil
}

// riverClock makes a Clock River's time source. NowOrNil always answers:
// River then stamps the database with this clock's time, not now().
type riverClock struct{ Clock }

func (c riverClock) NowOrNil() *time.Time {
	t := c.Now()
	return &t
}

func (e *Engine) now() time.Time {
	if e.cfg.Clock != nil {
		return e.cfg.Clock.Now()
	}
	return time.Now()
}

// Run sends messages, rendered by r, until ctx ends, then stops
// gracefully: no new job starts, running ones finish (for up to
// Config.StopTimeout; then they are cancelled and retried later).
func (e *Engine) Run(ctx context.Context, r Renderer) error {
	if r == nil {
		return errors.New("delivery: Run needs a Renderer")
	}
	e.renderer = r
	// The batch loops and River outlive ctx until River has stopped:
	// stopping jobs still reserve slots and record sends.
	inner, stopInner := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	defer func() {
		stopInner()
		wg.Wait()
	}()
	wg.Go(func() { e.pace.batch.loop(inner) })
	wg.Go(func() { e.confirm.loop(inner) })
	wg.Go(func() { e.prune(inner) })
	// Nothing is sent before the first beat: it is what lets this
	// engine's runs send (liveness.mayStart).
	if err := e.live.beatOnce(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped before it began
		}
		return fmt.Errorf("delivery: %w", err)
	}
	wg.Go(func() { e.live.loop(inner) })
	if err := e.client.Start(inner); err != nil {
		return fmt.Errorf("delivery: start: %w", err)
	}
	e.log.Info("delivery engine started", "rate", e.cfg.Rate, "workers", e.cfg.Workers)
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(inner, e.cfg.StopTimeout)
	defer cancel()
	if err := e.client.Stop(sctx); err != nil {
		e.log.Warn("delivery: jobs still running at shutdown; cancelling them", "err", err)
		hctx, hcancel := context.WithTimeout(inner, e.cfg.StopTimeout)
		defer hcancel()
		if err := e.client.StopAndCancel(hctx); err != nil {
			return fmt.Errorf("delivery: stop: %w", err)
		}
	}
	if err := e.live.leave(sctx); err != nil {
		e.log.Warn("delivery: could not leave delivery_instances", "err", err)
	}
	e.log.Info("delivery engine stopped")
	return nil
}

func (e *Engine) job(m Message) (sendArgs, *river.InsertOpts) {
	now := e.now()
	if m.DueAt.IsZero() {
		m.DueAt = now
	}
	// One instant, one encoding: the unique key hashes the JSON.
	m.DueAt = m.DueAt.UTC().Truncate(time.Microsecond)
	opts := &river.InsertOpts{Queue: queue, MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
	if e.cfg.Priority != nil {
		if p := e.cfg.Priority(m.Kind); p >= 1 && p <= 4 {
			opts.Priority = p
		}
	}
	if m.Bulk {
		// River takes jobs by priority (1 first), then by due time: bulk
		// copies (a broadcast) go after everything else.
		opts.Priority = 4
	}
	// River parks every job with a ScheduledAt until its scheduler's next
	// round (up to 5s); one due now is better made available at once.
	if m.DueAt.After(now) {
		opts.ScheduledAt = m.DueAt
	}
	return sendArgs{m}, opts
}

// ScheduleTx schedules m in tx: it is sent at m.DueAt (at once when that
// is zero or past) if and only if tx commits. inserted is false when the
// same message was already scheduled or recently sent.
func (e *Engine) ScheduleTx(ctx context.Context, tx pgx.Tx, m Message) (inserted bool, err error) {
	args, opts := e.job(m)
	res, err := e.client.InsertTx(ctx, tx, args, opts)
	if err != nil {
		return false, fmt.Errorf("schedule %s: %w", m.Kind, err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// ScheduleManyTx is ScheduleTx for many messages at once (an announcement
// to all followers). It returns how many were new.
func (e *Engine) ScheduleManyTx(ctx context.Context, tx pgx.Tx, ms []Message) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	res, err := e.client.InsertManyTx(ctx, tx, e.manyParams(ms))
	if err != nil {
		return 0, fmt.Errorf("schedule %d messages: %w", len(ms), err)
	}
	n := 0
	for _, r := range res[:len(ms)] {
		if !r.UniqueSkippedAsDuplicate {
			n++
		}
	}
	return n, nil
}

// ScheduleFreshTx is ScheduleManyTx for messages none of which can have
// been scheduled before (the fan-out of something tx has just created:
// its id is in every Ref). It writes them with PostgreSQL's COPY, without
// ScheduleManyTx's answer per job (10,000 messages: 0.32–0.38 s against
// 0.45–0.71 s on the development machine), and fails, tx with it, if one
// was scheduled after all.
func (e *Engine) ScheduleFreshTx(ctx context.Context, tx pgx.Tx, ms []Message) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	params := e.manyParams(ms)
	n, err := e.client.InsertManyFastTx(ctx, tx, params)
	if err != nil {
		return 0, fmt.Errorf("schedule %d new messages: %w", len(ms), err)
	}
	return min(n, len(ms)), nil
}

// manyParams are River's insert parameters for ms, with a refresh of the
// planner's statistics after a large fan-out.
func (e *Engine) manyParams(ms []Message) []river.InsertManyParams {
	params := make([]river.InsertManyParams, len(ms))
	for i, m := range ms {
		args, opts := e.job(m)
		params[i] = river.InsertManyParams{Args: args, InsertOpts: opts}
	}
	if len(ms) >= analyzeAfter {
		params = append(params, river.InsertManyParams{Args: analyzeArgs{}, InsertOpts: &river.InsertOpts{Queue: queue}})
	}
	return params
}

// Schedule is ScheduleTx in a transaction of its own.
func (e *Engine) Schedule(ctx context.Context, m Message) (inserted bool, err error) {
	err = pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		inserted, err = e.ScheduleTx(ctx, tx, m)
		return err
	})
	return inserted, err
}

// Filter selects pending messages for CancelTx. Kind is required; a zero
// Ref, Variant or ChatID matches any.
type Filter struct {
	Kind    string
	Ref     int64
	Variant int64
	ChatID  int64
}

// CancelTx deletes the pending messages that match f, in tx: e.g. all
// reminders of a cancelled event, or one user's reminders of an event
// before scheduling them anew at its new time. A message already being sent
// is not touched; the Renderer drops it if it is stale.
func (e *Engine) CancelTx(ctx context.Context, tx pgx.Tx, f Filter) (int, error) {
	if f.Kind == "" {
		return 0, errors.New("delivery: CancelTx needs a Kind")
	}
	match := map[string]any{"kind": f.Kind}
	if f.Ref != 0 {
		match["ref"] = f.Ref
	}
	if f.Variant != 0 {
		match["variant"] = f.Variant
	}
	if f.ChatID != 0 {
		match["chat_id"] = f.ChatID
	}
	filter, err := json.Marshal(match)
	if err != nil {
		return 0, err
	}
	const page = 1000
	total := 0
	for {
		res, err := e.client.JobDeleteManyTx(ctx, tx, river.NewJobDeleteManyParams().
			Kinds(sendArgs{}.Kind()).
			States(rivertype.JobStateScheduled, rivertype.JobStateAvailable, rivertype.JobStateRetryable).
			Where("args @> @filter::jsonb", river.NamedArgs{"filter": string(filter)}).
			First(page))
		if err != nil {
			return total, fmt.Errorf("cancel %s messages: %w", f.Kind, err)
		}
		total += len(res.Jobs)
		if len(res.Jobs) < page {
			return total, nil
		}
	}
}

// ForgetChatTx deletes, in tx, every message to chatID the engine holds,
// pending or sent, for a person who erases their data. One being sent at
// this moment is left to its worker; the Renderer drops it, since the
// person is gone.
func (e *Engine) ForgetChatTx(ctx context.Context, tx pgx.Tx, chatID int64) error {
	filter, err := json.Marshal(map[string]int64{"chat_id": chatID})
	if err != nil {
		return err
	}
	const page = 1000
	for {
		res, err := e.client.JobDeleteManyTx(ctx, tx, river.NewJobDeleteManyParams().
			Kinds(sendArgs{}.Kind()).
			States(rivertype.JobStateAvailable, rivertype.JobStateCancelled, rivertype.JobStateCompleted,
				rivertype.JobStateDiscarded, rivertype.JobStatePending, rivertype.JobStateRetryable,
				rivertype.JobStateScheduled).
			Where("args @> @filter::jsonb", river.NamedArgs{"filter": string(filter)}).
			First(page))
		if err != nil {
			return fmt.Errorf("forget messages to a chat: %w", err)
		}
		if len(res.Jobs) < page {
			return nil
		}
	}
}

// prune forgets sent jobs long done and chat paces long past.
func (e *Engine) prune(ctx context.Context) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `DELETE FROM delivery_sent WHERE sent_at < now() - make_interval(secs => $1)`,
				sentRetention.Seconds()); err != nil {
				return err
			}
			// Chat rows are locked under the pace row, as in delivery_reserve.
			if _, err := tx.Exec(ctx, `SELECT FROM delivery_pace FOR UPDATE`); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `DELETE FROM delivery_chat_pace WHERE next_at < clock_timestamp() - interval '1 hour'`)
			return err
		})
		if err != nil && ctx.Err() == nil {
			e.log.Warn("delivery: prune", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// warnings passes on River's warnings and errors only: its info lines
// (job counts and maintenance rounds every few seconds) would drown the
// bot's own.
type warnings struct{ slog.Handler }

func (h warnings) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h warnings) WithAttrs(as []slog.Attr) slog.Handler { return warnings{h.Handler.WithAttrs(as)} }
func (h warnings) WithGroup(name string) slog.Handler    { return warnings{h.Handler.WithGroup(name)} }
