package eventics

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"partnerbot/storage"
)

func TestFile(t *testing.T) {
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	start := time.Date(2025, 6, 17, 10, 0, 0, 0, kyiv)
	e := storage.Event{ID: 42, EventFields: storage.EventFields{
		Title: "Partnership day, Ічня; «music»", Description: "Line one\nLine two, with comma",
		StartsAt: start, TimeZone: "Europe/Kyiv", Duration: 90 * time.Minute,
		Place: "Town hall", URL: "https://meet.example.org/x?a=1&b=2"}}
	now := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	data := File(e, now)
	for _, want := range []string{"BEGIN:VCALENDAR", "DTSTART:20250617T070000Z", "DTEND:20250617T083000Z",
		"UID:event-42@partnerbot", "PRODID:" + ProductID, "DTSTAMP:20250601T080000Z", "STATUS:CONFIRMED"} {
		if !bytes.Contains(data, []byte(want+"\r\n")) {
			t.Errorf("missing %q in\n%s", want, data)
		}
	}
	if bytes.Contains(data, []byte("VTIMEZONE")) {
		t.Error("the file carries a VTIMEZONE; times are meant to be UTC")
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	ev := events[0]
	got, err := ev.GetStartAt()
	if err != nil || !got.Equal(start) {
		t.Fatalf("start %v, %v; want %v", got, err, start)
	}
	for prop, want := range map[ics.ComponentProperty]string{
		ics.ComponentPropertySummary:     e.Title,
		ics.ComponentPropertyDescription: e.Description + "\n\n" + e.URL,
		ics.ComponentPropertyLocation:    "Town hall, " + e.URL,
		ics.ComponentPropertyUrl:         e.URL,
	} {
		if p := ev.GetProperty(prop); p == nil || p.Value != want {
			t.Errorf("%s = %+v, want %q", prop, p, want)
		}
	}

	e.Cancelled = true
	if !strings.Contains(string(File(e, now)), "STATUS:CANCELLED\r\n") {
		t.Error("a cancelled event is not marked CANCELLED")
	}
	if Filename(e) != "event-42.ics" {
		t.Errorf("filename %s", Filename(e))
	}
}

// TestFileWithoutBareCarriageReturns: a carriage return (or another
// control character) in an event's texts never reaches the file as it is
// (security review #13): a parser that splits lines on a bare CR would
// otherwise read the text after it as a property of its own.
func TestFileWithoutBareCarriageReturns(t *testing.T) {
	e := storage.Event{ID: 7, EventFields: storage.EventFields{
		Title:       "Meeting\rATTENDEE;RSVP=TRUE:mailto:victim@example.org\rX",
		Description: "One\r\nTwo\x00\x1b three\tfour",
		Place:       "Hall\rORGANIZER:mailto:x@example.org",
		StartsAt:    time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC), TimeZone: "UTC", Duration: time.Hour}}
	data := File(e, time.Now())
	if rest := bytes.ReplaceAll(data, []byte("\r\n"), nil); bytes.ContainsAny(rest, "\r\x00\x1b\t") {
		t.Fatalf("a control character other than the CRLF line ends is in the file:\n%q", data)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	ev := cal.Events()[0]
	for _, prop := range []ics.ComponentProperty{ics.ComponentPropertyAttendee, ics.ComponentPropertyOrganizer} {
		if p := ev.GetProperty(prop); p != nil {
			t.Errorf("the text became a property %s: %+v", prop, p)
		}
	}
	for prop, want := range map[ics.ComponentProperty]string{
		ics.ComponentPropertySummary:     "Meeting\nATTENDEE;RSVP=TRUE:mailto:victim@example.org\nX",
		ics.ComponentPropertyDescription: "One\nTwo three four",
		ics.ComponentPropertyLocation:    "Hall\nORGANIZER:mailto:x@example.org",
	} {
		if p := ev.GetProperty(prop); p == nil || p.Value != want {
			t.Errorf("%s = %+v, want %q", prop, p, want)
		}
	}
}
