package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/delivery"
)

var errKilled = errors.New("process killed")

// killSwitch is the HTTP transport of an instance the test kills: when the
// instance starts its at-th sendMessage, kill runs, and neither that
// request nor any later one leaves the instance. Requests already on the wire finish first,
// so the instance dies between two sends, not during one (a crash during
// the Bot API call itself leaves it unknowable whether the message went
// out; the engine then sends it again, which no test can tell from a bug).
type killSwitch struct {
	next  http.RoundTripper
	at    int64
	kill  func()
	sends atomic.Int64
	mu    sync.RWMutex
	dead  bool
}

func (k *killSwitch) RoundTrip(r *http.Request) (*http.Response, error) {
	k.mu.RLock()
	if !k.dead && (!strings.HasSuffix(r.URL.Path, "/sendMessage") || k.sends.Add(1) < k.at) {
		defer k.mu.RUnlock()
		return k.next.RoundTrip(r)
	}
	k.mu.RUnlock()
	if r.Body != nil {
		r.Body.Close()
	}
	k.mu.Lock()
	first := !k.dead
	k.dead = true
	k.mu.Unlock()
	if first {
		k.kill()
	}
	return nil, errKilled
}

// killablePool is a pool the test can cut off from the database for good,
// as when its process dies: its connections are terminated and no new one
// is made.
func (e *env) killablePool() (pool *pgxpool.Pool, kill func()) {
	e.t.Helper()
	cfg, err := pgxpool.ParseConfig(e.url)
	if err != nil {
		e.t.Fatal(err)
	}
	name := fmt.Sprintf("doomed-%d", time.Now().UnixNano())
	cfg.ConnConfig.RuntimeParams["application_name"] = name
	var dead atomic.Bool
	cfg.BeforeConnect = func(context.Context, *pgx.ConnConfig) error {
		if dead.Load() {
			return errKilled
		}
		return nil
	}
	pool, err = pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return pool, func() {
		dead.Store(true)
		if _, err := e.pool.Exec(context.Background(),
			`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, name); err != nil {
			e.t.Error(err)
		}
	}
}

func (e *env) count(q string) int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), q).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// expectOncePerChat checks that every chat got exactly the wanted texts,
// each once, and that nothing else was sent.
func (e *env) expectOncePerChat(want map[int64][]string) {
	e.t.Helper()
	total := 0
	for chat, texts := range want {
		total += len(texts)
		got := map[string]int{}
		for _, m := range e.fake.Sent(chat) {
			got[m.Text]++
		}
		for _, text := range texts {
			if got[text] != 1 {
				e.t.Errorf("chat %d got %q %d times, want once", chat, text, got[text])
			}
		}
		if len(e.fake.Sent(chat)) != len(texts) {
			e.t.Errorf("chat %d got %d messages, want %d", chat, len(e.fake.Sent(chat)), len(texts))
		}
	}
	if n := countOK(e.fake.Calls("sendMessage")); n != total {
		e.t.Errorf("Telegram accepted %d messages, want %d", n, total)
	}
}

// TestKilledInstanceLosesAndDuplicatesNothing kills an instance in the
// middle of a delivery (jobs running, completions not yet recorded) and
// starts another on the same database.
func TestKilledInstanceLosesAndDuplicatesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n, killAt = 60, 21
	want := map[int64][]string{}
	var ms []delivery.Message
	for i := range int64(n) {
		chat := 1000 + i
		e.chats(chat)
		want[chat] = []string{fmt.Sprintf("note %d.0", i)}
		ms = append(ms, e.note(chat, i))
	}

	// River's rescuer takes a job as stuck by comparing when it started, by
	// the clock the engines share, with the real time. A runs an hour
	// back, so that what it leaves running is stuck at once for B, which
	// runs on the real time; A itself never rescues (RescueAfter 3h).
	e.clock.Set(time.Now().Add(-time.Hour))
	poolA, cutDB := e.killablePool()
	killed := make(chan struct{})
	ks := &killSwitch{next: http.DefaultTransport, at: killAt, kill: func() {
		// Let the sends Telegram accepted be recorded, then die.
		e.eventually("accepted sends are recorded", func() bool {
			return e.count(`SELECT count(*) FROM delivery_sent`) == countOK(e.fake.Calls("sendMessage"))
		})
		cutDB()
		close(killed)
	}}
	a := e.start(startOpts{pool: poolA, transport: ks, abandon: true,
		cfg: delivery.Config{Rate: 50, Workers: 10, RescueAfter: 3 * time.Hour}})
	e.schedule(a.engine, ms...)
	select {
	case <-killed:
	case <-time.After(waitLong):
		t.Fatal("the instance was never killed")
	}
	a.cancel()
	if sent, running := e.count(`SELECT count(*) FROM delivery_sent`), e.count(`SELECT count(*) FROM river_job WHERE state = 'running'`); sent != killAt-1 || running == 0 {
		t.Fatalf("at the kill: %d sent and %d jobs running, want %d sent and some running", sent, running, killAt-1)
	}

	// An hour later, long past the dead leader's lease, B takes over.
	e.clock.Set(time.Now())
	e.start(startOpts{cfg: delivery.Config{Rate: 50, Workers: 10}})
	e.waitSends(n)
	e.settled()
	e.expectOncePerChat(want)
	if taken := e.count(`SELECT count(*) FROM river_job WHERE cardinality(attempted_by) > 1`); taken == 0 {
		t.Error("no job was taken over from the killed instance")
	}
}

func TestTwoInstancesSendEachMessageOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cfg := delivery.Config{Rate: 500, Workers: 20}
	a := e.start(startOpts{cfg: cfg})
	e.start(startOpts{cfg: cfg})
	want := map[int64][]string{}
	var ms []delivery.Message
	for i := range int64(100) {
		chat := 2000 + i
		e.chats(chat)
		for v := int64(1); v <= 2; v++ {
			ms = append(ms, delivery.Message{ChatID: chat, Kind: "note", Ref: i, Variant: v})
			want[chat] = append(want[chat], fmt.Sprintf("note %d.%d", i, v))
		}
	}
	e.schedule(a.engine, ms...)
	e.waitSends(len(ms))
	e.settled()
	e.expectOncePerChat(want)
}
