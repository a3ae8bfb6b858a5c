// Package glossary maps the words of the partnership domain in German,
// Ukrainian, French, Swedish, English and Polish to shared concepts, so
// that a search in one language finds texts written in another: молодь,
// Jugend, jeunesse, ungdom, youth and młodzież are all the concept youth.
//
// The glossary is data (data/*.toml, one file per domain, see
// data/README.md), embedded in the binary and read once. Words are
// compared by stem (package stem) and spelling-independent search key
// (package searchkey), so inflected forms need no entries; German and
// Swedish compounds are split into known parts (Jugendfußballaustausch is
// youth, football and exchange); forms of several words match words next
// to each other; Ukrainian forms are also found in Latin transliteration
// (molod, futbol, molodizhnyi).
package glossary

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/unicode/norm"

	"partnerbot/internal/searchkey"
	"partnerbot/internal/stem"
	"partnerbot/internal/translit"
)

//go:embed data/*.toml
var dataFS embed.FS

// Languages are the languages every concept has words in.
var Languages = stem.Languages

// analyzerVersion changes whenever the way words are matched changes, so
// that Version (and the stored analyses that depend on it) changes too.
const analyzerVersion = "1"

// Concept is one idea of the domain and its words in every language.
type Concept struct {
	ID string
	// Broader are concepts this one is a kind of (football: sport): a text
	// about it is also about them.
	Broader []string
	// Topic and Sector name the storage topic or sector this concept is,
	// if any.
	Topic  string
	Sector string
	// Parts, for a concept that is the meeting of others (youth exchange:
	// youth and exchange), are those others: a search for it also finds a
	// text that names them separately.
	Parts []string
	// Forms are the words of each language, as written in the data.
	Forms map[string][]string
	File  string
}

type entry struct {
	concept int
	// strict forms (written =word) count only whole and only in a text of
	// their own language or of unknown language.
	strict bool
}

type phrase struct {
	keys []string
	entry
}

// Glossary is a loaded glossary. It is safe for concurrent use.
type Glossary struct {
	concepts []Concept
	byID     map[string]int
	// words[lang][key] are the concepts of one-word forms; latin holds the
	// transliterations of Ukrainian forms (lang "uk-latn").
	words map[string]map[string][]entry
	// phrases[lang][first key] are the forms of several words.
	phrases map[string]map[string][]phrase
	// parts[lang][key] are the forms that can be parts of a compound
	// (German and Swedish).
	parts map[string]map[string][]entry
	// closure[i] is concept i and every concept it is a kind of.
	closure [][]int
	version string
	cache   cache[analysis]
	keys    cache[string]
}

// latinUk is the pseudo-language of Ukrainian words written in Latin
// letters.
const latinUk = "uk-latn"

// compounding are the languages whose words are split into known parts.
var compounding = []string{"de", "sv"}

// minPart is the fewest letters a part of a compound has.
const minPart = 4

var (
	once    sync.Once
	def     *Glossary
	loadErr error
)

// Default returns the embedded glossary, loaded on first use. It panics if
// the embedded data is broken, which the package's tests rule out.
func Default() *Glossary {
	once.Do(func() { def, loadErr = Load(dataFS) })
	if loadErr != nil {
		panic(loadErr)
	}
	return def
}

type fileConcept struct {
	Broader []string `toml:"broader"`
	Topic   string   `toml:"topic"`
	Sector  string   `toml:"sector"`
	Parts   []string `toml:"parts"`
	De      []string `toml:"de"`
	Uk      []string `toml:"uk"`
	Fr      []string `toml:"fr"`
	Sv      []string `toml:"sv"`
	En      []string `toml:"en"`
	Pl      []string `toml:"pl"`
}

