// Package testdb gives each test its own freshly migrated PostgreSQL
// database.
//
// The first call in a test binary migrates a template database with
// storage.Migrate (once per distinct set of migration files, shared across
// test binaries and runs); every test then gets a cheap copy of that template
// which is dropped when the test passes (a failed test's database is kept for
// inspection; its URL is in the test log).
//
// The server comes from TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). Its user must
// be allowed to CREATE DATABASE and CREATE ROLE. ./scripts/test.sh finds or
// starts a suitable server and sets the variable.
//
// InTx runs a test's write through storage's XTx methods in a transaction
// of its own, for tests that have nothing to schedule along.
//
// Because this package imports partnerbot/storage, tests of package storage
// itself must be written as an external test package (package storage_test)
// to use it; an in-package test would be an import cycle.
package testdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/peterldowns/pgtestdb"

	"partnerbot/migrations"
	"partnerbot/storage"
)

// EnvVar names the environment variable holding the URL of the PostgreSQL
// server the tests create their databases on.
const EnvVar = "TEST_DATABASE_URL"

// DefaultURL is used when EnvVar is unset or empty.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// migratorVersion is mixed into Migrator.Hash so that a change in how the
// template is built (not only in the SQL files) invalidates old templates.
const migratorVersion = "partnerbot-testdb-v1"

// Migrator is the pgtestdb.Migrator for partnerbot: it applies the embedded
// migrations with storage.Migrate, exactly as the bot does on start.
type Migrator struct{}

var _ pgtestdb.Migrator = Migrator{}

// Hash identifies the migrated schema: a SHA-256 over the name and contents
// of every file in migrations.FS, so editing, adding or renaming a migration
// yields a new template database.
func (Migrator) Hash() (string, error) {
	h := sha256.New()
	h.Write([]byte(migratorVersion))
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		// Length-prefix both parts so no two file sets hash alike by accident.
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(path)))
		h.Write(n[:])
		h.Write([]byte(path))
		binary.BigEndian.PutUint64(n[:], uint64(len(data)))
		h.Write(n[:])
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Migrate applies all migrations to the (new, empty) template database.
func (Migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	return storage.Migrate(ctx, db)
}

// New returns a pool connected to a fresh, fully migrated database that
// belongs to t alone. The pool is closed and the database dropped in
// t.Cleanup.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	u := URL(t)
	pool, err := pgxpool.New(context.Background(), u)
	if err != nil {
		t.Fatalf("testdb: open pool: %v", err)
	}
	// Registered after URL's cleanup, so it runs first: the pool is closed
	// before the database is dropped.
	t.Cleanup(pool.Close)
	return pool
}

// URL creates a fresh, fully migrated database that belongs to t alone and
// returns its postgres:// URL, for tests that open several pools or start
// whole processes (e.g. two bot instances sharing one database). The
// database is dropped in t.Cleanup; connections still open to it then are
// terminated, so close pools and stop processes in cleanups registered after
// calling URL (they run first) or before the test returns.
func URL(t testing.TB) string {
	t.Helper()
	conf, err := serverConfig()
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	if err := checkServer(conf); err != nil {
		source := "from " + EnvVar
		if strings.TrimSpace(os.Getenv(EnvVar)) == "" {
			source = "the default; " + EnvVar + " is not set"
		}
		t.Fatalf("testdb: cannot reach PostgreSQL at %s (%s): %v\n"+
			"Run the tests with ./scripts/test.sh, which finds or starts a local PostgreSQL, "+
			"or set %s to a postgres:// URL of a server whose user may CREATE DATABASE and CREATE ROLE.",
			redact(conf), source, err, EnvVar)
	}
	return pgtestdb.Custom(t, conf, Migrator{}).URL()
}

// serverConfig parses EnvVar (or DefaultURL) into a pgtestdb.Config.
func serverConfig() (pgtestdb.Config, error) {
	raw := strings.TrimSpace(os.Getenv(EnvVar))
	if raw == "" {
		raw = DefaultURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return pgtestdb.Config{}, fmt.Errorf("parse %s: %v", EnvVar, err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return pgtestdb.Config{}, fmt.Errorf("%s must be a postgres:// URL, got scheme %q", EnvVar, u.Scheme)
	}
	conf := pgtestdb.Config{
		DriverName: "pgx",
		Host:       u.Hostname(),
		Port:       u.Port(),
		Database:   strings.TrimPrefix(u.Path, "/"),
		Options:    u.RawQuery,
		// Tests that start whole processes may leave backends behind for a
		// moment after stopping them; do not let that fail the drop.
		ForceTerminateConnections: true,
	}
	// pgtestdb.Config.URL does not escape; keep user and password in their
	// escaped URL form (Userinfo.String escapes ':' in the user name).
	if u.User != nil {
		conf.User, conf.Password, _ = strings.Cut(u.User.String(), ":")
	}
	if conf.Host == "" {
		conf.Host = "127.0.0.1"
	}
	if conf.Port == "" {
		conf.Port = "5432"
	}
	if conf.User == "" {
		conf.User = "postgres"
	}
	if conf.Database == "" {
		conf.Database = "postgres"
	}
	return conf, nil
}

// server caches the reachability check per server URL, so that with the
// server down every test fails at once instead of each waiting for a timeout.
var server sync.Map // admin URL -> func() error

func checkServer(conf pgtestdb.Config) error {
	check, _ := server.LoadOrStore(conf.URL(), sync.OnceValue(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db, err := conf.Connect()
		if err != nil {
			return err
		}
		defer db.Close()
		return db.PingContext(ctx)
	}))
	return check.(func() error)()
}

// redact renders the admin URL without its password for messages.
func redact(conf pgtestdb.Config) string {
	if conf.Password != "" {
		conf.Password = "xxxxx"
	}
	return conf.URL()
}
