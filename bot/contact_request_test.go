package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"partnerbot/internal/bottest"
	"partnerbot/storage"
)

// TestContactRequestAcceptedAndDeclined: a German volunteer opens a
// Ukrainian owner's project by its link and asks for contact; the owner
// accepts and both get the other's contact. A French volunteer's request
// is declined and they are told politely, without any contact.
func TestContactRequestAcceptedAndDeclined(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	uk, de, fr := w.Loc("uk"), w.Loc("de"), w.Loc("fr")
	owner := w.user(12001, "uk", "Оксана <Коваль>")
	p := w.project(owner, "Молодіжний обмін", "Ichnia")
	jonas := w.user(12002, "de", "Jonas")
	camille := w.user(12003, "fr", "Camille")

	jonas.Say("/start p"+p.Code).Expect("<b>Молодіжний обмін</b>", de.Plain("project_contact_open"))
	jonas.Press(de.Plain("project_button_contact")).Expect(de.T("contact_ask_intro"))
	jonas.Say(strings.Repeat("x", 501)).Expect(de.T("step_text_too_long", "Max", 500, "Length", 501))
	jonas.Say("Ich leite die Jugendfeuerwehr in Grevesmühlen & möchte <mitmachen>.").
		Expect(de.T("contact_sent", "Title", p.Title))
	received := owner.WaitFor(uk.N("contact_expires_in", 14))
	intro := "Ich leite die Jugendfeuerwehr in Grevesmühlen &amp; möchte &lt;mitmachen&gt;."
	for _, part := range []string{uk.T("contact_received", "Title", p.Title, "Intro", "Ich leite die Jugendfeuerwehr in Grevesmühlen & möchte <mitmachen>."),
		uk.N("contact_expires_in", 14), intro} {
		if !strings.Contains(received.Text, part) {
			t.Fatalf("the owner's message lacks %q:\n%s", part, received.Text)
		}
	}
	if strings.Contains(received.Text, "tg://") || strings.Contains(received.Text, "user12002") {
		t.Fatalf("the request shows the requester's contact before acceptance:\n%s", received.Text)
	}
	// A second request while one is pending is refused.
	jonas.Say("/start p" + p.Code).Press(de.Plain("project_button_contact"))
	w.expectAlert(jonas, de.Plain("contact_duplicate", "Max", storage.ContactRequestsPerDay))

	owner.Press(uk.Plain("contact_accept")).Expect(`<a href="tg://user?id=12002">Jonas</a> (@user12002)`)
	// The requester's answer comes through the delivery engine.
	jonas.WaitFor(`<a href="tg://user?id=12001">Оксана &lt;Коваль&gt;</a> (@user12001)`, "Молодіжний обмін")
	// Pressing Accept again changes nothing.
	owner.PressData(received.Buttons()[0][0].CallbackData)
	w.expectAlert(owner, uk.Plain("contact_already_answered"))

	camille.Say("/start p" + p.Code).Press(fr.Plain("project_button_contact")).Say("Bonjour, nous cherchons une chorale partenaire.")
	owner.WaitFor(uk.T("contact_received", "Title", p.Title, "Intro", "Bonjour, nous cherchons une chorale partenaire."))
	owner.Press(uk.Plain("contact_decline")).Expect(uk.T("contact_declined_owner", "Title", p.Title,
		"Intro", "Bonjour, nous cherchons une chorale partenaire."))
	want := fr.T("contact_declined_requester", "Title", p.Title)
	if got := camille.WaitFor(want).Text; got != want {
		t.Fatalf("the declined requester got:\n%s", got)
	}
	for _, m := range w.TG.Sent(camille.ID()) {
		if strings.Contains(m.Text, "tg://") || strings.Contains(m.Text, "@user12001") {
			t.Fatalf("a declined requester saw the owner's contact:\n%s", m.Text)
		}
	}

	// Both sides find the requests in /export, without the other's id.
	for _, who := range []struct {
		u      *bottest.User
		column string
		hidden string
	}{{jonas, "contact_requests.requester_id", "owner_id"}, {owner, "contact_requests.owner_id", "requester_id"}} {
		export, err := w.Store.Export(context.Background(), who.u.ID())
		if err != nil {
			t.Fatal(err)
		}
		rows := string(export[who.column])
		if !strings.Contains(rows, `"status": "accepted"`) || strings.Contains(rows, who.hidden) {
			t.Fatalf("%s's export of %s: %s", who.u.TG.FirstName, who.column, rows)
		}
	}
}

