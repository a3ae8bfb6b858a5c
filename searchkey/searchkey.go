// Package searchkey turns names into the keys a forgiving search compares:
// lower-case, Latin accents folded (Laxå → laxa), German umlauts also
// spelled out (Grevesmühlen → grevesmuhlen and grevesmuehlen), and
// Cyrillic names additionally in every Latin transliteration (Ічня →
// ichnia, itschnja, ichnya, ichnja).
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

	"partnerbot/translit"
)

// MaxLen caps the length of a key in runes; longer input is cut, since no
// place name is that long and trigram work grows with length.
const MaxLen = 100

// latinSpecial holds Latin letters that do not decompose into a base
// letter and a mark.
var latinSpecial = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'ø': "o", 'Ø': "o", 'œ': "oe", 'Œ': "oe",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'ı': "i",
}

// germanUmlauts spells umlauts the way German writes them without the
// dots.
var germanUmlauts = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "Ä", "ae", "Ö", "oe", "Ü", "ue")

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
		case isApostrophe(r):
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
	if s, ok := latinSpecial[r]; ok {
		b.WriteString(s)
		return
	}
	for _, d := range norm.NFD.String(string(r)) {
		if !unicode.Is(unicode.Mn, d) {
			b.WriteRune(unicode.ToLower(d))
		}
	}
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '`', '‘', 'ʹ':
		return true
	}
	return false
}

func truncate(s string) string {
	rs := []rune(s)
	if len(rs) <= MaxLen {
		return s
	}
	return strings.TrimSpace(string(rs[:MaxLen]))
}

// Keys returns the search keys of one name, without repeats: the folded
// name first, then its German umlaut spelling, then the folded
// transliterations if the name is Cyrillic.
func Keys(name string) []string {
	var keys []string
	add := func(k string) {
		if k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	name = norm.NFC.String(name)
	add(Fold(name))
	add(Fold(germanUmlauts.Replace(name)))
	if translit.Ukrainian(name) {
		for _, t := range translit.All(name) {
			add(Fold(t))
		}
	}
	return keys
}
