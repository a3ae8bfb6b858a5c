package playground

import (
	"cmp"
	"html"
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// The bot writes Telegram HTML. The fake Bot API parses it the way
// Telegram does (refusing tags Telegram does not allow) into the plain text
// and its entities, as Telegram delivers messages to clients; the page
// renders that, like a Telegram client: every character of the text is
// escaped, and the only markup is what renderText makes for the entity
// types below. Nothing the bot sends reaches the page as markup.

// links tells renderText what the links of a message do in the page.
type links struct {
	// bot is the bot's username: t.me/<bot>?start=X links open in the
	// playground as "/start X".
	bot string
	// chat is the persona key, for the no-script fallback of such links.
	chat string
	// private is the persona key of the private chat that a t.me link to
	// the bot opens: the chat itself, or from a group the writer's own.
	private string
}

// deepLinkChat is the persona key deep links send in.
func (l links) deepLinkChat() string { return cmp.Or(l.private, l.chat) }

// deepLink returns the "/start ..." text a t.me link to the bot stands for.
func (l links) deepLink(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", false
	}
	host := strings.ToLower(u.Host)
	if host != "t.me" && host != "telegram.me" && host != "www.t.me" {
		return "", false
	}
	if !strings.EqualFold(strings.Trim(u.Path, "/"), l.bot) {
		return "", false
	}
	if start := u.Query().Get("start"); start != "" {
		return "/start " + start, true
	}
	return "/start", true
}

// safeHref returns raw if it is an http(s) URL, else "".
func safeHref(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.String()
}

// sendLink is the markup of something that sends text in the chat when
// clicked (a deep link, a /command): with scripts it sends at once, without
// them it puts the text in the input box.
func (l links) sendLink(text, inner, class string) string {
	href := "/?chat=" + url.QueryEscape(l.chat) + "&draft=" + url.QueryEscape(text)
	return `<a class="` + class + `" href="` + html.EscapeString(href) + `" data-send="` + html.EscapeString(text) + `">` +
		inner + `</a>`
}

// renderText renders a message's plain text and entities (offsets in
// UTF-16 code units) as HTML.
func renderText(text string, entities []models.MessageEntity, l links) template.HTML {
	units := utf16.Encode([]rune(text))
	n := len(units)
	ents := make([]models.MessageEntity, 0, len(entities))
	for _, e := range entities {
		if tagOf(e, l) == "" || e.Length <= 0 || e.Offset < 0 || e.Offset >= n {
			continue
		}
		e.Length = min(e.Length, n-e.Offset)
		ents = append(ents, e)
	}
	// Outer entities first: earlier start, then longer.
	slices.SortStableFunc(ents, func(a, b models.MessageEntity) int {
		if a.Offset != b.Offset {
			return a.Offset - b.Offset
		}
		return b.Length - a.Length
	})
	cuts := []int{0, n}
	for _, e := range ents {
		cuts = append(cuts, e.Offset, e.Offset+e.Length)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)

	var b strings.Builder
	var open []int // indexes into ents, outermost first
	for i := 0; i+1 < len(cuts); i++ {
		from, to := cuts[i], cuts[i+1]
		covers := func(k int) bool { return ents[k].Offset <= from && ents[k].Offset+ents[k].Length >= to }
		// Close what ends here, and whatever was opened inside it; reopen
		// the inner ones that go on.
		keep := len(open)
		for j, k := range open {
			if !covers(k) {
				keep = j
				break
			}
		}
		for j := len(open) - 1; j >= keep; j-- {
			b.WriteString(closeTag(ents[open[j]], l))
		}
		reopen := open[keep:]
		open = open[:keep]
		for _, k := range reopen {
			if covers(k) {
				open = append(open, k)
				b.WriteString(openTag(ents[k], text16(units, ents[k]), l))
			}
		}
		for k := range ents {
			if covers(k) && !slices.Contains(open, k) {
				open = append(open, k)
				b.WriteString(openTag(ents[k], text16(units, ents[k]), l))
			}
		}
		seg := string(utf16.Decode(units[from:to]))
		if inLinkOrCode(ents, open) {
			b.WriteString(html.EscapeString(seg))
		} else {
			b.WriteString(linkify(seg, l))
		}
	}
	for j := len(open) - 1; j >= 0; j-- {
		b.WriteString(closeTag(ents[open[j]], l))
	}
	return template.HTML(b.String()) //nolint:gosec // built from escaped text and fixed tags only
}

func text16(units []uint16, e models.MessageEntity) string {
	return string(utf16.Decode(units[e.Offset : e.Offset+e.Length]))
}

