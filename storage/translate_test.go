package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/faketranslate"
	"partnerbot/internal/translate"
)

// TestTranslatorOnPostgres: the translator with the PostgreSQL cache and
// budget, against both fake services: a miss asks the service, a hit
// does not, the budget stops requests across translators (instances), a
// failure costs nothing, and erased translations are asked for again.
func TestTranslatorOnPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := translationStore(t)
	lt := faketranslate.NewLibreTranslate(t)
	dl := faketranslate.NewDeepL(t, "key:fx")
	day := time.Date(2026, 5, 9, 12, 0, 0, 0, time.UTC)
	opts := translate.Options{DailyChars: 60, Now: func() time.Time { return day }}
	a := translate.New(&translate.LibreTranslate{URL: lt.URL}, s, opts)
	b := translate.New(&translate.DeepL{URL: dl.URL, Key: "key:fx"}, s, opts)

	intro := "Hallo, wir suchen Partner" // 25 characters
	res, err := a.Translate(ctx, translate.Request{Text: intro, To: "uk", Owner: 1})
	if err != nil || res.Cached || !res.Machine || res.Text != faketranslate.Translate(intro, "uk") {
		t.Fatalf("miss: %+v, %v", res, err)
	}
	// Another instance (another service even) finds it in the cache.
	res, err = b.Translate(ctx, translate.Request{Text: intro, To: "uk", Owner: 1})
	if err != nil || !res.Cached || res.Provider != "libretranslate" || dl.Requests() != 0 {
		t.Fatalf("hit: %+v, %v, %d DeepL requests", res, err, dl.Requests())
	}
	// A failure gives its characters back.
	dl.FailNext(503, 1)
	if _, err := b.Translate(ctx, translate.Request{Text: "Wir suchen eine Schule", To: "en", Owner: 2}); !errors.Is(err, translate.ErrUnavailable) {
		t.Fatalf("503: %v", err)
	}
	if used, _ := charsUsed(s, day); used != 25 {
		t.Fatalf("%d characters used, want 25 (the failure's given back)", used)
	}
	if _, err := b.Translate(ctx, translate.Request{Text: "Wir suchen eine Schule", To: "en", Owner: 2}); err != nil {
		t.Fatal(err)
	}
	// 25 + 22 used of 60: the next 25 do not fit, whichever instance asks.
	for _, tr := range []*translate.Translator{a, b} {
		if _, err := tr.Translate(ctx, translate.Request{Text: "Krankenhaus und Feuerwehr", To: "fr", Owner: 2}); !errors.Is(err, translate.ErrBudget) {
			t.Fatalf("past the budget: %v", err)
		}
	}
	// /deleteme erases person 1's translations; the text is asked for again.
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.DeleteUserTx(ctx, tx, 1) }); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.CachedTranslation(ctx, intro, "uk"); ok {
		t.Fatal("a deleted person's translation is still cached")
	}
	if _, ok, _ := s.CachedTranslation(ctx, "Wir suchen eine Schule", "en"); !ok {
		t.Fatal("another person's translation went too")
	}
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.DeleteUserTx(ctx, tx, 2) }); err != nil {
		t.Fatal(err)
	}
	// The next day has a fresh budget.
	next := translate.New(&translate.LibreTranslate{URL: lt.URL}, s, translate.Options{DailyChars: 60,
		Now: func() time.Time { return day.Add(24 * time.Hour) }})
	lt.FailNext(429, 1)
	if _, err := next.Translate(ctx, translate.Request{Text: "Wir suchen eine Schule", To: "en"}); !errors.Is(err, translate.ErrRateLimited) {
		t.Fatalf("after erasing, the text goes to the service again (429 expected): %v", err)
	}
}
