package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
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

// TestOutcomeDuringCorrectionIsBehind: a copy rendered with the first text
// is recorded sent while a correction is under way, after the correction
// read the copies already sent and before it committed. The outcome must
// wait for the correction and report the copy behind its revision, or the
// copy would be in neither set and keep the old text.
func TestOutcomeDuringCorrectionIsBehind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	s := storage.New(pool)
	for _, id := range []int64{1, 2} {
		if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: id, FirstName: "P"}); err != nil {
			t.Fatal(err)
		}
	}
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) (err error) {
		id, err = s.CreateBroadcastTx(ctx, tx, storage.BroadcastFields{AuthorID: 1, AuthorLang: "uk",
			Audience: storage.Audience{Place: storage.PlaceMine}, Versions: map[string]string{"uk": "Збір у середу"},
			SendAt: time.Now()}, []storage.BroadcastDelivery{{UserID: 2, DueAt: time.Now()}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	rev, sent, err := s.CorrectBroadcastTx(ctx, tx, id, 1, "uk", "Збір у четвер")
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 0 {
		t.Fatalf("sent copies at the correction: %v, want none", sent)
	}
	type result struct {
		behind int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		r.err = s.InTx(ctx, func(otx pgx.Tx) (err error) {
			r.behind, err = s.RecordBroadcastOutcomeTx(ctx, otx, id, 2, storage.CopySent, 77)
			return err
		})
		done <- r
	}()
	select {
	case r := <-done:
		t.Fatalf("the outcome was recorded during the correction (behind %d, %v): neither sees the other", r.behind, r.err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.behind != rev {
		t.Errorf("outcome after the correction: behind %d, want revision %d", r.behind, rev)
	}
	c, err := s.BroadcastCopyOf(ctx, id, 2)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != storage.CopySent || c.MessageID != 77 {
		t.Errorf("copy %+v, want sent as message 77", c)
	}
}