// Load reads every data/*.toml file of fsys.
func Load(fsys fs.FS) (*Glossary, error) {
	names, err := fs.Glob(fsys, "data/*.toml")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	h := sha256.New()
	h.Write([]byte(analyzerVersion))
	var concepts []Concept
	seen := map[string]bool{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		h.Write(b)
		var file map[string]fileConcept
		md, err := toml.Decode(string(b), &file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if undecoded := md.Undecoded(); len(undecoded) > 0 {
			return nil, fmt.Errorf("%s: unknown keys %v", name, undecoded)
		}
		ids := make([]string, 0, len(file))
		for id := range file {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			fc := file[id]
			if seen[id] {
				return nil, fmt.Errorf("%s: concept %q is defined twice", name, id)
			}
			seen[id] = true
			concepts = append(concepts, Concept{ID: id, Broader: fc.Broader, Topic: fc.Topic, Sector: fc.Sector,
				Parts: fc.Parts, File: path.Base(name),
				Forms: map[string][]string{"de": fc.De, "uk": fc.Uk, "fr": fc.Fr, "sv": fc.Sv, "en": fc.En, "pl": fc.Pl}})
		}
	}
	return build(concepts, hex.EncodeToString(h.Sum(nil))[:16])
}

// Extra are forms added to a concept from outside the data files (the
// names of topics and sectors in locales/).
type Extra struct {
	Concept string
	Lang    string
	Forms   []string
}

// With returns a glossary that also has the extra forms; its Version
// differs from g's when they add anything.
func (g *Glossary) With(extra []Extra) (*Glossary, error) {
	concepts := make([]Concept, len(g.concepts))
	for i, c := range g.concepts {
		c.Forms = maps.Clone(c.Forms)
		concepts[i] = c
	}
	h := sha256.New()
	h.Write([]byte(g.version))
	for _, e := range extra {
		i, ok := g.byID[e.Concept]
		if !ok {
			return nil, fmt.Errorf("extra forms for unknown concept %q", e.Concept)
		}
		concepts[i].Forms[e.Lang] = append(slices.Clone(concepts[i].Forms[e.Lang]), e.Forms...)
		fmt.Fprintf(h, "%s\x00%s\x00%q\x00", e.Concept, e.Lang, e.Forms)
	}
	version := g.version
	if len(extra) > 0 {
		version = hex.EncodeToString(h.Sum(nil))[:16]
	}
	return build(concepts, version)
}

// build indexes concepts.
func build(concepts []Concept, version string) (*Glossary, error) {
	g := &Glossary{byID: map[string]int{}, words: map[string]map[string][]entry{},
		phrases: map[string]map[string][]phrase{}, parts: map[string]map[string][]entry{}, version: version}
	g.concepts = concepts
	for i, c := range concepts {
		g.byID[c.ID] = i
	}
	for i, c := range g.concepts {
		for _, b := range c.Broader {
			if _, ok := g.byID[b]; !ok {
				return nil, fmt.Errorf("%s: concept %q: broader concept %q does not exist", c.File, c.ID, b)
			}
		}
		for _, p := range c.Parts {
			if !slices.Contains(c.Broader, p) {
				return nil, fmt.Errorf("%s: concept %q: part %q is not among its broader concepts", c.File, c.ID, p)
			}
		}
		for _, lang := range Languages {
			for _, form := range c.Forms[lang] {
				g.add(lang, form, i)
			}
		}
	}
	g.closure = make([][]int, len(g.concepts))
	for i := range g.concepts {
		seen := map[int]bool{}
		var walk func(int)
		walk = func(j int) {
			if seen[j] {
				return
			}
			seen[j] = true
			for _, b := range g.concepts[j].Broader {
				walk(g.byID[b])
			}
		}
		walk(i)
		for j := range seen {
			g.closure[i] = append(g.closure[i], j)
		}
		slices.Sort(g.closure[i])
	}
	return g, nil
}

func addEntry(m map[string]map[string][]entry, lang, key string, e entry) {
	if m[lang] == nil {
		m[lang] = map[string][]entry{}
	}
	es := m[lang][key]
	for i := range es {
		if es[i].concept == e.concept {
			es[i].strict = es[i].strict || e.strict
			return
		}
	}
	m[lang][key] = append(es, e)
}

// addPhrase indexes a form of several words, toks, of e's concept.
func (g *Glossary) addPhrase(lang string, toks []string, e entry) {
	p := phrase{entry: e}
	for _, t := range toks {
		p.keys = append(p.keys, Key(lang, elide(t)))
	}
	if g.phrases[lang] == nil {
		g.phrases[lang] = map[string][]phrase{}
	}
	g.phrases[lang][p.keys[0]] = append(g.phrases[lang][p.keys[0]], p)
	if lang == "uk" {
		for _, t := range translit.All(strings.Join(toks, " ")) {
			lp := phrase{entry: e}
			for _, w := range Tokens(t) {
				lp.keys = append(lp.keys, latinKey(w))
			}
			if g.phrases[latinUk] == nil {
				g.phrases[latinUk] = map[string][]phrase{}
			}
			g.phrases[latinUk][lp.keys[0]] = append(g.phrases[latinUk][lp.keys[0]], lp)
		}
	}
}

// add indexes one form of concept i.
func (g *Glossary) add(lang, form string, i int) {
	e := entry{concept: i}
	if f, ok := strings.CutPrefix(form, "="); ok {
		form, e.strict = f, true
	}
	toks := Tokens(form)
	switch {
	case len(toks) == 0:
		return
	case len(toks) > 1:
		g.addPhrase(lang, toks, e)
		// A reader's query loses its function words (ContentWords), so the
		// phrase is also known without them ("Local government services").
		if content := Tokens(ContentWords(strings.Join(toks, " "), lang)); len(content) > 1 && len(content) < len(toks) {
			g.addPhrase(lang, content, e)
		}
		return
	}
	word := elide(toks[0])
	key := Key(lang, word)
	if key == "" {
		return
	}
	addEntry(g.words, lang, key, e)
	// A strict form is still a part of compounds: inside a longer word it
	// cannot be the homograph of another language (Kind, Kinderchor).
	if slices.Contains(compounding, lang) && runeLen(word) >= minPart {
		addEntry(g.parts, lang, key, entry{concept: i})
	}
	if lang == "uk" {
		for _, t := range translit.All(word) {
			if k := latinKey(t); runeLen(k) >= minPart {
				addEntry(g.words, latinUk, k, e)
			}
		}
	}
}

// Version identifies the glossary's data and matching rules: stored
// analyses made with another version are out of date.
func (g *Glossary) Version() string { return g.version }

// Concepts returns every concept, in the order of their files and ids.
func (g *Glossary) Concepts() []Concept { return g.concepts }

// Concept returns the concept with id.
func (g *Glossary) Concept(id string) (Concept, bool) {
	i, ok := g.byID[id]
	if !ok {
		return Concept{}, false
	}
	return g.concepts[i], true
}

// WithBroader returns ids with every concept they are a kind of, sorted,
// without repeats.
func (g *Glossary) WithBroader(ids []string) []string {
	var out []string
	for _, id := range ids {
		i, ok := g.byID[id]
		if !ok {
			continue
		}
		for _, j := range g.closure[i] {
			out = append(out, g.concepts[j].ID)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Tokens splits text into words: runs of letters, digits, combining
// marks and apostrophes (as in здоров’я); hyphens and every other mark
// separate words (Jugend-Fußballaustausch is two).
func Tokens(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || translit.IsApostrophe(r))
	})
}

// Key returns the key of word in language lang: its stem, spelled as a
// search key (accents folded on Latin letters, spelling variants
// levelled), so that Fußball and Fussball, école and ecole meet.
func Key(lang, word string) string {
	lower := strings.ToLower(norm.NFC.String(word))
	return searchkey.Skeleton(searchkey.Fold(stem.Stem(lang, lower)))
}

// latinEndings are Ukrainian inflectional endings as they look in a
// search key of a transliteration (y, j become i; zh, kh, ts become sh,
// ch, s), longest first wins.
var latinEndings = []string{
	"iami", "ami", "iach", "ach", "iam", "am", "oiu", "eiu", "iu", "oho", "oho", "omu", "oi", "imi", "ich", "im",
	"ii", "iv", "om", "em", "ia", "ie", "a", "o", "e", "i", "u",
}

// latinKey returns the key of a Ukrainian word written in Latin letters
// (or of the transliteration of a Cyrillic form): its search key without
// a Ukrainian ending, and with the final consonants that alternate in
// Ukrainian (k and ts, h and z) levelled, as stem.Ukrainian does.
func latinKey(word string) string {
	k := searchkey.Skeleton(searchkey.Fold(word))
	best := ""
	for _, e := range latinEndings {
		if len(e) > len(best) && strings.HasSuffix(k, e) && len(k)-len(e) >= 3 {
			best = e
		}
	}
	k = k[:len(k)-len(best)]
	if n := len(k); n > 3 && (k[n-1] == 'k' || k[n-1] == 'h') {
		k = k[:n-1] + "s"
	}
	return k
}

func runeLen(s string) int { return len([]rune(s)) }

func isLatin(word string) bool {
	for _, r := range word {
		if unicode.IsLetter(r) {
			return unicode.Is(unicode.Latin, r)
		}
	}
	return false
}

func isCyrillic(word string) bool {
	for _, r := range word {
		if unicode.IsLetter(r) {
			return unicode.Is(unicode.Cyrillic, r)
		}
	}
	return false
}
