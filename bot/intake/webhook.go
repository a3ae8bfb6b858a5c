package intake

import (
	"crypto/subtle"
	"io"
	"log/slog"
	"net/http"
)

// WebhookHandler receives updates from Telegram. A request without the
// right X-Telegram-Bot-Api-Secret-Token is refused with 401 and nothing is
// recorded. An update is acknowledged (200) only once it is stored; if the
// database is away the answer is 500 and Telegram delivers it again.
func WebhookHandler(secret string, in *Intake, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := req.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(secret)) != 1 {
			log.Warn("webhook request with wrong secret refused", "remote", req.RemoteAddr)
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
