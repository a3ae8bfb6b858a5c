package storage_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/internal/projectgen"
	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// someOf returns between 1 and most different elements of from, drawn
// with r.
func someOf(r *rand.Rand, from []string, most int) []string {
	out := slices.Clone(from)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:1+r.IntN(most)]
}

// BenchmarkSearchProjects measures filtered project searches (the first
// page of results and their count, as /find shows them) over 100,000
// generated projects in 20,000 towns, and reports the 50th and 95th
// percentile latency of single searches across languages (p50-ms,
// p95-ms) and of the same searches without a reader's language
// (literal-p50-ms, literal-p95-ms), and the fraction of searches that found
// something (hit-fraction).
//
// Generating the data takes minutes, so the first run keeps them as a
// template database (partnerbot_search_…, see testdb.Kept) and later runs
// clone it in seconds; drop it to generate anew.
//
//	go test ./storage/ -run '^$' -bench SearchProjects -benchtime 2000x
func BenchmarkSearchProjects(b *testing.B) {
	pool, data := keptPool(b, nil)
	benchSearchProjects(b, storage.New(pool), data)
}

// keptPool opens a pool on a database of keptProjects, tracing its
// statements with tracer unless nil, and recalls the data's towns and
// words.
func keptPool(b *testing.B, tracer pgx.QueryTracer) (*pgxpool.Pool, projectgen.Data) {
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(keptProjects(b))
	if err != nil {
		b.Fatal(err)
	}
	cfg.ConnConfig.Tracer = tracer
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	data, err := projectgen.Recall(ctx, pool)
	if err != nil {
		b.Fatal(err)
	}
	return pool, data
}

// keptProjects returns the URL of a database of b's own holding the
// benchmarks' 100,000 generated projects in 20,000 towns, cloned from the
// template database that the first run keeps (see testdb.Kept).
func keptProjects(b *testing.B) string {
	return testdb.Kept(b, "partnerbot_search_", projectgen.Version(), func(u string) {
		ctx := context.Background()
		pool, err := pgxpool.New(ctx, u)
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Close()
		if _, err := projectgen.Generate(ctx, pool,
			projectgen.Options{Towns: 20000, Owners: 5000, Projects: 100000}); err != nil {
			b.Fatal(err)
		}
	})
}

// warmSearch runs searches of every kind, drawn apart from the timed ones,
// untimed: the data kept between runs are cloned cold, and the timed
// searches are to find them as a running bot does, in PostgreSQL's
// buffers, with the connections' statements prepared and the sample of
// the newest listings loaded (the first search starts loading it).
func warmSearch(b *testing.B, s *storage.Store, data projectgen.Data) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, kind := range searchKinds(r, data) {
		for range 50 {
			q := kind.next()
			for _, lang := range []string{"", storage.ProfileLanguages[r.IntN(len(storage.ProfileLanguages))]} {
				q.ReaderLanguage = lang
				if _, err := s.SearchProjects(context.Background(), q, 0, 5); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// searchKind is one kind of query of the project-search benchmarks.
type searchKind struct {
	name string
	// next draws a new query of the kind.
	next func() storage.ProjectQuery
	// minHits is the least fraction of searches of a kind that must find
	// something, lest the kind time mostly the early return of a miss.
	minHits float64
}

// searchKinds returns the kinds of query of the project-search benchmarks
// over data, drawing with r.
func searchKinds(r *rand.Rand, data projectgen.Data) []searchKind {
	towns := data.Towns
	pick := func(from []string) string { return from[r.IntN(len(from))] }
	word := func() string { return pick(projectgen.TopicWords) }
	return []searchKind{
		{"text+topic+country", func() storage.ProjectQuery {
			return storage.ProjectQuery{Text: word(), Topic: pick(storage.Topics), Country: pick([]string{"UA", "DE", "SE"})}
		}, 0.2},
		{"text+town", func() storage.ProjectQuery {
			return storage.ProjectQuery{Text: word(), TownIDs: []int64{towns[r.IntN(len(towns))]}}
		}, 0.05},
		{"sector+language", func() storage.ProjectQuery {
			return storage.ProjectQuery{Sector: pick(storage.Sectors), Language: pick(storage.ProfileLanguages)}
		}, 0.9},
		{"two-words", func() storage.ProjectQuery { return storage.ProjectQuery{Text: word() + " " + word()} }, 0.2},
		{"typo", func() storage.ProjectQuery {
			w := []rune(strings.ToLower(word()))
			i := 1 + r.IntN(len(w)-2)
			return storage.ProjectQuery{Text: string(append(w[:i:i], w[i+1:]...))}
		}, 0.2},
		// Words few projects have: a search that finds little or nothing
		// must be as quick as one that finds much.
		{"rare-word", func() storage.ProjectQuery { return storage.ProjectQuery{Text: pick(data.RareWords)} }, 0},
	}
}

// benchSearchProjects runs the sub-benchmarks of BenchmarkSearchProjects
// on s, which holds data.
func benchSearchProjects(b *testing.B, s *storage.Store, data projectgen.Data) {
	ctx := context.Background()
	// Every search is to run: the queries repeat.
	storage.NoResultCache(s)
	warmSearch(b, s, data)
	r := rand.New(rand.NewPCG(3, 4))
	pick := func(from []string) string { return from[r.IntN(len(from))] }
	queries := searchKinds(r, data)
	// Every kind runs as readers search (across languages, in a reader's
	// language drawn at random: p50-ms, p95-ms) and literally (without a
	// reader's language, as before the glossary: literal-p50-ms,
	// literal-p95-ms), the two alternating on the same queries so that
	// both see the same load on the machine.
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			cross := make([]time.Duration, 0, b.N)
			literal := make([]time.Duration, 0, b.N)
			found := 0
			run := func(query storage.ProjectQuery, into *[]time.Duration) {
				start := time.Now()
				page, err := s.SearchProjects(ctx, query, 0, 5)
				if err != nil {
					b.Fatal(err)
				}
				*into = append(*into, time.Since(start))
				if page.Total > 0 {
					found++
				}
			}
			i := 0
			for b.Loop() {
				query := q.next()
				reader := query
				reader.ReaderLanguage = pick(storage.ProfileLanguages)
				if i%2 == 0 {
					run(reader, &cross)
					run(query, &literal)
				} else {
					run(query, &literal)
					run(reader, &cross)
				}
				i++
			}
			hits := float64(found) / float64(len(cross)+len(literal))
			b.ReportMetric(hits, "hit-fraction")
			if hits < q.minHits {
				b.Fatalf("%s: %.2f of the searches found something, want at least %.2f: the kind would time misses",
					q.name, hits, q.minHits)
			}
			slices.Sort(cross)
			slices.Sort(literal)
			b.ReportMetric(percentile(cross, 0.50), "p50-ms")
			b.ReportMetric(percentile(cross, 0.95), "p95-ms")
			b.ReportMetric(percentile(literal, 0.50), "literal-p50-ms")
			b.ReportMetric(percentile(literal, 0.95), "literal-p95-ms")
		})
	}
}
