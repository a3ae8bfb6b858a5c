package glossary

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"partnerbot/internal/stem"
	"partnerbot/internal/translit"
)

// Word is what one word of a text means.
type Word struct {
	Text string
	// Parts are the concept ids the word means, one set for a plain word
	// and one per known part of a compound (Jugendaustausch: youth,
	// exchange). A form of several words adds its concept to the first
	// set of each of its words. Empty when the glossary does not know the
	// word. Broader concepts are not included (see WithBroader).
	Parts [][]string
	// Guessed is set when the meaning comes from a known beginning or end
	// of an otherwise unknown word (Ichnia|fußball): such a word may as
	// well be a name or a misspelt one (Grevesmülen is no kind of Müll).
	Guessed bool
}

// analysis is what a word alone means (see Word).
type analysis struct {
	parts   [][]string
	guessed bool
}

// Words analyses text, written in language lang ("" when unknown; it
// decides whether forms marked strict count and which compound rules come
// first).
func (g *Glossary) Words(text, lang string) []Word {
	toks := Tokens(text)
	out := make([]Word, len(toks))
	for i, t := range toks {
		a := g.word(t, lang)
		out[i] = Word{Text: t, Parts: a.parts, Guessed: a.guessed}
	}
	g.phraseMatches(toks, lang, out)
	return out
}

// TextConcepts returns every concept text mentions, with the concepts they
// are kinds of, sorted: what a document is about.
func (g *Glossary) TextConcepts(text, lang string) []string {
	var ids []string
	for _, w := range g.Words(text, lang) {
		for _, p := range w.Parts {
			ids = append(ids, p...)
		}
	}
	return g.WithBroader(ids)
}

// languagesOf lists the languages a token of a text in lang is looked up
// in. Latin words are read as transliterated Ukrainian only in a Ukrainian
// text or one of unknown language: in an English text, most is not мосту.
func languagesOf(tok, lang string) []string {
	switch {
	case isCyrillic(tok):
		return []string{"uk"}
	case isLatin(tok) && (lang == "" || lang == "uk"):
		return []string{"de", "fr", "sv", "en", "pl", latinUk}
	case isLatin(tok):
		return stem.Latin
	}
	return nil
}

// counts reports whether e, found in language form, counts in a text of
// language lang.
func counts(e entry, form, lang string) bool {
	if !e.strict || lang == "" {
		return true
	}
	return lang == form || form == latinUk && lang == "uk"
}

func (g *Glossary) key(lang, tok string) string {
	ck := lang + "\x00" + tok
	if k, ok := g.keys.get(ck); ok {
		return k
	}
	t := elide(tok)
	var k string
	if lang == latinUk {
		k = latinKey(t)
	} else {
		k = Key(lang, t)
	}
	g.keys.put(ck, k)
	return k
}

// word returns the analysis of one token (see Word), from the cache
// when it was seen before.
func (g *Glossary) word(tok, lang string) analysis {
	ck := lang + "\x00" + tok
	if a, ok := g.cache.get(ck); ok {
		return a
	}
	a := g.analyzeWord(tok, lang)
	g.cache.put(ck, a)
	return a
}

func (g *Glossary) analyzeWord(tok, lang string) analysis {
	tok = elide(tok)
	var whole []int
	langs := languagesOf(tok, lang)
	// A word of the text's own language means what it means there (English
	// water is not German Väter); other languages are asked only when it
	// means nothing there.
	if i := slices.Index(langs, lang); i >= 0 {
		whole = g.wholeWord(tok, lang, lang)
		langs = slices.Delete(slices.Clone(langs), i, i+1)
	}
	if len(whole) == 0 {
		for _, l := range langs {
			whole = append(whole, g.wholeWord(tok, l, lang)...)
		}
	}
	// Other languages may add several meanings; keep each once.
	slices.Sort(whole)
	whole = slices.Compact(whole)
	if len(whole) > 0 {
		return analysis{parts: [][]string{g.ids(whole)}}
	}
	if !isLatin(tok) || runeLen(tok) < 2*minPart {
		return analysis{}
	}
	langs = slices.Clone(compounding)
	if i := slices.Index(langs, lang); i > 0 {
		langs[0], langs[i] = langs[i], langs[0]
	}
	for _, l := range langs {
		if parts, guessed := g.split(l, []rune(strings.ToLower(tok))); len(parts) > 0 {
			out := make([][]string, len(parts))
			for i, p := range parts {
				out[i] = g.ids(p)
			}
			return analysis{parts: out, guessed: guessed}
		}
	}
	return analysis{}
}

// elide drops the elided article or pronoun of a French (or Italian)
// word: d’enfants is enfants, l’école is école.
func elide(tok string) string {
	if !isLatin(tok) {
		return tok
	}
	for i, r := range tok {
		if i > 3 {
			break
		}
		if translit.IsApostrophe(r) && i > 0 {
			_, size := utf8.DecodeRuneInString(tok[i:])
			if rest := tok[i+size:]; rest != "" {
				return rest
			}
		}
	}
	return tok
}

