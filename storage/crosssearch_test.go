package storage_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"partnerbot/locales"
	"partnerbot/storage"
)

// crossFixture registers German projects (and one Ukrainian, one French,
// one Swedish) the way volunteers write them, for the searches across
// languages.
type crossFixture struct {
	*projectFixture
	byTitle map[string]storage.Project
}

const (
	pFootball = "Jugend-Fußballaustausch Grevesmühlen–Ichnia"
	pFire     = "Neues Löschfahrzeug für die Freiwillige Feuerwehr"
	pHospital = "Medizinische Hilfe für das Krankenhaus in Ichnja"
	pWater    = "Trinkwasserversorgung und Heizung für zwei Schulen"
	pChoir    = "Kinderchor sucht Partnerchor"
	pFeast    = "Sommerfest am See"
	pTurnir   = "Футбольний турнір для дітей"
	pEchange  = "Échange de jeunes et football"
	pBibl     = "Bibliotek för barn och unga"
	pRathaus  = "Digitalisierung im Rathaus"
)

func newCrossFixture(t *testing.T) *crossFixture {
	t.Helper()
	f := &crossFixture{projectFixture: newProjectFixture(t, 1, 2, 3), byTitle: map[string]storage.Project{}}
	add := func(owner int64, town, title, description, sector string, topics ...string) {
		p := f.project(owner, f.fields(town, title, description, func(p *storage.ProjectFields) {
			p.Sector, p.Topics = sector, topics
		}))
		f.byTitle[title] = p
	}
	// Oldest first: the Ukrainian football project is older than the
	// German one, so that ranking it first is not the date's doing.
	add(2, "Ichnia", pTurnir, "Запрошуємо команди з громад-партнерів на літній турнір.", "civil_society", "sport", "youth")
	add(1, "Grevesmühlen", pFootball, "Eine Woche Training und Freundschaftsspiele für Jugendliche aus beiden Partnerstädten.",
		"civil_society", "youth", "sport")
	add(1, "Grevesmühlen", pFire, "Die Feuerwehr Grevesmühlen übergibt ihrer Partnerwehr in Ichnja ein Tanklöschfahrzeug "+
		"und Schutzausrüstung.", "administration", "reconstruction")
	add(1, "Grevesmühlen", pHospital, "Wir sammeln Medikamente, Verbandsmaterial und Krankenhausbetten für die Kinderstation.",
		"civil_society", "health")
	add(1, "Grevesmühlen", pWater, "Sanierung der Heizkessel und der Wasserleitungen, damit die Kinder im Winter lernen können.",
		"administration", "water", "energy", "education")
	add(1, "Grevesmühlen", pChoir, "Unser Chor singt Volkslieder und möchte mit einem Chor in der Ukraine auftreten.",
		"civil_society", "culture")
	add(1, "Grevesmühlen", pFeast, "Ein Fest für alle Generationen mit Musik und Spielen.", "civil_society", "sport")
	add(3, "Laxå", pEchange, "Une semaine de sport pour les jeunes de nos villes jumelées.", "civil_society", "youth", "sport")
	add(3, "Laxå", pBibl, "Vi bygger ett bibliotek med böcker på ukrainska och svenska.", "civil_society", "culture", "education")
	add(1, "Grevesmühlen", pRathaus, "Bürgerbüro und Onlinedienste der Stadtverwaltung für alle.", "administration", "funding")
	return f
}

func (f *crossFixture) search(reader, text string) []string {
	f.t.Helper()
	page, err := f.s.SearchProjects(context.Background(), storage.ProjectQuery{Text: text, ReaderLanguage: reader}, 0, 50)
	if err != nil {
		f.t.Fatalf("%s %q: %v", reader, text, err)
	}
	if page.Total != len(page.Projects) {
		f.t.Fatalf("%s %q: total %d for %d projects", reader, text, page.Total, len(page.Projects))
	}
	return titles(page)
}

