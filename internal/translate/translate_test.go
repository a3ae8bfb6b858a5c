package translate_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"partnerbot/internal/config"
	"partnerbot/internal/faketranslate"
	"partnerbot/internal/testdb"
	"partnerbot/internal/translate"
	"partnerbot/storage"
)

// memCache is an in-memory Cache (the PostgreSQL one is tested in
// package storage).
type memCache struct {
	mu    sync.Mutex
	m     map[string]storage.CachedTranslation
	used  map[string]int
	owner map[string]int64
}

func newMemCache() *memCache {
	return &memCache{m: map[string]storage.CachedTranslation{}, used: map[string]int{}, owner: map[string]int64{}}
}

func (c *memCache) CachedTranslation(_ context.Context, text, target string) (storage.CachedTranslation, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[target+"|"+text]
	return t, ok, nil
}

func (c *memCache) StoreTranslation(_ context.Context, text, target string, owner int64, t storage.CachedTranslation) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[target+"|"+text] = t
	c.owner[target+"|"+text] = owner
	return nil
}

func (c *memCache) ReserveTranslationChars(_ context.Context, day time.Time, n, limit int) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := day.UTC().Format(time.DateOnly)
	if c.used[d]+n > limit {
		return false, nil
	}
	c.used[d] += n
	return true, nil
}

func (c *memCache) RefundTranslationChars(_ context.Context, day time.Time, n int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.used[day.UTC().Format(time.DateOnly)] -= n
	return nil
}

// ClaimTranslation: one memCache is one instance's view, and one instance
// joins its own requests (singleflight): every claim is won.
func (c *memCache) ClaimTranslation(context.Context, string, string, time.Time, time.Time) (bool, error) {
	return true, nil
}

func (c *memCache) ReleaseTranslation(context.Context, string, string) error { return nil }

// fakeServer is what the tests ask of both fakes.
type fakeServer interface {
	FailNext(status, times int)
	Delay(time.Duration)
	Requests() int
}

// providers makes each provider with its fake server.
func providers(t *testing.T) map[string]func() (translate.Provider, fakeServer) {
	return map[string]func() (translate.Provider, fakeServer){
		"libretranslate": func() (translate.Provider, fakeServer) {
			f := faketranslate.NewLibreTranslate(t)
			return &translate.LibreTranslate{URL: f.URL}, f
		},
		"deepl": func() (translate.Provider, fakeServer) {
			f := faketranslate.NewDeepL(t, "k:fx")
			return &translate.DeepL{URL: f.URL, Key: "k:fx"}, f
		},
	}
}

func TestTranslateAndCache(t *testing.T) {
	for name, mk := range providers(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			p, fake := mk()
			cache := newMemCache()
			tr := translate.New(p, cache, translate.Options{})
			req := translate.Request{Text: "Hallo, wir suchen Partner für die Feuerwehr!", To: "uk", Owner: 7}
			res, err := tr.Translate(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			want := faketranslate.Translate(req.Text, "uk")
			if res.Text != want || !res.Machine || res.Cached || res.Provider != name || res.From != "de" || res.To != "uk" {
				t.Fatalf("got %+v, want text %q from de", res, want)
			}
			again, err := tr.Translate(ctx, req)
			if err != nil || !again.Cached || again.Text != want || !again.Machine || fake.Requests() != 1 {
				t.Fatalf("second time: %+v, %v, %d requests", again, err, fake.Requests())
			}
			if cache.owner["uk|"+req.Text] != 7 {
				t.Fatal("the cached translation does not belong to the text's author")
			}
			same, err := tr.Translate(ctx, translate.Request{Text: "Привіт", From: "uk", To: "uk"})
			if err != nil || same.Machine || same.Text != "Привіт" || fake.Requests() != 1 {
				t.Fatalf("a text in the reader's language was sent off: %+v, %v", same, err)
			}
			// Given the source language, the service does not guess it.
			res, err = tr.Translate(ctx, translate.Request{Text: "Jugend", From: "de", To: "en"})
			if err != nil || res.Text != "[en] Youth" || res.From != "de" {
				t.Fatalf("with source: %+v, %v", res, err)
			}
		})
	}
}

