package storage_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

func titles(page storage.ProjectPage) []string {
	var out []string
	for _, p := range page.Projects {
		out = append(out, p.Title)
	}
	return out
}

func TestSearchProjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1, 2)
	water := func(p *storage.ProjectFields) {
		p.Topics, p.Sector, p.Languages = []string{"water", "reconstruction"}, "administration", []string{"uk"}
	}
	f.project(1, f.fields("Ichnia", "Чиста вода для Ічні", "Відновлюємо водогін і шукаємо партнерів.", water))
	f.project(1, f.fields("Grevesmühlen", "Wasserversorgung in Grevesmühlen", "Die Feuerwehr sucht Partner für Übungen.",
		func(p *storage.ProjectFields) { p.Sector, p.PartnerTownID = "administration", f.towns["Ichnia"] }))
	f.project(2, f.fields("Laxå", "Youth theatre", "Summer camp with water sports at Laxå lake.",
		func(p *storage.ProjectFields) {
			p.Topics, p.Languages = []string{"youth", "sport"}, []string{"sv", "en"}
		}))
	f.project(2, f.fields("Laxå", "Café für Begegnungen", "Ein Ort für Gespräche über Kultur.",
		func(p *storage.ProjectFields) { p.Sector, p.Languages = "business", []string{"de", "sv"} }))
	archived := f.project(2, f.fields("Ichnia", "Archived water project", "water"))
	if _, err := f.s.SetProjectArchived(ctx, 2, archived.Code, true); err != nil {
		t.Fatal(err)
	}
	hidden := f.project(2, f.fields("Ichnia", "Hidden water project", "water"))
	if _, err := testdb.InTx(f.s, func(tx pgx.Tx) (int64, error) { return f.s.ReportProjectTx(ctx, tx, 1, hidden.ID, "spam") }); err != nil {
		t.Fatal(err)
	}
	reports, _ := f.s.OpenReports(ctx, 10)
	if _, err := testdb.InTx(f.s, func(tx pgx.Tx) (storage.Project, error) {
		return f.s.HideReportedProjectTx(ctx, tx, 1, reports[0].ID)
	}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		q    storage.ProjectQuery
		want []string
	}{
		{"everything, newest first", storage.ProjectQuery{},
			[]string{"Café für Begegnungen", "Youth theatre", "Wasserversorgung in Grevesmühlen", "Чиста вода для Ічні"}},
		{"Cyrillic word", storage.ProjectQuery{Text: "вода"}, []string{"Чиста вода для Ічні"}},
		{"transliterated word", storage.ProjectQuery{Text: "voda"}, []string{"Чиста вода для Ічні"}},
		{"German transliteration of a Cyrillic word", storage.ProjectQuery{Text: "Itschni"}, []string{"Чиста вода для Ічні"}},
		{"prefix of a compound", storage.ProjectQuery{Text: "Wasser"}, []string{"Wasserversorgung in Grevesmühlen"}},
		{"without accents", storage.ProjectQuery{Text: "cafe"}, []string{"Café für Begegnungen"}},
		{"umlaut spelled out", storage.ProjectQuery{Text: "Grevesmuehlen"}, []string{"Wasserversorgung in Grevesmühlen"}},
		{"umlaut dropped", storage.ProjectQuery{Text: "grevesmuhlen feuerwehr"}, []string{"Wasserversorgung in Grevesmühlen"}},
		{"typo", storage.ProjectQuery{Text: "Wasserversorgnug"}, []string{"Wasserversorgung in Grevesmühlen"}},
		// The typo is the second word: its alternatives belong to it.
		{"typo after a word", storage.ProjectQuery{Text: "feuerwehr Wasserversorgnug"},
			[]string{"Wasserversorgung in Grevesmühlen"}},
		{"two typos", storage.ProjectQuery{Text: "Wasserversorgnug Grevesmülhen"}, []string{"Wasserversorgung in Grevesmühlen"}},
		// A word that begins a known word is no typo ("theat" is not
		// looked up as "theatre" by likeness but by its beginning).
		{"typo and a beginning", storage.ProjectQuery{Text: "theat summmer"}, []string{"Youth theatre"}},
		{"every word must match", storage.ProjectQuery{Text: "water theatre"}, []string{"Youth theatre"}},
		{"no match", storage.ProjectQuery{Text: "submarine"}, nil},
		{"title before description", storage.ProjectQuery{Text: "kultur begegnungen"}, []string{"Café für Begegnungen"}},
		{"town or partner town", storage.ProjectQuery{TownIDs: []int64{f.towns["Ichnia"]}},
			[]string{"Wasserversorgung in Grevesmühlen", "Чиста вода для Ічні"}},
		{"text and town", storage.ProjectQuery{Text: "water", TownIDs: []int64{f.towns["Laxå"]}}, []string{"Youth theatre"}},
		{"country", storage.ProjectQuery{Country: "SE"}, []string{"Café für Begegnungen", "Youth theatre"}},
		{"country of the partner town", storage.ProjectQuery{Country: "UA"},
			[]string{"Wasserversorgung in Grevesmühlen", "Чиста вода для Ічні"}},
		{"sector", storage.ProjectQuery{Sector: "business"}, []string{"Café für Begegnungen"}},
		{"topic", storage.ProjectQuery{Topic: "water"}, []string{"Чиста вода для Ічні"}},
		{"language", storage.ProjectQuery{Language: "sv"}, []string{"Café für Begegnungen", "Youth theatre"}},
		{"sector and language", storage.ProjectQuery{Sector: "administration", Language: "de"}, []string{"Wasserversorgung in Grevesmühlen"}},
		{"text, topic and country", storage.ProjectQuery{Text: "водогін", Topic: "reconstruction", Country: "UA"},
			[]string{"Чиста вода для Ічні"}},
		{"punctuation only", storage.ProjectQuery{Text: "?!"},
			[]string{"Café für Begegnungen", "Youth theatre", "Wasserversorgung in Grevesmühlen", "Чиста вода для Ічні"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := f.s.SearchProjects(ctx, tt.q, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if got := titles(page); !slices.Equal(got, tt.want) || page.Total != len(tt.want) {
				t.Fatalf("found %q (total %d), want %q", got, page.Total, tt.want)
			}
		})
	}
}

func TestSearchProjectsRanksAndPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1)
	f.project(1, f.fields("Ichnia", "Choir", "We also repair the school roof."))
	f.project(1, f.fields("Ichnia", "School roof", "Repairs before winter."))
	for i := range 7 {
		f.project(1, f.fields("Laxå", "Filler "+strings.Repeat("x", i+1), "Nothing about it."))
	}
	page, err := f.s.SearchProjects(ctx, storage.ProjectQuery{Text: "school"}, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got := titles(page); !slices.Equal(got, []string{"School roof", "Choir"}) {
		t.Fatalf("title match must come first: %q", got)
	}
	var all []string
	for offset := 0; ; offset += 5 {
		page, err := f.s.SearchProjects(ctx, storage.ProjectQuery{Text: "nothing"}, offset, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Projects) == 0 {
			break
		}
		if page.Total != 7 {
			t.Fatalf("total %d, want 7", page.Total)
		}
		all = append(all, titles(page)...)
	}
	slices.Sort(all)
	if len(slices.Compact(all)) != 7 {
		t.Fatalf("pages gave %q, want each of 7 projects once", all)
	}
}

// FuzzSearchProjects feeds arbitrary text to the search: whatever people
// type must never become a query PostgreSQL refuses.
func FuzzSearchProjects(f *testing.F) {
	for _, seed := range []string{"water", "вода Ічня", "'", `\`, "a:*", "(&|!)", "Grevesmühlen's", "x' | 'y",
		"ʼ’'", "<->", "ab cd ef gh ij kl mn op qr st", strings.Repeat("ї", 300), "Знам’янка", "\x00", "co2 ä ö ü ß"} {
		f.Add(seed)
	}
	// Projects whose words the seeds name, so that a text query gets past
	// the look-up of known words into the tsquery and its ranking.
	s := newStoreWithTowns(f, exampleTowns...)
	ctx := context.Background()
	towns, err := s.SearchTowns(ctx, exampleTowns[0].Name, 1)
	if err != nil || len(towns) == 0 {
		f.Fatalf("town: %v", err)
	}
	if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: 1, FirstName: "Olena"}); err != nil {
		f.Fatal(err)
	}
	for _, text := range []string{"Water for Ichnia: вода", "Знам’янка co2 ä ö ü ß", "Grevesmühlen's choir and water",
		"ab cd ef gh ij kl mn op qr st"} {
		if _, err := s.CreateProject(ctx, 1, storage.ProjectFields{Title: text, Description: text, TownID: towns[0].ID,
			Sector: "civil_society", Topics: []string{"culture"}, Languages: []string{"uk"}, ContactRequests: true}); err != nil {
			f.Fatal(err)
		}
	}
	if found, err := s.SearchProjects(ctx, storage.ProjectQuery{Text: "water"}, 0, 5); err != nil || len(found.Projects) == 0 {
		f.Fatalf("the seeded projects are not found: %+v, %v", found, err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := s.SearchProjects(context.Background(), storage.ProjectQuery{Text: text}, 0, 5); err != nil {
			t.Fatalf("SearchProjects(%q): %v", text, err)
		}
	})
}

// TestProjectCountriesFollowTowns: the country filter follows a project's
// towns when they change, and a town's country when an import corrects it.
func TestProjectCountriesFollowTowns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1)
	p := f.project(1, f.fields("Laxå", "Lake", "D"))
	inCountry := func(country string) bool {
		t.Helper()
		page, err := f.s.SearchProjects(ctx, storage.ProjectQuery{Country: country}, 0, 5)
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Projects) == 1
	}
	if !inCountry("SE") || inCountry("DE") {
		t.Fatal("a Swedish project is not found by its country alone")
	}
	fields := p.ProjectFields
	fields.PartnerTownID = f.towns["Grevesmühlen"]
	if _, err := f.s.UpdateProject(ctx, 1, p.Code, fields); err != nil {
		t.Fatal(err)
	}
	if !inCountry("SE") || !inCountry("DE") || inCountry("UA") {
		t.Fatal("the partner town's country does not count")
	}
	if got, err := f.s.ProjectCountries(ctx); err != nil || !slices.Equal(got, []string{"DE", "SE"}) {
		t.Fatalf("ProjectCountries = %v, %v", got, err)
	}
	laxa := storage.TownRecord{Key: "se-laxa", Name: "Laxå", Country: "FI"}
	if err := f.s.WriteTowns(ctx, func(w *storage.TownWriter) error {
		_, _, err := w.UpsertTown(ctx, laxa)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if inCountry("SE") || !inCountry("FI") {
		t.Fatal("the project did not follow its town's corrected country")
	}
}

// FuzzPrefixEnd: every string that begins with a key sorts (by bytes, as
// PostgreSQL's text_pattern_ops does) from the key up to, not including,
// PrefixEnd(key), which search uses as the end of the range of words a
// key begins.
func FuzzPrefixEnd(f *testing.F) {
	for _, seed := range [][2]string{{"voda", "vodapostachannia"}, {"вод", "водогін"}, {"міст", "містo"},
		{"\ud7ff", "\ud7ffx"}, {"a\U0010ffff", "a\U0010ffffz"}, {"z", "za"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, key, rest string) {
		if key == "" || !utf8.ValidString(key) || !utf8.ValidString(rest) {
			return
		}
		end := storage.PrefixEnd(key)
		if !utf8.ValidString(end) {
			t.Fatalf("PrefixEnd(%q) = %q is not UTF-8", key, end)
		}
		if s := key + rest; strings.Trim(key, "\U0010ffff") != "" && !(key <= s && s < end) {
			t.Fatalf("%q begins with %q but does not sort before PrefixEnd = %q", s, key, end)
		}
	})
}
