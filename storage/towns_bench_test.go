package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"partnerbot/internal/testdb"
	"partnerbot/internal/towngen"
	"partnerbot/storage"
)

// BenchmarkSearchTowns measures town search over 20,000 generated towns
// plus the real example towns, per kind of query, and reports the 50th and
// 95th percentile latency of single searches (p50-ms, p95-ms).
//
//	go test ./storage/ -run '^$' -bench SearchTowns -benchtime 2000x
func BenchmarkSearchTowns(b *testing.B) {
	ctx := context.Background()
	s := storage.New(testdb.New(b))
	towns := towngen.Towns(20000, 1)
	err := s.WriteTowns(ctx, func(w *storage.TownWriter) error {
		for _, t := range append(towns, exampleTowns...) {
			if _, _, err := w.UpsertTown(ctx, t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	// Queries as people type them, drawn from the generated towns.
	var cyrillic, german, national []string
	for _, t := range towns {
		if t.Country == "UA" && len(cyrillic) < 50 {
			cyrillic = append(cyrillic, t.Names[0].Name)
			german = append(german, t.Names[1].Name)
			national = append(national, t.Name)
		}
	}
	queries := map[string][]string{
		"exact":         {"Laxå", "Grevesmühlen", "Ichnia", national[0], national[7], "Bad Schönhagen"},
		"cyrillic":      append([]string{"Ічня"}, cyrillic...),
		"transliterate": append([]string{"Itschnja", "Ichnja", "Ichnya"}, german...),
		"accent-free":   {"Laxa", "Grevesmuhlen", "Grevesmuehlen", "Lodzow", "Ostersjo", "Evreux", "Wustfeld", "Krasnice"},
		"typo":          {"Grevesmülen", "Ichnai", "Zhytomir", "Charkow", "Shchorsk", "Laxaa", "Grevesmuhlne"},
		"prefix":        {"Grev", "Ich", "Nova Bas", "Bad Sch", "Lax"},
	}
	kinds := []string{"exact", "cyrillic", "transliterate", "accent-free", "typo", "prefix"}
	for _, kind := range kinds {
		for _, q := range queries[kind] {
			if found, err := s.SearchTowns(ctx, q, 8); err != nil || len(found) == 0 {
				b.Fatalf("%s query %q finds nothing (%v): the benchmark would measure misses", kind, q, err)
			}
			queries["mixed"] = append(queries["mixed"], q)
		}
	}
	for _, name := range append(kinds, "mixed") {
		qs := queries[name]
		b.Run(name, func(b *testing.B) {
			durations := make([]time.Duration, 0, b.N)
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if _, err := s.SearchTowns(ctx, qs[i%len(qs)], 8); err != nil {
					b.Fatal(err)
				}
				durations = append(durations, time.Since(start))
			}
			slices.Sort(durations)
			b.ReportMetric(percentile(durations, 0.50), "p50-ms")
			b.ReportMetric(percentile(durations, 0.95), "p95-ms")
		})
	}
}

// percentile returns the p-th percentile of sorted durations in
// milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)-1))
	return float64(sorted[i].Microseconds()) / 1000
}
