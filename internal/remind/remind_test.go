package remind

import (
	"testing"
	"time"
)

func TestDueAcrossDaylightSaving(t *testing.T) {
	for _, zone := range []string{"Europe/Kyiv", "Europe/Berlin"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		// Clocks go forward early on Sunday 29 March 2026 in both zones
		// (Berlin 02:00 → 03:00, Kyiv 03:00 → 04:00), so that Sunday has
		// 23 hours. For an event on Monday 30 March at 10:00, "1 day
		// before" is Sunday 10:00, already summer time: 24 real hours.
		// "1 week before" is Monday 23 March 10:00, still winter time:
		// 167 real hours. For an event on Sunday 29 March 10:00, "1 day
		// before" is Saturday 10:00: 23 real hours.
		for _, tc := range []struct {
			name     string
			start    time.Time
			offset   Offset
			wallDay  int
			wallHour int
			real     time.Duration
		}{
			{"Monday, week", time.Date(2026, 3, 30, 10, 0, 0, 0, loc), Week, 23, 10, 7*24*time.Hour - time.Hour},
			{"Monday, day", time.Date(2026, 3, 30, 10, 0, 0, 0, loc), Day, 29, 10, 24 * time.Hour},
			{"Monday, hour", time.Date(2026, 3, 30, 10, 0, 0, 0, loc), Hour, 30, 9, time.Hour},
			{"Monday, start", time.Date(2026, 3, 30, 10, 0, 0, 0, loc), Start, 30, 10, 0},
			{"Sunday, day", time.Date(2026, 3, 29, 10, 0, 0, 0, loc), Day, 28, 10, 23 * time.Hour},
			{"Sunday, week", time.Date(2026, 3, 29, 10, 0, 0, 0, loc), Week, 22, 10, 7*24*time.Hour - time.Hour},
		} {
			due := tc.offset.Due(tc.start, loc).In(loc)
			if due.Day() != tc.wallDay || due.Month() != time.March {
				t.Errorf("%s %s: due %v, want %d March", zone, tc.name, due, tc.wallDay)
			}
			if due.Hour() != tc.wallHour || due.Minute() != tc.start.Minute() {
				t.Errorf("%s %s: due %v, want %d:%02d local", zone, tc.name, due, tc.wallHour, tc.start.Minute())
			}
			if got := tc.start.Sub(due); got != tc.real {
				t.Errorf("%s %s: %v before the start, want %v", zone, tc.name, got, tc.real)
			}
		}
		// Half an hour after the change, "1 hour before" is 60 real
		// minutes earlier, which the wall clock shows as two hours.
		firstSummer := map[string]int{"Europe/Berlin": 3, "Europe/Kyiv": 4}[zone]
		early := time.Date(2026, 3, 29, firstSummer, 30, 0, 0, loc)
		due := Hour.Due(early, loc).In(loc)
		if early.Sub(due) != time.Hour || due.Hour() != firstSummer-2 || due.Minute() != 30 {
			t.Errorf("%s: an hour before %v is %v", zone, early, due)
		}
		// In autumn the clocks go back on Sunday 25 October 2026: "1 day
		// before" an event that Sunday is 25 real hours earlier.
		autumn := time.Date(2026, 10, 25, 10, 0, 0, 0, loc)
		due = Day.Due(autumn, loc).In(loc)
		if got := autumn.Sub(due); got != 25*time.Hour || due.Hour() != 10 || due.Day() != 24 {
			t.Errorf("%s autumn: a day before is %v (%v), want Saturday 10:00, 25h earlier", zone, due, got)
		}
	}
}

func TestDueUsesTheEventsZoneNotTheViewers(t *testing.T) {
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	// An event at 10:00 Kyiv time on 30 March, stored as UTC.
	start := time.Date(2026, 3, 30, 10, 0, 0, 0, kyiv).UTC()
	due := Day.Due(start, kyiv)
	if want := time.Date(2026, 3, 29, 10, 0, 0, 0, kyiv); !due.Equal(want) {
		t.Fatalf("due %v, want %v", due, want)
	}
}

func TestValid(t *testing.T) {
	for _, o := range All {
		if !o.Valid() {
			t.Errorf("%d not valid", o)
		}
	}
	for _, o := range []Offset{-1, 1, 30, 120, 2 * Week} {
		if o.Valid() {
			t.Errorf("%d valid", o)
		}
	}
}
