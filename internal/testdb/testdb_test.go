package testdb

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

func countUsers(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM users`).Scan(&n); err != nil {
		t.Fatalf("count users: %v", err)
	}
	return n
}

func insertUser(t *testing.T, pool *pgxpool.Pool, id int64) {
	t.Helper()
	if _, err := pool.Exec(context.Background(),
		`INSERT INTO users (id, first_name) VALUES ($1, 'Test')`, id); err != nil {
		t.Fatalf("insert user: %v", err)
	}
}

// TestIsolation runs two tests side by side; each inserts into users while the
// other is live and must still find its own table holding only its own row.
func TestIsolation(t *testing.T) {
	aInserted := make(chan struct{})
	bInserted := make(chan struct{})
	t.Run("group", func(t *testing.T) {
		t.Run("A", func(t *testing.T) {
			t.Parallel()
			pool := New(t)
			if n := countUsers(t, pool); n != 0 {
				t.Fatalf("A: users has %d rows before insert, want 0", n)
			}
			insertUser(t, pool, 1)
			close(aInserted)
			<-bInserted
			if n := countUsers(t, pool); n != 1 {
				t.Fatalf("A: users has %d rows after B inserted, want 1", n)
			}
		})
		t.Run("B", func(t *testing.T) {
			t.Parallel()
			pool := New(t)
			<-aInserted
			if n := countUsers(t, pool); n != 0 {
				close(bInserted)
				t.Fatalf("B: users has %d rows after A inserted, want 0", n)
			}
			insertUser(t, pool, 2)
			close(bInserted)
			if n := countUsers(t, pool); n != 1 {
				t.Fatalf("B: users has %d rows, want 1", n)
			}
		})
	})
}

func TestMigrationsApplied(t *testing.T) {
	t.Parallel()
	pool := New(t)
	ctx := context.Background()
	var users *string
	if err := pool.QueryRow(ctx, `SELECT to_regclass('public.users')::text`).Scan(&users); err != nil {
		t.Fatal(err)
	}
	if users == nil {
		t.Fatal("table users does not exist: migrations did not run")
	}
	var version int64
	if err := pool.QueryRow(ctx, `SELECT max(version_id) FROM goose_db_version`).Scan(&version); err != nil {
		t.Fatalf("read goose version: %v", err)
	}
	if version < 1 {
		t.Fatalf("goose version = %d, want >= 1", version)
	}
}

// TestExtensions proves the test role may create the extensions the schema
// relies on (trusted extensions in PostgreSQL 13+).
func TestExtensions(t *testing.T) {
	t.Parallel()
	pool := New(t)
	ctx := context.Background()
	for _, ext := range []string{"unaccent", "pg_trgm"} {
		if _, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS `+ext); err != nil {
			t.Fatalf("create extension %s as the test role: %v", ext, err)
		}
	}
	var s string
	var sim float64
	if err := pool.QueryRow(ctx, `SELECT unaccent('Crème brûlée'), similarity('partner', 'partners')`).Scan(&s, &sim); err != nil {
		t.Fatal(err)
	}
	if s != "Creme brulee" || sim <= 0.5 {
		t.Fatalf("unaccent = %q, similarity = %v", s, sim)
	}
}

// TestURLSharedByPools checks that URL gives a distinct database per call that
// several pools (as two bot instances would) can share.
func TestURLSharedByPools(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := URL(t)
	if other := URL(t); other == u {
		t.Fatalf("two URL calls returned the same database %s", u)
	}
	p1, err := pgxpool.New(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer p1.Close()
	p2, err := pgxpool.New(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	insertUser(t, p1, 42)
	if n := countUsers(t, p2); n != 1 {
		t.Fatalf("second pool sees %d users, want 1", n)
	}
}

func TestHashStable(t *testing.T) {
	t.Parallel()
	h1, err := Migrator{}.Hash()
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := Migrator{}.Hash()
	if h1 != h2 || len(h1) != 64 {
		t.Fatalf("hash not stable or malformed: %q vs %q", h1, h2)
	}
}

func TestServerConfig(t *testing.T) {
	t.Setenv(EnvVar, "postgresql://us%3Aer:p%40ss@db.example:6543/base?sslmode=require")
	c, err := serverConfig()
	if err != nil {
		t.Fatal(err)
	}
	want := "postgres://us%3Aer:p%40ss@db.example:6543/base?sslmode=require"
	if got := c.URL(); got != want {
		t.Fatalf("URL = %q, want %q", got, want)
	}
	if got := redact(c); strings.Contains(got, "p%40ss") {
		t.Fatalf("redact leaks the password: %q", got)
	}

	t.Setenv(EnvVar, "")
	c, err = serverConfig()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.URL(), "postgres://postgres:@127.0.0.1:5432/postgres?sslmode=disable"; got != want {
		t.Fatalf("default URL = %q, want %q", got, want)
	}

	t.Setenv(EnvVar, "mysql://x@y/z")
	if _, err := serverConfig(); err == nil {
		t.Fatal("want an error for a non-postgres URL")
	}
}

// TestUnreachableServer runs this test binary against a closed port and
// checks that the failure names TEST_DATABASE_URL and scripts/test.sh.
func TestUnreachableServer(t *testing.T) {
	if os.Getenv("TESTDB_UNREACHABLE_CHILD") == "1" {
		New(t)
		return
	}
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	cmd := exec.Command(os.Args[0], "-test.run=^TestUnreachableServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TESTDB_UNREACHABLE_CHILD=1",
		EnvVar+"=postgres://postgres@"+addr+"/postgres?sslmode=disable&connect_timeout=5")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("child test passed against a closed port:\n%s", out)
	}
	for _, want := range []string{"TEST_DATABASE_URL", "./scripts/test.sh", addr} {
		if !strings.Contains(string(out), want) {
			t.Errorf("failure message lacks %q:\n%s", want, out)
		}
	}
}
