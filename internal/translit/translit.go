// Package translit writes Ukrainian Cyrillic in Latin letters, in the ways
// people actually spell Ukrainian place names: the official national scheme
// (Cabinet of Ministers resolution No. 55 of 27 January 2010, used in
// passports and on road signs: Київ → Kyiv), the German (Duden-style)
// scheme found in German newspapers and town-twinning documents
// (Київ → Kyjiw, Ічня → Itschnja), and two loose spellings people type
// without a scheme in mind (Ichnya, Ichnja).
//
// Text that is not Cyrillic passes through unchanged. Russian and
// Belarusian letters that do not occur in Ukrainian get a plausible
// spelling, so that no Cyrillic letter ever survives transliteration.
package translit

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Scheme is one way of writing Cyrillic in Latin letters.
type Scheme int

// The schemes, see the package comment.
const (
	// National is the official Ukrainian scheme of 2010.
	National Scheme = iota
	// German is the Duden-style scheme of German-language texts.
	German
	// LooseY is English-style spelling with y-glides everywhere: Ichnya,
	// Kyiv, Zaporizhzhya.
	LooseY
	// LooseJ is spelling with j-glides and English consonants: Ichnja,
	// Kyjiv, Zaporizhzhja.
	LooseJ
)

// Schemes lists every scheme, for callers that want all spellings.
var Schemes = []Scheme{National, German, LooseY, LooseJ}

// spelling is how one lower-case letter is written: initial at the start
// of a word, inner elsewhere.
type spelling struct{ initial, inner string }

func same(s string) spelling { return spelling{s, s} }

// base holds the letters every scheme writes alike.
var base = map[rune]spelling{
	'а': same("a"), 'б': same("b"), 'ґ': same("g"), 'д': same("d"), 'е': same("e"),
	'з': same("z"), 'і': same("i"), 'к': same("k"), 'л': same("l"), 'м': same("m"),
	'н': same("n"), 'о': same("o"), 'п': same("p"), 'р': same("r"), 'с': same("s"),
	'т': same("t"), 'у': same("u"), 'ф': same("f"), 'ь': same(""), 'ъ': same(""),
	// Letters of Russian and Belarusian, for names written in them.
	'ы': same("y"), 'э': same("e"), 'ў': same("u"),
}

// schemes holds what each scheme writes differently from base.
var schemes = map[Scheme]map[rune]spelling{
	National: {
		'в': same("v"), 'г': same("h"), 'є': {"ye", "ie"}, 'ж': same("zh"), 'и': same("y"),
		'ї': {"yi", "i"}, 'й': {"y", "i"}, 'х': same("kh"), 'ц': same("ts"), 'ч': same("ch"),
		'ш': same("sh"), 'щ': same("shch"), 'ю': {"yu", "iu"}, 'я': {"ya", "ia"}, 'ё': {"yo", "io"},
	},
	German: {
		'в': same("w"), 'г': same("h"), 'є': same("je"), 'ж': same("sch"), 'з': same("s"),
		'и': same("y"), 'ї': same("ji"), 'й': same("j"), 'х': same("ch"), 'ц': same("z"),
		'ч': same("tsch"), 'ш': same("sch"), 'щ': same("schtsch"), 'ю': same("ju"), 'я': same("ja"),
		'ё': same("jo"),
	},
	LooseY: {
		'в': same("v"), 'г': same("h"), 'є': same("ye"), 'ж': same("zh"), 'и': same("y"),
		'ї': same("yi"), 'й': same("y"), 'х': same("kh"), 'ц': same("ts"), 'ч': same("ch"),
		'ш': same("sh"), 'щ': same("shch"), 'ю': same("yu"), 'я': same("ya"), 'ё': same("yo"),
	},
	LooseJ: {
		'в': same("v"), 'г': same("h"), 'є': same("je"), 'ж': same("zh"), 'и': same("y"),
		'ї': same("ji"), 'й': same("j"), 'х': same("kh"), 'ц': same("ts"), 'ч': same("ch"),
		'ш': same("sh"), 'щ': same("shch"), 'ю': same("ju"), 'я': same("ja"), 'ё': same("jo"),
	},
}

// IsApostrophe reports the marks Ukrainian uses as its apostrophe
// (м'ята, Пом'ялово): every scheme drops them between Cyrillic letters.
func IsApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '`', '‘', 'ʹ':
		return true
	}
	return false
}

