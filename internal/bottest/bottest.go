// Package bottest runs whole conversations against the real bot: the bot
// process logic (intake, middleware, handlers) talks over real HTTP to a
// fake Telegram Bot API server and to its own PostgreSQL database. Tests
// read like the conversation they check:
//
//	env := bottest.New(t)
//	olena := env.User(1001, "uk", "Олена")
//	olena.Say("/start").Expect("Вітаю")
package bottest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/delivery"
	"partnerbot/internal/config"
	"partnerbot/internal/faketelegram"
	"partnerbot/internal/instance"
	"partnerbot/internal/testdb"
	"partnerbot/locales"
	"partnerbot/storage"
)

// WaitTimeout bounds every wait for the bot; no test sleeps a fixed time.
const WaitTimeout = 15 * time.Second

// Options configure an Env.
type Options struct {
	// Admins are the ADMIN_IDS of the bot.
	Admins []int64
	// WebhookSecret, if set, runs the bot in webhook mode with this secret.
	WebhookSecret string
	// Now replaces the bot's clock.
	Now func() time.Time
	// Lease is the intake's update lease (default 2 minutes); a test that
	// kills an instance shortens it so the takeover comes soon.
	Lease time.Duration
	// IntakeWorkers is the number of updates each instance handles at once
	// (default intake.DefaultWorkers).
	IntakeWorkers int
	// RateLimit and RateWindow set the per-user rate limit. Tests talk
	// faster than people, so the limit is off unless RateLimit is set.
	RateLimit  int
	RateWindow time.Duration
	// ShutdownTimeout bounds how long a stopping instance waits for
	// running handlers (default intake.DefaultShutdownTimeout).
	ShutdownTimeout time.Duration
	// Log, if set, receives the bot's log lines instead of the test log
	// (a fuzz target may not log through its testing.F).
	Log io.Writer
	// DeliveryRate is the delivery engine's send rate; zero means 1000 a
	// second (tests check the pacing, not its speed; a benchmark sets
	// Telegram's 30).
	DeliveryRate float64
	// Translate turns machine translation on (a fake service's URL, see
	// internal/faketranslate); the zero value leaves it off.
	Translate config.Translate
}

// Env is a fake Telegram server, a test database and running bot
// instances on them. The bot reaches the database through a proxy the
// test can cut; Pool and Store connect directly.
type Env struct {
	T     testing.TB
	TG    *faketelegram.Server
	DBURL string
	Pool  *pgxpool.Pool
	Store *storage.Store
	Opts  Options

	catalog *locales.Catalog
	proxy   *dbProxy
	botDB   string // the bot's database URL, through proxy
	mu      sync.Mutex
	running []*Instance
	started int // instances started so far, to name each one's leases
	panics  atomic.Int64
}

// New starts a fake Telegram server, creates a database, and starts one
// bot instance. Everything stops when the test ends.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	e := &Env{T: t, TG: faketelegram.New(), DBURL: testdb.URL(t)}
	if len(opts) > 0 {
		e.Opts = opts[0]
	}
	t.Cleanup(e.TG.Close)
	pool, err := pgxpool.New(context.Background(), e.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	e.Pool, e.Store = pool, storage.New(pool)
	e.proxy, e.botDB = startDBProxy(t, e.DBURL)
	if e.catalog, err = locales.Load(); err != nil {
		t.Fatal(err)
	}
	e.Start()
	t.Cleanup(e.StopAll)
	return e
}

// Instance is one running bot process (as far as a test can tell: its own
// pool, intake and HTTP server).
type Instance struct {
	// Addr is the host:port of its HTTP server (health, webhook).
	Addr string
	// Owner is the name of its update leases (inbound_updates.claimed_by).
	Owner  string
	env    *Env
	cancel context.CancelFunc
	done   chan error
	pool   *pgxpool.Pool
	ln     net.Listener
	net    *killSwitch
	// dead is set by Kill: no new database connection is made.
	dead    atomic.Bool
	appName string
	// killAt, if set, kills the instance when one of its database queries
	// is about to be sent and killAt says so (see KillAtQuery).
	killAt atomic.Pointer[func(sql string, args []any) bool]
}

// WebhookPath is where the bot listens for webhook updates in tests.
const WebhookPath = "/telegram/webhook"

