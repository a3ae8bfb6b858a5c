// Package zones knows the time zones partnerbot offers and how to read a
// zone name someone typed. The IANA database is embedded (time/tzdata), so
// Europe/Kyiv resolves even on systems with an old or missing zoneinfo.
package zones

import (
	"errors"
	"strings"
	"time"
	_ "time/tzdata" // embedded zone database: names resolve the same everywhere
	"unicode"
)

// Offered are the zones offered as buttons, those of the partner
// countries.
var Offered = []string{"Europe/Kyiv", "Europe/Berlin", "Europe/Paris", "Europe/Stockholm", "Europe/Warsaw"}

// byLanguage is the default zone for a user who has not chosen one: the
// zone where most speakers of the bot language live. English speakers are
// put on Berlin time, the zone of most partner towns in the European Union
// (Germany, France, Sweden, Poland all use it).
var byLanguage = map[string]string{
	"uk": "Europe/Kyiv",
	"de": "Europe/Berlin",
	"fr": "Europe/Paris",
	"sv": "Europe/Stockholm",
	"en": "Europe/Berlin",
}

// Fallback is the zone for a language without a default of its own.
const Fallback = "Europe/Berlin"

// Default is the zone assumed for a user of language lang until they
// choose one in /settings.
func Default(lang string) string {
	if z, ok := byLanguage[lang]; ok {
		return z
	}
	return Fallback
}

// ErrUnknown is returned for a name that is no IANA time zone.
var ErrUnknown = errors.New("unknown time zone")

// Load returns the location of a stored zone name. A name that no longer
// resolves (a corrupt row) falls back to Fallback rather than failing a
// whole message.
func Load(name string) *time.Location {
	if loc, err := Parse(name); err == nil {
		return loc
	}
	loc, _ := time.LoadLocation(Fallback)
	return loc
}

// Parse reads a zone name someone typed: "Europe/Kyiv", "europe/kyiv",
// "America/New York", "Europe/Kiev" (an old alias). The returned
// location's String() is the canonical spelling to store. "Local" and the
// empty name, which Go accepts, are refused: they mean the server's zone.
func Parse(s string) (*time.Location, error) {
	s = strings.Join(strings.Fields(s), "_")
	if s == "" || len(s) > 64 || strings.EqualFold(s, "local") || strings.Contains(s, "..") {
		return nil, ErrUnknown
	}
	for _, name := range []string{s, canonicalCase(s), strings.ToUpper(s)} {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	return nil, ErrUnknown
}

// canonicalCase writes each part of a zone name the way the IANA database
// does: "america/port-au-prince" becomes "America/Port-Au-Prince" (which is
// not always right, "Port-au-Prince", but right for nearly every zone
// people in Europe use).
func canonicalCase(s string) string {
	r := []rune(strings.ToLower(s))
	up := true
	for i, c := range r {
		if up {
			r[i] = unicode.ToUpper(c)
		}
		up = c == '/' || c == '_' || c == '-'
	}
	return string(r)
}
