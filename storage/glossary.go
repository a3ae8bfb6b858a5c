package storage

import (
	"log/slog"
	"regexp"
	"strings"
	"sync"

	"partnerbot/internal/glossary"
	"partnerbot/locales"
)

// searchGlossary is the glossary project search uses: package glossary's
// data plus the names of the topics and sectors as the bot shows them
// (locales/topics.*.toml, the sector_ messages), read from the message
// catalog. Whatever the catalog calls a topic or sector, in any of its
// languages, then finds the projects filed under it, also after its
// wording changes (the glossary's version changes with it, and
// RefreshSearch rewrites the vectors).
var searchGlossary = sync.OnceValue(func() *glossary.Glossary {
	g := glossary.Default()
	cat, err := locales.Load()
	if err != nil {
		slog.Error("search without the catalog's topic and sector names", "err", err)
		return g
	}
	ext, err := g.With(catalogNames(g, cat))
	if err != nil {
		slog.Error("search without the catalog's topic and sector names", "err", err)
		return g
	}
	return ext
})

var parenthesis = regexp.MustCompile(`\s*\([^)]*\)`)

// catalogNames returns the names of every topic and sector in every
// language of the catalog, as forms of the concept that is that topic or
// sector: the whole name, and the name without what it explains in
// parentheses ("Administration and municipal services (schools, fire
// brigades, hospitals)").
func catalogNames(g *glossary.Glossary, cat *locales.Catalog) []glossary.Extra {
	var extra []glossary.Extra
	for _, c := range g.Concepts() {
		var id string
		switch {
		case c.Topic != "":
			id = "topic_" + c.Topic
		case c.Sector != "":
			id = "sector_" + c.Sector
		default:
			continue
		}
		for _, lang := range locales.Codes {
			l := cat.For(lang)
			if !l.Has(id) {
				continue
			}
			name := l.Plain(id)
			forms := []string{name}
			if short := strings.TrimSpace(parenthesis.ReplaceAllString(name, "")); short != name && short != "" {
				forms = append(forms, short)
			}
			extra = append(extra, glossary.Extra{Concept: c.ID, Lang: lang, Forms: forms})
		}
	}
	return extra
}

// PrepareSearch builds the search glossary now. The first project search
// or project write of a process would otherwise build it (reading the
// whole message catalog) inside a handler, against that handler's
// deadline, and every handler searching meanwhile would wait for it; an
// instance calls it before it takes updates.
func PrepareSearch() { searchGlossary() }
