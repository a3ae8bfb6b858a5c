package playground

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"partnerbot/internal/faketelegram"
)

// browserTimeout bounds the whole browser test; PLAYGROUND_BROWSER_TIMEOUT
// (a Go duration) changes it.
const browserTimeout = 4 * time.Minute

// chromiumPath finds the browser: PLAYGROUND_CHROMIUM, else Debian's
// chromium (or its headless shell) on PATH. In CI (CI=true) a missing
// browser fails the test; elsewhere it skips it, saying how to install it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PLAYGROUND_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-headless-shell", "chromium-browser", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no chromium on PATH for the browser test of the playground; install it (Debian: apt-get install chromium) or set PLAYGROUND_CHROMIUM"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// TestBrowser drives the playground page in a real headless Chromium:
// /start as Olena, a button press that edits the message in place, a
// switch to Katrin who finds Olena's project and asks for contact, the
// request arriving live in Olena's chat and accepted there, a reminder
// chosen on an event and received after "+1 day", and a t.me button in the
// group that opens the writer's private chat. It keeps a screenshot:
// in PLAYGROUND_SCREENSHOT if set (e.g. docs/playground.png), else in the
// test's temporary directory.
func TestBrowser(t *testing.T) {
	exe := chromiumPath(t)
	t.Parallel()
	h := newHarness(t)
	uk, de := h.as("olena").L, h.as("katrin").L

	timeout := browserTimeout
	if d, err := time.ParseDuration(os.Getenv("PLAYGROUND_BROWSER_TIMEOUT")); err == nil {
		timeout = d
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.DisableGPU,
		chromedp.WindowSize(1280, 860), chromedp.Flag("lang", "en-GB"))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer bcancel()

	b := &browser{t: t, ctx: bctx, base: h.srv.URL}
	defer b.screenshotOnFailure()

	// Olena: /start, typed and sent.
	b.run(chromedp.Navigate(h.srv.URL + "/?chat=olena"))
	b.run(chromedp.WaitVisible("#text", chromedp.ByID))
	b.send("/start")
	b.waitText("#messages", plain(uk.T("start_greeting", "Name", "Olena Kovalenko")))
	b.waitText("#messages", uk.Plain("profile_offer_later"))

	// A button edits its own message in place.
	id := b.messageWithButton(uk.Plain("profile_offer_later"))
	b.click(uk.Plain("profile_offer_later"))
	b.waitText("#"+id+" .text", plain(uk.T("profile_offer_declined")))
	b.waitGone("#" + id + " .keyboard")
	b.waitText("#"+id+" .meta", "edited")

	// Olena's project, registered through the same page's HTTP API.
	registerProject(t, h)
	b.waitText("#messages", plain(uk.T("project_created", "Title", projectTitle)))

	// Switch to Katrin: she finds the project and asks for contact.
	b.run(chromedp.Click("#persona-katrin", chromedp.ByQuery))
	b.waitText(".chat-head .name", "Katrin Vogel")
	b.waitText("#messages", plain(de.T("coordinator_you_granted")))
	b.send("/start")
	b.waitText("#messages", plain(de.T("start_greeting", "Name", "Katrin Vogel")))
	b.send("/find voda")
	b.waitText("#messages", projectTitle)
	b.click("1")
	b.waitText("#messages", de.Plain("project_button_contact"))
	b.click(de.Plain("project_button_contact"))
	b.waitText("#messages", plain(de.T("contact_ask_intro")))
	b.send(contactIntro)
	b.waitText("#messages", plain(de.T("contact_sent", "Title", projectTitle)))

	// Olena's chat shows an unread badge; there the request is waiting.
	b.waitVisible("#persona-olena .badge")
	b.run(chromedp.Click("#persona-olena", chromedp.ByQuery))
	b.waitText(".chat-head .name", "Olena Kovalenko")
	b.waitText("#messages", contactIntro)
	req := b.messageWithButton(uk.Plain("contact_accept"))
	b.click(uk.Plain("contact_accept"))
	b.waitText("#"+req+" .text", "Katrin Vogel")

	// Katrin's event, then Olena asks for a reminder a day before.
	createEvent(h)
	b.send("/events")
	b.waitText("#messages", eventTitle)
	b.clickSuffix(eventTitle)
	b.waitText("#messages", uk.Plain("event_remind_button"))
	b.click(uk.Plain("event_remind_button"))
	b.click("☐ " + uk.Plain("event_offset_day"))
	b.waitText("#messages", "✅ "+uk.Plain("event_offset_day"))
	b.click(uk.Plain("event_remind_done"))

	// The clock moves a day; the reminder arrives live.
	reminder := plain(uk.T("event_reminder_day", "Title", eventTitle))
	b.run(chromedp.Click("#plus-day", chromedp.ByID))
	b.waitText("#offset", "+1 d")
	b.waitText("#messages", reminder)
	b.scrollDown()
	b.screenshot(os.Getenv("PLAYGROUND_SCREENSHOT"))

	// In the youth group, a personal command points to the private chat;
	// its t.me button opens Taras's private chat with the bot, started.
	b.run(chromedp.Click("#persona-youth", chromedp.ByQuery))
	b.waitText(".chat-head .name", "Youth exchange")
	b.send("/profile")
	b.click(uk.Plain("private_only_button"))
	b.waitText(".chat-head .name", "Taras Melnyk")
	b.waitText("#messages", plain(uk.T("start_greeting", "Name", "Taras Melnyk")))
}

