// Package instance assembles one running partnerbot from its parts: the
// Bot API clients, the delivery engine, the App (package bot) and the
// update intake. The command (cmd/partnerbot), the conversation tests
// (internal/bottest) and the playground all build the bot here, so what
// they run is the same object graph.
package instance

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	tgbot "github.com/go-telegram/bot"

	"partnerbot/bot"
	"partnerbot/bot/intake"
	"partnerbot/delivery"
	"partnerbot/internal/config"
	"partnerbot/internal/langdetect"
	"partnerbot/internal/metrics"
	"partnerbot/internal/translate"
	"partnerbot/locales"
	"partnerbot/storage"
)

// Config is everything one instance needs besides its database.
type Config struct {
	// Token and APIURL reach the Bot API (Telegram's, or a fake one).
	Token  string
	APIURL string
	// WebhookURL switches from long polling to a webhook with
	// WebhookSecret; empty means long polling.
	WebhookURL    string
	WebhookSecret string
	// Listener serves /healthz, /readyz and the webhook.
	Listener net.Listener
	// Admins are the Telegram user ids of administrators.
	Admins []int64
	// DeliveryRate and DeliveryWorkers tune the delivery engine (see
	// delivery.Config); zero means its defaults.
	DeliveryRate    float64
	DeliveryWorkers int
	// Owner names this process in update leases; it must differ between
	// instances sharing a database.
	Owner string
	// PollTimeout and SweepEvery tune the intake; zero means its defaults.
	PollTimeout time.Duration
	SweepEvery  time.Duration
	// IntakeWorkers, Lease, ShutdownTimeout, RateLimit and RateWindow tune
	// the intake (see intake.Config); zero means its defaults, a negative
	// RateLimit turns the per-user rate limit off.
	IntakeWorkers   int
	Lease           time.Duration
	ShutdownTimeout time.Duration
	RateLimit       int
	RateWindow      time.Duration
	// WrapTransport, if set, wraps the HTTP transport of every Bot API
	// client of the instance (replies, delivery, getUpdates); tests cut an
	// instance off the network with it.
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// Now is the clock of the bot and the delivery engine; nil is the
	// wall clock. Tests and the playground move it.
	Now func() time.Time
	// Catalog is the message catalog; nil loads the embedded one.
	Catalog *locales.Catalog
	Log     *slog.Logger
	// Translate configures machine translation (TRANSLATE_*); the zero
	// value is off.
	Translate config.Translate
}

// Instance is one assembled bot, ready to Run.
type Instance struct {
	cfg     Config
	store   *storage.Store
	api     *tgbot.Bot
	app     *bot.App
	engine  *delivery.Engine
	intake  *intake.Intake
	metrics *metrics.Metrics
	log     *slog.Logger
	// pollTransport carries getUpdates.
	pollTransport http.RoundTripper
}

// New assembles an instance on store. Nothing talks to Telegram before Run.
func New(store *storage.Store, cfg Config) (*Instance, error) {
	log := cmp.Or(cfg.Log, slog.Default())
	catalog := cfg.Catalog
	if catalog == nil {
		var err error
		if catalog, err = locales.Load(); err != nil {
			return nil, err
		}
	}
	wrap := cfg.WrapTransport
	if wrap == nil {
		wrap = func(t http.RoundTripper) http.RoundTripper { return t }
	}
	// Handlers answer through a client that keeps a connection per intake
	// worker open (Go's default keeps two, and every other answer would
	// open a new connection, with a TLS handshake to Telegram).
	apiClient := delivery.HTTPClient(cmp.Or(cfg.IntakeWorkers, intake.DefaultWorkers))
	apiClient.Transport = wrap(apiClient.Transport)
	api, err := tgbot.New(cfg.Token, tgbot.WithServerURL(cfg.APIURL), tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(time.Minute, apiClient))
	if err != nil {
		return nil, err
	}
	// The delivery engine sends through a client of its own, likewise.
	sendClient := delivery.HTTPClient(cfg.DeliveryWorkers)
	sendClient.Transport = wrap(sendClient.Transport)
	sender, err := tgbot.New(cfg.Token, tgbot.WithServerURL(cfg.APIURL), tgbot.WithSkipGetMe(),
		tgbot.WithHTTPClient(time.Minute, sendClient))
	if err != nil {
		return nil, err
	}
	m := metrics.New(store.Pool(), log)
	var clock delivery.Clock
	if cfg.Now != nil {
		clock = clockFunc(cfg.Now)
	}
	engine, err := delivery.New(store.Pool(), sender, delivery.Config{
		Rate: cfg.DeliveryRate, Workers: cfg.DeliveryWorkers, Clock: clock, Log: log, Priority: bot.DeliveryPriority,
		Events: m.Delivery})
	if err != nil {
		return nil, err
	}
	// The language detector loads its models once, before the first text
	// arrives rather than while someone waits.
	langdetect.Warm()
	app := bot.New(bot.Deps{API: api, Store: store, Catalog: catalog, Admins: cfg.Admins, Log: log, Now: cfg.Now,
		Delivery: engine, Translator: translate.FromConfig(cfg.Translate, store)})
	in := intake.New(store, app.Handle, intake.Config{Owner: cfg.Owner, KeyOf: bot.UserKey, Throttled: app.SlowDown,
		Workers: cfg.IntakeWorkers, Lease: cfg.Lease, ShutdownTimeout: cfg.ShutdownTimeout,
		RateLimit: cfg.RateLimit, RateWindow: cfg.RateWindow, Observer: m}, log)
	return &Instance{cfg: cfg, store: store, api: api, app: app, engine: engine, intake: in, metrics: m, log: log,
		pollTransport: wrap(http.DefaultTransport)}, nil
}

