package locales

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// glossaryFile holds reviewed language data for the tests: see its comments.
const glossaryFile = "glossary.toml"

type glossary struct {
	SameAsEnglish map[string]sameAsEnglish `toml:"same_as_english"`
}

// sameAsEnglish allows a message to read as its English original in langs.
type sameAsEnglish struct {
	Langs []string `toml:"langs"`
	Why   string   `toml:"why"`
}

func loadGlossary(t *testing.T) glossary {
	t.Helper()
	var g glossary
	md, err := toml.DecodeFile(glossaryFile, &g)
	if err != nil {
		t.Fatalf("%s: %v", glossaryFile, err)
	}
	if extra := md.Undecoded(); len(extra) > 0 {
		t.Fatalf("%s: unknown keys %v", glossaryFile, extra)
	}
	return g
}

// TestLocaleFilesEmbedded checks that every TOML file here is either a
// message file, which locales.go embeds, or the glossary: a message file
// named without its feature (en.toml) would otherwise be silently left out.
func TestLocaleFilesEmbedded(t *testing.T) {
	names, err := filepath.Glob("*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if name == glossaryFile {
			continue
		}
		if _, err := files.ReadFile(name); err != nil {
			t.Errorf("%s is not embedded: name message files <feature>.<lang>.toml", name)
		}
	}
	if _, err := files.ReadFile(glossaryFile); err == nil {
		t.Errorf("%s is embedded as a message file", glossaryFile)
	}
}

var (
	// markupRe matches template actions and HTML tags.
	markupRe  = regexp.MustCompile(`\{\{.*?\}\}|<[^<>]*>`)
	hasLetter = regexp.MustCompile(`\pL`)
)

// bareText is s without template actions and tags, with spacing collapsed:
// the words a translator wrote.
func bareText(s string) string {
	return strings.Join(strings.Fields(markupRe.ReplaceAllString(s, " ")), " ")
}

// TestNoUntranslatedMessages fails when a message in another language
// reads as its English original, which is how an untranslated text shows:
// go-i18n would render it without complaint. Messages without letters once
// placeholders and tags are gone (format strings such as "{{.Day}}/{{.Month}}")
// are not compared; words that are rightly the same are allowed by
// [same_as_english] in the glossary.
func TestNoUntranslatedMessages(t *testing.T) {
	all := parseAll(t)
	allowed := loadGlossary(t).SameAsEnglish
	used := map[string]bool{}
	for _, lang := range Codes {
		if lang == Fallback {
			continue
		}
		for id, m := range all[lang] {
			en, ok := all[Fallback][id]
			if !ok {
				continue // reported by TestMessageIDsMatch
			}
			for cat, s := range m.forms {
				want, ok := en.forms[cat]
				if !ok {
					want = en.forms["other"]
				}
				got := bareText(s)
				if !hasLetter.MatchString(got) || !strings.EqualFold(got, bareText(want)) {
					continue
				}
				if a, ok := allowed[id]; ok && slices.Contains(a.Langs, lang) {
					used[lang+"/"+id] = true
					continue
				}
				t.Errorf("%s/%s[%s] is the English text %q: translate it, or add it to [same_as_english] in %s with a reason",
					lang, id, cat, got, glossaryFile)
			}
		}
	}
	for id, a := range allowed {
		if strings.TrimSpace(a.Why) == "" {
			t.Errorf("%s: [same_as_english] %s gives no reason", glossaryFile, id)
		}
		for _, lang := range a.Langs {
			if !used[lang+"/"+id] {
				t.Errorf("%s: [same_as_english] %s allows %s, but %s/%s does not read as English (any more): remove it",
					glossaryFile, id, lang, lang, id)
			}
		}
	}
}

// TestPluralFormsKeepPlaceholders checks every plural form on its own: each
// must keep every placeholder of the English "other" form. (The union check
// of TestMessagesConsistent passes when, say, the Ukrainian "few" form has
// lost {{.Count}} but "one" still has it; then 2–4 would print no number.)
func TestPluralFormsKeepPlaceholders(t *testing.T) {
	all := parseAll(t)
	for id, en := range all[Fallback] {
		if !en.plural {
			continue
		}
		want := placeholders(en.forms["other"])
		for _, lang := range Codes {
			m, ok := all[lang][id]
			if !ok {
				continue // reported by TestMessageIDsMatch
			}
			for cat, s := range m.forms {
				have := placeholders(s)
				for _, p := range want {
					if !slices.Contains(have, p) {
						t.Errorf("%s/%s[%s] lacks {{.%s}}, which the English %q form has: %q", lang, id, cat, p, "other", s)
					}
				}
			}
		}
	}
}

// lowerCaseLanguageNames are the languages that write a language's name in
// lower case inside a sentence or a list ("Мови: німецька, англійська");
// German and English capitalise it there too.
var lowerCaseLanguageNames = []string{"uk", "fr", "sv"}

// TestLanguageNamesInLists: every language name lang_<code>, a button
// label, has a form lang_list_<code> for running text and lists (profile
// and project cards, the search filter, /settings). That form is the label
// in lower case where the language writes names so, and the label as it is
// elsewhere.
func TestLanguageNamesInLists(t *testing.T) {
	all := parseAll(t)
	n := 0
	for id := range all[Fallback] {
		code, ok := strings.CutPrefix(id, "lang_")
		if !ok || strings.HasPrefix(code, "list_") {
			continue
		}
		n++
		listID := "lang_list_" + code
		for _, lang := range Codes {
			label, list := all[lang][id], all[lang][listID]
			if list.forms == nil {
				t.Errorf("%s/%s: missing, the form of %s in lists", lang, listID, id)
				continue
			}
			want := label.forms["other"]
			if slices.Contains(lowerCaseLanguageNames, lang) {
				want = strings.ToLower(want)
			}
			if got := list.forms["other"]; got != want {
				t.Errorf("%s/%s = %q, want %q (%s is %q)", lang, listID, got, want, id, label.forms["other"])
			}
		}
	}
	if n == 0 {
		t.Fatal("no language names lang_<code> found")
	}
}
