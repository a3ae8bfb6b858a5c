package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"partnerbot/storage"
)

// TestFindAcrossScriptsAndSpellings: /find with a town in Cyrillic, in
// transliteration, without accents, with a typo (offered as a town to
// search in), with free text beside it, and free text in Cyrillic.
func TestFindAcrossScriptsAndSpellings(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	sv := w.Loc("sv")
	owner := w.user(11001, "uk", "Oksana")
	water := w.project(owner, "Чиста вода для Ічні", "Ichnia", func(p *storage.ProjectFields) {
		p.Description, p.Topics = "Відновлюємо водогін. Water supply for the hospital.", []string{"water"}
	})
	choir := w.project(owner, "Хор Ічні", "Ichnia", func(p *storage.ProjectFields) { p.Description = "Співаємо разом." })
	fire := w.project(owner, "Feuerwehr Grevesmühlen", "Grevesmühlen", func(p *storage.ProjectFields) {
		p.Description, p.PartnerTownID = "Water rescue training with Ichnia.", w.towns["Ichnia"].ID
	})
	lake := w.project(owner, "Sommarläger", "Laxå", func(p *storage.ProjectFields) { p.Description = "Vatten och sport." })
	astrid := w.user(11002, "sv", "Astrid")

	tests := []struct {
		query string
		found []storage.Project
		not   []storage.Project
	}{
		{"Ічня", []storage.Project{water, choir, fire}, []storage.Project{lake}},
		{"Itschnja", []storage.Project{water, choir, fire}, []storage.Project{lake}},
		{"Ichnia", []storage.Project{water, choir, fire}, []storage.Project{lake}},
		{"Grevesmuhlen", []storage.Project{fire}, []storage.Project{water, choir, lake}},
		{"grevesmuehlen", []storage.Project{fire}, []storage.Project{water, choir, lake}},
		// Not a town name (a typo), but the title has the word.
		{"Grevesmülen", []storage.Project{fire}, []storage.Project{water, choir, lake}},
		{"Laxa", []storage.Project{lake}, []storage.Project{water, choir, fire}},
		{"water Ichnia", []storage.Project{water, fire}, []storage.Project{choir, lake}},
		{"Ichnia water", []storage.Project{water, fire}, []storage.Project{choir, lake}},
		{"водогін", []storage.Project{water}, []storage.Project{choir, fire, lake}},
		{"vodohin", []storage.Project{water}, []storage.Project{choir, fire, lake}},
		{"vatten Laxå", []storage.Project{lake}, []storage.Project{water, choir, fire}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			astrid.Say("/find " + tt.query)
			m := astrid.Expect(sv.N("find_found", len(tt.found)))
			for _, p := range tt.found {
				if !strings.Contains(m.Text, p.Title) {
					t.Errorf("/find %s misses %q:\n%s", tt.query, p.Title, m.Text)
				}
			}
			for _, p := range tt.not {
				if strings.Contains(m.Text, p.Title) {
					t.Errorf("/find %s shows %q:\n%s", tt.query, p.Title, m.Text)
				}
			}
		})
	}

	// The town and the words are told apart: the filters say which is which.
	astrid.Say("/find water Itschnja").Expect(sv.T("find_filter_town", "Value", "Ichnia"), sv.T("find_filter_text", "Value", "water"))

	// A typo in a town's name that no project text has either finds
	// nothing, and offers the town.
	astrid.Say("/find Laxo").Expect(sv.T("find_nothing"), sv.T("find_did_you_mean"))
	astrid.Press(sv.Plain("find_button_suggested_town", "Town", w.townButton(sv, "Laxå"))).
		Expect(sv.N("find_found", 1), lake.Title, sv.T("find_filter_town", "Value", "Laxå"))

	// Results never show contact details.
	astrid.Say("/find Ichnia")
	for _, m := range astrid.Replies() {
		if strings.Contains(m.Text, "tg://") || strings.Contains(m.Text, "@user") {
			t.Fatalf("search results show contact details:\n%s", m.Text)
		}
	}
}