// browser wraps a chromedp tab with the waits the test needs; each wait
// gives up after the context's time and fails with what the page shows.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot bool
}

func (b *browser) run(actions ...chromedp.Action) {
	b.t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v\npage:\n%s", err, b.pageText())
	}
}

func (b *browser) pageText() string {
	var text string
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	_ = chromedp.Run(ctx, chromedp.Evaluate(`document.body ? document.body.innerText : ""`, &text))
	return text
}

// plain is the text a reader sees of the bot's Telegram HTML.
func plain(telegramHTML string) string {
	text, _, err := faketelegram.ParseHTMLLenient(telegramHTML)
	if err != nil {
		panic(err)
	}
	return text
}

func js(v any) string {
	s, _ := json.Marshal(v)
	return string(s)
}

// poll waits until the JavaScript expression is true. It evaluates again
// after errors, since a page being replaced (a persona switch) has no
// context to evaluate in for a moment.
func (b *browser) poll(expr, what string) {
	b.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	var err error
	for time.Now().Before(deadline) && b.ctx.Err() == nil {
		var ok bool
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		err = chromedp.Run(ctx, chromedp.Evaluate(expr, &ok))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("browser: waited for %s (last error: %v)\npage:\n%s", what, err, b.pageText())
}

// waitText waits until the element's text contains text (newlines and
// runs of spaces counting as one space).
func (b *browser) waitText(sel, text string) {
	b.t.Helper()
	b.poll(fmt.Sprintf(`(() => { const el = document.querySelector(%s); const norm = s => s.replace(/\s+/g, " ").trim();
		return !!el && norm(el.innerText).includes(norm(%s)); })()`, js(sel), js(text)), fmt.Sprintf("%q in %s", text, sel))
}

func (b *browser) waitGone(sel string) {
	b.t.Helper()
	b.poll(fmt.Sprintf(`document.querySelector(%s) === null`, js(sel)), sel+" to go")
}

func (b *browser) waitVisible(sel string) {
	b.t.Helper()
	b.poll(fmt.Sprintf(`(() => { const el = document.querySelector(%s); return !!el && !el.hidden; })()`, js(sel)), sel+" to show")
}

// send types text into the message box and sends it.
func (b *browser) send(text string) {
	b.t.Helper()
	b.run(chromedp.SetValue("#text", text, chromedp.ByID), chromedp.Click("#send", chromedp.ByID))
}

// buttonJS finds the newest inline button (or button link) whose label
// satisfies the JavaScript predicate on l.
func buttonJS(pred string) string {
	return `(() => { const all = [...document.querySelectorAll("#messages .kb")].filter(b => { const l = b.textContent.trim(); return ` +
		pred + `; }); return all[all.length - 1] || null; })()`
}

// click presses the newest inline button labelled label.
func (b *browser) click(label string) { b.clickWhere(`l === `+js(label), label) }

// clickSuffix presses the newest inline button whose label ends so.
func (b *browser) clickSuffix(suffix string) {
	b.clickWhere(`l.endsWith(`+js(suffix)+`)`, "…"+suffix)
}

func (b *browser) clickWhere(pred, what string) {
	b.t.Helper()
	b.poll(buttonJS(pred)+` !== null`, "a button "+what)
	var ok bool
	b.run(chromedp.Evaluate(`(() => { const b = `+buttonJS(pred)+`; if (!b) return false; b.click(); return true; })()`, &ok))
	if !ok {
		b.t.Fatalf("browser: no button %s", what)
	}
}

// messageWithButton returns the element id of the newest message with the
// button.
func (b *browser) messageWithButton(label string) string {
	b.t.Helper()
	b.poll(buttonJS(`l === `+js(label))+` !== null`, "a button "+label)
	var id string
	b.run(chromedp.Evaluate(buttonJS(`l === `+js(label))+`.closest(".msg").id`, &id))
	return id
}

func (b *browser) scrollDown() {
	b.t.Helper()
	b.run(chromedp.Evaluate(`document.getElementById("messages").scrollTop = 1e9`, nil))
}

// screenshot saves the page as PNG at path, or in the test's temporary
// directory when path is empty.
func (b *browser) screenshot(path string) {
	b.t.Helper()
	var png []byte
	b.run(chromedp.CaptureScreenshot(&png))
	if path == "" {
		path = filepath.Join(b.t.TempDir(), "playground.png")
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.shot = true
	b.t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// screenshotOnFailure keeps what the page showed when the test failed,
// beside PLAYGROUND_SCREENSHOT or in the temporary directory.
func (b *browser) screenshotOnFailure() {
	if !b.t.Failed() || b.shot {
		return
	}
	var png []byte
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, chromedp.CaptureScreenshot(&png)); err != nil {
		return
	}
	path := os.Getenv("PLAYGROUND_SCREENSHOT")
	if path != "" {
		path = strings.TrimSuffix(path, ".png") + "-failure.png"
	} else {
		path = filepath.Join(os.TempDir(), fmt.Sprintf("playground-failure-%d.png", time.Now().Unix()))
	}
	if os.WriteFile(path, png, 0o644) == nil {
		b.t.Logf("screenshot of the failure: %s", path)
	}
}
