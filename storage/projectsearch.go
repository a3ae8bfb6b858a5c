package storage

import (
	"context"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"partnerbot/searchkey"
)

// ProjectQuery says which projects to find. Every set field narrows the
// search; the zero value finds every listed project. Only listed projects
// (neither archived nor hidden) are ever found.
type ProjectQuery struct {
	// Text is matched against titles and descriptions, forgiving accents,
	// script (Cyrillic or a transliteration) and typos.
	Text string `json:"text,omitempty"`
	// TownIDs match a project whose town or partner town is one of them.
	TownIDs []int64 `json:"town_ids,omitempty"`
	// Country (ISO code) matches a project whose town or partner town lies
	// in it.
	Country  string `json:"country,omitempty"`
	Sector   string `json:"sector,omitempty"`
	Topic    string `json:"topic,omitempty"`
	Language string `json:"language,omitempty"`
}

// ProjectPage is one page of search results.
type ProjectPage struct {
	Projects []Project
	// Total is the number of matching projects, at most MaxCounted.
	Total int
}

// MaxCounted bounds the work of a search: it ranks only the newest
// MaxCounted matches. A query that matches more is too unspecific for
// ranking to tell much, its count is shown as "more than", and the bound
// keeps every search fast however common its words are.
const MaxCounted = 50

// Typo correction: a query word of at least minTypoLen characters that
// begins no word of any project also matches up to maxTypoAlternatives
// known words at least typoSimilarity alike (pg_trgm similarity, 0 to 1).
const (
	minTypoLen          = 4
	maxTypoAlternatives = 3
	typoSimilarity      = 0.4
	// maxQueryWords bounds the work one query can cause.
	maxQueryWords = 8
	// minPrefixLen: shorter words must match whole, or "a" would match
	// nearly everything.
	minPrefixLen = 3
	// maxPrefixWords: a key that begins at most this many known words is
	// matched through those words; one that begins more, as a prefix.
	maxPrefixWords = 20
)

// SearchProjects returns the page of listed projects matching q that
// starts at offset. With text, the most relevant come first (words in the
// title before words in the description; see MaxCounted); without, the
// newest. A page past the last is empty.
func (s *Store) SearchProjects(ctx context.Context, q ProjectQuery, offset, limit int) (ProjectPage, error) {
	var page ProjectPage
	where := []string{"p.archived_at IS NULL", "p.hidden_at IS NULL"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(q.TownIDs) > 0 {
		towns := arg(q.TownIDs)
		where = append(where, "(p.town_id = ANY("+towns+") OR p.partner_town_id = ANY("+towns+"))")
	}
	if q.Sector != "" {
		where = append(where, "p.sector = "+arg(q.Sector))
	}
	for _, f := range []struct{ column, value string }{
		{"topics", q.Topic}, {"languages", q.Language}, {"countries", q.Country},
	} {
		if f.value != "" {
			where = append(where, "p."+f.column+" @> ARRAY["+arg(f.value)+"::text]")
		}
	}
	// The text comes last: PostgreSQL checks conditions of equal cost in
	// the order written, and the cheap ones spare it unpacking vectors.
	rank := "0::real"
	if terms := queryTerms(q.Text); len(terms) > 0 {
		known, err := s.wordsBegun(ctx, terms)
		if err != nil {
			return page, err
		}
		typos, err := s.typoAlternatives(ctx, terms, known)
		if err != nil {
			return page, err
		}
		match, ok := matchQuery(terms, typos, known)
		if !ok {
			return page, nil
		}
		where = append(where, "p.search @@ to_tsquery('simple', "+arg(match)+")")
		rank = "ts_rank(p.search, to_tsquery('simple', " + arg(tsQuery(terms, typos)) + "))"
	}
	// The candidates are the newest matches, found by whichever index
	// suits the query; only they are ranked and counted, and only the page
	// is joined to its towns.
	rows, err := s.pool.Query(ctx, `
		WITH c AS MATERIALIZED (
			SELECT p.id, p.created_at FROM projects p
			WHERE `+strings.Join(where, " AND ")+`
			ORDER BY p.created_at DESC, p.id DESC
			LIMIT `+strconv.Itoa(MaxCounted)+`),
		page AS (
			SELECT c.id, c.created_at, `+rank+` AS rank, count(*) OVER () AS total
			FROM c JOIN projects p ON p.id = c.id
			ORDER BY rank DESC, c.created_at DESC, c.id DESC
			LIMIT `+arg(limit)+` OFFSET `+arg(offset)+`)
		SELECT `+projectColumns+`, page.total FROM page JOIN projects p ON p.id = page.id
			JOIN towns t ON t.id = p.town_id LEFT JOIN towns pt ON pt.id = p.partner_town_id
		ORDER BY page.rank DESC, page.created_at DESC, page.id DESC`,
		// Planned for the actual values every time: which index is best
		// depends on how common the words and filters are, which a cached
		// generic plan cannot know.
		append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		return page, err
	}
	page.Projects, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Project, error) {
		return scanProject(r, &page.Total)
	})
	return page, err
}

