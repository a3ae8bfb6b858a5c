package glossary

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestEveryConceptHasEveryLanguage: a concept without words in some
// language would leave that language's readers out.
func TestEveryConceptHasEveryLanguage(t *testing.T) {
	g := Default()
	if n := len(g.Concepts()); n < 300 {
		t.Errorf("%d concepts: the glossary must cover the domain broadly", n)
	}
	for _, c := range g.Concepts() {
		for _, lang := range Languages {
			if len(c.Forms[lang]) == 0 {
				t.Errorf("%s: concept %q has no %s words", c.File, c.ID, lang)
			}
			for _, f := range c.Forms[lang] {
				if strings.TrimSpace(f) != f || f == "" || len(Tokens(strings.TrimPrefix(f, "="))) == 0 {
					t.Errorf("%s: concept %q: %s form %q is empty or padded", c.File, c.ID, lang, f)
				}
			}
		}
	}
}

// TestNoKeyMeansTwoUnrelatedConcepts: within one language, a word (by
// key) leads to one concept, or to concepts of which one is a kind of the
// other. Otherwise a search for one finds the other.
func TestNoKeyMeansTwoUnrelatedConcepts(t *testing.T) {
	g := Default()
	related := func(a, b int) bool { return slices.Contains(g.closure[a], b) || slices.Contains(g.closure[b], a) }
	var problems []string
	for lang, keys := range g.words {
		for key, es := range keys {
			for i := range es {
				for j := i + 1; j < len(es); j++ {
					if !related(es[i].concept, es[j].concept) {
						problems = append(problems, fmt.Sprintf("%s %q: %s and %s", lang, key,
							g.concepts[es[i].concept].ID, g.concepts[es[j].concept].ID))
					}
				}
			}
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestContentWords: the reader's function words go, unless nothing else
// is left; another language's are kept (Swedish "i" is no French word).
func TestContentWords(t *testing.T) {
	for _, tt := range []struct{ text, lang, want string }{
		{"football des jeunes", "fr", "football jeunes"},
		{"футбол для молоді", "uk", "футбол молоді"},
		{"Austausch für die Jugend", "de", "Austausch Jugend"},
		{"fotboll för ungdomar i Laxå", "sv", "fotboll ungdomar Laxå"},
		{"The youth, and the football!", "en", "youth, football!"},
		{"dla młodzieży", "pl", "młodzieży"},
		{"des", "fr", "des"},
		{"i Laxå", "fr", "i Laxå"},
		{"water", "", "water"},
	} {
		if got := ContentWords(tt.text, tt.lang); got != tt.want {
			t.Errorf("ContentWords(%q, %s) = %q, want %q", tt.text, tt.lang, got, tt.want)
		}
	}
}
