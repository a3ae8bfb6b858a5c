package intake

import (
	"crypto/subtle"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// WebhookHandler receives updates from Telegram. A request without the
// right X-Telegram-Bot-Api-Secret-Token is refused with 401 and nothing is
// recorded; such refusals are logged at most once a minute, with the
// number of those not logged, so that nobody can flood the log. An update
// is acknowledged (200) only once it is stored; if the database is away
// the answer is 500 and Telegram delivers it again.
func WebhookHandler(secret string, in *Intake, log *slog.Logger) http.Handler {
	refusals := &sampler{every: time.Minute}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := req.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			if ok, suppressed := refusals.allow(time.Now()); ok {
				log.Warn("webhook request with wrong secret refused", "remote", req.RemoteAddr,
					"suppressed_since_last", suppressed)
			}
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 1<<20))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := in.Record(req.Context(), raw); err != nil {
			log.Error("record webhook update; Telegram will retry", "err", err)
			http.Error(w, "temporarily unavailable", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}

// sampler lets one event through per interval and counts the others.
type sampler struct {
	every time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// allow reports whether the event at now is to be logged, and how many
// were held back since the last one that was.
func (s *sampler) allow(now time.Time) (ok bool, suppressed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.last.IsZero() && now.Sub(s.last) < s.every {
		s.suppressed++
		return false, 0
	}
	s.last, suppressed, s.suppressed = now, s.suppressed, 0
	return true, suppressed
}