// TestContactRequestRefusals: an owner who turned requests off cannot be
// reached, not even with forged buttons; nobody but the owner decides a
// request; the daily limit holds.
func TestContactRequestRefusals(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	en := w.Loc("en")
	owner := w.user(12101, "sv", "Sven")
	closed := w.project(owner, "Closed project", "Laxå", func(p *storage.ProjectFields) { p.ContactRequests = false })
	open := w.project(owner, "Open project", "Laxå")
	sam := w.user(12102, "en", "Sam")
	mallory := w.user(12103, "en", "Mallory")

	card := sam.Say("/start p" + closed.Code).Expect(en.Plain("project_contact_closed"))
	for _, row := range card.Buttons() {
		for _, b := range row {
			if b.Text == en.Plain("project_button_contact") {
				t.Fatal("the card of a closed project offers a contact request")
			}
		}
	}
	sam.PressData("pj:r:" + closed.Code)
	w.expectAlert(sam, en.Plain("contact_closed"))
	sam.Say("Hello, let me in").Expect(en.T("free_text"))

	// Requests turned off while a requester is typing: the request is
	// refused when sent.
	sam.Say("/start p" + open.Code).Press(en.Plain("project_button_contact"))
	fields := open.ProjectFields
	fields.ContactRequests = false
	if _, err := w.Store.UpdateProject(context.Background(), owner.ID(), open.Code, fields); err != nil {
		t.Fatal(err)
	}
	sam.Say("Hello!").Expect(en.T("contact_closed"))
	fields.ContactRequests = true
	if _, err := w.Store.UpdateProject(context.Background(), owner.ID(), open.Code, fields); err != nil {
		t.Fatal(err)
	}

	owner.Say("/start p" + open.Code)
	owner.PressData("pj:r:" + open.Code)
	w.expectAlert(owner, w.Loc("sv").Plain("contact_own"))

	sam.Say("/start p" + open.Code).Press(en.Plain("project_button_contact")).Say("Hello!")
	request := owner.WaitFor(w.Loc("sv").T("contact_received", "Title", open.Title, "Intro", "Hello!"))
	accept := request.Buttons()[0][0].CallbackData
	decline := strings.Replace(accept, "cr:a:", "cr:d:", 1)
	for _, tt := range []struct{ data, answer string }{
		{accept, "contact_not_found"},
		{decline, "contact_not_found"},
		{"cr:a:999999", "contact_not_found"},
		{"cr:a:x", "callback_invalid"},
		{"cr:z:1", "callback_invalid"},
	} {
		// Neither a stranger nor the requester can decide for the owner.
		for _, u := range []*bottest.User{mallory, sam} {
			u.PressData(tt.data)
			w.expectAlert(u, en.Plain(tt.answer))
		}
	}
	var status string
	if err := w.Pool.QueryRow(context.Background(), `SELECT status FROM contact_requests WHERE requester_id = $1`,
		sam.ID()).Scan(&status); err != nil || status != storage.RequestPending {
		t.Fatalf("forged decisions changed the request: %q, %v", status, err)
	}
	for _, m := range w.TG.Sent(mallory.ID()) {
		if strings.Contains(m.Text, "tg://") {
			t.Fatalf("a forger got a contact:\n%s", m.Text)
		}
	}

	// The daily limit.
	for i := range storage.ContactRequestsPerDay - 1 {
		p := w.project(owner, fmt.Sprintf("Project %d", i), "Laxå")
		mallory.Say("/start p" + p.Code).Press(en.Plain("project_button_contact")).Say("Hi").
			Expect(en.T("contact_sent", "Title", p.Title))
	}
	last := w.project(owner, "One too many", "Laxå")
	mallory.Say("/start p" + open.Code).Press(en.Plain("project_button_contact")).Say("Hi")
	mallory.Say("/start p" + last.Code).Press(en.Plain("project_button_contact"))
	w.expectAlert(mallory, en.Plain("contact_limit", "Max", storage.ContactRequestsPerDay))
}

