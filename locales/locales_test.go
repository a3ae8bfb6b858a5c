package locales

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// message is one entry of a message file: its plural forms by CLDR
// category ("other" alone for a simple string), whether it is a plural
// table, and the file that defines it.
type message struct {
	forms  map[string]string
	plural bool
	file   string
}

// pluralCategories are the CLDR categories go-i18n reads from a table.
var pluralCategories = []string{"zero", "one", "two", "few", "many", "other"}

// needCategories lists the CLDR plural categories each language uses for
// integers and decimals; a plural message must have exactly these.
var needCategories = map[string][]string{
	"en": {"one", "other"},
	"de": {"one", "other"},
	"sv": {"one", "other"},
	"uk": {"one", "few", "many", "other"},
	"fr": {"one", "many", "other"},
}

// langOf is the language of a message file: go-i18n takes it from the last
// dot-separated part of the name, as in en.toml or wizard.en.toml.
func langOf(name string) string {
	base := strings.TrimSuffix(name, ".toml")
	return base[strings.LastIndex(base, ".")+1:]
}

// parseFile reads one embedded message file into msgs, keyed by ID.
func parseFile(t *testing.T, name string, msgs map[string]message) {
	t.Helper()
	data, err := files.ReadFile(name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	for id, v := range raw {
		if prev, ok := msgs[id]; ok {
			t.Errorf("%s: %s is already defined in %s", name, id, prev.file)
		}
		switch v := v.(type) {
		case string:
			msgs[id] = message{forms: map[string]string{"other": v}, file: name}
		case map[string]any:
			m := message{forms: map[string]string{}, file: name}
			for k, fv := range v {
				s, ok := fv.(string)
				if !ok {
					t.Errorf("%s: %s.%s is %T, want a string (a key after a [table] belongs to it)", name, id, k, fv)
					continue
				}
				switch {
				case slices.Contains(pluralCategories, k):
					m.forms[k] = s
					m.plural = m.plural || k != "other"
				case k == "description" || k == "hash":
				default:
					t.Errorf("%s: %s has unexpected key %q (a key after a [table] belongs to it)", name, id, k)
				}
			}
			if len(m.forms) == 0 {
				t.Errorf("%s: %s has no text", name, id)
			}
			msgs[id] = m
		default:
			t.Errorf("%s: %s is %T, want a string or a plural table", name, id, v)
		}
	}
}

// parseAll reads every embedded message file and returns the messages of
// each language by ID.
func parseAll(t *testing.T) map[string]map[string]message {
	t.Helper()
	names, err := fs.Glob(files, "*.toml")
	if err != nil {
		t.Fatal(err)
	}
	all := make(map[string]map[string]message, len(Codes))
	for _, lang := range Codes {
		all[lang] = map[string]message{}
	}
	for _, name := range names {
		lang := langOf(name)
		if _, ok := all[lang]; !ok {
			t.Errorf("%s: language %q is not one of %v", name, lang, Codes)
			continue
		}
		parseFile(t, name, all[lang])
	}
	return all
}

// allIDs is the union of message IDs over all languages, sorted.
func allIDs(all map[string]map[string]message) []string {
	seen := map[string]bool{}
	for _, msgs := range all {
		for id := range msgs {
			seen[id] = true
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

var (
	actionRe      = regexp.MustCompile(`\{\{-?\s*(.*?)\s*-?\}\}`)
	placeholderRe = regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)`)
	tagRe         = regexp.MustCompile(`<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*>`)
)

// collect applies extract to every form of m and returns the sorted,
// deduplicated results.
func collect(m message, extract func(string) []string) []string {
	seen := map[string]bool{}
	for _, s := range m.forms {
		for _, x := range extract(s) {
			seen[x] = true
		}
	}
	out := make([]string, 0, len(seen))
	for x := range seen {
		out = append(out, x)
	}
	sort.Strings(out)
	return out
}

// placeholders returns the template field names, such as Name for {{.Name}}.
func placeholders(s string) []string {
	var out []string
	for _, a := range actionRe.FindAllStringSubmatch(s, -1) {
		for _, p := range placeholderRe.FindAllStringSubmatch(a[1], -1) {
			out = append(out, p[1])
		}
	}
	return out
}

// actions returns the template actions with normalised spacing, such as
// "if .Username" and "end", so that control structures must match too.
func actions(s string) []string {
	var out []string
	for _, a := range actionRe.FindAllStringSubmatch(s, -1) {
		out = append(out, strings.Join(strings.Fields(a[1]), " "))
	}
	return out
}

// tags returns the HTML tags without attributes, such as <b>, </b>, <a>.
func tags(s string) []string {
	var out []string
	for _, m := range tagRe.FindAllStringSubmatch(s, -1) {
		out = append(out, "<"+m[1]+strings.ToLower(m[2])+">")
	}
	return out
}

func definedIn(all map[string]map[string]message, id string) string {
	var files []string
	for _, lang := range Codes {
		if m, ok := all[lang][id]; ok {
			files = append(files, m.file)
		}
	}
	return strings.Join(files, ", ")
}

func TestMessageIDsMatch(t *testing.T) {
	all := parseAll(t)
	for _, id := range allIDs(all) {
		for _, lang := range Codes {
			if _, ok := all[lang][id]; !ok {
				t.Errorf("%s: missing in %s (defined in %s)", id, lang, definedIn(all, id))
			}
		}
	}
}

func TestMessagesConsistent(t *testing.T) {
	all := parseAll(t)
	ref := all[Fallback]
	checks := []struct {
		name    string
		extract func(string) []string
	}{
		{"placeholders", placeholders},
		{"template actions", actions},
		{"HTML tags", tags},
	}
	for _, id := range allIDs(all) {
		want, ok := ref[id]
		if !ok {
			continue // reported by TestMessageIDsMatch
		}
		for _, lang := range Codes {
			got, ok := all[lang][id]
			if !ok || lang == Fallback {
				continue
			}
			if got.plural != want.plural {
				t.Errorf("%s/%s: plural=%v, but %v in %s", lang, id, got.plural, want.plural, Fallback)
			}
			for _, c := range checks {
				w, g := collect(want, c.extract), collect(got, c.extract)
				if !slices.Equal(w, g) {
					t.Errorf("%s/%s: %s %q, want %q as in %s", lang, id, c.name, g, w, Fallback)
				}
			}
		}
	}
}

func TestPluralCategories(t *testing.T) {
	all := parseAll(t)
	for _, lang := range Codes {
		need, ok := needCategories[lang]
		if !ok {
			t.Fatalf("no plural categories known for %s", lang)
		}
		for id, m := range all[lang] {
			if !m.plural {
				continue
			}
			for _, cat := range need {
				if strings.TrimSpace(m.forms[cat]) == "" {
					t.Errorf("%s/%s: plural category %q missing", lang, id, cat)
				}
			}
			for cat := range m.forms {
				if !slices.Contains(need, cat) {
					t.Errorf("%s/%s: plural category %q is never used in %s", lang, id, cat, lang)
				}
			}
		}
	}
}

// dummy is template data for rendering any message: a few realistic
// values, and "x" for every other placeholder some message file uses, so
// that each feature's placeholders render without listing them here.
var dummy = withAllPlaceholders([]any{"Name", "Anna", "Username", "anna", "Who", "@anna", "Command", "/foo"})

func withAllPlaceholders(kv []any) []any {
	have := map[string]bool{}
	for i := 0; i < len(kv); i += 2 {
		have[kv[i].(string)] = true
	}
	names, _ := fs.Glob(files, "*.toml")
	for _, name := range names {
		data, _ := files.ReadFile(name)
		for _, p := range placeholders(string(data)) {
			if !have[p] {
				have[p] = true
				kv = append(kv, p, "x")
			}
		}
	}
	return kv
}

func dummyData(count any) map[string]any {
	data := map[string]any{}
	for i := 0; i < len(dummy); i += 2 {
		data[dummy[i].(string)] = dummy[i+1]
	}
	if count != nil {
		data["Count"] = count
	}
	return data
}

func load(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// localize renders through the bundle directly, so go-i18n errors (missing
// message, missing plural form, template error, fallback to another
// language) are seen rather than logged.
func localize(t *testing.T, c *Catalog, lang, id string, count any, data map[string]any) string {
	t.Helper()
	l := i18n.NewLocalizer(c.bundle, lang)
	s, tag, err := l.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: data})
	if err != nil {
		t.Errorf("%s/%s (count %v): %v", lang, id, count, err)
	}
	if base, _ := tag.Base(); base.String() != lang {
		t.Errorf("%s/%s (count %v): rendered from %s", lang, id, count, tag)
	}
	return s
}

func checkRendered(t *testing.T, what, id, s string) {
	t.Helper()
	switch {
	case strings.TrimSpace(s) == "":
		t.Errorf("%s: empty", what)
	case strings.Contains(s, "<no value>"):
		t.Errorf("%s: %q contains <no value>", what, s)
	case s == id:
		t.Errorf("%s: rendered as its ID", what)
	}
}

// Counts are ints or decimal strings: go-i18n rejects float64, and wants
// fractions formatted as strings.
var pluralCounts = []any{0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 1000000, "1.5"}

func TestPluralRender(t *testing.T) {
	c := load(t)
	all := parseAll(t)
	for _, lang := range Codes {
		for id, m := range all[lang] {
			if !m.plural {
				continue
			}
			for _, n := range pluralCounts {
				what := fmt.Sprintf("%s/%s count %v", lang, id, n)
				localize(t, c, lang, id, n, dummyData(n))
				s := c.For(lang).N(id, n, dummy...)
				checkRendered(t, what, id, s)
			}
		}
	}
}

func TestSimpleRender(t *testing.T) {
	c := load(t)
	all := parseAll(t)
	for _, lang := range Codes {
		for id, m := range all[lang] {
			if m.plural {
				continue
			}
			noUsername := dummyData(nil)
			noUsername["Username"] = ""
			for _, data := range []map[string]any{dummyData(nil), noUsername} {
				what := fmt.Sprintf("%s/%s with %v", lang, id, data)
				checkRendered(t, what, id, localize(t, c, lang, id, nil, data))
			}
			checkRendered(t, lang+"/"+id+" via T", id, c.For(lang).T(id, dummy...))
		}
	}
}

// allowedTags are the tags used in messages; Telegram supports a few more.
var allowedTags = []string{"b", "i", "u", "s", "code", "pre", "a"}

var entityRe = regexp.MustCompile(`^&(amp|lt|gt|quot|#[0-9]+|#x[0-9a-fA-F]+);`)

// checkHTML reports unbalanced or unknown tags, and stray < > or & that
// Telegram would refuse to parse.
func checkHTML(s string) error {
	var stack []string
	rest := s
	for {
		i := strings.IndexAny(rest, "<>&")
		if i < 0 {
			break
		}
		rest = rest[i:]
		switch rest[0] {
		case '>':
			return fmt.Errorf("stray '>'")
		case '&':
			if !entityRe.MatchString(rest) {
				return fmt.Errorf("unescaped '&' at %q", rest[:min(len(rest), 10)])
			}
			rest = rest[1:]
			continue
		}
		m := tagRe.FindStringSubmatchIndex(rest)
		if m == nil || m[0] != 0 {
			return fmt.Errorf("stray '<' at %q", rest[:min(len(rest), 10)])
		}
		closing, name := rest[m[2]:m[3]] == "/", strings.ToLower(rest[m[4]:m[5]])
		rest = rest[m[1]:]
		if !slices.Contains(allowedTags, name) {
			return fmt.Errorf("tag <%s> not allowed", name)
		}
		if !closing {
			stack = append(stack, name)
			continue
		}
		if len(stack) == 0 || stack[len(stack)-1] != name {
			return fmt.Errorf("</%s> closes nothing open (open: %v)", name, stack)
		}
		stack = stack[:len(stack)-1]
	}
	if len(stack) > 0 {
		return fmt.Errorf("unclosed %v", stack)
	}
	return nil
}

func TestCheckHTML(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"plain", true},
		{"<b>a</b> <i>b <code>c</code></i>", true},
		{`<a href="https://example.org/?a=1&amp;b=2">x</a>`, true},
		{"a &lt;b&gt; &amp; &#39;", true},
		{"<b>a", false},
		{"a</b>", false},
		{"<b><i>a</b></i>", false},
		{"<div>a</div>", false},
		{"a < b", false},
		{"a > b", false},
		{"a & b", false},
	} {
		if err := checkHTML(tc.in); (err == nil) != tc.ok {
			t.Errorf("checkHTML(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

func TestRenderedHTMLBalanced(t *testing.T) {
	c := load(t)
	all := parseAll(t)
	for _, lang := range Codes {
		l := c.For(lang)
		for id, m := range all[lang] {
			var s string
			if m.plural {
				s = l.N(id, 2, dummy...)
			} else {
				s = l.T(id, dummy...)
			}
			if err := checkHTML(s); err != nil {
				t.Errorf("%s/%s: %v in %q", lang, id, err, s)
			}
		}
	}
}

// TestTypography checks conventions a translator's keyboard easily gets
// wrong: straight quotes and apostrophes, French spacing, digit groups
// split by an ordinary space, and the commas around Ukrainian "наприклад".
func TestTypography(t *testing.T) {
	strip := regexp.MustCompile(`\{\{.*?\}\}|<[^<>]*>|https?://\S+`)
	forbidden := map[string]string{
		"de": `'"`,
		"fr": `'"`,
		"sv": `'"`,
		"uk": `'"ʼ`, // the apostrophe is ’ (U+2019) throughout
	}
	frPunct := regexp.MustCompile(`(.?)([:;?!])`)
	// "2 000" with an ordinary space can break across lines: write 2000,
	// or group with a no-break space.
	digitGroup := regexp.MustCompile(`\d \d{3}\b`)
	// The Ukrainian spelling rules set the parenthetical "наприклад" off
	// with commas: "наприклад, Ічня".
	ukForExample := regexp.MustCompile(`(?i)наприклад([^,]|$)`)
	all := parseAll(t)
	for _, lang := range Codes {
		for id, m := range all[lang] {
			for cat, s := range m.forms {
				text := strip.ReplaceAllString(s, "")
				if d := digitGroup.FindString(text); d != "" {
					t.Errorf("%s/%s[%s]: %q: write the number without a space or with a no-break space", lang, id, cat, d)
				}
				if lang == "uk" && ukForExample.MatchString(text) {
					t.Errorf("%s/%s[%s]: «наприклад» needs a comma after it in %q", lang, id, cat, text)
				}
			}
		}
	}
	for lang, chars := range forbidden {
		var narrow, full int
		for id, m := range all[lang] {
			for cat, s := range m.forms {
				text := strip.ReplaceAllString(s, "")
				if i := strings.IndexAny(text, chars); i >= 0 {
					t.Errorf("%s/%s[%s]: use typographic quotes or apostrophes instead of %q", lang, id, cat, []rune(text[i:])[0])
				}
				if lang != "fr" {
					continue
				}
				for _, p := range frPunct.FindAllStringSubmatch(text, -1) {
					switch p[1] {
					case "\u202f":
						narrow++
					case "\u00a0":
						full++
					default:
						t.Errorf("%s/%s[%s]: %q needs a no-break space before it in %q", lang, id, cat, p[2], text)
					}
				}
			}
		}
		if narrow > 0 && full > 0 {
			t.Errorf("fr: mixes U+202F (%d) and U+00A0 (%d) before : ; ? !", narrow, full)
		}
	}
}

func TestMatch(t *testing.T) {
	c := load(t)
	for _, tc := range []struct {
		code string
		want string
		ok   bool
	}{
		{"uk", "uk", true},
		{"uk-UA", "uk", true},
		{"de", "de", true},
		{"de-AT", "de", true},
		{"de-CH", "de", true},
		{"fr", "fr", true},
		{"fr-CA", "fr", true},
		{"fr-BE", "fr", true},
		{"sv", "sv", true},
		{"sv-FI", "sv", true},
		{"en", "en", true},
		{"en-US", "en", true},
		{"en-GB", "en", true},
		// Never guess Ukrainian for Russian or Belarusian speakers.
		{"ru", Fallback, false},
		{"ru-UA", Fallback, false},
		{"be", Fallback, false},
		{"pl", Fallback, false},
		{"", Fallback, false},
		{"xx", Fallback, false},
		{"zh-Hans", Fallback, false},
	} {
		got, ok := c.Match(tc.code)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("Match(%q) = %q, %v; want %q, %v", tc.code, got, ok, tc.want, tc.ok)
		}
	}
}

func TestEscaping(t *testing.T) {
	c := load(t)
	for _, lang := range Codes {
		l := c.For(lang)
		for _, tc := range []struct {
			name string
			got  string
			want string
		}{
			{"T escapes strings", l.T("user_line", "Name", "<b>x</b>", "Username", "a&b"), "&lt;b&gt;x&lt;/b&gt; (@a&amp;b)"},
			{"T keeps HTML", l.T("user_line", "Name", HTML("<b>x</b>"), "Username", ""), "<b>x</b>"},
			{"T mixes", l.T("user_line", "Name", HTML("<i>x</i>"), "Username", "<y>"), "<i>x</i> (@&lt;y&gt;)"},
			{"Plain does not escape", l.Plain("user_line", "Name", "<b>x</b>", "Username", "a&b"), "<b>x</b> (@a&b)"},
		} {
			if tc.got != tc.want {
				t.Errorf("%s: %s: got %q, want %q", lang, tc.name, tc.got, tc.want)
			}
		}
	}
}
