package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"partnerbot/internal/bottest"
	"partnerbot/internal/faketelegram"
	"partnerbot/storage"
)

var inviteRights = faketelegram.Rights{CanInviteUsers: true}

// inGroup sends text in the group as u and returns what the bot sent
// to the group in answer.
func inGroup(w *projectWorld, u *bottest.User, group models.Chat, text string) []faketelegram.Message {
	w.t.Helper()
	before := len(w.TG.Sent(group.ID))
	w.WaitHandled(w.TG.SendGroupMessage(u.TG, group, text))
	return w.TG.Sent(group.ID)[before:]
}

func expectInGroup(w *projectWorld, sent []faketelegram.Message, want string) {
	w.t.Helper()
	for _, m := range sent {
		if strings.Contains(m.Text, want) {
			return
		}
	}
	w.t.Fatalf("the group expected %q; the bot sent %+v", want, sent)
}

// linkedGroup adds the bot to a new group of owner (its creator) as an
// administrator who may invite, and links it to p the way the startgroup
// link does.
func linkedGroup(w *projectWorld, owner *bottest.User, p storage.Project, id int64) models.Chat {
	w.t.Helper()
	group := models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: "Gruppe " + p.Title}
	if id > -1000000000000 {
		group.Type = models.ChatTypeGroup
	}
	w.TG.SetChatMember(group, owner.TG, faketelegram.StatusCreator, faketelegram.Rights{})
	w.WaitHandled(w.TG.SetBotStatus(group, owner.TG, faketelegram.StatusAdministrator, inviteRights))
	lang, _ := owner.TG.LanguageCode, 0
	sent := inGroup(w, owner, group, "/start@"+faketelegram.BotUsername+" g"+p.Code)
	expectInGroup(w, sent, w.Loc(lang).T("group_linked", "Title", p.Title))
	return group
}

func TestGroupLinkByAnAdminAndRefusals(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	anna := w.user(6101, "de", "Anna")
	bob := w.user(6102, "en", "Bob")
	de := w.Loc("de")
	p := w.project(anna, "Chor Grevesmühlen", "Grevesmühlen")
	group := models.Chat{ID: -1006101, Type: models.ChatTypeSupergroup, Title: "Chor"}
	// Anna adds the bot as a plain member and is not (yet) an administrator.
	w.WaitHandled(w.TG.SetBotStatus(group, anna.TG, faketelegram.StatusMember, faketelegram.Rights{}))
	start := "/start@" + faketelegram.BotUsername + " g" + p.Code
	expectInGroup(w, inGroup(w, anna, group, start), de.T("group_link_not_admin"))
	w.TG.SetChatMember(group, anna.TG, faketelegram.StatusCreator, faketelegram.Rights{})
	expectInGroup(w, inGroup(w, anna, group, start), de.T("group_link_bot_rights"))
	// Bob administers the group but does not own the project: refused, in
	// the group's language (Anna's, who added the bot).
	w.TG.SetChatMember(group, bob.TG, faketelegram.StatusAdministrator, inviteRights)
	expectInGroup(w, inGroup(w, bob, group, "/link@"+faketelegram.BotUsername+" "+p.Code), de.T("group_link_not_owner"))
	w.WaitHandled(w.TG.SetBotStatus(group, anna.TG, faketelegram.StatusAdministrator, inviteRights))
	expectInGroup(w, inGroup(w, anna, group, start), de.T("group_linked", "Title", p.Title))

	links := w.TG.InviteLinks(group.ID)
	if len(links) != 1 || !links[0].CreatesJoinRequest {
		t.Fatalf("invite links: %+v", links)
	}
	// Others find "Join the project's group" on the card, with that link.
	card := bob.Say("/start p" + p.Code).Expect(p.Title)
	found := false
	for _, row := range card.Buttons() {
		for _, b := range row {
			found = found || (b.Text == w.Loc("en").Plain("project_button_join_group") && b.URL == links[0].InviteLink)
		}
	}
	if !found {
		t.Fatalf("card without the join button: %+v", card.Buttons())
	}
}

