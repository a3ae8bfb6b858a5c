package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/jackc/pgx/v5"

	"partnerbot/internal/bottest"
	"partnerbot/internal/faketelegram"
	"partnerbot/internal/testclock"
	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// waitForMessage waits until the bot has sent chatID a message containing
// every one of parts (messages it sends on its own, through the delivery
// engine, come without any action of the user), and returns it.
func waitForMessage(t *testing.T, env *bottest.Env, chatID int64, parts ...string) faketelegram.Message {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, m := range env.TG.Sent(chatID) {
			if containsEvery(m.Text, parts) {
				return m
			}
		}
		if time.Now().After(deadline) {
			var texts []string
			for _, m := range env.TG.Sent(chatID) {
				texts = append(texts, m.Text)
			}
			t.Fatalf("chat %d never got a message with %q; it got:\n%s", chatID, parts, strings.Join(texts, "\n---\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func containsEvery(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// countMessages counts the messages to chatID that contain s.
func countMessages(env *bottest.Env, chatID int64, s string) int {
	n := 0
	for _, m := range env.TG.Sent(chatID) {
		if strings.Contains(m.Text, s) && !m.Edited {
			n++
		}
	}
	return n
}

// pendingReminder is a reminder waiting in the delivery engine's queue.
type pendingReminder struct {
	Chat int64
	Due  time.Time
}

// pendingReminders lists the reminders of an event still to be sent,
// as River holds them.
func pendingReminders(t *testing.T, env *bottest.Env, eventID int64) []pendingReminder {
	t.Helper()
	rows, err := env.Pool.Query(context.Background(), `
		SELECT args, scheduled_at FROM river_job
		WHERE kind = 'delivery_send' AND args->>'kind' = 'event_reminder' AND (args->>'ref')::bigint = $1
		  AND state IN ('scheduled', 'available', 'retryable', 'running')
		ORDER BY scheduled_at, (args->>'chat_id')::bigint`, eventID)
	if err != nil {
		t.Fatal(err)
	}
	var out []pendingReminder
	for rows.Next() {
		var raw []byte
		var at time.Time
		if err := rows.Scan(&raw, &at); err != nil {
			t.Fatal(err)
		}
		var args struct {
			ChatID int64     `json:"chat_id"`
			DueAt  time.Time `json:"due_at"`
		}
		if err := json.Unmarshal(raw, &args); err != nil {
			t.Fatal(err)
		}
		if !args.DueAt.Equal(at) {
			t.Errorf("job due %v is scheduled at %v", args.DueAt, at)
		}
		out = append(out, pendingReminder{args.ChatID, at.UTC()})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// expectPending fails the test unless exactly want are pending for the
// event, in order of due time.
func expectPending(t *testing.T, env *bottest.Env, eventID int64, want ...pendingReminder) {
	t.Helper()
	if got := pendingReminders(t, env, eventID); !slices.Equal(got, want) {
		t.Fatalf("pending reminders %v, want %v", got, want)
	}
}

// waitQueueEmpty waits until the engine has nothing left to send.
func waitQueueEmpty(t *testing.T, env *bottest.Env) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	now := time.Now
	if env.Opts.Now != nil {
		now = env.Opts.Now
	}
	for {
		var n int
		if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job
			WHERE state IN ('available', 'retryable', 'running')
			   OR (state = 'scheduled' AND scheduled_at <= $1)`, now()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still due in the queue", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func makeCoordinator(t *testing.T, env *bottest.Env, u *bottest.User) {
	t.Helper()
	if err := env.Store.InTx(context.Background(), func(tx pgx.Tx) error {
		_, _, err := env.Store.SetRoleTx(context.Background(), tx, 0, u.ID(), storage.RoleCoordinator)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func addTown(t *testing.T, env *bottest.Env, name, country string) int64 {
	t.Helper()
	ctx := context.Background()
	if err := env.Store.WriteTowns(ctx, func(w *storage.TownWriter) error {
		_, _, err := w.UpsertTown(ctx, storage.TownRecord{Key: strings.ToLower(name), Name: name, Country: country})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	towns, err := env.Store.SearchTowns(ctx, name, 1)
	if err != nil || len(towns) != 1 {
		t.Fatalf("town %s: %v %v", name, towns, err)
	}
	return towns[0].ID
}

// createEvent publishes an event directly in storage, announcing nothing.
func createEvent(t *testing.T, env *bottest.Env, creator int64, f storage.EventFields) storage.Event {
	t.Helper()
	e, err := testdb.InTx(env.Store, func(tx pgx.Tx) (storage.Event, error) {
		e, _, err := env.Store.CreateEventTx(context.Background(), tx, creator, f)
		return e, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEventLifecycle follows one event through its life in three
// languages: a Ukrainian coordinator creates it (a malformed and a past
// date are answered with an example), a German volunteer in the event's
// town is told and subscribes, a French volunteer finds it in /events,
// takes the .ics and subscribes; reminders go out when the clock reaches
// them; an edit tells both what changed and moves their reminders; the
// cancellation tells them and nothing more is sent. The event lies across
// the spring clock change.
func TestEventLifecycle(t *testing.T) {
	t.Parallel()
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	clock := testclock.New(time.Date(2026, 3, 20, 9, 0, 0, 0, kyiv))
	env := bottest.New(t, bottest.Options{Now: clock.Now})
	uk, de, fr := env.Loc("uk"), env.Loc("de"), env.Loc("fr")
	olena, greta, camille := env.Started(41001, "uk", "Олена"), env.Started(41002, "de", "Greta"),
		env.Started(41003, "fr", "Camille")
	makeCoordinator(t, env, olena)
	ichnia := addTown(t, env, "Ichnia", "UA")
	if err := env.Store.SaveProfile(context.Background(), storage.Profile{UserID: greta.ID(), TownID: ichnia}); err != nil {
		t.Fatal(err)
	}

	// Olena creates the event.
	const title = "Партнерський день <Ічня & Grevesmühlen>"
	olena.Say("/newevent").Expect(uk.T("ev_ask_title"))
	olena.Say(title).Expect(uk.T("ev_ask_description"))
	olena.Say("Музика, розмови й обмін досвідом.").Expect(uk.T("ev_ask_zone", "Zone", "Київ"))
	olena.Press("✓ Київ")
	example := "27.03.2026 18:00" // a week from now at 18:00, as Ukrainians write it
	olena.Expect(uk.T("ev_ask_start", "Zone", "Київ", "Example", example))
	olena.Say("на початку весни").Expect(uk.T("ev_bad_when", "Example", example))
	olena.Say("завтра вранці").Expect(uk.T("ev_bad_when_notime", "Example", example))
	olena.Say("30.03").Expect(uk.T("ev_bad_when_notime", "Example", example))
	olena.Say("01.03.2026 10:00").Expect(uk.T("ev_bad_when_past", "Example", example))
	olena.Say("30 березня 2026 о 10:00").Expect(uk.T("ev_ask_duration"))
	olena.Press("2 години").Expect(uk.T("ev_ask_place"))
	olena.Say("ftp://example.org").Expect(uk.T("ev_bad_url"))
	olena.Say("Ратуша, Ічня https://meet.example.org/ichnia").Expect(uk.T("ev_ask_town"))
	olena.Say("Ічня").Press("Ichnia, " + uk.Country("UA"))
	olena.Expect(uk.T("ev_confirm_new"), "понеділок, 30 березня 2026 р., 10:00", "Ратуша, Ічня",
		"&lt;Ічня &amp; Grevesmühlen&gt;")
	olena.Press(uk.Plain("ev_publish")).Expect(uk.N("ev_created", 1))

	// Greta lives in Ichnia: the announcement reaches her in German, with
	// her Berlin time and the event's Kyiv time beside it.
	greetingWhen := de.T("event_when_zones", "When", "Montag, 30. März 2026 um 09:00 Uhr", "Zone", "Kyjiw", "Other", "10:00")
	waitForMessage(t, env, greta.ID(), de.T("event_new_head"), greetingWhen, de.T("event_card_place", "Place", "Ратуша, Ічня"))
	page, err := env.Store.UpcomingEvents(context.Background(), storage.EventsAll, 0, clock.Now(), 0, 10)
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("events: %+v, %v", page, err)
	}
	e := page.Events[0]
	if e.TownID != ichnia || e.URL != "https://meet.example.org/ichnia" || e.Duration != 2*time.Hour ||
		!e.StartsAt.Equal(utc("2026-03-30 07:00")) || e.TimeZone != "Europe/Kyiv" {
		t.Fatalf("stored event %+v", e)
	}
	if n := countMessages(env, camille.ID(), fr.T("event_new_head")); n != 0 {
		t.Fatalf("Camille, who is not from Ichnia, was told %d times", n)
	}

	// Greta asks to be reminded a week and a day before.
	greta.Press(de.Plain("event_remind_button")).Expect(de.T("event_remind_ask", "Title", title,
		"When", "Montag, 30. März 2026 um 09:00 Uhr"))
	greta.Press("☐ " + de.Plain("event_offset_week"))
	greta.Press("☐ " + de.Plain("event_offset_day"))
	greta.Expect(de.T("event_remind_ask", "Title", title, "When", "Montag, 30. März 2026 um 09:00 Uhr"))

	// Camille finds it in /events, in French and in Paris time.
	camille.Say("/events").Expect(fr.T("events_title_all"), "lundi 30 mars 2026 à 09:00")
	camille.Press(fr.Plain("events_open_button", "When", "30/03 09:00", "Title", title))
	camille.Expect(fr.T("event_card_title", "Title", title),
		fr.T("event_when_zones", "When", "lundi 30 mars 2026 à 09:00", "Zone", "Kyiv", "Other", "10:00"),
		fr.T("event_card_duration", "Duration", "2 heures"))
	camille.Press(fr.Plain("event_ics_button"))
	doc := camille.Last().Document
	if doc == nil {
		t.Fatalf("no .ics; the bot said:\n%s", camille.Transcript())
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(doc.Content))
	if err != nil || len(cal.Events()) != 1 {
		t.Fatalf("the .ics does not parse: %v\n%s", err, doc.Content)
	}
	if p := cal.Events()[0].GetProperty(ics.ComponentPropertyDtStart); p == nil || p.Value != "20260330T070000Z" {
		t.Fatalf("DTSTART = %+v, want 20260330T070000Z (10:00 in Kyiv, summer time)", p)
	}
	if !strings.HasSuffix(doc.FileName, ".ics") {
		t.Fatalf("file name %q", doc.FileName)
	}
	camille.Press(fr.Plain("event_remind_button")).Press("☐ " + fr.Plain("event_offset_hour"))

	// The reminders wait in the delivery engine: "1 day before" is Sunday
	// 10:00 Kyiv summer time, "1 week before" Monday 10:00 winter time.
	expectPending(t, env, e.ID, pendingReminder{greta.ID(), utc("2026-03-23 08:00")},
		pendingReminder{greta.ID(), utc("2026-03-29 07:00")}, pendingReminder{camille.ID(), utc("2026-03-30 06:00")})

	// A week before, Greta's first reminder arrives in German.
	clock.Set(utc("2026-03-23 08:00").Add(30 * time.Second))
	waitForMessage(t, env, greta.ID(), de.T("event_reminder_week", "Title", title), "Montag, 30. März 2026 um 09:00 Uhr")

	// Olena moves the event to Tuesday 18:00.
	olena.Say("/events").Press(uk.Plain("events_open_button", "When", "30.03 10:00", "Title", title))
	olena.Press(uk.Plain("event_edit_button")).Expect(uk.T("ev_edit_ask", "Title", title))
	olena.Press(uk.Plain("ev_field_when")).Press("✓ Київ")
	olena.Say("31.03.2026 18:00").Expect(uk.T("ev_confirm_edit"), "вівторок, 31 березня 2026 р., 18:00")
	olena.Press(uk.Plain("ev_save")).Expect(uk.N("ev_saved", 2))

	// Both subscribers learn what changed, in their language and zone.
	waitForMessage(t, env, greta.ID(), de.T("event_changed_head", "Title", title),
		de.T("event_changed_when", "Old", "Montag, 30. März 2026 um 09:00 Uhr", "New", "Dienstag, 31. März 2026 um 17:00 Uhr"))
	waitForMessage(t, env, camille.ID(), fr.T("event_changed_head", "Title", title),
		fr.T("event_changed_when", "Old", "lundi 30 mars 2026 à 09:00", "New", "mardi 31 mars 2026 à 17:00"))
	// Their reminders moved with it.
	expectPending(t, env, e.ID, pendingReminder{greta.ID(), utc("2026-03-24 16:00")},
		pendingReminder{greta.ID(), utc("2026-03-30 15:00")}, pendingReminder{camille.ID(), utc("2026-03-31 14:00")})

	// The old "1 day before" time passes without a reminder; the new
	// "1 week before" one comes.
	clock.Set(utc("2026-03-29 07:00").Add(30 * time.Second))
	waitForMessage(t, env, greta.ID(), de.T("event_reminder_week", "Title", title), "Dienstag, 31. März 2026 um 17:00 Uhr")
	waitQueueEmpty(t, env)
	if n := countMessages(env, greta.ID(), de.T("event_reminder_day", "Title", title)); n != 0 {
		t.Fatalf("Greta got %d day-before reminders at the old time", n)
	}

	// Olena cancels: both are told, and no reminder is left.
	olena.Say("/events").Press(uk.Plain("events_open_button", "When", "31.03 18:00", "Title", title))
	olena.Press(uk.Plain("event_cancel_button")).Expect(uk.N("ev_cancel_confirm", 2, "Title", title))
	olena.Press(uk.Plain("ev_cancel_yes")).Expect(uk.N("ev_cancel_done", 2, "Title", title))
	waitForMessage(t, env, greta.ID(), de.T("event_cancelled_notice", "Title", title, "When", "Dienstag, 31. März 2026 um 17:00 Uhr"))
	waitForMessage(t, env, camille.ID(), fr.T("event_cancelled_notice", "Title", title, "When", "mardi 31 mars 2026 à 17:00"))
	expectPending(t, env, e.ID)
	clock.Set(utc("2026-03-31 16:00"))
	waitQueueEmpty(t, env)
	for _, c := range []struct {
		u    *bottest.User
		text string
	}{
		{greta, de.T("event_reminder_day", "Title", title)},
		{camille, fr.T("event_reminder_hour", "Title", title)},
	} {
		if n := countMessages(env, c.u.ID(), c.text); n != 0 {
			t.Fatalf("%s got a reminder for the cancelled event", c.u.TG.FirstName)
		}
	}
	// The cancelled event is no longer listed, and its buttons say so.
	camille.Say("/events").Expect(fr.T("events_none_all"))
	camille.PressData(fmt.Sprintf("ev:r:%d", e.ID))
	if a := env.TG.CallbackAnswers(); a[len(a)-1].Text != fr.Plain("event_closed") {
		t.Fatalf("reminder button of a cancelled event answered %q", a[len(a)-1].Text)
	}
}

// TestOnlyOrganisersManageEvents: a volunteer can neither create nor, by
// forged buttons, edit or cancel an event; a coordinator cannot touch
// another coordinator's event; an administrator can.
func TestOnlyOrganisersManageEvents(t *testing.T) {
	t.Parallel()
	clock := testclock.New(utc("2026-05-04 08:00"))
	env := bottest.New(t, bottest.Options{Admins: []int64{42000}, Now: clock.Now})
	en, de, sv := env.Loc("en"), env.Loc("de"), env.Loc("sv")
	admin := env.User(42000, "sv", "Astrid")
	owner := env.User(42001, "uk", "Taras")
	other := env.User(42002, "de", "Jonas")
	volunteer := env.User(42003, "en", "Petro")
	for _, u := range []*bottest.User{admin, owner, other, volunteer} {
		u.Say("/start")
	}
	makeCoordinator(t, env, owner)
	makeCoordinator(t, env, other)
	e := createEvent(t, env, owner.ID(), storage.EventFields{Title: "Online call", StartsAt: utc("2026-05-20 15:00"),
		TimeZone: "Europe/Berlin", Duration: time.Hour, URL: "https://meet.example.org/call"})
	id := fmt.Sprint(e.ID)
	unchanged := func() {
		t.Helper()
		got, err := env.Store.Event(context.Background(), e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Cancelled || got.Title != e.Title || !got.StartsAt.Equal(e.StartsAt) {
			t.Fatalf("event changed: %+v", got)
		}
	}

	refused := func(u *bottest.User, want string, forged ...string) {
		t.Helper()
		for _, data := range forged {
			u.PressData(data)
			if a := env.TG.CallbackAnswers(); a[len(a)-1].Text != want {
				t.Fatalf("%s's %s answered %q, want %q", u.TG.FirstName, data, a[len(a)-1].Text, want)
			}
		}
		unchanged()
	}

	volunteer.Say("/newevent").Expect(en.T("not_allowed_coordinator"))
	refused(volunteer, en.Plain("not_allowed_coordinator"),
		"evc:e:"+id, "evc:f:"+id+":title", "evc:f:"+id+":when", "evc:x:"+id, "evc:xy:"+id)
	// The volunteer's card has no organiser buttons.
	volunteer.Say("/events").Press(en.Plain("events_open_button", "When", "20/05 17:00", "Title", "Online call"))
	volunteer.ExpectNot(en.Plain("event_edit_button"))
	unchanged()

	// Another coordinator is refused too, from the database, whatever the
	// button says.
	refused(other, de.Plain("ev_not_yours"), "evc:e:"+id, "evc:f:"+id+":title", "evc:f:"+id+":owner", "evc:xy:"+id)
	refused(other, de.Plain("callback_invalid"), "evc:xy:999999", "evc:xy:x", "ev:rt:"+id+":30", "ev:l:secret:0")

	// The administrator may cancel anyone's event.
	admin.Say("/events").Press(sv.Plain("events_open_button", "When", "20/05 17:00", "Title", "Online call"))
	admin.Press(sv.Plain("event_cancel_button")).Press(sv.Plain("ev_cancel_yes")).Expect(sv.N("ev_cancel_done", 0, "Title", "Online call"))
	if got, _ := env.Store.Event(context.Background(), e.ID); !got.Cancelled {
		t.Fatal("the administrator could not cancel")
	}
}

// TestEventsListTabsAndPages pages through upcoming events and shows the
// "my town" and "followed" tabs, in Swedish.
func TestEventsListTabsAndPages(t *testing.T) {
	t.Parallel()
	clock := testclock.New(utc("2026-06-01 06:00"))
	env := bottest.New(t, bottest.Options{Now: clock.Now})
	sv := env.Loc("sv")
	org := env.User(43001, "de", "Lena")
	u := env.User(43002, "sv", "Sven")
	org.Say("/start")
	u.Say("/start")
	laxa := addTown(t, env, "Laxå", "SE")
	for i := range 7 {
		f := storage.EventFields{Title: fmt.Sprintf("Möte %d", i+1), StartsAt: utc("2026-06-10 08:00").Add(time.Duration(i) * 24 * time.Hour),
			TimeZone: "Europe/Stockholm", Duration: time.Hour, Place: "Stadshuset"}
		if i == 6 {
			f.TownID = laxa
		}
		createEvent(t, env, org.ID(), f)
	}
	u.Say("/events").Expect(sv.T("events_title_all"), "Möte 1", "Möte 5", sv.T("events_page", "Page", 1, "Pages", 2))
	u.ExpectNot("Möte 6")
	u.Press(sv.Plain("events_next")).Expect("Möte 6", "Möte 7", sv.T("events_page", "Page", 2, "Pages", 2))
	u.Press(sv.Plain("events_prev")).Expect("Möte 1")
	u.Press(sv.Plain("events_tab_town")).Expect(sv.T("events_no_town"))
	if err := env.Store.SaveProfile(context.Background(), storage.Profile{UserID: u.ID(), TownID: laxa}); err != nil {
		t.Fatal(err)
	}
	u.Press("• "+sv.Plain("events_tab_town")+" •").Expect(sv.T("events_title_town"), "Möte 7")
	u.ExpectNot("Möte 1")
	u.Press(sv.Plain("events_tab_projects")).Expect(sv.T("events_none_projects"))
	// Swedish dates, in Stockholm time: 8:00 UTC is 10:00 in summer.
	u.Press(sv.Plain("events_tab_all")).Expect("onsdag 10 juni 2026 kl. 10:00")
}

// TestSettingsTimeZone changes the zone, refusing an unknown one, and
// shows events in the new zone with the event's own beside it.
func TestSettingsTimeZone(t *testing.T) {
	t.Parallel()
	clock := testclock.New(utc("2026-07-01 10:00"))
	env := bottest.New(t, bottest.Options{Now: clock.Now})
	en := env.Loc("en")
	u := env.User(44001, "en", "Ann")
	u.Say("/start")
	createEvent(t, env, u.ID(), storage.EventFields{Title: "Partnership call", StartsAt: utc("2026-07-10 07:00"),
		TimeZone: "Europe/Kyiv", Duration: time.Hour, URL: "https://meet.example.org/p"})

	// English speakers start on Berlin time.
	u.Say("/settings").Expect(en.T("settings_text", "Zone", "Berlin", "ZoneID", "Europe/Berlin",
		"Now", "Wednesday, 1 July 2026 at 12:00", "Language", "English"))
	u.Press(en.Plain("settings_zone_button")).Expect(en.T("settings_zone_ask"))
	u.Say("Mars/Olympus").Expect(en.T("zone_unknown", "Zone", "Mars/Olympus"))
	u.Say("america/new york").Expect(en.T("settings_zone_saved", "Zone", "America/New_York"))
	env.Restart()
	u.Say("/events").Press(en.Plain("events_open_button", "When", "10/07 03:00", "Title", "Partnership call"))
	u.Expect(en.T("event_when_zones", "When", "Friday, 10 July 2026 at 03:00", "Zone", "Kyiv", "Other", "10:00"))
	u.Say("/settings").Press(en.Plain("settings_zone_button")).Press("Kyiv").Expect(en.T("settings_zone_saved", "Zone", "Kyiv"))
	u.Say("/events").Press(en.Plain("events_open_button", "When", "10/07 10:00", "Title", "Partnership call"))
	u.Expect(en.T("event_when", "When", "Friday, 10 July 2026 at 10:00"))
}

// TestEventMovedToAnotherTownIsAnnouncedThere: when an organiser moves an
// event to another town, the people of that town hear of it as of a new
// event, in their language; the people of the old town are not told again.
func TestEventMovedToAnotherTownIsAnnouncedThere(t *testing.T) {
	t.Parallel()
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	clock := testclock.New(time.Date(2026, 5, 4, 9, 0, 0, 0, kyiv))
	env := bottest.New(t, bottest.Options{Now: clock.Now})
	uk, de, sv := env.Loc("uk"), env.Loc("de"), env.Loc("sv")
	olena, greta, astrid := env.Started(42001, "uk", "Олена"), env.Started(42002, "de", "Greta"),
		env.Started(42003, "sv", "Astrid")
	makeCoordinator(t, env, olena)
	ichnia, laxa := addTown(t, env, "Ichnia", "UA"), addTown(t, env, "Laxå", "SE")
	ctx := context.Background()
	for user, town := range map[int64]int64{greta.ID(): ichnia, astrid.ID(): laxa} {
		if err := env.Store.SaveProfile(ctx, storage.Profile{UserID: user, TownID: town}); err != nil {
			t.Fatal(err)
		}
	}
	const title = "Vänortsdag"
	olena.Say("/newevent").Say(title).Say("Musik och samtal.").Press("✓ Київ")
	olena.Say("12 травня о 18:00").Press("2 години")
	olena.Say("Ратуша").Say("Ічня").Press("Ichnia, " + uk.Country("UA"))
	olena.Press(uk.Plain("ev_publish")).Expect(uk.N("ev_created", 1))
	waitForMessage(t, env, greta.ID(), de.T("event_new_head"), title)

	olena.Say("/events").Press(uk.Plain("events_open_button", "When", "12.05 18:00", "Title", title))
	olena.Press(uk.Plain("event_edit_button")).Press(uk.Plain("ev_field_town"))
	olena.Say("Laxa").Press("Laxå, " + uk.Country("SE")).Expect(uk.T("ev_confirm_edit"))
	olena.Press(uk.Plain("ev_save")).Expect(uk.N("ev_saved", 0), uk.N("ev_saved_announced", 1))
	waitForMessage(t, env, astrid.ID(), sv.T("event_new_head"), title)
	waitQueueEmpty(t, env)
	if n := countMessages(env, greta.ID(), de.T("event_new_head")); n != 1 {
		t.Fatalf("Greta, of the old town, was told of the event %d times, want once", n)
	}
}
