package whenparse

import (
	"errors"
	"testing"
	"time"
)

var (
	kyiv, _   = time.LoadLocation("Europe/Kyiv")
	berlin, _ = time.LoadLocation("Europe/Berlin")
	// now is a Monday morning in spring 2025, Berlin time.
	now = time.Date(2025, 3, 10, 9, 0, 0, 0, berlin)
)

func TestParse(t *testing.T) {
	at := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, berlin) }
	june17 := at(2025, 6, 17, 10, 0)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"17.06.2025 10:00", june17},
		{"2025-06-17 10:00", june17},
		{"17/06 10h", june17},
		{"17.6. 10 Uhr", june17},
		{"10:00 17.06.2025", june17},
		{"17.06.2025, 10:00", june17},
		{"17.06.25 10:00", june17},
		{"17-06-2025 10:00", june17},
		{"2025/06/17 10:00", june17},
		{"2025-06-17T10:00", june17},
		{"2025-06-17T10:00:00Z", june17},
		{"17.06. um 10 Uhr", june17},
		{"am 17.06.2025 um 10:00 Uhr", june17},
		{"Dienstag, 17.06.2025, 10:00", june17},
		{"mardi 17/06/2025 à 10h", june17},
		{"17/06/2025 10h00", june17},
		{"tisdag 17/6 kl. 10.00", june17},
		{"17.06.2025 р. о 10:00", june17},
		{"17.06.2025 о 10 год.", june17},
		{"17.06 10.00", june17},
		{"10.00 17.06.2025", june17},
		{"17/06/2025 10am", june17},
		{"17/06/2025 10:00 am", june17},
		{"17.06.2025 10", june17},
		{"  17.06.2025\u00a0 10:00  ", june17},
		{"17/06 10.30pm", at(2025, 6, 17, 22, 30)},
		{"17/06 12 pm", at(2025, 6, 17, 12, 0)},
		{"17/06 12am", at(2025, 6, 17, 0, 0)},
		{"1.1. 0:00", at(2026, 1, 1, 0, 0)},
		{"17.06 10.30", at(2025, 6, 17, 10, 30)},
		{"17.06 19:45", at(2025, 6, 17, 19, 45)},
		// Without a year: the next such day, so early March is next year.
		{"01.03. 10:00", at(2026, 3, 1, 10, 0)},
		{"10.03 8:00", at(2026, 3, 10, 8, 0)},
		{"10.03 9:30", at(2025, 3, 10, 9, 30)},
		{"29.02. 10:00", at(2028, 2, 29, 10, 0)},
		// An explicit past date is returned as it is; refusing it is the caller's rule.
		{"01.01.2024 10:00", at(2024, 1, 1, 10, 0)},
		// Month names, in every language of the bot.
		{"17 червня 2025 о 10:00", june17},
		{"17 червня о 10 год.", june17},
		{"вівторок, 17 червня, 10:00", june17},
		{"17. Juni 2025 um 10 Uhr", june17},
		{"am 17. Juni um 10", june17},
		{"le 17 juin 2025 à 10h", june17},
		{"17 juin 10h00", june17},
		{"tisdag 17 juni kl. 10", june17},
		{"June 17, 2025 10am", june17},
		{"Jun 17th 10:00", june17},
		{"17 June 2025 10:00", june17},
		{"1er mars 10h", at(2026, 3, 1, 10, 0)},
		{"31 dec. 23:30", at(2025, 12, 31, 23, 30)},
		// Today, tomorrow and the day after (now is Monday 10 March 2025).
		{"tomorrow 10:00", at(2025, 3, 11, 10, 0)},
		{"morgen um 18 Uhr", at(2025, 3, 11, 18, 0)},
		{"завтра о 18:00", at(2025, 3, 11, 18, 0)},
		{"demain à 18h", at(2025, 3, 11, 18, 0)},
		{"i morgon kl. 18", at(2025, 3, 11, 18, 0)},
		{"imorgon 18.00", at(2025, 3, 11, 18, 0)},
		{"übermorgen 10:00", at(2025, 3, 12, 10, 0)},
		{"післязавтра о 10:00", at(2025, 3, 12, 10, 0)},
		{"après-demain 10h", at(2025, 3, 12, 10, 0)},
		{"i övermorgon 10:00", at(2025, 3, 12, 10, 0)},
		{"heute 18:00", at(2025, 3, 10, 18, 0)},
		{"сьогодні о 18:00", at(2025, 3, 10, 18, 0)},
		{"aujourd’hui 18h", at(2025, 3, 10, 18, 0)},
		{"i dag 18:00", at(2025, 3, 10, 18, 0)},
		// Today's early hour is returned as it is; refusing a past time is
		// the caller's rule.
		{"today 8:00", at(2025, 3, 10, 8, 0)},
	} {
		got, err := Parse(tc.in, now, berlin)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if !got.Equal(tc.want) || got.Location() != berlin {
			t.Errorf("Parse(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want error
	}{
		{"", ErrInvalid},
		{"tomorrow", ErrNoTime},
		{"17 червня", ErrNoTime},
		{"червня 10:00", ErrInvalid},
		{"31 червня 10:00", ErrInvalid},
		{"17 червня 18 травня 10:00", ErrInvalid},
		{"завтра 17.06. 10:00", ErrInvalid},
		{"morgen übermorgen 10:00", ErrInvalid},
		{"17 June 2025 2026 10:00", ErrInvalid},
		{"40 June 10:00", ErrInvalid},
		{"17.06.2025", ErrNoTime},
		{"17/06", ErrNoTime},
		{"17.06.", ErrNoTime},
		{"10:00", ErrNoDate},
		{"10h", ErrNoDate},
		{"10.30", ErrNoDate},
		{"31.06.2025 10:00", ErrInvalid},
		{"29.02.2025 10:00", ErrInvalid},
		{"17.13.2025 10:00", ErrInvalid},
		{"17.06.2025 25:00", ErrInvalid},
		{"17.06.2025 10:60", ErrInvalid},
		{"17.06.2025 13pm", ErrInvalid},
		{"17.06.2025 10:00 11:00", ErrInvalid},
		{"17.06.2025 18.06.2025 10:00", ErrInvalid},
		{"17 06 2025 10:00", ErrInvalid},
		{"17.06.2025 10:00 42", ErrInvalid},
		{"17.06.1999 10:00", ErrInvalid},
		{"17.06.2200 10:00", ErrInvalid},
		{"2025-6-17 10:00:30", ErrInvalid},
		{"00.06.2025 10:00", ErrInvalid},
	} {
		got, err := Parse(tc.in, now, berlin)
		if !errors.Is(err, tc.want) {
			t.Errorf("Parse(%q) = %v, %v; want error %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseInZone(t *testing.T) {
	// The same words mean different instants in different zones.
	k, err := Parse("17.06.2025 10:00", now, kyiv)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Parse("17.06.2025 10:00", now, berlin)
	if b.Sub(k) != time.Hour {
		t.Fatalf("Kyiv 10:00 is %v before Berlin 10:00, want 1h", b.Sub(k))
	}
	// Across the spring change: 10:00 local is still 10:00 local.
	got, _ := Parse("29.03.2026 10:00", now, berlin)
	if got.Hour() != 10 || got.UTC().Hour() != 8 {
		t.Fatalf("29 March 2026 10:00 Berlin = %v (UTC %v)", got, got.UTC())
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"90", 90 * time.Minute},
		{"90 min", 90 * time.Minute},
		{"90min", 90 * time.Minute},
		{"45 Minuten", 45 * time.Minute},
		{"2", 2 * time.Hour},
		{"2h", 2 * time.Hour},
		{"2 Std.", 2 * time.Hour},
		{"2 години", 2 * time.Hour},
		{"3 год", 3 * time.Hour},
		{"2 timmar", 2 * time.Hour},
		{"2 heures", 2 * time.Hour},
		{"1:30", 90 * time.Minute},
		{"1,5 h", 90 * time.Minute},
		{"1.5", 90 * time.Minute},
		{"1h30", 90 * time.Minute},
		{"1 h 30 min", 90 * time.Minute},
		{"2 дні", 48 * time.Hour},
		{"1 day", 24 * time.Hour},
		{"3 Tage", 72 * time.Hour},
		{"24", 24 * time.Hour},
		{"30", 30 * time.Minute},
	} {
		got, err := ParseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "abc", "0", "2 min", "15 days", "1:75", "1 2 3", "2 parsecs", "h", "1.5.5",
		"99999999999999999999", "10 min extra"} {
		if got, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", bad, got)
		}
	}
}

// FuzzParse checks that any input either fails cleanly or gives a time in
// the zone asked for that reads back to itself in the canonical form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"17.06.2025 10:00", "2025-06-17 10:00", "17/06 10h", "17.6. 10 Uhr", "10:00 17.06.2025",
		"kl. 10.30 17/6", "10.30pm 1.1.", "29.02. 0:00", "2025-06-17T10:00:00Z", "о 10 год.", "17 червня о 18:00",
		"June 17th 10am", "i morgon kl. 10", "demain 10h", "1er mars 2026 9h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s, now, kyiv)
		if err != nil {
			return
		}
		if got.Location() != kyiv || got.Year() < minYear || got.Year() > maxYear {
			t.Fatalf("Parse(%q) = %v", s, got)
		}
		again, err := Parse(got.Format("02.01.2006 15:04"), now, kyiv)
		if err != nil || !again.Equal(got) {
			t.Fatalf("Parse(%q) = %v, which reads back as %v, %v", s, got, again, err)
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90", "1:30", "1,5 h", "1h30", "2 Std.", "2 дні", "1 h 30 min"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err == nil && (d < MinDuration || d > MaxDuration || d%time.Minute != 0) {
			t.Fatalf("ParseDuration(%q) = %v", s, d)
		}
	})
}
