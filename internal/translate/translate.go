// Package translate translates what people write (project texts, event
// texts, contact-request introductions) for readers of another language,
// through a translation service municipalities can use: a self-hosted
// LibreTranslate, or the DeepL API.
//
// Translations are cached (by the SHA-256 of the text and the target
// language, in PostgreSQL through the Cache interface, which
// *storage.Store implements) and counted against a daily character budget
// that holds across every instance. Every failure is one of a few kinds
// (ErrQuota, ErrKey, ErrUnavailable, ...; see Reason), so that the bot
// shows the original with a short note instead. Results are always marked
// as machine translations (Result.Machine).
//
// For the bot:
//
//	if translate.Needed(p.DescriptionLang, reader) {
//		res, err := tr.Translate(ctx, translate.Request{Text: p.Description, From: p.DescriptionLang, To: reader, Owner: p.OwnerID})
//		if err != nil {
//			// show p.Description and l.T("translate_unavailable_" + translate.Reason(err))
//		} else {
//			// show res.Text and l.T("translate_machine_note", "Provider", res.Provider)
//		}
//	}
package translate

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/singleflight"

	"partnerbot/internal/config"
	"partnerbot/storage"
)

// Provider is one translation service.
type Provider interface {
	// Name is how the provider is named in logs, errors and the cache.
	Name() string
	// Translate translates text from language from ("" to let the
	// service detect it) into to; with html, text is HTML whose tags the
	// service keeps, translating the text between them (the answer is
	// HTML too). Errors are *Error.
	Translate(ctx context.Context, text, from, to string, html bool) (Output, error)
}

// Output is what a provider answers.
type Output struct {
	Text string
	// From is the language the text was translated from: the one asked
	// for, or the one the service detected ("" if it did not say).
	From string
}

// Cache stores translations and counts the daily budget; *storage.Store
// implements it.
type Cache interface {
	CachedTranslation(ctx context.Context, text, target string) (storage.CachedTranslation, bool, error)
	StoreTranslation(ctx context.Context, text, target string, owner int64, t storage.CachedTranslation) error
	ReserveTranslationChars(ctx context.Context, day time.Time, n, limit int) (bool, error)
	RefundTranslationChars(ctx context.Context, day time.Time, n int) error
	ClaimTranslation(ctx context.Context, text, target string, now, expires time.Time) (bool, error)
	ReleaseTranslation(ctx context.Context, text, target string) error
}

// Request asks for one translation.
type Request struct {
	Text string
	// From is the language of Text if known (Project.TitleLang and the
	// like), "" to let the service detect it.
	From string
	// To is the reader's language.
	To string
	// Owner is the Telegram user id of the person who wrote Text (0 for
	// nobody): the cached translation is theirs and goes with their data.
	Owner int64
	// HTML is set when Text is HTML (a broadcast's Telegram HTML): the
	// service keeps its tags and translates the text between them, and
	// Result.Text is HTML as well, as the service wrote it (the caller
	// checks it before showing it).
	HTML bool
}

// Result is a translation.
type Result struct {
	Text string
	// From and To are the languages translated from and into.
	From, To string
	// Machine is true for a machine translation, which the bot must mark
	// as such; false only when Text is the original (From equals To).
	Machine bool
	// Provider names the service that translated ("deepl",
	// "libretranslate").
	Provider string
	// Cached is true when the translation came from the cache.
	Cached bool
}

// Needed reports whether a text in language textLang should be offered in
// translation to a reader of readerLang: both known and different.
func Needed(textLang, readerLang string) bool {
	return textLang != "" && readerLang != "" && textLang != readerLang
}

// Options configure a Translator (from internal/config: TRANSLATE_*).
type Options struct {
	// DailyChars is the most characters sent to the service per day (UTC)
	// over all instances; 0 means DefaultDailyChars.
	DailyChars int
	// Timeout bounds one call to the service; 0 means DefaultTimeout.
	Timeout time.Duration
	// Now is the clock (time.Now if nil).
	Now func() time.Time
}

