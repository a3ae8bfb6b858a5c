package bot

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/internal/testdb"
	"partnerbot/locales"
	"partnerbot/storage"
)

// TestOwnerContactMessageRendersOnlyAnAcceptedRequest: the owner's own
// copy of the requester's contact (review #9) is sent only for a request
// they accepted, only to them, and not once the requester is gone.
func TestOwnerContactMessageRendersOnlyAnAcceptedRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	store := storage.New(pool)
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 20, 8, 0, 0, 0, time.UTC)
	a := New(Deps{Store: store, Catalog: cat, Now: func() time.Time { return now }})
	r := a.Renderer()
	const owner, requester, declined = 2, 3, 4
	for id, lang := range map[int64]string{owner: "uk", requester: "de", declined: "fr"} {
		if _, err := store.TouchUser(ctx, storage.TelegramProfile{ID: id, FirstName: "P", Username: "user_" + lang,
			LanguageCode: lang}); err != nil {
			t.Fatal(err)
		}
	}
	var townID int64
	if err := pool.QueryRow(ctx, `INSERT INTO towns (name, country) VALUES ('Ichnia', 'UA') RETURNING id`).Scan(&townID); err != nil {
		t.Fatal(err)
	}
	p, err := store.CreateProject(ctx, owner, storage.ProjectFields{Title: "Choir", Description: "D", TownID: townID,
		Sector: "civil_society", Topics: []string{"culture"}, Languages: []string{"uk"}, ContactRequests: true})
	if err != nil {
		t.Fatal(err)
	}
	request := func(who int64) storage.ContactRequest {
		c, err := testdb.InTx(store, func(tx pgx.Tx) (storage.ContactRequest, error) {
			return store.CreateContactRequestTx(ctx, tx, who, p.ID, "Hallo", now)
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	decide := func(c storage.ContactRequest, accept bool) {
		if _, err := testdb.InTx(store, func(tx pgx.Tx) (storage.ContactRequest, error) {
			return store.DecideContactRequestTx(ctx, tx, owner, c.ID, accept, now)
		}); err != nil {
			t.Fatal(err)
		}
	}
	render := func(chat, ref int64) (string, error) {
		out, err := r.Render(ctx, delivery.Message{ChatID: chat, Kind: kindContactAccepted, Ref: ref})
		return out.Text, err
	}
	c, d := request(requester), request(declined)
	if text, err := render(owner, c.ID); !errors.Is(err, delivery.ErrDrop) {
		t.Fatalf("a pending request: %q, %v", text, err)
	}
	decide(c, true)
	decide(d, false)
	uk := cat.For("uk")
	want := uk.T("contact_accepted_owner", "Title", "Choir", "Intro", "Hallo",
		"Contact", locales.HTML(uk.T("contact_link", "ID", requester, "Name", "P", "Username", "user_de")))
	if text, err := render(owner, c.ID); err != nil || text != want {
		t.Fatalf("an accepted request: %q, %v; want %q", text, err, want)
	}
	if text, err := render(requester, c.ID); !errors.Is(err, delivery.ErrDrop) {
		t.Fatalf("to the requester: %q, %v", text, err)
	}
	if text, err := render(owner, d.ID); !errors.Is(err, delivery.ErrDrop) {
		t.Fatalf("a declined request: %q, %v", text, err)
	}
	if err := store.InTx(ctx, func(tx pgx.Tx) error { return store.DeleteUserTx(ctx, tx, requester) }); err != nil {
		t.Fatal(err)
	}
	if text, err := render(owner, c.ID); !errors.Is(err, delivery.ErrDrop) {
		t.Fatalf("after the requester left: %q, %v", text, err)
	}
}
