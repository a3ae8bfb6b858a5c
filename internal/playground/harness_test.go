package playground

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/faketelegram"
	"partnerbot/internal/testdb"
	"partnerbot/locales"
)

// waitTimeout bounds every wait for the bot; no test sleeps a fixed time.
const waitTimeout = 45 * time.Second

// harness is a playground on a database of its own (dropped at the end)
// with its page served over real HTTP.
type harness struct {
	t   testing.TB
	pg  *Playground
	srv *httptest.Server
	cat *locales.Catalog
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	server := cmp.Or(os.Getenv(testdb.EnvVar), testdb.DefaultURL)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "partnerbot_playground_test_" + hex.EncodeToString(b)
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()
	pg, err := New(ctx, Config{DatabaseURL: server, Database: name, Log: log})
	if err != nil {
		t.Fatalf("playground on %s: %v", server, err)
	}
	h := &harness{t: t, pg: pg, srv: httptest.NewServer(pg.Handler())}
	t.Cleanup(func() {
		h.srv.CloseClientConnections()
		h.srv.Close()
		pg.Close()
		if err := dropDatabase(context.Background(), server, name); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	if h.cat, err = locales.Load(); err != nil {
		t.Fatal(err)
	}
	return h
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// post sends a form as the page's script does and decodes the JSON answer.
func (h *harness) post(path string, form url.Values) map[string]any {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("POST %s %v: %s %s", path, form, resp.Status, body)
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		h.t.Fatalf("POST %s: %v in %s", path, err, body)
	}
	return out
}

// get fetches a page and returns its body.
func (h *harness) get(path string) string {
	h.t.Helper()
	resp, err := http.Get(h.srv.URL + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("GET %s: %s %s", path, resp.Status, body)
	}
	return string(body)
}

// waitHandled waits until the bot has finished handling the update.
func (h *harness) waitHandled(updateID int64) {
	h.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		var done bool
		err := h.pg.Pool().QueryRow(context.Background(),
			`SELECT done_at IS NOT NULL FROM inbound_updates WHERE update_id = $1`, updateID).Scan(&done)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			h.t.Fatal(err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("update %d was not handled within %s", updateID, waitTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// actor is a persona the test plays through the page's HTTP API.
type actor struct {
	h    *harness
	ps   Persona
	L    *locales.Localizer
	mark int // the bot's actions in the chat before the last action
}

func (h *harness) as(key string) *actor {
	ps, ok := h.pg.persona(key)
	if !ok {
		h.t.Fatalf("no persona %q", key)
	}
	return &actor{h: h, ps: ps, L: h.cat.For(ps.User.LanguageCode)}
}

func (a *actor) sent() []faketelegram.Message { return a.h.pg.Telegram().Sent(a.ps.Chat.ID) }

func (a *actor) act(path string, form url.Values) map[string]any {
	a.h.t.Helper()
	a.mark = len(a.sent())
	form.Set("chat", a.ps.Key)
	res := a.h.post(path, form)
	a.h.waitHandled(int64(res["update_id"].(float64)))
	return res
}

// say writes text in the chat, as typed in the page.
func (a *actor) say(text string) *actor {
	a.h.t.Helper()
	a.act("/say", url.Values{"text": {text}})
	return a
}

// buttonRE finds the callback buttons of the rendered chat.
var buttonRE = regexp.MustCompile(`name="msg" value="(\d+)"><input type="hidden" name="data" value="([^"]*)"><button class="kb">([^<]*)</button>`)

// press presses, on the page, the newest callback button whose label
// matches; it returns the bot's callback answer.
func (a *actor) press(match func(label string) bool, what string) map[string]any {
	a.h.t.Helper()
	page := a.h.get("/messages?chat=" + a.ps.Key)
	found := buttonRE.FindAllStringSubmatch(page, -1)
	var labels []string
	for i := len(found) - 1; i >= 0; i-- {
		label := html.UnescapeString(found[i][3])
		if match(label) {
			return a.act("/press", url.Values{"msg": {found[i][1]}, "data": {html.UnescapeString(found[i][2])}})
		}
		labels = append(labels, label)
	}
	a.h.t.Fatalf("%s: no button %s on the page; buttons: %q\n%s", a.ps.Label, what, labels, a.transcript())
	return nil
}

// pressLabel presses the newest button labelled exactly label.
func (a *actor) pressLabel(label string) *actor {
	a.h.t.Helper()
	a.press(func(l string) bool { return l == label }, "labelled "+label)
	return a
}

// expect fails unless a bot action since the last action contains all parts
// (in the HTML the bot sent) and returns it.
func (a *actor) expect(parts ...string) faketelegram.Message {
	a.h.t.Helper()
	sent := a.sent()
	for _, m := range sent[min(a.mark, len(sent)):] {
		if containsAll(m.Text, parts) {
			return m
		}
	}
	a.h.t.Fatalf("%s expected a reply containing %q; the bot replied:\n%s", a.ps.Label, parts, a.transcript())
	return faketelegram.Message{}
}

// waitFor waits for a bot action since the last action containing all
// parts: what the delivery engine sends arrives later.
func (a *actor) waitFor(parts ...string) faketelegram.Message {
	a.h.t.Helper()
	var found faketelegram.Message
	err := a.h.pg.Telegram().WaitUntil(waitTimeout, func(sn *faketelegram.Snapshot) bool {
		sent := sn.Sent(a.ps.Chat.ID)
		for _, m := range sent[min(a.mark, len(sent)):] {
			if containsAll(m.Text, parts) {
				found = m
				return true
			}
		}
		return false
	})
	if err != nil {
		a.h.t.Fatalf("%s waited for %q: %v", a.ps.Label, parts, err)
	}
	return found
}

func (a *actor) transcript() string {
	var b strings.Builder
	sent := a.sent()
	for _, m := range sent[min(a.mark, len(sent)):] {
		b.WriteString("--- " + m.Method + "\n" + m.Text + "\n")
		for _, row := range m.Buttons() {
			for _, btn := range row {
				b.WriteString("[" + btn.Text + "] ")
			}
			b.WriteString("\n")
		}
	}
	if b.Len() == 0 {
		return "(nothing)"
	}
	return b.String()
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