// TestContactRequestExpires: after 14 days (on the bot's clock) the owner
// can no longer accept, and nobody gets a contact.
func TestContactRequestExpires(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	w := newProjectWorld(t, bottest.Options{Now: clk.Now})
	de, uk := w.Loc("de"), w.Loc("uk")
	owner := w.user(12201, "de", "Greta")
	p := w.project(owner, "Stadtfest", "Grevesmühlen")
	taras := w.user(12202, "uk", "Taras")
	taras.Say("/start p" + p.Code).Press(uk.Plain("project_button_contact")).Say("Вітаю! Хочемо приїхати на свято.")
	owner.WaitFor(de.N("contact_expires_in", 14))

	clk.Advance(storage.ContactRequestTTL + time.Minute)
	owner.Press(de.Plain("contact_accept")).Expect(de.T("contact_expired", "Title", p.Title,
		"Intro", "Вітаю! Хочемо приїхати на свято."))
	for _, u := range []*bottest.User{owner, taras} {
		for _, m := range w.TG.Sent(u.ID()) {
			if strings.Contains(m.Text, "tg://") {
				t.Fatalf("a contact was shared after expiry:\n%s", m.Text)
			}
		}
	}
	// The requester may ask again.
	taras.Say("/start p" + p.Code).Press(uk.Plain("project_button_contact")).Say("Ще раз вітаю!").
		Expect(uk.T("contact_sent", "Title", p.Title))
}

// TestNoticeCommitsWithItsCause: a message the bot starts is scheduled in
// the transaction of the change that causes it, so an instance that dies
// before that transaction commits leaves neither behind. The owner
// accepts a request; the instance dies while the decision's transaction
// is still open (about to schedule the owner's fallback copy, after the
// requester's answer). Nothing of the decision is stored, no answer is
// queued; the instance that takes the press over sends one.
// (Repeated test audit: scheduling the answer in a transaction of its own
// passed every other test.)
func TestNoticeCommitsWithItsCause(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t, bottest.Options{Lease: 2 * time.Second})
	uk := w.Loc("uk")
	owner := w.user(12101, "uk", "Оксана")
	p := w.project(owner, "Міст дружби", "Ichnia")
	jonas := w.user(12102, "de", "Jonas")
	jonas.Say("/start p" + p.Code).Press(w.Loc("de").Plain("project_button_contact")).Say("Hallo aus Grevesmühlen")
	received := owner.WaitFor(uk.N("contact_expires_in", 14))

	first := w.Running()[0]
	first.KillAtQuery(func(sql string, args []any) bool {
		return strings.Contains(sql, "INSERT INTO") && strings.Contains(sql, "river_job") &&
			strings.Contains(fmt.Sprintf("%s", args), `"contact_accepted"`)
	})
	id, _ := w.TG.PressButton(owner.TG, received.ID, received.Buttons()[0][0].CallbackData)
	first.Killed()
	ctx := context.Background()
	var queued int
	if err := w.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'delivery_send'
		AND (args->>'chat_id')::bigint = $1`, jonas.ID()).Scan(&queued); err != nil {
		t.Fatal(err)
	}
	if queued != 0 {
		t.Fatalf("%d messages to the requester queued by a decision that never committed", queued)
	}
	var status string
	if err := w.Pool.QueryRow(ctx, `SELECT status FROM contact_requests WHERE requester_id = $1`, jonas.ID()).Scan(&status); err != nil {
		t.Fatal(err)
	}
	if status != string(storage.RequestPending) {
		t.Fatalf("request %s after the kill, want it still pending", status)
	}

	w.Start()
	w.WaitHandled(id)
	contact := `href="tg://user?id=` + itoa(owner.ID()) + `"`
	jonas.WaitFor(contact)
	if n := countMessages(w.Env, jonas.ID(), contact); n != 1 {
		t.Fatalf("the requester got the answer %d times, want once", n)
	}
}
