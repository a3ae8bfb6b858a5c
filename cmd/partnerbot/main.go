// Command partnerbot runs the partnerbot Telegram bot and its
// administration commands. Configuration comes from environment variables;
// see README.md.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"partnerbot/internal/config"
	"partnerbot/internal/instance"
	"partnerbot/storage"
)

const usage = `usage: partnerbot [command]

commands:
  run                      run the bot (the default)
  playground               try the bot without Telegram: a local web page that
                           plays Telegram (PLAYGROUND_ADDR, default 127.0.0.1:8080)
  migrate                  apply database migrations and exit
  grant <user id|@name> [--town NAME]...  make a user a coordinator (for those towns)
  revoke <user id|@name>   make a coordinator a volunteer again
  import towns FILE.csv    add or update towns (see examples/README.md)
  import partnerships FILE.csv
                           add or update partnerships between imported towns
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "partnerbot:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cmd := "run"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	case "playground":
		return runPlayground(ctx, os.Getenv, os.Stdout)
	case "run", "migrate", "grant", "revoke", "import":
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
	cfg, err := config.Load(os.Getenv)
	if cmd != "run" {
		// Administration commands need only the database.
		cfg, err = config.LoadDatabase(os.Getenv)
	}
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)

	pool, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := storage.MigratePool(ctx, pool); err != nil {
		return err
	}
	store := storage.New(pool)

	switch cmd {
	case "migrate":
		return nil
	case "grant", "revoke":
		return changeRole(ctx, store, cfg.AdminIDs, cmd, args)
	case "import":
		return importData(ctx, store, args)
	}
	return serve(ctx, cfg, store, log)
}

func serve(ctx context.Context, cfg config.Config, store *storage.Store, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR: %w", err)
	}
	host, _ := os.Hostname()
	inst, err := instance.New(store, instance.Config{
		Token: cfg.Token, APIURL: cfg.APIURL, WebhookURL: cfg.WebhookURL, WebhookSecret: cfg.WebhookSecret,
		Listener: ln, Admins: cfg.AdminIDs, DeliveryRate: cfg.DeliveryRate, DeliveryWorkers: cfg.DeliveryWorkers,
		Owner: fmt.Sprintf("%s/%d", host, os.Getpid()), Log: log,
		RateLimit: rateLimit(cfg.UserRateLimit), RateWindow: cfg.UserRateWindow, ShutdownTimeout: cfg.ShutdownTimeout,
		Translate: cfg.Translate,
	})
	if err != nil {
		return err
	}
	return inst.Run(ctx)
}

// rateLimit turns USER_RATE_LIMIT into the intake's setting, where 0 means
// the default and a negative number no limit.
func rateLimit(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
