package intake

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// lockedBuffer is a log sink the poller's goroutine and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestPollerConflictIsNotAnError: when another instance polls with the
// same token, Telegram ends each long poll with 409 Conflict. That is
// expected with several polling instances: the poller says so once as a
// warning (pointing to the webhook) and keeps polling, instead of an
// error line at every poll.
func TestPollerConflictIsNotAnError(t *testing.T) {
	t.Parallel()
	var polls atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if polls.Add(1) >= 3 {
			cancel()
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		w.Write([]byte(`{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}`))
	}))
	defer srv.Close()
	var logs lockedBuffer
	p := &Poller{URL: srv.URL, Token: "123:abc", Client: srv.Client(), Log: slog.New(slog.NewTextHandler(&logs, nil))}
	p.Run(ctx)

	out := logs.String()
	if polls.Load() < 3 {
		t.Fatalf("the poller stopped after %d polls", polls.Load())
	}
	if strings.Contains(out, "level=ERROR") {
		t.Errorf("a conflict was logged as an error:\n%s", out)
	}
	if n := strings.Count(out, "another instance polls with this token"); n != 1 {
		t.Errorf("%d warnings about another instance in %d polls, want 1:\n%s", n, polls.Load(), out)
	}
}
