// Package locales holds every text partnerbot shows to people, in German,
// Ukrainian, French, Swedish and English, and picks the language for a user.
//
// Messages are go-i18n TOML files embedded in the binary. Their output is
// Telegram HTML: values passed to T are escaped, so user-written text can
// never break or inject markup.
package locales

import (
	"embed"
	"fmt"
	"html"
	"io/fs"
	"log/slog"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Message files are named <feature>.<lang>.toml. Other files here, such
// as glossary.toml (reviewed terminology the tests read), are not messages
// and stay out of the binary.
//
//go:embed *.*.toml
var files embed.FS

// Codes lists the supported languages; the first one is the fallback.
var Codes = []string{"en", "de", "uk", "fr", "sv"}

// Fallback is the language used when nothing better is known.
const Fallback = "en"

// Catalog is the loaded set of messages for all supported languages.
type Catalog struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	locs    map[string]*Localizer
}

// Load parses the embedded message files.
func Load() (*Catalog, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	tags := make([]language.Tag, len(Codes))
	c := &Catalog{bundle: bundle, locs: map[string]*Localizer{}}
	names, err := fs.Glob(files, "*.toml")
	if err != nil {
		return nil, err
	}
	// Each feature keeps its messages in its own files, named
	// <feature>.<lang>.toml, so features can grow without touching each
	// other's files.
	for _, name := range names {
		mf, err := bundle.LoadMessageFileFS(files, name)
		if err != nil {
			return nil, fmt.Errorf("locale file %s: %w", name, err)
		}
		if !slices.Contains(Codes, mf.Tag.String()) {
			return nil, fmt.Errorf("locale file %s: language %q is not one of %v", name, mf.Tag, Codes)
		}
	}
	for i, code := range Codes {
		tags[i] = language.MustParse(code)
		c.locs[code] = &Localizer{lang: code, l: i18n.NewLocalizer(bundle, code)}
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// Match maps a Telegram language_code (an IETF tag such as "de-AT") to a
// supported language. ok is false when no supported language fits, so the
// caller can ask the user instead of guessing.
func (c *Catalog) Match(code string) (lang string, ok bool) {
	tag, err := language.Parse(strings.TrimSpace(code))
	if err != nil || tag == language.Und {
		return Fallback, false
	}
	// The returned tag may carry extensions (de-AT becomes de-u-rg-atzzzz),
	// so the index is what identifies the language.
	_, idx, conf := c.matcher.Match(tag)
	// Confidence No covers cases like ru or be being mapped to uk only by
	// script similarity: never assume a Russian speaker wants Ukrainian.
	if conf == language.No {
		return Fallback, false
	}
	return Codes[idx], true
}

// Supported reports whether lang is one of Codes.
func (c *Catalog) Supported(lang string) bool {
	_, ok := c.locs[lang]
	return ok
}

// For returns the localizer for lang, or the fallback one for an
// unsupported lang.
func (c *Catalog) For(lang string) *Localizer {
	if l, ok := c.locs[lang]; ok {
		return l
	}
	return c.locs[Fallback]
}

// HTML marks a value as already safe Telegram HTML, so T does not escape it.
type HTML string

// Localizer renders messages in one language.
type Localizer struct {
	lang string
	l    *i18n.Localizer
}

// Lang is the language code this localizer renders.
func (l *Localizer) Lang() string { return l.lang }

// T renders message id as Telegram HTML. kv are template name/value pairs;
// string values are HTML-escaped, HTML values are inserted as they are.
func (l *Localizer) T(id string, kv ...any) string {
	return l.render(id, nil, true, kv)
}

// N renders a plural message, choosing the CLDR form for count; the count
// is also available to the template as .Count.
func (l *Localizer) N(id string, count any, kv ...any) string {
	return l.render(id, count, true, kv)
}

// Plain renders message id as plain text, for places that are not HTML:
// button labels, command descriptions, callback answers.
func (l *Localizer) Plain(id string, kv ...any) string {
	return l.render(id, nil, false, kv)
}

// Has reports whether message id is written in this localizer's own
// language (T and Plain would fall back to English otherwise).
func (l *Localizer) Has(id string) bool {
	_, tag, err := l.l.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
	if err != nil {
		return false
	}
	base, _ := tag.Base()
	return base.String() == l.lang
}

func (l *Localizer) render(id string, count any, escape bool, kv []any) string {
	data := make(map[string]any, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		key, _ := kv[i].(string)
		switch v := kv[i+1].(type) {
		case HTML:
			data[key] = string(v)
		case string:
			if escape {
				v = html.EscapeString(v)
			}
			data[key] = v
		default:
			data[key] = v
		}
	}
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: data}
	if count != nil {
		cfg.PluralCount = count
		data["Count"] = count
	}
	s, err := l.l.Localize(cfg)
	if err != nil {
		// Completeness tests keep this from happening; if it still does, say
		// which message is broken and show what go-i18n could render.
		slog.Error("localize", "lang", l.lang, "id", id, "err", err)
		if s == "" {
			return id
		}
	}
	return s
}
