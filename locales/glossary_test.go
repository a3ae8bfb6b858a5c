package locales

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/BurntSushi/toml"
)

// glossaryFile holds reviewed language data for the tests: see its comments.
const glossaryFile = "glossary.toml"

type glossary struct {
	Terms         map[string]concept       `toml:"terms"`
	SameAsEnglish map[string]sameAsEnglish `toml:"same_as_english"`
	Labels        labels                   `toml:"labels"`
}

// concept is one entry of the terminology: what it means and how each
// language names it.
type concept struct {
	Meaning string   `toml:"meaning"`
	EN      *termUse `toml:"en"`
	DE      *termUse `toml:"de"`
	UK      *termUse `toml:"uk"`
	FR      *termUse `toml:"fr"`
	SV      *termUse `toml:"sv"`
}

func (c concept) byLang() map[string]*termUse {
	return map[string]*termUse{"en": c.EN, "de": c.DE, "uk": c.UK, "fr": c.FR, "sv": c.SV}
}

// termUse is a concept's term in one language: see the glossary's comment.
type termUse struct {
	Term       string            `toml:"term"`
	Match      []string          `toml:"match"`
	Deprecated []string          `toml:"deprecated"`
	Except     map[string]string `toml:"except"`
}

// labels lists the message ids used as inline-button labels.
type labels struct {
	Max     int               `toml:"max"`
	IDs     []string          `toml:"ids"`
	Samples map[string]string `toml:"samples"`
}

