package storage

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"partnerbot/migrations"
)

// Migrate applies every pending migration from migrations.FS. A PostgreSQL
// session advisory lock serialises concurrent callers, so two instances
// starting together do not race.
func Migrate(ctx context.Context, db *sql.DB) error {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS,
		goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		slog.InfoContext(ctx, "migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}

// MigratePool runs Migrate over a database/sql handle borrowed from pool,
// then brings the search data up to this binary's glossary
// (RefreshSearch).
func MigratePool(ctx context.Context, pool *pgxpool.Pool) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	if err := Migrate(ctx, db); err != nil {
		return err
	}
	if _, err := New(pool).RefreshSearch(ctx, refreshBatch); err != nil {
		return fmt.Errorf("refresh search data: %w", err)
	}
	return nil
}

// refreshBatch is how many projects RefreshSearch rewrites per
// transaction.
const refreshBatch = 500
