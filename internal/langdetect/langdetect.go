// Package langdetect tells which of the project's languages (German,
// Ukrainian, French, Swedish, English, Polish) a text is written in, so
// that the bot knows when a text is foreign to its reader.
//
// It uses github.com/pemistahl/lingua-go restricted to those six
// languages, in its low-accuracy mode (trigram models only). Measured here
// (README, "Language detection"): 59 of 60 short chat-like texts right,
// as in high-accuracy mode; about 27 MB of memory and 0.4 s to load, where
// high accuracy takes about 280 MB and 7 s; whatlanggo got 54 of 60 and
// has not been maintained since 2019. The cost is the binary: lingua embeds
// the models of all its 75 languages (about 130 MB), whichever are used.
//
// The detector is built on first use and shared; it is safe for
// concurrent use.
package langdetect

import (
	"strings"
	"sync"
	"unicode"

	"github.com/pemistahl/lingua-go"
)

// Languages are the codes Detect can return.
var Languages = []string{"de", "uk", "fr", "sv", "en", "pl"}

var languages = map[lingua.Language]string{
	lingua.German: "de", lingua.Ukrainian: "uk", lingua.French: "fr", lingua.Swedish: "sv",
	lingua.English: "en", lingua.Polish: "pl",
}

// minLetters is the fewest letters a text needs for a verdict: a word of
// two letters (ok, ja, so) says nothing about a language.
const minLetters = 3

var (
	once     sync.Once
	detector lingua.LanguageDetector
)

func get() lingua.LanguageDetector {
	once.Do(func() {
		langs := make([]lingua.Language, 0, len(languages))
		for l := range languages {
			langs = append(langs, l)
		}
		detector = lingua.NewLanguageDetectorBuilder().FromLanguages(langs...).WithLowAccuracyMode().
			WithPreloadedLanguageModels().Build()
	})
	return detector
}

// Detect returns the language of text (one of Languages), or "" when it
// cannot tell: too few letters, or no language clearly ahead. Cyrillic
// text is Ukrainian without asking the models: of the six languages only
// Ukrainian is written in it.
func Detect(text string) string {
	letters, cyrillic, latin := 0, 0, 0
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyrillic++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	switch {
	case letters < minLetters:
		return ""
	case cyrillic > latin:
		return "uk"
	case latin == 0:
		return ""
	}
	l, ok := get().DetectLanguageOf(strings.TrimSpace(text))
	if !ok {
		return ""
	}
	return languages[l]
}

// Warm builds the detector now instead of at the first Detect, so that
// the first request does not wait for it (about half a second).
func Warm() { get() }
