package bot

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

// RunConfig says how the bot meets Telegram.
type RunConfig struct {
	APIURL string
	Token  string
	// WebhookURL switches from long polling to a webhook; its path is where
	// the handler listens on Listener. WebhookSecret must then be set.
	WebhookURL    string
	WebhookSecret string
	// Owner names this process in update leases.
	Owner       string
	PollTimeout time.Duration
	SweepEvery  time.Duration
	// Listener serves /healthz, /readyz and the webhook.
	Listener net.Listener
}

// Run starts the bot and blocks until ctx ends, then shuts down
// gracefully: intake stops, updates already being handled finish.
func Run(ctx context.Context, app *App, store *storage.Store, cfg RunConfig, log *slog.Logger) error {
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = 15 * time.Second
	}
	me, err := app.api.GetMe(ctx)
	if err != nil {
		return fmt.Errorf("telegram getMe failed (is TELEGRAM_BOT_TOKEN right and the Bot API reachable?): %w", redact(err, cfg.Token))
	}
	app.SetBotUsername(me.Username)
	log.Info("connected to Telegram", "bot", me.Username)
	app.SetupCommands(ctx)

	intake := NewIntake(store, app.Handle, IntakeConfig{Owner: cfg.Owner}, log)
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

	var wg sync.WaitGroup
	if cfg.WebhookURL != "" {
		u, err := url.Parse(cfg.WebhookURL)
		if err != nil {
			return fmt.Errorf("WEBHOOK_URL: %w", err)
		}
		mux.Handle("POST "+cmpPath(u.Path), WebhookHandler(cfg.WebhookSecret, intake, log))
		if _, err := app.api.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: cfg.WebhookURL,
			SecretToken: cfg.WebhookSecret, AllowedUpdates: allowedUpdates}); err != nil {
			return fmt.Errorf("setWebhook: %w", redact(err, cfg.Token))
		}
		log.Info("receiving updates by webhook", "path", cmpPath(u.Path))
	} else {
		if _, err := app.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
			return fmt.Errorf("deleteWebhook: %w", redact(err, cfg.Token))
		}
		p := &Poller{URL: cfg.APIURL, Token: cfg.Token, Timeout: cfg.PollTimeout, Intake: intake, Log: log,
			Client: &http.Client{Timeout: cfg.PollTimeout + 10*time.Second}}
		wg.Go(func() { p.Run(ctx) })
		log.Info("receiving updates by long polling")
	}

	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	wg.Go(func() {
		if err := srv.Serve(cfg.Listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	})
	wg.Go(func() { intake.Run(ctx, cfg.SweepEvery) })
	wg.Go(func() { housekeeping(ctx, store, log) })
	if app.delivery != nil {
		// Reminders and announcements go out through the delivery engine,
		// rendered by the App at send time; Run returns once it has stopped.
		wg.Go(func() {
			if err := app.delivery.Run(ctx, app.Renderer()); err != nil {
				log.Error("delivery engine", "err", err)
			}
		})
	}

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

// housekeeping forgets what is no longer needed: handled updates after a
// week (Telegram redelivers for a day at most) and expired dialogues.
func housekeeping(ctx context.Context, store *storage.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := store.PruneUpdates(ctx, 7*24*time.Hour); err != nil && ctx.Err() == nil {
			log.Warn("prune updates", "err", err)
		} else if n > 0 {
			log.Info("pruned handled updates", "count", n)
		}
		if err := store.PruneConversations(ctx); err != nil && ctx.Err() == nil {
			log.Warn("prune conversations", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
