package bot_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"partnerbot/internal/bottest"
	"partnerbot/internal/faketelegram"
	"partnerbot/internal/testclock"
	"partnerbot/internal/timefmt"
	"partnerbot/internal/zones"
	"partnerbot/locales"
	"partnerbot/storage"
)

// broadcastWorld is a project world with the example partnerships
// (Ichnia — Grevesmühlen — Laxå), a town outside that network (Zhytomyr),
// an administrator (id 1, English) and a running clock.
type broadcastWorld struct {
	*projectWorld
	clock *testclock.Clock
	admin *bottest.User
}

func newBroadcastWorld(t *testing.T, at time.Time) *broadcastWorld {
	t.Helper()
	return newBroadcastWorldAt(t, at, 0)
}

// newBroadcastWorldAt is newBroadcastWorld with the delivery engine
// sending rate messages a second (0: bottest's default).
func newBroadcastWorldAt(t *testing.T, at time.Time, rate float64) *broadcastWorld {
	t.Helper()
	clk := testclock.New(at)
	w := &broadcastWorld{projectWorld: newProjectWorld(t, bottest.Options{Admins: []int64{1}, Now: clk.Now,
		DeliveryRate: rate}), clock: clk}
	addExamplePartnerships(t, w.projectWorld)
	ctx := context.Background()
	err := w.Store.WriteTowns(ctx, func(tw *storage.TownWriter) error {
		_, _, err := tw.UpsertTown(ctx, storage.TownRecord{Key: "ua-zhytomyr", Name: "Zhytomyr", Country: "UA", Region: "Zhytomyr Oblast"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	found, err := w.Store.SearchTowns(ctx, "Zhytomyr", 1)
	if err != nil || len(found) == 0 {
		t.Fatalf("Zhytomyr: %v", err)
	}
	w.towns["Zhytomyr"] = found[0]
	w.admin = w.user(1, "en", "Ada")
	return w
}

// resident is a started user whose profile town is town, speaking langs.
func (w *broadcastWorld) resident(id int64, lang, name, town string, langs ...string) *bottest.User {
	w.t.Helper()
	u := w.user(id, lang, name)
	if err := w.Store.SaveProfile(context.Background(), storage.Profile{UserID: id, TownID: w.towns[town].ID,
		Languages: langs}); err != nil {
		w.t.Fatal(err)
	}
	return u
}

// grantCoordinator makes u coordinator for town through /coordinators,
// as the administrator.
func (w *broadcastWorld) grantCoordinator(u *bottest.User, town string) {
	w.t.Helper()
	en := w.Loc("en")
	w.admin.Say("/coordinators").Press(en.Plain("coordinators_add_button"))
	w.admin.Say("@" + u.TG.Username).Press(en.Plain("coordinators_confirm_yes")).
		Expect(en.T("coordinator_granted", "Name", u.TG.FirstName))
	w.admin.Say("/coordinators").Press(en.Plain("coordinators_town_button", "Name", u.TG.FirstName))
	w.admin.Expect(en.T("coordinators_ask_town"))
	w.admin.Say(town).Press(w.townButton(en, town))
	w.admin.Expect(en.T("coordinators_town_added", "Name", u.TG.FirstName, "Town", w.towns[town].Name))
	w.admin.Say("/coordinators").Expect(en.T("coordinators_towns", "Towns", w.towns[town].Name))
}

// composeToNetwork takes u through /broadcast to the text step with the
// whole network, everyone living there.
func composeToNetwork(u *bottest.User, l *locales.Localizer) {
	u.Say("/broadcast").Expect(l.T("bc_ask_place"))
	u.Press(l.Plain("bc_place_network")).Expect(l.T("bc_ask_countries"))
	u.Press(l.Plain("step_done")).Expect(l.T("bc_ask_groups"))
	u.Press(l.Plain("step_done")).Expect(l.T("bc_ask_sectors"))
	u.Press(l.Plain("step_done")).Expect(l.T("bc_ask_topics"))
	u.Press(l.Plain("step_done"))
}

// copiesOf lists the texts chatID received that contain s (sent, not
// edits).
func copiesOf(w *broadcastWorld, chatID int64, s string) int { return countMessages(w.Env, chatID, s) }

// TestBroadcastComposeAndSend: an administrator grants a Ukrainian
// coordinator the town Ichnia; she composes an announcement to her
// partnership network with a Ukrainian and a German version, after an
// invalid-markup retry; the counts per language, the preview and the send;
// recipients in all five languages get the right version (their language,
// a profile language, else hers with a note in theirs); a muted person and
// one outside the network get nothing; the status ends done.
func TestBroadcastComposeAndSend(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	olena := w.user(2, "uk", "Olena")
	w.grantCoordinator(olena, "Ichnia")

	ruk := w.resident(11, "uk", "Taras", "Ichnia")
	rde := w.resident(12, "de", "Jonas", "Grevesmühlen")
	rfr := w.resident(13, "fr", "Claire", "Grevesmühlen", "fr", "de")
	rsv := w.resident(14, "sv", "Sara", "Laxå")
	ren := w.resident(15, "en", "Emma", "Laxå")
	muted := w.resident(16, "de", "Max", "Ichnia")
	outsider := w.resident(17, "uk", "Petro", "Zhytomyr")
	if err := w.Store.AddMute(context.Background(), muted.ID(), storage.Mute{Kind: storage.MuteTown,
		Value: itoa(w.towns["Ichnia"].ID)}); err != nil {
		t.Fatal(err)
	}

	uk := w.Loc("uk")
	olena.Say("/broadcast")
	olena.Press(uk.Plain("bc_place_network"))
	// Five people in the network: the muted one and the outsider are not counted.
	olena.Expect(uk.N("bc_counts", 5), uk.Plain("lang_list_uk")+" 1", uk.Plain("lang_list_de")+" 1",
		uk.Plain("lang_list_fr")+" 1", uk.Plain("lang_list_sv")+" 1", uk.Plain("lang_list_en")+" 1")
	olena.Press(uk.Plain("step_done"))
	olena.Press(uk.Plain("step_done"))
	olena.Press(uk.Plain("step_done"))
	olena.Press(uk.Plain("step_done")).Expect(uk.T("bc_ask_text", "Language", uk.Plain("lang_list_uk")))

	// Invalid markup is caught with its reason, and the question comes again.
	olena.Say("<b>Вітаємо громади").Expect(uk.T("bc_html_invalid", "Reason",
		locales.HTML(uk.T("bc_html_unclosed", "Tag", "b"))))
	olena.Say("<b>Вітаємо</b>, громади & партнери").Expect(uk.T("bc_html_invalid", "Reason",
		locales.HTML(uk.T("bc_html_entity", "Entity", "& партнери"))))
	olena.Say("<b>Вітаємо</b>, громади-партнери!")
	olena.Press(uk.Plain("lang_de")).Expect(uk.T("bc_ask_version", "Language", uk.Plain("lang_list_de")))
	olena.Say("<b>Willkommen</b>, Partnerorte!")
	olena.Press(uk.Plain("bc_continue")).Expect(uk.T("bc_ask_links", "Max", 3))
	olena.Say("Сайт | https://example.org/ichnia")
	olena.Press(uk.Plain("bc_no_media"))
	olena.Press(uk.Plain("bc_no_deadline")).Expect(uk.T("bc_ask_send"))
	olena.Expect(uk.N("bc_preview_line_note", 1, "Language", uk.Plain("lang_list_sv"), "Version", uk.Plain("lang_list_uk")))
	olena.Expect(uk.N("bc_preview_line", 1, "Language", uk.Plain("lang_list_fr"), "Version", uk.Plain("lang_list_de")))

	// The Swedish preview is what Sara will see: Olena's text with a note in Swedish.
	sv := w.Loc("sv")
	olena.Press(uk.Plain("bc_preview_button", "Language", uk.Plain("lang_sv")))
	preview := olena.Expect(sv.T("bc_note_language", "Language", sv.Plain("lang_list_uk")), "<b>Вітаємо</b>, громади-партнери!")
	w.expectButtons(preview, "Сайт", sv.Plain("bc_mute_town", "Town", "Ichnia"))

	olena.Press(uk.Plain("bc_send_now"))
	olena.WaitFor(uk.T("bc_status_done"))

	waitForMessage(t, w.Env, ruk.ID(), "<b>Вітаємо</b>, громади-партнери!")
	waitForMessage(t, w.Env, rde.ID(), "<b>Willkommen</b>, Partnerorte!")
	waitForMessage(t, w.Env, rfr.ID(), "<b>Willkommen</b>, Partnerorte!")
	waitForMessage(t, w.Env, rsv.ID(), sv.T("bc_note_language", "Language", sv.Plain("lang_list_uk")), "Вітаємо")
	en := w.Loc("en")
	waitForMessage(t, w.Env, ren.ID(), en.T("bc_note_language", "Language", en.Plain("lang_list_uk")), "Вітаємо")
	if n := copiesOf(w, rde.ID(), "Вітаємо"); n != 0 {
		t.Errorf("Jonas got the Ukrainian version as well (%d)", n)
	}
	if strings.Contains(w.TG.Sent(rfr.ID())[len(w.TG.Sent(rfr.ID()))-1].Text, "ℹ️") {
		t.Error("Claire, who reads German, got a note about the language")
	}
	// The author reads only her own preview.
	if n := copiesOf(w, olena.ID(), "Вітаємо"); n != 1 {
		t.Errorf("Olena got her text %d times, want once (the preview)", n)
	}
	for _, u := range []*bottest.User{muted, outsider} {
		if n := copiesOf(w, u.ID(), "Вітаємо") + copiesOf(w, u.ID(), "Willkommen"); n != 0 {
			t.Errorf("%s got the announcement %d times", u.TG.FirstName, n)
		}
	}

	// /broadcasts lists it with its figures.
	olena.Say("/broadcasts").Expect(uk.T("bc_list_title"), "✅ 5 ")
	var action string
	if err := w.Pool.QueryRow(context.Background(), `SELECT action FROM audit_log WHERE actor_id = $1 AND action = 'broadcast'`,
		olena.ID()).Scan(&action); err != nil {
		t.Fatalf("no audit entry of the broadcast: %v", err)
	}
}

// TestBroadcastRefusals: a volunteer is refused /broadcast, /broadcasts
// and every broadcast button, forged ones included; a coordinator is
// refused a town outside her network, in the dialogue, by forged wizard
// data and in the storage; a coordinator whose role is revoked mid-way is
// refused at the next step and at the end. In German and Swedish.
func TestBroadcastRefusals(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	de, sv := w.Loc("de"), w.Loc("sv")
	vol := w.resident(20, "sv", "Nils", "Laxå")
	for _, cmd := range []string{"/broadcast", "/broadcasts"} {
		vol.Say(cmd).ExpectNot(sv.T("bc_ask_place"))
		vol.Expect(sv.T("not_allowed_coordinator"))
	}
	for _, data := range []string{"bc:s:1", "bc:f:1", "bc:v:1", "wz:0:network", "bm:mt:1", "bm:r:1"} {
		vol.PressData(data)
		vol.ExpectNot(sv.T("bc_ask_place"))
		vol.ExpectNot(sv.T("bc_ask_correct_lang"))
	}

	anna := w.user(3, "de", "Anna")
	w.grantCoordinator(anna, "Grevesmühlen")
	anna.Say("/broadcast").Press(de.Plain("bc_place_chosen")).Expect(de.T("bc_ask_towns"))
	anna.Say("Zhytomyr").Press(w.townButton(de, "Zhytomyr")).Expect(de.T("bc_town_outside"))
	// A forged button for a town that was never offered.
	anna.PressData("wz:1:" + itoa(w.towns["Zhytomyr"].ID))
	anna.Expect(de.T("step_use_buttons"))
	// Offered (she typed it) and forged past the check: the storage refuses it.
	_, err := w.Store.ResolveAudience(context.Background(), storage.Audience{Place: storage.PlaceChosen,
		Towns: []int64{w.towns["Zhytomyr"].ID}, Groups: []string{storage.GroupResidents}},
		storage.Sender{UserID: anna.ID()}, storage.Exclusions{Kind: storage.KindAnnouncements})
	if !errors.Is(err, storage.ErrOutsideNetwork) {
		t.Fatalf("resolving a town outside the network: %v, want ErrOutsideNetwork", err)
	}
	// Laxå, her partner's partner, is inside.
	anna.Say("Laxå").Press(w.townButton(de, "Laxå")).Expect(de.T("bc_towns_picked", "Towns", "Laxå"))

	// Revoked while the dialogue is open: refused at the next step.
	if _, err := w.Pool.Exec(context.Background(), `UPDATE users SET role = 'volunteer' WHERE id = $1`, anna.ID()); err != nil {
		t.Fatal(err)
	}
	anna.Press(de.Plain("step_done")).Expect(de.T("not_allowed_coordinator"))
	anna.PressData("bc:s:1")
	anna.ExpectNot(de.N("bc_stopped", 0))
}

// pendingBroadcastJobs counts the copies of broadcast id still queued.
func pendingBroadcastJobs(t *testing.T, w *broadcastWorld, kind string, chatID int64) int {
	t.Helper()
	var n int
	if err := w.Pool.QueryRow(context.Background(), `
		SELECT count(*) FROM river_job WHERE kind = 'delivery_send' AND args->>'kind' = $1
		  AND ($2 = 0 OR (args->>'chat_id')::bigint = $2)
		  AND state IN ('scheduled', 'available', 'retryable', 'running')`, kind, chatID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBroadcastQuietHoursStopCorrectRemind: a French coordinator sends a
// funding call at 22:30 Paris time. The English recipient in New York gets
// it at once; the German and the Ukrainian one are due at 08:00 their time
// (quiet hours); the status says so. Stopping cancels their copies, which
// never arrive, even after 08:00. Correcting the text edits the copy
// already delivered. The recipient asks to be reminded of the deadline and
// gets the reminder a week before, in English.
func TestBroadcastQuietHoursStopCorrectRemind(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 21, 30, 0, 0, time.UTC))
	ctx := context.Background()
	camille := w.user(4, "fr", "Camille")
	w.grantCoordinator(camille, "Grevesmühlen")
	emma := w.resident(31, "en", "Emma", "Grevesmühlen")
	if err := w.Store.SetTimeZone(ctx, emma.ID(), "America/New_York"); err != nil {
		t.Fatal(err)
	}
	jonas := w.resident(32, "de", "Jonas", "Grevesmühlen")
	taras := w.resident(33, "uk", "Taras", "Laxå")

	fr, en := w.Loc("fr"), w.Loc("en")
	paris, newYork := zones.Load("Europe/Paris"), zones.Load("America/New_York")
	composeToNetwork(camille, fr)
	camille.Say("Appel à projets : <i>jeunesse</i>")
	camille.Press(fr.Plain("bc_continue"))
	camille.Press(fr.Plain("bc_no_links"))
	camille.Press(fr.Plain("bc_no_media")).Expect(fr.T("bc_ask_deadline", "Example", timefmt.Numeric(fr, w.clock.Now().In(paris).AddDate(0, 1, 0))))
	camille.Say("15.04.2026").Expect(fr.T("bc_ask_send"))
	camille.Press(fr.Plain("bc_send_now"))

	note := en.T("bc_note_language", "Language", en.Plain("lang_list_fr"))
	copyMsg := emma.WaitFor(note, "Appel à projets : <i>jeunesse</i>")
	w.expectButtons(copyMsg, en.Plain("bc_remind_button"), en.Plain("bc_mute_town", "Town", "Grevesmühlen"))

	// Quiet hours: due at 08:00 in Berlin and in Kyiv.
	due := map[int64]time.Time{}
	rows, err := w.Pool.Query(ctx, `SELECT user_id, due_at FROM broadcast_recipients`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			t.Fatal(err)
		}
		due[id] = at.UTC()
	}
	for id, want := range map[int64]time.Time{
		emma.ID():  time.Date(2026, 3, 2, 21, 30, 0, 0, time.UTC),
		jonas.ID(): time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC),
		taras.ID(): time.Date(2026, 3, 3, 6, 0, 0, 0, time.UTC),
	} {
		if got := due[id]; !got.Truncate(time.Minute).Equal(want) {
			t.Errorf("copy to %d due %v, want %v", id, got, want)
		}
	}
	camille.WaitFor(fr.T("bc_status_sent", "Sent", 1, "Total", 3), fr.T("bc_status_waiting", "Waiting", 2,
		"When", timefmt.Short(fr, time.Date(2026, 3, 3, 6, 0, 0, 0, time.UTC).In(paris))))

	// Stop: the two waiting copies never go.
	camille.Press(fr.Plain("bc_stop_button")).Expect(fr.N("bc_stopped", 2))
	if n := pendingBroadcastJobs(t, w, "broadcast", 0); n != 0 {
		t.Fatalf("%d copies still queued after stop", n)
	}
	w.clock.Advance(11 * time.Hour)
	time.Sleep(time.Second)
	for _, u := range []*bottest.User{jonas, taras} {
		if n := copiesOf(w, u.ID(), "Appel à projets"); n != 0 {
			t.Errorf("%s got the stopped announcement", u.TG.FirstName)
		}
	}

	// Correct the text: Emma's copy is edited.
	camille.Press(fr.Plain("bc_correct_button")).Expect(fr.T("bc_ask_correct_lang"))
	camille.Press(fr.Plain("lang_fr"))
	camille.Say("Appel à projets : <i>jeunesse et sport</i>").Expect(fr.N("bc_corrected", 1, "Language", fr.Plain("lang_list_fr")))
	waitForMessage(t, w.Env, emma.ID(), note, "<i>jeunesse et sport</i>")
	edited := false
	for _, m := range w.TG.Sent(emma.ID()) {
		edited = edited || m.Edited && strings.Contains(m.Text, "jeunesse et sport")
	}
	if !edited || copiesOf(w, emma.ID(), "Appel à projets") != 1 {
		t.Fatalf("the correction was not an edit of Emma's one copy")
	}

	// Remind me: a week and a day before 15 April 23:59 Paris time.
	emma.Press(en.Plain("bc_remind_button"))
	w.expectAlert(emma, en.Plain("bc_remind_set"))
	if n := pendingBroadcastJobs(t, w, "broadcast_reminder", emma.ID()); n != 2 {
		t.Fatalf("%d reminders queued, want 2", n)
	}
	w.clock.Set(time.Date(2026, 4, 8, 22, 0, 0, 0, time.UTC))
	deadline := time.Date(2026, 4, 15, 23, 59, 0, 0, paris)
	emma.WaitFor(en.T("bc_reminder_week", "When", timefmt.DateTime(en, deadline.In(newYork))))
}

// TestBroadcastMuteAndSwitches: a Swedish recipient mutes the town an
// announcement came from with its button, sees the mute in /settings and
// switches announcements off there; the next announcement does not count
// or reach her; /export shows both, and lifting the mute works. A forged
// mute button for a broadcast she never received is refused.
func TestBroadcastMuteAndSwitches(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	olena := w.user(2, "uk", "Olena")
	w.grantCoordinator(olena, "Ichnia")
	sara := w.resident(14, "sv", "Sara", "Laxå")
	uk, sv := w.Loc("uk"), w.Loc("sv")

	send := func(text string) {
		composeToNetwork(olena, uk)
		olena.Say(text)
		olena.Press(uk.Plain("bc_continue"))
		olena.Press(uk.Plain("bc_no_links"))
		olena.Press(uk.Plain("bc_no_media"))
		olena.Press(uk.Plain("bc_no_deadline"))
		olena.Press(uk.Plain("bc_send_now"))
	}
	send("Перше оголошення")
	sara.WaitFor("Перше оголошення")
	sara.Press(sv.Plain("bc_mute_town", "Town", "Ichnia"))
	w.expectAlert(sara, sv.Plain("bc_muted_town", "Town", "Ichnia"))
	sara.Say("/settings").Expect(sv.T("settings_muted_town", "Name", "Ichnia"), sv.T("settings_kind_on", "Kind", sv.Plain("settings_kind_announcements")))
	sara.Press(sv.Plain("settings_kind_switch_off", "Kind", sv.Plain("settings_kind_announcements")))
	sara.Expect(sv.T("settings_kind_off", "Kind", sv.Plain("settings_kind_announcements")))

	rs, err := w.Store.ResolveAudience(ctx, storage.Audience{Place: storage.PlaceNetwork, Groups: []string{storage.GroupResidents}},
		storage.Sender{UserID: olena.ID()}, storage.Exclusions{Kind: storage.KindAnnouncements})
	if err != nil || len(rs) != 0 {
		t.Fatalf("with announcements off: %v, %v", rs, err)
	}
	export, err := w.Store.Export(ctx, sara.ID())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"user_mutes.user_id", "user_message_kinds_off.user_id"} {
		if !strings.Contains(string(export[key]), "\"user_id\"") {
			t.Errorf("/export lacks %s: %s", key, export[key])
		}
	}
	// Nobody left to address: the bot says so instead of sending.
	composeToNetwork(olena, uk)
	olena.Say("Друге оголошення")
	olena.Press(uk.Plain("bc_continue"))
	olena.Press(uk.Plain("bc_no_links"))
	olena.Press(uk.Plain("bc_no_media"))
	olena.Press(uk.Plain("bc_no_deadline")).Expect(uk.N("bc_counts", 0))
	olena.Press(uk.Plain("bc_send_now")).Expect(uk.T("bc_nobody"))
	if n := copiesOf(w, sara.ID(), "Друге оголошення"); n != 0 {
		t.Fatal("Sara got an announcement she switched off")
	}

	// Lifting the mute.
	sara.Say("/settings").Press(sv.Plain("settings_unmute_button", "Name", "Ichnia"))
	if ms, err := w.Store.Mutes(ctx, sara.ID()); err != nil || len(ms) != 0 {
		t.Fatalf("mutes after lifting: %v, %v", ms, err)
	}
	// A forged mute button of a broadcast she did not receive.
	other := w.resident(15, "en", "Emma", "Laxå")
	send("Третє оголошення")
	other.WaitFor("Третє оголошення")
	var third int64
	if err := w.Pool.QueryRow(ctx, `SELECT max(id) FROM broadcasts`).Scan(&third); err != nil {
		t.Fatal(err)
	}
	sara.PressData("bm:mt:" + itoa(third))
	if ms, _ := w.Store.Mutes(ctx, sara.ID()); len(ms) != 0 {
		t.Fatal("a forged mute button of someone else's copy took effect")
	}
}

// TestBroadcastCopyGivenUpCountsAsFailed: a copy whose last attempt fails
// (River gives up on it) counts as failed in the figures, not as still
// due, and the status ends.
func TestBroadcastCopyGivenUpCountsAsFailed(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 21, 30, 0, 0, time.UTC))
	ctx := context.Background()
	anna := w.user(3, "de", "Anna")
	w.grantCoordinator(anna, "Grevesmühlen")
	jonas := w.resident(32, "de", "Jonas", "Grevesmühlen")
	de := w.Loc("de")
	composeToNetwork(anna, de)
	anna.Say("Sommerfest am Hafen")
	anna.Press(de.Plain("bc_continue"))
	anna.Press(de.Plain("bc_no_links"))
	anna.Press(de.Plain("bc_no_media"))
	anna.Press(de.Plain("bc_no_deadline"))
	anna.Press(de.Plain("bc_send_now"))
	// Quiet hours hold Jonas's copy until 08:00 Berlin time; by then its
	// earlier attempts have failed, and the one left fails too.
	if n := pendingBroadcastJobs(t, w, "broadcast", jonas.ID()); n != 1 {
		t.Fatalf("%d copies queued for Jonas, want 1", n)
	}
	if _, err := w.Pool.Exec(ctx, `UPDATE river_job SET attempt = max_attempts - 1
		WHERE args->>'kind' = 'broadcast' AND (args->>'chat_id')::bigint = $1`, jonas.ID()); err != nil {
		t.Fatal(err)
	}
	w.TG.FailNext("sendMessage", faketelegram.Fault{Code: http.StatusInternalServerError})
	w.clock.Set(time.Date(2026, 3, 3, 7, 1, 0, 0, time.UTC))
	var id int64
	if err := w.Pool.QueryRow(ctx, `SELECT max(id) FROM broadcasts`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(bottest.WaitTimeout)
	for {
		c, err := w.Store.BroadcastCounts(ctx, id, w.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if c.Failed == 1 && c.Remaining() == 0 && c.Total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("figures %+v, want the one copy failed and none remaining", c)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := copiesOf(w, jonas.ID(), "Sommerfest"); n != 0 {
		t.Fatalf("Jonas got %d copies", n)
	}
	anna.WaitFor(de.T("bc_status_problems", "Blocked", 0, "Failed", 1), de.T("bc_status_done"))
}

// residents adds n people who started the bot, living in the towns in
// turn and speaking the five languages in turn, ids from first on.
func (w *broadcastWorld) residents(first int64, n int, towns ...string) {
	w.t.Helper()
	ids := make([]int64, len(towns))
	for i, name := range towns {
		ids[i] = w.towns[name].ID
	}
	if _, err := w.Pool.Exec(context.Background(), `
		WITH u AS (
			INSERT INTO users (id, username, first_name, language_code, language)
			SELECT $1 + i, 'r' || ($1 + i), 'R' || i, ($2::text[])[1 + i % 5], ($2::text[])[1 + i % 5]
			FROM generate_series(0, $3 - 1) i
			RETURNING id)
		INSERT INTO user_profiles (user_id, town_id, languages, interests)
		SELECT id, ($4::bigint[])[1 + (id - $1) % cardinality($4::bigint[])], '{}', '{}' FROM u`,
		first, locales.Codes, n, ids); err != nil {
		w.t.Fatal(err)
	}
	for i := range int64(n) {
		w.TG.KnownChat(first + i)
	}
}

// acceptedCopies counts the messages Telegram accepted in the chats from
// first to first+n-1 that contain s.
func acceptedCopies(w *broadcastWorld, first int64, n int, s string) int {
	k := 0
	for i := range int64(n) {
		k += copiesOf(w, first+i, s)
	}
	return k
}

// TestBroadcastStopWhileSending: a broadcast to 40 people goes out at 4
// a second; the author stops it after a few copies. Nothing more reaches
// anyone after the stop is confirmed, and the figures add up: sent as
// Telegram accepted, the rest stopped or dropped, none remaining.
func TestBroadcastStopWhileSending(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorldAt(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), 4)
	ctx := context.Background()
	olena := w.user(2, "uk", "Olena")
	w.grantCoordinator(olena, "Ichnia")
	const first, n = 5000, 40
	w.residents(first, n, "Ichnia", "Grevesmühlen", "Laxå")
	uk := w.Loc("uk")
	composeToNetwork(olena, uk)
	olena.Say("Зупинене оголошення")
	olena.Press(uk.Plain("bc_continue"))
	olena.Press(uk.Plain("bc_no_links"))
	olena.Press(uk.Plain("bc_no_media"))
	olena.Press(uk.Plain("bc_no_deadline"))
	olena.Press(uk.Plain("bc_send_now"))
	deadline := time.Now().Add(bottest.WaitTimeout)
	for acceptedCopies(w, first, n, "Зупинене") < 5 {
		if time.Now().After(deadline) {
			t.Fatal("the copies did not start going out")
		}
		time.Sleep(20 * time.Millisecond)
	}
	var id int64
	if err := w.Pool.QueryRow(ctx, `SELECT max(id) FROM broadcasts`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	// The live status offers Stop once its first update is out.
	pressWhenOffered(t, w, olena, uk.Plain("bc_stop_button"))
	for {
		b, err := w.Store.Broadcast(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if b.Stopped {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the broadcast was not stopped")
		}
		time.Sleep(5 * time.Millisecond)
	}
	atStop := acceptedCopies(w, first, n, "Зупинене")
	olena.WaitFor("⏹")
	time.Sleep(3 * time.Second)
	after := acceptedCopies(w, first, n, "Зупинене")
	// One copy may have passed its last check before the commit and be on
	// the wire (at 4 a second, one at most); nothing else may follow.
	if after > atStop+1 {
		t.Errorf("%d copies went out after the stop was committed (%d before)", after-atStop, atStop)
	}
	if after == n {
		t.Fatal("every copy went out: the stop came too late to test anything")
	}
	c, err := w.Store.BroadcastCounts(ctx, id, w.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != n || c.Sent != after || c.Sent+c.Stopped+c.Dropped != n || c.Remaining() != 0 {
		t.Errorf("figures %+v with %d copies accepted; want them to add up to %d, none remaining", c, after, n)
	}
}

// dueOf is when userID's copy of the newest broadcast is due.
func dueOf(t *testing.T, w *broadcastWorld, userID int64) time.Time {
	t.Helper()
	var at time.Time
	if err := w.Pool.QueryRow(context.Background(), `SELECT due_at FROM broadcast_recipients
		WHERE user_id = $1 AND broadcast_id = (SELECT max(id) FROM broadcasts)`, userID).Scan(&at); err != nil {
		t.Fatal(err)
	}
	return at.UTC()
}

// TestBroadcastUrgentIsForAdmins: at 22:30 Berlin time an administrator
// marks an announcement urgent and Jonas in Grevesmühlen gets it at once;
// a coordinator is not offered the switch, and a forged press of it is
// refused: her copy waits for 08:00.
func TestBroadcastUrgentIsForAdmins(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 21, 30, 0, 0, time.UTC)
	w := newBroadcastWorld(t, now)
	ctx := context.Background()
	jonas := w.resident(32, "de", "Jonas", "Grevesmühlen")
	en, de := w.Loc("en"), w.Loc("de")
	// The administrator speaks for Laxå, so that "the network" is hers.
	if _, err := w.Pool.Exec(ctx, `INSERT INTO coordinator_towns (user_id, town_id) VALUES ($1, $2)`,
		w.admin.ID(), w.towns["Laxå"].ID); err != nil {
		t.Fatal(err)
	}
	composeToNetwork(w.admin, en)
	w.admin.Say("Road closed tonight")
	w.admin.Press(en.Plain("bc_continue"))
	w.admin.Press(en.Plain("bc_no_links"))
	w.admin.Press(en.Plain("bc_no_media"))
	ask := w.admin.Press(en.Plain("bc_no_deadline")).Expect(en.T("bc_ask_send"))
	w.expectButtons(ask, en.Plain("bc_urgent"))
	w.admin.Press(en.Plain("bc_urgent"))
	w.admin.Press(en.Plain("bc_send_now"))
	jonas.WaitFor("Road closed tonight")
	if got := dueOf(t, w, jonas.ID()); !got.Truncate(time.Minute).Equal(now) {
		t.Errorf("urgent copy due %v, want %v", got, now)
	}

	anna := w.user(3, "de", "Anna")
	w.grantCoordinator(anna, "Grevesmühlen")
	w.resident(33, "uk", "Taras", "Laxå")
	composeToNetwork(anna, de)
	anna.Say("Straße heute Nacht gesperrt")
	anna.Press(de.Plain("bc_continue"))
	anna.Press(de.Plain("bc_no_links"))
	anna.Press(de.Plain("bc_no_media"))
	ask = anna.Press(de.Plain("bc_no_deadline")).Expect(de.T("bc_ask_send"))
	var sendNow string
	for _, row := range ask.Buttons() {
		for _, b := range row {
			if b.Text == de.Plain("bc_urgent") {
				t.Fatal("a coordinator is offered the urgent switch")
			}
			if b.Text == de.Plain("bc_send_now") {
				sendNow = b.CallbackData
			}
		}
	}
	forged, ok := strings.CutSuffix(sendNow, ":now")
	if !ok {
		t.Fatalf("send-now button data %q", sendNow)
	}
	anna.PressData(forged + ":urgent")
	anna.Expect(de.T("bc_urgent_admins"))
	anna.Press(de.Plain("bc_send_now"))
	deadline := time.Now().Add(bottest.WaitTimeout)
	for pendingBroadcastJobs(t, w, "broadcast", jonas.ID()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Anna's copy to Jonas was not scheduled")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got, want := dueOf(t, w, jonas.ID()), time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC); !got.Truncate(time.Minute).Equal(want) {
		t.Errorf("a coordinator's copy due %v, want %v (after quiet hours)", got, want)
	}
	var urgent bool
	if err := w.Pool.QueryRow(ctx, `SELECT urgent FROM broadcasts WHERE id = (SELECT max(id) FROM broadcasts)`).Scan(&urgent); err != nil || urgent {
		t.Errorf("coordinator's broadcast urgent = %v (%v)", urgent, err)
	}
	if n := copiesOf(w, jonas.ID(), "Straße heute Nacht"); n != 0 {
		t.Errorf("Jonas got the coordinator's announcement during quiet hours")
	}
}

// TestBroadcastCorrectedWhileSending: a broadcast to 30 people goes out
// at 2 a second and is corrected after the first copies. Workers render
// copies before they wait for their send slot, so many copies written
// with the old text go out after the correction; each of those is edited
// in turn, also one whose outcome is recorded while the correction is
// being committed (storage.RecordBroadcastOutcomeTx waits for it). In the
// end everyone has exactly one copy, with the new text.
func TestBroadcastCorrectedWhileSending(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorldAt(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), 2)
	olena := w.user(2, "uk", "Olena")
	w.grantCoordinator(olena, "Ichnia")
	const first, n = 6000, 30 // 15 s of sending: time enough to correct the text midway
	w.residents(first, n, "Ichnia", "Grevesmühlen", "Laxå")
	uk := w.Loc("uk")
	composeToNetwork(olena, uk)
	olena.Say("Збір у середу")
	olena.Press(uk.Plain("bc_continue"))
	olena.Press(uk.Plain("bc_no_links"))
	olena.Press(uk.Plain("bc_no_media"))
	olena.Press(uk.Plain("bc_no_deadline"))
	olena.Press(uk.Plain("bc_send_now"))
	deadline := time.Now().Add(bottest.WaitTimeout)
	for acceptedCopies(w, first, n, "Збір у") < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the copies did not start going out")
		}
		time.Sleep(20 * time.Millisecond)
	}
	pressWhenOffered(t, w, olena, uk.Plain("bc_correct_button"))
	olena.WaitFor(uk.T("bc_ask_correct_lang"))
	olena.Press(uk.Plain("lang_uk"))
	olena.Say("Збір у четвер")
	atCorrection := acceptedCopies(w, first, n, "Збір у")
	olena.WaitFor("✏️")
	deadline = time.Now().Add(4 * bottest.WaitTimeout) // sends and edits share the 2 a second
	corrected := func() int {
		k := 0
		for i := range int64(n) {
			for _, m := range w.TG.Messages(first + i) {
				if strings.Contains(m.Text, "Збір у четвер") {
					k++
				}
			}
		}
		return k
	}
	for corrected() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d copies have the corrected text; Olena saw:\n%s", corrected(), n, olena.Transcript())
		}
		time.Sleep(50 * time.Millisecond)
	}
	edited := 0
	for i := range int64(n) {
		// Messages is the chat's messages as they are now; Sent has an
		// event for the send and one for each edit.
		if ms := w.TG.Messages(first + i); len(ms) != 1 || !strings.Contains(ms[0].Text, "Збір у четвер") {
			t.Errorf("%d has %d messages, want one copy with the corrected text", first+i, len(ms))
		}
		for _, m := range w.TG.Sent(first + i) {
			if m.Edited {
				edited++
			}
		}
	}
	if atCorrection >= n || edited <= atCorrection+1 {
		t.Errorf("%d copies out at the correction, %d edited: no copy rendered before it and sent after was edited",
			atCorrection, edited)
	}
}

