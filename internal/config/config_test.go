package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoad(t *testing.T) {
	base := map[string]string{"TELEGRAM_BOT_TOKEN": "1:abc", "DATABASE_URL": "postgres://x/y"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr []string
	}{
		{"minimal", base, nil},
		{"nothing", map[string]string{}, []string{"TELEGRAM_BOT_TOKEN is not set", "DATABASE_URL is not set"}},
		{"webhook without secret", with("WEBHOOK_URL", "https://example.org/hook"), []string{"WEBHOOK_SECRET"}},
		{"webhook with bad secret", with("WEBHOOK_URL", "https://example.org/hook", "WEBHOOK_SECRET", "has spaces in it!!!!"), []string{"WEBHOOK_SECRET"}},
		{"webhook ok", with("WEBHOOK_URL", "https://example.org/hook", "WEBHOOK_SECRET", "abcdefghijklmnop_-1"), nil},
		{"bad api url", with("TELEGRAM_API_URL", "ftp://x"), []string{"TELEGRAM_API_URL"}},
		{"bad admin", with("ADMIN_IDS", "12, abc"), []string{`ADMIN_IDS: "abc"`}},
		{"bad level", with("LOG_LEVEL", "loud"), []string{"LOG_LEVEL"}},
		{"delivery tuned", with("DELIVERY_RATE", "1000", "DELIVERY_WORKERS", "500"), nil},
		{"bad delivery rate", with("DELIVERY_RATE", "fast"), []string{"DELIVERY_RATE"}},
		{"zero delivery rate", with("DELIVERY_RATE", "0"), []string{"DELIVERY_RATE"}},
		{"bad delivery workers", with("DELIVERY_WORKERS", "-3"), []string{"DELIVERY_WORKERS"}},
		{"intake tuned", with("USER_RATE_LIMIT", "0", "USER_RATE_WINDOW", "1m", "SHUTDOWN_TIMEOUT", "25s"), nil},
		{"bad rate limit", with("USER_RATE_LIMIT", "-1"), []string{"USER_RATE_LIMIT"}},
		{"bad rate window", with("USER_RATE_WINDOW", "10"), []string{"USER_RATE_WINDOW"}},
		{"tiny rate window", with("USER_RATE_WINDOW", "10ms"), []string{"USER_RATE_WINDOW"}},
		{"bad shutdown timeout", with("SHUTDOWN_TIMEOUT", "forever"), []string{"SHUTDOWN_TIMEOUT"}},
		{"translation off", with("TRANSLATE_PROVIDER", "off"), nil},
		{"libretranslate", with("TRANSLATE_PROVIDER", "libretranslate", "TRANSLATE_URL", "http://lt:5000"), nil},
		{"libretranslate without url", with("TRANSLATE_PROVIDER", "libretranslate"), []string{"TRANSLATE_URL"}},
		{"deepl", with("TRANSLATE_PROVIDER", "DeepL", "TRANSLATE_API_KEY", "abc:fx", "TRANSLATE_DAILY_CHARS", "50000",
			"TRANSLATE_TIMEOUT", "5s"), nil},
		{"deepl without key", with("TRANSLATE_PROVIDER", "deepl"), []string{"TRANSLATE_API_KEY"}},
		{"unknown provider", with("TRANSLATE_PROVIDER", "google"), []string{"TRANSLATE_PROVIDER"}},
		{"bad translate url", with("TRANSLATE_PROVIDER", "deepl", "TRANSLATE_API_KEY", "k", "TRANSLATE_URL", "ftp://x"),
			[]string{"TRANSLATE_URL"}},
		{"bad budget", with("TRANSLATE_DAILY_CHARS", "lots"), []string{"TRANSLATE_DAILY_CHARS"}},
		{"bad timeout", with("TRANSLATE_TIMEOUT", "2h"), []string{"TRANSLATE_TIMEOUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(tt.env))
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("expected an error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadDefaultsAndAdmins(t *testing.T) {
	c, err := Load(env(map[string]string{"TELEGRAM_BOT_TOKEN": "1:a", "DATABASE_URL": "postgres://x", "ADMIN_IDS": "1, 22;333", "LOG_LEVEL": "debug"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.APIURL != DefaultAPIURL || c.HTTPAddr != ":8080" || c.LogLevel != slog.LevelDebug {
		t.Errorf("defaults not applied: %+v", c)
	}
	if c.UserRateLimit != 20 || c.UserRateWindow != 10*time.Second || c.ShutdownTimeout != 8*time.Second {
		t.Errorf("intake defaults not applied: %+v", c)
	}
	if len(c.AdminIDs) != 3 || c.AdminIDs[2] != 333 {
		t.Errorf("admins = %v", c.AdminIDs)
	}
}

func FuzzParseIDs(f *testing.F) {
	for _, s := range []string{"1,2", " 3 ; 4", "-1", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := ParseIDs(s)
		if err == nil {
			for _, id := range ids {
				if id <= 0 {
					t.Fatalf("accepted non-positive id %d from %q", id, s)
				}
			}
		}
	})
}

func TestLoadTranslate(t *testing.T) {
	c, err := Load(env(map[string]string{"TELEGRAM_BOT_TOKEN": "1:a", "DATABASE_URL": "postgres://x",
		"TRANSLATE_PROVIDER": " deepl ", "TRANSLATE_API_KEY": "k:fx", "TRANSLATE_DAILY_CHARS": "2000", "TRANSLATE_TIMEOUT": "3s"}))
	if err != nil {
		t.Fatal(err)
	}
	if tr := c.Translate; tr.Provider != ProviderDeepL || tr.APIKey != "k:fx" || tr.DailyChars != 2000 || tr.Timeout.Seconds() != 3 {
		t.Fatalf("translate config %+v", tr)
	}
	if c, _ := Load(env(map[string]string{"TELEGRAM_BOT_TOKEN": "1:a", "DATABASE_URL": "postgres://x"})); c.Translate.Provider != "" {
		t.Fatalf("translation is on by default: %+v", c.Translate)
	}
}

func TestLoadDatabaseNeedsNoToken(t *testing.T) {
	if _, err := LoadDatabase(env(map[string]string{"DATABASE_URL": "postgres://x"})); err != nil {
		t.Fatalf("LoadDatabase wants more than the database: %v", err)
	}
	if _, err := LoadDatabase(env(map[string]string{})); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Fatalf("missing DATABASE_URL not reported: %v", err)
	}
}
