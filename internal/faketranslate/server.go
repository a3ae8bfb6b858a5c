package faketranslate

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// faults is what both fakes share: failures queued by tests, a delay
// before every answer, and the count of requests and characters.
type faults struct {
	mu       sync.Mutex
	queue    []int // statuses of the next answers
	delay    time.Duration
	requests int
	chars    int
	// mangle: HTML comes back without its closing tags (MangleHTML).
	mangle bool
}

// MangleHTML makes translations of HTML come back without their closing
// tags (or, with false, as documented again).
func (f *faults) MangleHTML(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mangle = on
}

// answer translates text into target as the fakes do: as HTML when
// html, then mangled if so told (MangleHTML).
func (f *faults) answer(text, target string, html bool) string {
	if !html {
		return Translate(text, target)
	}
	f.mu.Lock()
	mangle := f.mangle
	f.mu.Unlock()
	if mangle {
		return MangleHTML(TranslateHTML(text, target))
	}
	return TranslateHTML(text, target)
}

// FailNext makes the next times answers fail with status, in the
// provider's own error shape; queued failures come before earlier ones
// end.
func (f *faults) FailNext(status, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range times {
		f.queue = append(f.queue, status)
	}
}

// Delay makes every answer wait d first (to test time-outs).
func (f *faults) Delay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

// Requests returns how many translation requests arrived.
func (f *faults) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// Chars returns how many characters were translated.
func (f *faults) Chars() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.chars
}

// begin counts a request, waits the delay (or until the client gives up)
// and returns the status of a queued failure, 0 for none.
func (f *faults) begin(r *http.Request) int {
	f.mu.Lock()
	f.requests++
	d := f.delay
	status := 0
	if len(f.queue) > 0 {
		status, f.queue = f.queue[0], f.queue[1:]
	}
	f.mu.Unlock()
	if d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
		}
	}
	return status
}

func (f *faults) count(n int) {
	f.mu.Lock()
	f.chars += n
	f.mu.Unlock()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func start(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
