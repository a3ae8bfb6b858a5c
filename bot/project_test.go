package bot_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"partnerbot/storage"
)

// TestNewProjectWizard walks the whole dialogue in Ukrainian, with a title
// too long, a Back step, an unknown town, a Done without a topic and a
// forged town button, and checks the card and what was stored.
func TestNewProjectWizard(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	uk := w.Loc("uk")
	olena := w.user(10001, "uk", "Olena")

	olena.Say("/newproject").Expect(uk.T("project_ask_title"))
	olena.Say(strings.Repeat("я", 121)).Expect(uk.T("step_text_too_long", "Max", 120, "Length", 121), uk.T("project_ask_title"))
	olena.Say("Чиста вода для <Ічні> & сусідів").Expect(uk.T("project_ask_description"))
	olena.Press(uk.Plain("button_back")).Expect(uk.T("project_ask_title"),
		uk.T("step_current", "Value", "Чиста вода для <Ічні> & сусідів"))
	olena.Say("Чиста вода для <Ічні>").Expect(uk.T("project_ask_description"))
	olena.Say("Відновлюємо водогін і шукаємо партнерів.").Expect(uk.T("project_ask_town"))
	olena.Say("Атлантида").Expect(uk.T("step_town_unknown", "Query", "Атлантида"), uk.T("project_ask_town"))
	olena.Say("Itschnja").Expect(uk.T("step_town_pick"))
	olena.PressData("wz:2:999999").Expect(uk.T("step_use_buttons"))
	olena.Press(w.townButton(uk, "Ichnia")).Expect(uk.T("project_ask_partner"))
	olena.Say("Ічня").Press(w.townButton(uk, "Ichnia")).Expect(uk.T("project_partner_same"))
	olena.Say("Grevesmuhlen").Press(w.townButton(uk, "Grevesmühlen")).Expect(uk.T("project_ask_sector"))
	olena.Press(uk.Plain("sector_administration")).Expect(uk.T("project_ask_topics"))
	olena.Press(uk.Plain("step_done")).Expect(uk.T("project_topics_none"))
	olena.Press(uk.Plain("topic_water")).Press(uk.Plain("topic_reconstruction"))
	w.expectButtons(olena.Last(), "✅ "+uk.Plain("topic_water"), "✅ "+uk.Plain("topic_reconstruction"), uk.Plain("topic_youth"))
	olena.Press(uk.Plain("step_done")).Expect(uk.T("project_ask_languages"))
	olena.Say("українська").Expect(uk.T("step_use_buttons"))
	olena.Press(uk.Plain("lang_uk")).Press(uk.Plain("lang_de")).Press(uk.Plain("step_done")).Expect(uk.T("project_ask_contact"))
	card := olena.Press(uk.Plain("project_contact_yes")).Expect(uk.T("project_created", "Title", "Чиста вода для <Ічні>"))

	mine, err := w.Store.ProjectsByOwner(context.Background(), olena.ID())
	if err != nil || len(mine) != 1 {
		t.Fatalf("projects after the dialogue: %v, %v", mine, err)
	}
	p := mine[0]
	want := storage.ProjectFields{Title: "Чиста вода для <Ічні>", Description: "Відновлюємо водогін і шукаємо партнерів.",
		TownID: w.towns["Ichnia"].ID, PartnerTownID: w.towns["Grevesmühlen"].ID, Sector: "administration",
		Topics: []string{"water", "reconstruction"}, Languages: []string{"de", "uk"}, ContactRequests: true}
	got := p.ProjectFields
	if got.Title != want.Title || got.Description != want.Description || got.TownID != want.TownID ||
		got.PartnerTownID != want.PartnerTownID || got.Sector != want.Sector || !got.ContactRequests ||
		!slices.Equal(got.Topics, want.Topics) || !slices.Equal(got.Languages, want.Languages) {
		t.Fatalf("stored %+v\nwant %+v", got, want)
	}
	for _, part := range []string{"Чиста вода для &lt;Ічні&gt;", "Ichnia, Україна", "Grevesmühlen, Німеччина",
		uk.Plain("sector_administration"), uk.Plain("topic_water") + ", " + uk.Plain("topic_reconstruction"),
		uk.Plain("lang_list_uk"), "https://t.me/" + w.TG.BotUser().Username + "?start=p" + p.Code} {
		if !strings.Contains(card.Text, part) {
			t.Errorf("card lacks %q:\n%s", part, card.Text)
		}
	}
	if strings.Contains(card.Text, "user"+"10001") || strings.Contains(card.Text, "tg://") {
		t.Errorf("the card shows contact details:\n%s", card.Text)
	}
}

