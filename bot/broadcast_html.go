package bot

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// htmlProblem is why a broadcast text is not Telegram HTML the bot will
// send: a message id of locales/broadcast.*.toml and its placeholders.
type htmlProblem struct {
	ID   string
	Args []any
}

// broadcastTags are the tags a broadcast text may use, as Telegram reads
// them; the value says which attribute each takes ("" none).
var broadcastTags = map[string]string{
	"b": "", "strong": "", "i": "", "em": "", "u": "", "ins": "", "s": "", "strike": "", "del": "",
	"a": "href", "code": "class", "pre": "", "tg-spoiler": "", "blockquote": "expandable",
}

// checkBroadcastHTML checks text as Telegram parses parse_mode HTML, more
// strictly where Telegram would silently show something else: only the
// tags of broadcastTags, each closed in order, links only to http(s), and
// every <, > and & outside tags written as an entity (&lt; &gt; &amp;
// &quot; or numeric). ok is false with the reason otherwise.
func checkBroadcastHTML(text string) (htmlProblem, bool) {
	if !utf8.ValidString(text) {
		return htmlProblem{ID: "bc_html_encoding"}, false
	}
	var open []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '>':
			return htmlProblem{ID: "bc_html_bare", Args: []any{"Char", ">"}}, false
		case '&':
			end := strings.IndexByte(text[i:], ';')
			if end < 0 || !validEntity(text[i+1:i+end]) {
				word := firstRunes(text[i:], 10)
				if end >= 0 && utf8.RuneCountInString(text[i:i+end+1]) <= 10 {
					word = text[i : i+end+1]
				}
				return htmlProblem{ID: "bc_html_entity", Args: []any{"Entity", word}}, false
			}
			i += end + 1
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return htmlProblem{ID: "bc_html_bare", Args: []any{"Char", "<"}}, false
			}
			tag := text[i+1 : i+end]
			i += end + 1
			if closing, ok := strings.CutPrefix(tag, "/"); ok {
				name := strings.ToLower(strings.TrimSpace(closing))
				if len(open) == 0 || open[len(open)-1] != name {
					return htmlProblem{ID: "bc_html_unexpected_close", Args: []any{"Tag", name}}, false
				}
				open = open[:len(open)-1]
				continue
			}
			name, attrs, _ := strings.Cut(tag, " ")
			name = strings.ToLower(name)
			allowed, known := broadcastTags[name]
			if !known {
				return htmlProblem{ID: "bc_html_unknown_tag", Args: []any{"Tag", name}}, false
			}
			if p, ok := checkAttrs(name, allowed, strings.TrimSpace(attrs), open); !ok {
				return p, false
			}
			open = append(open, name)
		default:
			i++
		}
	}
	if len(open) > 0 {
		return htmlProblem{ID: "bc_html_unclosed", Args: []any{"Tag", open[len(open)-1]}}, false
	}
	return htmlProblem{}, true
}

// checkAttrs checks the attributes of a start tag: a needs an http(s)
// href, blockquote may be expandable, code may name a language inside pre,
// the others take none.
func checkAttrs(name, allowed, attrs string, open []string) (htmlProblem, bool) {
	bad := htmlProblem{ID: "bc_html_attribute", Args: []any{"Tag", name}}
	if attrs == "" {
		if name == "a" {
			return htmlProblem{ID: "bc_html_link"}, false
		}
		return htmlProblem{}, true
	}
	key, value, hasValue := strings.Cut(attrs, "=")
	key = strings.ToLower(strings.TrimSpace(key))
	if key != allowed {
		return bad, false
	}
	switch name {
	case "blockquote":
		return bad, !hasValue
	case "code":
		v, ok := unquote(value)
		return bad, ok && len(open) > 0 && open[len(open)-1] == "pre" && strings.HasPrefix(v, "language-")
	}
	v, ok := unquote(value)
	if !ok {
		return bad, false
	}
	if _, ok := linkURL(strings.ReplaceAll(v, "&amp;", "&")); !ok {
		return htmlProblem{ID: "bc_html_link"}, false
	}
	return htmlProblem{}, true
}

// unquote reads an attribute value in double or single quotes.
func unquote(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		inner := v[1 : len(v)-1]
		return inner, !strings.ContainsAny(inner, `"'<>`)
	}
	return "", false
}

// validEntity reports whether name (between & and ;) is one Telegram reads.
func validEntity(name string) bool {
	switch name {
	case "lt", "gt", "amp", "quot":
		return true
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok || num == "" {
		return false
	}
	base := 10
	if h, ok := strings.CutPrefix(strings.ToLower(num), "x"); ok {
		num, base = h, 16
	}
	n, err := strconv.ParseUint(num, base, 32)
	return err == nil && n > 0 && n <= utf8.MaxRune
}

// linkURL checks a link of a broadcast (a button or a text link): http or
// https with a host, no credentials.
func linkURL(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", false
	}
	return u.String(), true
}

// plainOf is text without tags and with entities decoded: what a
// recipient reads, for lengths and short quotes.
func plainOf(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		switch text[i] {
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				b.WriteString(text[i:])
				return b.String()
			}
			i += end + 1
		case '&':
			end := strings.IndexByte(text[i:], ';')
			if end < 0 {
				b.WriteByte('&')
				i++
				continue
			}
			switch name := text[i+1 : i+end]; name {
			case "lt":
				b.WriteByte('<')
			case "gt":
				b.WriteByte('>')
			case "amp":
				b.WriteByte('&')
			case "quot":
				b.WriteByte('"')
			default:
				num, _ := strings.CutPrefix(name, "#")
				base := 10
				if h, ok := strings.CutPrefix(strings.ToLower(num), "x"); ok {
					num, base = h, 16
				}
				if n, err := strconv.ParseUint(num, base, 32); err == nil {
					b.WriteRune(rune(n))
				}
			}
			i += end + 1
		default:
			b.WriteByte(text[i])
			i++
		}
	}
	return b.String()
}
