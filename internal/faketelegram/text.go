package faketelegram

import (
	"encoding/json"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// Telegram's length limits, in UTF-16 code units after entity parsing.
const (
	maxMessageLength = 4096
	maxCaptionLength = 1024
)

// formattedText is a text parameter after parse_mode or entities.
type formattedText struct {
	raw       string
	parseMode string
	plain     string
	entities  []models.MessageEntity
}

// formatText applies parse_mode (or the explicit entities, which win, as in
// Telegram) to raw and trims surrounding whitespace like Telegram does.
// Markdown and MarkdownV2 are accepted but not validated.
func formatText(raw, parseMode, entitiesJSON string, strict bool) (formattedText, *apiError) {
	ft := formattedText{raw: raw, parseMode: parseMode, plain: raw}
	if !utf8.ValidString(raw) {
		return ft, errNotUTF8
	}
	switch {
	case entitiesJSON != "":
		if err := json.Unmarshal([]byte(entitiesJSON), &ft.entities); err != nil {
			return ft, errEntitiesJSON
		}
	case strings.EqualFold(parseMode, "HTML"):
		plain, entities, err := parseHTML(raw, strict)
		if err != nil {
			return ft, badRequest(err.Error())
		}
		ft.plain, ft.entities = plain, entities
	case parseMode == "", strings.EqualFold(parseMode, "Markdown"), strings.EqualFold(parseMode, "MarkdownV2"):
	default:
		return ft, errUnsupportedParse
	}
	ft.plain, ft.entities = trimText(ft.plain, ft.entities)
	return ft, nil
}

// checkLength enforces a limit on the parsed text.
func (ft formattedText) checkLength(limit int, tooLong *apiError) *apiError {
	if utf16Len(ft.plain) > limit {
		return tooLong
	}
	return nil
}

const trimSet = " \t\r\n"

// trimText removes leading and trailing whitespace and shifts and clips the
// entities accordingly.
func trimText(text string, entities []models.MessageEntity) (string, []models.MessageEntity) {
	trimmed := strings.TrimLeft(text, trimSet)
	shift := len(text) - len(trimmed) // ASCII only, so bytes == UTF-16 units
	trimmed = strings.TrimRight(trimmed, trimSet)
	if len(trimmed) == len(text) {
		return text, entities
	}
	size := utf16Len(trimmed)
	var kept []models.MessageEntity
	for _, e := range entities {
		start, end := max(e.Offset-shift, 0), min(e.Offset+e.Length-shift, size)
		if end > start {
			e.Offset, e.Length = start, end-start
			kept = append(kept, e)
		}
	}
	return trimmed, kept
}

// utf16Len is the length of s in UTF-16 code units, the unit of all
// Telegram offsets and limits.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// mentionUserID recognises tg://user?id=<id> links.
func mentionUserID(link string) (int64, bool) {
	const prefix = "tg://user?id="
	if len(link) <= len(prefix) || !strings.EqualFold(link[:len(prefix)], prefix) {
		return 0, false
	}
	id, err := strconv.ParseInt(link[len(prefix):], 10, 64)
	return id, err == nil && id > 0
}

// checkedLink normalises a text_link URL the way Telegram does in the common
// cases ("telegram.org" becomes "http://telegram.org/"); it returns "" for a
// link Telegram would drop.
func checkedLink(link string) string {
	if link == "" || strings.ContainsAny(link, trimSet) {
		return ""
	}
	lower := strings.ToLower(link)
	for _, scheme := range []string{"tg:", "ton:", "tonsite:"} {
		if strings.HasPrefix(lower, scheme) {
			return link
		}
	}
	if !strings.Contains(link, "://") {
		link = "http://" + link
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ftp":
	default:
		return ""
	}
	host := u.Hostname()
	if host == "" || !strings.Contains(strings.Trim(host, "."), ".") && host != "localhost" && net.ParseIP(host) == nil {
		return ""
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}
