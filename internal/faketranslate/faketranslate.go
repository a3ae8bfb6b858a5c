// Package faketranslate runs fake translation services over real HTTP for
// tests, as faketelegram does for the Bot API: a LibreTranslate server
// and a DeepL API server that parse the documented requests, answer in
// the documented shapes, and can be told to fail as the real ones do
// (bad key, quota exceeded, too many requests, server errors, slow
// answers). No test reaches the network.
//
// They translate deterministically, so that tests can predict the
// result: word by word through a small dictionary (unknown words stay),
// prefixed with the target language in brackets — see Translate.
package faketranslate

import (
	"strings"
	"unicode"
)

// dictionary maps a lower-case word, in any of the project's languages,
// to its translation in each target language.
var dictionary = map[string]map[string]string{
	"feuerwehr":   {"uk": "пожежна", "en": "fire brigade", "fr": "pompiers", "sv": "brandkår", "pl": "straż"},
	"пожежна":     {"de": "Feuerwehr", "en": "fire brigade", "fr": "pompiers", "sv": "brandkår", "pl": "straż"},
	"jugend":      {"uk": "молодь", "en": "youth", "fr": "jeunesse", "sv": "ungdom", "pl": "młodzież"},
	"молодь":      {"de": "Jugend", "en": "youth", "fr": "jeunesse", "sv": "ungdom", "pl": "młodzież"},
	"fußball":     {"uk": "футбол", "en": "football", "fr": "football", "sv": "fotboll", "pl": "piłka"},
	"футбол":      {"de": "Fußball", "en": "football", "fr": "football", "sv": "fotboll", "pl": "piłka"},
	"hallo":       {"uk": "привіт", "en": "hello", "fr": "bonjour", "sv": "hej", "pl": "cześć"},
	"привіт":      {"de": "Hallo", "en": "hello", "fr": "bonjour", "sv": "hej", "pl": "cześć"},
	"добрий":      {"de": "guten", "en": "good", "fr": "bon", "sv": "god", "pl": "dobry"},
	"день":        {"de": "Tag", "en": "day", "fr": "jour", "sv": "dag", "pl": "dzień"},
	"wir":         {"uk": "ми", "en": "we", "fr": "nous", "sv": "vi", "pl": "my"},
	"ми":          {"de": "wir", "en": "we", "fr": "nous", "sv": "vi", "pl": "my"},
	"schule":      {"uk": "школа", "en": "school", "fr": "école", "sv": "skola", "pl": "szkoła"},
	"школа":       {"de": "Schule", "en": "school", "fr": "école", "sv": "skola", "pl": "szkoła"},
	"partner":     {"uk": "партнер", "en": "partner", "fr": "partenaire", "sv": "partner", "pl": "partner"},
	"партнер":     {"de": "Partner", "en": "partner", "fr": "partenaire", "sv": "partner", "pl": "partner"},
	"suchen":      {"uk": "шукаємо", "en": "seek", "fr": "cherchons", "sv": "söker", "pl": "szukamy"},
	"шукаємо":     {"de": "suchen", "en": "seek", "fr": "cherchons", "sv": "söker", "pl": "szukamy"},
	"water":       {"de": "Wasser", "uk": "вода", "fr": "eau", "sv": "vatten", "pl": "woda"},
	"wasser":      {"uk": "вода", "en": "water", "fr": "eau", "sv": "vatten", "pl": "woda"},
	"вода":        {"de": "Wasser", "en": "water", "fr": "eau", "sv": "vatten", "pl": "woda"},
	"krankenhaus": {"uk": "лікарня", "en": "hospital", "fr": "hôpital", "sv": "sjukhus", "pl": "szpital"},
	"лікарня":     {"de": "Krankenhaus", "en": "hospital", "fr": "hôpital", "sv": "sjukhus", "pl": "szpital"},
}

// Translate is what both fakes answer for text translated into target:
// "[target] " followed by the text's words, each replaced by its
// dictionary translation if it has one (case of the first letter kept),
// joined by single spaces; punctuation next to a word stays with it.
func Translate(text, target string) string {
	return "[" + target + "] " + translateWords(text, target)
}

// TranslateHTML is what both fakes answer for HTML (LibreTranslate's
// format "html", DeepL's tag_handling "html"): as both services document,
// the tags stay as they are and only the text between them is
// translated, word by word as by Translate, keeping the white space
// around each run of text; entities stay entities. The "[target] " mark
// comes first.
func TranslateHTML(text, target string) string {
	var b strings.Builder
	b.WriteString("[" + target + "] ")
	for text != "" {
		if text[0] == '<' {
			end := strings.IndexByte(text, '>')
			if end < 0 {
				end = len(text) - 1
			}
			b.WriteString(text[:end+1])
			text = text[end+1:]
			continue
		}
		end := strings.IndexByte(text, '<')
		if end < 0 {
			end = len(text)
		}
		run := text[:end]
		core := strings.TrimSpace(run)
		lead := run[:strings.Index(run, core)]
		b.WriteString(lead + translateWords(core, target) + run[len(lead)+len(core):])
		text = text[end:]
	}
	return b.String()
}

// MangleHTML is a translation of HTML that lost its closing tags, as a
// service may answer when it moves markup around: no longer HTML that
// Telegram takes.
func MangleHTML(text string) string {
	var b strings.Builder
	for text != "" {
		start := strings.Index(text, "</")
		if start < 0 {
			b.WriteString(text)
			break
		}
		b.WriteString(text[:start])
		end := strings.IndexByte(text[start:], '>')
		if end < 0 {
			break
		}
		text = text[start+end+1:]
	}
	return b.String()
}

// translateWords is Translate without the mark.
func translateWords(text, target string) string {
	words := strings.Fields(text)
	for i, w := range words {
		core := strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if core == "" {
			continue
		}
		tr, ok := dictionary[strings.ToLower(core)][target]
		if !ok {
			continue
		}
		if r := []rune(core); unicode.IsUpper(r[0]) {
			t := []rune(tr)
			t[0] = unicode.ToUpper(t[0])
			tr = string(t)
		}
		words[i] = strings.Replace(w, core, tr, 1)
	}
	return strings.Join(words, " ")
}

// Detect is the fakes' language detection: Cyrillic is Ukrainian;
// otherwise the language of the first dictionary word found, else "en".
func Detect(text string) string {
	for _, r := range text {
		if unicode.Is(unicode.Cyrillic, r) {
			return "uk"
		}
	}
	guess := map[string]string{"feuerwehr": "de", "jugend": "de", "fußball": "de", "hallo": "de", "wir": "de",
		"schule": "de", "suchen": "de", "wasser": "de", "krankenhaus": "de"}
	for _, w := range strings.Fields(strings.ToLower(text)) {
		if l, ok := guess[strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })]; ok {
			return l
		}
	}
	return "en"
}

// Languages the fakes translate between.
var Languages = []string{"de", "uk", "fr", "sv", "en", "pl"}
