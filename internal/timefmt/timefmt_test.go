package timefmt

import (
	"testing"
	"time"

	"partnerbot/locales"
)

func TestFormats(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	tue := time.Date(2025, 6, 17, 10, 0, 0, 0, kyiv)
	first := time.Date(2026, 3, 1, 9, 5, 0, 0, kyiv)
	for _, tc := range []struct {
		lang, date, dateTime, numeric, short, first string
	}{
		{"en", "Tuesday, 17 June 2025", "Tuesday, 17 June 2025 at 10:00", "17/06/2025 10:00", "17/06 10:00",
			"Sunday, 1 March 2026 at 09:05"},
		{"de", "Dienstag, 17. Juni 2025", "Dienstag, 17. Juni 2025 um 10:00 Uhr", "17.06.2025 10:00", "17.06. 10:00",
			"Sonntag, 1. März 2026 um 09:05 Uhr"},
		{"uk", "вівторок, 17 червня 2025 р.", "вівторок, 17 червня 2025 р., 10:00", "17.06.2025 10:00", "17.06 10:00",
			"неділя, 1 березня 2026 р., 09:05"},
		{"fr", "mardi 17 juin 2025", "mardi 17 juin 2025 à 10:00", "17/06/2025 10:00", "17/06 10:00",
			"dimanche 1er mars 2026 à 09:05"},
		{"sv", "tisdag 17 juni 2025", "tisdag 17 juni 2025 kl. 10:00", "2025-06-17 10:00", "17/06 10:00",
			"söndag 1 mars 2026 kl. 09:05"},
	} {
		l := cat.For(tc.lang)
		for _, c := range []struct{ what, got, want string }{
			{"Date", Date(l, tue), tc.date},
			{"DateTime", DateTime(l, tue), tc.dateTime},
			{"Numeric", Numeric(l, tue), tc.numeric},
			{"Short", Short(l, tue), tc.short},
			{"DateTime on the 1st", DateTime(l, first), tc.first},
		} {
			if c.got != c.want {
				t.Errorf("%s %s = %q, want %q", tc.lang, c.what, c.got, c.want)
			}
		}
	}
}

func TestEveryMonthAndWeekdayHasAName(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range locales.Codes {
		l := cat.For(lang)
		seen := map[string]bool{}
		for d := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
			s := Date(l, d)
			if seen[s] {
				t.Fatalf("%s: %q twice", lang, s)
			}
			seen[s] = true
		}
		if len(seen) != 365 {
			t.Fatalf("%s: %d distinct dates", lang, len(seen))
		}
	}
}

func TestDuration(t *testing.T) {
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 90 * time.Minute, "1 hour 30 minutes"},
		{"en", 2 * time.Hour, "2 hours"},
		{"de", 26*time.Hour + time.Minute, "1 Tag 2 Stunden 1 Minute"},
		{"uk", 2 * time.Hour, "2 години"},
		{"uk", 5 * time.Hour, "5 годин"},
		{"uk", 21 * time.Minute, "21 хвилина"},
		{"uk", 48 * time.Hour, "2 дні"},
		{"fr", 90 * time.Minute, "1 heure 30 minutes"},
		{"sv", 45 * time.Minute, "45 minuter"},
		{"sv", 0, "0 minuter"},
	} {
		if got := Duration(cat.For(tc.lang), tc.d); got != tc.want {
			t.Errorf("%s %v = %q, want %q", tc.lang, tc.d, got, tc.want)
		}
	}
}
