package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"partnerbot/storage"
)

func TestParsePlace(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, place, link, problem string
	}{
		{"Town hall, Ichnia", "Town hall, Ichnia", "", ""},
		{"  Ратуша,   вул. Незалежності 1  ", "Ратуша, вул. Незалежності 1", "", ""},
		{"https://meet.example.org/partners", "", "https://meet.example.org/partners", ""},
		{"Town hall – https://meet.example.org/x?a=1&b=2", "Town hall", "https://meet.example.org/x?a=1&b=2", ""},
		{"https://meet.example.org/x, Rathaus", "Rathaus", "https://meet.example.org/x", ""},
		{"www.example.org/call.", "", "https://www.example.org/call", ""},
		{"HTTPS://Meet.Example.org/Room", "", "https://Meet.Example.org/Room", ""},
		{"", "", "", "step_text_empty"},
		{" , - ", "", "", "step_text_empty"},
		{"ftp://example.org/file", "", "", "ev_bad_url"},
		{"https://localhost/x", "", "", "ev_bad_url"},
		{"https://user:pw@example.org/", "", "", "ev_bad_url"},
		{"javascript://example.org/%0Aalert(1)", "", "", "ev_bad_url"},
		{"https://a.example.org https://b.example.org", "", "", "ev_bad_place_two_links"},
		{strings.Repeat("x", storage.MaxEventPlaceLen+1), "", "", "ev_bad_place_long"},
		{"https://example.org/" + strings.Repeat("a", storage.MaxEventURLLen), "", "", "ev_bad_url"},
	} {
		place, link, problem := parsePlace(tc.in)
		if place != tc.place || link != tc.link || problem != tc.problem {
			t.Errorf("parsePlace(%q) = %q, %q, %q; want %q, %q, %q", tc.in, place, link, problem, tc.place, tc.link, tc.problem)
		}
	}
}

// FuzzParsePlace checks that whatever is typed, an accepted answer fits
// the schema and its link is an http(s) URL with a real host.
func FuzzParsePlace(f *testing.F) {
	for _, s := range []string{"Town hall", "https://meet.example.org/x", "Rathaus https://x.example.org", "www.a.b",
		"https://a https://b", "http://[::1]/", "https://ex ample.org"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		place, link, problem := parsePlace(s)
		if problem != "" {
			if place != "" || link != "" {
				t.Fatalf("refused %q but returned %q, %q", s, place, link)
			}
			return
		}
		if place == "" && link == "" {
			t.Fatalf("accepted %q as nothing", s)
		}
		if utf8.RuneCountInString(place) > storage.MaxEventPlaceLen || utf8.RuneCountInString(link) > storage.MaxEventURLLen {
			t.Fatalf("accepted %q too long: %q, %q", s, place, link)
		}
		if link != "" && !strings.HasPrefix(link, "http://") && !strings.HasPrefix(link, "https://") {
			t.Fatalf("accepted link %q from %q", link, s)
		}
		if again, l2, p2 := parsePlace(link); link != "" && (p2 != "" || l2 != link || again != "") {
			t.Fatalf("link %q from %q does not read back: %q, %q, %q", link, s, again, l2, p2)
		}
	})
}
