package bot_test

// Regression tests of the security review's findings 4 to 17 (issue 9):
// each one asserts the opposite of the review's reproduction.

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"partnerbot/internal/bottest"
	"partnerbot/internal/testclock"
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