// TestTranslateHTML: an HTML text goes to each service as HTML (tags
// kept, the text between them translated) and is cached apart from the
// same characters translated as text.
func TestTranslateHTML(t *testing.T) {
	for name, mk := range providers(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			p, fake := mk()
			tr := translate.New(p, newMemCache(), translate.Options{})
			const text = `<b>Hallo</b>, wir suchen <a href="https://example.org/schule">Partner</a> &amp; Schule`
			res, err := tr.Translate(ctx, translate.Request{Text: text, From: "de", To: "sv", HTML: true})
			if want := faketranslate.TranslateHTML(text, "sv"); err != nil || res.Text != want || !res.Machine {
				t.Fatalf("as HTML: %+v, %v; want %q", res, err, want)
			}
			plain, err := tr.Translate(ctx, translate.Request{Text: text, From: "de", To: "sv"})
			if want := faketranslate.Translate(text, "sv"); err != nil || plain.Text != want || plain.Cached {
				t.Fatalf("as text after HTML: %+v, %v; want %q", plain, err, want)
			}
			again, err := tr.Translate(ctx, translate.Request{Text: text, From: "de", To: "sv", HTML: true})
			if err != nil || !again.Cached || again.Text != res.Text || fake.Requests() != 2 {
				t.Fatalf("HTML again: %+v, %v, %d requests", again, err, fake.Requests())
			}
		})
	}
}

// TestProviderErrorsAreTyped: every failure the services document comes
// back as its kind, the budget is given back, and nothing is cached.
func TestProviderErrorsAreTyped(t *testing.T) {
	cases := map[string][]struct {
		status int
		want   error
		reason string
	}{
		"libretranslate": {{400, translate.ErrUnsupported, "unsupported"}, {403, translate.ErrKey, "key"},
			{429, translate.ErrRateLimited, "busy"}, {500, translate.ErrUnavailable, "unavailable"}},
		"deepl": {{403, translate.ErrKey, "key"}, {456, translate.ErrQuota, "quota"}, {429, translate.ErrRateLimited, "busy"},
			{529, translate.ErrRateLimited, "busy"}, {500, translate.ErrUnavailable, "unavailable"},
			{503, translate.ErrUnavailable, "unavailable"}, {504, translate.ErrUnavailable, "unavailable"}},
	}
	for name, mk := range providers(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			p, fake := mk()
			cache := newMemCache()
			tr := translate.New(p, cache, translate.Options{DailyChars: 1000})
			for _, c := range cases[name] {
				fake.FailNext(c.status, 1)
				_, err := tr.Translate(ctx, translate.Request{Text: "Feuerwehr", To: "uk"})
				var e *translate.Error
				if !errors.Is(err, c.want) || !errors.As(err, &e) || e.Status != c.status || e.Provider != name ||
					translate.Reason(err) != c.reason {
					t.Errorf("HTTP %d: %v (reason %q), want %v", c.status, err, translate.Reason(err), c.want)
				}
			}
			if len(cache.m) != 0 || cache.used[time.Now().UTC().Format(time.DateOnly)] != 0 {
				t.Fatalf("failures cached %d translations and kept %v characters", len(cache.m), cache.used)
			}
			// A slow answer is given up on.
			fake.Delay(time.Second)
			tr = translate.New(p, cache, translate.Options{Timeout: 50 * time.Millisecond})
			if _, err := tr.Translate(ctx, translate.Request{Text: "Feuerwehr", To: "uk"}); !errors.Is(err, translate.ErrUnavailable) {
				t.Fatalf("slow answer: %v", err)
			}
			fake.Delay(0)
		})
	}
}

