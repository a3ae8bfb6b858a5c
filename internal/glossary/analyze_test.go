package glossary

import (
	"slices"
	"strings"
	"testing"
)

// TestWordsAcrossLanguages: the words people type, inflected,
// compounded and transliterated, lead to the concept they mean.
func TestWordsAcrossLanguages(t *testing.T) {
	g := Default()
	tests := []struct {
		lang, text string
		want       []string // every one must be among the text's concepts
	}{
		{"de", "Jugend-Fußballaustausch Grevesmühlen–Ichnia", []string{"youth", "football", "exchange", "sport"}},
		{"de", "Jugendfußballaustausch", []string{"youth", "football", "exchange"}},
		{"de", "Straßenfußball für Kinder", []string{"football", "children"}},
		{"de", "Kinderchor sucht Partnerchor", []string{"choir", "children", "partnership", "music"}},
		{"de", "Gemeinschaftsgarten", []string{"green_spaces"}},
		{"fr", "l’école", []string{"school"}},
		{"de", "Feuerwehrleute aus Grevesmühlen", []string{"fire_brigade"}},
		{"de", "Neue Heizung für die Schule", []string{"heating", "school", "energy"}},
		{"uk", "футбол", []string{"football"}},
		{"uk", "футбольного турніру", []string{"football", "tournament"}},
		{"uk", "молоді", []string{"youth"}},
		{"uk", "молодіжних", []string{"youth"}},
		{"uk", "Молодіжний обмін", []string{"youth", "exchange", "youth_exchange"}},
		{"uk", "пожежної частини", []string{"fire_brigade"}},
		{"uk", "лікарням", []string{"hospital"}},
		{"uk", "бібліотеці", []string{"library"}},
		{"uk", "допомозі", []string{"solidarity"}},
		{"uk", "водогону", []string{"water_supply", "water"}},
		{"uk", "futbol", []string{"football"}},
		{"uk", "molod", []string{"youth"}},
		{"uk", "molodizhnyi", []string{"youth"}},
		{"", "molodizhnoho obminu", []string{"youth", "exchange"}},
		{"fr", "Échange de jeunes", []string{"exchange", "youth"}},
		{"fr", "les sapeurs-pompiers", []string{"fire_brigade"}},
		{"fr", "hôpitaux", []string{"hospital"}},
		{"fr", "chorale d’enfants", []string{"choir", "children"}},
		{"sv", "Ungdomsutbyte mellan Laxå och Itjnja", []string{"youth", "exchange"}},
		{"sv", "brandkåren", []string{"fire_brigade"}},
		{"sv", "fotbollsturnering", []string{"football", "tournament"}},
		{"sv", "skolan", []string{"school"}},
		{"en", "Youth football exchange", []string{"youth", "football", "exchange"}},
		{"en", "fire brigades", []string{"fire_brigade"}},
		{"en", "water supply", []string{"water_supply"}},
		{"pl", "Wymiana młodzieży", []string{"exchange", "youth"}},
		{"pl", "straży pożarnej", []string{"fire_brigade"}},
		{"pl", "piłki nożnej", []string{"football"}},
		{"pl", "ogrzewania", []string{"heating"}},
		{"pl", "szpitala", []string{"hospital"}},
	}
	for _, tt := range tests {
		got := g.TextConcepts(tt.text, tt.lang)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s %q: concepts %v lack %s", tt.lang, tt.text, got, w)
			}
		}
	}
}

// TestNoFalseFriends: words that only look like a glossary word in
// another language, and words inside longer words, mean nothing.
func TestNoFalseFriends(t *testing.T) {
	g := Default()
	for _, tt := range []struct{ lang, text string }{
		{"de", "Art"},      // kind, not art
		{"en", "most"},     // not Polish most (bridge) nor мосту
		{"de", "Beispiel"}, // bei|spiel
		{"fr", "dans"},     // in, not Swedish dance
		{"en", "kind"},     // not German Kind
		{"de", "Grevesmühlen"},
		{"uk", "Ічня"},
		{"de", "sucht"},
	} {
		if got := g.TextConcepts(tt.text, tt.lang); len(got) > 0 {
			t.Errorf("%s %q means %v", tt.lang, tt.text, got)
		}
	}
}

// TestQueryWordsSplitComposites: a query word for a concept made of others
// also accepts its parts, one part per group.
func TestQueryWordsSplitComposites(t *testing.T) {
	g := Default()
	words := g.QueryWords([]string{"Jugendaustausch"}, "de")
	want := [][]string{{"exchange", "youth_exchange"}, {"youth", "youth_exchange"}}
	got := words[0].Parts
	slices.SortFunc(got, slices.Compare)
	if len(got) != 2 || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		t.Fatalf("Jugendaustausch: %v, want %v", got, want)
	}
	if toks := g.QueryTokens([]string{"youth"}); !slices.Contains(toks, TopicToken("youth")) || !slices.Contains(toks, Token("youth")) {
		t.Fatalf("QueryTokens(youth) = %v", toks)
	}
	if toks := g.QueryTokens([]string{"business"}); !slices.Contains(toks, SectorToken("business")) {
		t.Fatalf("QueryTokens(business) = %v", toks)
	}
}

