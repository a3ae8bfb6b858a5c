package bot_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"partnerbot/internal/faketelegram"
)

// TestNoticeSurvivesFailedSend: the requester's answer to a contact
// request goes through the delivery engine, so a send that Telegram
// refuses once (a 5xx, a 429) is tried again and the requester gets the
// answer exactly once.
func TestNoticeSurvivesFailedSend(t *testing.T) {
	t.Parallel()
	for _, fault := range []faketelegram.Fault{
		{Code: http.StatusBadGateway},
		{Code: http.StatusTooManyRequests, RetryAfter: 1},
	} {
		t.Run(strconv.Itoa(fault.Code), func(t *testing.T) {
			w := newProjectWorld(t)
			en := w.Loc("en")
			owner := w.user(14001, "en", "Olga")
			p := w.project(owner, "Choir exchange", "Laxå")
			sam := w.user(14002, "en", "Sam")
			sam.Say("/start p" + p.Code).Press(en.Plain("project_button_contact")).Say("Hello!")
			owner.WaitFor(en.T("contact_received", "Title", p.Title, "Intro", "Hello!"))

			// Accepting answers the owner by a callback answer and an
			// edit: the one sendMessage is the notice to Sam.
			before := len(sendsTo(w, sam.ID()))
			w.TG.FailNext("sendMessage", fault)
			owner.Press(en.Plain("contact_accept"))
			contact := `<a href="tg://user?id=14001">Olga</a>`
			sam.WaitFor(contact, p.Title)
			waitJobsDone(t, w, "contact_answer")

			if got, want := sendsTo(w, sam.ID())[before:], []int{fault.Code, http.StatusOK}; !slices.Equal(got, want) {
				t.Fatalf("sendMessage to the requester answered %v, want %v", got, want)
			}
			if n := countMessages(w.Env, sam.ID(), contact); n != 1 {
				t.Fatalf("the requester got the answer %d times", n)
			}
		})
	}
}

// sendsTo lists the HTTP statuses of the sendMessage calls to chatID, in
// order.
func sendsTo(w *projectWorld, chatID int64) []int {
	var out []int
	for _, c := range w.TG.Calls("sendMessage") {
		if c.Params["chat_id"] == strconv.FormatInt(chatID, 10) {
			out = append(out, c.Status)
		}
	}
	return out
}

// waitJobsDone waits until every delivery job of kind has finished
// (completed, or dropped and discarded): nothing more of that kind can be
// sent.
func waitJobsDone(t *testing.T, w *projectWorld, kind string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var pending int
		if err := w.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job
			WHERE kind = 'delivery_send' AND args->>'kind' = $1 AND state NOT IN ('completed', 'discarded', 'cancelled')`,
			kind).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d %s messages still pending", pending, kind)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