// TestProjectWizardSurvivesRestart answers half the questions, restarts
// the bot twice (once between typing a town and pressing its button) and
// finishes the dialogue in German.
func TestProjectWizardSurvivesRestart(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	de := w.Loc("de")
	jonas := w.user(10101, "de", "Jonas")
	jonas.Say("/newproject").Say("Feuerwehrpartnerschaft").Say("Wir tauschen Ausrüstung und Erfahrung aus.")
	jonas.Expect(de.T("project_ask_town"))
	w.Restart()
	jonas.Say("Grevesmühlen").Expect(de.T("step_town_pick"))
	w.Restart()
	jonas.Press(w.townButton(de, "Grevesmühlen")).Expect(de.T("project_ask_partner"))
	jonas.Press(de.Plain("step_skip")).Expect(de.T("project_ask_sector"))
	jonas.Press(de.Plain("sector_administration")).Press(de.Plain("topic_youth")).Press(de.Plain("step_done"))
	jonas.Press(de.Plain("lang_de")).Press(de.Plain("step_done"))
	jonas.Press(de.Plain("project_contact_no")).Expect(de.T("project_created", "Title", "Feuerwehrpartnerschaft"),
		de.Plain("project_contact_closed"))
	mine, err := w.Store.ProjectsByOwner(context.Background(), jonas.ID())
	if err != nil || len(mine) != 1 || mine[0].PartnerTown.ID != 0 || mine[0].ContactRequests {
		t.Fatalf("projects after the restarts: %+v, %v", mine, err)
	}
}

// TestWizardCancel leaves the dialogue at a later step: nothing is stored.
func TestWizardCancel(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	sv := w.Loc("sv")
	astrid := w.user(10201, "sv", "Astrid")
	astrid.Say("/newproject").Say("Sommarläger").Say("Läger för ungdomar vid sjön.").Say("Laxa")
	astrid.Press(w.townButton(sv, "Laxå")).Press(sv.Plain("button_cancel")).Expect(sv.T("flow_cancelled"))
	astrid.Say("Grevesmühlen").Expect(sv.T("free_text"))
	if mine, _ := w.Store.ProjectsByOwner(context.Background(), astrid.ID()); len(mine) != 0 {
		t.Fatalf("a cancelled dialogue stored %+v", mine)
	}
}

