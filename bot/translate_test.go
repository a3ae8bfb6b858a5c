package bot_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"partnerbot/internal/bottest"
	"partnerbot/internal/config"
	"partnerbot/internal/faketelegram"
	"partnerbot/internal/faketranslate"
	"partnerbot/internal/testclock"
	"partnerbot/locales"
	"partnerbot/storage"
)

// translationFake is what the tests use of both fake services.
type translationFake interface {
	FailNext(status, times int)
	Delay(d time.Duration)
	Requests() int
	MangleHTML(on bool)
}

// providers are the translation services the bot speaks to.
var providers = []string{config.ProviderLibreTranslate, config.ProviderDeepL}

// translatorConfig starts a fake of provider and returns the bot's
// configuration for it.
func translatorConfig(t *testing.T, provider string) (config.Translate, translationFake) {
	t.Helper()
	switch provider {
	case config.ProviderLibreTranslate:
		lt := faketranslate.NewLibreTranslate(t)
		return config.Translate{Provider: provider, URL: lt.URL}, lt
	case config.ProviderDeepL:
		const key = "0a1b2c3d-test:fx"
		dl := faketranslate.NewDeepL(t, key)
		return config.Translate{Provider: provider, URL: dl.URL, APIKey: key}, dl
	}
	t.Fatalf("no fake of %q", provider)
	return config.Translate{}, nil
}

// eachProvider runs test once per translation service, in parallel, with
// the bot's configuration for a fresh fake of it.
func eachProvider(t *testing.T, test func(t *testing.T, provider string, cfg config.Translate, fake translationFake)) {
	for _, provider := range providers {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			cfg, fake := translatorConfig(t, provider)
			test(t, provider, cfg, fake)
		})
	}
}

// machineHead is the line that marks a machine translation from lang by
// provider, in l's language.
func machineHead(l *locales.Localizer, lang, provider string) string {
	return l.T("tr_machine_head", "Language", l.Plain("lang_list_"+lang), "Provider", l.Plain("tr_provider_"+provider))
}

// buttonData returns the callback data of m's button labelled label.
func buttonData(t *testing.T, m faketelegram.Message, label string) string {
	t.Helper()
	for _, row := range m.Buttons() {
		for _, b := range row {
			if b.Text == label {
				return b.CallbackData
			}
		}
	}
	t.Fatalf("no button %q on:\n%s", label, m.Text)
	return ""
}

