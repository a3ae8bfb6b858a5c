package playground

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// openDatabase connects to the database name on the server serverURL
// points to, creating it when missing; fresh drops it first.
func openDatabase(ctx context.Context, serverURL, name string, fresh bool) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(serverURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	admin := cfg.ConnConfig.Copy()
	if admin.Database == name || admin.Database == "" {
		// A database cannot be dropped by a session connected to it.
		admin.Database = "postgres"
	}
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return nil, fmt.Errorf("playground: cannot reach PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	if fresh {
		// WITH (FORCE) ends the sessions still connected (PostgreSQL 13+).
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			return nil, fmt.Errorf("playground: drop database %s: %w", name, err)
		}
	}
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
			return nil, fmt.Errorf("playground: create database %s (the user needs CREATEDB): %w", name, err)
		}
	}
	cfg.ConnConfig.Database = name
	cfg.MaxConns = 20
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("playground: database %s: %w", name, err)
	}
	return pool, nil
}

// dropDatabase removes the database name from the server, for tests.
func dropDatabase(ctx context.Context, serverURL, name string) error {
	cfg, err := pgx.ParseConfig(serverURL)
	if err != nil {
		return err
	}
	if cfg.Database == name || cfg.Database == "" {
		cfg.Database = "postgres"
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}
