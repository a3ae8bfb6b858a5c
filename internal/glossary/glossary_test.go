package glossary

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"partnerbot/locales"
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

// TestTopicAndSectorNamesLeadToTheirConcepts: the names people see on
// buttons (locales/) are words of the concept that is the topic or sector.
func TestTopicAndSectorNamesLeadToTheirConcepts(t *testing.T) {
	g := Default()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	topics := map[string]string{}
	sectors := map[string]string{}
	for _, c := range g.Concepts() {
		if c.Topic != "" {
			topics[c.Topic] = c.ID
		}
		if c.Sector != "" {
			sectors[c.Sector] = c.ID
		}
	}
	for _, id := range []string{"youth", "culture", "education", "health", "energy", "water", "reconstruction",
		"funding", "sport", "environment"} {
		concept, ok := topics[id]
		if !ok {
			t.Errorf("no concept is topic %q", id)
			continue
		}
		for _, lang := range locales.Codes {
			name := cat.For(lang).Plain("topic_" + id)
			if !slices.Contains(g.TextConcepts(name, lang), concept) {
				t.Errorf("%s topic name %q does not lead to %s", lang, name, concept)
			}
		}
	}
	for _, id := range []string{"administration", "civil_society", "business", "forums"} {
		concept, ok := sectors[id]
		if !ok {
			t.Errorf("no concept is sector %q", id)
			continue
		}
		for _, lang := range locales.Codes {
			name := cat.For(lang).Plain("sector_" + id)
			if !slices.Contains(g.TextConcepts(name, lang), concept) {
				t.Errorf("%s sector name %q does not lead to %s", lang, name, concept)
			}
		}
	}
}
