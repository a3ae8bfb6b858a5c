// Package stem reduces words to stems, so that the inflected forms of a
// word compare equal: Schulen and Schule, écoles and école, молоді and
// молодь, szkoły and szkoła.
//
// German, French, Swedish and English use the Snowball stemmers (the
// reference algorithms of snowballstem.org, as generated Go code in
// github.com/blevesearch/snowballstem). Snowball has no Ukrainian and no
// Polish stemmer and neither has any maintained Go library, so this
// package has two small suffix strippers of its own for them (uk.go,
// pl.go): they remove inflectional endings only, never derivational
// suffixes, and are tested on the words people use in partnership
// projects. A stem is only ever compared with another stem made by the
// same function, so a stem need not be a word.
package stem

import (
	"strings"
	"sync"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/swedish"
)

// Languages are the codes Stem knows, in the order of the project's
// languages.
var Languages = []string{"de", "uk", "fr", "sv", "en", "pl"}

// Latin are the languages among Languages written in Latin letters.
var Latin = []string{"de", "fr", "sv", "en", "pl"}

var snowball = map[string]func(*snowballstem.Env) bool{
	"de": german.Stem,
	"fr": french.Stem,
	"sv": swedish.Stem,
	"en": english.Stem,
}

var envs = sync.Pool{New: func() any { return snowballstem.NewEnv("") }}

// Stem returns the stem of word in language lang (a code of Languages);
// word is lower-cased first. An unknown language returns the lower-cased
// word.
func Stem(lang, word string) string {
	word = strings.ToLower(word)
	switch lang {
	case "uk":
		return Ukrainian(word)
	case "pl":
		return Polish(word)
	}
	f, ok := snowball[lang]
	if !ok {
		return word
	}
	env := envs.Get().(*snowballstem.Env)
	env.SetCurrent(word)
	f(env)
	s := env.Current()
	envs.Put(env)
	if lang == "sv" {
		// Snowball's Swedish leaves the definite -an of words in -a
		// (skola, skolan) and the definite -et of neuter words (utbyte,
		// utbytet; projekt, projektet): strip them the same way.
		if t, ok := strings.CutSuffix(s, "an"); ok && runeLen(t) >= 3 {
			s = t
		} else if t, ok := strings.CutSuffix(s, "et"); ok && runeLen(t) >= 4 {
			// and the consonant pairs Snowball's last step undoubles
			// (projekt: projek).
			for _, pair := range []string{"dd", "gd", "nn", "dt", "gt", "kt", "tt"} {
				if strings.HasSuffix(t, pair) {
					t = t[:len(t)-1]
					break
				}
			}
			s = t
		}
	}
	return s
}

// runeLen counts the letters of s.
func runeLen(s string) int { return len([]rune(s)) }

// stripLongest removes from word the longest of endings it ends with,
// when at least minStem letters remain.
func stripLongest(word string, endings []string, minStem int) (string, bool) {
	best := ""
	for _, e := range endings {
		if len(e) > len(best) && strings.HasSuffix(word, e) && runeLen(word)-runeLen(e) >= minStem {
			best = e
		}
	}
	if best == "" {
		return word, false
	}
	return word[:len(word)-len(best)], true
}

// hasVowel reports whether s contains one of vowels.
func hasVowel(s, vowels string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return strings.ContainsRune(vowels, unicode.ToLower(r)) })
}