// TestSearchAcrossLanguages: projects written in German are found by the
// words readers type in Ukrainian (Cyrillic and transliterated), French,
// Swedish, English and Polish, inflected and compounded.
func TestSearchAcrossLanguages(t *testing.T) {
	t.Parallel()
	f := newCrossFixture(t)
	cases := []struct {
		reader string
		words  []string
		want   []string // each must be found
		not    []string // none of these may be found
	}{
		{"uk", []string{"футбол", "футболу", "футбольний", "футбольного", "futbol", "Футбол"},
			[]string{pFootball, pTurnir, pEchange}, []string{pFire, pChoir}},
		{"uk", []string{"молодь", "молоді", "молодіжний", "молодіжного", "молоддю", "molod", "molodizhnyi", "молодіжний обмін"},
			[]string{pFootball, pEchange}, []string{pFire, pHospital}},
		{"uk", []string{"пожежна команда", "пожежників", "пожежна частина", "рятувальники", "пожежна машина", "pozhezhna"},
			[]string{pFire}, []string{pFootball, pChoir}},
		{"uk", []string{"лікарня", "лікарні", "лікарням", "ліки", "медикаменти", "медична допомога", "likarnia"},
			[]string{pHospital}, []string{pFire, pChoir}},
		{"uk", []string{"водопостачання", "водогін", "водогону", "опалення", "котельня", "школа", "школи", "вода", "voda"},
			[]string{pWater}, []string{pChoir}},
		{"uk", []string{"хор", "хорового", "співати", "khor"}, []string{pChoir}, []string{pFire}},
		{"uk", []string{"цифровізація", "ратуша", "мерія", "ЦНАП", "цифрові послуги"}, []string{pRathaus}, []string{pChoir}},
		{"fr", []string{"football", "foot", "footballeurs", "jeunesse", "jeunes"}, []string{pFootball, pTurnir, pEchange},
			[]string{pFire}},
		{"fr", []string{"pompiers", "sapeurs-pompiers", "camion de pompiers"}, []string{pFire}, []string{pChoir}},
		{"fr", []string{"hôpital", "hôpitaux", "médicaments", "aide médicale"}, []string{pHospital}, []string{pFire}},
		{"fr", []string{"chauffage", "eau potable", "écoles", "l’école"}, []string{pWater}, []string{pFire}},
		{"fr", []string{"chorale", "chœur", "chant"}, []string{pChoir}, []string{pFire}},
		{"sv", []string{"fotboll", "fotbollen", "ungdomar", "ungdom", "ungdomsutbyte"}, []string{pFootball, pEchange},
			[]string{pFire}},
		{"sv", []string{"brandkår", "brandkåren", "räddningstjänsten", "brandbil"}, []string{pFire}, []string{pChoir}},
		{"sv", []string{"sjukhus", "sjukhuset", "läkemedel"}, []string{pHospital}, []string{pFire}},
		{"sv", []string{"uppvärmning", "dricksvatten", "skolor", "skolan"}, []string{pWater}, []string{pFire}},
		{"sv", []string{"kör", "körsång", "folkmusik"}, []string{pChoir}, []string{pFire}},
		{"en", []string{"football", "soccer", "youth exchange", "young people", "teenagers"}, []string{pFootball, pEchange},
			[]string{pFire}},
		{"en", []string{"fire brigade", "firefighters", "fire engine", "fire truck"}, []string{pFire}, []string{pChoir}},
		{"en", []string{"hospital", "medicines", "medical aid", "hospital beds"}, []string{pHospital}, []string{pFire}},
		{"en", []string{"heating", "boilers", "drinking water", "schools", "water supply"}, []string{pWater}, []string{pFire}},
		{"en", []string{"choir", "choirs", "singing", "folk songs"}, []string{pChoir}, []string{pFire}},
		{"en", []string{"library", "books"}, []string{pBibl}, []string{pFire}},
		{"pl", []string{"piłka nożna", "piłki nożnej", "piłkarski", "futbol", "młodzież", "młodzieży", "wymiana młodzieży"},
			[]string{pFootball, pEchange}, []string{pFire}},
		{"pl", []string{"straż pożarna", "straży pożarnej", "strażacy", "wóz strażacki"}, []string{pFire}, []string{pChoir}},
		{"pl", []string{"szpital", "szpitala", "leki", "pomoc medyczna"}, []string{pHospital}, []string{pFire}},
		{"pl", []string{"ogrzewanie", "ogrzewania", "woda pitna", "szkoły", "szkoła"}, []string{pWater}, []string{pFire}},
		{"pl", []string{"chór", "chóru", "śpiew"}, []string{pChoir}, []string{pFire}},
		{"de", []string{"Bibliothek", "Bücher"}, []string{pBibl}, []string{pFire}},
		{"de", []string{"Jugendaustausch"}, []string{pFootball, pEchange}, []string{pFire, pTurnir}},
	}
	for _, c := range cases {
		for _, w := range c.words {
			got := f.search(c.reader, w)
			for _, want := range c.want {
				if !slices.Contains(got, want) {
					t.Errorf("%s %q found %q, not %q", c.reader, w, got, want)
				}
			}
			for _, not := range c.not {
				if slices.Contains(got, not) {
					t.Errorf("%s %q found %q", c.reader, w, not)
				}
			}
		}
	}
}

