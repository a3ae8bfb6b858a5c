package projectgen_test

import (
	"context"
	"reflect"
	"testing"

	"partnerbot/internal/projectgen"
	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// TestGeneratedProjectsAreFoundAsWrittenOnes: the bulk-written projects
// are listed and searchable as projects created one by one are, across
// languages too (their concept tokens).
func TestGeneratedProjectsAreFoundAsWrittenOnes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	data, err := projectgen.Generate(ctx, pool, projectgen.Options{Towns: 40, Owners: 10, Projects: 3000})
	if err != nil {
		t.Fatal(err)
	}
	var projects, listed int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM project_listings)`).
		Scan(&projects, &listed); err != nil {
		t.Fatal(err)
	}
	if projects != 3000 || listed == 0 || listed >= projects {
		t.Fatalf("%d projects, %d listed: want 3000, of them all but the archived and hidden listed", projects, listed)
	}
	if len(data.Towns) == 0 || len(data.RareWords) == 0 {
		t.Fatalf("data %d towns, %d rare words", len(data.Towns), len(data.RareWords))
	}
	// The benchmark keeps the data between runs and recalls what they are.
	if recalled, err := projectgen.Recall(ctx, pool); err != nil || !reflect.DeepEqual(recalled, data) {
		t.Fatalf("recalled %d towns, %d rare words (%v), generated %d, %d",
			len(recalled.Towns), len(recalled.RareWords), err, len(data.Towns), len(data.RareWords))
	}
	s := storage.New(pool)
	search := func(q storage.ProjectQuery) int {
		t.Helper()
		page, err := s.SearchProjects(ctx, q, 0, 5)
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	// "water" is the commonest topic word; the Ukrainian reader finds the
	// same projects by the concept (вода) and more (водопостачання).
	water := search(storage.ProjectQuery{Text: "water"})
	if water == 0 {
		t.Fatal("no project found by the commonest topic word")
	}
	if got := search(storage.ProjectQuery{Text: "вода", ReaderLanguage: "uk"}); got < water {
		t.Errorf("вода for a Ukrainian reader found %d, want at least the %d of water", got, water)
	}
	// Totals are counted up to storage.MaxCounted; the commonest topic
	// word reaches it.
	if water < storage.MaxCounted {
		t.Fatalf("water found in %d projects, want at least %d", water, storage.MaxCounted)
	}
}
