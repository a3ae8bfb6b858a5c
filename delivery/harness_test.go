package delivery_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/delivery"
	"partnerbot/internal/faketelegram"
	"partnerbot/internal/testdb"
)

const waitLong = 30 * time.Second

// testClock runs like the real clock but from a time the test sets, and
// jumps when the test says so. River schedules by it.
type testClock struct{ offset atomic.Int64 }

func newClock(at time.Time) *testClock {
	c := &testClock{}
	c.Set(at)
	return c
}

func (c *testClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) Set(at time.Time)        { c.offset.Store(int64(time.Until(at))) }
func (c *testClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// env is one test's world: a fresh database, a fake Bot API and a clock.
type env struct {
	t     testing.TB
	url   string
	pool  *pgxpool.Pool
	fake  *faketelegram.Server
	clock *testClock
}

func newEnv(t testing.TB) *env {
	t.Helper()
	url := testdb.URL(t)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 20
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	fake := faketelegram.New()
	t.Cleanup(fake.Close)
	return &env{t: t, url: url, pool: pool, fake: fake, clock: newClock(time.Now())}
}

// chats registers chats with the fake server, so sends to them succeed.
func (e *env) chats(ids ...int64) {
	for _, id := range ids {
		e.fake.KnownChat(id)
	}
}

// instance is one running engine.
type instance struct {
	engine *delivery.Engine
	cancel context.CancelFunc
	done   chan error
}

type startOpts struct {
	cfg       delivery.Config
	pool      *pgxpool.Pool     // default: the env's pool
	transport http.RoundTripper // default: delivery.HTTPClient's
	renderer  delivery.Renderer // default: notes()
	log       *slog.Logger      // default: the test log
	// abandon: the test kills the instance; at the end it is cancelled
	// and not waited for.
	abandon bool
	// systemClock: the engine keeps the real time, as in production,
	// instead of the env's test clock.
	systemClock bool
}

// start runs an engine until the test ends.
func (e *env) start(o startOpts) *instance {
	e.t.Helper()
	if o.pool == nil {
		o.pool = e.pool
	}
	client := delivery.HTTPClient(o.cfg.Workers)
	if o.transport != nil {
		client.Transport = o.transport
	}
	if o.renderer == nil {
		o.renderer = notes()
	}
	if o.cfg.Clock == nil && !o.systemClock {
		o.cfg.Clock = e.clock
	}
	if o.cfg.Log == nil {
		o.cfg.Log = o.log
	}
	if o.cfg.Log == nil {
		o.cfg.Log = testLogger(e.t, slog.LevelInfo)
	}
	if o.cfg.Rate == 0 {
		o.cfg.Rate = 1000
	}
	api, err := tgbot.New(e.fake.Token(), tgbot.WithServerURL(e.fake.URL()), tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(time.Minute, client))
	if err != nil {
		e.t.Fatal(err)
	}
	eng, err := delivery.New(o.pool, api, o.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{engine: eng, cancel: cancel, done: make(chan error, 1)}
	go func() { in.done <- eng.Run(ctx, o.renderer) }()
	if o.abandon {
		e.t.Cleanup(cancel)
	} else {
		e.t.Cleanup(func() { in.stop(e.t) })
	}
	return in
}

// stop shuts the engine down gracefully and waits for it.
func (in *instance) stop(t testing.TB) {
	in.cancel()
	select {
	case err := <-in.done:
		if err != nil {
			t.Errorf("engine stopped with %v", err)
		}
		in.done <- err // a second stop returns at once
	case <-time.After(waitLong):
		t.Error("engine did not stop")
	}
}

// notes renders kind "note" as "note <ref>.<variant>", and kind "bad" as
// HTML Telegram cannot parse.
func notes() delivery.Kinds {
	return delivery.Kinds{
		"note": func(_ context.Context, m delivery.Message) (delivery.Rendered, error) {
			return delivery.Rendered{Text: fmt.Sprintf("note %d.%d", m.Ref, m.Variant)}, nil
		},
		"bad": func(_ context.Context, m delivery.Message) (delivery.Rendered, error) {
			return delivery.Rendered{Text: "<b>unclosed"}, nil
		},
	}
}

// schedule schedules messages in one transaction.
func (e *env) schedule(eng *delivery.Engine, ms ...delivery.Message) {
	e.t.Helper()
	err := pgx.BeginFunc(context.Background(), e.pool, func(tx pgx.Tx) error {
		for _, m := range ms {
			if _, err := eng.ScheduleTx(context.Background(), tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// note is a message of kind "note" due now.
func (e *env) note(chat, ref int64) delivery.Message {
	return delivery.Message{ChatID: chat, Kind: "note", Ref: ref}
}

// settled waits until no job is pending or running any more.
func (e *env) settled() {
	e.t.Helper()
	e.eventually("all jobs finished", func() bool {
		var n int
		err := e.pool.QueryRow(context.Background(),
			`SELECT count(*) FROM river_job WHERE state NOT IN ('completed', 'cancelled', 'discarded')`).Scan(&n)
		return err == nil && n == 0
	})
}

// eventually polls cond until it holds, failing the test after waitLong.
func (e *env) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(waitLong)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitSends waits until the fake server got at least n messages in all.
func (e *env) waitSends(n int) {
	e.t.Helper()
	if err := e.fake.WaitUntil(waitLong, func(s *faketelegram.Snapshot) bool {
		return countOK(s.Calls("sendMessage")) >= n
	}); err != nil {
		e.t.Fatal(err)
	}
}

func countOK(calls []faketelegram.Call) int {
	n := 0
	for _, c := range calls {
		if c.Status == http.StatusOK {
			n++
		}
	}
	return n
}

// callsTo counts sendMessage requests to chat, answered or refused.
func (e *env) callsTo(chat int64) int {
	n := 0
	for _, c := range e.fake.Calls("sendMessage") {
		if c.Params["chat_id"] == strconv.FormatInt(chat, 10) {
			n++
		}
	}
	return n
}

// job is the River row of the newest job to chat.
type jobRow struct {
	State    string
	Attempt  int
	Snoozes  int
	Schedule time.Time
}

func (e *env) job(chat int64) jobRow {
	e.t.Helper()
	var j jobRow
	err := e.pool.QueryRow(context.Background(), `
		SELECT state, attempt, coalesce((metadata->>'snoozes')::int, 0), scheduled_at
		FROM river_job WHERE kind = 'delivery_send' AND (args->>'chat_id')::bigint = $1
		ORDER BY id DESC LIMIT 1`, chat).Scan(&j.State, &j.Attempt, &j.Snoozes, &j.Schedule)
	if err != nil {
		e.t.Fatalf("job to chat %d: %v", chat, err)
	}
	return j
}

// testLogger logs to t until the test ends (engines killed on purpose may
// outlive it).
func testLogger(t testing.TB, level slog.Level) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(string(p))
	}
	return len(p), nil
}
