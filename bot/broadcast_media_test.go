package bot_test

import (
	"testing"
	"time"

	"partnerbot/internal/bottest"
	"partnerbot/internal/faketelegram"
)

// mediaCopy is the one photo or document chatID received: its current
// state (edits applied) and whether it was edited.
func mediaCopy(t *testing.T, w *broadcastWorld, chatID int64, method string) (faketelegram.Message, bool) {
	t.Helper()
	var got []faketelegram.Message
	for _, m := range w.TG.Messages(chatID) {
		if m.Method == method {
			got = append(got, m)
		}
	}
	if len(got) != 1 {
		t.Fatalf("chat %d has %d messages sent with %s, want 1", chatID, len(got), method)
	}
	return got[0], got[0].Edited
}

// TestBroadcastWithPhoto: Olena (Ukrainian) adds a German version and a
// photo; a text longer than a caption may be is refused with the photo
// and she shortens it. Taras (uk), Jonas (de) and Sara (sv) each get the
// photo with their version as caption, Sara's with the note in Swedish;
// the preview is the photo too. Her correction of the Ukrainian version
// edits the captions of Taras's and Sara's copies, not Jonas's.
func TestBroadcastWithPhoto(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	olena := w.user(2, "uk", "Olena")
	w.grantCoordinator(olena, "Ichnia")
	taras := w.resident(11, "uk", "Taras", "Ichnia")
	jonas := w.resident(12, "de", "Jonas", "Grevesmühlen")
	sara := w.resident(14, "sv", "Sara", "Laxå")

	uk, sv := w.Loc("uk"), w.Loc("sv")
	composeToNetwork(olena, uk)
	long := make([]rune, 900)
	for i := range long {
		long[i] = 'ж'
	}
	olena.Say(string(long))
	olena.Press(uk.Plain("lang_de")).Expect(uk.T("bc_ask_version", "Language", uk.Plain("lang_list_de")))
	olena.Say("<b>Fest</b> am Samstag")
	olena.Press(uk.Plain("bc_continue"))
	olena.Press(uk.Plain("bc_no_links")).Expect(uk.T("bc_ask_media"))
	olena.SendPhoto("")
	olena.Expect(uk.T("bc_media_text_long", "Max", 800, "Language", uk.Plain("lang_list_uk")))
	// Back to the text: the Ukrainian version is shortened.
	olena.Press(uk.Plain("button_back"))
	olena.Press(uk.Plain("button_back"))
	olena.Press(uk.Plain("button_back")).Expect(uk.T("bc_ask_text", "Language", uk.Plain("lang_list_uk")))
	olena.Say("<b>Свято</b> в суботу")
	olena.Press(uk.Plain("bc_continue"))
	olena.Press(uk.Plain("bc_no_links"))
	photo := olena.SendPhoto("")
	olena.Press(uk.Plain("bc_no_deadline")).Expect(uk.T("bc_ask_send"))

	olena.Press(uk.Plain("bc_preview_button", "Language", uk.Plain("lang_de")))
	preview, _ := mediaCopy(t, w, olena.ID(), "sendPhoto")
	if preview.Photo == nil || preview.Photo.FileID != photo || preview.Text != "<b>Fest</b> am Samstag" {
		t.Fatalf("preview = %+v", preview)
	}

	olena.Press(uk.Plain("bc_send_now"))
	olena.WaitFor(uk.T("bc_status_done"))
	for _, c := range []struct {
		u    *bottest.User
		want []string
	}{
		{taras, []string{"<b>Свято</b> в суботу"}},
		{jonas, []string{"<b>Fest</b> am Samstag"}},
		{sara, []string{sv.T("bc_note_language", "Language", sv.Plain("lang_list_uk")), "<b>Свято</b> в суботу"}},
	} {
		waitForMessage(t, w.Env, c.u.ID(), c.want...)
		m, _ := mediaCopy(t, w, c.u.ID(), "sendPhoto")
		if m.Photo == nil || m.Photo.FileID != photo || m.ParseMode != "HTML" || !containsEvery(m.Text, c.want) {
			t.Errorf("%s got %+v", c.u.TG.FirstName, m)
		}
		w.expectButtons(m, w.Loc(c.u.TG.LanguageCode).Plain("bc_mute_town", "Town", "Ichnia"))
		if n := countMessages(w.Env, c.u.ID(), "Свято") + countMessages(w.Env, c.u.ID(), "Fest"); n != 1 {
			t.Errorf("%s got the announcement %d times, want once (the photo)", c.u.TG.FirstName, n)
		}
	}

	olena.Press(uk.Plain("bc_correct_button")).Expect(uk.T("bc_ask_correct_lang"))
	olena.Press(uk.Plain("lang_uk"))
	olena.Say("<b>Свято</b> в неділю").Expect(uk.N("bc_corrected", 3, "Language", uk.Plain("lang_list_uk")))
	waitForMessage(t, w.Env, taras.ID(), "<b>Свято</b> в неділю")
	waitForMessage(t, w.Env, sara.ID(), "<b>Свято</b> в неділю")
	for _, u := range []*bottest.User{taras, sara} {
		m, edited := mediaCopy(t, w, u.ID(), "sendPhoto")
		if !edited || m.Photo.Caption != m.Text || !containsEvery(m.Text, []string{"в неділю"}) {
			t.Errorf("%s's copy after the correction: %+v", u.TG.FirstName, m)
		}
		edits := 0
		for _, e := range w.TG.Sent(u.ID()) {
			if e.Method == "editMessageCaption" {
				edits++
			}
		}
		if edits != 1 {
			t.Errorf("%s's caption edited %d times, want once", u.TG.FirstName, edits)
		}
	}
	time.Sleep(time.Second)
	if m, edited := mediaCopy(t, w, jonas.ID(), "sendPhoto"); edited || m.Text != "<b>Fest</b> am Samstag" {
		t.Errorf("Jonas's German copy changed: %+v", m)
	}
}

// TestBroadcastWithDocument: Camille (French) sends a funding call with
// a PDF; Jonas (de) gets the document by its file_id with her text as
// caption and the German note.
func TestBroadcastWithDocument(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	camille := w.user(4, "fr", "Camille")
	w.grantCoordinator(camille, "Grevesmühlen")
	jonas := w.resident(32, "de", "Jonas", "Grevesmühlen")
	fr, de := w.Loc("fr"), w.Loc("de")
	composeToNetwork(camille, fr)
	camille.Say("Appel à projets : le dossier est joint")
	camille.Press(fr.Plain("bc_continue"))
	camille.Press(fr.Plain("bc_no_links"))
	doc := camille.SendDocument("appel.pdf", []byte("%PDF-1.7 appel"))
	camille.Press(fr.Plain("bc_no_deadline"))
	camille.Press(fr.Plain("bc_send_now"))
	waitForMessage(t, w.Env, jonas.ID(), de.T("bc_note_language", "Language", de.Plain("lang_list_fr")), "le dossier est joint")
	m, _ := mediaCopy(t, w, jonas.ID(), "sendDocument")
	if m.Document == nil || m.Document.FileID != doc || m.Document.FileName != "appel.pdf" {
		t.Errorf("Jonas got %+v", m)
	}
}
