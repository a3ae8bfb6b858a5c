package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"partnerbot/delivery"
	"partnerbot/internal/bottest"
	"partnerbot/internal/faketelegram"
	"partnerbot/locales"
	"partnerbot/storage"
)

// youthGroup adds the bot to a new group of admin (its creator) and
// registers it as a youth group of town speaking lang, on topics, as the
// registration dialogue does (TestGroupYouthGroupGetsANewProjectInSwedish
// walks through that dialogue).
func youthGroup(w *projectWorld, admin *bottest.User, id int64, title, town, lang string, topics ...string) models.Chat {
	w.t.Helper()
	group := models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: title}
	if id > -1000000000000 {
		group.Type = models.ChatTypeGroup
	}
	w.TG.SetChatMember(group, admin.TG, faketelegram.StatusCreator, faketelegram.Rights{})
	w.WaitHandled(w.TG.SetBotStatus(group, admin.TG, faketelegram.StatusMember, faketelegram.Rights{}))
	err := w.Store.RegisterYouthGroup(context.Background(), storage.YouthGroup{ChatID: id, Language: lang,
		Town: storage.TownRef{ID: w.towns[town].ID}, AgeMin: 14, AgeMax: 18, Topics: topics})
	if err != nil {
		w.t.Fatal(err)
	}
	return group
}

// newProjectInWizard registers a project on culture through /newproject,
// in u's language, as an owner does.
func newProjectInWizard(w *projectWorld, u *bottest.User, title, description, town string) storage.Project {
	w.t.Helper()
	l := w.Loc(u.TG.LanguageCode)
	u.Say("/newproject").Say(title).Say(description)
	u.Say(town).Press(w.townButton(l, town))
	u.Press(l.Plain("step_skip")).Press(l.Plain("sector_civil_society"))
	u.Press(l.Plain("topic_culture")).Press(l.Plain("step_done"))
	u.Press(l.Plain("lang_de")).Press(l.Plain("step_done"))
	u.Press(l.Plain("project_contact_yes")).Expect(l.T("project_created", "Title", title))
	ps, err := w.Store.ProjectsByOwner(context.Background(), u.ID())
	if err != nil {
		w.t.Fatal(err)
	}
	for _, p := range ps {
		if p.Title == title {
			return p
		}
	}
	w.t.Fatalf("project %q not found", title)
	return storage.Project{}
}