// TestIssueConceptsInflected: the concepts the partnership domain is
// about, each in inflected or compounded forms of every language (none
// of them written as such in the data), lead to the concept.
func TestIssueConceptsInflected(t *testing.T) {
	g := Default()
	words := map[string]string{
		"de": "Jugendlichen:youth Sportvereins:sport Fußballspiele:football Volleyballturnier:volleyball " +
			"Austauschprogramm:exchange Ferienlagers:camp Grundschulen:school Kindergartens:kindergarten " +
			"Feuerwehrleuten:fire_brigade Krankenhäusern:hospital Wasserversorgungsnetz:water_supply " +
			"Energieversorger:energy Heizungsanlage:heating Wohnungen:housing Wiederaufbaus:reconstruction " +
			"Kulturzentrums:culture Musikschule:music Chöre:choir Theatergruppe:theatre Kunstausstellung:art " +
			"Kirchengemeinde:church Städtepartnerschaften:twinning Ehrenamtlichen:volunteering " +
			"Förderprogramme:funding Verwaltungen:administration Digitalisierungsprojekt:digitalisation " +
			"Landwirtschaftsbetrieb:agriculture Umweltschutzes:environment Kinderfußballturnier:football",
		"uk": "молодіжному:youth спортивного:sport футболістів:football волейболом:volleyball обміну:exchange " +
			"таборі:camp школам:school садочків:kindergarten пожежниками:fire_brigade лікарні:hospital " +
			"водопостачанням:water_supply енергетичного:energy опаленням:heating житла:housing відбудові:reconstruction " +
			"культурного:culture музики:music хору:choir театру:theatre мистецтва:art історії:history церкви:church " +
			"побратимства:twinning волонтерів:volunteering фінансуванню:funding адміністрації:administration " +
			"цифровізації:digitalisation сільського:agriculture довкіллям:environment молоддю:youth futbolu:football",
		"fr": "jeunesses:youth sportives:sport footballeurs:football volley:volleyball échanges:exchange " +
			"colonies:camp écoles:school maternelles:kindergarten pompiers:fire_brigade hôpitaux:hospital " +
			"énergies:energy chauffages:heating logements:housing reconstructions:reconstruction culturelles:culture " +
			"musiques:music chorales:choir théâtres:theatre artistes:art historiques:history églises:church " +
			"jumelages:twinning bénévoles:volunteering financements:funding administrations:administration " +
			"numériques:digitalisation agricoles:agriculture environnementales:environment",
		"sv": "ungdomarna:youth idrottsföreningen:sport fotbollslaget:football volleybollen:volleyball utbytet:exchange " +
			"lägret:camp skolorna:school förskolan:kindergarten brandkåren:fire_brigade sjukhusen:hospital " +
			"vattenförsörjningen:water_supply energin:energy uppvärmningen:heating bostäderna:housing " +
			"återuppbyggnaden:reconstruction kulturen:culture musiken:music kören:choir teatern:theatre konsten:art " +
			"historien:history kyrkan:church vänorten:twinning volontärerna:volunteering finansieringen:funding " +
			"förvaltningen:administration digitaliseringen:digitalisation jordbruket:agriculture miljön:environment",
		"en": "youths:youth sporting:sport footballers:football volleyballs:volleyball exchanges:exchange camps:camp " +
			"schools:school kindergartens:kindergarten firefighters:fire_brigade hospitals:hospital heating:heating " +
			"housing:housing reconstructed:reconstruction cultural:culture musicians:music choirs:choir " +
			"theatres:theatre artists:art historical:history churches:church twinned:twinning volunteers:volunteering " +
			"funded:funding administrations:administration digitalised:digitalisation agricultural:agriculture " +
			"environmental:environment",
		"pl": "młodzieżowego:youth sportowych:sport piłkarzy:football siatkówką:volleyball wymianie:exchange " +
			"obozie:camp szkołach:school przedszkolu:kindergarten strażaków:fire_brigade szpitalach:hospital " +
			"wodociągu:water_supply energetycznej:energy ogrzewaniem:heating mieszkaniach:housing odbudowie:reconstruction " +
			"kulturalnej:culture muzyki:music chórze:choir teatrze:theatre sztuki:art historii:history kościele:church " +
			"partnerstwie:partnership wolontariuszy:volunteering finansowania:funding administracji:administration " +
			"cyfryzacji:digitalisation rolnictwa:agriculture środowiska:environment",
	}
	for lang, list := range words {
		for _, pair := range strings.Fields(list) {
			word, want, _ := strings.Cut(pair, ":")
			if got := g.TextConcepts(word, lang); !slices.Contains(got, want) {
				t.Errorf("%s %q: %v, want %s", lang, word, got, want)
			}
		}
	}
}

// TestGuessedMeanings: a meaning read from a known end or beginning of an
// unknown word is marked as a guess (it may be a name or a typo: the
// search still looks for misspellings of it); whole words and divisions
// into known parts are not.
func TestGuessedMeanings(t *testing.T) {
	g := Default()
	for _, tt := range []struct {
		word    string
		guessed bool
	}{
		{"Fußball", false}, {"Jugendfußball", false}, {"Ichniafußball", true}, {"Grevesmülen", true},
	} {
		w := g.QueryWords([]string{tt.word}, "de")[0]
		if len(w.Parts) == 0 || w.Guessed != tt.guessed {
			t.Errorf("%s: parts %v, guessed %v, want a meaning guessed %v", tt.word, w.Parts, w.Guessed, tt.guessed)
		}
	}
}