// TestTranslateContactIntroductionAndProject: a German owner reads a
// Ukrainian introduction in German with one tap, goes back to the
// original with one tap and forth again (from the cache); a Ukrainian
// reader reads a German project card in Ukrainian. Nobody else can read
// the introduction through a forged button, nor a hidden project's texts.
// An event's text is read in translation too.
// /deleteme of the introduction's author erases its cached translation.
// With both services.
func TestTranslateContactIntroductionAndProject(t *testing.T) {
	t.Parallel()
	eachProvider(t, func(t *testing.T, provider string, cfg config.Translate, fake translationFake) {
		w := newProjectWorld(t, bottest.Options{Translate: cfg})
		de, uk := w.Loc("de"), w.Loc("uk")
		greta := w.user(13001, "de", "Greta")
		p := w.project(greta, "Jugendfeuerwehr Grevesmühlen", "Grevesmühlen", func(f *storage.ProjectFields) {
			f.Description = "Wir suchen eine Partnerfeuerwehr in der Ukraine für unsere Jugend."
		})
		oksana := w.user(13002, "uk", "Oksana")

		// The card in German offers Ukrainian; the owner's own card does not.
		card := oksana.Say("/start p" + p.Code).Expect("<b>Jugendfeuerwehr Grevesmühlen</b>")
		oksana.Press(uk.Plain("tr_button_show")).Expect(machineHead(uk, "de", provider),
			"<b>"+html.EscapeString(faketranslate.Translate(p.Title, "uk"))+"</b>",
			html.EscapeString(faketranslate.Translate(p.Description, "uk")))
		if labels := buttonLabels(greta.Say("/start p" + p.Code).Last()); strings.Contains(strings.Join(labels, "|"), de.Plain("tr_button_show")) {
			t.Errorf("the owner is offered a translation of her own German card: %q", labels)
		}

		intro := "Добрий день! Ми шукаємо партнер: школа і пожежна команда Ічні."
		oksana.PressData(buttonData(t, card, uk.Plain("project_button_contact"))).Say(intro).
			Expect(uk.T("contact_sent", "Title", p.Title))
		received := greta.WaitFor(de.T("contact_received", "Title", p.Title, "Intro", intro))
		translated := html.EscapeString(faketranslate.Translate(intro, "de"))
		if strings.Contains(received.Text, translated) {
			t.Fatalf("the request arrived translated without asking:\n%s", received.Text)
		}
		requests := fake.Requests()

		greta.PressData(buttonData(t, received, de.Plain("tr_button_show")))
		greta.Expect(machineHead(de, "uk", provider), translated)
		greta.Press(de.Plain("tr_button_original")).Expect(de.T("tr_original_head"), html.EscapeString(intro))
		if m := greta.Last(); !m.Edited || strings.Contains(m.Text, translated) {
			t.Errorf("the original does not replace the translation:\n%s", m.Text)
		}
		greta.Press(de.Plain("tr_button_show")).Expect(machineHead(de, "uk", provider), translated)
		if n := fake.Requests() - requests; n != 1 {
			t.Errorf("%d requests to the service for one text, want 1 (then the cache)", n)
		}
		// The request itself still takes the answer.
		greta.PressData(received.Buttons()[0][0].CallbackData).Expect(`<a href="tg://user?id=13002">Oksana</a>`)

		// Someone else's request: a forged button is refused, nothing is shown.
		jonas := w.user(13003, "de", "Jonas")
		forged := buttonData(t, received, de.Plain("tr_button_show"))
		for _, data := range []string{forged, strings.Replace(forged, ":n", ":t", 1)} {
			jonas.PressData(data)
			w.expectAlert(jonas, de.Plain("callback_invalid"))
			jonas.ExpectNot(translated)
		}
		// A hidden project's texts are refused to anyone but its owner.
		if _, err := w.Pool.Exec(context.Background(), `UPDATE projects SET hidden_at = now() WHERE id = $1`, p.ID); err != nil {
			t.Fatal(err)
		}
		oksana.PressData(buttonData(t, card, uk.Plain("tr_button_show")))
		w.expectAlert(oksana, uk.Plain("callback_invalid"))
		oksana.ExpectNot(p.Description)

		// An event written in Ukrainian, read in German; the privacy
		// text tells of the cache.
		ev := createEvent(t, w.Env, oksana.ID(), storage.EventFields{Title: "Привіт, школа!",
			Description: "Ми шукаємо партнер для школа.", StartsAt: time.Now().Add(72 * time.Hour),
			TimeZone: "Europe/Kyiv", Duration: time.Hour, URL: "https://meet.example.org/ichnia"})
		jonas.PressData(fmt.Sprintf("ev:o:%d", ev.ID)).Expect("Привіт, школа!")
		jonas.Press(de.Plain("tr_button_show")).Expect(machineHead(de, "uk", provider),
			"<b>"+html.EscapeString(faketranslate.Translate(ev.Title, "de"))+"</b>",
			html.EscapeString(faketranslate.Translate(ev.Description, "de")))
		greta.Say("/privacy").Expect(de.T("privacy_text"), de.T("privacy_translations"))

		// /deleteme of the introduction's author erases its translation.
		ctx := context.Background()
		if _, ok, err := w.Store.CachedTranslation(ctx, intro, "de"); !ok || err != nil {
			t.Fatalf("the translation was not cached (%v)", err)
		}
		oksana.Say("/deleteme").Press(uk.Plain("deleteme_yes")).Expect(uk.T("deleteme_done"))
		if _, ok, err := w.Store.CachedTranslation(ctx, intro, "de"); ok || err != nil {
			t.Fatalf("the translation of a deleted person's text is still cached (%v)", err)
		}
		var n int
		if err := w.Pool.QueryRow(ctx, `SELECT count(*) FROM translations WHERE owner_id = $1`, oksana.ID()).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d translations of %s remain (%v)", n, oksana.TG.FirstName, err)
		}
	})
}

