package storage_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/storage"
)

// knownWords lists the words of project_words that begin with prefix.
func knownWords(t *testing.T, s *storage.Store, prefixes ...string) []string {
	t.Helper()
	var out []string
	for _, p := range prefixes {
		rows, err := s.Pool().Query(context.Background(), `SELECT word FROM project_words WHERE word LIKE $1 || '%' ORDER BY word`, p)
		if err != nil {
			t.Fatal(err)
		}
		words, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, words...)
	}
	return out
}

// TestUnusedWordsForgotten: the words of a deleted project, of a person
// who erased their data and of text edited away leave project_words once
// CollectUnusedWords ran; words other projects use stay, and search still
// finds those projects (security review #8).
func TestUnusedWordsForgotten(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner, dana = 1, 2
	f := newProjectFixture(t, owner, dana)
	collect := func() {
		t.Helper()
		if _, err := f.s.CollectUnusedWords(ctx); err != nil {
			t.Fatal(err)
		}
		if n := listingsDisagree(t, f.s); n != 0 {
			t.Fatalf("%d listings disagree with their projects", n)
		}
	}
	found := func(text string) int {
		t.Helper()
		page, err := f.s.SearchProjects(ctx, storage.ProjectQuery{Text: text}, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	private := []string{"380501234567", "dana", "kovalcsikovna", "example"}
	gone := f.project(owner, f.fields("Ichnia", "Gemeinschaftsgarten Zzyzxa",
		"Call me: dana.kowalczykowna@example.org +380501234567"))
	stays := f.project(owner, f.fields("Laxå", "Gemeinschaftsgarten", "Singing melodies"))
	indexed := func(prefixes ...string) {
		t.Helper()
		for _, p := range prefixes {
			if len(knownWords(t, f.s, p)) == 0 {
				t.Fatalf("no word begins with %q before the change: the test is broken", p)
			}
		}
	}
	indexed(append(private, "sisxa")...)
	if err := f.s.DeleteProject(ctx, owner, gone.Code); err != nil {
		t.Fatal(err)
	}
	collect()
	if got := knownWords(t, f.s, append(private, "sisxa")...); len(got) != 0 {
		t.Fatalf("a deleted project's words stay: %q", got)
	}
	if found("Gemeinschaftsgarten") != 1 {
		t.Fatal("a word another project uses is gone from search")
	}

	// An edit: the words it removes go, the new ones are found.
	indexed("singing", "melod")
	fields := stays.ProjectFields
	fields.Description = "Harmonies"
	if _, err := f.s.UpdateProject(ctx, owner, stays.Code, fields); err != nil {
		t.Fatal(err)
	}
	collect()
	if got := knownWords(t, f.s, "singing", "melod"); len(got) != 0 {
		t.Fatalf("words edited away stay: %q", got)
	}
	if found("harmonies") != 1 || found("Gemeinschaftsgarten") != 1 {
		t.Fatal("the edited project is not found by its words")
	}

	// An archived project keeps its words in its own vector: listed
	// again, it is found by them.
	archived := f.project(owner, f.fields("Ichnia", "Zzyzxb", "Archived words"))
	if _, err := f.s.SetProjectArchived(ctx, owner, archived.Code, true); err != nil {
		t.Fatal(err)
	}
	collect()
	if _, err := f.s.SetProjectArchived(ctx, owner, archived.Code, false); err != nil {
		t.Fatal(err)
	}
	if found("Zzyzxb") != 1 {
		t.Fatal("a project listed again is not found by its words")
	}

	// Erasure.
	f.project(dana, f.fields("Ichnia", "Zzyzxc Kowalczykowna", "Private"))
	indexed("sisxc", "kovalcsikovna", "private")
	if err := f.s.InTx(ctx, func(tx pgx.Tx) error { return f.s.DeleteUserTx(ctx, tx, dana) }); err != nil {
		t.Fatal(err)
	}
	collect()
	if got := knownWords(t, f.s, "sisxc", "kovalcsikovna", "private"); len(got) != 0 {
		t.Fatalf("an erased person's words stay: %q", got)
	}
}

// TestWordsCollectedWhileProjectsAreWritten: collecting the words of a
// deleted project while other projects with the same words are written
// leaves every listing able to find its project.
func TestWordsCollectedWhileProjectsAreWritten(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1)
	const writers = 4
	for _, word := range []string{"Kartoffelacker", "Leuchtturm", "Wasserspiel", "Brückenbau", "Glockenturm"} {
		old := f.project(1, f.fields("Laxå", word, "old"))
		var wg sync.WaitGroup
		errs := make(chan error, writers+1)
		for i := range writers {
			wg.Go(func() {
				_, err := f.s.CreateProject(ctx, 1, f.fields("Laxå", word, fmt.Sprint("new ", i)))
				errs <- err
			})
		}
		wg.Go(func() {
			if err := f.s.DeleteProject(ctx, 1, old.Code); err != nil {
				errs <- err
				return
			}
			_, err := f.s.CollectUnusedWords(ctx)
			errs <- err
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		page, err := f.s.SearchProjects(ctx, storage.ProjectQuery{Text: word}, 0, 10)
		if err != nil || page.Total != writers {
			t.Fatalf("%s finds %d projects (%v), want %d", word, page.Total, err, writers)
		}
	}
	if n := listingsDisagree(t, f.s); n != 0 {
		t.Fatalf("%d listings disagree with their projects", n)
	}
	if words := knownWords(t, f.s, "old"); !slices.Equal(words, []string(nil)) {
		t.Fatalf("the deleted projects' own words stay: %q", words)
	}
}

// TestCollectingWaitsForProjectWrites: a write that took the id of a word
// about to be collected (a listing of another project with the same word)
// is waited for, and the word stays: no listing is left pointing at a
// word that is gone.
func TestCollectingWaitsForProjectWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1)
	gone := f.project(1, f.fields("Laxå", "Kartoffelacker", "Alt"))
	other := f.project(1, f.fields("Laxå", "Choir", "Singing"))
	var vector string
	var words []string
	if err := f.s.Pool().QueryRow(ctx, `SELECT search::text, tsvector_to_array(search) FROM projects WHERE id = $1`,
		gone.ID).Scan(&vector, &words); err != nil || len(words) == 0 {
		t.Fatalf("words %q, %v", words, err)
	}
	if err := f.s.DeleteProject(ctx, 1, gone.Code); err != nil {
		t.Fatal(err)
	}
	tx, err := f.s.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `UPDATE projects SET search = $1::tsvector WHERE id = $2`, vector, other.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := f.s.CollectUnusedWords(ctx)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("words were collected (%v) while a project write that uses one was under way", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := listingsDisagree(t, f.s); n != 0 {
		t.Fatalf("%d listings disagree with their projects", n)
	}
	var left []string
	if err := f.s.Pool().QueryRow(ctx, `SELECT array_agg(word ORDER BY word) FROM project_words WHERE word = ANY ($1)`,
		words).Scan(&left); err != nil {
		t.Fatal(err)
	}
	slices.Sort(words)
	if !slices.Equal(left, words) {
		t.Fatalf("of the words in use %q, only %q are left", words, left)
	}
}