func isVowel(r rune) bool {
	return strings.ContainsRune("аеєиіїоуюяыэё", unicode.ToLower(r))
}

// Ukrainian reports whether s contains a Cyrillic letter, that is whether
// transliterating it changes anything.
func Ukrainian(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

// To writes s in Latin letters by scheme. Letter case follows the source:
// a capital becomes a capitalised spelling (Щ → Shch), or an all-capital one
// inside an all-capital word (ЩУКА → SHCHUKA).
func To(scheme Scheme, s string) string {
	if !Ukrainian(s) {
		return s
	}
	table := schemes[scheme]
	rs := []rune(norm.NFC.String(s))
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for i, r := range rs {
		if IsApostrophe(r) && i > 0 && i+1 < len(rs) && unicode.Is(unicode.Cyrillic, rs[i-1]) && unicode.Is(unicode.Cyrillic, rs[i+1]) {
			continue
		}
		if !unicode.Is(unicode.Cyrillic, r) {
			b.WriteRune(r)
			continue
		}
		lower := unicode.ToLower(r)
		out := letter(scheme, table, rs, i, lower)
		if out == "" || lower == r {
			b.WriteString(out)
			continue
		}
		if allCaps(rs, i) {
			b.WriteString(strings.ToUpper(out))
			continue
		}
		first, size := utf8.DecodeRuneInString(out)
		b.WriteRune(unicode.ToUpper(first))
		b.WriteString(out[size:])
	}
	return b.String()
}

// letter spells the lower-case letter lower found at rs[i].
func letter(scheme Scheme, table map[rune]spelling, rs []rune, i int, lower rune) string {
	prev := rune(0)
	if i > 0 {
		prev = unicode.ToLower(rs[i-1])
	}
	switch {
	// The national scheme writes зг as zgh, so it is not read as the
	// digraph zh (Згурівка → Zghurivka).
	case scheme == National && lower == 'г' && prev == 'з':
		return "gh"
	// German spelling doubles s between vowels so it stays voiceless
	// (Одеса → Odessa).
	case scheme == German && lower == 'с' && i > 0 && i+1 < len(rs) && isVowel(rs[i-1]) && isVowel(rs[i+1]):
		return "ss"
	}
	sp, ok := table[lower]
	if !ok {
		sp, ok = base[lower]
	}
	if !ok {
		return fallback(lower)
	}
	if wordStart(rs, i) {
		return sp.initial
	}
	return sp.inner
}

// fallback spells a Cyrillic letter outside every table (Serbian,
// Macedonian, old letters) by its Latin-looking base letter, or drops it.
func fallback(r rune) string {
	var b strings.Builder
	for _, d := range norm.NFD.String(string(r)) {
		if sp, ok := base[d]; ok {
			b.WriteString(sp.inner)
		} else if d < utf8.RuneSelf && unicode.IsLetter(d) {
			b.WriteRune(d)
		}
	}
	return b.String()
}

// wordStart reports whether rs[i] begins a word. An apostrophe inside the
// word does not start a new one: in Пом'ялово the я is not word-initial
// for the national scheme's purposes, which writes Pomialovo.
func wordStart(rs []rune, i int) bool {
	if i == 0 {
		return true
	}
	p := rs[i-1]
	if IsApostrophe(p) && i >= 2 && unicode.IsLetter(rs[i-2]) {
		return false
	}
	return !unicode.IsLetter(p)
}

// allCaps reports whether the word around rs[i] has more than one letter
// and all of them capitals.
func allCaps(rs []rune, i int) bool {
	start, end := i, i
	for start > 0 && (unicode.IsLetter(rs[start-1]) || IsApostrophe(rs[start-1])) {
		start--
	}
	for end+1 < len(rs) && (unicode.IsLetter(rs[end+1]) || IsApostrophe(rs[end+1])) {
		end++
	}
	letters := 0
	for _, r := range rs[start : end+1] {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		}
	}
	return letters > 1
}

// All returns the spellings of s in every scheme, without repeats, the
// national one first.
func All(s string) []string {
	out := make([]string, 0, len(Schemes))
	for _, sc := range Schemes {
		t := To(sc, s)
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
