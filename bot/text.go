package bot

import (
	"strings"
	"unicode/utf8"

	"partnerbot/locales"
)

// Text helpers shared by the features' screens.

// truncate shortens s to at most n characters, marking a cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return firstRunes(s, n-1) + "…"
}

// firstRunes is the first n characters of s, cut without a mark: for
// input that is kept, not shown.
func firstRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// names joins the localized names (message prefix+id) of ids.
func names(l *locales.Localizer, prefix string, ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = l.Plain(prefix + id)
	}
	return strings.Join(out, ", ")
}

// namesOr is names, or the message none when ids is empty.
func namesOr(l *locales.Localizer, prefix string, ids []string, none string) string {
	if len(ids) == 0 {
		return l.Plain(none)
	}
	return names(l, prefix, ids)
}
