// Package config reads partnerbot's settings from environment variables and
// validates them, so a misconfigured deployment stops at start with a message
// that names the variable at fault.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultAPIURL is Telegram's own Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// Config is the validated configuration of one partnerbot process.
type Config struct {
	Token         string
	DatabaseURL   string
	APIURL        string
	HTTPAddr      string
	WebhookURL    string
	WebhookSecret string
	AdminIDs      []int64
	LogLevel      slog.Level
	// DeliveryRate (DELIVERY_RATE) is the most messages per second the bot
	// sends on its own initiative, over all instances; 0 means the delivery
	// engine's default (30, Telegram's limit without paid broadcasts).
	DeliveryRate float64
	// DeliveryWorkers (DELIVERY_WORKERS) is how many messages one instance
	// handles at once; 0 means the engine's default (100).
	DeliveryWorkers int
	// UserRateLimit (USER_RATE_LIMIT) is how many updates of one user are
	// handled within UserRateWindow (USER_RATE_WINDOW); the excess gets
	// one request to slow down and is dropped. 0 turns the limit off.
	UserRateLimit  int
	UserRateWindow time.Duration
	// ShutdownTimeout (SHUTDOWN_TIMEOUT) is how long a stopping instance
	// waits for updates being handled before it cancels them.
	ShutdownTimeout time.Duration
	// Translate configures machine translation of what people write
	// (package translate); off unless TRANSLATE_PROVIDER is set.
	Translate Translate
}

// Translation providers (TRANSLATE_PROVIDER).
const (
	ProviderLibreTranslate = "libretranslate"
	ProviderDeepL          = "deepl"
)

// Translate is the machine-translation configuration.
type Translate struct {
	// Provider is "" (off), ProviderLibreTranslate or ProviderDeepL.
	Provider string
	// URL is the service's base URL: required for LibreTranslate
	// (self-hosted); for DeepL it defaults from the key (Free keys end in
	// ":fx" and use api-free.deepl.com).
	URL string
	// APIKey is required for DeepL, optional for LibreTranslate.
	APIKey string
	// DailyChars is the most characters translated per day over all
	// instances; 0 means the package's default (100,000).
	DailyChars int
	// Timeout bounds one request to the service; 0 means the package's
	// default (10 s).
	Timeout time.Duration
}

// Defaults of the intake settings.
const (
	DefaultUserRateLimit   = 20
	DefaultUserRateWindow  = 10 * time.Second
	DefaultShutdownTimeout = 8 * time.Second
)

// Load reads the configuration through getenv (os.Getenv in production).
// Every problem found is reported, not only the first.
func Load(getenv func(string) string) (Config, error) {
	return load(getenv, true)
}