func TestGroupChannelLinked(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	en := w.Loc("en")
	mia := w.user(6201, "en", "Mia")
	p := w.project(mia, "Twinning news", "Laxå")
	mia.Say("/start p" + p.Code).Expect(p.Title)
	mia.Press(en.Plain("project_button_link_channel")).Expect(en.T("group_channel_how", "Title", p.Title))
	channel := models.Chat{ID: -1006201, Type: models.ChatTypeChannel, Title: "Laxå news"}
	w.TG.SetChatMember(channel, mia.TG, faketelegram.StatusCreator, faketelegram.Rights{})
	w.WaitHandled(w.TG.SetBotStatus(channel, mia.TG, faketelegram.StatusAdministrator,
		faketelegram.Rights{CanInviteUsers: true, CanPostMessages: true}))
	mia.WaitFor(en.T("group_channel_linked", "Channel", channel.Title, "Title", p.Title))
	gs, err := w.Store.ProjectGroups(context.Background(), p.ID)
	if err != nil || len(gs) != 1 || gs[0].Kind != "channel" || gs[0].ChatID != channel.ID {
		t.Fatalf("project chats: %+v, %v", gs, err)
	}
}

func TestGroupJoinApprovedAfterTheRulesInUkrainian(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	uk := w.Loc("uk")
	olena := w.user(6301, "uk", "Олена")
	p := w.project(olena, "Молодіжний обмін", "Ichnia")
	group := linkedGroup(w, olena, p, -1006301)
	// The owner writes the rules in Ukrainian and names the responsible adult.
	olena.Say("/start p" + p.Code).Press(uk.Plain("project_button_group_panel")).Expect(uk.T("group_panel_no_rules"))
	olena.Press(uk.Plain("group_button_rules")).Press(uk.Plain("lang_uk")).Expect(uk.T("group_rules_ask"))
	olena.Say("Пишемо українською або німецькою & без реклами.").Expect(uk.T("group_rules_saved", "Language", uk.Plain("lang_list_uk")))
	olena.Press(uk.Plain("group_button_adult")).Say("Олена Коваленко").Expect(uk.T("group_panel_youth", "Adult", "Олена Коваленко"))

	taras := w.User(6302, "uk", "Тарас")
	w.WaitHandled(w.TG.RequestJoin(group, taras.TG, "", time.Time{}))
	rules := taras.WaitFor(uk.T("group_rules_quote", "Rules", "Пишемо українською або німецькою & без реклами."),
		uk.T("group_rules_adult", "Adult", "Олена Коваленко"))
	if got := w.TG.JoinRequestState(group.ID, taras.ID()); got != "pending" {
		t.Fatalf("request before agreeing: %q", got)
	}
	taras.Press(uk.Plain("group_button_agree")).Expect(uk.T("group_join_welcome", "Group", group.Title))
	if got := w.TG.MemberStatus(group.ID, taras.ID()); got != faketelegram.StatusMember {
		t.Fatalf("Taras is %q", got)
	}
	// Pressing again, or someone else pressing, decides nothing.
	taras.PressData(rules.Buttons()[0][0].CallbackData)
	w.expectAlert(taras, uk.Plain("group_join_already"))
	olena.PressData(rules.Buttons()[0][0].CallbackData)
	w.expectAlert(olena, uk.Plain("callback_invalid"))
}

func TestGroupJoinDeclinedByTheOwnerInGerman(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	de := w.Loc("de")
	anna := w.user(6401, "de", "Anna")
	p := w.project(anna, "Feuerwehrjugend", "Grevesmühlen")
	group := linkedGroup(w, anna, p, -1006401)
	anna.Say("/start p" + p.Code).Press(de.Plain("project_button_group_panel"))
	anna.Press(de.Plain("group_button_owner_decides")).Expect(de.T("group_panel_owner_decides"))

	jonas := w.User(6402, "de", "Jonas")
	w.WaitHandled(w.TG.RequestJoin(group, jonas.TG, "Ich bin bei der Feuerwehr in Wismar.", time.Time{}))
	jonas.WaitFor(de.T("group_rules_default"))
	jonas.Press(de.Plain("group_button_agree")).Expect(de.T("group_join_waiting", "Group", group.Title))
	decide := anna.WaitFor(de.T("group_join_intro", "Bio", "Ich bin bei der Feuerwehr in Wismar."))
	// Jonas cannot decide his own request with a forged button.
	jonas.PressData("gj:a:" + strings.TrimPrefix(decide.Buttons()[0][0].CallbackData, "gj:a:"))
	w.expectAlert(jonas, de.Plain("callback_invalid"))
	anna.Press(de.Plain("group_button_decline")).Expect(de.T("group_join_owner_declined", "Name", "Jonas", "Group", group.Title))
	jonas.WaitFor(de.T("group_join_declined", "Group", group.Title))
	if got := w.TG.JoinRequestState(group.ID, jonas.ID()); got != "declined" {
		t.Fatalf("Jonas's request is %q", got)
	}
}