// pressWhenOffered presses the button labelled label as soon as a message
// of the bot offers it (the live status gets its buttons with its first
// update).
func pressWhenOffered(t *testing.T, w *broadcastWorld, u *bottest.User, label string) {
	t.Helper()
	deadline := time.Now().Add(bottest.WaitTimeout)
	for {
		if _, _, err := w.TG.PressButtonByText(u.TG, label); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no button %q", label)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBroadcastScheduledInAuthorsZone: Anna, in New York, schedules an
// announcement for 09:30 her time on 2 March (14:30 UTC); Jonas in
// Grevesmühlen (15:30 there, no quiet hours) gets it then, not before.
func TestBroadcastScheduledInAuthorsZone(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	anna := w.user(3, "de", "Anna")
	w.grantCoordinator(anna, "Grevesmühlen")
	if err := w.Store.SetTimeZone(ctx, anna.ID(), "America/New_York"); err != nil {
		t.Fatal(err)
	}
	jonas := w.resident(32, "de", "Jonas", "Grevesmühlen")
	de := w.Loc("de")
	composeToNetwork(anna, de)
	anna.Say("Markt am Samstag")
	anna.Press(de.Plain("bc_continue"))
	anna.Press(de.Plain("bc_no_links"))
	anna.Press(de.Plain("bc_no_media"))
	anna.Press(de.Plain("bc_no_deadline"))
	anna.Press(de.Plain("bc_send_later"))
	// Read in her zone: the due time below is the check.
	anna.Say("02.03.2026 09:30")
	want := time.Date(2026, 3, 2, 14, 30, 0, 0, time.UTC)
	deadline := time.Now().Add(bottest.WaitTimeout)
	for pendingBroadcastJobs(t, w, "broadcast", jonas.ID()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("nothing scheduled; Anna saw:\n%s", anna.Transcript())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := dueOf(t, w, jonas.ID()); !got.Equal(want) {
		t.Errorf("copy due %v, want %v (09:30 in New York)", got, want)
	}
	time.Sleep(time.Second)
	if n := copiesOf(w, jonas.ID(), "Markt am Samstag"); n != 0 {
		t.Fatal("the scheduled announcement went out early")
	}
	w.clock.Set(want.Add(time.Minute))
	waitForMessage(t, w.Env, jonas.ID(), "Markt am Samstag")
}