// TestFindFiltersAndPages uses the filter panel (text prompt, sector,
// topic, language, country, town) and pages through 12 results.
func TestFindFiltersAndPages(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	en := w.Loc("en")
	owner := w.user(11101, "de", "Greta")
	for i := range 12 {
		w.project(owner, fmt.Sprintf("Exchange %02d", i+1), "Grevesmühlen", func(p *storage.ProjectFields) {
			p.Description = "School exchange"
			if i%3 == 0 {
				p.Sector, p.Topics, p.Languages = "business", []string{"energy"}, []string{"pl"}
			}
		})
	}
	w.project(owner, "Solar school", "Ichnia", func(p *storage.ProjectFields) {
		p.Sector, p.Topics, p.Languages = "business", []string{"energy"}, []string{"uk"}
	})
	sam := w.user(11102, "en", "Sam")

	sam.Say("/find").Expect(en.T("find_filters_title"), en.T("find_filter_text", "Value", en.Plain("find_any")))
	sam.Press(en.Plain("find_button_show")).Expect(en.N("find_found", 13), en.T("find_page", "Page", 1, "Pages", 3))
	sam.Press(en.Plain("find_button_next")).Expect(en.T("find_page", "Page", 2, "Pages", 3), "7. <b>")
	sam.Press(en.Plain("find_button_next")).Expect(en.T("find_page", "Page", 3, "Pages", 3), "13. <b>")
	if page3 := sam.Last(); strings.Contains(page3.Text, "14.") {
		t.Fatalf("page 3 shows more than 13 results:\n%s", page3.Text)
	}
	sam.Press(en.Plain("find_button_prev")).Expect(en.T("find_page", "Page", 2, "Pages", 3))
	sam.Press(en.Plain("find_button_filters")).Expect(en.T("find_filters_title"))

	sam.Press(en.Plain("find_button_sector")).Expect(en.T("find_ask_sector"))
	sam.Press(en.Plain("sector_business")).Expect(en.T("find_filter_sector", "Value", en.Plain("sector_business")))
	sam.Press(en.Plain("find_button_topic")).Press(en.Plain("topic_energy"))
	sam.Press(en.Plain("find_button_show")).Expect(en.N("find_found", 5))
	sam.Press(en.Plain("find_button_filters")).Press(en.Plain("find_button_language")).Press(en.Plain("lang_uk"))
	sam.Press(en.Plain("find_button_show")).Expect(en.N("find_found", 1), "Solar school")
	sam.Press(en.Plain("find_button_filters")).Press(en.Plain("find_button_language")).Press(en.Plain("find_button_any"))
	sam.Press(en.Plain("find_button_country")).Expect(en.T("find_ask_country"))
	sam.Press(en.Country("DE")).Press(en.Plain("find_button_show")).Expect(en.N("find_found", 4))

	sam.Press(en.Plain("find_button_filters")).Press(en.Plain("find_button_clear"))
	sam.Press(en.Plain("find_button_text")).Expect(en.T("find_ask_text"))
	sam.Say(strings.Repeat("x", 201)).Expect(en.T("step_text_too_long", "Max", 200, "Length", 201))
	sam.Say("solar").Expect(en.N("find_found", 1), "Solar school", en.T("find_filter_text", "Value", "solar"))
	sam.Press(en.Plain("find_button_filters")).Press(en.Plain("find_button_text")).Say("exchange")
	sam.Press(en.Plain("find_button_filters")).Press(en.Plain("find_button_town")).Expect(en.T("find_ask_town"))
	sam.Say("Ічня").Press(w.townButton(en, "Ichnia")).Expect(en.T("find_nothing"))
	sam.Press(en.Plain("find_button_filters")).Press(en.Plain("find_button_town")).Say("Grevesmuehlen")
	sam.Press(w.townButton(en, "Grevesmühlen")).Expect(en.N("find_found", 12))

	// Someone else's search, or a page out of range, is refused.
	other := w.user(11103, "en", "Eve")
	var searchID string
	for _, row := range sam.Last().Buttons() {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, "fd:") {
				searchID = strings.Split(b.CallbackData, ":")[1]
			}
		}
	}
	for _, data := range []string{"fd:" + searchID + ":p:1", "fd:" + searchID + ":f", "fd:" + searchID + ":s:business"} {
		other.PressData(data)
		w.expectAlert(other, en.Plain("callback_invalid"))
	}
	for _, data := range []string{"fd:" + searchID + ":p:-1", "fd:" + searchID + ":p:99999", "fd:" + searchID + ":s:army",
		"fd:" + searchID + ":c:XX", "fd:x:p:1", "fd:" + searchID + ":w:1:9"} {
		sam.PressData(data)
		w.expectAlert(sam, en.Plain("callback_invalid"))
	}
}
