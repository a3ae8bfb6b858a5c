package bottest

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"partnerbot/delivery"
)

var errKilled = errors.New("bottest: instance killed")

// StartKillable starts another instance, as Start, that the test can kill
// as if its process died: kill stops its delivery engine's requests to the
// Bot API (those on the wire finish first, so it dies between two sends,
// not during one, whose fate nobody could know), then cuts it from the
// database for good and stops it without waiting. Its jobs are left to
// the other instances (River rescues those it left running).
func (e *Env) StartKillable() (in *Instance, kill func()) {
	e.T.Helper()
	proxy, url := startDBProxy(e.T, e.DBURL)
	ks := &killSwitch{next: delivery.HTTPClient(0).Transport}
	logTo := &quietAfterKill{w: testWriter{e.T}}
	in = e.start(url, ks, logTo)
	kill = func() {
		ks.dead.Store(true)
		deadline := time.Now().Add(WaitTimeout)
		for ks.inFlight.Load() > 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		// Let the sends that got through be recorded, as a process does
		// until the moment it dies.
		time.Sleep(500 * time.Millisecond)
		logTo.mute()
		proxy.cut()
		e.mu.Lock()
		for i, r := range e.running {
			if r == in {
				e.running = append(e.running[:i], e.running[i+1:]...)
				break
			}
		}
		e.mu.Unlock()
		in.cancel()
		// Its shutdown fails without a database; it is waited for (so it
		// logs nothing after the test) but its error is not the test's.
		e.T.Cleanup(func() {
			select {
			case <-in.done:
			case <-time.After(time.Minute):
			}
			in.pool.Close()
		})
	}
	return in, kill
}

// killSwitch refuses every Bot API request once dead and counts those on
// the wire.
type killSwitch struct {
	next     http.RoundTripper
	dead     atomic.Bool
	inFlight atomic.Int64
}

func (k *killSwitch) RoundTrip(r *http.Request) (*http.Response, error) {
	k.inFlight.Add(1)
	defer k.inFlight.Add(-1)
	if k.dead.Load() {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errKilled
	}
	return k.next.RoundTrip(r)
}

// quietAfterKill passes log lines on until the instance is killed; a dead
// process says nothing more.
type quietAfterKill struct {
	mu    sync.Mutex
	w     io.Writer
	muted bool
}

func (q *quietAfterKill) mute() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.muted = true
}

func (q *quietAfterKill) Write(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.muted || strings.TrimSpace(string(p)) == "" {
		return len(p), nil
	}
	return q.w.Write(p)
}
