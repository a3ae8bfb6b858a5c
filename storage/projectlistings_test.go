package storage_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/searchkey"
	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// listingsDisagree counts the projects whose listing (project_listings)
// is not what the project says: a listed project without one or with other
// values or words, or an archived, hidden or deleted one with one.
func listingsDisagree(t *testing.T, s *storage.Store) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRow(context.Background(), `
		SELECT count(*) FROM projects p FULL JOIN project_listings l ON l.project_id = p.id
		WHERE p.id IS NULL
			OR (p.archived_at IS NULL AND p.hidden_at IS NULL) <> (l.project_id IS NOT NULL)
			OR (l.project_id IS NOT NULL AND (
				(l.created_at, l.town_id, l.partner_town_id, l.sector, l.topics, l.languages, l.countries)
					IS DISTINCT FROM (p.created_at, p.town_id, p.partner_town_id, p.sector, p.topics, p.languages,
						p.countries)
				OR l.words IS DISTINCT FROM (SELECT coalesce(array_agg(w.id ORDER BY w.id), '{}') FROM project_words w
					WHERE w.word = ANY (tsvector_to_array(p.search)))))`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestListingsFollowProjects: every write to a project, by any path,
// leaves its listing as the project says, in the same transaction.
func TestListingsFollowProjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1, 2)
	a := f.project(1, f.fields("Ichnia", "Чиста вода", "Водогін для громади"))
	b := f.project(2, f.fields("Laxå", "Choir", "Singing together"))
	c := f.project(2, f.fields("Grevesmühlen", "Feuerwehr", "Übungen"))
	steps := []struct {
		name string
		do   func() error
	}{
		{"created", func() error { return nil }},
		{"text, towns and topics changed", func() error {
			fields := a.ProjectFields
			fields.Title, fields.PartnerTownID, fields.Topics = "Нова бібліотека", f.towns["Laxå"], []string{"youth"}
			_, err := f.s.UpdateProject(ctx, 1, a.Code, fields)
			return err
		}},
		{"archived", func() error { _, err := f.s.SetProjectArchived(ctx, 2, b.Code, true); return err }},
		{"unarchived", func() error { _, err := f.s.SetProjectArchived(ctx, 2, b.Code, false); return err }},
		{"hidden", func() error {
			if _, err := testdb.InTx(f.s, func(tx pgx.Tx) (int64, error) { return f.s.ReportProjectTx(ctx, tx, 1, c.ID, "spam") }); err != nil {
				return err
			}
			reports, err := f.s.OpenReports(ctx, 10)
			if err != nil {
				return err
			}
			return f.s.InTx(ctx, func(tx pgx.Tx) error {
				_, err := f.s.HideReportedProjectTx(ctx, tx, 1, reports[0].ID)
				return err
			})
		}},
		{"shown again", func() error {
			return f.s.InTx(ctx, func(tx pgx.Tx) error { _, err := f.s.UnhideProjectTx(ctx, tx, 1, c.ID); return err })
		}},
		{"town's country corrected", func() error {
			return f.s.WriteTowns(ctx, func(w *storage.TownWriter) error {
				_, _, err := w.UpsertTown(ctx, storage.TownRecord{Key: "se-laxa", Name: "Laxå", Country: "FI"})
				return err
			})
		}},
		{"deleted", func() error { return f.s.DeleteProject(ctx, 2, b.Code) }},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if n := listingsDisagree(t, f.s); n != 0 {
			t.Fatalf("%s: %d listings disagree with their projects", step.name, n)
		}
	}
	var listed int
	if err := f.s.Pool().QueryRow(ctx, `SELECT count(*) FROM project_listings`).Scan(&listed); err != nil || listed != 2 {
		t.Fatalf("%d listings (%v), want the updated project's and the one shown again", listed, err)
	}
	// Rewriting known words takes no new ids: they would run out one day.
	var words, maxID int
	if err := f.s.Pool().QueryRow(ctx, `SELECT count(*), max(id) FROM project_words`).Scan(&words, &maxID); err != nil ||
		maxID != words {
		t.Fatalf("%d words with ids up to %d (%v): ids were taken for words already known", words, maxID, err)
	}
}

