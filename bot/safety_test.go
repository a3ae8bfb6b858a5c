package bot_test

// Regression tests of the security review's findings 4 to 17 (issue 9):
// each one asserts the opposite of the review's reproduction.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/internal/bottest"
	"partnerbot/internal/faketelegram"
	"partnerbot/internal/remind"
	"partnerbot/internal/testclock"
	"partnerbot/internal/testdb"
	"partnerbot/locales"
	"partnerbot/storage"
)

// TestEventTextsReachCalendarsWithoutCarriageReturns (review #13): a
// Ukrainian coordinator types a title with carriage returns; the preview,
// the German announcement and the calendar file carry line breaks instead,
// and even a text stored with a carriage return before this fix leaves no
// bare CR in the file.
func TestEventTextsReachCalendarsWithoutCarriageReturns(t *testing.T) {
	t.Parallel()
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	clock := testclock.New(time.Date(2026, 5, 4, 9, 0, 0, 0, kyiv))
	env := bottest.New(t, bottest.Options{Now: clock.Now})
	uk, de := env.Loc("uk"), env.Loc("de")
	olena, greta := env.Started(45001, "uk", "Олена"), env.Started(45002, "de", "Greta")
	makeCoordinator(t, env, olena)
	ichnia := addTown(t, env, "Ichnia", "UA")
	if err := env.Store.SaveProfile(context.Background(), storage.Profile{UserID: greta.ID(), TownID: ichnia}); err != nil {
		t.Fatal(err)
	}
	olena.Say("/newevent").Say("Зустріч\rATTENDEE;RSVP=TRUE:mailto:victim@example.org\r\nX")
	olena.Say("Опис\x1b[2J з\tтабуляцією").Press("✓ Київ")
	olena.Say("12 травня о 18:00").Press("2 години")
	olena.Say("Ратуша").Say("Ічня").Press("Ichnia, " + uk.Country("UA"))
	const clean = "Зустріч\nATTENDEE;RSVP=TRUE:mailto:victim@example.org\nX"
	olena.Expect(uk.T("ev_confirm_new"), clean, "Опис[2J з табуляцією")
	olena.Press(uk.Plain("ev_publish")).Expect(uk.N("ev_created", 1))
	greta.WaitFor(de.T("event_new_head"), clean)

	var id int64
	if err := env.Pool.QueryRow(context.Background(), `SELECT id FROM events`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	// A place written before texts were cleaned.
	if _, err := env.Pool.Exec(context.Background(), `UPDATE events SET place = E'Ратуша\rORGANIZER:mailto:x@example.org'
		WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	greta.Press(de.Plain("event_ics_button"))
	doc := greta.Last().Document
	if doc == nil {
		t.Fatalf("no calendar file:\n%s", greta.Transcript())
	}
	if rest := bytes.ReplaceAll(doc.Content, []byte("\r\n"), nil); bytes.ContainsAny(rest, "\r\x1b\t") {
		t.Fatalf("the calendar file has a control character besides its CRLF line ends:\n%q", doc.Content)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(doc.Content))
	if err != nil {
		t.Fatal(err)
	}
	ev := cal.Events()[0]
	if p := ev.GetProperty(ics.ComponentPropertySummary); p == nil || p.Value != clean {
		t.Fatalf("summary %+v, want %q", p, clean)
	}
	for _, prop := range []ics.ComponentProperty{ics.ComponentPropertyAttendee, ics.ComponentPropertyOrganizer} {
		if p := ev.GetProperty(prop); p != nil {
			t.Fatalf("a text became the property %s: %+v", prop, p)
		}
	}
	if p := ev.GetProperty(ics.ComponentPropertyLocation); p == nil || !strings.HasPrefix(p.Value, "Ратуша\nORGANIZER") {
		t.Fatalf("location %+v", p)
	}
}

// exportOf is what /export sends u: every row about them, by "table.column".
func exportOf(t *testing.T, u *bottest.User) map[string][]map[string]any {
	t.Helper()
	u.Say("/export")
	doc := u.Last().Document
	if doc == nil {
		t.Fatalf("%s got no export:\n%s", u.TG.FirstName, u.Transcript())
	}
	var export struct {
		Data map[string][]map[string]any `json:"data"`
	}
	if err := json.Unmarshal(doc.Content, &export); err != nil {
		t.Fatal(err)
	}
	return export.Data
}

// holds reports whether v, a decoded JSON value, holds the number n
// anywhere.
func holds(v any, n int64) bool {
	switch v := v.(type) {
	case float64:
		return v == float64(n)
	case map[string]any:
		for _, x := range v {
			if holds(x, n) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if holds(x, n) {
				return true
			}
		}
	case []map[string]any:
		for _, x := range v {
			if holds(x, n) {
				return true
			}
		}
	}
	return false
}

// TestExportNamesNoModerator (review #6): a Ukrainian owner whose project
// a German coordinator hid, and a report about whose other project the
// coordinator dismissed, finds both decisions in /export, but not who made
// them; the coordinator's own export does not name the owner either.
func TestExportNamesNoModerator(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	en := w.Loc("en")
	owner := w.user(46001, "uk", "Оксана")
	p := w.project(owner, "Cheap pills", "Ichnia")
	q := w.project(owner, "Choir", "Ichnia")
	reporter := w.user(46002, "en", "Rita")
	coord := w.user(46003, "de", "Cora")
	makeCoordinator(t, w.Env, coord)
	for _, pr := range []storage.Project{p, q} {
		reporter.Say("/start p" + pr.Code).Press(en.Plain("project_button_report")).
			Press(en.Plain("report_reason_spam")).Expect(en.T("report_thanks", "Title", pr.Title))
	}
	reports, err := w.Store.OpenReports(context.Background(), 10)
	if err != nil || len(reports) != 2 {
		t.Fatal(reports, err)
	}
	coord.PressData("rp:h:" + itoa(reports[0].ID))
	coord.PressData("rp:x:" + itoa(reports[1].ID))
	// The owner is told their project was hidden; let that notice arrive
	// before the export, so the export is the reply to /export.
	waitQueueEmpty(t, w.Env)

	data := exportOf(t, owner)
	var actions []string
	for _, row := range data["audit_log.target_id"] {
		actions = append(actions, row["action"].(string))
		if _, ok := row["actor_id"]; ok {
			t.Errorf("the owner's export names who acted: %v", row)
		}
	}
	if want := []string{"project_hidden:" + itoa(p.ID), "report_dismissed:" + itoa(q.ID)}; strings.Join(actions, " ") != strings.Join(want, " ") {
		t.Errorf("the owner's export lists the decisions %q, want %q", actions, want)
	}
	for key, rows := range data {
		if holds(rows, coord.ID()) {
			t.Errorf("the owner's export holds the coordinator's id in %s: %v", key, rows)
		}
	}
	for key, rows := range exportOf(t, coord) {
		if holds(rows, owner.ID()) {
			t.Errorf("the coordinator's export holds the owner's id in %s: %v", key, rows)
		}
	}
}

// TestProposedTownNameIsOneLine (review #12): the text typed into the town
// search becomes a proposal's name only if it is one line; otherwise the
// German volunteer is asked for the name, without a button offering the
// multi-line text. A one-line text is still offered (Ukrainian).
func TestProposedTownNameIsOneLine(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	de, uk := w.Loc("de"), w.Loc("uk")
	const scam = "Fakeville\nAmtliche Mitteilung: Reisepass an @scammer senden"
	nina := w.user(47001, "de", "Nina")
	nina.Say("/profile").Say(scam).Press(de.Plain("profile_town_not_listed")).Expect(de.T("profile_new_town_name"))
	for _, row := range nina.Last().Buttons() {
		for _, b := range row {
			if strings.Contains(b.Text, "Fakeville") {
				t.Fatalf("the multi-line name is offered: %q", b.Text)
			}
		}
	}
	nina.Say(scam).Expect(de.T("profile_new_town_one_line"))
	nina.Say("Fakeville").Expect(de.T("profile_new_town_country", "Town", "Fakeville"))
	nina.Press(de.Country("UA")).Press(de.Plain("step_skip"))
	nina.Press(de.Plain("lang_de")).Press(de.Plain("step_done"))
	nina.Press(de.Plain("topic_culture")).Press(de.Plain("step_done")).Expect(de.T("profile_saved_proposed", "Town", "Fakeville"))

	taras := w.user(47002, "uk", "Тарас")
	taras.Say("/profile").Say("Нова Громада").Press(uk.Plain("profile_town_not_listed"))
	taras.Press(uk.Plain("profile_new_town_use", "Name", "Нова Громада")).
		Expect(uk.T("profile_new_town_country", "Town", "Нова Громада"))

	rows, err := w.Pool.Query(context.Background(), `SELECT name FROM towns WHERE status = 'proposed'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(name, "\n\r") {
			t.Fatalf("a multi-line town name was proposed: %q", name)
		}
	}
}

// TestHiddenProjectsStayOutOfEvents (review #17): once coordinators hid a
// project, a German volunteer sees its event without the project's title,
// also in the announcement when the event moves to their town, and the
// Swedish coordinator who owns the project cannot link events to it, not
// even with a forged button.
func TestHiddenProjectsStayOutOfEvents(t *testing.T) {
	t.Parallel()
	clock := testclock.New(utc("2026-05-04 08:00"))
	w := newProjectWorld(t, bottest.Options{Now: clock.Now})
	sv, de := w.Loc("sv"), w.Loc("de")
	ctx := context.Background()
	astrid := w.user(48001, "sv", "Astrid")
	makeCoordinator(t, w.Env, astrid)
	jonas := w.user(48002, "de", "Jonas")
	if err := w.Store.SaveProfile(ctx, storage.Profile{UserID: jonas.ID(), TownID: w.towns["Grevesmühlen"].ID}); err != nil {
		t.Fatal(err)
	}
	w.project(astrid, "Körprojekt", "Laxå")
	hidden := w.project(astrid, "Dolt projekt", "Laxå")
	e := createEvent(t, w.Env, astrid.ID(), storage.EventFields{Title: "Vårfest", StartsAt: utc("2026-05-20 15:00"),
		TimeZone: "Europe/Stockholm", Duration: time.Hour, Place: "Folkets hus", ProjectID: hidden.ID})
	if _, err := w.Pool.Exec(ctx, `UPDATE projects SET hidden_at = now() WHERE id = $1`, hidden.ID); err != nil {
		t.Fatal(err)
	}

	jonas.PressData("ev:o:"+itoa(e.ID)).Expect("Vårfest", "Folkets hus")
	jonas.ExpectNot("Dolt projekt")

	astrid.PressData("evc:f:" + itoa(e.ID) + ":project").Expect(sv.T("ev_ask_project"))
	step, offered := "", ""
	for _, row := range astrid.Last().Buttons() {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, "wz:") && step == "" {
				step = strings.Split(b.CallbackData, ":")[1]
			}
			offered += b.Text + "|"
		}
	}
	if !strings.Contains(offered, "Körprojekt") || strings.Contains(offered, "Dolt projekt") {
		t.Fatalf("the project step offers %q", offered)
	}
	astrid.PressData("wz:" + step + ":" + itoa(hidden.ID)).Expect(sv.T("step_use_buttons"))
	astrid.Say("/cancel")

	astrid.PressData("evc:f:" + itoa(e.ID) + ":town")
	astrid.Say("Grevesmühlen").Press("Grevesmühlen, Mecklenburg-Vorpommern, " + sv.Country("DE")).Expect(sv.T("ev_confirm_edit"))
	astrid.Press(sv.Plain("ev_save"))
	got := jonas.WaitFor(de.T("event_new_head"), "Vårfest")
	if strings.Contains(got.Text, "Dolt projekt") {
		t.Fatalf("the announcement names the hidden project:\n%s", got.Text)
	}
	if ev, err := w.Store.Event(ctx, e.ID); err != nil || ev.ProjectID != hidden.ID {
		t.Fatalf("the event lost its link while being edited: %+v, %v", ev, err)
	}
}

