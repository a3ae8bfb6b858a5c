// Package searchkey turns names into the keys a forgiving search compares.
//
// A Latin name has one key, its skeleton: lower-case, accents folded
// (Laxå → laxa), and the spelling differences between transliterations
// and German umlaut spellings levelled (tsch and ch, sch and sh and zh, w
// and v, j and y and i, ue and ü, doubled letters ...), so that Ichnia,
// Ichnja, Ichnya and Itschnja all become ichnia, and Grevesmühlen,
// Grevesmuehlen and Grevesmuhlen all become grevesmuhlen. A Cyrillic name
// has its lower-case form as a key, plus the skeletons of its Latin
// transliterations. Search applies the same function to the query, so
// equal keys mean the same name however it was written, and trigram
// similarity between keys measures typos only.
//
// Accents are folded only on Latin letters: decomposing Cyrillic and
// dropping the marks would turn Київ into Киів and й into и, which are
// different letters, not accented ones.
package searchkey

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"partnerbot/internal/translit"
)

// MaxLen caps the length of a key in runes; longer input is cut, since no
// place name is that long and trigram work grows with length.
const MaxLen = 100

// latinSpecial holds Latin letters that do not decompose into a base
// letter and a mark.
// Keys are lower case: only lower-case letters are listed.
var latinSpecial = map[rune]string{
	'ß': "ss", 'æ': "ae", 'ø': "o", 'œ': "oe", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i",
}

// Fold lower-cases s, folds accents on Latin letters, turns punctuation
// into single spaces and trims it. Cyrillic letters keep their identity.
func Fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFC.String(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			writeFolded(&b, r)
		case translit.IsApostrophe(r):
			// Apostrophes join a word (Знам'янка, Sankt Peter's): drop them.
		case unicode.Is(unicode.Mn, r):
			// A stray combining mark after a non-letter carries nothing.
		default:
			space = true
		}
	}
	return truncate(b.String())
}

func writeFolded(b *strings.Builder, r rune) {
	if !unicode.Is(unicode.Latin, r) {
		b.WriteRune(unicode.ToLower(r))
		return
	}
	for _, d := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		d = unicode.ToLower(d)
		if s, ok := latinSpecial[d]; ok {
			b.WriteString(s)
		} else {
			b.WriteRune(d)
		}
	}
}

func truncate(s string) string {
	rs := []rune(s)
	if len(rs) <= MaxLen {
		return s
	}
	return strings.TrimSpace(string(rs[:MaxLen]))
}

// levellers map the spellings that transliteration schemes and German
// umlaut conventions disagree on to one spelling. They run in order:
// tsch must become ch before sch becomes sh.
var levellers = []*strings.Replacer{
	strings.NewReplacer("tsch", "ch"),
	strings.NewReplacer("sch", "sh", "zh", "sh", "kh", "ch", "ts", "s", "ae", "a", "oe", "o", "ue", "u"),
	strings.NewReplacer("z", "s", "w", "v", "j", "i", "y", "i"),
}

// Skeleton levels the spelling of a folded Latin key (see the package
// comment) and squeezes doubled letters. Other scripts pass through, apart
// from the squeezing.
func Skeleton(folded string) string {
	for _, r := range levellers {
		folded = r.Replace(folded)
	}
	var b strings.Builder
	b.Grow(len(folded))
	var last rune
	for _, r := range folded {
		if r != last || !unicode.IsLetter(r) {
			b.WriteRune(r)
		}
		last = r
	}
	return b.String()
}

// Keys returns the search keys of a name, without repeats: for a Latin
// name its skeleton; for a Cyrillic one its folded form and the skeletons
// of its transliterations.
func Keys(name string) []string {
	var keys []string
	add := func(k string) {
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	// Transliterating the folded form, not the name, makes a Cyrillic key
	// have the keys of the name it came from (project search relies on
	// it); folding changes nothing a transliteration depends on.
	folded := Fold(name)
	if !translit.Ukrainian(folded) {
		add(Skeleton(folded))
		return keys
	}
	add(folded)
	for _, t := range translit.All(folded) {
		add(Skeleton(Fold(t)))
	}
	return keys
}
