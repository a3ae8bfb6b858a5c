// Package storage is partnerbot's PostgreSQL layer: plain SQL through pgx,
// one file per aggregate. It knows nothing about Telegram.
package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound is returned when the row asked for does not exist.
var ErrNotFound = errors.New("not found")

// Store gives access to every aggregate over one connection pool.
type Store struct {
	pool *pgxpool.Pool
	// sample is the newest listings, for choosing how a search probe runs
	// (searchsample.go); sampling is set while one is being loaded.
	sample   atomic.Pointer[listingSample]
	sampling atomic.Bool
	// results are recent searches' results (searchcache.go).
	results resultCache
}

// New wraps an open pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// defaultMaxConns is the pool size unless DATABASE_URL sets pool_max_conns.
const defaultMaxConns = 20

// defaultMinConns are the connections the pool opens at start and keeps,
// unless DATABASE_URL sets pool_min_conns: as many as the intake's
// workers, its dispatcher and its poller use at once. Opened only when
// needed, they were opened during the first burst of updates after a
// start, the backlog a restart finds waiting: PostgreSQL CPU per /help in
// that burst 277–560 µs in four runs, 224–325 µs in five with them open
// (the load command with a /help run pushed right after the start).
const defaultMinConns = 10

// Open connects to databaseURL and checks that the server answers.
func Open(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	// pgx defaults to max(4, CPUs) connections, too few for update workers,
	// delivery workers and River's own loops sharing one pool; an explicit
	// pool_max_conns in the URL still wins.
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	if !strings.Contains(databaseURL, "pool_min_conns") {
		cfg.MinConns = min(defaultMinConns, cfg.MaxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database unreachable: %w", err)
	}
	return pool, nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Pool exposes the pool for packages that run their own SQL on the same
// database (job queues, tests).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// InTx runs fn in a transaction that commits only if fn succeeds.
//
// Methods named XTx write in a transaction their caller owns, as the
// delivery engine's ScheduleTx does: the caller begins it with InTx, calls
// them, schedules the messages the change causes in the same tx, and the
// change and its messages commit or fail together.
func (s *Store) InTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