func inLinkOrCode(ents []models.MessageEntity, open []int) bool {
	for _, k := range open {
		switch ents[k].Type {
		case models.MessageEntityTypeTextLink, models.MessageEntityTypeURL, models.MessageEntityTypeCode,
			models.MessageEntityTypePre:
			return true
		}
	}
	return false
}

// commandRE finds /commands in text, and urlRE web addresses, which
// Telegram clients make clickable in a bot's messages.
var (
	commandRE = regexp.MustCompile(`(^|[\s(])(/[a-z][a-z0-9_]{0,31})\b`)
	urlRE     = regexp.MustCompile(`https?://[^\s<>"]+`)
)

// linkify renders plain text (outside links and code) with its web
// addresses and /commands made links.
func linkify(seg string, l links) string {
	var b strings.Builder
	last := 0
	for _, m := range urlRE.FindAllStringIndex(seg, -1) {
		start, end := m[0], m[1]
		end -= len(seg[start:end]) - len(strings.TrimRight(seg[start:end], ".,;:!?)»'"))
		b.WriteString(linkCommands(seg[last:start], l))
		u := seg[start:end]
		b.WriteString(openTag(models.MessageEntity{Type: models.MessageEntityTypeURL}, u, l) + html.EscapeString(u) + "</a>")
		last = end
	}
	b.WriteString(linkCommands(seg[last:], l))
	return b.String()
}

func linkCommands(seg string, l links) string {
	var b strings.Builder
	last := 0
	for _, m := range commandRE.FindAllStringSubmatchIndex(seg, -1) {
		start, end := m[4], m[5]
		if end < len(seg) && (seg[end] == '/' || seg[end] == '@') {
			continue // a path or /cmd@bot: leave as text
		}
		b.WriteString(html.EscapeString(seg[last:start]))
		cmd := seg[start:end]
		b.WriteString(l.sendLink(cmd, html.EscapeString(cmd), "cmd"))
		last = end
	}
	b.WriteString(html.EscapeString(seg[last:]))
	return b.String()
}

// tagOf is the element an entity becomes, or "" for entities shown as
// plain text.
func tagOf(e models.MessageEntity, l links) string {
	switch e.Type {
	case models.MessageEntityTypeBold:
		return "b"
	case models.MessageEntityTypeItalic:
		return "i"
	case models.MessageEntityTypeUnderline:
		return "u"
	case models.MessageEntityTypeStrikethrough:
		return "s"
	case models.MessageEntityTypeSpoiler, models.MessageEntityTypeTextMention, models.MessageEntityTypeCustomEmoji:
		return "span"
	case models.MessageEntityTypeCode:
		return "code"
	case models.MessageEntityTypePre:
		return "pre"
	case models.MessageEntityTypeBlockquote, models.MessageEntityTypeExpandableBlockquote:
		return "blockquote"
	case models.MessageEntityTypeTextLink, models.MessageEntityTypeURL:
		return "a"
	}
	return ""
}

var languageRE = regexp.MustCompile(`^[A-Za-z0-9_+#-]{1,32}$`)

func openTag(e models.MessageEntity, inner string, l links) string {
	switch e.Type {
	case models.MessageEntityTypeSpoiler:
		return `<span class="spoiler" title="spoiler">`
	case models.MessageEntityTypeTextMention:
		return `<span class="mention">`
	case models.MessageEntityTypeExpandableBlockquote:
		return `<blockquote class="expandable">`
	case models.MessageEntityTypePre:
		if languageRE.MatchString(e.Language) {
			return `<pre class="language-` + e.Language + `">`
		}
		return `<pre>`
	case models.MessageEntityTypeTextLink, models.MessageEntityTypeURL:
		target := e.URL
		if e.Type == models.MessageEntityTypeURL {
			target = inner
		}
		if start, ok := l.deepLink(target); ok {
			chat := l.deepLinkChat()
			href := "/?chat=" + url.QueryEscape(chat) + "&draft=" + url.QueryEscape(start)
			return `<a class="deeplink" href="` + html.EscapeString(href) + `" data-send="` + html.EscapeString(start) +
				`" data-chat="` + html.EscapeString(chat) + `" title="` + html.EscapeString(target) + `">`
		}
		if href := safeHref(target); href != "" {
			return `<a href="` + html.EscapeString(href) + `" target="_blank" rel="noopener noreferrer">`
		}
		return `<a class="dead" title="` + html.EscapeString(target) + `">`
	}
	return "<" + tagOf(e, l) + ">"
}

func closeTag(e models.MessageEntity, l links) string { return "</" + tagOf(e, l) + ">" }
