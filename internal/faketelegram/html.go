package faketelegram

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

// EntityError is the reason Telegram refuses to parse formatted text. The
// Bot API reports it as "Bad Request: can't parse entities: <Detail>".
type EntityError struct {
	// Detail is Telegram's explanation, e.g.
	// `Unsupported start tag "foo" at byte offset 5`.
	Detail string
}

// Error returns the text Telegram puts after "Bad Request: ".
func (e *EntityError) Error() string { return "can't parse entities: " + e.Detail }

func entityErrorf(format string, args ...any) *EntityError {
	return &EntityError{Detail: fmt.Sprintf(format, args...)}
}

// ParseHTML parses text sent with parse_mode "HTML" the way Telegram does
// and returns the text the user sees together with its entities (offsets in
// UTF-16 code units). Errors are *EntityError with Telegram's detail text.
//
// ParseHTML is stricter than Telegram in one respect, to catch missing
// escaping early: an "&" that does not start one of the entities &lt; &gt;
// &amp; &quot; or a numeric entity is an error, where Telegram would keep it
// as a literal character. ParseHTMLLenient behaves exactly like Telegram.
func ParseHTML(text string) (string, []models.MessageEntity, error) {
	return parseHTML(text, true)
}

// ParseHTMLLenient is ParseHTML without the strict check of "&": like
// Telegram, it keeps an "&" that does not start a known entity as text.
func ParseHTMLLenient(text string) (string, []models.MessageEntity, error) {
	return parseHTML(text, false)
}

// openTag is a start tag waiting for its end tag.
type openTag struct {
	name       string
	arg        string // href, code language, span class, emoji id, "1" for expandable
	utf16Start int
	outStart   int
}

type htmlParser struct {
	src       string
	strict    bool
	out       []byte
	utf16     int
	open      []openTag
	entities  []models.MessageEntity
	surrogate bool
}

func parseHTML(text string, strict bool) (string, []models.MessageEntity, error) {
	p := &htmlParser{src: text, strict: strict, out: make([]byte, 0, len(text))}
	if err := p.run(); err != nil {
		return "", nil, err
	}
	return string(p.out), p.entities, nil
}

// at returns the byte at i, or 0 past the end (the C string terminator
// Telegram's parser relies on).
func (p *htmlParser) at(i int) byte {
	if i < len(p.src) {
		return p.src[i]
	}
	return 0
}

func (p *htmlParser) run() error {
	for i := 0; i < len(p.src); {
		c := p.src[i]
		if c == '&' {
			if r, next, ok := decodeHTMLEntity(p.src, i); ok {
				p.appendRune(r)
				i = next
				continue
			}
			if p.strict {
				return strictEntityError(p.src, i)
			}
		}
		if c != '<' {
			p.appendByte(c)
			i++
			continue
		}
		var err error
		if p.at(i+1) == '/' {
			i, err = p.endTag(i)
		} else {
			i, err = p.startTag(i)
		}
		if err != nil {
			return err
		}
	}
	if n := len(p.open); n > 0 {
		return entityErrorf("Can't find end tag corresponding to start tag \"%s\"", p.open[n-1].name)
	}
	if p.surrogate {
		return entityErrorf("Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units")
	}
	for i := range p.entities {
		if p.entities[i].Type == models.MessageEntityTypeCode {
			p.entities[i].Language = ""
		}
	}
	sort.SliceStable(p.entities, func(a, b int) bool {
		ea, eb := p.entities[a], p.entities[b]
		if ea.Offset != eb.Offset {
			return ea.Offset < eb.Offset
		}
		if ea.Length != eb.Length {
			return ea.Length > eb.Length
		}
		return entityPriority[ea.Type] < entityPriority[eb.Type]
	})
	return nil
}

func (p *htmlParser) appendByte(c byte) {
	if c&0xC0 != 0x80 { // first byte of a UTF-8 sequence
		p.utf16++
		if c >= 0xF0 {
			p.utf16++
		}
	}
	p.out = append(p.out, c)
}

func (p *htmlParser) appendRune(r rune) {
	if r >= 0xD800 && r <= 0xDFFF {
		p.surrogate = true
	}
	p.utf16++
	if r > 0xFFFF {
		p.utf16++
	}
	p.out = utf8.AppendRune(p.out, r)
}

var supportedTags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true, "s": true, "strike": true,
	"del": true, "u": true, "ins": true, "tg-spoiler": true, "tg-emoji": true, "span": true,
	"pre": true, "code": true, "blockquote": true,
}

func isHTMLSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\v', '\f', 0:
		return true
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// startTag parses the start tag at begin and returns the index after it.
func (p *htmlParser) startTag(begin int) (int, error) {
	i := begin + 1
	for !isHTMLSpace(p.at(i)) && p.at(i) != '>' {
		i++
	}
	if p.at(i) == 0 {
		return 0, entityErrorf("Unclosed start tag at byte offset %d", begin)
	}
	name := strings.ToLower(p.src[begin+1 : i])
	if !supportedTags[name] {
		return 0, entityErrorf("Unsupported start tag \"%s\" at byte offset %d", name, begin)
	}
	arg := ""
	for p.at(i) != '>' {
		for p.at(i) != 0 && isHTMLSpace(p.at(i)) {
			i++
		}
		if p.at(i) == '>' {
			break
		}
		attrBegin := i
		for !isHTMLSpace(p.at(i)) && !strings.ContainsRune("=>/\"'", rune(p.at(i))) {
			i++
		}
		attr := p.src[attrBegin:i]
		if attr == "" {
			return 0, entityErrorf("Empty attribute name in the tag \"%s\" at byte offset %d", name, begin)
		}
		for p.at(i) != 0 && isHTMLSpace(p.at(i)) {
			i++
		}
		if p.at(i) != '=' {
			if p.at(i) == 0 {
				return 0, entityErrorf("Unclosed start tag \"%s\" at byte offset %d", name, begin)
			}
			if name == "blockquote" && attr == "expandable" {
				arg = "1"
			}
			continue
		}
		i++
		for p.at(i) != 0 && isHTMLSpace(p.at(i)) {
			i++
		}
		if p.at(i) == 0 {
			return 0, entityErrorf("Unclosed start tag \"%s\" at byte offset %d", name, begin)
		}
		value, next, err := p.attributeValue(i)
		if err != nil {
			return 0, err
		}
		i = next
		if p.at(i) == 0 {
			return 0, entityErrorf("Unclosed start tag at byte offset %d", begin)
		}
		if v, ok := tagArgument(name, attr, value); ok {
			arg = v
		}
	}
	if name == "span" && arg != "spoiler" {
		return 0, entityErrorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
	}
	p.open = append(p.open, openTag{name: name, arg: arg, utf16Start: p.utf16, outStart: len(p.out)})
	return i + 1, nil
}

// attributeValue parses a quoted string or an unquoted name token at i.
func (p *htmlParser) attributeValue(i int) (string, int, error) {
	quote := p.at(i)
	if quote != '"' && quote != '\'' {
		begin := i
		for isAlnum(p.at(i)) || p.at(i) == '.' || p.at(i) == '-' {
			i++
		}
		if !isHTMLSpace(p.at(i)) && p.at(i) != '>' {
			return "", 0, entityErrorf("Unexpected end of name token at byte offset %d", begin)
		}
		return strings.ToLower(p.src[begin:i]), i, nil
	}
	i++
	var value []byte
	for p.at(i) != quote && p.at(i) != 0 {
		if p.at(i) == '&' {
			if r, next, ok := decodeHTMLEntity(p.src, i); ok {
				value = utf8.AppendRune(value, r)
				i = next
				continue
			}
			if p.strict {
				return "", 0, strictEntityError(p.src, i)
			}
		}
		value = append(value, p.src[i])
		i++
	}
	if p.at(i) == quote {
		i++
	}
	return string(value), i, nil
}

// tagArgument picks the attributes Telegram looks at.
func tagArgument(tag, attr, value string) (string, bool) {
	switch {
	case tag == "a" && attr == "href":
		return value, true
	case tag == "code" && attr == "class" && strings.HasPrefix(value, "language-"):
		return value[len("language-"):], true
	case tag == "span" && attr == "class" && strings.HasPrefix(value, "tg-"):
		return value[len("tg-"):], true
	case tag == "tg-emoji" && attr == "emoji-id":
		return value, true
	case tag == "blockquote" && attr == "expandable":
		return "1", true
	}
	return "", false
}

// endTag parses the end tag at begin and returns the index after it.
func (p *htmlParser) endTag(begin int) (int, error) {
	if len(p.open) == 0 {
		return 0, entityErrorf("Unexpected end tag at byte offset %d", begin)
	}
	i := begin + 2
	for !isHTMLSpace(p.at(i)) && p.at(i) != '>' {
		i++
	}
	name := strings.ToLower(p.src[begin+2 : i])
	for isHTMLSpace(p.at(i)) && p.at(i) != 0 {
		i++
	}
	if p.at(i) != '>' {
		return 0, entityErrorf("Unclosed end tag at byte offset %d", begin)
	}
	top := p.open[len(p.open)-1]
	if name != "" && name != top.name {
		return 0, entityErrorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.name, name)
	}
	if p.utf16 > top.utf16Start {
		if err := p.closeEntity(top); err != nil {
			return 0, err
		}
	}
	p.open = p.open[:len(p.open)-1]
	return i + 1, nil
}

var simpleTagTypes = map[string]models.MessageEntityType{
	"b": models.MessageEntityTypeBold, "strong": models.MessageEntityTypeBold,
	"i": models.MessageEntityTypeItalic, "em": models.MessageEntityTypeItalic,
	"u": models.MessageEntityTypeUnderline, "ins": models.MessageEntityTypeUnderline,
	"s": models.MessageEntityTypeStrikethrough, "strike": models.MessageEntityTypeStrikethrough,
	"del":        models.MessageEntityTypeStrikethrough,
	"tg-spoiler": models.MessageEntityTypeSpoiler, "span": models.MessageEntityTypeSpoiler,
}