// TestTranslateFailuresFallBack: every kind of failure of either service
// (bad key, quota, too many requests, server errors, a slow answer, the
// bot's own daily budget) shows the original with a short note in the
// reader's language; the button tries again, and a later success shows
// the translation.
func TestTranslateFailuresFallBack(t *testing.T) {
	t.Parallel()
	failures := map[string][]struct {
		status int
		note   string
	}{
		config.ProviderLibreTranslate: {{403, "tr_failed"}, {400, "tr_failed"}, {429, "tr_failed_later"},
			{500, "tr_failed_later"}, {503, "tr_failed_later"}},
		config.ProviderDeepL: {{403, "tr_failed"}, {456, "tr_failed_limit"}, {429, "tr_failed_later"},
			{529, "tr_failed_later"}, {500, "tr_failed_later"}, {504, "tr_failed_later"}},
	}
	eachProvider(t, func(t *testing.T, provider string, cfg config.Translate, fake translationFake) {
		cfg.Timeout = 300 * time.Millisecond
		w := newProjectWorld(t, bottest.Options{Translate: cfg})
		sv := w.Loc("sv")
		owner := w.user(13101, "uk", "Oksana")
		p := w.project(owner, "Молодіжний обмін у Ічні", "Ichnia", func(f *storage.ProjectFields) {
			f.Description = "Шукаємо партнерів для молодіжного обміну влітку."
		})
		astrid := w.user(13102, "sv", "Astrid")
		original := "<b>" + p.Title + "</b>"
		// Each try from the card, so that each answer is a new message.
		try := func(what, note string) {
			t.Helper()
			astrid.Say("/start p" + p.Code).Press(sv.Plain("tr_button_show"))
			m := astrid.Expect(sv.T(note), sv.T("tr_original_head"), original)
			if strings.Contains(m.Text, "[sv]") {
				t.Errorf("%s: a translation is shown:\n%s", what, m.Text)
			}
		}
		for _, f := range failures[provider] {
			fake.FailNext(f.status, 1)
			try(http.StatusText(f.status), f.note)
		}
		fake.Delay(2 * time.Second)
		try("slow answer", "tr_failed_later")
		fake.Delay(0)
		astrid.Press(sv.Plain("tr_button_show")).Expect(machineHead(sv, "uk", provider),
			html.EscapeString(faketranslate.Translate(p.Title, "sv")))

		// The bot's own budget: nothing more today once it is spent.
		cfg.DailyChars = 10
		v := newProjectWorld(t, bottest.Options{Translate: cfg})
		owner = v.user(13101, "uk", "Oksana")
		p = v.project(owner, "Молодіжний обмін у Ічні", "Ichnia")
		astrid = v.user(13102, "sv", "Astrid")
		requests := fake.Requests()
		astrid.Say("/start p" + p.Code).Press(sv.Plain("tr_button_show"))
		astrid.Expect(sv.T("tr_failed_limit"), "<b>"+p.Title+"</b>")
		if fake.Requests() != requests {
			t.Error("the service was asked past the daily budget")
		}
	})
}