// Defaults.
const (
	DefaultDailyChars = 100000
	DefaultTimeout    = 10 * time.Second
	// MaxChars is the longest text translated: longer ones are refused
	// with ErrUnsupported (the bot's own texts are at most 2,000).
	MaxChars = 5000
)

// Translator translates through one provider with a cache and a budget.
// A nil *Translator, or one without a provider, is off: Translate returns
// ErrDisabled.
type Translator struct {
	provider Provider
	cache    Cache
	opts     Options
	// flight joins simultaneous requests for the same text and language
	// (a broadcast rendered for many recipients at once) into one.
	flight singleflight.Group
}

// New returns a Translator using provider (nil: off) and cache.
func New(provider Provider, cache Cache, opts Options) *Translator {
	if opts.DailyChars <= 0 {
		opts.DailyChars = DefaultDailyChars
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Translator{provider: provider, cache: cache, opts: opts}
}

// Enabled reports whether translations can be asked for at all: the bot
// shows no translate buttons otherwise.
func (t *Translator) Enabled() bool { return t != nil && t.provider != nil }

// Translate returns r.Text in r.To: from the cache if it was translated
// before, else from the service, counted against the daily budget and
// then cached. A text already in the reader's language comes back as it
// is (Machine false). Errors wrap one of the kinds in errors.go.
func (t *Translator) Translate(ctx context.Context, r Request) (Result, error) {
	if !t.Enabled() {
		return Result{}, ErrDisabled
	}
	if r.From != "" && r.From == r.To || strings.TrimSpace(r.Text) == "" {
		return Result{Text: r.Text, From: r.From, To: r.To}, nil
	}
	n := utf8.RuneCountInString(r.Text)
	if n > MaxChars {
		return Result{}, &Error{Kind: ErrUnsupported, Provider: t.provider.Name(),
			Message: fmt.Sprintf("text of %d characters, at most %d", n, MaxChars)}
	}
	v, err, _ := t.flight.Do(r.To+"\x00"+cacheText(r), func() (any, error) { return t.translate(ctx, r, n) })
	return v.(Result), err
}

// translate is Translate of a text of n characters, from the cache or the
// service.
func (t *Translator) translate(ctx context.Context, r Request, n int) (Result, error) {
	res := Result{Text: r.Text, From: r.From, To: r.To}
	cached := func(c storage.CachedTranslation) (Result, error) {
		if c.SourceLang != "" {
			res.From = c.SourceLang
		}
		res.Text, res.Machine, res.Provider, res.Cached = c.Text, res.From != r.To, c.Provider, true
		return res, nil
	}
	if c, ok, err := t.cache.CachedTranslation(ctx, cacheText(r), r.To); err != nil {
		return Result{}, fmt.Errorf("translation cache: %w", err)
	} else if ok {
		return cached(c)
	}
	c, ok, err := t.claim(ctx, r)
	if err != nil {
		return Result{}, err
	}
	if ok {
		return cached(c)
	}
	defer func() {
		// With the caller's values but not its end: a claim left behind
		// would make others wait until it expires.
		if err := t.cache.ReleaseTranslation(context.WithoutCancel(ctx), cacheText(r), r.To); err != nil {
			slog.WarnContext(ctx, "translation claim not released", "err", err)
		}
	}()
	day := t.opts.Now()
	ok, err = t.cache.ReserveTranslationChars(ctx, day, n, t.opts.DailyChars)
	if err != nil {
		return Result{}, fmt.Errorf("translation budget: %w", err)
	}
	if !ok {
		return Result{}, &Error{Kind: ErrBudget, Provider: t.provider.Name(),
			Message: fmt.Sprintf("%d characters a day", t.opts.DailyChars)}
	}
	callCtx, cancel := context.WithTimeout(ctx, t.opts.Timeout)
	out, err := t.provider.Translate(callCtx, r.Text, r.From, r.To, r.HTML)
	cancel()
	if err != nil {
		// The characters were not used: give them back (with the caller's
		// context, which may outlive the call's).
		if rerr := t.cache.RefundTranslationChars(context.WithoutCancel(ctx), day, n); rerr != nil {
			slog.WarnContext(ctx, "translation budget refund failed", "err", rerr)
		}
		return Result{}, err
	}
	if out.From != "" {
		res.From = out.From
	}
	res.Text, res.Machine, res.Provider = out.Text, true, t.provider.Name()
	if res.From == r.To {
		// The service found the text already in the reader's language.
		res.Text, res.Machine = r.Text, false
	}
	if err := t.cache.StoreTranslation(ctx, cacheText(r), r.To, r.Owner,
		storage.CachedTranslation{Text: res.Text, SourceLang: res.From, Provider: res.Provider}); err != nil {
		// The reader still gets the translation; the next one pays again.
		slog.WarnContext(ctx, "translation not cached", "err", err)
	}
	return res, nil
}

// claimPoll is how often an instance waiting for another's translation
// of the same text looks in the cache; claimGrace is how long a claim
// outlives the request to the service it covers (the writes around it).
const (
	claimPoll  = 50 * time.Millisecond
	claimGrace = 5 * time.Second
)

// claim makes r's translation one request to the service over all
// instances (singleflight joins those of one instance): it claims the
// making of it (Cache.ClaimTranslation) and returns (zero, false) once
// this instance may ask the service, which it must then release; while
// another instance holds the claim it waits, and returns the translation
// (true) as soon as that one has cached it. When the other fails, its
// claim is released (or runs out) and this one claims and tries itself.
func (t *Translator) claim(ctx context.Context, r Request) (storage.CachedTranslation, bool, error) {
	key := cacheText(r)
	for {
		now := t.opts.Now()
		won, err := t.cache.ClaimTranslation(ctx, key, r.To, now, now.Add(t.opts.Timeout+claimGrace))
		if err != nil {
			return storage.CachedTranslation{}, false, fmt.Errorf("translation claim: %w", err)
		}
		if won {
			return storage.CachedTranslation{}, false, nil
		}
		select {
		case <-ctx.Done():
			return storage.CachedTranslation{}, false, &Error{Kind: ErrUnavailable, Provider: t.provider.Name(),
				Message: "gave up waiting for another instance's translation: " + ctx.Err().Error()}
		case <-time.After(claimPoll):
		}
		c, ok, err := t.cache.CachedTranslation(ctx, key, r.To)
		if err != nil || ok {
			if err != nil {
				err = fmt.Errorf("translation cache: %w", err)
			}
			return c, ok, err
		}
	}
}

// htmlMark begins the cache key of an HTML text (cacheText).
const htmlMark = "\x00html\x00"

// cacheText is what r's translation is cached and joined under: the text,
// and for HTML the text behind a mark. The same characters translate
// differently as HTML (entities stay entities, tags stay tags) than as
// text, so the two must not share a cached translation; no typed text
// begins with a NUL.
func cacheText(r Request) string {
	if r.HTML {
		return htmlMark + r.Text
	}
	return r.Text
}

// FromConfig builds the Translator configured by the TRANSLATE_*
// variables (internal/config); with no provider it is off.
func FromConfig(c config.Translate, cache Cache) *Translator {
	var p Provider
	httpClient := &http.Client{}
	switch c.Provider {
	case config.ProviderLibreTranslate:
		p = &LibreTranslate{URL: c.URL, Key: c.APIKey, Client: httpClient}
	case config.ProviderDeepL:
		url := c.URL
		if url == "" {
			url = DeepLURL(c.APIKey)
		}
		p = &DeepL{URL: url, Key: c.APIKey, Client: httpClient}
	}
	return New(p, cache, Options{DailyChars: c.DailyChars, Timeout: c.Timeout})
}
