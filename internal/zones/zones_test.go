package zones

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"Europe/Kyiv", "Europe/Kyiv"},
		{"europe/kyiv", "Europe/Kyiv"},
		{" Europe/Berlin ", "Europe/Berlin"},
		{"EUROPE/PARIS", "Europe/Paris"},
		{"Europe/Kiev", "Europe/Kiev"},
		{"america/new york", "America/New_York"},
		{"America/New_York", "America/New_York"},
		{"utc", "UTC"},
		{"Asia/Ho_Chi_Minh", "Asia/Ho_Chi_Minh"},
	} {
		loc, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if loc.String() != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.in, loc, tc.want)
		}
	}
	for _, bad := range []string{"", "Local", "local", "Mars/Olympus", "../etc/passwd", "Europe/../Europe/Kyiv",
		"Kyiv", "Europe/Kyiv/x", string(make([]byte, 100))} {
		if loc, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %s, want an error", bad, loc)
		}
	}
}

func TestOfferedAndDefaultsResolve(t *testing.T) {
	names := append([]string{Fallback}, Offered...)
	for _, lang := range []string{"uk", "de", "fr", "sv", "en", "xx"} {
		names = append(names, Default(lang))
	}
	for _, name := range names {
		loc, err := Parse(name)
		if err != nil || loc.String() != name {
			t.Errorf("zone %s does not resolve to itself: %v %v", name, loc, err)
		}
	}
	if Default("uk") != "Europe/Kyiv" || Default("sv") != "Europe/Stockholm" || Default("pl") != Fallback {
		t.Errorf("defaults: uk %s, sv %s, pl %s", Default("uk"), Default("sv"), Default("pl"))
	}
}

func TestLoadFallsBack(t *testing.T) {
	if got := Load("Nowhere/Land").String(); got != Fallback {
		t.Fatalf("Load of a bad name = %s", got)
	}
	if got := Load("Europe/Kyiv"); got.String() != "Europe/Kyiv" {
		t.Fatalf("Load(Europe/Kyiv) = %s", got)
	}
	// Kyiv is two hours ahead of UTC in winter.
	_, off := time.Date(2026, 1, 15, 12, 0, 0, 0, Load("Europe/Kyiv")).Zone()
	if off != 2*3600 {
		t.Fatalf("Kyiv winter offset %d", off)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"Europe/Kyiv", "local", "../x", "america/new york", "", "ä/ö"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		loc, err := Parse(s)
		if err != nil {
			return
		}
		if loc.String() == "Local" || loc.String() == "" {
			t.Fatalf("Parse(%q) gave the server's zone", s)
		}
		if again, err := Parse(loc.String()); err != nil || again.String() != loc.String() {
			t.Fatalf("canonical %q does not parse back: %v", loc, err)
		}
	})
}
