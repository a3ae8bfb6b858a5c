package bot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"partnerbot/internal/bottest"
	"partnerbot/internal/faketelegram"
	"partnerbot/locales"
	"partnerbot/storage"
)

// networkGroupInsteadOfResidents starts u's broadcast to the whole network
// and picks the group labelled group instead of the residents.
func networkGroupInsteadOfResidents(u *bottest.User, l *locales.Localizer, group string) {
	u.Say("/broadcast").Press(l.Plain("bc_place_network"))
	u.Press(l.Plain("step_done")).Expect(l.T("bc_ask_groups"))
	u.Press("✅ " + l.Plain("bc_group_residents"))
	u.Press(l.Plain(group))
}

// sendWithoutExtras takes u from the versions step to sending now, with no
// links, attachment or deadline.
func sendWithoutExtras(u *bottest.User, l *locales.Localizer) {
	u.Press(l.Plain("bc_continue"))
	u.Press(l.Plain("bc_no_links"))
	u.Press(l.Plain("bc_no_media"))
	u.Press(l.Plain("bc_no_deadline"))
	u.Press(l.Plain("bc_send_now"))
}

// TestBroadcastToFollowersOfChosenProjects: Anna (German, coordinator for
// Grevesmühlen) addresses the followers of one project of her network.
// The projects offered are those of her network with followers, with
// their counts; a project outside the network is not offered, and the
// storage refuses its followers to her as well. The counts per language
// follow her choice; only that project's followers get the announcement.
func TestBroadcastToFollowersOfChosenProjects(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	anna := w.user(3, "de", "Anna")
	w.grantCoordinator(anna, "Grevesmühlen")
	jonas := w.resident(40, "de", "Jonas", "Grevesmühlen")
	sara := w.resident(41, "sv", "Sara", "Laxå")
	petro := w.resident(42, "uk", "Petro", "Zhytomyr")
	claire := w.resident(43, "fr", "Claire", "Laxå")
	taras := w.resident(44, "uk", "Taras", "Ichnia")
	emma := w.resident(45, "en", "Emma", "Grevesmühlen")
	choir := w.project(jonas, "Jugendchor", "Grevesmühlen")
	cycle := w.project(sara, "Radweg Laxå", "Laxå")
	outside := w.project(petro, "Zhytomyr Makerspace", "Zhytomyr")
	for _, f := range []struct {
		u *bottest.User
		p storage.Project
	}{{claire, choir}, {taras, choir}, {taras, cycle}, {emma, cycle}, {jonas, outside}} {
		if err := w.Store.SetFollowing(ctx, f.u.ID(), f.p.ID, true); err != nil {
			t.Fatal(err)
		}
	}

	de := w.Loc("de")
	networkGroupInsteadOfResidents(anna, de, "bc_group_followers")
	anna.Press(de.Plain("step_done"))
	q := anna.Expect(de.T("bc_ask_projects"))
	w.expectButtons(q, de.Plain("bc_project_choice", "Title", "Jugendchor", "Count", 2),
		de.Plain("bc_project_choice", "Title", "Radweg Laxå", "Count", 2))
	for _, l := range buttonLabels(q) {
		if containsEvery(l, []string{"Zhytomyr"}) {
			t.Errorf("a project outside the network is offered: %q", l)
		}
	}
	anna.Press(de.Plain("step_done")).Expect(de.T("bc_projects_pick"))
	anna.Press(de.Plain("bc_project_choice", "Title", "Jugendchor", "Count", 2))
	anna.Expect(de.N("bc_counts", 2), de.Plain("lang_list_uk")+" 1 · "+de.Plain("lang_list_fr")+" 1")
	anna.Press(de.Plain("step_done")).Expect(de.T("bc_ask_sectors"))
	anna.Press(de.Plain("step_done"))
	anna.Press(de.Plain("step_done"))
	anna.Say("Der <b>Jugendchor</b> sucht Gastfamilien")
	sendWithoutExtras(anna, de)
	anna.WaitFor(de.T("bc_status_sent", "Sent", 2, "Total", 2))
	waitForMessage(t, w.Env, claire.ID(), "Der <b>Jugendchor</b> sucht Gastfamilien")
	waitForMessage(t, w.Env, taras.ID(), "Der <b>Jugendchor</b> sucht Gastfamilien")
	for _, u := range []*bottest.User{jonas, sara, petro, emma} {
		if n := copiesOf(w, u.ID(), "Gastfamilien"); n != 0 {
			t.Errorf("%s, no follower of the choir, got it %d times", u.TG.FirstName, n)
		}
	}

	// Forged past the wizard: the followers of a project outside her
	// network are not hers to address.
	rs, err := w.Store.ResolveAudience(ctx, storage.Audience{Place: storage.PlaceNetwork, Groups: []string{storage.GroupFollowers},
		Projects: []int64{outside.ID}}, storage.Sender{UserID: anna.ID()}, storage.Exclusions{Kind: storage.KindAnnouncements})
	if err != nil || len(rs) != 0 {
		t.Errorf("followers of a project outside the network: %v, %v", rs, err)
	}
}