// groupChat is a partnership group the bot is in.
func groupChat(id int64) models.Chat {
	return models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: "Partnership group"}
}

// pressInGroup presses a button with data on message msgID in a group.
func pressInGroup(env *bottest.Env, u *bottest.User, chat models.Chat, msgID int, data string) int64 {
	return env.TG.Inject(models.Update{CallbackQuery: &models.CallbackQuery{From: u.TG,
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage,
			Message: &models.Message{ID: msgID, Chat: chat, Date: int(time.Now().Unix())}},
		ChatInstance: "42", Data: data}})
}

// TestDeleteMeConfirmationIsPersonalAndShortLived (review #7): the "Yes"
// of /deleteme erases only for the person asked and for ten minutes. A
// forged button naming someone else, an old question, a bare "del:yes" of
// before, or a press in a group erase nothing; within the ten minutes the
// Ukrainian volunteer's own press does.
func TestDeleteMeConfirmationIsPersonalAndShortLived(t *testing.T) {
	t.Parallel()
	clock := testclock.New(time.Now())
	w := newProjectWorld(t, bottest.Options{Now: clock.Now})
	en, uk := w.Loc("en"), w.Loc("uk")
	ctx := context.Background()
	mallory := w.user(49001, "en", "Mallory")
	olena := w.user(49002, "uk", "Олена")
	w.project(olena, "Хор", "Ichnia")
	w.project(mallory, "Mallory's", "Ichnia")
	projects := func(u *bottest.User) int {
		ps, err := w.Store.ProjectsByOwner(ctx, u.ID())
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}
	refused := func(u *bottest.User, want string) {
		t.Helper()
		if a := w.TG.CallbackAnswers(); a[len(a)-1].Text != want {
			t.Fatalf("%s's press answered %q, want %q", u.TG.FirstName, a[len(a)-1].Text, want)
		}
		if projects(olena) != 1 || projects(mallory) != 1 {
			t.Fatal("a refused confirmation erased data")
		}
	}

	olena.Say("/deleteme").Expect(uk.T("deleteme_confirm"))
	var yes string
	for _, row := range olena.Last().Buttons() {
		for _, b := range row {
			if b.Text == uk.Plain("deleteme_yes") {
				yes = b.CallbackData
			}
		}
	}
	if !strings.HasPrefix(yes, "del:yes:49002:") {
		t.Fatalf("the confirmation does not name the person asked: %q", yes)
	}
	// Olena's button, pressed by Mallory (a forged press: he cannot see it).
	mallory.PressData(yes)
	refused(mallory, en.Plain("callback_invalid"))
	mallory.PressData("del:yes")
	refused(mallory, en.Plain("callback_invalid"))
	mallory.PressData("del:yes:49001:" + strconv.FormatInt(clock.Now().Add(-11*time.Minute).Unix(), 10))
	refused(mallory, en.Plain("deleteme_expired"))
	mallory.PressData("del:yes:49001:" + strconv.FormatInt(clock.Now().Add(time.Hour).Unix(), 10))
	refused(mallory, en.Plain("deleteme_expired"))

	// In a group, /deleteme offers no button, and a forged press does nothing.
	group := groupChat(-1009876543)
	w.WaitHandled(w.TG.SendGroupMessage(mallory.TG, group, "/deleteme@"+w.TG.BotUser().Username))
	for _, m := range w.TG.Sent(group.ID) {
		for _, row := range m.Buttons() {
			for _, b := range row {
				if strings.HasPrefix(b.CallbackData, "del:") {
					t.Fatalf("the group got an erasure button: %+v", b)
				}
			}
		}
	}
	w.WaitHandled(pressInGroup(w.Env, olena, group, 1, "del:yes:49002:"+strconv.FormatInt(clock.Now().Unix(), 10)))
	if projects(olena) != 1 {
		t.Fatal("a press in a group erased data")
	}

	// Olena's own press, eleven minutes later: expired; then a new question.
	clock.Advance(11 * time.Minute)
	olena.Press(uk.Plain("deleteme_yes"))
	refused(olena, uk.Plain("deleteme_expired"))
	olena.Say("/deleteme").Press(uk.Plain("deleteme_yes")).Expect(uk.T("deleteme_done"))
	if projects(olena) != 0 || projects(mallory) != 1 {
		t.Fatalf("after Olena's confirmation: Olena %d projects, Mallory %d", projects(olena), projects(mallory))
	}
}

