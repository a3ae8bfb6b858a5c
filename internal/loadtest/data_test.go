package loadtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/examples"
	"partnerbot/internal/importer"
	"partnerbot/internal/projectgen"
	"partnerbot/storage"
)

// The generated data set, as BenchmarkSearchProjects (storage) makes it:
// 20,000 towns, 5,000 owners, 100,000 projects; on top, the example towns
// and partnerships, in which one project in fifty is placed so that
// "/find water Ichnia" finds some.
var dataSet = projectgen.Options{Towns: 20000, Owners: 5000, Projects: 100000}

// generate loads the example towns and partnerships and the generated
// towns, owners and projects into the database of pool, and leaves it
// vacuumed and analyzed: otherwise the run that generated it measures
// autovacuum and autoanalyze working through it beside the bot (855
// "/find water Ichnia" a second in such a run, 1,375 in the next, on the
// kept copy).
func generate(b testing.TB, pool *pgxpool.Pool) {
	ctx := context.Background()
	store := storage.New(pool)
	towns, err := examples.FS.Open("towns.example.csv")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := importer.Towns(ctx, store, towns); err != nil {
		b.Fatal(err)
	}
	towns.Close()
	f, err := examples.FS.Open("partnerships.example.csv")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := importer.Partnerships(ctx, store, f); err != nil {
		b.Fatal(err)
	}
	f.Close()
	rows, _ := pool.Query(ctx, `SELECT id FROM towns ORDER BY id`)
	set := dataSet
	if set.Near, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		b.Fatal(err)
	}
	if _, err := projectgen.Generate(ctx, pool, set); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
}