// TestSearchAcrossLanguagesTopicsAndSectors: the name of a topic or
// sector in any language finds the projects filed under it, even when
// their texts do not say it.
func TestSearchAcrossLanguagesTopicsAndSectors(t *testing.T) {
	t.Parallel()
	f := newCrossFixture(t)
	// The summer feast is filed under sport; its text never says so.
	for _, c := range []struct{ reader, text string }{
		{"uk", "спорт"}, {"uk", "спортивні"}, {"sv", "idrott"}, {"fr", "sport"}, {"pl", "sportowy"}, {"de", "Sport"},
		{"en", "sports"},
	} {
		if got := f.search(c.reader, c.text); !slices.Contains(got, pFeast) {
			t.Errorf("%s %q found %q, not the project filed under sport", c.reader, c.text, got)
		}
	}
	// Sector administration: the fire engine, the water project, the town hall.
	for _, c := range []struct{ reader, text string }{
		{"uk", "адміністрація"}, {"sv", "förvaltning"}, {"en", "administration"}, {"pl", "administracja"},
	} {
		got := f.search(c.reader, c.text)
		for _, want := range []string{pFire, pWater, pRathaus} {
			if !slices.Contains(got, want) {
				t.Errorf("%s %q found %q, not %q (sector administration)", c.reader, c.text, got, want)
			}
		}
		if slices.Contains(got, pChoir) {
			t.Errorf("%s %q found the choir (civil society)", c.reader, c.text)
		}
	}
	// Two words: both must match, each in its own way.
	if got := f.search("uk", "молодь футбол"); !slices.Contains(got, pFootball) || slices.Contains(got, pFeast) {
		t.Errorf("uk молодь футбол found %q", got)
	}
}

// TestSearchAcrossLanguagesRanksReadersOwnWordsFirst: a match in the
// reader's own words comes first, then projects written in the reader's
// language, then the rest.
func TestSearchAcrossLanguagesRanksReadersOwnWordsFirst(t *testing.T) {
	t.Parallel()
	f := newCrossFixture(t)
	// футбол is in the Ukrainian title: it comes before the newer German
	// and French ones, found through the glossary.
	if got := f.search("uk", "футбол"); len(got) < 3 || got[0] != pTurnir {
		t.Fatalf("uk футбол: %q, want %q first", got, pTurnir)
	}
	// A Ukrainian reader typing "football": the French title says it
	// literally; then the Ukrainian project (the reader's language); then
	// the German one.
	got := f.search("uk", "football")
	if len(got) != 3 || got[0] != pEchange || got[1] != pTurnir || got[2] != pFootball {
		t.Fatalf("uk football: %q, want %q, %q, %q", got, pEchange, pTurnir, pFootball)
	}
	// A French reader: the French project first.
	if got := f.search("fr", "jeunesse"); len(got) == 0 || got[0] != pEchange {
		t.Fatalf("fr jeunesse: %q, want %q first", got, pEchange)
	}
	if p := f.byTitle[pTurnir]; p.TitleLang != "uk" || p.DescriptionLang != "uk" {
		t.Fatalf("Ukrainian project's languages: %q, %q", p.TitleLang, p.DescriptionLang)
	}
	if p := f.byTitle[pFootball]; p.TitleLang != "de" || p.DescriptionLang != "de" {
		t.Fatalf("German project's languages: %q, %q", p.TitleLang, p.DescriptionLang)
	}
}

