package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// fillTranslationData stores a translation of a text of each user, for
// the privacy tests.
func fillTranslationData(t *testing.T, s *storage.Store, users ...int64) {
	t.Helper()
	for _, u := range users {
		text := fmt.Sprintf("Text von %d", u)
		if err := s.StoreTranslation(context.Background(), text, "uk", u,
			storage.CachedTranslation{Text: fmt.Sprintf("Текст від %d", u), SourceLang: "de", Provider: "test"}); err != nil {
			t.Fatal(err)
		}
	}
}

// charsUsed returns the characters of the translation budget reserved on
// day.
func charsUsed(s *storage.Store, day time.Time) (int64, error) {
	var n int64
	err := s.Pool().QueryRow(context.Background(), `SELECT coalesce((SELECT chars FROM translation_usage WHERE day = $1), 0)`,
		day.UTC().Format(time.DateOnly)).Scan(&n)
	return n, err
}

// translationStore is a store on a fresh database with users 1 and 2.
func translationStore(t *testing.T) *storage.Store {
	t.Helper()
	s := storage.New(testdb.New(t))
	for _, id := range []int64{1, 2} {
		if _, err := s.TouchUser(context.Background(), storage.TelegramProfile{ID: id, FirstName: "X"}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestTranslationCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := translationStore(t)
	if _, ok, err := s.CachedTranslation(ctx, "Feuerwehr", "uk"); err != nil || ok {
		t.Fatalf("empty cache: hit %v, %v", ok, err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.StoreTranslation(ctx, "Feuerwehr", "uk", 1, storage.CachedTranslation{Text: "пожежна", SourceLang: "de", Provider: "deepl"}))
	must(s.StoreTranslation(ctx, "Feuerwehr", "en", 1, storage.CachedTranslation{Text: "fire brigade", Provider: "deepl"}))
	must(s.StoreTranslation(ctx, "Feuerwehr", "uk", 2, storage.CachedTranslation{Text: "пожежна", Provider: "deepl"}))
	must(s.StoreTranslation(ctx, "Schule", "uk", 0, storage.CachedTranslation{Text: "школа", Provider: "deepl"}))
	// Storing the same again changes nothing.
	must(s.StoreTranslation(ctx, "Schule", "uk", 0, storage.CachedTranslation{Text: "школа", Provider: "deepl"}))
	got, ok, err := s.CachedTranslation(ctx, "Feuerwehr", "uk")
	if err != nil || !ok || got.Text != "пожежна" || got.Provider != "deepl" {
		t.Fatalf("hit = %+v, %v, %v", got, ok, err)
	}
	if _, ok, _ := s.CachedTranslation(ctx, "Feuerwehr", "sv"); ok {
		t.Fatal("a translation into another language was taken for Swedish")
	}
	must(s.InTx(ctx, func(tx pgx.Tx) error { return s.DeleteUserTx(ctx, tx, 1) }))
	if _, ok, _ := s.CachedTranslation(ctx, "Feuerwehr", "en"); ok {
		t.Fatal("user 1's translation outlived their data")
	}
	if _, ok, _ := s.CachedTranslation(ctx, "Feuerwehr", "uk"); !ok {
		t.Fatal("user 2's translation of the same text went with user 1's")
	}
	if n, err := s.PruneTranslations(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("PruneTranslations of older ones = %d, %v; want 0", n, err)
	}
	if n, err := s.PruneTranslations(ctx, time.Now().Add(time.Hour)); err != nil || n != 2 {
		t.Fatalf("PruneTranslations = %d, %v; want 2", n, err)
	}
}

// TestTranslationBudgetHoldsAcrossInstances: reservations from many
// connections at once never pass the day's limit, and a refund gives the
// characters back.
func TestTranslationBudgetHoldsAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	day := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)
	const limit, each, tries = 1000, 30, 60
	instances := []*storage.Store{storage.New(pool), storage.New(pool), storage.New(pool)}
	var mu sync.Mutex
	granted := 0
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() {
			ok, err := instances[i%len(instances)].ReserveTranslationChars(ctx, day, each, limit)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if granted != limit/each {
		t.Fatalf("%d reservations of %d granted, want %d", granted, each, limit/each)
	}
	used, err := charsUsed(instances[0], day)
	if err != nil || used != int64(granted*each) {
		t.Fatalf("used %d (%v), want %d", used, err, granted*each)
	}
	if ok, _ := instances[1].ReserveTranslationChars(ctx, day, each, limit); ok {
		t.Fatal("a reservation past the limit was granted")
	}
	if err := instances[2].RefundTranslationChars(ctx, day, each); err != nil {
		t.Fatal(err)
	}
	if ok, _ := instances[1].ReserveTranslationChars(ctx, day, each, limit); !ok {
		t.Fatal("refunded characters cannot be reserved again")
	}
	// The next day starts from zero.
	if ok, _ := instances[0].ReserveTranslationChars(ctx, day.Add(time.Hour), limit, limit); !ok {
		t.Fatal("the next day's budget is not fresh")
	}
	if ok, _ := instances[0].ReserveTranslationChars(ctx, day.Add(48*time.Hour), limit+1, limit); ok {
		t.Fatal("one text longer than the whole budget was granted")
	}
}