// TestOwnerGetsTheContactEvenIfTheAnswerIsLost (review #9): when the one
// Telegram call that answers the Ukrainian owner's Accept fails, the
// requester's contact still reaches the owner, through the delivery
// engine; when it gets through, the owner is not shown the contact twice.
func TestOwnerGetsTheContactEvenIfTheAnswerIsLost(t *testing.T) {
	t.Parallel()
	clock := testclock.New(time.Now())
	w := newProjectWorld(t, bottest.Options{Now: clock.Now})
	uk, de := w.Loc("uk"), w.Loc("de")
	owner := w.user(50001, "uk", "Оксана")
	p := w.project(owner, "Міст", "Ichnia")
	jonas := w.user(50002, "de", "Jonas")
	greta := w.user(50003, "de", "Greta")
	ask := func(u *bottest.User, intro string) faketelegram.Message {
		u.Say("/start p" + p.Code).Press(de.Plain("project_button_contact")).Say(intro)
		return owner.WaitFor(intro)
	}
	link := func(id int64) string { return `href="tg://user?id=` + itoa(id) + `"` }
	shown := func(id int64) int {
		n := 0
		for _, m := range w.TG.Sent(owner.ID()) {
			if strings.Contains(m.Text, link(id)) {
				n++
			}
		}
		return n
	}

	received := ask(jonas, "Hallo aus Grevesmühlen")
	w.TG.FailNext("editMessageText", faketelegram.Fault{Code: 502})
	owner.PressData(received.Buttons()[0][0].CallbackData)
	jonas.WaitFor(link(owner.ID()))
	if n := shown(jonas.ID()); n != 0 {
		t.Fatalf("the failed answer showed the contact %d times", n)
	}
	owner.PressData(received.Buttons()[0][0].CallbackData)
	w.expectAlert(owner, uk.Plain("contact_already_answered"))
	clock.Advance(2 * time.Minute)
	got := owner.WaitFor(link(jonas.ID()))
	if want := uk.T("contact_accepted_owner", "Title", p.Title, "Intro", "Hallo aus Grevesmühlen"); !strings.HasPrefix(got.Text, strings.Split(want, "\n")[0]) {
		t.Fatalf("the owner got %q", got.Text)
	}

	// When the answer gets through, that is all the owner is shown.
	received = ask(greta, "Hallo aus Laxå")
	owner.PressData(received.Buttons()[0][0].CallbackData).Expect(link(greta.ID()))
	clock.Advance(2 * time.Minute)
	waitQueueEmpty(t, w.Env)
	if n := shown(greta.ID()); n != 1 {
		t.Fatalf("the owner was shown Greta's contact %d times, want once", n)
	}
}

