package locales

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Country names an ISO 3166-1 alpha-2 country code in the localizer's
// language (UA is "Україна" in Ukrainian, "Ukraine" in German), from the
// CLDR data in x/text. An unknown code comes back as it is.
func (l *Localizer) Country(code string) string {
	region, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if name := display.Regions(language.Make(l.lang)).Name(region); name != "" {
		return name
	}
	return code
}
