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

// MaxCounted bounds how far a search counts its matches: past it, the
// number is shown as "more than" and counting would only cost time.
const MaxCounted = 500

// Typo correction: a query word of at least minTypoLen characters that
// occurs in no project also matches up to maxTypoAlternatives known words
// at least typoSimilarity alike (pg_trgm similarity, 0 to 1).
const (
	minTypoLen          = 4
	maxTypoAlternatives = 3
	typoSimilarity      = 0.4
	// maxQueryWords bounds the work one query can cause.
	maxQueryWords = 8
	// minPrefixLen: shorter words must match whole, or "a" would match
	// nearly everything.
	minPrefixLen = 3
)

// SearchProjects returns the page of listed projects matching q that
// starts at offset: with text, most relevant first (title before
// description, exact words before corrected typos); without, newest first.
func (s *Store) SearchProjects(ctx context.Context, q ProjectQuery, offset, limit int) (ProjectPage, error) {
	var page ProjectPage
	where := []string{"p.archived_at IS NULL", "p.hidden_at IS NULL"}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	terms := queryTerms(q.Text)
	var typos map[int][]string
	var textQuery string
	if len(terms) > 0 {
		var err error
		if typos, err = s.typoAlternatives(ctx, terms); err != nil {
			return page, err
		}
		textQuery = arg(tsQuery(terms, typos))
		where = append(where, "p.search @@ to_tsquery('simple', "+textQuery+")")
	}
	if len(q.TownIDs) > 0 {
		towns := arg(q.TownIDs)
		where = append(where, "(p.town_id = ANY("+towns+") OR p.partner_town_id = ANY("+towns+"))")
	}
	if q.Country != "" {
		c := arg(q.Country)
		where = append(where, "(t.country = "+c+" OR pt.country = "+c+")")
	}
	if q.Sector != "" {
		where = append(where, "p.sector = "+arg(q.Sector))
	}
	if q.Topic != "" {
		where = append(where, "p.topics @> ARRAY["+arg(q.Topic)+"::text]")
	}
	if q.Language != "" {
		where = append(where, "p.languages @> ARRAY["+arg(q.Language)+"::text]")
	}
	cond := strings.Join(where, " AND ")
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1`+projectFrom+`WHERE `+cond+` LIMIT `+
		strconv.Itoa(MaxCounted)+`) m`, args...).Scan(&page.Total); err != nil {
		return page, err
	}
	if page.Total == 0 || offset >= page.Total {
		return page, nil
	}
	order := "p.created_at DESC, p.id DESC"
	if textQuery != "" {
		order = "ts_rank(p.search, to_tsquery('simple', " + textQuery + ")) DESC, p.id DESC"
	}
	if len(typos) > 0 {
		// Words as typed before corrected typos.
		order = "(p.search @@ to_tsquery('simple', " + arg(tsQuery(terms, nil)) + ")) DESC, " + order
	}
	var err error
	page.Projects, err = collectProjects(s.pool.Query(ctx, `SELECT `+projectColumns+projectFrom+`WHERE `+cond+
		` ORDER BY `+order+` LIMIT `+arg(limit)+` OFFSET `+arg(offset), args...))
	return page, err
}

// typoAlternatives finds, for each term long enough, the known words most
// like its folded form; the result is indexed like terms.
func (s *Store) typoAlternatives(ctx context.Context, terms [][]string) (map[int][]string, error) {
	var keys []string
	var idx []int
	for i, t := range terms {
		if utf8.RuneCountInString(t[0]) >= minTypoLen {
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
			WHERE word % q.key AND word <> q.key AND similarity(word, q.key) >= $3
			ORDER BY similarity(word, q.key) DESC, word
			LIMIT $4) w`, keys, idx, typoSimilarity, maxTypoAlternatives)
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
		SELECT DISTINCT t.country FROM towns t
		WHERE EXISTS (SELECT 1 FROM projects p WHERE p.town_id = t.id AND p.archived_at IS NULL AND p.hidden_at IS NULL)
		   OR EXISTS (SELECT 1 FROM projects p WHERE p.partner_town_id = t.id AND p.archived_at IS NULL AND p.hidden_at IS NULL)
		ORDER BY t.country`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
