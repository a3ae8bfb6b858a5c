package bot

import (
	"strings"
	"unicode"

	"partnerbot/locales"
)

// Text helpers shared by the features' screens.

// truncate shortens s to at most n characters, marking a cut with "…".
func truncate(s string, n int) string {
	cut := firstRunes(s, n)
	if len(cut) == len(s) {
		return s
	}
	return firstRunes(cut, n-1) + "…"
}

// firstRunes is the first n characters of s, cut without a mark: for
// input that is kept, not shown. It reads no further than it keeps.
func firstRunes(s string, n int) string {
	i := 0
	for at := range s {
		if i == n {
			return s[:at]
		}
		i++
	}
	return s
}

// oneLine is s with every run of spaces and line breaks made one space,
// without leading or trailing ones, truncated to n characters: a snippet
// of a long text. It reads no further than the snippet needs.
func oneLine(s string, n int) string {
	var b strings.Builder
	kept, space := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && kept > 0 {
			b.WriteByte(' ')
			kept++
		}
		space = false
		b.WriteRune(r)
		if kept++; kept > n {
			break
		}
	}
	return truncate(b.String(), n)
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
