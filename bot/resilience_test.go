package bot_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnerbot/internal/bottest"
	"partnerbot/internal/faketelegram"
)

// TestDatabaseOutageLosesNoUpdate cuts the database while a user writes:
// the update must not be confirmed to Telegram, and once the database is
// back it is handled exactly once.
func TestDatabaseOutageLosesNoUpdate(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	u := env.User(11000, "uk", "Iryna")
	u.Say("/start")

	env.CutDatabase()
	ready := func() int {
		resp, err := http.Get("http://" + env.Running()[0].Addr + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := ready(); got != http.StatusServiceUnavailable {
		t.Fatalf("/readyz = %d with the database gone, want 503", got)
	}
	polls := env.TG.CallCount("getUpdates")
	id := env.TG.SendMessage(u.TG, "/help")
	// The bot fetches the update, fails to store it, and must fetch it again.
	if err := env.TG.WaitUntil(bottest.WaitTimeout, func(s *faketelegram.Snapshot) bool {
		return s.CallCount("getUpdates") >= polls+3
	}); err != nil {
		t.Fatal(err)
	}
	pending := 0
	_ = env.TG.WaitUntil(time.Second, func(s *faketelegram.Snapshot) bool { pending = s.PendingUpdates(); return true })
	if pending == 0 {
		t.Fatal("the update was confirmed to Telegram although it could not be stored")
	}
	env.RestoreDatabase()
	env.WaitHandled(id)
	help := env.Loc("uk").T("help_title")
	n := 0
	for _, m := range env.TG.Sent(u.ID()) {
		if strings.HasPrefix(m.Text, help) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("help sent %d times after the outage, want 1", n)
	}
	if got := ready(); got != http.StatusOK {
		t.Fatalf("/readyz = %d after the database came back", got)
	}
}

// TestBlockedUserDoesNotStopTheBot: a user who blocked the bot gets
// nothing (403), the failure is logged, and everyone else is served.
func TestBlockedUserDoesNotStopTheBot(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	blocker := env.User(12000, "de", "Karl")
	other := env.User(12001, "fr", "Marie")
	env.TG.BlockChat(blocker.ID())
	blocker.Say("/start").ExpectSilence()
	// The bot did try: the greeting was refused with 403, and the bot
	// then stopped (no profile offer, no apology to a chat that refuses).
	refused := 0
	for _, c := range env.TG.Calls("sendMessage") {
		if c.Params["chat_id"] == strconv.FormatInt(blocker.ID(), 10) {
			if c.Status != http.StatusForbidden {
				t.Fatalf("sendMessage to the blocked chat answered %d", c.Status)
			}
			refused++
		}
	}
	if refused != 1 {
		t.Fatalf("%d sendMessage calls refused with 403, want 1", refused)
	}
	other.Say("/start").Expect(env.Loc("fr").T("start_greeting", "Name", "Marie"))
	env.TG.UnblockChat(blocker.ID())
	blocker.Say("/help").Expect(env.Loc("de").T("help_title"))
}

// TestFloodControlIsWaitedOut: a 429 on a reply is retried after
// retry_after instead of losing the reply.
func TestFloodControlIsWaitedOut(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	u := env.User(13000, "sv", "Elsa")
	env.TG.FailNext("sendMessage", faketelegram.Fault{Code: http.StatusTooManyRequests, RetryAfter: 1})
	u.Say("/start").Expect(env.Loc("sv").T("start_greeting", "Name", "Elsa"))
	if n := env.TG.TooManyRequestsCount(); n != 1 {
		t.Fatalf("429 answered %d times, want 1", n)
	}
}

// TestHostileNamesStayText: names full of markup reach every reader as
// text (the fake server, like Telegram, refuses malformed HTML with 400).
func TestHostileNamesStayText(t *testing.T) {
	t.Parallel()
	env := bottest.New(t, bottest.Options{Admins: []int64{14000}})
	admin := env.User(14000, "en", "Admin")
	evil := env.User(14001, "en", `</b><a href="javascript:x">&amp;`)
	evil.Say("/start").Expect("&lt;/b&gt;&lt;a href=&#34;javascript:x&#34;&gt;&amp;amp;")
	admin.Say("/start").Say("/coordinators").Press("➕ Add a coordinator")
	admin.Say("@" + evil.TG.Username)
	if m := admin.Last(); !strings.Contains(m.Text, "&lt;/b&gt;") {
		t.Fatalf("name not escaped in the admin's confirmation: %q", m.Text)
	}
}

// TestShutdownFinishesWork: stopping the bot mid-stream leaves no update
// half-handled: what was recorded is handled after the next start.
func TestShutdownFinishesWork(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	users := make([]*bottest.User, 20)
	ids := make([]int64, len(users))
	for i := range users {
		users[i] = env.User(int64(15000+i), "de", "Nutzer")
		ids[i] = env.TG.SendMessage(users[i].TG, "/start")
	}
	env.StopAll()
	env.Start()
	for _, id := range ids {
		env.WaitHandled(id)
	}
	deadline := time.Now().Add(bottest.WaitTimeout)
	for _, u := range users {
		for len(env.TG.Sent(u.ID())) == 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		// The greeting and the offer to set up a profile, once each.
		if n := len(env.TG.Sent(u.ID())); n != 2 {
			t.Errorf("user %d got %d messages, want exactly 2", u.ID(), n)
		}
	}
}

// TestTwoInstancesHandleEachUpdateOnce runs two bot instances on one
// database: every update is answered exactly once, whichever instance
// fetched it, and sweeping leftovers does not double them. Each instance
// has one intake worker, and the first answer meets Telegram's flood
// control (429, retry after a second), which holds that worker: so the
// other instance finds updates left to claim, and both take part, which
// the test checks (without the hold, one instance could finish them all
// before the other's first sweep).
func TestTwoInstancesHandleEachUpdateOnce(t *testing.T) {
	t.Parallel()
	env := bottest.New(t, bottest.Options{IntakeWorkers: 1})
	env.Start()
	env.TG.FailNext("sendMessage", faketelegram.Fault{Code: http.StatusTooManyRequests, RetryAfter: 1})
	users := make([]*bottest.User, 10)
	var ids []int64
	for i := range users {
		users[i] = env.User(int64(17000+i), "fr", "Lucie")
		for range 5 {
			ids = append(ids, env.TG.SendMessage(users[i].TG, "/privacy"))
		}
	}
	for _, id := range ids {
		env.WaitHandled(id)
	}
	want := env.Loc("fr").T("privacy_text")
	for _, u := range users {
		n := 0
		for _, m := range env.TG.Sent(u.ID()) {
			if m.Text == want {
				n++
			}
		}
		if n != 5 {
			t.Errorf("user %d got the privacy text %d times for 5 requests", u.ID(), n)
		}
	}
	var owners int
	if err := env.Pool.QueryRow(context.Background(),
		`SELECT count(DISTINCT claimed_by) FROM inbound_updates WHERE update_id = ANY($1)`, ids).Scan(&owners); err != nil {
		t.Fatal(err)
	}
	if owners != 2 {
		t.Errorf("the updates were claimed by %d instance(s), want both", owners)
	}
}