// isLabel reports whether id matches one of the label patterns.
func (ls labels) isLabel(id string) bool {
	for _, p := range ls.IDs {
		if ok, _ := path.Match(p, id); ok {
			return true
		}
	}
	return false
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

// labelLen counts a label's characters as a reader sees them: an emoji with
// a variation selector ("✏️") or joined by ZWJ counts once.
func labelLen(s string) int {
	n := 0
	for _, r := range s {
		switch r {
		case '\uFE0E', '\uFE0F', '\u200D':
		default:
			n++
		}
	}
	return n
}

// fillSamples puts the glossary's sample values into the placeholders of a
// label; missing is the first action it could not fill (a placeholder
// without a sample, or any other template action).
func fillSamples(s string, samples map[string]string) (out, missing string) {
	out = actionRe.ReplaceAllStringFunc(s, func(a string) string {
		name, ok := strings.CutPrefix(strings.Join(strings.Fields(actionRe.FindStringSubmatch(a)[1]), " "), ".")
		v, have := samples[name]
		if !ok || !have {
			missing = a
			return a
		}
		return v
	})
	return out, missing
}

// TestButtonLabels fails when an inline-button label, with sample values in
// its placeholders, is longer than the glossary's maximum in any language
// (each plural form on its own), or when a label pattern names no message.
func TestButtonLabels(t *testing.T) {
	g := loadGlossary(t).Labels
	if g.Max <= 0 || len(g.IDs) == 0 {
		t.Fatalf("%s: [labels] needs max and ids", glossaryFile)
	}
	all := parseAll(t)
	for _, p := range g.IDs {
		if _, err := path.Match(p, ""); err != nil {
			t.Errorf("%s: [labels] pattern %q: %v", glossaryFile, p, err)
			continue
		}
		found := false
		for id := range all[Fallback] {
			if ok, _ := path.Match(p, id); ok {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: [labels] pattern %q matches no message", glossaryFile, p)
		}
	}
	checked := 0
	for _, lang := range Codes {
		for id, m := range all[lang] {
			if !g.isLabel(id) {
				continue
			}
			checked++
			for cat, s := range m.forms {
				label, missing := fillSamples(s, g.Samples)
				if missing != "" {
					t.Errorf("%s/%s[%s]: no sample value for %s in [labels.samples] of %s", lang, id, cat, missing, glossaryFile)
					continue
				}
				if n := labelLen(label); n > g.Max {
					t.Errorf("%s/%s[%s]: button label %q has %d characters, more than %d", lang, id, cat, label, n, g.Max)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no labels checked")
	}
}

// botDir is the code that builds the bot's keyboards.
const botDir = "../bot"

// TestLabelListCoversBot reads the bot's source and finds the message ids
// it puts on buttons directly: the text of button(…) and of a Choice's or
// InlineKeyboardButton's Label/Text, where it comes from Plain("id", …) or
// Plain("prefix" + x). Every such id must be a label in the glossary, and
// every such prefix must name at least one label there, so that a new
// button cannot escape TestButtonLabels. (Labels reached through variables,
// such as townStep's skip id, are listed in the glossary by reading the
// code; see its comment.)
func TestLabelListCoversBot(t *testing.T) {
	g := loadGlossary(t).Labels
	all := parseAll(t)
	fset := token.NewFileSet()
	ids, prefixes := map[string]string{}, map[string]string{}
	err := filepath.WalkDir(botDir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			for _, e := range labelExprs(n) {
				collectPlainIDs(fset, e, ids, prefixes)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A refactoring that builds buttons differently must update
	// labelExprs rather than let this test pass on nothing.
	for _, want := range []string{"deleteme_yes", "button_back", "step_done", "ev_no_project"} {
		if _, ok := ids[want]; !ok {
			t.Fatalf("found no button labelled %s in %s: has the way bot/ builds buttons changed? Update labelExprs.", want, botDir)
		}
	}
	for id, where := range ids {
		if _, ok := all[Fallback][id]; !ok {
			t.Errorf("%s: button label %s is not a message", where, id)
		} else if !g.isLabel(id) {
			t.Errorf("%s: %s is a button label, but not in [labels] of %s", where, id, glossaryFile)
		}
	}
	for p, where := range prefixes {
		found := false
		for id := range all[Fallback] {
			if strings.HasPrefix(id, p) && g.isLabel(id) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: buttons are labelled %s…, but no such message is in [labels] of %s", where, p, glossaryFile)
		}
	}
}

// labelExprs returns the expressions of n that become a button's text: the
// first argument of button(…), the Label of a Choice literal and the Text
// of an InlineKeyboardButton literal.
func labelExprs(n ast.Node) []ast.Expr {
	switch n := n.(type) {
	case *ast.CallExpr:
		if f, ok := n.Fun.(*ast.Ident); ok && f.Name == "button" && len(n.Args) > 0 {
			return []ast.Expr{n.Args[0]}
		}
	case *ast.CompositeLit:
		var typ string
		switch tt := n.Type.(type) {
		case *ast.Ident:
			typ = tt.Name
		case *ast.SelectorExpr:
			typ = tt.Sel.Name
		}
		var out []ast.Expr
		for _, el := range n.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				// A Choice's type is often elided ([]Choice{{Label: …}}),
				// and only choices have a Label.
				if k, ok := kv.Key.(*ast.Ident); ok && (k.Name == "Label" || k.Name == "Text" && typ == "InlineKeyboardButton") {
					out = append(out, kv.Value)
				}
			}
		}
		return out
	}
	return nil
}

// collectPlainIDs records the message ids and id prefixes given as string
// constants to Plain calls inside e, with their position.
func collectPlainIDs(fset *token.FileSet, e ast.Expr, ids, prefixes map[string]string) {
	ast.Inspect(e, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Plain" {
			return true
		}
		where := fset.Position(call.Pos()).String()
		switch arg := call.Args[0].(type) {
		case *ast.BasicLit:
			if s, err := strconv.Unquote(arg.Value); err == nil {
				ids[s] = where
			}
		case *ast.BinaryExpr:
			if lit, ok := arg.X.(*ast.BasicLit); ok && arg.Op == token.ADD {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					prefixes[s] = where
				}
			}
		}
		return true
	})
}

// wordPattern is a glossary pattern: words, each matched exactly or, with
// a trailing *, as a prefix.
type wordPattern struct {
	src   string
	words []string
}

func parsePattern(p string) (wordPattern, bool) {
	words := strings.Fields(strings.ToLower(strings.ReplaceAll(p, "-", " ")))
	return wordPattern{src: p, words: words}, len(words) > 0
}

// at reports whether the pattern matches the words starting at ws[i].
func (p wordPattern) at(ws []string, i int) bool {
	if i+len(p.words) > len(ws) {
		return false
	}
	for k, w := range p.words {
		if stem, ok := strings.CutSuffix(w, "*"); ok {
			if !strings.HasPrefix(ws[i+k], stem) {
				return false
			}
		} else if ws[i+k] != w {
			return false
		}
	}
	return true
}

// find returns the words of ws that the pattern matches, or "".
func (p wordPattern) find(ws []string) string {
	for i := range ws {
		if p.at(ws, i) {
			return strings.Join(ws[i:i+len(p.words)], " ")
		}
	}
	return ""
}

// notWordsRe matches what is not a translator's words: template actions,
// tags, links and /commands.
var notWordsRe = regexp.MustCompile(`\{\{.*?\}\}|<[^<>]*>|https?://\S+|(?:^|\s)/[a-z]+`)

// messageWords splits a message into lower-case words. Hyphens separate
// words; an apostrophe between letters belongs to the word in Ukrainian
// (ім’я), and separates an elision elsewhere (d’utilisateur).
func messageWords(lang, s string) []string {
	rs := []rune(strings.ToLower(notWordsRe.ReplaceAllString(s, " ")))
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = nil
		}
	}
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r):
			cur = append(cur, r)
		case (r == '’' || r == '\'') && lang == "uk" && len(cur) > 0 && i+1 < len(rs) && unicode.IsLetter(rs[i+1]):
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return words
}