func TestGroupJoinRequestWhileTheBotWasDown(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	claire := w.user(6501, "fr", "Claire")
	p := w.project(claire, "Échanges scolaires", "Grevesmühlen")
	group := linkedGroup(w, claire, p, -1006501)
	w.StopAll()
	late := faketelegram.NewUser(6502, "Luc")
	id := w.TG.RequestJoin(group, late, "", time.Now().Add(-10*time.Minute))
	w.Start()
	w.WaitHandled(id)
	if got := w.TG.JoinRequestState(group.ID, late.ID); got != "approved" {
		t.Fatalf("the late request is %q", got)
	}
	for _, c := range w.TG.Calls("sendMessage") {
		if c.Params["chat_id"] == strconv.FormatInt(late.ID, 10) {
			t.Fatalf("the bot wrote to the applicant after the window: %+v", c)
		}
	}
}

// TestGroupRemovedBotUnlinksAndTellsTheOwner: the bot removed from a
// project's group, or demoted there, ends the link and tells the owner.
func TestGroupRemovedBotUnlinksAndTellsTheOwner(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	// unlinked links a group to a new owner's project, gives the bot the
	// status in it and expects the link to end with msg to the owner.
	unlinked := func(id int64, lang, name, title, status, msg string) models.Chat {
		t.Helper()
		owner := w.user(id, lang, name)
		p := w.project(owner, title, "Grevesmühlen")
		group := linkedGroup(w, owner, p, -(1000000 + id))
		w.WaitHandled(w.TG.SetBotStatus(group, owner.TG, status, faketelegram.Rights{}))
		owner.WaitFor(w.Loc(lang).T(msg, "Group", group.Title, "Title", p.Title))
		if gs, err := w.Store.ProjectGroups(context.Background(), p.ID); err != nil || len(gs) != 0 {
			t.Fatalf("still linked after %s: %+v, %v", msg, gs, err)
		}
		return group
	}
	group := unlinked(6601, "fr", "Claire", "Chorale", faketelegram.StatusKicked, "group_unlinked_removed")
	// A request to the unlinked group is left to its administrators.
	w.WaitHandled(w.TG.RequestJoin(group, faketelegram.NewUser(6602, "Paul"), "", time.Time{}))
	if got := w.TG.JoinRequestState(group.ID, 6602); got != "pending" {
		t.Fatalf("request to an unlinked group: %q", got)
	}
	// No longer an administrator, the bot cannot handle join requests.
	unlinked(6603, "de", "Anna", "Partnerschaftschor", faketelegram.StatusMember, "group_unlinked_demoted")
}

func TestGroupMigratedToSupergroupStaysLinked(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	en := w.Loc("en")
	mia := w.user(6701, "en", "Mia")
	p := w.project(mia, "Youth council exchange", "Laxå")
	group := linkedGroup(w, mia, p, -6701)
	newID, updateID := w.TG.MigrateToSupergroup(group.ID, mia.TG)
	w.WaitHandled(updateID)
	g, err := w.Store.LiveProjectGroupOfChat(context.Background(), newID)
	if err != nil || g.ProjectID != p.ID {
		t.Fatalf("supergroup link: %+v, %v", g, err)
	}
	sg := models.Chat{ID: newID, Type: models.ChatTypeSupergroup, Title: group.Title}
	tom := w.User(6702, "en", "Tom")
	w.WaitHandled(w.TG.RequestJoin(sg, tom.TG, "", time.Time{}))
	tom.WaitFor(en.T("group_rules_default"))
	tom.Press(en.Plain("group_button_agree")).Expect(en.T("group_join_welcome", "Group", group.Title))
}

