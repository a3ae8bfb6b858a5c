package playground

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestHostileTitleShowsAsText: markup typed by a user comes back from the
// bot escaped and is shown as text: the page has no tag of it.
func TestHostileTitleShowsAsText(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	olena := h.as("olena")
	uk := olena.L
	const title = `<script>alert("pwned")</script><b onclick=x>Вода</b> & <img src=x onerror=alert(1)>`
	olena.say("/start").say("/newproject").say(title).expect(uk.T("project_ask_description"))
	olena.pressLabel(uk.Plain("button_back")).expect(uk.T("step_current", "Value", title))
	page := h.get("/?chat=olena")
	for _, bad := range []string{"<script>alert", "<b onclick", "<img src=x"} {
		if strings.Contains(page, bad) {
			t.Fatalf("the page contains %q:\n%s", bad, page)
		}
	}
	// Twice as text: Olena's own message and the bot's echo of it.
	if n := strings.Count(page, "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;"); n != 2 {
		t.Fatalf("the title shows as text %d times, want 2:\n%s", n, page)
	}
}

// TestPageDocumentsAndRefusals: the page lists every persona; /export
// arrives as a downloadable JSON document; other host names and other
// sites' posts are refused.
func TestPageDocumentsAndRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	page := h.get("/")
	for _, ps := range h.pg.Personas() {
		if !strings.Contains(page, `href="/?chat=`+ps.Key+`"`) {
			t.Errorf("the page does not list %s", ps.Label)
		}
	}
	for _, path := range []string{"/static/app.js", "/static/style.css"} {
		if body := h.get(path); len(body) < 100 {
			t.Errorf("%s: %q", path, body)
		}
	}

	// The command menu is what the bot set for the chat: Katrin's has the
	// coordinator's commands, Olena's not.
	katrin := h.as("katrin")
	katrin.waitFor(katrin.L.T("coordinator_you_granted"))
	katrin.say("/start")
	if page := h.get("/?chat=katrin"); !strings.Contains(page, `data-send="/newevent"`) {
		t.Errorf("Katrin's menu lacks /newevent:\n%s", page)
	}
	if page := h.get("/?chat=olena"); !strings.Contains(page, `data-send="/find"`) || strings.Contains(page, `data-send="/newevent"`) {
		t.Errorf("Olena's menu:\n%s", page)
	}

	camille := h.as("camille")
	camille.say("/start").say("/export").expect(camille.L.T("export_caption"))
	page = h.get("/messages?chat=camille")
	i := strings.Index(page, `href="/file?chat=camille&amp;msg=`)
	if i < 0 {
		t.Fatalf("no document link:\n%s", page)
	}
	href := page[i+len(`href="`):]
	href = strings.ReplaceAll(href[:strings.IndexByte(href, '"')], "&amp;", "&")
	resp, err := http.Get(h.srv.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	var export map[string]any
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(params["filename"], ".json") || json.Unmarshal(body, &export) != nil {
		t.Fatalf("GET %s: %s, %q, %.200s", href, resp.Status, resp.Header.Get("Content-Disposition"), body)
	}
	if !strings.Contains(string(body), "7100004") {
		t.Fatalf("the export is not Camille's: %.300s", body)
	}

	for _, tt := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"another host name", map[string]string{"Host": "evil.example:8080"}, http.StatusMisdirectedRequest},
		{"another site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
	} {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/say", strings.NewReader("chat=olena&text=/start"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range tt.header {
			req.Header.Set(k, v)
		}
		if k, ok := tt.header["Host"]; ok {
			req.Host = k
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %s, want %d", tt.name, resp.Status, tt.want)
		}
	}
	if got := h.pg.Telegram().History(h.as("olena").ps.Chat.ID); len(got) != 0 {
		t.Fatalf("a refused request reached the chat: %+v", got)
	}
}

// TestGroupChat: the youth group talks to the bot in a group; a personal
// command there points to the private chat, whose t.me link opens Taras's
// private chat in the playground.
func TestGroupChat(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	youth := h.as("youth")
	uk := youth.L
	youth.say("/profile").expect(uk.T("private_only", "Command", "/profile"))
	page := h.get("/messages?chat=youth")
	if !strings.Contains(page, `data-send="/start" data-chat="taras"`) || !strings.Contains(page, ">"+uk.Plain("private_only_button")+"<") {
		t.Fatalf("the private chat button is not a playground link:\n%s", page)
	}
	youth.say("/events@" + h.pg.Telegram().BotUser().Username).expect(uk.T("events_none_all"))
}

// TestLiveUpdatesAndStartOver: /updates tells of every change; the clock
// moves; Start over empties the chats and the database, sets the clock back
// and loads the examples and the coordinator again.
func TestLiveUpdatesAndStartOver(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.srv.URL+"/updates", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := bufio.NewScanner(resp.Body)
	next := func() stateView {
		t.Helper()
		for events.Scan() {
			if data, ok := strings.CutPrefix(events.Text(), "data: "); ok {
				var st stateView
				if err := json.Unmarshal([]byte(data), &st); err != nil {
					t.Fatal(err)
				}
				return st
			}
		}
		t.Fatalf("the stream ended: %v", events.Err())
		return stateView{}
	}
	first := next()
	katrin := h.as("katrin")
	// Katrin was made coordinator at start and told so by the delivery engine.
	katrin.waitFor(katrin.L.T("coordinator_you_granted"))
	if first.Chats["olena"].Version != 0 {
		t.Fatalf("Olena's chat is not empty at first: %+v", first)
	}
	h.as("olena").say("/start")
	for st := next(); st.Chats["olena"].Version == 0 || st.Chats["olena"].BotMessages == 0; st = next() {
	}

	res := h.post("/clock", url.Values{"by": {"1h"}})
	if off := time.Duration(res["offset_ms"].(float64)) * time.Millisecond; off < time.Hour || off > time.Hour+time.Minute {
		t.Fatalf("offset after +1 hour: %v", off)
	}
	if got := h.pg.Clock().Now().Sub(time.Now()); got < 59*time.Minute {
		t.Fatalf("the clock is %v ahead", got)
	}

	oldGen := h.pg.session().gen
	h.post("/reset", url.Values{})
	if h.pg.session().gen == oldGen || h.pg.Clock().Offset() != 0 {
		t.Fatalf("start over: generation %d, offset %v", h.pg.session().gen, h.pg.Clock().Offset())
	}
	if n := len(h.pg.Telegram().History(7100001)); n != 0 {
		t.Fatalf("Olena's chat has %d messages after Start over", n)
	}
	var users, towns int
	if err := h.pg.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM towns)`).Scan(&users, &towns); err != nil {
		t.Fatal(err)
	}
	if users != 1 || towns != 3 {
		t.Fatalf("after Start over: %d users (want Katrin alone), %d towns (want the 3 examples)", users, towns)
	}
	katrin = h.as("katrin")
	katrin.waitFor(katrin.L.T("coordinator_you_granted"))
	for st := next(); st.Gen == oldGen; st = next() {
	}
}