// clockFunc makes Config.Now the delivery engine's clock.
type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

// Run connects to the Bot API and runs the bot until ctx ends, then shuts
// down gracefully: intake stops, updates being handled finish, the
// delivery engine stops.
func (i *Instance) Run(ctx context.Context) error {
	me, err := i.api.GetMe(ctx)
	if err != nil {
		return fmt.Errorf("telegram getMe failed (is TELEGRAM_BOT_TOKEN right and the Bot API reachable?): %w",
			intake.Redact(err, i.cfg.Token))
	}
	i.app.SetBotUsername(me.Username)
	i.log.Info("connected to Telegram", "bot", me.Username)
	i.app.SetupCommands(ctx)
	storage.PrepareSearch()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	engineDone := make(chan error, 1)
	// Reminders and announcements go out through the delivery engine,
	// rendered by the App at send time.
	go func() { engineDone <- i.engine.Run(ctx, i.app.Renderer()) }()
	housekeepingDone := make(chan struct{})
	now := i.cfg.Now
	if now == nil {
		now = time.Now
	}
	go func() { defer close(housekeepingDone); housekeeping(ctx, i.store, now, i.log) }()

	err = intake.Serve(ctx, i.intake, i.api, i.store, intake.ServeConfig{
		APIURL: i.cfg.APIURL, Token: i.cfg.Token, WebhookURL: i.cfg.WebhookURL, WebhookSecret: i.cfg.WebhookSecret,
		PollTimeout: i.cfg.PollTimeout, SweepEvery: i.cfg.SweepEvery, Listener: i.cfg.Listener, Transport: i.pollTransport,
		Metrics: i.metrics.Handler(),
	}, i.log)
	cancel()
	if eerr := <-engineDone; eerr != nil {
		i.log.Error("delivery engine", "err", eerr)
	}
	<-housekeepingDone
	return err
}

// translationTTL is how long a machine translation stays cached.
const translationTTL = 30 * 24 * time.Hour

// housekeeping forgets what is no longer needed: handled updates after a
// week (Telegram redelivers for a day at most), expired dialogues, the
// marks of per-person limits whose window ended (at now), and the words of
// deleted project texts that a failed or interrupted handler left, and
// machine translations older than translationTTL (the texts of contact
// requests and broadcasts they were made of are gone or read by then).
func housekeeping(ctx context.Context, store *storage.Store, now func() time.Time, log *slog.Logger) {
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
		if _, err := store.PruneLimitMarks(ctx, now()); err != nil && ctx.Err() == nil {
			log.Warn("prune limit marks", "err", err)
		}
		if _, err := store.CollectUnusedWords(ctx); err != nil && ctx.Err() == nil {
			log.Warn("collect unused project words", "err", err)
		}
		if _, err := store.PruneTranslations(ctx, now().Add(-translationTTL)); err != nil && ctx.Err() == nil {
			log.Warn("prune translations", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
