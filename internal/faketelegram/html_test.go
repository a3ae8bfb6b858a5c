package faketelegram_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"partnerbot/internal/faketelegram"
)

func entity(typ models.MessageEntityType, offset, length int) models.MessageEntity {
	return models.MessageEntity{Type: typ, Offset: offset, Length: length}
}

func TestParseHTMLValid(t *testing.T) {
	link := func(offset, length int, url string) models.MessageEntity {
		e := entity(models.MessageEntityTypeTextLink, offset, length)
		e.URL = url
		return e
	}
	pre := entity(models.MessageEntityTypePre, 0, 1)
	pre.Language = "go"
	emoji := entity(models.MessageEntityTypeCustomEmoji, 0, 2)
	emoji.CustomEmojiID = "5368324170671202286"
	mention := entity(models.MessageEntityTypeTextMention, 0, 3)
	mention.User = &models.User{ID: 42}

	tests := []struct {
		name, in, text string
		entities       []models.MessageEntity
	}{
		{"plain", "hello", "hello", nil},
		{"bold", "<b>bold</b> text", "bold text", []models.MessageEntity{entity(models.MessageEntityTypeBold, 0, 4)}},
		{"nested", "<b>a<i>b</i></b>", "ab", []models.MessageEntity{
			entity(models.MessageEntityTypeBold, 0, 2), entity(models.MessageEntityTypeItalic, 1, 1)}},
		{"synonyms", "<strong>a</strong><em>b</em><ins>c</ins><strike>d</strike><del>e</del><s>f</s><u>g</u>", "abcdefg", []models.MessageEntity{
			entity(models.MessageEntityTypeBold, 0, 1), entity(models.MessageEntityTypeItalic, 1, 1),
			entity(models.MessageEntityTypeUnderline, 2, 1), entity(models.MessageEntityTypeStrikethrough, 3, 1),
			entity(models.MessageEntityTypeStrikethrough, 4, 1), entity(models.MessageEntityTypeStrikethrough, 5, 1),
			entity(models.MessageEntityTypeUnderline, 6, 1)}},
		{"upper case tags", "<B>x</B>", "x", []models.MessageEntity{entity(models.MessageEntityTypeBold, 0, 1)}},
		{"short end tag", "<i>a</>", "a", []models.MessageEntity{entity(models.MessageEntityTypeItalic, 0, 1)}},
		{"link", `<a href="https://example.com/p?a=1&amp;b=2">site</a>`, "site",
			[]models.MessageEntity{link(0, 4, "https://example.com/p?a=1&b=2")}},
		{"link normalised", `<a href=telegram.org>t</a>`, "t", []models.MessageEntity{link(0, 1, "http://telegram.org/")}},
		{"link from text", `<a>https://telegram.org/x</a>`, "https://telegram.org/x",
			[]models.MessageEntity{link(0, 22, "https://telegram.org/x")}},
		{"invalid link dropped", `<a href="as">x</a>`, "x", nil},
		{"text mention", `<a href="tg://user?id=42">Bob</a>`, "Bob", []models.MessageEntity{mention}},
		{"entities", "&lt;&gt;&amp;&quot;&#65;&#x42;&lt", `<>&"AB<`, nil},
		{"utf16 offsets", "🏟 <i>x</i>", "🏟 x", []models.MessageEntity{entity(models.MessageEntityTypeItalic, 3, 1)}},
		{"spoiler span", `<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>`, "st", []models.MessageEntity{
			entity(models.MessageEntityTypeSpoiler, 0, 1), entity(models.MessageEntityTypeSpoiler, 1, 1)}},
		{"pre with language", `<pre><code class="language-go">x</code></pre>`, "x", []models.MessageEntity{pre}},
		{"pre and code", `<pre><code>x</code></pre>`, "x", []models.MessageEntity{
			entity(models.MessageEntityTypePre, 0, 1), entity(models.MessageEntityTypeCode, 0, 1)}},
		{"blockquote", `<blockquote>q</blockquote>`, "q", []models.MessageEntity{entity(models.MessageEntityTypeBlockquote, 0, 1)}},
		{"expandable blockquote", `<blockquote expandable>q</blockquote>`, "q",
			[]models.MessageEntity{entity(models.MessageEntityTypeExpandableBlockquote, 0, 1)}},
		{"custom emoji", `<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, "👍", []models.MessageEntity{emoji}},
		{"empty tag", "<b></b>x", "x", nil},
		{"attributes ignored", `<b class=x  data-a='1'>y</b >`, "y", []models.MessageEntity{entity(models.MessageEntityTypeBold, 0, 1)}},
		{"telegram sample", "🏟 🏟<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>", "🏟 🏟🏟 ><🏟", []models.MessageEntity{
			entity(models.MessageEntityTypeItalic, 5, 7), entity(models.MessageEntityTypeBold, 9, 3)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, entities, err := faketelegram.ParseHTML(tt.in)
			if err != nil {
				t.Fatalf("ParseHTML(%q): %v", tt.in, err)
			}
			if text != tt.text {
				t.Errorf("text = %q, want %q", text, tt.text)
			}
			if len(entities) != 0 || len(tt.entities) != 0 {
				if !reflect.DeepEqual(entities, tt.entities) {
					t.Errorf("entities = %+v, want %+v", entities, tt.entities)
				}
			}
		})
	}
}

var invalidHTML = []struct{ name, in, detail string }{
	{"unknown tag", "<foo>", `Unsupported start tag "foo" at byte offset 0`},
	{"unknown tag later", "hello<foo>x</foo>", `Unsupported start tag "foo" at byte offset 5`},
	{"bare less-than", "a < b", `Unsupported start tag "" at byte offset 2`},
	{"nbsp", "a&nbsp;b", `Unsupported HTML entity "&nbsp;" at byte offset 1`},
	{"bare ampersand", "Tom & Jerry", `Character "&" at byte offset 4 must be escaped as "&amp;"`},
	{"unclosed b", "<b>bold", `Can't find end tag corresponding to start tag "b"`},
	{"mis-nested", "<b><i>x</b></i>", `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
	{"unexpected end tag", "x</b>", "Unexpected end tag at byte offset 1"},
	{"unclosed end tag", "<b>x</b", "Unclosed end tag at byte offset 4"},
	{"unclosed start tag", "x <b", "Unclosed start tag at byte offset 2"},
	{"unclosed attribute", `<a href="x`, "Unclosed start tag at byte offset 0"},
	{"attribute without value at end", "<a href", `Unclosed start tag "a" at byte offset 0`},
	{"span without class", "<span>x</span>", `Tag "span" must have class "tg-spoiler" at byte offset 0`},
	{"bad name token", "<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"},
	{"empty attribute name", `<a ="x">y</a>`, `Empty attribute name in the tag "a" at byte offset 0`},
	{"bad emoji id", `<tg-emoji emoji-id="x">y</tg-emoji>`, "Invalid custom emoji identifier specified"},
	{"lone surrogate", "&#xD83D;", "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units"},
	{"telegram unclosed", "🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"},
	{"telegram unsupported", "🏟 🏟&lt;<abac aba>", `Unsupported start tag "abac" at byte offset 13`},
	{"telegram empty attribute", "🏟 🏟&lt;<i   =aba>", `Empty attribute name in the tag "i" at byte offset 13`},
	{"telegram unclosed attribute", "🏟 🏟&lt;<i    aba  =  ", `Unclosed start tag "i" at byte offset 13`},
	{"telegram name token", "🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"},
	{"telegram unexpected end", "🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"},
	{"telegram unmatched", "🏟 🏟&lt;<i>a</em   >", `Unmatched end tag at byte offset 17, expected "</i>", found "</em>"`},
}

func TestParseHTMLInvalid(t *testing.T) {
	for _, tt := range invalidHTML {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := faketelegram.ParseHTML(tt.in)
			var ee *faketelegram.EntityError
			if !errors.As(err, &ee) {
				t.Fatalf("ParseHTML(%q) error = %v, want EntityError", tt.in, err)
			}
			if ee.Detail != tt.detail {
				t.Errorf("detail = %q, want %q", ee.Detail, tt.detail)
			}
		})
	}
}

func TestParseHTMLLenientKeepsUnknownEntities(t *testing.T) {
	text, _, err := faketelegram.ParseHTMLLenient("&lt;&gt;&amp;&quot;&laquo;&raquo;&#12345678; AT&T")
	if err != nil {
		t.Fatal(err)
	}
	if want := `<>&"&laquo;&raquo;&#12345678; AT&T`; text != want {
		t.Errorf("text = %q, want %q", text, want)
	}
}

// TestSendMessageHTMLValidation drives the validator through the real client.
func TestSendMessageHTMLValidation(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	srv.KnownChat(alice.ID)
	ctx := ctxT(t)

	valid := []string{
		"<b>bold <i>and italic</i></b>",
		`<a href="https://example.com/?q=1&amp;r=2">link</a>`,
		"1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;ok&quot; &#9731;",
		`<span class="tg-spoiler">secret</span> <code>x</code> <pre>y</pre>`,
	}
	for _, in := range valid {
		if _, err := sendText(ctx, b, alice.ID, in, models.ParseModeHTML); err != nil {
			t.Errorf("send %q: %v", in, err)
		}
	}
	for _, tt := range invalidHTML {
		_, err := sendText(ctx, b, alice.ID, tt.in, models.ParseModeHTML)
		if !errors.Is(err, bot.ErrorBadRequest) {
			t.Errorf("send %q: error = %v, want bad request", tt.in, err)
			continue
		}
		if want := "Bad Request: can't parse entities: " + tt.detail; !strings.HasSuffix(err.Error(), want) {
			t.Errorf("send %q: error = %q, want suffix %q", tt.in, err, want)
		}
	}
	if got := len(srv.Sent(alice.ID)); got != len(valid) {
		t.Errorf("recorded %d messages, want %d", got, len(valid))
	}
	// Without parse_mode the same text is fine.
	if _, err := sendText(ctx, b, alice.ID, "a < b & <foo>", ""); err != nil {
		t.Errorf("plain text: %v", err)
	}
}

func TestMessageLengthCountsUTF16AfterParsing(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	srv.KnownChat(alice.ID)
	ctx := ctxT(t)

	tests := []struct {
		name, text string
		mode       models.ParseMode
		ok         bool
	}{
		{"4096 ascii in tags", "<b>" + strings.Repeat("a", 4096) + "</b>", models.ParseModeHTML, true},
		{"4097 ascii in tags", "<b>" + strings.Repeat("a", 4097) + "</b>", models.ParseModeHTML, false},
		{"entities count once", strings.Repeat("&amp;", 4096), models.ParseModeHTML, true},
		{"2048 emoji = 4096 units", strings.Repeat("😀", 2048), "", true},
		{"2049 emoji", strings.Repeat("😀", 2049), "", false},
		{"4096 cyrillic (8192 bytes)", strings.Repeat("ж", 4096), "", true},
	}
	for _, tt := range tests {
		_, err := sendText(ctx, b, alice.ID, tt.text, tt.mode)
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case !tt.ok && (err == nil || !strings.HasSuffix(err.Error(), "Bad Request: message is too long")):
			t.Errorf("%s: error = %v, want message is too long", tt.name, err)
		}
	}
	msgs := srv.Sent(alice.ID)
	if n := len(utf16.Encode([]rune(msgs[0].PlainText))); n != 4096 {
		t.Errorf("plain text has %d UTF-16 units, want 4096", n)
	}
}

func FuzzValidateHTML(f *testing.F) {
	for _, tt := range invalidHTML {
		f.Add(tt.in)
	}
	for _, s := range []string{
		"<b>x</b>", `<a href="https://t.me">t</a>`, "<pre><code class=\"language-go\">x</code></pre>",
		"&#x1F600;&#128512;&lt", "<blockquote expandable>q</blockquote>", "<i>\x00</i>", "<\xff>", "&#99999999999999999999;",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		text, entities, err := faketelegram.ParseHTML(in)
		lenientText, lenientEntities, lenientErr := faketelegram.ParseHTMLLenient(in)
		if err == nil && (lenientErr != nil || text != lenientText || !reflect.DeepEqual(entities, lenientEntities)) {
			t.Fatalf("strict accepted %q but lenient gave %q, %v", in, lenientText, lenientErr)
		}
		if lenientErr != nil || !utf8.ValidString(in) {
			return // the server refuses invalid UTF-8 before parsing
		}
		size := len(utf16.Encode([]rune(lenientText)))
		for _, e := range lenientEntities {
			if e.Offset < 0 || e.Length <= 0 || e.Offset+e.Length > size {
				t.Fatalf("entity %+v outside text %q (%d units)", e, lenientText, size)
			}
		}
	})
}