// TestBroadcastMissingVersionTranslated: a Ukrainian coordinator's
// announcement (Telegram HTML, bold and a link) with only a Ukrainian
// version reaches two Swedish residents translated into Swedish as HTML,
// bold and link kept, and marked as machine translation (one request to
// the service for both), with the original one tap away;
// a Ukrainian resident gets the original unmarked, and one who reads
// Ukrainian with a French interface the original with a button to
// translate; a translation whose markup Telegram would refuse goes out
// as its escaped text; a version whose translation would not fit goes out
// as written with the note. With both services.
func TestBroadcastMissingVersionTranslated(t *testing.T) {
	t.Parallel()
	eachProvider(t, func(t *testing.T, provider string, cfg config.Translate, fake translationFake) {
		clk := testclock.New(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
		pw := newProjectWorld(t, bottest.Options{Admins: []int64{1}, Now: clk.Now, Translate: cfg})
		addExamplePartnerships(t, pw)
		w := &broadcastWorld{projectWorld: pw, clock: clk, admin: pw.user(1, "en", "Ada")}
		olena := w.user(2, "uk", "Olena")
		w.grantCoordinator(olena, "Ichnia")
		sara := w.resident(21, "sv", "Sara", "Laxå")
		nils := w.resident(22, "sv", "Nils", "Laxå", "sv")
		taras := w.resident(23, "uk", "Taras", "Ichnia")
		iryna := w.resident(24, "fr", "Iryna", "Grevesmühlen", "fr", "uk")

		uk, sv := w.Loc("uk"), w.Loc("sv")
		text := `<b>Привіт</b>, ми шукаємо <a href="https://ichnia.example/partner">партнер</a> для школа &amp; лікарня!`
		sendOneVersion(olena, uk, text)

		want := faketranslate.TranslateHTML(text, "sv")
		for _, part := range []string{"<b>Hej</b>", `<a href="https://ichnia.example/partner">partner</a>`, "skola &amp; sjukhus"} {
			if !strings.Contains(want, part) {
				t.Fatalf("the fake's translation %q lacks %q", want, part)
			}
		}
		for _, u := range []*bottest.User{sara, nils} {
			waitForMessage(t, w.Env, u.ID(), machineHead(sv, "uk", provider), want)
			if n := countMessages(w.Env, u.ID(), "Привіт"); n != 0 {
				t.Errorf("%s got the Ukrainian text %d times", u.TG.FirstName, n)
			}
		}
		if n := fake.Requests(); n != 1 {
			t.Errorf("%d requests to the service for one version in one language, want 1", n)
		}
		waitForMessage(t, w.Env, taras.ID(), text)
		if n := countMessages(w.Env, taras.ID(), "🌐"); n != 0 {
			t.Error("Taras, who reads Ukrainian, got a translation")
		}
		// One tap to the original, marked as such.
		sara.Press(sv.Plain("tr_button_original")).Expect(sv.T("tr_original_head"), text)
		sara.Press(sv.Plain("tr_button_show")).Expect(machineHead(sv, "uk", provider), want)
		// Iryna reads Ukrainian (her profile) with a French interface: the
		// version as written, and a translation one tap away.
		fr := w.Loc("fr")
		waitForMessage(t, w.Env, iryna.ID(), text)
		iryna.Press(fr.Plain("tr_button_show")).Expect(machineHead(fr, "uk", provider),
			faketranslate.TranslateHTML(text, "fr"))

		// A Swedish youth group gets the translation too, marked, without
		// buttons (its members have no copy of their own).
		g := w.youthGroup(nils, -1009101, "Ungdomsrådet Laxå", "sv", "Laxå")
		networkGroupInsteadOfResidents(olena, uk, "bc_group_youth_groups")
		olena.Press(uk.Plain("step_done")).Expect(uk.T("bc_ask_sectors"))
		olena.Press(uk.Plain("step_done"))
		olena.Press(uk.Plain("step_done"))
		olena.Say(text)
		sendWithoutExtras(olena, uk)
		waitForMessage(t, w.Env, g.ID, machineHead(sv, "uk", provider), want)
		for _, m := range w.TG.Messages(g.ID) {
			if strings.Contains(m.Text, want) && len(m.Buttons()) != 0 {
				t.Errorf("the group's translated copy has buttons: %v", buttonLabels(m))
			}
		}

		// A translation whose markup Telegram would refuse (closing tags
		// lost) arrives as its text, escaped, still marked.
		fake.MangleHTML(true)
		sendOneVersion(olena, uk, "<b>Привіт</b> &amp; школа")
		got := waitForMessage(t, w.Env, sara.ID(), machineHead(sv, "uk", provider), "[sv] Hej &amp; skola")
		if strings.Contains(got.Text, "<b>Hej") {
			t.Errorf("a translation with broken markup went out as HTML:\n%s", got.Text)
		}
		fake.MangleHTML(false)

		// A version at the length limit whose translation runs past it
		// goes out as written, with the note.
		sendOneVersion(olena, uk, strings.Repeat("школа ", 599)+"школа!")
		waitForMessage(t, w.Env, sara.ID(), sv.T("bc_note_language", "Language", sv.Plain("lang_list_uk")), "школа школа школа!")
	})
}

// sendOneVersion has coordinator u send text, in her language only, to
// her whole network at once, and waits until it is sent.
func sendOneVersion(u *bottest.User, l *locales.Localizer, text string) {
	composeToNetwork(u, l)
	u.Say(text)
	u.Press(l.Plain("bc_continue"))
	u.Press(l.Plain("bc_no_links"))
	u.Press(l.Plain("bc_no_media"))
	u.Press(l.Plain("bc_no_deadline")).Expect(l.T("bc_ask_send"))
	u.Press(l.Plain("bc_send_now"))
	u.WaitFor(l.T("bc_status_done"))
}

// TestNoTranslationWhenOff: without a translator nothing changes: no
// button, no note, a broadcast's missing version as before (see
// TestBroadcastComposeAndSend), and a forged translation button refused.
func TestNoTranslationWhenOff(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	uk, de := w.Loc("uk"), w.Loc("de")
	owner := w.user(13201, "uk", "Oksana")
	p := w.project(owner, "Молодіжний обмін", "Ichnia")
	jonas := w.user(13202, "de", "Jonas")
	card := jonas.Say("/start p" + p.Code).Expect("<b>Молодіжний обмін</b>")
	for _, l := range buttonLabels(card) {
		if l == de.Plain("tr_button_show") {
			t.Fatalf("a translation is offered with no translator:\n%q", buttonLabels(card))
		}
	}
	jonas.PressData("tr:p:" + p.Code + ":n")
	w.expectAlert(jonas, de.Plain("callback_invalid"))
	owner.Say("/privacy").ExpectNot(uk.T("privacy_translations"))
}

// TestTranslateEventNotices: the notices of an event sent through the
// delivery engine (the announcement of a new event, a reminder) offer
// its Ukrainian text in the reader's language, as its card does: a German
// and a Swedish resident of the event's town read it translated with one
// tap; a Ukrainian resident is offered nothing. With both services.
func TestTranslateEventNotices(t *testing.T) {
	t.Parallel()
	eachProvider(t, func(t *testing.T, provider string, cfg config.Translate, fake translationFake) {
		kyiv, _ := time.LoadLocation("Europe/Kyiv")
		clock := testclock.New(time.Date(2026, 3, 20, 9, 0, 0, 0, kyiv))
		env := bottest.New(t, bottest.Options{Now: clock.Now, Translate: cfg})
		uk, de, sv := env.Loc("uk"), env.Loc("de"), env.Loc("sv")
		olena := env.Started(13301, "uk", "Олена")
		makeCoordinator(t, env, olena)
		ichnia := addTown(t, env, "Ichnia", "UA")
		readers := map[*locales.Localizer]*bottest.User{de: env.Started(13302, "de", "Greta"),
			sv: env.Started(13303, "sv", "Astrid")}
		taras := env.Started(13304, "uk", "Тарас")
		for _, u := range []*bottest.User{readers[de], readers[sv], taras} {
			if err := env.Store.SaveProfile(context.Background(), storage.Profile{UserID: u.ID(), TownID: ichnia}); err != nil {
				t.Fatal(err)
			}
		}

		const title, description = "Привіт, школа!", "Ми шукаємо партнер для школа."
		olena.Say("/newevent").Say(title).Say(description).Press("✓ Київ")
		olena.Say("30 березня 2026 о 10:00").Press("2 години")
		olena.Say("Ратуша").Say("Ічня").Press("Ichnia, " + uk.Country("UA"))
		olena.Press(uk.Plain("ev_publish")).Expect(uk.N("ev_created", 3))

		// showTranslation presses the translate button of the notice m
		// and expects the event's text in l's language, marked.
		showTranslation := func(u *bottest.User, l *locales.Localizer, m faketelegram.Message) {
			t.Helper()
			u.PressData(buttonData(t, m, l.Plain("tr_button_show")))
			u.Expect(machineHead(l, "uk", provider),
				"<b>"+html.EscapeString(faketranslate.Translate(title, l.Lang()))+"</b>",
				html.EscapeString(faketranslate.Translate(description, l.Lang())))
		}
		for l, u := range readers {
			m := u.WaitFor(l.T("event_new_head"), title)
			showTranslation(u, l, m)
			// A reminder a day before offers it as well.
			u.PressData(buttonData(t, m, l.Plain("event_remind_button")))
			u.Press("☐ " + l.Plain("event_offset_day"))
		}
		news := taras.WaitFor(uk.T("event_new_head"), title)
		if labels := buttonLabels(news); slices.Contains(labels, uk.Plain("tr_button_show")) {
			t.Errorf("a Ukrainian reader is offered a translation of a Ukrainian event: %q", labels)
		}
		requests := fake.Requests()

		clock.Set(time.Date(2026, 3, 29, 10, 0, 30, 0, kyiv))
		for l, u := range readers {
			showTranslation(u, l, u.WaitFor(l.T("event_reminder_day", "Title", title)))
		}
		if n := fake.Requests() - requests; n != 0 {
			t.Errorf("%d requests to the service for texts translated before, want 0 (the cache)", n)
		}
	})
}