func TestKeysAndQuota(t *testing.T) {
	ctx := context.Background()
	lt := faketranslate.NewLibreTranslate(t)
	lt.RequireKey("secret")
	for key, want := range map[string]error{"": translate.ErrKey, "wrong": translate.ErrKey, "secret": nil} {
		tr := translate.New(&translate.LibreTranslate{URL: lt.URL, Key: key}, newMemCache(), translate.Options{})
		if _, err := tr.Translate(ctx, translate.Request{Text: "Schule", To: "fr"}); !errors.Is(err, want) && err != want {
			t.Errorf("LibreTranslate key %q: %v, want %v", key, err, want)
		}
	}
	dl := faketranslate.NewDeepL(t, "good")
	tr := translate.New(&translate.DeepL{URL: dl.URL, Key: "bad"}, newMemCache(), translate.Options{})
	if _, err := tr.Translate(ctx, translate.Request{Text: "Schule", To: "fr"}); !errors.Is(err, translate.ErrKey) {
		t.Fatalf("DeepL bad key: %v", err)
	}
	dl.SetQuota(10)
	tr = translate.New(&translate.DeepL{URL: dl.URL, Key: "good"}, newMemCache(), translate.Options{})
	if _, err := tr.Translate(ctx, translate.Request{Text: "Schule", To: "fr"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Translate(ctx, translate.Request{Text: "Krankenhaus", To: "fr"}); !errors.Is(err, translate.ErrQuota) {
		t.Fatalf("DeepL past its quota: %v", err)
	}
}

func TestBudgetAndDisabled(t *testing.T) {
	ctx := context.Background()
	lt := faketranslate.NewLibreTranslate(t)
	tr := translate.New(&translate.LibreTranslate{URL: lt.URL}, newMemCache(), translate.Options{DailyChars: 10})
	if _, err := tr.Translate(ctx, translate.Request{Text: "Feuerwehr", To: "uk"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Translate(ctx, translate.Request{Text: "Schule", To: "uk"}); !errors.Is(err, translate.ErrBudget) ||
		translate.Reason(err) != "budget" {
		t.Fatalf("over the budget: %v", err)
	}
	if lt.Requests() != 1 {
		t.Fatalf("%d requests: the budget must stop them before they leave", lt.Requests())
	}
	var off *translate.Translator
	if off.Enabled() || translate.New(nil, newMemCache(), translate.Options{}).Enabled() {
		t.Fatal("a translator without a provider says it is on")
	}
	if _, err := off.Translate(ctx, translate.Request{Text: "x", To: "uk"}); !errors.Is(err, translate.ErrDisabled) {
		t.Fatalf("off: %v", err)
	}
	if !translate.Needed("de", "uk") || translate.Needed("uk", "uk") || translate.Needed("", "uk") {
		t.Fatal("Needed")
	}
}

func TestFromConfig(t *testing.T) {
	ctx := context.Background()
	if translate.FromConfig(config.Translate{}, newMemCache()).Enabled() {
		t.Fatal("no provider configured, yet enabled")
	}
	lt := faketranslate.NewLibreTranslate(t)
	tr := translate.FromConfig(config.Translate{Provider: config.ProviderLibreTranslate, URL: lt.URL}, newMemCache())
	if res, err := tr.Translate(ctx, translate.Request{Text: "Wasser", To: "pl"}); err != nil || res.Text != "[pl] Woda" {
		t.Fatalf("libretranslate from config: %+v, %v", res, err)
	}
	dl := faketranslate.NewDeepL(t, "k")
	tr = translate.FromConfig(config.Translate{Provider: config.ProviderDeepL, URL: dl.URL, APIKey: "k"}, newMemCache())
	if res, err := tr.Translate(ctx, translate.Request{Text: "Wasser", To: "en"}); err != nil || res.Text != "[en] Water" {
		t.Fatalf("deepl from config: %+v, %v", res, err)
	}
	if translate.DeepLURL("abc:fx") != "https://api-free.deepl.com" || translate.DeepLURL("abc") != "https://api.deepl.com" {
		t.Fatal("DeepLURL")
	}
}

// TestInstancesShareOneRequest: two instances (each its own Translator,
// as internal/instance makes one per process) asking at the same moment
// for the same text in the same language cost one request to the
// service: the second waits for the first's translation in the shared
// cache (PostgreSQL). When the first fails, the other tries itself.
func TestInstancesShareOneRequest(t *testing.T) {
	for name, mk := range providers(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			store := storage.New(testdb.New(t))
			p, fake := mk()
			fake.Delay(300 * time.Millisecond)
			instances := []*translate.Translator{translate.New(p, store, translate.Options{}),
				translate.New(p, store, translate.Options{})}
			// ask asks both instances twice at once for text.
			ask := func(text string) ([]translate.Result, []error) {
				results, errs := make([]translate.Result, 4), make([]error, 4)
				var wg sync.WaitGroup
				for i := range results {
					wg.Go(func() {
						results[i], errs[i] = instances[i%2].Translate(ctx, translate.Request{Text: text, To: "sv"})
					})
				}
				wg.Wait()
				return results, errs
			}
			const text = "Wir suchen eine Schule"
			results, errs := ask(text)
			for i, res := range results {
				if errs[i] != nil || res.Text != faketranslate.Translate(text, "sv") || !res.Machine {
					t.Errorf("request %d: %+v, %v", i, res, errs[i])
				}
			}
			if n := fake.Requests(); n != 1 {
				t.Errorf("%d requests to the service from two instances for one text, want 1", n)
			}

			// The first to ask fails: the waiting instance asks itself.
			fake.FailNext(http.StatusInternalServerError, 1)
			const other = "Wir suchen ein Krankenhaus"
			failed := 0
			results, errs = ask(other)
			for i, res := range results {
				switch {
				case errors.Is(errs[i], translate.ErrUnavailable):
					failed++
				case errs[i] != nil || res.Text != faketranslate.Translate(other, "sv"):
					t.Errorf("request %d: %+v, %v", i, res, errs[i])
				}
			}
			if fake.Requests() != 3 {
				t.Errorf("%d requests for the second text, want 2 (the one that failed, then the waiting instance's own)", fake.Requests()-1)
			}
			if failed != 2 {
				t.Errorf("%d of 4 requests failed, want the 2 of the instance whose request failed", failed)
			}
		})
	}
}
