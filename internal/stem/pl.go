package stem

import "strings"

// plEndings are the inflectional endings of Polish nouns and adjectives
// that Polish strips, longest first wins. The plural -owie (panowie) is
// left out: it would cut odbudowie (of odbudowa) to odbud.
var plEndings = []string{
	"ami", "ach", "ego", "emu", "ymi", "imi", "ych", "ich", "ów", "om", "ym", "im", "ej", "ie", "em",
	// nouns in -ia, -ie (ogrzewanie, ogrzewania, ogrzewaniu, historia, historii)
	"iami", "iach", "iom", "iem", "ią", "ię", "ia", "iu", "ii",
	"ą", "ę", "a", "e", "i", "y", "o", "u",
}

const plVowels = "aąeęioóuy"

// Polish returns the stem of a lower-case Polish word: one inflectional
// ending removed, and the consonant changes before -e/-ie of the locative
// levelled at the end of the stem, so that the cases of one word meet:
// rz becomes r (teatr, teatrze), dz becomes d (woda, wodzie), c becomes t
// (sport, sporcie) and ł becomes l (szkoła, szkole).
func Polish(word string) string {
	if runeLen(word) < 4 {
		return word
	}
	if s, ok := stripLongest(word, plEndings, 3); ok && hasVowel(s, plVowels) {
		word = s
	}
	for _, alt := range [][2]string{{"rz", "r"}, {"dz", "d"}, {"c", "t"}, {"ł", "l"}} {
		if s, ok := strings.CutSuffix(word, alt[0]); ok && !strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "d") {
			return s + alt[1]
		}
	}
	return word
}
