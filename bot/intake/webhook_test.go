package intake

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// records is a slog handler that keeps the records it gets.
type records struct {
	mu  sync.Mutex
	all []slog.Record
}

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.all = append(h.all, r.Clone())
	return nil
}
func (h *records) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *records) WithGroup(string) slog.Handler      { return h }

// TestWrongSecretLoggedAtMostOnceAMinute: anyone can send requests with a
// wrong secret; they are refused, and the log gets one line for them a
// minute, not one each. Security review, finding 14.
func TestWrongSecretLoggedAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	rec := &records{}
	h := WebhookHandler("right-secret-right-secret", nil, slog.New(rec))
	for i := range 50 {
		req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(`{"update_id":1}`))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "wrong-secret-"+strings.Repeat("x", i))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("request %d: status %d, want 401", i, w.Code)
		}
	}
	if len(rec.all) != 1 {
		t.Fatalf("%d log lines for 50 refused requests, want 1", len(rec.all))
	}
}

func TestSampler(t *testing.T) {
	t.Parallel()
	s := &sampler{every: time.Minute}
	t0 := time.Date(2025, 6, 17, 10, 0, 0, 0, time.UTC)
	if ok, n := s.allow(t0); !ok || n != 0 {
		t.Fatalf("first event: %v %d", ok, n)
	}
	for i := range 7 {
		if ok, _ := s.allow(t0.Add(time.Duration(i+1) * time.Second)); ok {
			t.Fatalf("event %d within the minute let through", i+1)
		}
	}
	if ok, n := s.allow(t0.Add(61 * time.Second)); !ok || n != 7 {
		t.Fatalf("after the minute: %v with %d suppressed, want true with 7", ok, n)
	}
	if ok, _ := s.allow(t0.Add(62 * time.Second)); ok {
		t.Fatal("the minute starts again from the last line logged")
	}
}

// TestServerLimits: the intake's HTTP server refuses oversized headers and
// has every timeout set, so slow or idle clients cannot hold connections.
// Security review, finding 14.
func TestServerLimits(t *testing.T) {
	t.Parallel()
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Fatalf("timeouts not all set: %+v", srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	get := func(header int) int {
		req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/healthz", nil)
		req.Header.Set("X-Padding", strings.Repeat("a", header))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(100); got != http.StatusOK {
		t.Fatalf("small header: %d", got)
	}
	if got := get(64 << 10); got != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("64 KiB of headers: %d, want 431", got)
	}
}
