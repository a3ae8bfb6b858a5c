package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptrace"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
)

// sendArgs is the job that sends one Message. Its JSON is the Message's
// fields, flat, so CancelTx can match them in river_job.args. (Its Kind
// method, River's job kind, hides the Message's Kind field on purpose.)
type sendArgs struct {
	Message
}

// Kind is River's job kind.
func (sendArgs) Kind() string { return "delivery_send" }

type sendWorker struct {
	river.WorkerDefaults[sendArgs]
	e *Engine
}

func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendArgs]) error {
	err := w.e.deliver(ctx, job.ID, job.Args.Message)
	if err != nil && job.Attempt >= job.MaxAttempts && !snoozedOrCancelled(err) {
		// River gives up on the job: the message will not go out, and
		// whoever counts it must learn so rather than wait for it.
		w.e.log.Error("message not sent after its last attempt", "job_id", job.ID, "kind", job.Args.Message.Kind,
			"chat_id", job.Args.ChatID, "attempts", job.Attempt, "err", err)
		octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.e.cfg.SendTimeout)
		defer cancel()
		if oerr := w.e.observe(octx, job.Args.Message, Outcome{Result: ResultFailed}); oerr != nil {
			w.e.log.Error("record outcome", "err", oerr)
		}
	}
	return err
}

// snoozedOrCancelled tells whether err is a snooze or a cancellation,
// which River does not count as a failed attempt.
func snoozedOrCancelled(err error) bool {
	var snooze *river.JobSnoozeError
	var cancel *river.JobCancelError
	return errors.As(err, &snooze) || errors.As(err, &cancel)
}

// deliver renders, waits for a send slot, sends and records one message.
// Its return value is River's next step for the job.
func (e *Engine) deliver(ctx context.Context, jobID int64, m Message) error {
	started := time.Now()
	log := e.log.With("job_id", jobID, "kind", m.Kind, "chat_id", m.ChatID, "ref", m.Ref)
	out, err := e.renderer.Render(ctx, m)
	if errors.Is(err, ErrDrop) {
		// A renderer that already follows a group to its supergroup no
		// longer knows the old id: the message is for the new one.
		if to, merr := e.migratedTo(ctx, m.ChatID); merr != nil {
			return interrupted(ctx, merr)
		} else if to != 0 {
			return e.readdress(ctx, log, m, to)
		}
		log.Info("message dropped", "reason", err)
		return e.observe(ctx, m, Outcome{Result: ResultDropped})
	}
	if err != nil {
		return interrupted(ctx, fmt.Errorf("render %s: %w", m.Kind, err))
	}
	v, turn, err := e.pace.acquire(ctx, jobID, m.ChatID)
	if err != nil {
		return interrupted(ctx, err)
	}
	switch v {
	case verdictSent:
		log.Info("message was already sent by an earlier run")
		id, err := e.sentMessageID(ctx, jobID)
		if err != nil {
			return err
		}
		return e.observe(ctx, m, Outcome{Result: ResultSent, MessageID: id})
	case verdictInactive:
		log.Info("message not sent: chat inactive")
		return e.observe(ctx, m, Outcome{Result: ResultBlocked})
	}

	// An instance cut off from the database may be taken for gone, and
	// this message handed to another: it must not send it as well.
	if !e.live.mayStart(started) {
		turn.abandon()
		log.Warn("message not sent: this instance may be taken for gone")
		return river.JobSnooze(beatEvery)
	}

	// What the message is about may have changed while it waited for its
	// slot: its turn at the gate is then given back unused.
	if err := e.recheck(ctx, m); errors.Is(err, ErrDrop) {
		turn.abandon()
		log.Info("message dropped before sending", "reason", err)
		return e.observe(ctx, m, Outcome{Result: ResultDropped})
	} else if err != nil {
		turn.abandon()
		return interrupted(ctx, fmt.Errorf("recheck %s: %w", m.Kind, err))
	}

	// Once the request is on its way it is not abandoned, not even on
	// shutdown: an answer we never read would leave us not knowing whether
	// the message went out.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.cfg.SendTimeout)
	defer cancel()
	// The first byte of the answer bounds when the request reached
	// Telegram; the pace learns it from the HTTP client at once.
	tctx := httptrace.WithClientTrace(sctx, &httptrace.ClientTrace{GotFirstResponseByte: turn.answered})
	sentID, err := e.send(tctx, m.ChatID, out)
	// Whatever the answer, the request may have reached Telegram: its
	// moment counts for the pace.
	turn.done()
	if err != nil {
		return e.failed(sctx, log, m, err)
	}
	if _, err := e.confirm.do(sctx, sentRecord{job: jobID, message: int64(sentID)}); err != nil {
		// The message is out. Completing the job is still right; only if
		// River cannot record that either may a later run send it again.
		log.Error("message sent but not recorded as sent", "err", err)
	}
	log.Debug("message sent", "message_id", sentID)
	e.event(EventSent)
	return e.observe(sctx, m, Outcome{Result: ResultSent, MessageID: int64(sentID)})
}

