package storage_test

import (
	"context"
	"testing"
	"time"

	"partnerbot/storage"
)

// TestSearchResultsFollowEveryChange: an instance keeps search results and
// town look-ups, and every change another instance makes to what they
// show is seen at once: new, edited, archived and hidden projects, new
// towns. A change the count does not see (written with triggers off) is
// not seen either, which shows the results are kept.
func TestSearchResultsFollowEveryChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1, 2)
	reader, writer := storage.New(f.s.Pool()), f.s
	titles := func(text string) []string {
		t.Helper()
		page, err := reader.SearchProjects(ctx, storage.ProjectQuery{Text: text, ReaderLanguage: "en"}, 0, 5)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range page.Projects {
			got = append(got, p.Title)
		}
		return got
	}
	expect := func(step string, got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: found %q, want %q", step, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: found %q, want %q", step, got, want)
			}
		}
	}

	expect("before any project", titles("orchestra"))
	p := f.project(1, f.fields("Ichnia", "Youth orchestra", "Rehearsals every week"))
	expect("created", titles("orchestra"), "Youth orchestra")
	expect("asked again", titles("orchestra"), "Youth orchestra")

	fields := f.fields("Ichnia", "School orchestra", "Rehearsals every week")
	if _, err := writer.UpdateProject(ctx, 1, p.Code, fields); err != nil {
		t.Fatal(err)
	}
	expect("edited", titles("orchestra"), "School orchestra")

	// Behind the count's back: the transaction says it has been counted.
	tx, err := writer.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT set_config('partnerbot.search_generation_counted', 'on', true)`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE projects SET title = 'Silent orchestra' WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	expect("changed uncounted", titles("orchestra"), "School orchestra")
	if _, err := writer.Pool().Exec(ctx, `UPDATE search_generation SET generation = generation + 1`); err != nil {
		t.Fatal(err)
	}
	expect("counted", titles("orchestra"), "Silent orchestra")

	if _, err := writer.SetProjectArchived(ctx, 1, p.Code, true); err != nil {
		t.Fatal(err)
	}
	expect("archived", titles("orchestra"))
	if _, err := writer.SetProjectArchived(ctx, 1, p.Code, false); err != nil {
		t.Fatal(err)
	}
	expect("back", titles("orchestra"), "Silent orchestra")

	// A new town is found by name as soon as it exists.
	named := func() int {
		t.Helper()
		each, err := reader.TownsNamedEach(ctx, []string{"Pryluky"}, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(each[0])
	}
	if n := named(); n != 0 {
		t.Fatalf("Pryluky before it exists: %d towns", n)
	}
	err = writer.WriteTowns(ctx, func(w *storage.TownWriter) error {
		_, _, err := w.UpsertTown(ctx, storage.TownRecord{Key: "ua-pryluky", Name: "Pryluky", Country: "UA"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := named(); n != 1 {
		t.Fatalf("Pryluky once it exists: %d towns, want 1", n)
	}
}

// TestSearchGenerationCountsCommits: a transaction counts once however
// many rows it writes, at its commit; one rolled back does not count.
func TestSearchGenerationCountsCommits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1)
	pool := f.s.Pool()
	generation := func() int64 {
		t.Helper()
		var g int64
		if err := pool.QueryRow(ctx, `SELECT generation FROM search_generation`).Scan(&g); err != nil {
			t.Fatal(err)
		}
		return g
	}
	start := generation()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"One", "Two", "Three"} {
		if _, err := tx.Exec(ctx, `UPDATE projects SET title = $1`, title); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE towns SET region = region`); err != nil {
		t.Fatal(err)
	}
	if g := generation(); g != start {
		t.Fatalf("before the commit: generation %d, want %d", g, start)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if g := generation(); g != start+1 {
		t.Fatalf("after one transaction: generation %d, want %d", g, start+1)
	}
	tx, err = pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE towns SET region = region`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if g := generation(); g != start+1 {
		t.Fatalf("after a rollback: generation %d, want %d", g, start+1)
	}
}

// TestSearchesUseTheClaimsGeneration: an update's claim reads the count
// of changes, and its handler's searches use it without reading it
// again: an update claimed after a change finds it, one claimed before it
// may be answered from the results kept before it.
func TestSearchesUseTheClaimsGeneration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1)
	s := f.s
	claim := func(id int64) storage.ClaimedUpdate {
		t.Helper()
		if _, err := record(ctx, s, id, 1, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		cs, err := s.ClaimUpdates(ctx, "w", time.Minute, time.Minute, 0, 1)
		if err != nil || len(cs) != 1 {
			t.Fatalf("claimed %+v, %v", cs, err)
		}
		if err := s.CloseUpdates(ctx, []storage.ClosedUpdate{{UpdateID: id, Outcome: storage.OutcomeHandled}}); err != nil {
			t.Fatal(err)
		}
		return cs[0]
	}
	found := func(ctx context.Context) int {
		t.Helper()
		page, err := s.SearchProjects(ctx, storage.ProjectQuery{Text: "choir"}, 0, 5)
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Projects)
	}
	before := claim(1)
	if n := found(storage.WithClaim(ctx, before)); n != 0 {
		t.Fatalf("before any project: %d found", n)
	}
	p := f.project(1, f.fields("Ichnia", "Town choir", "We sing"))
	after := claim(2)
	if after.SearchGeneration <= before.SearchGeneration {
		t.Fatalf("generation %d after a new project, %d before", after.SearchGeneration, before.SearchGeneration)
	}
	if n := found(storage.WithClaim(ctx, after)); n != 1 {
		t.Fatalf("claimed after the project: %d found, want 1", n)
	}
	// A change after the claim counts as made just after the update: its
	// handler is answered from the results kept at the claim's count, and
	// the next update, or a search outside any update, sees the change.
	if _, err := s.SetProjectArchived(ctx, 1, p.Code, true); err != nil {
		t.Fatal(err)
	}
	if n := found(storage.WithClaim(ctx, after)); n != 1 {
		t.Fatalf("at the claim's count: %d found, want the kept 1", n)
	}
	if n := found(ctx); n != 0 {
		t.Fatalf("outside an update, after the change: %d found, want 0", n)
	}
	if n := found(storage.WithClaim(ctx, claim(3))); n != 0 {
		t.Fatalf("claimed after the change: %d found, want 0", n)
	}
}
