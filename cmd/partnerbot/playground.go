package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"partnerbot/internal/config"
	"partnerbot/internal/playground"
)

// runPlayground implements `partnerbot playground`: the bot against a fake
// Bot API, in a web page on PLAYGROUND_ADDR (loopback only), in the
// database PLAYGROUND_DATABASE on DATABASE_URL's server.
func runPlayground(ctx context.Context, getenv func(string) string, out io.Writer) error {
	cfg, err := config.LoadDatabase(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	addr := cmp.Or(getenv("PLAYGROUND_ADDR"), playground.DefaultAddr)
	if err := loopbackOnly(addr); err != nil {
		return err
	}
	// The bot's routine logs would drown the page's address; LOG_LEVEL
	// still chooses.
	level := slog.LevelWarn
	if getenv("LOG_LEVEL") != "" {
		level = cfg.LogLevel
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(log)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("PLAYGROUND_ADDR: %w", err)
	}
	defer ln.Close()
	fmt.Fprintln(out, "partnerbot playground: preparing the database and starting the bot…")
	pg, err := playground.New(ctx, playground.Config{DatabaseURL: cfg.DatabaseURL, Database: getenv("PLAYGROUND_DATABASE"), Log: log})
	if err != nil {
		return err
	}
	defer pg.Close()
	srv := &http.Server{Handler: pg.Handler(), ReadHeaderTimeout: 10 * time.Second,
		// Live updates end with ctx, so shutting down does not wait for them.
		BaseContext: func(net.Listener) context.Context { return ctx }}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(out, "partnerbot playground: open http://%s/ in a browser (Ctrl-C stops it)\n", ln.Addr())
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(out, "partnerbot playground: stopped")
	return nil
}

// loopbackOnly refuses an address other machines could reach: the
// playground has no login.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("PLAYGROUND_ADDR %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("PLAYGROUND_ADDR %q: the playground listens on a loopback address only (e.g. 127.0.0.1:8080)", addr)
	}
	return nil
}
