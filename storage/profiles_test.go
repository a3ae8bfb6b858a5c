package storage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

func TestProposeConfirmRejectTown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStoreWithTowns(t, exampleTowns...)
	for _, id := range []int64{1, 2} {
		if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: id, FirstName: "Taras"}); err != nil {
			t.Fatal(err)
		}
	}
	propose := func(p storage.TownProposal, profile storage.Profile) (storage.Town, error) {
		return testdb.InTx(s, func(tx pgx.Tx) (storage.Town, error) { return s.ProposeTownTx(ctx, tx, p, profile) })
	}
	decide := func(write func(context.Context, pgx.Tx, int64, int64) (storage.TownDecision, error),
		id int64) (storage.TownDecision, error) {
		return testdb.InTx(s, func(tx pgx.Tx) (storage.TownDecision, error) { return write(ctx, tx, 2, id) })
	}
	p, err := propose(storage.TownProposal{Name: "Нова Басань", Country: "UA", Region: "Chernihiv Oblast"},
		storage.Profile{UserID: 1, TownID: 12345, Languages: []string{"uk"}, Interests: []string{"water"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != storage.TownProposed || p.Name != "Нова Басань" {
		t.Errorf("proposed town = %+v", p)
	}
	prof, err := s.Profile(ctx, 1)
	if err != nil || prof.TownID != p.ID || !slices.Equal(prof.Languages, []string{"uk"}) || !slices.Equal(prof.Interests, []string{"water"}) {
		t.Errorf("proposer's profile = %+v, %v; want town %d with languages and interests", prof, err, p.ID)
	}
	// Proposed towns are not found until confirmed.
	if found, _ := s.SearchTowns(ctx, "Nova Basan", 5); len(found) != 0 {
		t.Errorf("unconfirmed town found: %v", names(found))
	}
	pending, err := s.ProposedTowns(ctx)
	if err != nil || len(pending) != 1 || pending[0].ID != p.ID || pending[0].ProposedBy != 1 {
		t.Fatalf("ProposedTowns = %+v, %v", pending, err)
	}
	confirmed, err := decide(s.ConfirmTownTx, p.ID)
	if err != nil || confirmed.ProposerID != 1 || confirmed.Town.Status != storage.TownConfirmed {
		t.Fatalf("ConfirmTown = %+v, %v", confirmed, err)
	}
	if found, _ := s.SearchTowns(ctx, "Nova Basan", 5); len(found) != 1 || found[0].ID != p.ID {
		t.Errorf("confirmed town not found by transliteration: %v", names(found))
	}
	// A second decision on the same town changes nothing.
	if _, err := decide(s.ConfirmTownTx, p.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("second ConfirmTown err = %v, want ErrNotFound", err)
	}
	if _, err := decide(s.RejectTownTx, p.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("RejectTown of a confirmed town err = %v, want ErrNotFound", err)
	}
	// Imported towns can never be rejected.
	if _, err := decide(s.RejectTownTx, townID(t, s, "Laxå")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("RejectTown of an imported town err = %v, want ErrNotFound", err)
	}

	q, err := propose(storage.TownProposal{Name: "Somewhere", Country: "DE"}, storage.Profile{UserID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decide(s.RejectTownTx, q.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Town(ctx, q.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("rejected town still exists: %v", err)
	}
	if prof, _ := s.Profile(ctx, 1); prof.TownID != 0 {
		t.Errorf("profile still points at the rejected town: %+v", prof)
	}
}

func TestProposeTownLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStoreWithTowns(t)
	if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: 1, FirstName: "Taras"}); err != nil {
		t.Fatal(err)
	}
	propose := func(name string) error {
		_, err := testdb.InTx(s, func(tx pgx.Tx) (storage.Town, error) {
			return s.ProposeTownTx(ctx, tx, storage.TownProposal{Name: name, Country: "UA"}, storage.Profile{UserID: 1})
		})
		return err
	}
	for i := range storage.MaxPendingProposals {
		if err := propose("Town" + string(rune('A'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := propose("One too many"); !errors.Is(err, storage.ErrTooManyProposals) {
		t.Errorf("proposal over the limit err = %v, want ErrTooManyProposals", err)
	}
}

func TestSaveProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStoreWithTowns(t, exampleTowns...)
	if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: 7, FirstName: "Anna"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Profile(ctx, 7); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Profile before saving err = %v, want ErrNotFound", err)
	}
	want := storage.Profile{UserID: 7, TownID: townID(t, s, "Laxa"), Languages: []string{"de", "sv"}, Interests: []string{"youth"}}
	if err := s.SaveProfile(ctx, want); err != nil {
		t.Fatal(err)
	}
	want.TownID, want.Interests = 0, nil
	if err := s.SaveProfile(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Profile(ctx, 7)
	if err != nil || got.TownID != 0 || !slices.Equal(got.Languages, []string{"de", "sv"}) || len(got.Interests) != 0 {
		t.Errorf("Profile = %+v, %v", got, err)
	}
}

// TestProposeTownNeedsOneLine: whatever the caller checked, a proposed
// town's name and region are one line of at most 100 characters (security
// review #12).
func TestProposeTownNeedsOneLine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStoreWithTowns(t)
	if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: 1, FirstName: "Taras"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []storage.TownProposal{
		{Name: "Fakeville\nsend your passport", Country: "UA"},
		{Name: "Fakeville\r", Country: "UA"},
		{Name: "Fake\x00ville", Country: "UA"},
		{Name: "  ", Country: "UA"},
		{Name: strings.Repeat("я", 101), Country: "UA"},
		{Name: "Fakeville", Region: "Oblast\nsecond line", Country: "UA"},
		{Name: "Fakeville", Region: strings.Repeat("r", 101), Country: "UA"},
	} {
		_, err := testdb.InTx(s, func(tx pgx.Tx) (storage.Town, error) {
			return s.ProposeTownTx(ctx, tx, p, storage.Profile{UserID: 1})
		})
		if !errors.Is(err, storage.ErrInvalidProposal) {
			t.Errorf("proposal %q / %q: err = %v, want ErrInvalidProposal", p.Name, p.Region, err)
		}
	}
	if _, err := testdb.InTx(s, func(tx pgx.Tx) (storage.Town, error) {
		return s.ProposeTownTx(ctx, tx, storage.TownProposal{Name: strings.Repeat("я", 100), Country: "UA"}, storage.Profile{UserID: 1})
	}); err != nil {
		t.Errorf("a name of 100 characters: %v", err)
	}
}

// TestTouchUserWritesOnlyChanges: an unchanged profile is only read, a
// changed one is written.
func TestTouchUserWritesOnlyChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	p := storage.TelegramProfile{ID: 91, Username: "olena", FirstName: "Олена", LanguageCode: "uk"}
	first, err := s.TouchUser(ctx, p)
	if err != nil || first.FirstName != "Олена" || first.Username != "olena" {
		t.Fatalf("first contact: %+v %v", first, err)
	}
	again, err := s.TouchUser(ctx, p)
	if err != nil || again != first {
		t.Fatalf("unchanged profile: %+v %v, want %+v", again, err, first)
	}
	p.Username, p.LastName = "", "Коваль"
	changed, err := s.TouchUser(ctx, p)
	if err != nil || changed.Username != "" || changed.LastName != "Коваль" || changed.UpdatedAt.Before(first.UpdatedAt) {
		t.Fatalf("changed profile: %+v %v", changed, err)
	}
	if back, err := s.TouchUser(ctx, p); err != nil || back != changed {
		t.Fatalf("unchanged again (no username): %+v %v, want %+v", back, err, changed)
	}
}

// TestTouchUserReactivatesThePrivateChat: a user who writes to the bot in
// private no longer blocks it, so their chat comes off delivery_inactive,
// whether or not their profile changed; writing in a group leaves it
// there, and nobody else's chat is touched.
func TestTouchUserReactivatesThePrivateChat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	s := storage.New(pool)
	inactive := func(id int64) bool {
		t.Helper()
		var yes bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM delivery_inactive WHERE chat_id = $1)`, id).Scan(&yes); err != nil {
			t.Fatal(err)
		}
		return yes
	}
	block := func(ids ...int64) {
		t.Helper()
		for _, id := range ids {
			if _, err := pool.Exec(ctx, `INSERT INTO delivery_inactive (chat_id, reason) VALUES ($1, 'blocked')
				ON CONFLICT DO NOTHING`, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	p := storage.TelegramProfile{ID: 92, FirstName: "Jonas", LanguageCode: "de"}
	for _, tc := range []struct {
		name      string
		change    func()
		inPrivate bool
		want      bool // still inactive
	}{
		{"first contact, in a group", func() {}, false, true},
		{"unchanged, in a group", func() {}, false, true},
		{"unchanged, in private", func() {}, true, false},
		{"changed, in a group", func() { p.LastName = "Weber" }, false, true},
		{"changed, in private", func() { p.Username = "jonas_w" }, true, false},
	} {
		block(p.ID, 93)
		tc.change()
		p.InPrivate = tc.inPrivate
		u, err := s.TouchUser(ctx, p)
		if err != nil || u.ID != p.ID || u.LastName != p.LastName || u.Username != p.Username {
			t.Fatalf("%s: %+v %v", tc.name, u, err)
		}
		if got := inactive(p.ID); got != tc.want {
			t.Errorf("%s: chat inactive %v, want %v", tc.name, got, tc.want)
		}
		if !inactive(93) {
			t.Fatalf("%s: another user's chat was reactivated", tc.name)
		}
	}
}