// TestGrantByUsernameIsConfirmed (review #16): a @username found in the
// bot's records is shown with name and Telegram id before the Swedish
// administrator grants anything; a name that passed to another account
// belongs, once its new holder wrote to the bot, to them alone.
func TestGrantByUsernameIsConfirmed(t *testing.T) {
	t.Parallel()
	env := bottest.New(t, bottest.Options{Admins: []int64{51000}})
	sv := env.Loc("sv")
	admin := env.Started(51000, "sv", "Astrid")
	former := env.User(51001, "uk", "Дмитро")
	former.TG.Username = "partner_kyiv"
	former.Say("/start")

	// The name's new holder has not written yet: the former one is found,
	// and the administrator sees who it is before anything happens.
	admin.Say("/coordinators").Press(sv.Plain("coordinators_add_button"))
	admin.Say("@Partner_Kyiv").Expect(sv.T("coordinators_confirm", "Name", "Дмитро", "Username", "partner_kyiv", "ID", 51001))
	assertRole(t, env, former.ID(), storage.RoleVolunteer)
	admin.Press(sv.Plain("button_cancel"))
	assertRole(t, env, former.ID(), storage.RoleVolunteer)

	// Once the new holder writes, the name is theirs only.
	former.TG.Username = ""
	holder := env.User(51002, "de", "Lena")
	holder.TG.Username = "partner_kyiv"
	holder.Say("/start")
	if u, err := env.Store.User(context.Background(), former.ID()); err != nil || u.Username != "" {
		t.Fatalf("the former holder keeps the username: %+v, %v", u, err)
	}
	admin.Say("/coordinators").Press(sv.Plain("coordinators_add_button"))
	admin.Say("@partner_kyiv").Expect(sv.T("coordinators_confirm", "Name", "Lena", "Username", "partner_kyiv", "ID", 51002))
	admin.Press(sv.Plain("coordinators_confirm_yes")).Expect(sv.T("coordinator_granted", "Name", "Lena"))
	assertRole(t, env, holder.ID(), storage.RoleCoordinator)
	assertRole(t, env, former.ID(), storage.RoleVolunteer)
	holder.WaitFor(env.Loc("de").T("coordinator_you_granted"))
}

