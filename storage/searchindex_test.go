package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// createContactRequest writes requester's introduction to project now.
func createContactRequest(f *projectFixture, requester, project int64, intro string, now time.Time) (storage.ContactRequest, error) {
	return testdb.InTx(f.s, func(tx pgx.Tx) (storage.ContactRequest, error) {
		return f.s.CreateContactRequestTx(context.Background(), tx, requester, project, intro, now)
	})
}

// TestTextLanguagesAreStored: the language of every text people write is
// detected where it is written, and exposed on the storage types.
func TestTextLanguagesAreStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1, 2)
	p := f.project(1, f.fields("Grevesmühlen", "Partnerschaft der Feuerwehren",
		"Wir besuchen unsere Kameraden in Ichnja und bringen Ausrüstung mit."))
	if p.TitleLang != "de" || p.DescriptionLang != "de" {
		t.Fatalf("project languages %q, %q", p.TitleLang, p.DescriptionLang)
	}
	fields := p.ProjectFields
	fields.Title, fields.Description = "Fire brigade partnership", "We visit our colleagues in Ichnia and bring equipment."
	p, err := f.s.UpdateProject(ctx, 1, p.Code, fields)
	if err != nil || p.TitleLang != "en" || p.DescriptionLang != "en" {
		t.Fatalf("updated project languages %q, %q (%v)", p.TitleLang, p.DescriptionLang, err)
	}
	c, err := createContactRequest(f, 2, p.ID, "Доброго дня! Ми з пожежної частини в Ічні, хочемо познайомитися.", time.Now())
	if err != nil || c.IntroLang != "uk" {
		t.Fatalf("intro language %q (%v)", c.IntroLang, err)
	}
	if c, err = f.s.ContactRequest(ctx, c.ID); err != nil || c.IntroLang != "uk" {
		t.Fatalf("stored intro language %q (%v)", c.IntroLang, err)
	}
	q := f.project(1, f.fields("Laxå", "Wymiana młodzieży", "Szukamy partnerów dla naszej drużyny piłkarskiej."))
	if q.TitleLang != "pl" || q.DescriptionLang != "pl" {
		t.Fatalf("Polish project languages %q, %q", q.TitleLang, q.DescriptionLang)
	}
	if c, err = createContactRequest(f, 2, q.ID, "Dzień dobry, chcielibyśmy dołączyć do wymiany.", time.Now()); err != nil ||
		c.IntroLang != "pl" {
		t.Fatalf("Polish intro language %q (%v)", c.IntroLang, err)
	}
	ev := eventFields(time.Now().Add(48 * time.Hour))
	ev.Title, ev.Description = "Rencontre des pompiers", "Une journée d’échange entre les pompiers des villes jumelées."
	// An event is created, then changed, in its own transaction each.
	write := func(id int64) (storage.Event, error) {
		return testdb.InTx(f.s, func(tx pgx.Tx) (e storage.Event, err error) {
			if id == 0 {
				e, _, err = f.s.CreateEventTx(ctx, tx, 1, ev)
			} else {
				e, _, _, err = f.s.UpdateEventTx(ctx, tx, id, ev, time.Now())
			}
			return e, err
		})
	}
	e, err := write(0)
	if err != nil || e.TextLang != "fr" {
		t.Fatalf("event language %q (%v)", e.TextLang, err)
	}
	ev.Title, ev.Description = "Brandkårernas dag", "En dag för räddningstjänsten i våra vänorter."
	if e, err = write(e.ID); err != nil || e.TextLang != "sv" {
		t.Fatalf("updated event language %q (%v)", e.TextLang, err)
	}
}

// TestRefreshSearchRewritesOldVectors: projects stored before the
// glossary (or with another version of it) are rewritten once at start,
// and are then found across languages; languages missing on events and
// contact requests are detected.
func TestRefreshSearchRewritesOldVectors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1, 2)
	p := f.project(1, f.fields("Grevesmühlen", "Jugend-Fußballaustausch", "Training für Jugendliche."))
	if _, err := createContactRequest(f, 2, p.ID, "Hello, we would like to join the exchange!", time.Now()); err != nil {
		t.Fatal(err)
	}
	// As a database written before migration 00110 looks.
	exec := func(sql string) {
		t.Helper()
		if _, err := f.s.Pool().Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE projects SET search = setweight(to_tsvector('simple', 'jugend fusbalaustaush'), 'A'),
		title_lang = NULL, description_lang = NULL`)
	exec(`UPDATE contact_requests SET intro_lang = NULL`)
	exec(`DELETE FROM search_index_state`)
	found := func() bool {
		page, err := f.s.SearchProjects(ctx, storage.ProjectQuery{Text: "футбол", ReaderLanguage: "uk"}, 0, 5)
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Projects) == 1
	}
	if found() {
		t.Fatal("the old vector already crosses languages: the test is broken")
	}
	n, err := f.s.RefreshSearch(ctx, 1)
	if err != nil || n != 1 {
		t.Fatalf("RefreshSearch rewrote %d projects (%v), want 1", n, err)
	}
	if !found() {
		t.Fatal("after the refresh the project is not found across languages")
	}
	if p, _ = f.s.ProjectByCode(ctx, p.Code); p.TitleLang != "de" {
		t.Fatalf("title language after refresh: %q", p.TitleLang)
	}
	var langs []string
	if err := f.s.Pool().QueryRow(ctx, `SELECT array_agg(intro_lang) FROM contact_requests`).Scan(&langs); err != nil ||
		!slices.Equal(langs, []string{"en"}) {
		t.Fatalf("contact request languages after refresh: %v (%v)", langs, err)
	}
	// With the version recorded, a second start rewrites nothing.
	if n, err := f.s.RefreshSearch(ctx, 1); err != nil || n != 0 {
		t.Fatalf("second RefreshSearch rewrote %d (%v)", n, err)
	}
	if n := listingsDisagree(t, f.s); n != 0 {
		t.Fatalf("%d listings disagree with their projects after the refresh", n)
	}
}

// TestChangedTextsTakeTheirTranslations: when a project's text changes or
// the project is deleted, cached translations of the old text go.
func TestChangedTextsTakeTheirTranslations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1)
	p := f.project(1, f.fields("Grevesmühlen", "Chor sucht Partner", "Wir singen gern."))
	for _, text := range []string{p.Title, p.Description} {
		if err := f.s.StoreTranslation(ctx, text, "uk", 1, storage.CachedTranslation{Text: "x", Provider: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	cached := func(text string) bool {
		_, ok, err := f.s.CachedTranslation(ctx, text, "uk")
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	fields := p.ProjectFields
	fields.Title = "Chor sucht Partnerchor"
	if _, err := f.s.UpdateProject(ctx, 1, p.Code, fields); err != nil {
		t.Fatal(err)
	}
	if cached("Chor sucht Partner") || !cached("Wir singen gern.") {
		t.Fatal("after a title change: the old title's translation must go, the unchanged description's stay")
	}
	if err := f.s.DeleteProject(ctx, 1, p.Code); err != nil {
		t.Fatal(err)
	}
	if cached("Wir singen gern.") {
		t.Fatal("a deleted project's translations stay")
	}
}