// entityPriority orders entities covering the same text, as Telegram does.
var entityPriority = map[models.MessageEntityType]int{
	models.MessageEntityTypeBlockquote: 0, models.MessageEntityTypeExpandableBlockquote: 0,
	models.MessageEntityTypePre: 11, models.MessageEntityTypeCode: 20,
	models.MessageEntityTypeTextLink: 49, models.MessageEntityTypeTextMention: 49,
	models.MessageEntityTypeBold: 90, models.MessageEntityTypeItalic: 91,
	models.MessageEntityTypeUnderline: 92, models.MessageEntityTypeStrikethrough: 93,
	models.MessageEntityTypeSpoiler: 94, models.MessageEntityTypeCustomEmoji: 99,
}

// closeEntity turns a closed, non-empty tag into its entity.
func (p *htmlParser) closeEntity(t openTag) error {
	e := models.MessageEntity{Offset: t.utf16Start, Length: p.utf16 - t.utf16Start}
	last := len(p.entities) - 1
	sameSpan := last >= 0 && p.entities[last].Offset == e.Offset && p.entities[last].Length == e.Length
	switch t.name {
	case "tg-emoji":
		id, err := strconv.ParseInt(t.arg, 10, 64)
		if err != nil || id == 0 {
			return entityErrorf("Invalid custom emoji identifier specified")
		}
		e.Type, e.CustomEmojiID = models.MessageEntityTypeCustomEmoji, strconv.FormatInt(id, 10)
	case "a":
		target := t.arg
		if target == "" {
			target = string(p.out[t.outStart:])
		}
		if userID, ok := mentionUserID(target); ok {
			e.Type, e.User = models.MessageEntityTypeTextMention, &models.User{ID: userID}
			break
		}
		if e.URL = checkedLink(target); e.URL == "" {
			return nil
		}
		e.Type = models.MessageEntityTypeTextLink
	case "pre":
		if sameSpan && p.entities[last].Type == models.MessageEntityTypeCode && p.entities[last].Language != "" {
			p.entities[last].Type = models.MessageEntityTypePre
			return nil
		}
		e.Type = models.MessageEntityTypePre
	case "code":
		if sameSpan && p.entities[last].Type == models.MessageEntityTypePre && t.arg != "" {
			p.entities[last].Language = t.arg
			return nil
		}
		e.Type, e.Language = models.MessageEntityTypeCode, t.arg
	case "blockquote":
		e.Type = models.MessageEntityTypeBlockquote
		if t.arg != "" {
			e.Type = models.MessageEntityTypeExpandableBlockquote
		}
	default:
		e.Type = simpleTagTypes[t.name]
	}
	p.entities = append(p.entities, e)
	return nil
}

// decodeHTMLEntity decodes the character reference at pos ("&lt;", "&#60;",
// "&#x3c;"; the ";" is optional). ok is false when there is none.
func decodeHTMLEntity(s string, pos int) (r rune, next int, ok bool) {
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	end := pos + 1
	var code int64
	if at(pos+1) == '#' {
		end++
		base := int64(10)
		if at(pos+2) == 'x' {
			end++
			base = 16
		}
		for {
			d, isDigit := digitValue(at(end), base)
			if !isDigit {
				break
			}
			if code <= 0x10FFFF {
				code = code*base + d
			}
			end++
		}
		if code == 0 || code >= 0x10FFFF || end-pos >= 10 {
			return 0, 0, false
		}
	} else {
		for c := at(end); c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'; c = at(end) {
			end++
		}
		switch s[pos+1 : end] {
		case "lt":
			code = '<'
		case "gt":
			code = '>'
		case "amp":
			code = '&'
		case "quot":
			code = '"'
		default:
			return 0, 0, false
		}
	}
	if at(end) == ';' {
		end++
	}
	return rune(code), end, true
}

func digitValue(c byte, base int64) (int64, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int64(c - '0'), true
	case base == 16 && c >= 'a' && c <= 'f':
		return int64(c-'a') + 10, true
	case base == 16 && c >= 'A' && c <= 'F':
		return int64(c-'A') + 10, true
	}
	return 0, false
}

// strictEntityError describes an "&" that is not an entity (strict mode).
func strictEntityError(s string, pos int) error {
	end := pos + 1
	for end < len(s) && (isAlnum(s[end]) || s[end] == '#') {
		end++
	}
	if end == pos+1 {
		return entityErrorf("Character \"&\" at byte offset %d must be escaped as \"&amp;\"", pos)
	}
	if end < len(s) && s[end] == ';' {
		end++
	}
	return entityErrorf("Unsupported HTML entity \"%s\" at byte offset %d", s[pos:end], pos)
}