// fitsTelegram fails the test unless m is within Telegram's limits: 4096
// characters of text and 100 buttons.
func fitsTelegram(t *testing.T, m faketelegram.Message) {
	t.Helper()
	buttons := 0
	for _, row := range m.Buttons() {
		buttons += len(row)
	}
	if n := len([]rune(m.PlainText)); n > 4096 || buttons > 100 {
		t.Fatalf("a message of %d characters and %d buttons", n, buttons)
	}
}

// labelsOf joins the labels of m's buttons.
func labelsOf(m faketelegram.Message) string { return strings.Join(buttonLabels(m), " | ") }

// TestLongListsArePaged (review #10): /myprojects with 45 projects of long
// titles, the event wizard's project step with 30 projects and
// /coordinators with 45 coordinators each come a page at a time, within
// Telegram's limits, in English, Ukrainian, German and Swedish.
func TestLongListsArePaged(t *testing.T) {
	t.Parallel()
	clock := testclock.New(utc("2026-05-04 08:00"))
	w := newProjectWorld(t, bottest.Options{Admins: []int64{52000}, Now: clock.Now})
	en, uk, de, sv := w.Loc("en"), w.Loc("uk"), w.Loc("de"), w.Loc("sv")
	many := w.user(52001, "en", "Many")
	for i := range 45 {
		w.project(many, fmt.Sprintf("%03d %s", i+1, strings.Repeat("Long title ", 10)), "Ichnia")
	}
	many.Say("/myprojects").Expect(en.N("myprojects_count", 45), en.T("find_page", "Page", 1, "Pages", 5), "001 Long", "010 Long")
	fitsTelegram(t, many.Last())
	many.ExpectNot("011 Long")
	many.Press(en.Plain("find_button_next")).Expect("11. 011 Long", "20. 020 Long", en.T("find_page", "Page", 2, "Pages", 5))
	fitsTelegram(t, many.Last())
	for range 3 {
		many.Press(en.Plain("find_button_next"))
	}
	many.Expect("45. 045 Long", en.T("find_page", "Page", 5, "Pages", 5))
	if labels := labelsOf(many.Last()); strings.Contains(labels, en.Plain("find_button_next")) {
		t.Fatalf("the last page offers a next one: %s", labels)
	}
	many.Press("41. 041 Long title Long title Long title Lo…").Expect("<b>041 Long title")
	many.PressData("pj:my:4").Expect("41. 041 Long")
	many.PressData("pj:my:9")
	many.Expect(en.T("find_page", "Page", 1, "Pages", 5)) // past the end: the first page
	for _, forged := range []string{"pj:my:0", "pj:my:01", "pj:my:-1", "pj:my:x"} {
		many.PressData(forged)
		w.expectAlert(many, en.Plain("callback_invalid"))
	}
	olena := w.user(52002, "uk", "Олена")
	for i := range 11 {
		w.project(olena, fmt.Sprintf("Проєкт %02d", i+1), "Ichnia")
	}
	olena.Say("/myprojects").Expect(uk.N("myprojects_count", 11), uk.T("find_page", "Page", 1, "Pages", 2))
	olena.Press(uk.Plain("find_button_next")).Expect("11. Проєкт 11")
	olena.Press(uk.Plain("find_button_prev")).Expect("1. Проєкт 01")

	// The event wizard's project step.
	greta := w.user(52003, "de", "Greta")
	makeCoordinator(t, w.Env, greta)
	var last storage.Project
	for i := range 30 {
		last = w.project(greta, fmt.Sprintf("Projekt %02d", i+1), "Grevesmühlen")
	}
	e := createEvent(t, w.Env, greta.ID(), storage.EventFields{Title: "Stadtfest", StartsAt: utc("2026-05-20 15:00"),
		TimeZone: "Europe/Berlin", Duration: time.Hour, Place: "Rathaus"})
	greta.PressData("evc:f:"+itoa(e.ID)+":project").Expect(de.T("ev_ask_project"), de.T("events_page", "Page", 1, "Pages", 4))
	fitsTelegram(t, greta.Last())
	if labels := labelsOf(greta.Last()); !strings.Contains(labels, "Projekt 08") || strings.Contains(labels, "Projekt 09") {
		t.Fatalf("the first page offers %s", labels)
	}
	for range 3 {
		greta.Press(de.Plain("events_next"))
	}
	greta.Expect(de.T("events_page", "Page", 4, "Pages", 4))
	greta.Press("Projekt 30").Expect(de.T("ev_confirm_edit"), "Projekt 30")
	greta.Press(de.Plain("ev_save"))
	if got, err := w.Store.Event(context.Background(), e.ID); err != nil || got.ProjectID != last.ID {
		t.Fatalf("event after choosing on the last page: %+v, %v", got, err)
	}
	// Edited again, the step opens at the page of the linked project.
	greta.PressData("evc:f:" + itoa(e.ID) + ":project").Expect(de.T("events_page", "Page", 4, "Pages", 4))
	var step string
	for _, row := range greta.Last().Buttons() {
		if d := row[0].CallbackData; strings.HasPrefix(d, "wz:") {
			step = strings.Split(d, ":")[1]
		}
	}
	greta.PressData("wz:" + step + ":page:4").Expect(de.T("step_use_buttons"))

	// /coordinators.
	for i := range 45 {
		u := w.User(int64(52100+i), "sv", fmt.Sprintf("Samordnare %02d", i+1))
		u.Say("/start")
		makeCoordinator(t, w.Env, u)
	}
	admin := w.user(52000, "sv", "Astrid")
	admin.Say("/coordinators").Expect(sv.N("coordinators_count", 46), sv.T("events_page", "Page", 1, "Pages", 5))
	fitsTelegram(t, admin.Last())
	admin.Press(sv.Plain("events_next")).Expect("Samordnare 19", sv.T("events_page", "Page", 2, "Pages", 5))
	admin.ExpectNot("Samordnare 20")
	for range 3 {
		admin.Press(sv.Plain("events_next"))
	}
	admin.Press(sv.Plain("coordinators_revoke_button", "Name", "Samordnare 45")).
		Expect(sv.T("coordinator_revoked", "Name", "Samordnare 45"))
	admin.PressData("co:p:99")
	admin.Expect(sv.T("events_page", "Page", 5, "Pages", 5))
}