func load(getenv func(string) string, bot bool) (Config, error) {
	c := Config{
		Token:         strings.TrimSpace(getenv("TELEGRAM_BOT_TOKEN")),
		DatabaseURL:   strings.TrimSpace(getenv("DATABASE_URL")),
		APIURL:        strings.TrimRight(strings.TrimSpace(getenv("TELEGRAM_API_URL")), "/"),
		HTTPAddr:      strings.TrimSpace(getenv("HTTP_ADDR")),
		WebhookURL:    strings.TrimSpace(getenv("WEBHOOK_URL")),
		WebhookSecret: strings.TrimSpace(getenv("WEBHOOK_SECRET")),
	}
	var errs []error
	if c.Token == "" && bot {
		errs = append(errs, errors.New("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather"))
	}
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("DATABASE_URL is not set: e.g. postgres://postgres@127.0.0.1:5432/partnerbot"))
	}
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	} else if err := checkURL(c.APIURL); err != nil {
		errs = append(errs, fmt.Errorf("TELEGRAM_API_URL: %w", err))
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = ":8080"
	}
	if c.WebhookURL != "" {
		if err := checkURL(c.WebhookURL); err != nil {
			errs = append(errs, fmt.Errorf("WEBHOOK_URL: %w", err))
		}
		if len(c.WebhookSecret) < 16 || !validSecret(c.WebhookSecret) {
			errs = append(errs, errors.New("WEBHOOK_SECRET must be set with WEBHOOK_URL: 16 to 256 characters of A-Z, a-z, 0-9, _ and -"))
		}
	}
	ids, err := ParseIDs(getenv("ADMIN_IDS"))
	if err != nil {
		errs = append(errs, fmt.Errorf("ADMIN_IDS: %w", err))
	}
	c.AdminIDs = ids
	if lvl := strings.TrimSpace(getenv("LOG_LEVEL")); lvl != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL: %q is not one of debug, info, warn, error", lvl))
		}
	}
	if v := strings.TrimSpace(getenv("DELIVERY_RATE")); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || !(r > 0 && r <= 10000) {
			errs = append(errs, fmt.Errorf("DELIVERY_RATE: %q is not a number of messages per second between 0 and 10000", v))
		}
		c.DeliveryRate = r
	}
	if v := strings.TrimSpace(getenv("DELIVERY_WORKERS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			errs = append(errs, fmt.Errorf("DELIVERY_WORKERS: %q is not a whole number from 1 to 10000", v))
		}
		c.DeliveryWorkers = n
	}
	c.UserRateLimit, c.UserRateWindow, c.ShutdownTimeout = DefaultUserRateLimit, DefaultUserRateWindow, DefaultShutdownTimeout
	if v := strings.TrimSpace(getenv("USER_RATE_LIMIT")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10000 {
			errs = append(errs, fmt.Errorf("USER_RATE_LIMIT: %q is not a whole number of updates from 0 (no limit) to 10000", v))
		}
		c.UserRateLimit = n
	}
	if v := strings.TrimSpace(getenv("USER_RATE_WINDOW")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			errs = append(errs, fmt.Errorf("USER_RATE_WINDOW: %q is not a duration from 1s to 1h, such as 10s", v))
		}
		c.UserRateWindow = d
	}
	if v := strings.TrimSpace(getenv("SHUTDOWN_TIMEOUT")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > 10*time.Minute {
			errs = append(errs, fmt.Errorf("SHUTDOWN_TIMEOUT: %q is not a duration from 1s to 10m, such as 8s", v))
		}
		c.ShutdownTimeout = d
	}
	var terr []error
	c.Translate, terr = loadTranslate(getenv)
	errs = append(errs, terr...)
	return c, errors.Join(errs...)
}

// loadTranslate reads and checks the TRANSLATE_* variables.
func loadTranslate(getenv func(string) string) (Translate, []error) {
	t := Translate{
		Provider: strings.ToLower(strings.TrimSpace(getenv("TRANSLATE_PROVIDER"))),
		URL:      strings.TrimRight(strings.TrimSpace(getenv("TRANSLATE_URL")), "/"),
		APIKey:   strings.TrimSpace(getenv("TRANSLATE_API_KEY")),
	}
	var errs []error
	switch t.Provider {
	case "", "off", "none":
		t.Provider = ""
	case ProviderLibreTranslate:
		if t.URL == "" {
			errs = append(errs, errors.New("TRANSLATE_URL must be set for libretranslate: the server's URL, e.g. http://libretranslate:5000"))
		}
	case ProviderDeepL:
		if t.APIKey == "" {
			errs = append(errs, errors.New("TRANSLATE_API_KEY must be set for deepl: the key from your DeepL account"))
		}
	default:
		errs = append(errs, fmt.Errorf("TRANSLATE_PROVIDER: %q is not one of libretranslate, deepl, off", t.Provider))
	}
	if t.URL != "" {
		if err := checkURL(t.URL); err != nil {
			errs = append(errs, fmt.Errorf("TRANSLATE_URL: %w", err))
		}
	}
	if v := strings.TrimSpace(getenv("TRANSLATE_DAILY_CHARS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100_000_000 {
			errs = append(errs, fmt.Errorf("TRANSLATE_DAILY_CHARS: %q is not a whole number from 1 to 100000000", v))
		}
		t.DailyChars = n
	}
	if v := strings.TrimSpace(getenv("TRANSLATE_TIMEOUT")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > time.Minute {
			errs = append(errs, fmt.Errorf("TRANSLATE_TIMEOUT: %q is not a duration from 100ms to 1m (e.g. 10s)", v))
		}
		t.Timeout = d
	}
	return t, errs
}

// LoadDatabase reads only what the administration commands need:
// DATABASE_URL, ADMIN_IDS and LOG_LEVEL.
func LoadDatabase(getenv func(string) string) (Config, error) {
	return load(getenv, false)
}

// ParseIDs parses a comma- or space-separated list of Telegram user ids.
func ParseIDs(s string) ([]int64, error) {
	var ids []int64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%q is not a Telegram user id", f)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return nil
}

// validSecret applies Telegram's rule for secret_token.
func validSecret(s string) bool {
	if len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