func TestGroupYouthGroupGetsANewProjectInSwedish(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	sv, de := w.Loc("sv"), w.Loc("de")
	elsa := w.user(6801, "sv", "Elsa")
	kid := w.User(6803, "sv", "Nils")
	group := models.Chat{ID: -1006801, Type: models.ChatTypeSupergroup, Title: "Ungdomsrådet Laxå"}
	w.TG.SetChatMember(group, elsa.TG, faketelegram.StatusCreator, faketelegram.Rights{})
	w.WaitHandled(w.TG.SetBotStatus(group, elsa.TG, faketelegram.StatusMember, faketelegram.Rights{}))
	// For a member who is no administrator /settings are their own, in the private chat.
	expectInGroup(w, inGroup(w, kid, group, "/settings@"+faketelegram.BotUsername), sv.T("private_only", "Command", "/settings"))
	expectInGroup(w, inGroup(w, elsa, group, "/settings@"+faketelegram.BotUsername), sv.T("group_settings_unregistered"))
	// Personal commands in the group point to the private chat.
	expectInGroup(w, inGroup(w, kid, group, "/profile@"+faketelegram.BotUsername), sv.T("private_only", "Command", "/profile"))

	elsa.Say("/start y" + strconv.FormatInt(group.ID, 10)).Expect(sv.T("group_youth_ask_town"))
	elsa.Say("Laxå").Press(w.townButton(sv, "Laxå")).Expect(sv.T("group_youth_ask_language"))
	elsa.Press("✅ " + sv.Plain("lang_sv")).Expect(sv.T("group_youth_ask_ages"))
	elsa.Press(sv.Plain("group_button_ages", "Min", 14, "Max", 18)).Expect(sv.T("group_youth_ask_topics"))
	elsa.Press(sv.Plain("topic_culture")).Press(sv.Plain("step_done")).
		Expect(sv.T("group_youth_registered", "Group", group.Title, "Town", "Laxå"))
	before := len(w.TG.Sent(group.ID))

	// A German owner registers a project in Laxå.
	jonas := w.user(6802, "de", "Jonas")
	jonas.Say("/newproject").Say("Kulturaustausch").Say("Theater und Musik mit Jugendlichen.")
	jonas.Say("Laxå").Press(w.townButton(de, "Laxå"))
	jonas.Press(de.Plain("step_skip")).Press(de.Plain("sector_civil_society"))
	jonas.Press(de.Plain("topic_culture")).Press(de.Plain("step_done"))
	jonas.Press(de.Plain("lang_de")).Press(de.Plain("step_done"))
	jonas.Press(de.Plain("project_contact_yes")).Expect(de.T("project_created", "Title", "Kulturaustausch"))

	err := w.TG.WaitUntil(bottest.WaitTimeout, func(sn *faketelegram.Snapshot) bool {
		for _, m := range sn.Sent(group.ID)[before:] {
			if strings.Contains(m.Text, sv.T("group_youth_project", "Title", "Kulturaustausch",
				"Description", "Theater und Musik mit Jugendlichen.", "Town", "Laxå, "+sv.Country("SE"),
				"Topics", sv.Plain("topic_culture"))) {
				return len(m.Buttons()) == 0 // no contact request starts from a youth group
			}
		}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}

	// A Ukrainian coordinator publishes an event in Laxå: the group gets it
	// in Swedish, with the time in Stockholm's zone, in the same transaction
	// as the event (it is in the delivery queue before anyone presses again).
	olena := w.user(6804, "uk", "Олена")
	makeCoordinator(t, w.Env, olena)
	uk := w.Loc("uk")
	const title = "Ungdomsdag"
	olena.Say("/newevent").Say(title).Say("Musik och samtal.").Press("✓ Київ")
	olena.Say("завтра о 18:00").Press("2 години")
	olena.Say("Ратуша").Say("Laxå").Press(w.townButton(uk, "Laxå"))
	olena.Press(uk.Plain("ev_publish")).Expect(uk.N("ev_created", 0))
	waitForMessage(t, w.Env, group.ID, sv.T("event_new_head"), title)
}
