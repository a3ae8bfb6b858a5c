package locales

import "testing"

func TestCountry(t *testing.T) {
	c := load(t)
	for _, tc := range []struct{ lang, code, want string }{
		{"uk", "UA", "Україна"},
		{"uk", "DE", "Німеччина"},
		{"de", "SE", "Schweden"},
		{"fr", "DE", "Allemagne"},
		{"sv", "UA", "Ukraina"},
		{"en", "PL", "Poland"},
		{"de", "XX", "XX"},
		{"en", "nonsense", "nonsense"},
	} {
		if got := c.For(tc.lang).Country(tc.code); got != tc.want {
			t.Errorf("%s: Country(%q) = %q, want %q", tc.lang, tc.code, got, tc.want)
		}
	}
}
