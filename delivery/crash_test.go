package delivery_test

import (
	"context"
	"encoding/json"
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
// is made. kill returns once its server processes are gone, so that what
// it committed is all it will ever commit.
func (e *env) killablePool() (pool *pgxpool.Pool, kill func()) {
	e.t.Helper()
	cfg, err := pgxpool.ParseConfig(e.url)
	if err != nil {
		e.t.Fatal(err)
	}
	name := fmt.Sprintf("doomed-%d", time.Now().UnixNano())
	cfg.ConnConfig.RuntimeParams["application_name"] = name
	var dead atomic.Bool
	refuse := func() error {
		if dead.Load() {
			return errKilled
		}
		return nil
	}
	cfg.BeforeConnect = func(context.Context, *pgx.ConnConfig) error { return refuse() }
	cfg.AfterConnect = func(context.Context, *pgx.Conn) error { return refuse() }
	pool, err = pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return pool, func() {
		dead.Store(true)
		// One statement signals every connection at once, as a dying
		// process loses them all at once.
		if _, err := e.pool.Exec(context.Background(),
			`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, name); err != nil {
			e.t.Error(err)
		}
		e.eventually("the dead instance's connections are gone", func() bool {
			return e.count(fmt.Sprintf(`SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s'`, name)) == 0
		})
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
	// Both instances did part of the work (River records the client of
	// every attempt), so the test would notice one that silently idled.
	rows, err := e.pool.Query(context.Background(), `
		SELECT client, count(*) FROM river_job, unnest(attempted_by) AS client
		WHERE kind = 'delivery_send' GROUP BY client`)
	if err != nil {
		t.Fatal(err)
	}
	byClient := map[string]int{}
	for rows.Next() {
		var client string
		var n int
		if err := rows.Scan(&client, &n); err != nil {
			t.Fatal(err)
		}
		byClient[client] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(byClient) != 2 {
		t.Errorf("attempts by client %v, want both instances", byClient)
	}
	t.Logf("attempts by client: %v", byClient)
}

// dieAfterAccept is the HTTP transport of an instance that dies right
// after Telegram accepted a message, when accepted says so: that answer
// never reaches the engine, and no later request leaves the instance.
// Requests already on their way finish; inflight tells when they have.
type dieAfterAccept struct {
	next http.RoundTripper
	// accepted is told the number of every message Telegram accepted
	// and answers whether the instance dies now.
	accepted func(n int64) (die bool)
	kill     func()
	sends    atomic.Int64
	killer   atomic.Int64 // the chat of the message whose answer was never read
	inflight sync.WaitGroup
	mu       sync.RWMutex
	dead     bool
}

func (k *dieAfterAccept) RoundTrip(r *http.Request) (*http.Response, error) {
	k.mu.RLock()
	if k.dead {
		k.mu.RUnlock()
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errKilled
	}
	k.inflight.Add(1)
	k.mu.RUnlock()
	defer k.inflight.Done()
	resp, err := k.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasSuffix(r.URL.Path, "/sendMessage") || !k.accepted(k.sends.Add(1)) {
		return resp, err
	}
	var answer struct {
		Result struct {
			Chat struct{ ID int64 } `json:"chat"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err == nil {
		k.killer.Store(answer.Result.Chat.ID)
	}
	resp.Body.Close()
	k.kill()
	k.mu.Lock()
	k.dead = true
	k.mu.Unlock()
	return nil, errKilled
}

// TestCrashAfterTelegramAcceptedSendsOnlyThoseAgain kills an instance
// while messages Telegram accepted wait to be recorded in delivery_sent
// (records are written in batches; the test holds a lock that makes the
// batch wait), the last of them so soon after Telegram's answer that the
// engine never read it. Another instance then takes over. This is the one
// window in which a message goes out twice: it runs from the request to
// the commit of the batch that records it. The test finds the messages in
// that window at the kill (accepted, not recorded) and requires that no
// other message is sent twice, none of them more than twice, the one whose
// answer was never read exactly twice, and nothing is lost. (Others in the
// window may go out once only: when recording fails, the engine still
// completes the job, and River may have recorded that in the moment the
// connections were dying one after the other.)
func TestCrashAfterTelegramAcceptedSendsOnlyThoseAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// From the lockAt-th accepted message on, records wait; the instance
	// dies after the killAt-th (fewer than its 10 workers later, as all of
	// them end up waiting for the record).
	const n, lockAt, killAt = 60, 11, 16
	var ms []delivery.Message
	text := map[int64]string{}
	for i := range int64(n) {
		chat := 4000 + i
		e.chats(chat)
		ms = append(ms, e.note(chat, i))
		text[chat] = fmt.Sprintf("note %d.0", i)
	}

	// As in TestKilledInstanceLosesAndDuplicatesNothing: A runs an hour
	// back, so that B finds A's running jobs stuck at once.
	e.clock.Set(time.Now().Add(-time.Hour))
	poolA, cutDB := e.killablePool()
	killed := make(chan struct{})
	var lock pgx.Tx
	var held []int64
	tr := &dieAfterAccept{next: delivery.HTTPClient(10).Transport, kill: func() {
		cutDB()
		close(killed)
	}}
	tr.accepted = func(n int64) bool {
		var err error
		switch n {
		case 1:
			// The jobs running now will be recorded as sent but not as
			// completed: the one who takes over must find them sent.
			if lock, err = e.pool.Begin(context.Background()); err == nil {
				var rows pgx.Rows
				if rows, err = lock.Query(context.Background(), `SELECT id FROM river_job WHERE state = 'running' FOR UPDATE`); err == nil {
					held, err = pgx.CollectRows(rows, pgx.RowTo[int64])
				}
			}
		case lockAt:
			// SHARE blocks the batch's INSERT, not the reservations'
			// reads of delivery_sent.
			_, err = lock.Exec(context.Background(), `LOCK TABLE delivery_sent IN SHARE MODE`)
		}
		if err != nil {
			t.Error(err)
		}
		return n == killAt
	}
	a := e.start(startOpts{pool: poolA, transport: tr, abandon: true,
		cfg: delivery.Config{Rate: 50, Workers: 10, RescueAfter: 3 * time.Hour}})
	e.schedule(a.engine, ms...)
	select {
	case <-killed:
	case <-time.After(waitLong):
		t.Fatal("the instance was never killed")
	}
	a.cancel()
	tr.inflight.Wait()
	if lock != nil {
		if err := lock.Rollback(context.Background()); err != nil {
			t.Fatal(err)
		}
	}

	// The window at the kill: accepted by Telegram, not recorded as sent.
	recorded := map[int64]bool{}
	rows, err := e.pool.Query(context.Background(), `
		SELECT (j.args->>'chat_id')::bigint FROM delivery_sent s JOIN river_job j ON j.id = s.job_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var chat int64
		if err := rows.Scan(&chat); err != nil {
			t.Fatal(err)
		}
		recorded[chat] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	window := map[int64]bool{}
	accepted := 0
	for chat := range text {
		if len(e.fake.Sent(chat)) > 0 {
			accepted++
			if !recorded[chat] {
				window[chat] = true
			}
		}
	}
	unread := tr.killer.Load()
	if !window[unread] {
		t.Fatalf("the message whose answer was never read went to chat %d, not in the window %v", unread, window)
	}
	if accepted < killAt || len(window) < killAt-lockAt || len(recorded)+len(window) != accepted {
		t.Fatalf("at the kill: %d accepted, %d recorded, %d in the window; want at least %d accepted and %d in the window",
			accepted, len(recorded), len(window), killAt, killAt-lockAt)
	}
	var sentNotDone int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job j JOIN delivery_sent s ON s.job_id = j.id
		WHERE j.state = 'running' AND j.id = ANY ($1)`, held).Scan(&sentNotDone); err != nil {
		t.Fatal(err)
	}
	if sentNotDone == 0 {
		t.Fatalf("no job was left recorded as sent but running (held %v)", held)
	}
	t.Logf("at the kill: %d accepted, %d of them not yet recorded; %d recorded but their jobs still running", accepted, len(window), sentNotDone)

	e.clock.Set(time.Now())
	e.start(startOpts{cfg: delivery.Config{Rate: 50, Workers: 10}})
	e.waitSends(n + 1)
	e.settled()
	again := 0
	for chat, want := range text {
		got := e.fake.Sent(chat)
		switch {
		case len(got) == 0:
			t.Errorf("chat %d got nothing: the message was lost", chat)
		case len(got) > 2 || (len(got) == 2 && !window[chat]):
			t.Errorf("chat %d got %d messages (in the window at the kill: %v)", chat, len(got), window[chat])
		case chat == unread && len(got) != 2:
			t.Errorf("chat %d got %d messages; its first was accepted but the answer never read, so it goes again", chat, len(got))
		}
		if len(got) == 2 {
			again++
		}
		for _, m := range got {
			if m.Text != want {
				t.Errorf("chat %d got %q, want %q", chat, m.Text, want)
			}
		}
	}
	t.Logf("sent again: %d of the %d in the window", again, len(window))
}

// TestKilledInstanceIsTakenOverAfterThreeMinutes: with the default
// RescueAfter, the jobs a killed instance left running are taken over
// once three minutes have passed (the README's "within about three
// minutes": RescueAfter is two minutes, River's rescuer looks every 30
// seconds), also when no other instance saw it beat (an instance of a
// version before the beat, or one whose row was lost). River's rescuer
// measures by the system clock how long a job has run since the time
// River stamped on it by the engines' injected clock, so the test runs
// the doomed instance three minutes in the past and moves the clock on by
// three minutes when it dies: for the instance that takes over, A's jobs
// then started three minutes ago.
func TestKilledInstanceIsTakenOverAfterThreeMinutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.clock.Set(time.Now().Add(-3 * time.Minute))
	n, want, running := e.killWhileSending()
	if _, err := e.pool.Exec(context.Background(), `DELETE FROM delivery_instances`); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Minute)
	e.start(startOpts{cfg: delivery.Config{Rate: 50, Workers: 10}})
	e.waitSends(n)
	e.settled()
	e.expectOncePerChat(want)
	e.expectTakenOver(running)
}

// TestGoneInstanceIsTakenOverWithinSeconds: an instance that stops
// beating (killed, or cut off from the database) has its running jobs
// taken over by another once it has been silent for ten seconds, not
// after River's rescue time: the whole run ends within waitSends' 30
// seconds, where River alone would take minutes.
func TestGoneInstanceIsTakenOverWithinSeconds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	n, want, running := e.killWhileSending()
	e.start(startOpts{cfg: delivery.Config{Rate: 50, Workers: 10}})
	e.waitSends(n)
	e.settled()
	e.expectOncePerChat(want)
	e.expectTakenOver(running)
}

// killWhileSending starts an instance sending 30 notes and kills it (its
// database connections cut, its requests refused) after its 11th send,
// leaving jobs running. It returns how many notes there are, what each
// chat must get, and how many jobs were left running.
func (e *env) killWhileSending() (n int, want map[int64][]string, running int) {
	e.t.Helper()
	const killAt = 11
	n = 30
	want = map[int64][]string{}
	var ms []delivery.Message
	for i := range int64(n) {
		chat := 5000 + i
		e.chats(chat)
		want[chat] = []string{fmt.Sprintf("note %d.0", i)}
		ms = append(ms, e.note(chat, i))
	}
	poolA, cutDB := e.killablePool()
	killed := make(chan struct{})
	ks := &killSwitch{next: http.DefaultTransport, at: killAt, kill: func() {
		e.eventually("accepted sends are recorded", func() bool {
			return e.count(`SELECT count(*) FROM delivery_sent`) == countOK(e.fake.Calls("sendMessage"))
		})
		cutDB()
		close(killed)
	}}
	a := e.start(startOpts{pool: poolA, transport: ks, abandon: true, cfg: delivery.Config{Rate: 50, Workers: 10}})
	e.schedule(a.engine, ms...)
	select {
	case <-killed:
	case <-time.After(waitLong):
		e.t.Fatal("the instance was never killed")
	}
	a.cancel()
	running = e.count(`SELECT count(*) FROM river_job WHERE state = 'running'`)
	if running == 0 {
		e.t.Fatal("the killed instance left no job running")
	}
	return n, want, running
}

// expectTakenOver checks that the jobs left running were run again by
// another instance.
func (e *env) expectTakenOver(running int) {
	e.t.Helper()
	if taken := e.count(`SELECT count(*) FROM river_job WHERE cardinality(attempted_by) > 1`); taken < running {
		e.t.Errorf("%d jobs taken over, want the %d the killed instance left running", taken, running)
	}
}