// referenceVocabulary mixes Cyrillic words, their transliterations,
// German spellings and words that begin others, so that random queries
// cover every way a word can match.
var referenceVocabulary = strings.Fields(`вода водогін voda Wasser Wasserversorgung школа школи shkola Schule Schulung
	бібліотека biblioteka Bibliothek міст місто mist Mister Ічня Itschnja Ichnia культура kultura Kultur kulturny
	молодь molod Jugend лікарня likarnia Krankenhaus обмін obmin Austausch зграя zghraia`)

// probeWays are the ways a search's probes can be made to run
// (storage.SearchProbes): a search must find the same every way.
var probeWays = [...]int{storage.ProbesByPlanner, storage.ProbesCollect, storage.ProbesWalk, storage.ProbesRecent}

// TestSearchProjectsAgreesWithReference compares the search with a plain
// reading of its rules over random projects and queries: a project matches
// when each query word has a key that is one of the project's keys, or
// begins one when it is long enough; the newest MaxCounted matches are the
// results. Leaving out words implied by others (matchWords) must change no
// result, nor must how the search runs: each query is asked with every
// probe collecting its matches from the index, walking the listings in
// date order, collecting the newest half's matches first, and with the
// planner choosing (searchsample.go), and across
// languages every way must give the same page.
func TestSearchProjectsAgreesWithReference(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1)
	r := rand.New(rand.NewPCG(7, 8))
	text := func(n int) string {
		words := make([]string, n)
		for i := range words {
			words[i] = referenceVocabulary[r.IntN(len(referenceVocabulary))]
		}
		return strings.Join(words, " ")
	}
	towns := []string{"Ichnia", "Grevesmühlen", "Laxå"}
	var projects []storage.Project
	for range 150 {
		fields := f.fields(towns[r.IntN(3)], text(1+r.IntN(3)), text(2+r.IntN(6)), func(p *storage.ProjectFields) {
			p.Topics, p.Sector = someOf(r, storage.Topics, 2), storage.Sectors[r.IntN(len(storage.Sectors))]
			if partner := towns[r.IntN(3)]; f.towns[partner] != p.TownID && r.IntN(2) == 0 {
				p.PartnerTownID = f.towns[partner]
			}
		})
		p := f.project(1, fields)
		if r.IntN(10) == 0 {
			var err error
			if p, err = f.s.SetProjectArchived(ctx, 1, p.Code, true); err != nil {
				t.Fatal(err)
			}
		}
		projects = append(projects, p)
	}
	keysOf := func(p storage.Project) []string {
		var keys []string
		for _, w := range strings.Fields(p.Title + " " + p.Description) {
			keys = append(keys, searchkey.Keys(w)...)
		}
		return keys
	}
	matchesKey := func(docKeys []string, k string) bool {
		return slices.ContainsFunc(docKeys, func(d string) bool {
			return d == k || utf8.RuneCountInString(k) >= 3 && strings.HasPrefix(d, k)
		})
	}
	var allKeys []string
	for _, p := range projects {
		allKeys = append(allKeys, keysOf(p)...)
	}
	queries := 0
	for queries < 300 {
		var words []string
		for range 1 + r.IntN(2) {
			w := []rune(referenceVocabulary[r.IntN(len(referenceVocabulary))])
			words = append(words, string(w[:3+r.IntN(max(1, len(w)-2))]))
		}
		q := storage.ProjectQuery{Text: strings.Join(words, " ")}
		// A topic and a country together are searched as one pair.
		switch r.IntN(4) {
		case 0:
			q.Topic = storage.Topics[r.IntN(len(storage.Topics))]
		case 1:
			q.Country = []string{"UA", "DE", "SE"}[r.IntN(3)]
		case 2:
			q.Topic = storage.Topics[r.IntN(len(storage.Topics))]
			q.Country = []string{"UA", "DE", "SE"}[r.IntN(3)]
		}
		// A word whose first key begins no known word is looked up as a
		// typo, which this reference does not model.
		typo := false
		for _, w := range words {
			typo = typo || !matchesKey(allKeys, searchkey.Keys(w)[0])
		}
		if typo {
			continue
		}
		queries++
		var want []int64
		for _, p := range slices.Backward(projects) {
			if !p.Listed() || q.Topic != "" && !slices.Contains(p.Topics, q.Topic) ||
				q.Country != "" && p.Town.Country != q.Country && p.PartnerTown.Country != q.Country {
				continue
			}
			docKeys := keysOf(p)
			all := true
			for _, w := range words {
				all = all && slices.ContainsFunc(searchkey.Keys(w), func(k string) bool { return matchesKey(docKeys, k) })
			}
			if all && len(want) < storage.MaxCounted {
				want = append(want, p.ID)
			}
		}
		slices.Sort(want)
		for _, way := range probeWays {
			if err := storage.SearchProbes(ctx, f.s, way); err != nil {
				t.Fatal(err)
			}
			page, err := f.s.SearchProjects(ctx, q, 0, storage.MaxCounted)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, p := range page.Projects {
				got = append(got, p.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) || page.Total != len(want) {
				t.Fatalf("%+v (probes %d) found %d projects %v (total %d), want %d: %v", q, way, len(got), got,
					page.Total, len(want), want)
			}
		}
		// Across languages the page, in its order, is the same every way.
		q.ReaderLanguage = []string{"de", "uk", "en"}[queries%3]
		var pages [len(probeWays)][]int64
		for i, way := range probeWays {
			if err := storage.SearchProbes(ctx, f.s, way); err != nil {
				t.Fatal(err)
			}
			page, err := f.s.SearchProjects(ctx, q, 0, storage.MaxCounted)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page.Projects {
				pages[i] = append(pages[i], p.ID)
			}
		}
		for i := range pages {
			if !slices.Equal(pages[i], pages[0]) {
				t.Fatalf("%+v: %v when the planner chooses, %v with probes %d", q, pages[0], pages[i], probeWays[i])
			}
		}
	}
	if n := listingsDisagree(t, f.s); n != 0 {
		t.Fatal(fmt.Sprint(n, " listings disagree with their projects"))
	}
}