// TestEditArchiveAndDeleteProject edits two fields with the dialogue's own
// questions, archives and reactivates, and deletes, in French.
func TestEditArchiveAndDeleteProject(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	fr := w.Loc("fr")
	camille := w.user(10301, "fr", "Camille")
	p := w.project(camille, "Chorale franco-ukrainienne", "Laxå")
	searcher := w.user(10302, "en", "Sam")

	camille.Say("/myprojects").Expect(fr.N("myprojects_count", 1))
	camille.Press(fr.Plain("list_button", "N", 1, "Title", p.Title)).Expect("<b>Chorale franco-ukrainienne</b>")
	camille.Press(fr.Plain("project_button_edit")).Expect(fr.T("project_edit_which", "Title", p.Title))
	camille.Press(fr.Plain("project_field_title")).Expect(fr.T("project_ask_title"), fr.T("step_current", "Value", p.Title))
	camille.Say("").Expect(fr.T("step_text_empty"))
	camille.Say("Chorale de Laxå").Expect(fr.T("project_saved", "Title", "Chorale de Laxå"))
	if got := w.reload(p); got.Title != "Chorale de Laxå" || got.Description != p.Description {
		t.Fatalf("after editing the title: %+v", got)
	}

	camille.Press(fr.Plain("project_button_edit")).Press(fr.Plain("project_field_topics")).Expect(fr.T("project_ask_topics"))
	camille.Press("✅ " + fr.Plain("topic_culture")).Press(fr.Plain("step_done")).Expect(fr.T("project_topics_none"))
	camille.Press(fr.Plain("topic_youth")).Press(fr.Plain("step_done")).Expect(fr.T("project_saved", "Title", "Chorale de Laxå"))
	if got := w.reload(p); !slices.Equal(got.Topics, []string{"youth"}) {
		t.Fatalf("topics after editing: %v", got.Topics)
	}

	camille.Press(fr.Plain("project_button_archive")).Expect(fr.T("project_archived", "Title", "Chorale de Laxå"))
	searcher.Say("/find Chorale").Expect(w.Loc("en").T("find_nothing"))
	camille.Press(fr.Plain("project_button_unarchive")).Expect(fr.T("project_unarchived", "Title", "Chorale de Laxå"))
	searcher.Say("/find Chorale").Expect(w.Loc("en").N("find_found", 1))

	camille.Press(fr.Plain("project_button_delete")).Expect(fr.T("project_delete_confirm", "Title", "Chorale de Laxå"))
	camille.Press(fr.Plain("project_delete_no")).Expect("<b>Chorale de Laxå</b>")
	camille.Press(fr.Plain("project_button_delete")).Press(fr.Plain("project_delete_yes")).
		Expect(fr.T("project_deleted", "Title", "Chorale de Laxå"))
	if _, err := w.Store.ProjectByCode(context.Background(), p.Code); err == nil {
		t.Fatal("the project is still there after deleting it")
	}
	camille.Say("/myprojects").Expect(fr.T("myprojects_none"))
}

// TestForgedOwnerCallbacksRefused: another user forging every owner
// action on someone else's project is refused and changes nothing.
func TestForgedOwnerCallbacksRefused(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	owner := w.user(10401, "de", "Greta")
	mallory := w.user(10402, "uk", "Mallory")
	p := w.project(owner, "Partnerschaftsfest", "Grevesmühlen")
	refused := w.Loc("uk").Plain("project_not_yours_or_gone")
	for _, data := range []string{"pj:e:" + p.Code, "pj:e:" + p.Code + ":title", "pj:a:" + p.Code + ":1",
		"pj:d:" + p.Code, "pj:dy:" + p.Code} {
		mallory.PressData(data)
		w.expectAlert(mallory, refused)
	}
	for _, data := range []string{"pj:dy:nonsense", "pj:zz:" + p.Code, "pj:v:" + p.Code + ":x:y", "pj:e:" + strings.ToUpper(p.Code)} {
		mallory.PressData(data)
		w.expectAlert(mallory, w.Loc("uk").Plain("callback_invalid"))
	}
	if got := w.reload(p); got.Title != p.Title || got.Archived || got.Hidden {
		t.Fatalf("forged callbacks changed the project: %+v", got)
	}
	// The forged edit did not open a dialogue either.
	mallory.Say("Gestohlen").Expect(w.Loc("uk").T("free_text"))
	if got := w.reload(p); got.Title != p.Title {
		t.Fatalf("title changed to %q", got.Title)
	}
	// A stale edit dialogue of a project that changed hands cannot save:
	// the owner's own edit still works.
	owner.PressData("pj:e:" + p.Code + ":title")
	owner.Say("Sommerfest").Expect(w.Loc("de").T("project_saved", "Title", "Sommerfest"))
}

// TestDeepLinkAsksTheLanguageFirst: someone whose client language the bot
// does not speak opens a shared project link; they choose a language and
// then see the card in it.
func TestDeepLinkAsksTheLanguageFirst(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	owner := w.user(10901, "de", "Greta")
	p := w.project(owner, "Schüleraustausch", "Grevesmühlen")
	visitor := w.User(10902, "pl", "Marek")
	visitor.Say("/start p" + p.Code).Expect(w.Loc("uk").T("language_prompt"))
	visitor.ExpectNot("Schüleraustausch")
	visitor.Press("Svenska").Expect("Schüleraustausch", w.Loc("sv").Plain("sector_civil_society"))
	// A forged payload on the picker opens nothing.
	visitor.PressData("lang:sv:pXXXXXXXXXX").ExpectNot("Schüleraustausch")
}