// TestLimitsSurviveDeleteMe (reviews #4 and #5): erasing one's data and
// starting again resets no limit. An English spammer's eleventh contact
// request is refused also after /deleteme, and the Ukrainian owner got ten;
// a German volunteer's reports stop at ten a day, also after /deleteme; a
// French volunteer with three waiting towns cannot propose a fourth after
// /deleteme; a Swedish owner has at most 20 active projects and registers
// at most 20 a day, also after /deleteme; every refusal says why.
func TestLimitsSurviveDeleteMe(t *testing.T) {
	t.Parallel()
	clock := testclock.New(time.Now())
	w := newProjectWorld(t, bottest.Options{Now: clock.Now})
	en, de, fr, sv := w.Loc("en"), w.Loc("de"), w.Loc("fr"), w.Loc("sv")
	ctx := context.Background()
	erase := func(u *bottest.User, l *locales.Localizer) {
		t.Helper()
		u.Say("/deleteme").Press(l.Plain("deleteme_yes")).Expect(l.T("deleteme_done"))
		u.Say("/start")
	}
	owner := w.user(53001, "uk", "Оксана")
	var ps []storage.Project
	for i := range 11 {
		ps = append(ps, w.project(owner, fmt.Sprintf("Project %02d", i), "Ichnia"))
	}
	for i := range 2 {
		makeCoordinator(t, w.Env, w.user(int64(53010+i), "en", "Cora"))
	}

	// Contact requests and reports: 10 a day each, as the README promises
	// (not storage's constants, which a test would follow wherever they go).
	const perDay = 10
	spammer := w.user(53002, "en", "Spam")
	for _, p := range ps[:perDay] {
		spammer.PressData("pj:r:" + p.Code)
		spammer.Say("Buy crypto at https://scam.example now!").Expect(en.T("contact_sent", "Title", p.Title))
	}
	spammer.PressData("pj:r:" + ps[10].Code)
	w.expectAlert(spammer, en.Plain("contact_limit", "Max", perDay))
	// The introductions reach the owner before the spammer erases their
	// data (an erased person's pending requests are no longer shown).
	spam := func() int { return countMessages(w.Env, owner.ID(), "Buy crypto") }
	for deadline := time.Now().Add(bottest.WaitTimeout); spam() < perDay && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	erase(spammer, en)
	spammer.PressData("pj:r:" + ps[0].Code)
	w.expectAlert(spammer, en.Plain("contact_limit", "Max", perDay))
	waitQueueEmpty(t, w.Env)
	if n := spam(); n != perDay {
		t.Fatalf("the owner got %d introductions from one person, want %d", n, perDay)
	}

	// Reports.
	rita := w.user(53003, "de", "Rita")
	for _, p := range ps[:perDay] {
		rita.PressData("pj:rp:" + p.Code + ":spam").Expect(de.T("report_thanks", "Title", p.Title))
	}
	rita.PressData("pj:rp:" + ps[10].Code + ":spam").Expect(de.T("report_limit", "Max", perDay))
	erase(rita, de)
	rita.PressData("pj:rp:" + ps[10].Code + ":spam").Expect(de.T("report_limit", "Max", perDay))
	var notices int
	if err := w.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE args->>'kind' = 'project_reported'`).Scan(&notices); err != nil {
		t.Fatal(err)
	}
	if notices != 2*perDay {
		t.Fatalf("%d notices to the moderators, want %d", notices, 2*perDay)
	}

	// Town proposals: 3 waiting, as the README promises.
	const waiting = 3
	camille := w.user(53004, "fr", "Camille")
	for i := range waiting {
		if err := w.Store.InTx(ctx, func(tx pgx.Tx) error {
			_, err := w.Store.ProposeTownTx(ctx, tx, storage.TownProposal{Name: fmt.Sprint("Village ", i), Country: "FR"},
				storage.Profile{UserID: camille.ID()})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	erase(camille, fr)
	camille.Say("/profile").Say("Villeneuve-sur-Rien").Press(fr.Plain("profile_town_not_listed"))
	camille.Press(fr.Plain("profile_new_town_use", "Name", "Villeneuve-sur-Rien")).Press(fr.Country("FR"))
	camille.Press(fr.Plain("step_skip")).Press(fr.Plain("lang_fr")).Press(fr.Plain("step_done"))
	camille.Press(fr.Plain("topic_culture")).Press(fr.Plain("step_done")).
		Expect(fr.T("profile_too_many_proposals", "Max", waiting))

	// Projects.
	sven := w.user(53005, "sv", "Sven")
	var mine []storage.Project
	for i := range storage.MaxActiveProjects {
		p, err := testdb.InTx(w.Store, func(tx pgx.Tx) (storage.Project, error) {
			return w.Store.CreateProjectWithinLimitsTx(ctx, tx, sven.ID(), storage.ProjectFields{Title: fmt.Sprint("Projekt ", i),
				Description: "D", TownID: w.towns["Laxå"].ID, Sector: "civil_society", Topics: []string{"culture"},
				Languages: []string{"sv"}}, clock.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, p)
	}
	sven.Say("/newproject").Expect(sv.T("project_limit_active", "Max", storage.MaxActiveProjects))
	sven.ExpectNot(sv.T("project_ask_title"))
	sven.PressData("pj:a:" + mine[0].Code + ":1").Expect(sv.T("project_archived", "Title", mine[0].Title))
	sven.Say("/newproject").Expect(sv.T("project_limit_day", "Max", storage.ProjectsPerDay))
	w.project(sven, "Ett till", "Laxå")
	sven.PressData("pj:a:" + mine[0].Code + ":0")
	w.expectAlert(sven, sv.Plain("project_limit_active", "Max", storage.MaxActiveProjects))
	erase(sven, sv)
	sven.Say("/newproject").Expect(sv.T("project_limit_day", "Max", storage.ProjectsPerDay))
	clock.Advance(25 * time.Hour)
	sven.Say("/newproject").Expect(sv.T("project_ask_title"))
}

// wordsLike lists the words of project search that match a LIKE pattern.
func wordsLike(t *testing.T, env *bottest.Env, patterns ...string) []string {
	t.Helper()
	var out []string
	for _, p := range patterns {
		rows, err := env.Pool.Query(context.Background(), `SELECT word FROM project_words WHERE word LIKE $1`, p)
		if err != nil {
			t.Fatal(err)
		}
		words, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, words...)
	}
	return out
}

// TestDeletedTextsLeaveNoWords (review #8): the words of an English
// volunteer's project (a name, an e-mail address, a phone number) are gone
// from project search's word list after /deleteme; so are those of a
// project a German owner deletes, and those a Ukrainian owner edits away,
// while search still finds what is left.
func TestDeletedTextsLeaveNoWords(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	en, de, uk := w.Loc("en"), w.Loc("de"), w.Loc("uk")
	dana := w.user(54001, "en", "Dana")
	w.project(dana, "Dana Kowalczykowna garden", "Ichnia", func(f *storage.ProjectFields) {
		f.Description = "Call me: dana.kowalczykowna@example.org +380501234567"
	})
	private := []string{"%380501234567%", "kovalcsikovna", "example", "dana"}
	if len(wordsLike(t, w.Env, private...)) != len(private) {
		t.Fatalf("the words were not indexed: %q", wordsLike(t, w.Env, private...))
	}
	dana.Say("/deleteme").Press(en.Plain("deleteme_yes")).Expect(en.T("deleteme_done"))
	if got := wordsLike(t, w.Env, private...); len(got) != 0 {
		t.Fatalf("project_words after /deleteme: %q", got)
	}

	jonas := w.user(54002, "de", "Jonas")
	p := w.project(jonas, "Feuerwehrfest Quappendorf", "Grevesmühlen")
	w.project(jonas, "Feuerwehrfest", "Grevesmühlen")
	if len(wordsLike(t, w.Env, "quapendorf%")) == 0 {
		t.Fatal("the word was not indexed")
	}
	jonas.Say("/start p" + p.Code).Press(de.Plain("project_button_delete")).Press(de.Plain("project_delete_yes")).
		Expect(de.T("project_deleted", "Title", p.Title))
	if got := wordsLike(t, w.Env, "quapendorf%"); len(got) != 0 {
		t.Fatalf("a deleted project's words stay: %q", got)
	}
	jonas.Say("/find Feuerwehrfest").Expect(de.N("find_found", 1))

	oksana := w.user(54003, "uk", "Оксана")
	q := w.project(oksana, "Хор", "Ichnia", func(f *storage.ProjectFields) { f.Description = "Телефон 0501112233" })
	if len(wordsLike(t, w.Env, "%0501112233%")) == 0 {
		t.Fatal("the number was not indexed")
	}
	oksana.Say("/start p" + q.Code).Press(uk.Plain("project_button_edit")).Press(uk.Plain("project_field_description"))
	oksana.Say("Співаємо разом").Expect(uk.T("project_saved", "Title", "Хор"))
	if got := wordsLike(t, w.Env, "%0501112233%"); len(got) != 0 {
		t.Fatalf("words edited away stay: %q", got)
	}
	oksana.Say("/find разом").Expect(uk.N("find_found", 1))
}

// TestRemindersGoBeforeNotices (review #5): the delivery engine hands out
// a due reminder before any announcement or notice to moderators waiting
// in the queue: a reminder has River's first priority, the rest the
// second.
func TestRemindersGoBeforeNotices(t *testing.T) {
	t.Parallel()
	clock := testclock.New(utc("2026-05-04 08:00"))
	w := newProjectWorld(t, bottest.Options{Now: clock.Now})
	en := w.Loc("en")
	org := w.user(55001, "de", "Lena")
	makeCoordinator(t, w.Env, org)
	owner := w.user(55002, "uk", "Оксана")
	p := w.project(owner, "Choir", "Ichnia")
	fan := w.user(55003, "en", "Fan")
	e := createEvent(t, w.Env, org.ID(), storage.EventFields{Title: "Concert", StartsAt: utc("2026-05-20 15:00"),
		TimeZone: "Europe/Berlin", Duration: time.Hour, Place: "Hall"})
	fan.PressData("ev:rt:" + itoa(e.ID) + ":" + strconv.Itoa(int(remind.Hour)))
	fan.PressData("pj:rp:" + p.Code + ":spam").Expect(en.T("report_thanks", "Title", p.Title))
	rows, err := w.Pool.Query(context.Background(), `SELECT args->>'kind', priority FROM river_job
		WHERE args->>'kind' IN ('event_reminder', 'project_reported')`)
	if err != nil {
		t.Fatal(err)
	}
	priority := map[string][]int16{}
	for rows.Next() {
		var kind string
		var p int16
		if err := rows.Scan(&kind, &p); err != nil {
			t.Fatal(err)
		}
		priority[kind] = append(priority[kind], p)
	}
	if fmt.Sprint(priority["event_reminder"]) != "[1]" || fmt.Sprint(priority["project_reported"]) != "[2]" {
		t.Fatalf("priorities %v, want the reminder at 1 and the notice to the coordinator at 2", priority)
	}
}
