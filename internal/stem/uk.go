package stem

import "strings"

// ukEndings are the inflectional endings of Ukrainian nouns, adjectives
// and verbs (infinitive and present tense) that Ukrainian strips, longest
// first wins. Past-tense endings (-ла, -ло, -ли) are left out: they would
// cut школа and школи to шко while школу stays школ. So is the masculine
// dative -ові: it would cut відбудові (of відбудова) and мові to відбуд
// and м. So is the infinitive -ти: it would cut освіти and студенти (of
// освіта, студент) to осві and студен, and people search for nouns.
var ukEndings = []string{
	// adjectives and pronouns
	"ого", "ього", "ому", "ьому", "ої", "ьої", "ими", "іми", "их", "іх", "ий", "ій", "им", "ім", "ою", "ьою",
	"ая", "яя", "ее",
	// nouns
	"ами", "ями", "ах", "ях", "ам", "ям", "ом", "ем", "єм", "ею", "єю", "ів", "їв",
	// verbs
	"ть", "ємо", "емо", "имо", "імо", "ете", "єте", "ите", "іте", "уть", "ють", "ать", "ять", "ить", "іть",
	"еш", "єш", "иш", "іш",
	// one letter
	"а", "я", "о", "е", "є", "и", "і", "ї", "у", "ю", "ь", "й",
}

const ukVowels = "аеєиіїоуюя"

// Ukrainian returns the stem of a lower-case Ukrainian word: apostrophes
// dropped, a reflexive -ся/-сь and one inflectional ending removed, and
// regular alternations at the end of a stem levelled so that the cases of
// one word meet: a final к, г, х becomes ц, з, с (бібліотека, бібліотеці;
// допомога, допомозі), a fleeting о or е before the last consonant goes
// (садочок, садочка; митець, митця) and a doubled consonant counts once
// (молодь, молоддю). Stems of nouns whose stem ends in a vowel can still
// differ (музей, музею): the glossary lists such forms.
func Ukrainian(word string) string {
	word = strings.Map(func(r rune) rune {
		switch r {
		case '\'', '’', 'ʼ', '`', '‘':
			return -1
		}
		return r
	}, word)
	if runeLen(word) < 3 {
		return word
	}
	for _, refl := range []string{"ся", "сь"} {
		if s, ok := strings.CutSuffix(word, refl); ok && runeLen(s) >= 4 {
			word = s
			break
		}
	}
	nominative := true
	if s, ok := stripLongest(word, ukEndings, 3); ok && hasVowel(s, ukVowels) {
		nominative = strings.HasSuffix(word, "ь")
		word = s
	}
	rs := []rune(word)
	n := len(rs)
	// Nouns in -ія (історія, історії, історій, реабілітація): the і before
	// the ending belongs to it.
	if n >= 5 && rs[n-1] == 'і' {
		rs = rs[:n-1]
		n--
	}
	// Fleeting vowel: a nominative in -ок or -ець (the ь already gone) of at
	// least four letters loses it, as its other cases do.
	if nominative && n >= 4 && (rs[n-2] == 'о' && rs[n-1] == 'к' || rs[n-2] == 'е' && rs[n-1] == 'ц') &&
		!strings.ContainsRune(ukVowels, rs[n-3]) {
		rs = append(rs[:n-2], rs[n-1])
		n--
	}
	// A doubled consonant before the ending (молоддю, навчання) counts once.
	if n >= 3 && rs[n-1] == rs[n-2] && !strings.ContainsRune(ukVowels, rs[n-1]) {
		rs = rs[:n-1]
		n--
	}
	switch rs[n-1] {
	case 'к':
		rs[n-1] = 'ц'
	case 'г':
		rs[n-1] = 'з'
	case 'х':
		rs[n-1] = 'с'
	}
	return string(rs)
}
