package stem

import "testing"

// TestForms: the forms of one word share one stem; forms of different
// words do not.
func TestForms(t *testing.T) {
	same := map[string][][]string{
		"uk": {
			{"молодь", "молоді", "молоддю"},
			{"молодіжний", "молодіжного", "молодіжної", "молодіжні", "молодіжних", "молодіжному", "молодіжним"},
			{"школа", "школи", "школу", "школою", "школі", "школам", "школах", "школами"},
			{"футбол", "футболу", "футболом", "футболі"},
			{"футбольний", "футбольного", "футбольна", "футбольної", "футбольні", "футбольних"},
			{"бібліотека", "бібліотеки", "бібліотеці", "бібліотекою", "бібліотек"},
			{"допомога", "допомоги", "допомозі", "допомогою"},
			// Plural and genitive in -ти of stems in -т: no infinitive
			// ending is cut from them.
			{"освіта", "освіти", "освіту", "освітою"},
			{"студент", "студенти", "студентів", "студентам"},
			{"концерт", "концерти", "концертів"},
			{"садочок", "садочка", "садочку", "садочки", "садочків"},
			{"лікарня", "лікарні", "лікарню", "лікарнею", "лікарням"},
			{"пожежна", "пожежної", "пожежну", "пожежній"},
			{"обмін", "обміну", "обміном"},
			{"партнер", "партнери", "партнерів", "партнерам", "партнерами"},
			{"музей", "музеї", "музеїв", "музеях"},
			{"гурток", "гуртка", "гуртки", "гуртків"},
			{"митець", "митця", "митці"},
			{"здоров’я", "здоров'я", "здоровʼя"},
			{"навчання", "навчанні", "навчанням"},
			{"відбудова", "відбудови", "відбудові", "відбудову", "відбудовою"},
			{"мова", "мови", "мові", "мовою"},
			{"інвестиція", "інвестиції", "інвестицій", "інвестицію", "інвестиціями"},
			{"історія", "історії", "історій", "історію"},
		},
		"pl": {
			{"szkoła", "szkoły", "szkole", "szkołę", "szkołą", "szkołach"},
			{"młodzież", "młodzieży", "młodzieżą"},
			{"woda", "wody", "wodzie", "wodę", "wodą"},
			{"teatr", "teatru", "teatrze", "teatry", "teatrów"},
			{"sport", "sportu", "sporcie", "sportem"},
			{"szpital", "szpitala", "szpitalu", "szpitale", "szpitali", "szpitalach"},
			{"pożarna", "pożarnej", "pożarną", "pożarny", "pożarnych"},
			{"kultura", "kultury", "kulturze", "kulturą"},
			{"wymiana", "wymiany", "wymianie", "wymianę"},
			{"odbudowa", "odbudowy", "odbudowie", "odbudowę"},
			{"ogrzewanie", "ogrzewania", "ogrzewaniu", "ogrzewaniem"},
			{"historia", "historii", "historię", "historią"},
		},
		"de": {
			{"schule", "schulen"},
			{"fußball", "fussball", "fußballs"},
			{"feuerwehr", "feuerwehren"},
			{"krankenhaus", "krankenhauses"},
			{"austausch", "austausches"},
		},
		"fr": {
			{"école", "écoles"},
			{"pompier", "pompiers"},
			{"jeunesse", "jeunesses"},
			{"hôpital", "hôpitaux"},
		},
		"sv": {
			{"skola", "skolan", "skolor", "skolorna"},
			{"fotboll", "fotbollen"},
			{"ungdom", "ungdomar", "ungdomarna"},
			{"utbyte", "utbytet", "utbyten"},
			{"projekt", "projektet"},
		},
		"en": {
			{"school", "schools"},
			{"hospital", "hospitals"},
			{"volunteer", "volunteers", "volunteering"},
		},
	}
	for lang, groups := range same {
		for _, g := range groups {
			want := Stem(lang, g[0])
			for _, w := range g[1:] {
				if got := Stem(lang, w); got != want {
					t.Errorf("%s: Stem(%q) = %q, Stem(%q) = %q", lang, g[0], want, w, got)
				}
			}
		}
	}
	different := map[string][][2]string{
		"uk": {{"школа", "шкода"}, {"вода", "воля"}, {"мир", "міст"}, {"хор", "хата"}},
		"pl": {{"szkoła", "szkoda"}, {"woda", "wola"}, {"sport", "spór"}},
	}
	for lang, pairs := range different {
		for _, p := range pairs {
			if Stem(lang, p[0]) == Stem(lang, p[1]) {
				t.Errorf("%s: %q and %q share the stem %q", lang, p[0], p[1], Stem(lang, p[0]))
			}
		}
	}
}

func TestShortWordsStay(t *testing.T) {
	for _, tt := range [][3]string{{"uk", "я", "я"}, {"uk", "ми", "ми"}, {"pl", "dom", "dom"}, {"uk", "", ""}, {"pl", "", ""}} {
		if got := Stem(tt[0], tt[1]); got != tt[2] {
			t.Errorf("Stem(%s, %q) = %q, want %q", tt[0], tt[1], got, tt[2])
		}
	}
}

func FuzzStem(f *testing.F) {
	for _, s := range []string{"молодь", "szkoła", "Fußball", "ї", "ся", "ok", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range Languages {
			_ = Stem(l, s)
		}
	})
}
