package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"

	"partnerbot/storage"
)

// ServeConfig says how updates come in.
type ServeConfig struct {
	APIURL string
	Token  string
	// WebhookURL switches from long polling to a webhook; its path is where
	// the handler listens on Listener. WebhookSecret must then be set.
	WebhookURL    string
	WebhookSecret string
	PollTimeout   time.Duration
	SweepEvery    time.Duration
	// Listener serves /healthz, /readyz and the webhook.
	Listener net.Listener
	// Transport carries the getUpdates requests; nil is
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Metrics, if set, is served at /metrics.
	Metrics http.Handler
}

// The HTTP server's limits. Telegram's webhook requests are small (an
// update is at most a few kilobytes; the handler reads at most 1 MiB) and
// answered at once, so slow or idle clients are cut off early.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 16 << 10
)

// newServer is the HTTP server of /healthz, /readyz and the webhook.
func newServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes}
}

// Serve receives updates into in until ctx ends: by long polling or by
// webhook (registered with Telegram through api), with the health
// endpoints beside. Then it shuts down gracefully, within bounds: the HTTP
// server stops taking requests (10 s at most), intake stops claiming, and
// updates already being handled finish (Config.ShutdownTimeout at most).
func Serve(ctx context.Context, in *Intake, api *tgbot.Bot, store *storage.Store, cfg ServeConfig, log *slog.Logger) error {
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = 15 * time.Second
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, req *http.Request) {
		pctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
		defer cancel()
		if err := store.Ping(pctx); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})

	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics)
	}

	var wg sync.WaitGroup
	if cfg.WebhookURL != "" {
		u, err := url.Parse(cfg.WebhookURL)
		if err != nil {
			return fmt.Errorf("WEBHOOK_URL: %w", err)
		}
		mux.Handle("POST "+cmpPath(u.Path), WebhookHandler(cfg.WebhookSecret, in, log))
		if _, err := api.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: cfg.WebhookURL,
			SecretToken: cfg.WebhookSecret, AllowedUpdates: allowedUpdates}); err != nil {
			return fmt.Errorf("setWebhook: %w", Redact(err, cfg.Token))
		}
		log.Info("receiving updates by webhook", "path", cmpPath(u.Path))
	} else {
		if _, err := api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
			return fmt.Errorf("deleteWebhook: %w", Redact(err, cfg.Token))
		}
		p := &Poller{URL: cfg.APIURL, Token: cfg.Token, Timeout: cfg.PollTimeout, Intake: in, Log: log,
			Client: &http.Client{Timeout: cfg.PollTimeout + 10*time.Second, Transport: cfg.Transport}}
		wg.Go(func() { p.Run(ctx) })
		log.Info("receiving updates by long polling")
	}

	srv := newServer(mux)
	wg.Go(func() {
		if err := srv.Serve(cfg.Listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	})
	wg.Go(func() { in.Run(ctx, cfg.SweepEvery) })

	<-ctx.Done()
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	wg.Wait()
	return nil
}

func cmpPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
