package loadtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/internal/testdb"
)

// dataURL returns the URL of a database of the run's own holding the
// generated data set. Generating it takes minutes, so the first run keeps
// a copy as a template database on the server (partnerbot_loadtest_
// followed by the schema's fingerprint, see testdb.Kept); later runs clone
// it. The run's database is dropped at the end.
func dataURL(b *testing.B) string {
	return testdb.Kept(b, "partnerbot_loadtest_", "", func(u string) {
		pool, err := pgxpool.New(context.Background(), u)
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Close()
		generate(b, pool)
	})
}
