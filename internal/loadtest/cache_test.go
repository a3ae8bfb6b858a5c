package loadtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/internal/testdb"
)

// dataURL returns the URL of a database of the run's own holding the
// generated data set. Generating it takes minutes, so the first run keeps
// a copy as a template database on the server (partnerbot_loadtest_
// followed by the schema's fingerprint, so a new migration makes a new
// one); later runs clone it. The run's database is dropped at the end.
func dataURL(b *testing.B) string {
	ctx := context.Background()
	fresh := testdb.URL(b) // migrated; dropped at the end
	fu, err := url.Parse(fresh)
	if err != nil {
		b.Fatal(err)
	}
	name := strings.TrimPrefix(fu.Path, "/")
	fingerprint, _, _ := strings.Cut(strings.TrimPrefix(name, "testdb_tpl_"), "_inst_")
	cache := "partnerbot_loadtest_" + fingerprint
	admin := os.Getenv(testdb.EnvVar)
	if admin == "" {
		admin = testdb.DefaultURL
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, cache).Scan(&exists); err != nil {
		b.Fatal(err)
	}
	if !exists {
		pool, err := pgxpool.New(ctx, fresh)
		if err != nil {
			b.Fatal(err)
		}
		generate(b, pool)
		pool.Close()
		if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`,
			pgx.Identifier{cache}.Sanitize(), pgx.Identifier{name}.Sanitize())); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated data kept as template database %s (drop it to generate anew)", cache)
		return fresh
	}
	run := fmt.Sprintf("partnerbot_loadtest_run_%d", os.Getpid())
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`,
		pgx.Identifier{run}.Sanitize(), pgx.Identifier{cache}.Sanitize())); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`,
			pgx.Identifier{run}.Sanitize())); err != nil {
			b.Error(err)
		}
	})
	ru, _ := url.Parse(admin)
	ru.Path = "/" + run
	return ru.String()
}