// Start starts another bot instance on the same server and database.
func (e *Env) Start() *Instance {
	e.T.Helper()
	e.mu.Lock()
	e.started++
	owner := fmt.Sprintf("test-%d", e.started)
	e.mu.Unlock()
	in := &Instance{Owner: owner, env: e, done: make(chan error, 1), net: newKillSwitch(),
		appName: fmt.Sprintf("bottest-%s-%d", owner, time.Now().UnixNano())}
	pcfg, err := pgxpool.ParseConfig(e.botDB)
	if err != nil {
		e.T.Fatal(err)
	}
	// The instance's connections carry its name, so that Kill can find
	// and end them, and no new one is made once it is dead.
	pcfg.ConnConfig.RuntimeParams["application_name"] = in.appName
	pcfg.BeforeConnect = func(context.Context, *pgx.ConnConfig) error {
		if in.dead.Load() {
			return errKilled
		}
		return nil
	}
	pcfg.ConnConfig.Tracer = killTracer{in}
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		e.T.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.T.Fatal(err)
	}
	var out io.Writer = testWriter{e.T}
	if e.Opts.Log != nil {
		out = e.Opts.Log
	}
	log := slog.New(panicCounter{slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}), &e.panics})
	cfg := instance.Config{Token: e.TG.Token(), APIURL: e.TG.URL(), Listener: ln, Admins: e.Opts.Admins,
		// Tests raise the send rate: only the pacing, not its speed, is theirs.
		DeliveryRate: cmp.Or(e.Opts.DeliveryRate, 1000),
		PollTimeout:  time.Second, SweepEvery: 200 * time.Millisecond, Now: e.Opts.Now, Catalog: e.catalog, Log: log,
		Owner: owner, Lease: e.Opts.Lease, IntakeWorkers: e.Opts.IntakeWorkers,
		RateLimit: cmp.Or(e.Opts.RateLimit, -1), RateWindow: e.Opts.RateWindow, ShutdownTimeout: e.Opts.ShutdownTimeout,
		WrapTransport: in.net.wrap, Translate: e.Opts.Translate}
	if e.Opts.WebhookSecret != "" {
		cfg.WebhookURL, cfg.WebhookSecret = "http://"+ln.Addr().String()+WebhookPath, e.Opts.WebhookSecret
	}
	inst, err := instance.New(storage.New(pool), cfg)
	if err != nil {
		e.T.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	in.Addr, in.cancel, in.pool, in.ln = ln.Addr().String(), cancel, pool, ln
	go func() { in.done <- inst.Run(ctx) }()
	e.waitReady(in)
	e.mu.Lock()
	e.running = append(e.running, in)
	e.mu.Unlock()
	return in
}

func (e *Env) waitReady(in *Instance) {
	e.T.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-in.done:
			e.T.Fatalf("bot stopped at start: %v", err)
		default:
		}
		resp, err := http.Get("http://" + in.Addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.T.Fatal("bot did not become ready")
}

// Stop shuts the instance down gracefully and waits for it.
func (in *Instance) Stop() error {
	in.cancel()
	err := <-in.done
	in.pool.Close()
	return err
}

// Kill ends the instance the way a crash or a power cut would, without
// its graceful shutdown: its database connections are cut (and no new one
// is made), its Bot API requests fail, those under way included, and its
// HTTP server stops listening. Whatever it held (update leases) stays held
// until the lease runs out. Kill returns once the remains of the instance
// have stopped; it is no longer among Running.
func (in *Instance) Kill() {
	e := in.env
	e.T.Helper()
	in.die()
	e.mu.Lock()
	e.running = slices.DeleteFunc(e.running, func(r *Instance) bool { return r == in })
	e.mu.Unlock()
	// What is left of the process can reach nothing any more; let its
	// goroutines end. The delivery engine waits for its running jobs, then
	// for their cancellation, up to its stop timeout each (10 s by
	// default), before it gives up on a database it cannot reach.
	in.cancel()
	select {
	case <-in.done:
	case <-time.After(2*delivery.DefaultStopTimeout + WaitTimeout):
		e.T.Error("a killed instance's goroutines did not end")
	}
	in.pool.Close()
}

// die cuts the instance off: the database first (so that nothing it does
// after losing the network reaches the database), then the network.
func (in *Instance) die() {
	if in.dead.Swap(true) {
		return
	}
	// Wait (up to 5 s) until each backend is gone, so that a query about
	// to be sent on one of them never runs.
	if _, err := in.env.Pool.Exec(context.Background(),
		`SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = $1`,
		in.appName); err != nil {
		in.env.T.Errorf("kill: %v", err)
	}
	in.net.kill()
	in.ln.Close()
}

// KillAtQuery arms a kill: when the instance is about to send a database
// query for which match(sql, args) is true, it is killed (Kill) before the
// query reaches the database, so that query never runs. It lets a test
// stop an instance between two steps, e.g. after a handler ran and before
// its update is marked done. Wait for the kill with Killed.
func (in *Instance) KillAtQuery(match func(sql string, args []any) bool) {
	in.killAt.Store(&match)
}

