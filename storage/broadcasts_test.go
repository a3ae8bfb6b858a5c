package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/storage"
)

// fillBroadcastData gives each of ids a granted town (granted by, and
// granting one to, another person), a broadcast of their own, a copy of
// someone else's, a mute and a switched-off kind: every personal column of
// schema 00070.
func fillBroadcastData(t *testing.T, s *storage.Store, ids ...int64) {
	t.Helper()
	ctx := context.Background()
	const other = 929
	if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: other, FirstName: "Coordinator"}); err != nil {
		t.Fatal(err)
	}
	send := func(author int64, to ...int64) {
		t.Helper()
		var ds []storage.BroadcastDelivery
		for _, id := range to {
			ds = append(ds, storage.BroadcastDelivery{UserID: id, DueAt: time.Now()})
		}
		err := s.InTx(ctx, func(tx pgx.Tx) error {
			_, err := s.CreateBroadcastTx(ctx, tx, storage.BroadcastFields{AuthorID: author, AuthorLang: "uk",
				Audience: storage.Audience{Place: storage.PlaceMine, Groups: []string{storage.GroupResidents}},
				Versions: map[string]string{"uk": "Вітаємо"}, SendAt: time.Now()}, ds)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	send(other, ids...)
	for _, id := range ids {
		p, err := s.Profile(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.InTx(ctx, func(tx pgx.Tx) error {
			if _, err := s.AddCoordinatorTownTx(ctx, tx, other, id, p.TownID); err != nil {
				return err
			}
			_, err := s.AddCoordinatorTownTx(ctx, tx, id, other, p.TownID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		send(id, other)
		if err := s.AddMute(ctx, id, storage.Mute{Kind: storage.MuteTopic, Value: "culture"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMessageKind(ctx, id, storage.KindEvents, false); err != nil {
			t.Fatal(err)
		}
	}
}
