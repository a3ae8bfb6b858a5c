// Package timefmt writes dates and times the way each of the bot's
// languages writes them: "Tuesday, 17 June 2025 at 10:00", "Dienstag,
// 17. Juni 2025 um 10:00", "вівторок, 17 червня 2025 р. о 10:00". x/text
// has no date formatting, so the patterns and the month and weekday names
// (in the form a date uses: Ukrainian months in the genitive) live in
// locales/ as tf_* messages, and this package fills them in.
package timefmt

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"partnerbot/locales"
)

// Date is the full date: weekday, day, month name, year.
func Date(l *locales.Localizer, t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = l.Plain("tf_first_day") // "1er" in French
	}
	return l.Plain("tf_date", "Weekday", l.Plain("tf_weekday_"+strconv.Itoa(int(t.Weekday()))),
		"Day", day, "Month", l.Plain("tf_month_"+strconv.Itoa(int(t.Month()))),
		"Year", strconv.Itoa(t.Year()))
}

// Clock is the time of day on the 24-hour clock, which all five languages
// write as 10:00.
func Clock(t time.Time) string { return t.Format("15:04") }

// DateTime is the full date with the time of day.
func DateTime(l *locales.Localizer, t time.Time) string {
	return l.Plain("tf_datetime", "Date", Date(l, t), "Time", Clock(t))
}

// Numeric is the short all-digits form people type, "17.06.2025 10:00" in
// German and Ukrainian: the example shown when a typed date is not
// understood.
func Numeric(l *locales.Localizer, t time.Time) string {
	return l.Plain("tf_numeric", "Day", fmt.Sprintf("%02d", t.Day()), "Month", fmt.Sprintf("%02d", int(t.Month())),
		"Year", strconv.Itoa(t.Year()), "Time", Clock(t))
}

// Short is day, month and time for buttons and list lines, e.g. "17.06.
// 10:00".
func Short(l *locales.Localizer, t time.Time) string {
	return l.Plain("tf_short", "Day", fmt.Sprintf("%02d", t.Day()), "Month", fmt.Sprintf("%02d", int(t.Month())),
		"Time", Clock(t))
}

// Duration writes a length of time in days, hours and minutes: "1 hour
// 30 minutes", "2 дні". Seconds are dropped.
func Duration(l *locales.Localizer, d time.Duration) string {
	minutes := int(d / time.Minute)
	days, hours, mins := minutes/(24*60), minutes/60%24, minutes%60
	var parts []string
	for _, p := range []struct {
		id string
		n  int
	}{{"tf_days", days}, {"tf_hours", hours}, {"tf_minutes", mins}} {
		if p.n > 0 {
			parts = append(parts, l.N(p.id, p.n))
		}
	}
	if len(parts) == 0 {
		return l.N("tf_minutes", 0)
	}
	return strings.Join(parts, " ")
}