// TestTerminology holds the messages to the glossary: no deprecated synonym
// of a concept's term appears in a language's messages (outside the listed
// exceptions), and each term is in use somewhere.
func TestTerminology(t *testing.T) {
	g := loadGlossary(t)
	if len(g.Terms) == 0 {
		t.Fatalf("%s: no [terms]", glossaryFile)
	}
	all := parseAll(t)
	words := map[string]map[string][]string{} // lang, id+form -> words
	for _, lang := range Codes {
		words[lang] = map[string][]string{}
		for id, m := range all[lang] {
			for cat, s := range m.forms {
				words[lang][id+"["+cat+"]"] = messageWords(lang, s)
			}
		}
	}
	for name, c := range g.Terms {
		if strings.TrimSpace(c.Meaning) == "" {
			t.Errorf("%s: [terms.%s] has no meaning", glossaryFile, name)
		}
		for _, lang := range Codes {
			u := c.byLang()[lang]
			if u == nil || strings.TrimSpace(u.Term) == "" || len(u.Match) == 0 {
				t.Errorf("%s: [terms.%s.%s] needs term and match", glossaryFile, name, lang)
				continue
			}
			for id, why := range u.Except {
				if _, ok := all[lang][id]; !ok {
					t.Errorf("%s: [terms.%s.%s] except names %s, which is no message", glossaryFile, name, lang, id)
				}
				if strings.TrimSpace(why) == "" {
					t.Errorf("%s: [terms.%s.%s] except %s gives no reason", glossaryFile, name, lang, id)
				}
			}
			var used bool
			for _, src := range u.Match {
				p, ok := parsePattern(src)
				if !ok {
					t.Errorf("%s: [terms.%s.%s] empty match pattern", glossaryFile, name, lang)
					continue
				}
				for _, ws := range words[lang] {
					if p.find(ws) != "" {
						used = true
						break
					}
				}
			}
			if !used {
				t.Errorf("%s: [terms.%s.%s] %q is used by no %s message (match %q)", glossaryFile, name, lang, u.Term, lang, u.Match)
			}
			for _, src := range u.Deprecated {
				p, ok := parsePattern(src)
				if !ok {
					t.Errorf("%s: [terms.%s.%s] empty deprecated pattern", glossaryFile, name, lang)
					continue
				}
				for key, ws := range words[lang] {
					id := key[:strings.IndexByte(key, '[')]
					if _, ok := u.Except[id]; ok {
						continue
					}
					if found := p.find(ws); found != "" {
						t.Errorf("%s/%s: %q is a deprecated synonym (%s) of %q, the term for %s; see [terms.%s.%s] in %s",
							lang, key, found, src, u.Term, name, name, lang, glossaryFile)
					}
				}
			}
		}
	}
}

func TestMessageWords(t *testing.T) {
	for _, tc := range []struct {
		lang, in string
		want     []string
	}{
		{"uk", "Ім’я користувача (@…) і міста-побратими", []string{"ім’я", "користувача", "і", "міста", "побратими"}},
		{"fr", "nom d’utilisateur de l’équipe", []string{"nom", "d", "utilisateur", "de", "l", "équipe"}},
		{"sv", "din Telegram-kontakt, {{.Name}}: <b>Ort</b> https://x.org/vanort /find", []string{"din", "telegram", "kontakt", "ort"}},
	} {
		if got := messageWords(tc.lang, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("messageWords(%s, %q) = %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
	p, _ := parsePattern("населен* пункт*")
	if got := p.find(messageWords("uk", "Я не знаю населеного пункту «Х»")); got != "населеного пункту" {
		t.Errorf("phrase pattern found %q", got)
	}
	if p, _ := parsePattern("ort"); p.find([]string{"orte", "ortsangabe"}) != "" {
		t.Error("a pattern without * matched another word form")
	}
}
