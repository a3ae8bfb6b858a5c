// Package remind defines when a reminder for an event is due.
//
// Day and week offsets count in the event's own wall-clock time: a
// reminder "1 day before" an event at 10:00 in Kyiv goes out at 10:00 Kyiv
// time the day before, even when a daylight-saving change lies between,
// which makes that day 23 or 25 hours long. People read "a day before" as
// "same time yesterday", not as 24 hours. The one-hour offset counts in
// absolute time: "an hour before" an event at 03:30 after the clocks went
// forward is 60 real minutes before it.
package remind

import (
	"slices"
	"time"
)

// Offset is how long before an event's start a reminder goes out, in
// minutes. The values are stored: never change one.
type Offset int

// The offsets a user can choose, longest first.
const (
	Week  Offset = 7 * 24 * 60
	Day   Offset = 24 * 60
	Hour  Offset = 60
	Start Offset = 0
)

// All lists the offsets in the order they are offered.
var All = []Offset{Week, Day, Hour, Start}

// Valid reports whether o is one of All.
func (o Offset) Valid() bool { return slices.Contains(All, o) }

// Due is when the reminder for an event starting at start, in the zone
// loc, goes out.
func (o Offset) Due(start time.Time, loc *time.Location) time.Time {
	switch o {
	case Week:
		return start.In(loc).AddDate(0, 0, -7)
	case Day:
		return start.In(loc).AddDate(0, 0, -1)
	}
	return start.Add(-time.Duration(o) * time.Minute)
}