// youthGroup adds the bot to a group that admin created and registers it
// as a youth group of town in lang on topics (the registration dialogue
// is group_test's).
func (w *broadcastWorld) youthGroup(admin *bottest.User, chatID int64, title, lang, town string, topics ...string) models.Chat {
	w.t.Helper()
	if topics == nil {
		topics = []string{}
	}
	g := models.Chat{ID: chatID, Type: models.ChatTypeSupergroup, Title: title}
	w.TG.SetChatMember(g, admin.TG, faketelegram.StatusCreator, faketelegram.Rights{})
	w.WaitHandled(w.TG.SetBotStatus(g, admin.TG, faketelegram.StatusMember, faketelegram.Rights{}))
	if err := w.Store.RegisterYouthGroup(context.Background(), storage.YouthGroup{ChatID: chatID, Language: lang,
		Town: storage.TownRef{ID: w.towns[town].ID}, AgeMin: 12, AgeMax: 18, Topics: topics}); err != nil {
		w.t.Fatal(err)
	}
	return g
}

// TestBroadcastToYouthGroups: Anna (German, coordinator for Grevesmühlen)
// addresses the youth groups of her network, not its residents. The
// counts are per group language; the German group gets her German
// version, the Ukrainian one her Ukrainian version, without the buttons
// a person has (mute, remind); a group that switched broadcasts off and
// one outside her network get nothing, nor do residents. Her correction
// edits the German group's copy. Youth groups of a town outside her
// network are refused to her by the storage.
func TestBroadcastToYouthGroups(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	anna := w.user(3, "de", "Anna")
	w.grantCoordinator(anna, "Grevesmühlen")
	jonas := w.resident(40, "de", "Jonas", "Grevesmühlen")
	gDE := w.youthGroup(jonas, -1009001, "Jugendrat Grevesmühlen", "de", "Grevesmühlen")
	gUK := w.youthGroup(jonas, -1009002, "Молодіжна рада Ічні", "uk", "Ichnia", "culture")
	gSV := w.youthGroup(jonas, -1009003, "Ungdomsrådet Laxå", "sv", "Laxå")
	gOut := w.youthGroup(jonas, -1009004, "Youth Zhytomyr", "uk", "Zhytomyr")
	if err := w.Store.SetYouthReceives(ctx, gSV.ID, storage.YouthReceiveBroadcasts, false); err != nil {
		t.Fatal(err)
	}

	de := w.Loc("de")
	networkGroupInsteadOfResidents(anna, de, "bc_group_youth_groups")
	anna.Expect(de.N("bc_counts", 2), de.Plain("lang_list_de")+" 1 · "+de.Plain("lang_list_uk")+" 1")
	anna.Press(de.Plain("step_done")).Expect(de.T("bc_ask_sectors"))
	anna.Press(de.Plain("step_done"))
	anna.Press(de.Plain("step_done"))
	anna.Say("<b>Jugendaustausch</b> im Sommer")
	anna.Press(de.Plain("lang_uk"))
	anna.Say("<b>Молодіжний обмін</b> улітку")
	sendWithoutExtras(anna, de)
	anna.WaitFor(de.T("bc_status_sent", "Sent", 2, "Total", 2))
	waitForMessage(t, w.Env, gDE.ID, "<b>Jugendaustausch</b> im Sommer")
	waitForMessage(t, w.Env, gUK.ID, "<b>Молодіжний обмін</b> улітку")
	for _, g := range []models.Chat{gDE, gUK} {
		for _, m := range w.TG.Messages(g.ID) {
			if containsEvery(m.Text, []string{"Jugendaustausch"}) || containsEvery(m.Text, []string{"Молодіжний обмін"}) {
				if len(m.Buttons()) != 0 {
					t.Errorf("%s's copy has buttons: %v", g.Title, buttonLabels(m))
				}
			}
		}
	}
	if n := copiesOf(w, gUK.ID, "Jugendaustausch") + copiesOf(w, gDE.ID, "Молодіжний"); n != 0 {
		t.Errorf("a group got the other language's version (%d)", n)
	}
	for _, chat := range []int64{gSV.ID, gOut.ID, jonas.ID()} {
		if n := copiesOf(w, chat, "Jugendaustausch") + copiesOf(w, chat, "Молодіжний"); n != 0 {
			t.Errorf("chat %d got the broadcast %d times", chat, n)
		}
	}

	anna.Press(de.Plain("bc_correct_button")).Expect(de.T("bc_ask_correct_lang"))
	anna.Press(de.Plain("lang_de"))
	anna.Say("<b>Jugendaustausch</b> im August").Expect(de.N("bc_corrected", 2, "Language", de.Plain("lang_list_de")))
	waitForMessage(t, w.Env, gDE.ID, "<b>Jugendaustausch</b> im August")
	if n := copiesOf(w, gDE.ID, "Jugendaustausch"); n != 1 {
		t.Errorf("the German group has %d copies, want its one copy edited", n)
	}

	// Forged past the wizard: a town outside her network.
	_, err := w.Store.ResolveYouthGroups(ctx, storage.Audience{Place: storage.PlaceChosen, Towns: []int64{w.towns["Zhytomyr"].ID},
		Groups: []string{storage.GroupYouth}}, storage.Sender{UserID: anna.ID()})
	if !errors.Is(err, storage.ErrOutsideNetwork) {
		t.Errorf("youth groups outside the network: %v, want ErrOutsideNetwork", err)
	}
}
