package bot_test

import (
	"testing"
	"time"

	"partnerbot/internal/bottest"
	"partnerbot/locales"
)

// TestProjectNewsToFollowers: Jonas (German) sends news from his project's
// card to its followers, after an invalid-markup retry. Olena (uk) and
// Claire (fr) get it with the heading in their language; Sara (sv), who
// switched project news off in /settings, and Emma, who follows nothing,
// do not. A second news the same day is refused; a follower pressing a
// forged news button of Jonas's project is refused.
func TestProjectNewsToFollowers(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	jonas := w.user(40, "de", "Jonas")
	olena := w.user(41, "uk", "Olena")
	claire := w.user(42, "fr", "Claire")
	sara := w.user(43, "sv", "Sara")
	emma := w.user(44, "en", "Emma")
	p := w.project(jonas, "Jugendchor", "Grevesmühlen")
	de, uk, fr, sv := w.Loc("de"), w.Loc("uk"), w.Loc("fr"), w.Loc("sv")
	olena.Say("/start p" + p.Code).Press(uk.Plain("project_button_follow"))
	claire.Say("/start p" + p.Code).Press(fr.Plain("project_button_follow"))
	sara.Say("/start p" + p.Code).Press(sv.Plain("project_button_follow"))
	sara.Say("/settings").Press(sv.Plain("settings_kind_switch_off", "Kind", sv.Plain("settings_kind_project_news")))

	jonas.Say("/start p" + p.Code).Press(de.Plain("project_button_news")).Expect(de.T("news_ask_text"))
	jonas.Say("<b>Konzert am Samstag").Expect(de.T("bc_html_invalid", "Reason", locales.HTML(de.T("bc_html_unclosed", "Tag", "b"))))
	jonas.Say("<b>Konzert</b> am Samstag in Ichnia!").Expect(de.N("news_sent", 2, "Title", "Jugendchor"))

	waitForMessage(t, w.Env, olena.ID(), uk.T("news_head", "Title", "Jugendchor"), "<b>Konzert</b> am Samstag in Ichnia!")
	waitForMessage(t, w.Env, claire.ID(), fr.T("news_head", "Title", "Jugendchor"), "<b>Konzert</b> am Samstag in Ichnia!")
	time.Sleep(500 * time.Millisecond)
	for _, u := range []*bottest.User{sara, emma} {
		if n := copiesOf(w, u.ID(), "Konzert"); n != 0 {
			t.Errorf("%s got the news %d times", u.TG.FirstName, n)
		}
	}
	if n := copiesOf(w, olena.ID(), "Konzert"); n != 1 {
		t.Errorf("Olena got the news %d times, want once", n)
	}

	jonas.Say("/start p" + p.Code).Press(de.Plain("project_button_news"))
	jonas.Say("Noch etwas").Expect(de.T("news_too_soon", "Title", "Jugendchor"))

	// A follower forges the owner's news button.
	olena.PressData("pj:n:" + p.Code)
	w.expectAlert(olena, uk.Plain("project_not_yours_or_gone"))
}