// TestSearchWithoutReaderLanguageStaysLiteral: without the reader's
// language the search matches words, not meanings, as before.
func TestSearchWithoutReaderLanguageStaysLiteral(t *testing.T) {
	t.Parallel()
	f := newCrossFixture(t)
	if got := f.search("", "футбол"); !slices.Equal(got, []string{pTurnir}) {
		t.Fatalf("literal футбол: %q", got)
	}
	if got := f.search("", "idrott"); len(got) != 0 {
		t.Fatalf("literal idrott: %q", got)
	}
}

// TestEveryTopicAndSectorNameFindsItsProjects: the name of every topic and
// sector, as the catalog (locales/) has it in each language, finds a
// project filed under it whose text says nothing of it.
func TestEveryTopicAndSectorNameFindsItsProjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1)
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	code := map[string]string{}
	for _, topic := range storage.Topics {
		p := f.project(1, f.fields("Laxå", "Projekt "+topic, "Ohne Worte.", func(p *storage.ProjectFields) {
			p.Topics, p.Sector = []string{topic}, "forums"
		}))
		code["topic_"+topic] = p.Code
	}
	for _, sector := range storage.Sectors {
		p := f.project(1, f.fields("Laxå", "Projekt "+sector, "Ohne Worte.", func(p *storage.ProjectFields) {
			p.Topics, p.Sector = []string{"culture"}, sector
		}))
		code["sector_"+sector] = p.Code
	}
	for id, c := range code {
		for _, lang := range locales.Codes {
			name := cat.For(lang).Plain(id)
			page, err := f.s.SearchProjects(ctx, storage.ProjectQuery{Text: name, ReaderLanguage: lang}, 0, storage.MaxCounted)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(page.Projects, func(p storage.Project) bool { return p.Code == c }) {
				t.Errorf("%s %q (%s) does not find its project: %q", lang, name, id, titles(page))
			}
		}
	}
}

// TestReadersOwnWordsBeyondTheNewestTranslations: when more than
// MaxCounted newer projects match only through the glossary, an older one
// in the reader's own words is still found, and first; whether the
// search walks the listings or collects its matches from the index.
func TestReadersOwnWordsBeyondTheNewestTranslations(t *testing.T) {
	t.Parallel()
	f := newProjectFixture(t, 1)
	f.project(1, f.fields("Ichnia", "Футбол у парку", "Граємо щосуботи."))
	for i := range storage.MaxCounted + 5 {
		f.project(1, f.fields("Grevesmühlen", fmt.Sprintf("Fußballtraining %d", i), "Jeden Samstag."))
	}
	for _, way := range probeWays {
		if err := storage.SearchProbes(context.Background(), f.s, way); err != nil {
			t.Fatal(err)
		}
		page, err := f.s.SearchProjects(context.Background(), storage.ProjectQuery{Text: "футбол", ReaderLanguage: "uk"}, 0, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Projects) == 0 || page.Projects[0].Title != "Футбол у парку" || page.Total != storage.MaxCounted {
			t.Fatalf("probes %d: found %q (total %d), want the Ukrainian project first of %d", way, titles(page),
				page.Total, storage.MaxCounted)
		}
	}
}

// TestSearchSampleLoads: the sample of the newest listings that chooses
// how searches run holds the listed projects (archived ones are not
// listed) and counts them.
func TestSearchSampleLoads(t *testing.T) {
	t.Parallel()
	f := newCrossFixture(t)
	if _, err := f.s.SetProjectArchived(context.Background(), 1, f.byTitle[pFeast].Code, true); err != nil {
		t.Fatal(err)
	}
	n, total, err := storage.LoadSearchSample(context.Background(), f.s)
	if err != nil || n != len(f.byTitle)-1 || total != n {
		t.Fatalf("sample of %d listings of %d (%v), want %d", n, total, err, len(f.byTitle)-1)
	}
}
