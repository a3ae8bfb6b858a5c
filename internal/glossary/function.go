package glossary

import (
	"strings"
	"unicode"
)

// functionWords are the articles, prepositions, conjunctions and pronouns
// of each language that say nothing about what a project is about. A
// search across languages leaves them out of the reader's words ("football
// des jeunes", "футбол для молоді"): the texts it is after are written in
// other languages, where they never occur.
var functionWords = map[string]map[string]bool{
	"de": set("der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem", "einen", "und",
		"oder", "für", "mit", "von", "vom", "zu", "zum", "zur", "in", "im", "an", "am", "auf", "aus", "bei", "nach",
		"über", "unter", "um", "durch", "gegen", "ohne", "wir", "unser", "unsere"),
	"uk": set("і", "й", "та", "або", "для", "з", "із", "зі", "в", "у", "на", "до", "від", "по", "про", "за", "під",
		"над", "між", "через", "при", "ми", "наш", "наша", "наше", "наші"),
	"fr": set("le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "et", "ou", "pour", "avec", "dans", "en",
		"au", "aux", "sur", "par", "entre", "nous", "notre", "nos", "à"),
	"sv": set("en", "ett", "den", "det", "de", "och", "eller", "för", "med", "av", "till", "i", "på", "om", "från",
		"vid", "vi", "vår", "vårt", "våra", "åt"),
	"en": set("the", "a", "an", "and", "or", "for", "with", "of", "to", "in", "on", "at", "by", "from", "about",
		"between", "we", "our"),
	"pl": set("i", "oraz", "lub", "albo", "dla", "z", "ze", "w", "we", "na", "do", "od", "po", "o", "przez", "przy",
		"nad", "pod", "między", "my", "nasz", "nasza", "nasze"),
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// ContentWords returns text without the function words of language lang
// (see functionWords), or text as it is when nothing else is left.
func ContentWords(text, lang string) string {
	stop := functionWords[lang]
	var kept []string
	for _, f := range strings.Fields(text) {
		w := strings.ToLower(strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
		if !stop[w] {
			kept = append(kept, f)
		}
	}
	if len(kept) == 0 {
		return text
	}
	return strings.Join(kept, " ")
}
