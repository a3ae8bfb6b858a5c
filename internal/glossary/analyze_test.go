package glossary

import (
	"slices"
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
