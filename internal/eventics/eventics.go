// Package eventics writes an event as an iCalendar (.ics) file that
// calendar apps import. Times are in UTC without a VTIMEZONE: every
// calendar shows them correctly in its own zone.
package eventics

import (
	"fmt"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"partnerbot/storage"
)

// ProductID names partnerbot as the file's producer.
const ProductID = "-//partnerbot//events//EN"

// File is the .ics document for e, stamped at now. The UID stays the same
// for the event, so importing a newer file updates the calendar entry
// instead of adding another; a cancelled event is marked CANCELLED. Texts
// lose every control character but the line break first
// (storage.CleanEventText): the library escapes \n, but a bare carriage
// return would end a line for some calendar parsers and start a property
// of the text's choosing.
func File(e storage.Event, now time.Time) []byte {
	for _, s := range []*string{&e.Title, &e.Description, &e.Place, &e.URL} {
		*s = storage.CleanEventText(*s)
	}
	cal := ics.NewCalendarFor("partnerbot")
	cal.SetProductId(ProductID)
	cal.SetMethod(ics.MethodPublish)
	ev := cal.AddEvent(fmt.Sprintf("event-%d@partnerbot", e.ID))
	ev.SetDtStampTime(now)
	ev.SetStartAt(e.StartsAt)
	ev.SetEndAt(e.EndsAt())
	ev.SetSummary(e.Title)
	description := e.Description
	if e.URL != "" {
		description = strings.TrimSpace(description + "\n\n" + e.URL)
		ev.SetURL(e.URL)
	}
	if description != "" {
		ev.SetDescription(description)
	}
	if location := strings.Join(nonEmpty(e.Place, e.URL), ", "); location != "" {
		ev.SetLocation(location)
	}
	status := ics.ObjectStatusConfirmed
	if e.Cancelled {
		status = ics.ObjectStatusCancelled
	}
	ev.SetStatus(status)
	// RFC 5545 wants CRLF line ends; the library writes bare LF unless told.
	return []byte(cal.Serialize(ics.WithNewLine("\r\n")))
}

// Filename is the name the file is sent under.
func Filename(e storage.Event) string { return fmt.Sprintf("event-%d.ics", e.ID) }

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
