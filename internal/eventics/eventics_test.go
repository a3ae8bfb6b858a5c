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