// Killed waits until the instance was killed by KillAtQuery, then cleans
// up after it like Kill.
func (in *Instance) Killed() {
	e := in.env
	e.T.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for !in.dead.Load() {
		if time.Now().After(deadline) {
			e.T.Fatal("the instance was not killed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	in.Kill()
}

// StopAll stops every running instance.
func (e *Env) StopAll() {
	e.mu.Lock()
	running := e.running
	e.running = nil
	e.mu.Unlock()
	for _, in := range running {
		if err := in.Stop(); err != nil {
			e.T.Errorf("bot stopped with error: %v", err)
		}
	}
}

// CutDatabase makes the database unreachable for the bot: its connections
// drop and new ones are refused. The test's own Pool still works.
func (e *Env) CutDatabase() { e.proxy.cut() }

// RestoreDatabase lets the bot reach the database again.
func (e *Env) RestoreDatabase() { e.proxy.restore() }

// Restart stops every instance and starts a new one on the same database.
func (e *Env) Restart() {
	e.T.Helper()
	e.StopAll()
	e.Start()
}

// WaitHandled waits until the bot has finished handling the update.
func (e *Env) WaitHandled(updateID int64) {
	e.T.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for {
		var done bool
		err := e.Pool.QueryRow(context.Background(),
			`SELECT done_at IS NOT NULL FROM inbound_updates WHERE update_id = $1`, updateID).Scan(&done)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			e.T.Fatal(err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("update %d was not handled within %s", updateID, WaitTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Panics is how many times a handler panicked (and Handle recovered) in
// any instance so far.
func (e *Env) Panics() int { return int(e.panics.Load()) }

// panicCounter counts the log records of recovered handler panics.
type panicCounter struct {
	slog.Handler
	n *atomic.Int64
}

func (h panicCounter) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "handler panicked" {
		h.n.Add(1)
	}
	return h.Handler.Handle(ctx, r)
}

func (h panicCounter) WithAttrs(as []slog.Attr) slog.Handler {
	return panicCounter{h.Handler.WithAttrs(as), h.n}
}

func (h panicCounter) WithGroup(name string) slog.Handler {
	return panicCounter{h.Handler.WithGroup(name), h.n}
}

// testWriter sends the bot's log lines to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

var _ io.Writer = testWriter{}

// User is a Telegram user in a private chat with the bot.
type User struct {
	env *Env
	TG  models.User
	// mark is how many of the bot's actions in this chat happened before
	// the user's last action.
	mark int
}

// User makes a Telegram user whose client reports languageCode.
func (e *Env) User(id int64, languageCode, firstName string) *User {
	return &User{env: e, TG: models.User{ID: id, FirstName: firstName, LanguageCode: languageCode,
		Username: fmt.Sprintf("user%d", id)}}
}

// Started is User for someone who has already sent /start.
func (e *Env) Started(id int64, languageCode, firstName string) *User {
	e.T.Helper()
	return e.User(id, languageCode, firstName).Say("/start")
}

// ID is the user's Telegram id, which is also their private chat's id.
func (u *User) ID() int64 { return u.TG.ID }

func (u *User) act(do func() int64) *User {
	u.env.T.Helper()
	u.mark = len(u.env.TG.Sent(u.TG.ID))
	u.env.WaitHandled(do())
	return u
}

// Say sends text (a command or an answer) and waits until it is handled.
func (u *User) Say(text string) *User {
	u.env.T.Helper()
	return u.act(func() int64 { return u.env.TG.SendMessage(u.TG, text) })
}

// SendPhoto sends the bot a photo with caption, waits until it is handled
// and returns the photo's file_id.
func (u *User) SendPhoto(caption string) string {
	u.env.T.Helper()
	var fileID string
	u.act(func() int64 {
		id, f := u.env.TG.SendPhoto(u.TG, caption)
		fileID = f
		return id
	})
	return fileID
}

// SendDocument sends the bot a file named fileName holding content, waits
// until it is handled and returns the document's file_id.
func (u *User) SendDocument(fileName string, content []byte) string {
	u.env.T.Helper()
	var fileID string
	u.act(func() int64 {
		id, f := u.env.TG.SendDocument(u.TG, fileName, content)
		fileID = f
		return id
	})
	return fileID
}

// Forward forwards a message written by original to the bot.
func (u *User) Forward(original models.User, text string) *User {
	u.env.T.Helper()
	return u.act(func() int64 { return u.env.TG.ForwardMessage(u.TG, original, text) })
}

// Press presses the inline button labelled label on the newest bot
// message that has one.
func (u *User) Press(label string) *User {
	u.env.T.Helper()
	return u.act(func() int64 {
		id, _, err := u.env.TG.PressButtonByText(u.TG, label)
		if err != nil {
			u.env.T.Fatalf("%s cannot press %q: %v\nthe bot said:\n%s", u.TG.FirstName, label, err, u.Transcript())
		}
		return id
	})
}

// PressData sends a callback with arbitrary data on the bot's newest
// message, as a modified client could.
func (u *User) PressData(data string) *User {
	u.env.T.Helper()
	return u.act(func() int64 {
		msgs := u.env.TG.Messages(u.TG.ID)
		msgID := 0
		if len(msgs) > 0 {
			msgID = msgs[len(msgs)-1].ID
		}
		id, _ := u.env.TG.PressButton(u.TG, msgID, data)
		return id
	})
}

// Replies is what the bot did in this chat since the user's last action:
// new messages, and edits (Edited) of earlier ones.
func (u *User) Replies() []faketelegram.Message {
	sent := u.env.TG.Sent(u.TG.ID)
	if u.mark > len(sent) {
		return nil
	}
	return sent[u.mark:]
}

// Last is the bot's newest action in this chat.
func (u *User) Last() faketelegram.Message {
	u.env.T.Helper()
	sent := u.env.TG.Sent(u.TG.ID)
	if len(sent) == 0 {
		u.env.T.Fatalf("the bot has not said anything to %s", u.TG.FirstName)
	}
	return sent[len(sent)-1]
}

// Expect fails the test unless one of the replies to the last action
// contains every one of parts (in the HTML the bot sent).
func (u *User) Expect(parts ...string) faketelegram.Message {
	u.env.T.Helper()
	for _, m := range u.Replies() {
		if containsAll(m.Text, parts) {
			return m
		}
	}
	u.env.T.Fatalf("%s expected a reply containing %q; the bot replied:\n%s", u.TG.FirstName, parts, u.Transcript())
	return faketelegram.Message{}
}

// WaitFor waits until the bot has sent this chat, since the user's last
// action, a message containing every one of parts, and returns it. It is
// Expect for what comes through the delivery engine: a notice caused by
// someone else's action arrives after that action was handled.
func (u *User) WaitFor(parts ...string) faketelegram.Message {
	u.env.T.Helper()
	var found faketelegram.Message
	err := u.env.TG.WaitUntil(WaitTimeout, func(sn *faketelegram.Snapshot) bool {
		sent := sn.Sent(u.TG.ID)
		for _, m := range sent[min(u.mark, len(sent)):] {
			if containsAll(m.Text, parts) {
				found = m
				return true
			}
		}
		return false
	})
	if err != nil {
		u.env.T.Fatalf("%s waited for a message containing %q; the bot sent:\n%s", u.TG.FirstName, parts, u.Transcript())
	}
	return found
}

// ExpectNot fails the test if a reply to the last action contains s.
func (u *User) ExpectNot(s string) {
	u.env.T.Helper()
	for _, m := range u.Replies() {
		if strings.Contains(m.Text, s) {
			u.env.T.Fatalf("%s got a reply containing %q:\n%s", u.TG.FirstName, s, m.Text)
		}
	}
}

// ExpectSilence fails the test if the bot reacted to the last action.
func (u *User) ExpectSilence() {
	u.env.T.Helper()
	if r := u.Replies(); len(r) > 0 {
		u.env.T.Fatalf("%s expected no reply; the bot replied:\n%s", u.TG.FirstName, u.Transcript())
	}
}

// Transcript renders the replies to the last action for failure messages.
func (u *User) Transcript() string {
	var b strings.Builder
	for _, m := range u.Replies() {
		kind := m.Method
		fmt.Fprintf(&b, "--- %s #%d\n%s\n", kind, m.ID, m.Text)
		for _, row := range m.Buttons() {
			for _, btn := range row {
				fmt.Fprintf(&b, "[%s → %s] ", btn.Text, btn.CallbackData)
			}
			b.WriteString("\n")
		}
	}
	if b.Len() == 0 {
		return "(nothing)"
	}
	return b.String()
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// Loc is the localizer for lang, to build expected texts from locales
// instead of copying them into tests.
func (e *Env) Loc(lang string) *locales.Localizer { return e.catalog.For(lang) }

// Running lists the running instances, oldest first.
func (e *Env) Running() []*Instance {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*Instance(nil), e.running...)
}