// wordsBegun looks up, for each key of terms long enough to match as a
// prefix, the known words (project_words) it begins, at most
// maxPrefixWords+1 of them.
//
// A GIN index answers a prefix by collecting every matching row into a
// bitmap before combining it with the other words: 5.7 ms for two
// two-key words that are whole words in 0.4 ms. project_words holds every
// word of every search vector (written in the same transaction), so the
// words a key begins match exactly the projects its prefix matches.
func (s *Store) wordsBegun(ctx context.Context, terms [][]string) (map[string][]string, error) {
	var keys []string
	for _, t := range terms {
		for _, k := range t {
			if utf8.RuneCountInString(k) >= minPrefixLen {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	// The words a key begins are the first in byte order from the key on
	// (text_pattern_ops orders by bytes, as tsquery prefixes compare).
	rows, err := s.pool.Query(ctx, `
		SELECT q.key, w.word
		FROM unnest($1::text[]) AS q(key)
		CROSS JOIN LATERAL (
			SELECT word FROM project_words WHERE word ~>=~ q.key
			ORDER BY word USING ~<~ LIMIT $2) w
		WHERE starts_with(w.word, q.key)`,
		keys, maxPrefixWords+1)
	if err != nil {
		return nil, err
	}
	known := map[string][]string{}
	var key, word string
	_, err = pgx.ForEachRow(rows, []any{&key, &word}, func() error {
		known[key] = append(known[key], word)
		return nil
	})
	return known, err
}

// typoAlternatives finds, for each term long enough whose first key
// begins no known word, the known words most like it; the result is
// indexed like terms.
func (s *Store) typoAlternatives(ctx context.Context, terms [][]string, known map[string][]string) (map[int][]string, error) {
	var keys []string
	var idx []int
	for i, t := range terms {
		if utf8.RuneCountInString(t[0]) >= minTypoLen && len(known[t[0]]) == 0 {
			keys, idx = append(keys, t[0]), append(idx, i)
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT q.i, w.word
		FROM unnest($1::text[], $2::int[]) AS q(key, i)
		CROSS JOIN LATERAL (
			SELECT word FROM project_words
			WHERE word % q.key AND similarity(word, q.key) >= $3
			ORDER BY similarity(word, q.key) DESC, word
			LIMIT $4) w`,
		keys, idx, typoSimilarity, maxTypoAlternatives)
	if err != nil {
		return nil, err
	}
	alts := map[int][]string{}
	var i int
	var word string
	_, err = pgx.ForEachRow(rows, []any{&i, &word}, func() error {
		alts[i] = append(alts[i], word)
		return nil
	})
	return alts, err
}

// tsQuery builds a tsquery for terms: every term must match, through any
// of its keys (as a prefix when long enough) or its typo alternatives.
func tsQuery(terms [][]string, typos map[int][]string) string {
	var b strings.Builder
	for i, keys := range terms {
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteByte('(')
		for j, k := range keys {
			if j > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(tsLexeme(k))
			if utf8.RuneCountInString(k) >= minPrefixLen {
				b.WriteString(":*")
			}
		}
		for _, w := range typos[i] {
			b.WriteString(" | " + tsLexeme(w))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// matchQuery builds the tsquery that selects the projects tsQuery(terms,
// typos) matches, with every prefix that begins few known words replaced
// by those words (see wordsBegun). It reports false when some term can
// match no project, so that the query matches none.
func matchQuery(terms [][]string, typos map[int][]string, known map[string][]string) (string, bool) {
	var b strings.Builder
	for i, keys := range terms {
		var alts []string
		for _, k := range keys {
			switch words := known[k]; {
			case utf8.RuneCountInString(k) < minPrefixLen:
				alts = append(alts, tsLexeme(k))
			case len(words) > maxPrefixWords:
				alts = append(alts, tsLexeme(k)+":*")
			default:
				for _, w := range words {
					alts = append(alts, tsLexeme(w))
				}
			}
		}
		for _, w := range typos[i] {
			alts = append(alts, tsLexeme(w))
		}
		if len(alts) == 0 {
			return "", false
		}
		if i > 0 {
			b.WriteString(" & ")
		}
		b.WriteString("(" + strings.Join(alts, " | ") + ")")
	}
	return b.String(), true
}

// tsLexeme quotes s as one lexeme of tsquery syntax.
func tsLexeme(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}

// queryTerms splits a search text into terms, each the list of search keys
// of one word (see searchkey.Keys), at most maxQueryWords of them, without
// repeats.
func queryTerms(text string) [][]string {
	var terms [][]string
	seen := map[string]bool{}
	for _, w := range words(text) {
		keys := searchkey.Keys(w)
		if len(keys) == 0 || seen[keys[0]] {
			continue
		}
		seen[keys[0]] = true
		terms = append(terms, keys)
		if len(terms) == maxQueryWords {
			break
		}
	}
	return terms
}

// searchDocument turns a project text into what its search vector is built
// from: every word as all its search keys, so that a word is found however
// the searcher spells or transliterates it. Query words go through the same
// keys; when searchkey's rules change, stored vectors must be rewritten.
func searchDocument(text string) string {
	var b strings.Builder
	for _, w := range words(text) {
		for _, k := range searchkey.Keys(w) {
			b.WriteString(k)
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// words splits text into words: runs of letters, digits, combining marks
// and apostrophes (which searchkey drops inside a word, as in Знам’янка).
func words(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) ||
			r == '\'' || r == '’' || r == 'ʼ')
	})
}

// ProjectCountries lists the countries (ISO codes, sorted) of the towns
// and partner towns of listed projects: the choices of a country filter.
func (s *Store) ProjectCountries(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT x.country FROM (SELECT DISTINCT country FROM towns) x
		WHERE EXISTS (SELECT 1 FROM projects p WHERE p.countries @> ARRAY[x.country]
			AND p.archived_at IS NULL AND p.hidden_at IS NULL)
		ORDER BY x.country`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