// interrupted turns an error caused by the job's context ending (shutdown,
// job timeout) into a snooze: the message was not sent and the attempt
// should not count.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return river.JobSnooze(time.Second)
	}
	return err
}

// failure classifies what a failed send means for the message.
type failure int

const (
	failTransient failure = iota // 5xx, network, timeouts: retry with backoff
	failFlood                    // 429: wait retry_after, then try again
	failGone                     // blocked, kicked, chat not found: stop sending to the chat
	failMigrated                 // group upgraded to a supergroup: send to its new id
	failMarkup                   // can't parse entities: a template bug
	failRejected                 // any other 400: retrying will not help
)

// classify reads a go-telegram error. retryAfter is set for failFlood.
func classify(err error) (f failure, retryAfter time.Duration) {
	var flood *tgbot.TooManyRequestsError
	var migrated *tgbot.MigrateError
	msg := err.Error()
	switch {
	case errors.As(err, &flood):
		return failFlood, max(time.Duration(flood.RetryAfter)*time.Second, time.Second)
	case errors.As(err, &migrated) && migrated.MigrateToChatID != 0:
		return failMigrated, 0
	case errors.Is(err, tgbot.ErrorForbidden):
		return failGone, 0
	case errors.Is(err, tgbot.ErrorBadRequest) && (strings.Contains(msg, "chat not found") ||
		strings.Contains(msg, "PEER_ID_INVALID") || strings.Contains(msg, "user not found")):
		return failGone, 0
	case errors.Is(err, tgbot.ErrorBadRequest) && strings.Contains(msg, "can't parse entities"):
		return failMarkup, 0
	case errors.Is(err, tgbot.ErrorBadRequest):
		return failRejected, 0
	}
	return failTransient, 0
}

// failed decides the job's fate after a send error.
func (e *Engine) failed(ctx context.Context, log *slog.Logger, m Message, err error) error {
	f, retryAfter := classify(err)
	switch f {
	case failFlood:
		e.event(EventFlood)
		log.Warn("telegram asks to slow down; pausing all sending", "retry_after", retryAfter)
		if perr := e.pace.pause(ctx, retryAfter); perr != nil {
			log.Error("pause sending", "err", perr)
		}
		return river.JobSnooze(retryAfter)
	case failMigrated:
		var migrated *tgbot.MigrateError
		errors.As(err, &migrated)
		to := int64(migrated.MigrateToChatID)
		if mg, ok := e.renderer.(Migrator); ok {
			if err := mg.Migrated(ctx, m.ChatID, to); err != nil {
				return fmt.Errorf("follow chat %d to supergroup %d: %w", m.ChatID, to, err)
			}
		}
		if err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error { return e.MigratedTx(ctx, tx, m.ChatID, to) }); err != nil {
			return err
		}
		return e.readdress(ctx, log, m, to)
	case failGone:
		e.event(goneEvent(err))
		log.Info("chat is gone or blocked the bot; no more messages to it", "err", err)
		if merr := markInactive(ctx, e.pool, m.ChatID, err.Error()); merr != nil {
			return fmt.Errorf("mark chat inactive: %w", merr)
		}
		if oerr := e.observe(ctx, m, Outcome{Result: ResultBlocked}); oerr != nil {
			log.Error("record outcome", "err", oerr)
		}
		return river.JobCancel(err)
	case failMarkup:
		log.Error("BUG: message kind renders HTML that Telegram rejects", "err", err)
		if oerr := e.observe(ctx, m, Outcome{Result: ResultFailed}); oerr != nil {
			log.Error("record outcome", "err", oerr)
		}
		return river.JobCancel(err)
	case failRejected:
		log.Error("telegram rejected the message", "err", err)
		if oerr := e.observe(ctx, m, Outcome{Result: ResultFailed}); oerr != nil {
			log.Error("record outcome", "err", oerr)
		}
		return river.JobCancel(err)
	}
	e.event(EventRetry)
	log.Warn("send failed; will retry", "err", err)
	return err
}