// youthPostsTo counts the youth group posts about ref scheduled for chat.
func youthPostsTo(w *projectWorld, chat, ref int64) int {
	w.t.Helper()
	var n int
	if err := w.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job
		WHERE kind = 'delivery_send' AND args->>'kind' = 'group_youth_project'
		  AND (args->>'chat_id')::bigint = $1 AND (args->>'ref')::bigint = $2`, chat, ref).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// TestGroupYouthGroupGetsProjectsOfItsNetwork: a youth group in Laxå
// receives, in French, a project from Ichnia, the partner (Ichnia) of its
// partner (Grevesmühlen), the network coordinators' broadcasts reach; a
// project in a town outside the network (Lannion) does not reach it, nor
// does any once its administrator switched new projects off.
func TestGroupYouthGroupGetsProjectsOfItsNetwork(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	addExamplePartnerships(t, w)
	lannion, err := w.Store.Town(context.Background(), addTown(t, w.Env, "Lannion", "FR"))
	if err != nil {
		t.Fatal(err)
	}
	w.towns["Lannion"] = lannion
	fr := w.Loc("fr")
	camille := w.user(6901, "fr", "Camille")
	group := youthGroup(w, camille, -1006901, "Club jeunesse Laxå", "Laxå", "fr", "culture")

	olena := w.user(6902, "uk", "Олена")
	far := newProjectInWizard(w, olena, "Театр у Ланьйоні", "Вистава з бретонськими школярами.", "Lannion")
	near := newProjectInWizard(w, olena, "Театр в Ічні", "Вистава з молоддю з Лаксо.", "Ichnia")
	waitForMessage(t, w.Env, group.ID, fr.T("group_youth_project", "Title", near.Title,
		"Description", near.Description, "Town", "Ichnia, "+fr.Country("UA"), "Topics", fr.Plain("topic_culture")))
	// Both posts were decided in the transactions that created the
	// projects: the one from outside the network was never scheduled.
	if n := youthPostsTo(w, group.ID, near.ID); n != 1 {
		t.Fatalf("%d posts of the Ichnia project to the group, want 1", n)
	}
	if n := youthPostsTo(w, group.ID, far.ID); n != 0 {
		t.Fatalf("%d posts of the Lannion project to the group, want none", n)
	}

	// The group's administrator switches new projects off in /settings.
	settings := inGroup(w, camille, group, "/settings@"+faketelegram.BotUsername)
	pressLabelInGroup(w, camille, group, settings[len(settings)-1], "✅ "+fr.Plain("group_button_projects"))
	if y, err := w.Store.YouthGroupByChat(context.Background(), group.ID); err != nil || y.ReceiveProjects {
		t.Fatalf("the group after switching projects off: %+v, %v", y, err)
	}
	later := newProjectInWizard(w, olena, "Хор в Ічні", "Співаємо разом.", "Ichnia")
	if n := youthPostsTo(w, group.ID, later.ID); n != 0 {
		t.Fatalf("%d posts to a group that switched projects off, want none", n)
	}
}

// pressLabelInGroup presses the button labelled label on the bot's
// message m in group as u, and waits until the bot handled it.
func pressLabelInGroup(w *projectWorld, u *bottest.User, group models.Chat, m faketelegram.Message, label string) {
	w.t.Helper()
	for _, row := range m.Buttons() {
		for _, b := range row {
			if b.Text == label && b.CallbackData != "" {
				w.WaitHandled(pressInGroup(w.Env, u, group, m.ID, b.CallbackData))
				return
			}
		}
	}
	w.t.Fatalf("no button %q in %q", label, buttonLabels(m))
}

// TestGroupRulesInTheGroup: /rules in a project's group shows the rules
// the owner wrote, in the group's language (German, then Ukrainian once an
// administrator switched it), with the responsible adult; elsewhere it
// says why there are none (Swedish) or where it works (English).
func TestGroupRulesInTheGroup(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	de, uk, sv, en := w.Loc("de"), w.Loc("uk"), w.Loc("sv"), w.Loc("en")
	anna := w.user(7001, "de", "Anna")
	p := w.project(anna, "Jugendchor", "Grevesmühlen")
	group := linkedGroup(w, anna, p, -1007001)
	rulesCmd := "/rules@" + faketelegram.BotUsername
	taras := w.User(7002, "uk", "Тарас")
	inGroupHeading := func(l *locales.Localizer, rules string) string {
		return l.T("group_rules_in_group", "Group", group.Title, "Title", p.Title, "Rules", locales.HTML(rules))
	}
	// Before the owner wrote any: the bot's own short rules.
	expectInGroup(w, inGroup(w, taras, group, rulesCmd), inGroupHeading(de, de.T("group_rules_default")))

	anna.Say("/start p" + p.Code).Press(de.Plain("project_button_group_panel"))
	anna.Press(de.Plain("group_button_rules")).Press(de.Plain("lang_de")).Say("Wir singen & lachen.").
		Expect(de.T("group_rules_saved", "Language", de.Plain("lang_list_de")))
	anna.Press(de.Plain("group_button_rules")).Press(de.Plain("lang_uk")).Say("Співаємо й сміємося.").
		Expect(de.T("group_rules_saved", "Language", de.Plain("lang_list_uk")))
	anna.Press(de.Plain("group_button_adult")).Say("Anna Schmidt").Expect(de.T("group_panel_youth", "Adult", "Anna Schmidt"))

	sent := inGroup(w, taras, group, rulesCmd)
	expectInGroup(w, sent, inGroupHeading(de, de.T("group_rules_quote", "Rules", "Wir singen & lachen.")))
	expectInGroup(w, sent, de.T("group_rules_adult", "Adult", "Anna Schmidt"))

	// An administrator makes Ukrainian the group's language.
	settings := inGroup(w, anna, group, "/settings@"+faketelegram.BotUsername)
	expectInGroup(w, settings, de.T("group_settings_unregistered"))
	pressLabelInGroup(w, anna, group, settings[len(settings)-1], uk.Plain("language_self_name"))
	sent = inGroup(w, taras, group, rulesCmd)
	expectInGroup(w, sent, inGroupHeading(uk, uk.T("group_rules_quote", "Rules", "Співаємо й сміємося.")))
	expectInGroup(w, sent, uk.T("group_rules_adult", "Adult", "Anna Schmidt"))

	// A group linked to no project has no rules from the bot.
	elsa := w.user(7003, "sv", "Elsa")
	other := models.Chat{ID: -1007003, Type: models.ChatTypeSupergroup, Title: "Fikaklubben"}
	w.TG.SetChatMember(other, elsa.TG, faketelegram.StatusCreator, faketelegram.Rights{})
	w.WaitHandled(w.TG.SetBotStatus(other, elsa.TG, faketelegram.StatusMember, faketelegram.Rights{}))
	expectInGroup(w, inGroup(w, elsa, other, rulesCmd), sv.T("group_rules_not_linked"))

	// In the private chat /rules says where it works.
	w.user(7004, "en", "Tom").Say("/rules").Expect(en.T("group_only", "Command", "/rules"))
}

// TestGroupYouthPostFollowsTheUpgradeToASupergroup: a youth group (a basic
// group) is upgraded to a supergroup while the bot is down, with a new
// project's post still addressed to the old id. Back up, the bot sees the
// upgrade and delivery tries the send, in either order: the post arrives
// in the supergroup, in Ukrainian, and the registration lives on under the
// new id.
func TestGroupYouthPostFollowsTheUpgradeToASupergroup(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	uk := w.Loc("uk")
	ctx := context.Background()
	oksana := w.user(7101, "uk", "Оксана")
	group := youthGroup(w, oksana, -7101, "Молодіжна рада Ічні", "Ichnia", "uk", "culture")
	p := w.project(w.user(7102, "de", "Jonas"), "Theater Ichnia", "Ichnia")

	w.StopAll()
	newID, _ := w.TG.MigrateToSupergroup(group.ID, oksana.TG)
	queue, err := delivery.New(w.Pool, nil, delivery.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := queue.Schedule(ctx, delivery.Message{ChatID: group.ID, Kind: "group_youth_project", Ref: p.ID}); err != nil {
		t.Fatal(err)
	}
	w.Start()
	waitForMessage(t, w.Env, newID, uk.T("group_youth_project", "Title", p.Title, "Description", p.Description,
		"Town", "Ichnia, "+uk.Country("UA"), "Topics", uk.Plain("topic_culture")))
	y, err := w.Store.YouthGroupByChat(ctx, newID)
	if err != nil || !y.Active || y.Language != "uk" {
		t.Fatalf("the supergroup's registration: %+v, %v", y, err)
	}
	if _, err := w.Store.YouthGroupByChat(ctx, group.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the old group is still registered: %v", err)
	}
}

// TestGroupDataInExportAndDeleteMe: /export shows what a person did in
// groups (a group linked to their project, a youth group's settings, the
// rules they wrote, their request to join another project's group) and
// nothing of anyone else's; /deleteme erases it and leaves the others'.
func TestGroupDataInExportAndDeleteMe(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	uk, sv := w.Loc("uk"), w.Loc("sv")
	ctx := context.Background()
	const olenaID, erikID = 7301, 7302947
	olena := w.user(olenaID, "uk", "Олена")
	erik := w.user(erikID, "sv", "Erik")

	// Erik's project group, with his rules.
	ep := w.project(erik, "Körutbyte", "Laxå")
	erikGroup := linkedGroup(w, erik, ep, -1007302)
	erik.Say("/start p" + ep.Code).Press(sv.Plain("project_button_group_panel"))
	erik.Press(sv.Plain("group_button_rules")).Press(sv.Plain("lang_sv")).Say("Eriks regler.").
		Expect(sv.T("group_rules_saved", "Language", sv.Plain("lang_list_sv")))

	// Olena links a group to her project and writes its rules, changes a
	// youth group's settings as its administrator, and asks to join Erik's.
	op := w.project(olena, "Хор Ічні", "Ichnia")
	linkedGroup(w, olena, op, -1007301)
	olena.Say("/start p" + op.Code).Press(uk.Plain("project_button_group_panel"))
	olena.Press(uk.Plain("group_button_rules")).Press(uk.Plain("lang_uk")).Say("Правила Олени.").
		Expect(uk.T("group_rules_saved", "Language", uk.Plain("lang_list_uk")))
	youth := youthGroup(w, olena, -1007303, "Молодь Ічні", "Ichnia", "uk", "culture")
	expectInGroup(w, inGroup(w, olena, youth, "/settings@"+faketelegram.BotUsername), uk.T("group_settings_youth",
		"Town", "Ichnia", "Min", 14, "Max", 18, "Topics", uk.Plain("topic_culture")))
	w.WaitHandled(w.TG.RequestJoin(erikGroup, olena.TG, "Співаю в хорі.", time.Time{}))
	olena.WaitFor(uk.T("group_rules_quote", "Rules", "Eriks regler."))

	export := exportOf(t, olena)
	requests := export["join_requests.user_id"]
	if len(requests) != 1 || requests[0]["chat_id"] != float64(erikGroup.ID) || requests[0]["bio"] != "Співаю в хорі." {
		t.Fatalf("exported join requests: %v", requests)
	}
	rules := export["group_rules.written_by"]
	if len(rules) != 1 || rules[0]["body"] != "Правила Олени." {
		t.Fatalf("exported rules: %v", rules)
	}
	var roles []string
	for _, r := range export["group_roles.user_id"] {
		roles = append(roles, fmt.Sprintf("%.0f %v", r["chat_id"], r["role"]))
	}
	slices.Sort(roles)
	if want := []string{"-1007301 linked", "-1007303 settings"}; !slices.Equal(roles, want) {
		t.Fatalf("exported group roles %q, want %q", roles, want)
	}
	for key, rows := range export {
		for _, row := range rows {
			if holds(row, erikID) {
				t.Fatalf("Olena's export shows Erik in %s: %v", key, row)
			}
		}
	}

	olena.Say("/deleteme").Press(uk.Plain("deleteme_yes")).Expect(uk.T("deleteme_done"))
	count := func(q string, id int64) (n int) {
		if err := w.Pool.QueryRow(ctx, q, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, q := range []string{`SELECT count(*) FROM join_requests WHERE user_id = $1`,
		`SELECT count(*) FROM group_rules WHERE written_by = $1`, `SELECT count(*) FROM group_roles WHERE user_id = $1`} {
		if n := count(q, olenaID); n != 0 {
			t.Errorf("%s: %d rows of Olena after /deleteme", q, n)
		}
	}
	if count(`SELECT count(*) FROM group_rules WHERE written_by = $1`, erikID) != 1 ||
		count(`SELECT count(*) FROM group_roles WHERE user_id = $1`, erikID) != 1 {
		t.Error("Erik's rules or group role went with Olena's data")
	}
}

// TestGroupForgedButtonsAreRefused: every kind of group button (the
// owner's group panel "gr", join requests "gj", a group's settings "gs")
// refuses data forged by someone it does not belong to, or malformed, and
// changes nothing; in English, French and Swedish.
func TestGroupForgedButtonsAreRefused(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	en, fr, sv := w.Loc("en"), w.Loc("fr"), w.Loc("sv")
	ctx := context.Background()
	mia := w.user(7401, "en", "Mia")
	pierre := w.user(7402, "fr", "Pierre")
	astrid := w.user(7403, "sv", "Astrid")
	p := w.project(mia, "Twinning choir", "Laxå")
	group := linkedGroup(w, mia, p, -1007401)

	// The owner's panel, forged by Pierre for Mia's project.
	for _, data := range []string{"gr:m:" + p.Code, "gr:ch:" + p.Code, "gr:rl:" + p.Code, "gr:rl:" + p.Code + ":fr",
		"gr:od:" + p.Code + ":1", "gr:ad:" + p.Code, "gr:ad:" + p.Code + ":0"} {
		pierre.PressData(data)
		w.expectAlert(pierre, fr.Plain("project_not_yours_or_gone"))
	}
	pierre.PressData("gr:zz:" + p.Code)
	w.expectAlert(pierre, fr.Plain("callback_invalid"))
	if _, err := w.Store.Conversation(ctx, pierre.ID()); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a forged button began a dialogue for Pierre: %v", err)
	}
	if _, err := w.Store.TakeChannelIntent(ctx, pierre.ID(), time.Now()); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a forged button left a channel link intent: %v", err)
	}
	if gs, err := w.Store.ProjectGroups(ctx, p.ID); err != nil || len(gs) != 1 || gs[0].OwnerDecides {
		t.Fatalf("the project's group after forged buttons: %+v, %v", gs, err)
	}

	// Astrid's join request: Pierre can neither agree for her nor decide it.
	w.WaitHandled(w.TG.RequestJoin(group, astrid.TG, "", time.Time{}))
	agree := astrid.WaitFor(sv.T("group_rules_default")).Buttons()[0][0].CallbackData
	id := strings.TrimPrefix(agree, "gj:ok:")
	for _, data := range []string{agree, "gj:a:" + id, "gj:d:" + id} {
		pierre.PressData(data)
		w.expectAlert(pierre, fr.Plain("callback_invalid"))
	}
	astrid.PressData("gj:a:" + id) // the applicant cannot approve herself
	w.expectAlert(astrid, sv.Plain("callback_invalid"))
	if got := w.TG.JoinRequestState(group.ID, astrid.ID()); got != "pending" {
		t.Fatalf("Astrid's request after forged buttons: %q", got)
	}

	// The group's settings: a member who is no administrator, a press in a
	// private chat and malformed data change nothing.
	w.TG.SetChatMember(group, astrid.TG, faketelegram.StatusMember, faketelegram.Rights{})
	settings := inGroup(w, mia, group, "/settings@"+faketelegram.BotUsername)
	expectInGroup(w, settings, en.T("group_settings_unregistered"))
	// (Alerts in a group speak the group's language.)
	pressLabelInGroup(w, astrid, group, settings[len(settings)-1], sv.Plain("language_self_name"))
	w.expectAlert(astrid, en.Plain("group_settings_admins_only"))
	astrid.PressData("gs:lg:sv")
	w.expectAlert(astrid, sv.Plain("private_only_callback"))
	w.WaitHandled(pressInGroup(w.Env, mia, group, settings[len(settings)-1].ID, "gs:lg:xx"))
	w.expectAlert(mia, en.Plain("callback_invalid"))
	if c, err := w.Store.GroupChatByID(ctx, group.ID); err != nil || c.Language != "en" {
		t.Fatalf("the group's language after forged buttons: %+v, %v", c, err)
	}
}

// TestGroupYouthEventOffersTheProjectGroup: a new event of a project with
// a group reaches a youth group of the network (in Swedish) with a button
// that joins the project's group with one tap: its invite link, which
// makes a join request.
func TestGroupYouthEventOffersTheProjectGroup(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	addExamplePartnerships(t, w)
	sv, uk := w.Loc("sv"), w.Loc("uk")
	elsa := w.user(7601, "sv", "Elsa")
	group := youthGroup(w, elsa, -1007601, "Ungdomsrådet Laxå", "Laxå", "sv", "culture")
	olena := w.user(7602, "uk", "Олена")
	makeCoordinator(t, w.Env, olena)
	p := w.project(olena, "Хор Гревесмюлена", "Grevesmühlen")
	projectGroup := linkedGroup(w, olena, p, -1007602)
	invite := w.TG.InviteLinks(projectGroup.ID)[0].InviteLink

	const title = "Співаємо разом"
	olena.Say("/newevent").Say(title).Say("Хор і чай.").Press("✓ Київ")
	olena.Say("завтра о 18:00").Press("2 години")
	olena.Say("Ратуша").Say("Grevesmühlen").Press(w.townButton(uk, "Grevesmühlen"))
	olena.Press(p.Title).Press(uk.Plain("ev_publish")).Expect(uk.N("ev_created", 0))
	waitForMessage(t, w.Env, group.ID, sv.T("event_new_head"), title)
	for _, m := range w.TG.Sent(group.ID) {
		if strings.Contains(m.Text, title) {
			for _, row := range m.Buttons() {
				for _, b := range row {
					if b.Text == sv.Plain("project_button_join_group") && b.URL == invite {
						return
					}
				}
			}
			t.Fatalf("the event's post has no button to join the project's group: %q", buttonLabels(m))
		}
	}
}
