package playground

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"partnerbot/internal/faketelegram"
)

// rendered parses Telegram HTML as Telegram (the fake Bot API) does and
// renders the result as the page does.
func rendered(t *testing.T, telegramHTML string) string {
	t.Helper()
	text, ents, err := faketelegram.ParseHTMLLenient(telegramHTML)
	if err != nil {
		t.Fatalf("%q: %v", telegramHTML, err)
	}
	return string(renderText(text, ents, links{bot: "partnerbot_test_bot", chat: "olena"}))
}

func TestRenderText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Hello", "Hello"},
		{"escaped text stays text", "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;",
			"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;x&#34;"},
		{"nested", "<b>bold <i>both</i></b> <u>u</u> <s>s</s>", "<b>bold <i>both</i></b> <u>u</u> <s>s</s>"},
		{"emoji before an entity counts as two UTF-16 units", "👋 <b>Вітаю</b>, Олено!", "👋 <b>Вітаю</b>, Олено!"},
		{"code and pre", `<code>x &lt; y</code><pre><code class="language-go">a</code></pre>`,
			`<code>x &lt; y</code><pre class="language-go">a</pre>`},
		{"blockquote and spoiler", "<blockquote>q</blockquote><tg-spoiler>s</tg-spoiler>",
			`<blockquote>q</blockquote><span class="spoiler" title="spoiler">s</span>`},
		{"external link", `<a href="https://example.org/a?b=1&amp;c=2">site</a>`,
			`<a href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">site</a>`},
		{"a script link is dead", `<a href="javascript:alert(1)">x</a>`, "x"}, // Telegram drops the link
		{"deep link to the bot", `<a href="https://t.me/partnerbot_test_bot?start=pabc">open</a>`,
			`<a class="deeplink" href="/?chat=olena&amp;draft=%2Fstart+pabc" data-send="/start pabc" data-chat="olena" title="https://t.me/partnerbot_test_bot?start=pabc">open</a>`},
		{"plain deep link", "Link: https://t.me/partnerbot_test_bot?start=pabc.",
			`Link: <a class="deeplink" href="/?chat=olena&amp;draft=%2Fstart+pabc" data-send="/start pabc" data-chat="olena" title="https://t.me/partnerbot_test_bot?start=pabc">https://t.me/partnerbot_test_bot?start=pabc</a>.`},
		{"another bot's link is external", "https://t.me/other_bot?start=x",
			`<a href="https://t.me/other_bot?start=x" target="_blank" rel="noopener noreferrer">https://t.me/other_bot?start=x</a>`},
		{"commands", "/help or (/find) but not /a/b",
			`<a class="cmd" href="/?chat=olena&amp;draft=%2Fhelp" data-send="/help">/help</a> or (<a class="cmd" href="/?chat=olena&amp;draft=%2Ffind" data-send="/find">/find</a>) but not /a/b`},
		{"mention", `<a href="tg://user?id=42">Olena &lt;K&gt;</a>`, `<span class="mention">Olena &lt;K&gt;</span>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rendered(t, tt.in); got != tt.want {
				t.Errorf("renderText(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestRenderDeepLinkFromAGroup: a t.me link to the bot clicked in a group
// opens the writer's private chat with the bot, as in Telegram.
func TestRenderDeepLinkFromAGroup(t *testing.T) {
	text, ents, _ := faketelegram.ParseHTML(`<a href="https://t.me/partnerbot_test_bot">open</a> /help`)
	got := string(renderText(text, ents, links{bot: "partnerbot_test_bot", chat: "youth", private: "taras"}))
	want := `<a class="deeplink" href="/?chat=taras&amp;draft=%2Fstart" data-send="/start" data-chat="taras" title="https://t.me/partnerbot_test_bot">open</a> ` +
		`<a class="cmd" href="/?chat=youth&amp;draft=%2Fhelp" data-send="/help">/help</a>`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestRenderOverlappingEntities: entities that cross (possible in
// entities a client receives, though not from HTML) still give
// well-formed markup.
func TestRenderOverlappingEntities(t *testing.T) {
	got := string(renderText("abcdef", []models.MessageEntity{
		{Type: models.MessageEntityTypeBold, Offset: 0, Length: 4},
		{Type: models.MessageEntityTypeItalic, Offset: 2, Length: 4},
		{Type: "unknown", Offset: 1, Length: 1},
		{Type: models.MessageEntityTypeUnderline, Offset: 5, Length: 99},
	}, links{}))
	if want := "<b>ab<i>cd</i></b><i>e<u>f</u></i>"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// TestRenderNeverLetsMarkupThrough feeds the renderer text full of markup
// with random entities: no tag but the renderer's own may appear.
func TestRenderNeverLetsMarkupThrough(t *testing.T) {
	text := `<script>alert(1)</script><img src=x onerror=alert(1)> "quotes" 'single' & /cmd https://x.org/<b>`
	n := len([]rune(text))
	for off := 0; off < n; off += 7 {
		for _, typ := range []models.MessageEntityType{models.MessageEntityTypeTextLink, models.MessageEntityTypeBold,
			models.MessageEntityTypePre, models.MessageEntityTypeURL} {
			out := string(renderText(text, []models.MessageEntity{{Type: typ, Offset: off, Length: 11,
				URL: `javascript:"><script>x</script>`, Language: `"><script>`}}, links{chat: "c"}))
			for _, bad := range []string{"<script", "<img", "javascript:\"", `"><`} {
				if strings.Contains(out, bad) {
					t.Fatalf("%s entity at %d let %q through:\n%s", typ, off, bad, out)
				}
			}
		}
	}
}
