package testdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Kept returns the URL of a database that belongs to t alone (dropped in
// t.Cleanup) holding the data that fill writes into a freshly migrated
// database at the URL it is given.
//
// Filling takes minutes for the benchmarks' data sets, so the first run
// keeps a copy as a template database on the server and later runs clone
// it, in seconds. The copy is named prefix followed by the schema's
// fingerprint, so a new migration makes a new one, and by a short hash of
// version (when not empty): what else the data depend on, such as the
// generator's revision. Drop the template to fill anew.
func Kept(t testing.TB, prefix, version string, fill func(url string)) string {
	t.Helper()
	ctx := context.Background()
	fresh := URL(t) // migrated; dropped at the end
	fu, err := url.Parse(fresh)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(fu.Path, "/")
	fingerprint, _, _ := strings.Cut(strings.TrimPrefix(name, "testdb_tpl_"), "_inst_")
	kept := prefix + fingerprint
	if version != "" {
		h := sha256.Sum256([]byte(version))
		kept += "_" + hex.EncodeToString(h[:4])
	}
	admin := os.Getenv(EnvVar)
	if admin == "" {
		admin = DefaultURL
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, kept).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if !exists {
		fill(fresh)
		_, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`,
			pgx.Identifier{kept}.Sanitize(), pgx.Identifier{name}.Sanitize()))
		// Another run that filled at the same time kept its copy first:
		// the data are the same.
		var pgErr *pgconn.PgError
		if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42P04") {
			t.Fatal(err)
		}
		t.Logf("filled data kept as template database %s (drop it to fill anew)", kept)
		return fresh
	}
	run := fmt.Sprintf("%srun_%d", prefix, os.Getpid())
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`,
		pgx.Identifier{run}.Sanitize(), pgx.Identifier{kept}.Sanitize())); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`,
			pgx.Identifier{run}.Sanitize())); err != nil {
			t.Error(err)
		}
	})
	ru, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	ru.Path = "/" + run
	return ru.String()
}
