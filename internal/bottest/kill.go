package bottest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

var errKilled = errors.New("bottest: instance killed")

// killSwitch is the network of one instance: every Bot API client of the
// instance goes through it. kill makes each request fail, those under way
// included (their contexts are cancelled), as when the process dies.
type killSwitch struct {
	ctx    context.Context // cancelled by kill
	cancel context.CancelFunc

	mu   sync.Mutex
	dead bool
	// refusing lets no new request pass while those under way (inFlight)
	// finish: KillBetweenSends.
	refusing atomic.Bool
	inFlight atomic.Int64
}

func newKillSwitch() *killSwitch {
	ctx, cancel := context.WithCancel(context.Background())
	return &killSwitch{ctx: ctx, cancel: cancel}
}

// wrap is instance.Config.WrapTransport.
func (k *killSwitch) wrap(next http.RoundTripper) http.RoundTripper {
	return killableTransport{k: k, next: next}
}

func (k *killSwitch) kill() {
	k.mu.Lock()
	k.dead = true
	k.mu.Unlock()
	k.cancel()
}

type killableTransport struct {
	k    *killSwitch
	next http.RoundTripper
}

func (t killableTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.k.mu.Lock()
	dead := t.k.dead
	t.k.mu.Unlock()
	if dead || t.k.refusing.Load() {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errKilled
	}
	t.k.inFlight.Add(1)
	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(t.k.ctx, cancel)
	resp, err := t.next.RoundTrip(r.WithContext(ctx))
	if err != nil {
		stop()
		cancel()
		t.k.inFlight.Add(-1)
		return nil, err
	}
	resp.Body = &bodyCloser{ReadCloser: resp.Body, done: func() { stop(); cancel(); t.k.inFlight.Add(-1) }}
	return resp, nil
}

// bodyCloser releases the request's context once the body is closed.
type bodyCloser struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *bodyCloser) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

// killTracer kills its instance just before a query KillAtQuery chose is
// sent.
type killTracer struct{ in *Instance }

func (k killTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if m := k.in.killAt.Load(); m != nil && (*m)(data.SQL, data.Args) {
		k.in.killAt.Store(nil)
		k.in.die()
	}
	return ctx
}

func (killTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart does for a batch (sent as a whole) what TraceQueryStart
// does for a query: a kill chosen for one of its queries comes before the
// batch is sent.
func (k killTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	m := k.in.killAt.Load()
	if m == nil {
		return ctx
	}
	for _, q := range data.Batch.QueuedQueries {
		if (*m)(q.SQL, q.Arguments) {
			k.in.killAt.Store(nil)
			k.in.die()
			break
		}
	}
	return ctx
}

func (killTracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (killTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// KillBetweenSends kills the instance (Kill) between two Bot API requests
// rather than during one, whose fate nobody could know: new requests are
// refused at once, those on the wire finish and what they did is given a
// moment to be recorded, as a process does until the moment it dies.
// Tests that count duplicates use it; Kill is for the risky moments.
func (in *Instance) KillBetweenSends() {
	in.env.T.Helper()
	in.net.refusing.Store(true)
	deadline := time.Now().Add(WaitTimeout)
	for in.net.inFlight.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	in.Kill()
}

// StartKillable starts another instance, as Start, with the function
// that kills it between two sends (KillBetweenSends).
func (e *Env) StartKillable() (in *Instance, kill func()) {
	e.T.Helper()
	in = e.Start()
	return in, in.KillBetweenSends
}
