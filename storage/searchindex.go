package storage

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/glossary"
	"partnerbot/internal/langdetect"
)

// projectText is what a project's search vector and languages are made
// of: the documents of its title and description (search keys of every
// word, see searchDocument), the glossary tokens of the concepts they are
// about and of its topics and sector (a tsvector literal), and the
// languages they are written in.
type projectText struct {
	docA, docB string
	tokens     string
	// titleLang and descriptionLang are "" when not known; stored as NULL.
	titleLang, descriptionLang string
}

// analyseProject detects the languages of a project's texts and builds
// its search documents. A title too short to tell takes the language of
// the description.
func analyseProject(title, description, sector string, topics []string) projectText {
	pt := projectText{docA: searchDocument(title), docB: searchDocument(description)}
	pt.descriptionLang = langdetect.Detect(description)
	pt.titleLang = langdetect.Detect(title)
	if pt.titleLang == "" {
		pt.titleLang = pt.descriptionLang
	}
	pt.tokens = conceptVector(title, description, pt.titleLang, pt.descriptionLang, sector, topics)
	return pt
}

// conceptVector returns, as a tsvector literal, the glossary tokens of a
// project: the concepts of its title (weight A, as title words) and
// description (weight B), and its topics and sector (weight D, never
// ranked: search matches them, ts_rank does not ask for them).
func conceptVector(title, description, titleLang, descriptionLang, sector string, topics []string) string {
	g := searchGlossary()
	weights := map[string]string{}
	for _, t := range g.DocumentTokens(title, titleLang) {
		weights[t] = "1A"
	}
	for _, t := range g.DocumentTokens(description, descriptionLang) {
		if weights[t] != "" {
			weights[t] += ",2B"
		} else {
			weights[t] = "2B"
		}
	}
	for _, topic := range topics {
		weights[glossary.TopicToken(topic)] = "3"
	}
	if sector != "" {
		weights[glossary.SectorToken(sector)] = "3"
	}
	toks := make([]string, 0, len(weights))
	for t := range weights {
		toks = append(toks, t)
	}
	slices.Sort(toks)
	var b strings.Builder
	for _, t := range toks {
		// Tokens are ids of letters, digits, _ and :, quoted as tsvector
		// lexemes; tsLexeme doubles any quote all the same.
		fmt.Fprintf(&b, "%s:%s ", tsLexeme(t), weights[t])
	}
	return b.String()
}

// nullLang turns "" (not known) into NULL.
func nullLang(lang string) *string {
	if lang == "" {
		return nil
	}
	return &lang
}

// RefreshSearch brings stored search data up to the glossary built into
// this binary: when the glossary's version differs from the one the
// vectors were made with (search_index_state), it rewrites every
// project's search vector and languages, in batches of batch projects,
// detects the languages of events and contact requests that have none,
// and records the version. Run at start after the migrations
// (MigratePool); with an unchanged glossary it only reads one row. Two
// instances starting together both rewrite; the result is the same.
func (s *Store) RefreshSearch(ctx context.Context, batch int) (projects int, err error) {
	version := searchGlossary().Version()
	var stored string
	err = s.pool.QueryRow(ctx, `SELECT version FROM search_index_state`).Scan(&stored)
	if err != nil && err != pgx.ErrNoRows {
		return 0, err
	}
	if stored == version {
		return 0, nil
	}
	for last := int64(0); ; {
		n, next, err := s.refreshProjects(ctx, last, batch)
		if err != nil {
			return projects, err
		}
		projects += n
		if n < batch {
			break
		}
		last = next
	}
	if err := s.detectMissingLanguages(ctx); err != nil {
		return projects, err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO search_index_state (version) VALUES ($1)
		ON CONFLICT (only_row) DO UPDATE SET version = EXCLUDED.version, updated_at = now()`, version)
	if err == nil {
		slog.InfoContext(ctx, "search index refreshed", "glossary", version, "projects", projects)
	}
	return projects, err
}

// refreshProjects rewrites the search data of up to batch projects with
// ids above after, in one transaction; it returns how many and the last id.
func (s *Store) refreshProjects(ctx context.Context, after int64, batch int) (n int, last int64, err error) {
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, title, description, sector, topics FROM projects
			WHERE id > $1 ORDER BY id LIMIT $2 FOR UPDATE`, after, batch)
		if err != nil {
			return err
		}
		type row struct {
			id                         int64
			title, description, sector string
			topics                     []string
		}
		var todo []row
		var r row
		if _, err := pgx.ForEachRow(rows, []any{&r.id, &r.title, &r.description, &r.sector, &r.topics}, func() error {
			todo = append(todo, r)
			return nil
		}); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, r := range todo {
			pt := analyseProject(r.title, r.description, r.sector, r.topics)
			b.Queue(`UPDATE projects SET search = `+searchVector("$2", "$3", "$4")+`, title_lang = $5,
				description_lang = $6 WHERE id = $1`, r.id, pt.docA, pt.docB, pt.tokens, nullLang(pt.titleLang),
				nullLang(pt.descriptionLang))
			last = r.id
		}
		n = len(todo)
		return tx.SendBatch(ctx, b).Close()
	})
	return n, last, err
}

// detectMissingLanguages sets the language of every event and contact
// request written before languages were detected.
func (s *Store) detectMissingLanguages(ctx context.Context) error {
	for _, q := range []struct{ sel, upd string }{
		{`SELECT id, title || E'\n' || description FROM events WHERE text_lang IS NULL`,
			`UPDATE events SET text_lang = $2 WHERE id = $1`},
		{`SELECT id, intro FROM contact_requests WHERE intro_lang IS NULL`,
			`UPDATE contact_requests SET intro_lang = $2 WHERE id = $1`},
	} {
		rows, err := s.pool.Query(ctx, q.sel)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		var id int64
		var text string
		if _, err := pgx.ForEachRow(rows, []any{&id, &text}, func() error {
			if lang := langdetect.Detect(text); lang != "" {
				b.Queue(q.upd, id, lang)
			}
			return nil
		}); err != nil {
			return err
		}
		if b.Len() > 0 {
			if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
				return err
			}
		}
	}
	return nil
}