// TestSearchSettingsStayInTheSearch: the planner settings a search makes
// (searchSettings) hold for it alone; its connection goes back to the pool
// as it was.
func TestSearchSettingsStayInTheSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1)
	f.project(1, f.fields("Ichnia", "Чиста вода", "Водогін"))
	for _, text := range []string{"", "вода", "water"} {
		if _, err := f.s.SearchProjects(ctx, storage.ProjectQuery{Text: text}, 0, 5); err != nil {
			t.Fatal(err)
		}
	}
	conns := f.s.Pool().AcquireAllIdle(ctx)
	if len(conns) == 0 {
		t.Fatal("no idle connection to check")
	}
	for _, c := range conns {
		var changed []string
		err := c.QueryRow(ctx, `SELECT coalesce(array_agg(name), '{}') FROM pg_settings
			WHERE name IN ('plan_cache_mode', 'seq_page_cost', 'random_page_cost')
				AND current_setting(name) <> reset_val`).Scan(&changed)
		c.Release()
		if err != nil || len(changed) > 0 {
			t.Fatalf("after searches the connection has changed settings %v (%v)", changed, err)
		}
	}
}

// TestConcurrentProjectsShareNewWords: projects written at the same time
// with the same new words all get listings that find them (the word ids
// come from whichever transaction adds a word first).
func TestConcurrentProjectsShareNewWords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1)
	const rounds, writers = 5, 6
	for round := range rounds {
		word := fmt.Sprintf("Gemeinschaftsgarten%c", 'a'+round)
		errs := make(chan error, writers)
		for i := range writers {
			go func() {
				_, err := f.s.CreateProject(ctx, 1, f.fields("Laxå", word, fmt.Sprintf("%s nummer %d", word, i)))
				errs <- err
			}()
		}
		for range writers {
			if err := <-errs; err != nil {
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
}
