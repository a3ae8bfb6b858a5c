package bot_test

import (
	"strings"
	"testing"

	"partnerbot/internal/bottest"
	"partnerbot/storage"
)

// TestFindAcrossLanguages: volunteers search in their own language (the
// one they speak with the bot) and find projects written in another one,
// by what the words mean: concepts in base, inflected and compound forms,
// and topic names. A project about something else is not found.
func TestFindAcrossLanguages(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	greta := w.user(12001, "de", "Greta")
	oksana := w.user(12002, "uk", "Oksana")
	astrid := w.user(12003, "sv", "Astrid")

	football := w.project(greta, "Jugend-Fußballaustausch Grevesmühlen–Ichnia", "Grevesmühlen", func(p *storage.ProjectFields) {
		p.Description = "Jugendliche aus beiden Städten trainieren gemeinsam und spielen im Sommer ein Turnier."
		p.Topics = []string{"youth", "sport"}
	})
	fire := w.project(oksana, "Пожежна команда Ічні шукає партнерів", "Ichnia", func(p *storage.ProjectFields) {
		p.Description = "Пожежники обмінюються досвідом і навчають рятувальників. Потрібне спорядження."
	})
	water := w.project(astrid, "Vattenförsörjning för sjukhuset", "Laxå", func(p *storage.ProjectFields) {
		p.Description = "Vi bygger om vattenledningen till sjukhuset tillsammans med vänorten."
		p.Topics = []string{"water", "health"}
	})
	choir := w.project(greta, "Chorale franco-ukrainienne", "Grevesmühlen", func(p *storage.ProjectFields) {
		p.Description = "Une chorale d’adultes prépare un concert de musique traditionnelle."
		p.Topics = []string{"culture"}
	})
	school := w.project(oksana, "School partnership on renewable energy", "Ichnia", func(p *storage.ProjectFields) {
		p.Description = "Pupils of two schools build solar panels for their classrooms."
		p.Topics = []string{"education", "energy"}
	})
	all := []storage.Project{football, fire, water, choir, school}

	// Each reader's words, by language, and the projects they must find
	// (the others must not show).
	readers := map[string]*bottest.User{
		"uk": w.user(12011, "uk", "Taras"), "fr": w.user(12012, "fr", "Camille"), "sv": w.user(12013, "sv", "Lars"),
		"en": w.user(12014, "en", "Sam"), "de": w.user(12015, "de", "Jonas"),
	}
	tests := []struct {
		lang    string
		queries []string
		found   storage.Project
	}{
		// Ukrainian: base and inflected forms, adjectives, topic names.
		{"uk", []string{"футбол", "футболу", "молодь", "молоді", "молодіжний", "спорт", "молодіжний футбол",
			"футбол для молоді"}, football},
		{"uk", []string{"лікарня", "лікарні", "водопостачання"}, water},
		{"uk", []string{"хор", "музика"}, choir},
		{"uk", []string{"школа", "школи", "енергетика", "школою", "учнів"}, school},
		{"fr", []string{"football", "jeunesse", "jeunes", "sport", "football des jeunes"}, football},
		{"fr", []string{"pompiers", "sapeurs-pompiers"}, fire},
		{"fr", []string{"hôpital", "eau"}, water},
		{"fr", []string{"école", "écoles"}, school},
		// Swedish, with compounds and definite forms.
		{"sv", []string{"fotboll", "ungdom", "ungdomar", "fotbollslag", "ungdomsfotboll"}, football},
		{"sv", []string{"brandkår", "räddningstjänsten"}, fire},
		{"sv", []string{"kör", "musik"}, choir},
		{"sv", []string{"skola", "skolor"}, school},
		{"en", []string{"football", "soccer", "youth", "young", "sports", "football for the youth"}, football},
		{"en", []string{"firefighters", "fire brigade"}, fire},
		{"en", []string{"hospital", "water supply"}, water},
		{"en", []string{"choir", "singers", "music"}, choir},
		// German, for the projects written in other languages.
		{"de", []string{"Feuerwehr", "Feuerwehrleute"}, fire},
		{"de", []string{"Krankenhaus", "Wasserversorgung", "Wasser für das Krankenhaus"}, water},
		{"de", []string{"Chor", "Chöre"}, choir},
		{"de", []string{"Schulen", "Schulpartnerschaft"}, school},
	}
	for _, tt := range tests {
		u, l := readers[tt.lang], w.Loc(tt.lang)
		for _, q := range tt.queries {
			// Every query is checked, so that one failure shows all.
			m := u.Say("/find " + q).Last()
			if !strings.Contains(m.Text, l.N("find_found", 1)) {
				t.Errorf("/find %s (%s reader): want 1 project, %q:\n%s", q, tt.lang, tt.found.Title, m.Text)
				continue
			}
			for _, p := range all {
				if got, want := strings.Contains(m.Text, p.Title), p.ID == tt.found.ID; got != want {
					t.Errorf("/find %s (%s reader): shows %q = %v, want %v:\n%s", q, tt.lang, p.Title, got, want, m.Text)
				}
			}
		}
	}
}