// wholeWord returns the concepts tok means as a whole word of language l,
// in a text of language lang.
func (g *Glossary) wholeWord(tok, l, lang string) []int {
	k := g.key(l, tok)
	if l == latinUk && runeLen(k) < minPart {
		return nil
	}
	var out []int
	for _, e := range g.words[l][k] {
		if counts(e, l, lang) {
			out = append(out, e.concept)
		}
	}
	return out
}

func (g *Glossary) ids(concepts []int) []string {
	out := make([]string, len(concepts))
	for i, c := range concepts {
		out[i] = g.concepts[c].ID
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// part returns the concepts of s as a part of a compound in lang; a part
// before the last may end in a linking s (Gemeinschafts-, ungdoms-).
func (g *Glossary) part(lang, s string, last bool) []int {
	var out []int
	add := func(k string) {
		for _, e := range g.parts[lang][k] {
			if !slices.Contains(out, e.concept) {
				out = append(out, e.concept)
			}
		}
	}
	add(Key(lang, s))
	if !last && len(out) == 0 {
		if t, ok := strings.CutSuffix(s, "s"); ok && runeLen(t) >= minPart {
			add(Key(lang, t))
		}
	}
	return out
}

// split finds the known parts of a compound word rs of lang: a division
// into known parts of at least minPart letters each if there is one
// (Jugend|fußball|austausch); else a known last part of more than minPart
// letters after an unknown beginning (Straßen|fußball; a short one is too
// often a mere ending: Heizungsan|lage is not a store); else a known beginning of at least
// minPart+1 letters before an unknown end of at least minPart-1
// (Jugend|weihe, Recycling|hof); guessed is true for these two. nil when
// none of these exists.
func (g *Glossary) split(lang string, rs []rune) (parts [][]int, guessed bool) {
	n := len(rs)
	memo := map[int][][]int{}
	var cover func(pos int) [][]int
	cover = func(pos int) [][]int {
		if parts, ok := memo[pos]; ok {
			return parts
		}
		memo[pos] = nil
		for end := n; end-pos >= minPart; end-- {
			if rest := n - end; rest > 0 && rest < minPart {
				continue
			}
			cs := g.part(lang, string(rs[pos:end]), end == n)
			if len(cs) == 0 {
				continue
			}
			if end == n {
				memo[pos] = [][]int{cs}
				break
			}
			if rest := cover(end); rest != nil {
				memo[pos] = append([][]int{cs}, rest...)
				break
			}
		}
		return memo[pos]
	}
	if parts := cover(0); len(parts) > 1 {
		return parts, false
	}
	for start := minPart; n-start > minPart; start++ {
		if cs := g.part(lang, string(rs[start:]), true); len(cs) > 0 {
			return [][]int{cs}, true
		}
	}
	for end := n - minPart + 1; end >= minPart+1; end-- {
		if cs := g.part(lang, string(rs[:end]), false); len(cs) > 0 {
			return [][]int{cs}, true
		}
	}
	return nil, false
}

// phraseMatches adds the concepts of forms of several words found in
// toks to the first part of each of their words.
func (g *Glossary) phraseMatches(toks []string, lang string, out []Word) {
	if len(toks) < 2 {
		return
	}
	keys := map[string][]string{}
	keyAt := func(l string, i int) string {
		ks := keys[l]
		if ks == nil {
			ks = make([]string, len(toks))
			keys[l] = ks
		}
		if ks[i] == "" {
			ks[i] = g.key(l, toks[i]) + "\x00" // never empty once computed
		}
		return strings.TrimSuffix(ks[i], "\x00")
	}
	for i, t := range toks {
		for _, l := range languagesOf(t, lang) {
			cands := g.phrases[l][keyAt(l, i)]
			for _, p := range cands {
				if i+len(p.keys) > len(toks) || !counts(p.entry, l, lang) {
					continue
				}
				ok := true
				for j := 1; j < len(p.keys) && ok; j++ {
					ok = keyAt(l, i+j) == p.keys[j]
				}
				if !ok {
					continue
				}
				id := g.concepts[p.concept].ID
				for j := i; j < i+len(p.keys); j++ {
					if len(out[j].Parts) == 0 {
						out[j].Parts = [][]string{{id}}
					} else if !slices.Contains(out[j].Parts[0], id) {
						first := append(slices.Clone(out[j].Parts[0]), id)
						slices.Sort(first)
						out[j].Parts = append([][]string{first}, out[j].Parts[1:]...)
					}
				}
			}
		}
	}
}

// cache remembers recent analyses of words (their parts, their key in a
// language): texts repeat their words, and analysing one costs a
// stemming per language, up to a few hundred for a long compound. It
// holds at most maxCached entries and starts over when full.
type cache[V any] struct {
	mu sync.Mutex
	m  map[string]V
}

const maxCached = 200000

func (c *cache[V]) get(k string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *cache[V]) put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = map[string]V{}
	}
	c.m[k] = v
}
