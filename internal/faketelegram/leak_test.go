package faketelegram_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"partnerbot/internal/faketelegram"
)

// TestCloseLeavesNoGoroutines closes the server while a long poll and a
// delayed fault are pending, after webhook deliveries.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	http.DefaultClient.CloseIdleConnections()
	before := runtime.NumGoroutine()

	srv := faketelegram.New()
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	postJSON(t, srv, "setWebhook", map[string]any{"url": hook.URL})
	srv.SendMessage(alice, "delivered")
	postJSON(t, srv, "deleteWebhook", nil)
	last := srv.SendMessage(alice, "confirmed by the poll")

	done := make(chan struct{}, 2)
	go func() {
		postJSON(t, srv, "getUpdates", map[string]any{"offset": last + 1, "timeout": 60})
		done <- struct{}{}
	}()
	srv.FailNext("getMe", faketelegram.Fault{Code: 500, Delay: time.Minute})
	go func() { // may reach the server before or after Close
		if resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/getMe", "", nil); err == nil {
			resp.Body.Close()
		}
		done <- struct{}{}
	}()
	err := srv.WaitUntil(0, func(s *faketelegram.Snapshot) bool { return s.LongPolls() == 1 })
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	hook.Close()
	<-done
	<-done
	http.DefaultClient.CloseIdleConnections()

	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after Close:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
}