// readdress sends m to the supergroup its group was upgraded to: it is
// scheduled anew there, and rendered, paced and observed like any other
// message. This job then ends: its outcome is the new message's.
// Scheduling is idempotent (a message is unique by its fields), so a run
// after a crash here adds nothing.
func (e *Engine) readdress(ctx context.Context, log *slog.Logger, m Message, to int64) error {
	e.event(EventMigrated)
	m.ChatID = to
	if _, err := e.Schedule(ctx, m); err != nil {
		return err
	}
	log.Info("group upgraded to a supergroup; message re-addressed", "to", to)
	return nil
}

// MigratedTx records in tx that the group from was upgraded to the
// supergroup to: a message for from that its renderer drops (it follows
// the group to the new id too) goes to to instead. The bot calls it when
// it sees the upgrade's service message; the engine, when Telegram
// refuses a send to the old id.
func (e *Engine) MigratedTx(ctx context.Context, tx pgx.Tx, from, to int64) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO delivery_migrated (chat_id, to_chat_id) VALUES ($1, $2)
		ON CONFLICT (chat_id) DO UPDATE SET to_chat_id = excluded.to_chat_id`, from, to)
	return err
}

// migratedTo is the supergroup the group chatID was upgraded to, or 0.
// Only groups (negative ids) are upgraded.
func (e *Engine) migratedTo(ctx context.Context, chatID int64) (int64, error) {
	if chatID >= 0 {
		return 0, nil
	}
	var to int64
	err := e.pool.QueryRow(ctx, `SELECT to_chat_id FROM delivery_migrated WHERE chat_id = $1`, chatID).Scan(&to)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return to, err
}

func markInactive(ctx context.Context, pool *pgxpool.Pool, chatID int64, reason string) error {
	_, err := pool.Exec(ctx, `
		INSERT INTO delivery_inactive (chat_id, reason) VALUES ($1, $2)
		ON CONFLICT (chat_id) DO UPDATE SET reason = excluded.reason, since = now()`, chatID, reason)
	return err
}

// sentRecord is one row of delivery_sent.
type sentRecord struct{ job, message int64 }

func recordSent(pool *pgxpool.Pool) func(ctx context.Context, rs []sentRecord) ([]struct{}, error) {
	return func(ctx context.Context, rs []sentRecord) ([]struct{}, error) {
		jobs := make([]int64, len(rs))
		msgs := make([]int64, len(rs))
		for i, r := range rs {
			jobs[i], msgs[i] = r.job, r.message
		}
		_, err := pool.Exec(ctx, `
			INSERT INTO delivery_sent (job_id, message_id)
			SELECT * FROM unnest($1::bigint[], $2::bigint[])
			ON CONFLICT (job_id) DO NOTHING`, jobs, msgs)
		if err != nil {
			return nil, fmt.Errorf("record sent messages: %w", err)
		}
		return make([]struct{}, len(rs)), nil
	}
}

// analyzeArgs is the job that refreshes the planner statistics of
// river_job. River's scheduler moves due jobs with one query whose plan is
// sound only with statistics: after tens of thousands of jobs arrive in a
// table the planner thinks small, that query took 30s instead of a quarter
// of a second per 10,000 jobs (and hit River's timeout), until autovacuum
// came round. ScheduleManyTx adds this job to large fan-outs, in the same
// transaction, so it runs right after they commit.
type analyzeArgs struct{}

// Kind is River's job kind.
func (analyzeArgs) Kind() string { return "delivery_analyze" }

type analyzeWorker struct {
	river.WorkerDefaults[analyzeArgs]
	pool *pgxpool.Pool
}

func (w *analyzeWorker) Work(ctx context.Context, _ *river.Job[analyzeArgs]) error {
	_, err := w.pool.Exec(ctx, `ANALYZE river_job`)
	return err
}
