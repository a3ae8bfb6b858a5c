package storage

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/glossary"
	"partnerbot/internal/searchkey"
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
	// ReaderLanguage is the language of the person searching (a code of
	// ProfileLanguages). With it the text search crosses languages: every
	// word also matches the projects whose texts are about what it means
	// in the glossary (package glossary), in any language, and a topic's
	// or sector's name in any language matches the projects filed under
	// it; matches in the reader's own words come first, then projects
	// written in the reader's language. The reader's function words (des,
	// für, для) are left out, as no text in another language has them. Without it the search is literal
	// (spelling, script and typos forgiven, languages not crossed).
	ReaderLanguage string `json:"reader_language,omitempty"`
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

// ownWords is how many matches in the reader's own words a search across
// languages always has among its candidates (when there are that many):
// two pages of /find.
const ownWords = 10

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
	// maxPrefixWords: a key that begins at most this many known words
	// matches them all; one that begins more is too unspecific for a
	// prefix and matches as a whole word.
	maxPrefixWords = 200
)

// SearchProjects returns the page of listed projects matching q that
// starts at offset. With text, the most relevant come first (words in the
// title before words in the description; see MaxCounted); without, the
// newest. A page past the last is empty.
//
// It searches project_listings, a narrow copy of every listed project whose
// words are ids of project_words (migration 00016): the words of the query
// are looked up first, so that the search itself compares numbers.
//
// Results are kept while nothing they show changes (searchcache.go).
func (s *Store) SearchProjects(ctx context.Context, q ProjectQuery, offset, limit int) (ProjectPage, error) {
	key, err := json.Marshal(struct {
		Q             ProjectQuery
		Offset, Limit int
	}{q, offset, limit})
	if err != nil {
		return ProjectPage{}, err
	}
	page, err := cached(ctx, s, "projects "+string(key), func() (ProjectPage, error) {
		return s.searchProjects(ctx, q, offset, limit)
	})
	// The kept page stays as it is whatever the caller does with its copy.
	page.Projects = slices.Clone(page.Projects)
	return page, err
}

func (s *Store) searchProjects(ctx context.Context, q ProjectQuery, offset, limit int) (ProjectPage, error) {
	var page ProjectPage
	if q.ReaderLanguage != "" {
		q.Text = glossary.ContentWords(q.Text, q.ReaderLanguage)
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var townCond string
	if len(q.TownIDs) > 0 {
		towns := arg(q.TownIDs)
		townCond = "(l.town_id = ANY(" + towns + ") OR l.partner_town_id = ANY(" + towns + "))"
		where = append(where, townCond)
	}
	if q.Sector != "" {
		where = append(where, "l.sector = "+arg(q.Sector))
	}
	// A topic and a country together are one topic/country pair of the
	// listing's facets (migration 00151): one short list in the index
	// instead of two long ones.
	filter := []struct{ column, value string }{
		{"topics", q.Topic}, {"languages", q.Language}, {"countries", q.Country},
	}
	if q.Topic != "" && q.Country != "" {
		filter = []struct{ column, value string }{{"facets", q.Topic + "/" + q.Country}, {"languages", q.Language}}
	}
	for _, f := range filter {
		if f.value != "" {
			where = append(where, "l."+f.column+" @> ARRAY["+arg(f.value)+"::text]")
		}
	}
	// The text comes last: PostgreSQL checks conditions of equal cost in
	// the order written, and the cheap ones spare it comparing word lists.
	filters := where
	var literal, crossing []string // conditions of the literal and the cross-language search
	var litIDs, crossIDs [][]int32 // their word id lists
	rank, crossRank, own := "0::real", "0::real", "false"
	if terms := queryTerms(q.Text); len(terms) > 0 {
		var xterms []crossTerm
		var tokens []string
		if q.ReaderLanguage != "" {
			xterms, tokens = crossTerms(q.Text, q.ReaderLanguage, terms)
		}
		// A word the glossary knows is no typo: across languages it needs
		// no trigram look-up.
		known, typos, err := s.knownWords(ctx, terms, tokens, meaningful(xterms))
		if err != nil {
			return page, err
		}
		match, ok := matchWords(terms, typos, known)
		if ok {
			literal, litIDs = wordConditions(match, arg), match
			rank = "ts_rank(p.search, to_tsquery('simple', " + arg(tsQuery(terms, typos, known)) + "))"
		}
		if xmatch, crosses := crossMatch(xterms, match, known); crosses {
			crossing, crossIDs = wordConditions(xmatch, arg), xmatch
			crossRank = "ts_rank(p.search, " + arg(tokenQuery(xterms, known)) + "::tsquery)"
			own = "coalesce(" + arg(q.ReaderLanguage) + " IN (p.title_lang, p.description_lang), false)"
		}
		if literal == nil && crossing == nil {
			return page, nil
		}
	}
	// The candidates are the newest matches, found by whichever index
	// suits the query; only they are ranked and counted, and only the page
	// is joined to its towns. A search across languages takes the newest
	// matches of its words' meanings and the newest of its literal words,
	// so that the reader's own words are not crowded out by translations.
	//
	// How a probe runs is chosen with the sample of the newest listings
	// (searchsample.go): it collects its matches from the index when that
	// costs less than walking the listings in date order, and walks
	// otherwise. The collecting subquery with OFFSET 0 is planned on its
	// own, for all its rows, so PostgreSQL cannot walk the date index for
	// it; the order and limit outside it pick the same rows as a walk
	// would; within towns, it collects the towns' listings (few, from
	// their own indexes) and checks the rest on them. The walking probe
	// hides its conditions from the planner (rowConditions), so that no
	// index but the date order serves it. With both written out, the plan
	// depends on the shape of the statement alone, and PostgreSQL may keep
	// one generic plan per statement instead of planning each search anew
	// (searchSettings).
	//
	// Without a sample yet, without words, or within a sector (walked in
	// its own index), PostgreSQL chooses, for the actual values.
	smp := s.searchSample()
	planned := smp != nil && q.Sector == "" && (literal != nil || crossing != nil)
	probe := func(cond []string, ids [][]int32, columns string, limit int) string {
		w := append(slices.Clone(filters), cond...)
		if len(w) == 0 {
			w = []string{"true"}
		}
		var plan probePlan
		if planned {
			plan = smp.plan(q, ids, limit)
		}
		switch {
		case plan.collect:
			cond := strings.Join(w, " AND ")
			if townCond != "" {
				cond = townCond + " AND " + rowConditions(slices.DeleteFunc(w, func(c string) bool { return c == townCond }))
			}
			collect := func(cond string) string {
				return `SELECT * FROM (SELECT ` + columns + ` FROM project_listings l WHERE ` + cond + ` OFFSET 0) l`
			}
			newest := `
				ORDER BY l.created_at DESC, l.id DESC LIMIT ` + strconv.Itoa(limit)
			if plan.since.IsZero() {
				return `(` + collect(cond) + newest + `)`
			}
			// The matches at or after since, and only when they are fewer
			// than limit, the older ones too (a filter PostgreSQL checks
			// once, before collecting them).
			since := arg(plan.since)
			return `(WITH r AS MATERIALIZED (` + collect(cond+` AND l.created_at >= `+since) + newest + `)
				SELECT * FROM (SELECT * FROM r UNION ALL (` + collect(cond+` AND l.created_at < `+since) + `
					WHERE (SELECT count(*) FROM r) < ` + strconv.Itoa(limit) + newest + `)) l` + newest + `)`
		case planned:
			return `(SELECT ` + columns + ` FROM project_listings l
			WHERE ` + rowConditions(w) + `
			ORDER BY l.created_at DESC, l.project_id DESC
			LIMIT ` + strconv.Itoa(limit) + `)`
		}
		return `(SELECT ` + columns + ` FROM project_listings l
			WHERE ` + strings.Join(w, " AND ") + `
			ORDER BY l.created_at DESC, l.project_id DESC
			LIMIT ` + strconv.Itoa(limit) + `)`
	}
	const columns = `l.project_id AS id, l.created_at`
	// Across languages every literal match is also a match of the
	// meanings: the newest matches of the meanings (x) hold the newest
	// literal ones up to their oldest. Only when they hold fewer than
	// ownWords literal matches and fill the window may newer-than-others
	// literal matches lie beyond it; then the newest ownWords literal
	// matches are fetched as well. The condition is evaluated once, before
	// that probe, which PostgreSQL skips when it is false.
	var cands string
	switch {
	case crossing != nil && literal != nil:
		inX := strings.ReplaceAll(strings.Join(literal, " AND "), "l.words", "x.words")
		cands = `x AS MATERIALIZED (` + probe(crossing, crossIDs, columns+`, l.words`, MaxCounted) + `),
		c AS MATERIALIZED (SELECT id, created_at FROM x UNION SELECT * FROM ` + probe(literal, litIDs, columns, ownWords) + ` lit
			WHERE (SELECT count(*) FROM x) = ` + strconv.Itoa(MaxCounted) + `
				AND (SELECT count(*) FROM x WHERE ` + inX + `) < ` + strconv.Itoa(ownWords) + `)`
	case crossing != nil:
		cands = `c AS MATERIALIZED (` + probe(crossing, crossIDs, columns, MaxCounted) + `)`
	case literal != nil:
		cands = `c AS MATERIALIZED (` + probe(literal, litIDs, columns, MaxCounted) + `)`
	default: // no text: the filters alone
		cands = `c AS MATERIALIZED (` + probe(nil, nil, columns, MaxCounted) + `)`
	}
	mode := "force_custom_plan"
	if planned {
		mode = "force_generic_plan"
	}
	// Built before args is passed on: the placeholders of the page are
	// added to args as the statement is written.
	search := `
		WITH ` + cands + `,
		ranked AS (
			SELECT c.id, c.created_at, ` + rank + ` AS rank, ` + own + ` AS own, ` + crossRank + ` AS cross_rank
			FROM c JOIN projects p ON p.id = c.id
			ORDER BY rank DESC, own DESC, cross_rank DESC, c.created_at DESC, c.id DESC
			LIMIT ` + strconv.Itoa(MaxCounted) + `),
		page AS (
			SELECT ranked.*, count(*) OVER () AS total FROM ranked
			ORDER BY rank DESC, own DESC, cross_rank DESC, created_at DESC, id DESC
			LIMIT ` + arg(limit) + ` OFFSET ` + arg(offset) + `)
		SELECT ` + projectColumns + `, page.total FROM page JOIN projects p ON p.id = page.id
			JOIN towns t ON t.id = p.town_id LEFT JOIN towns pt ON pt.id = p.partner_town_id
		ORDER BY page.rank DESC, page.own DESC, page.cross_rank DESC, page.created_at DESC, page.id DESC`
	err := s.queryAfter(ctx, []stmt{{searchSettings, []any{mode}}}, stmt{search, args}, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		page.Projects, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Project, error) {
			return scanProject(r, &page.Total)
		})
		return err
	})
	return page, err
}

// searchSettings runs in the same transaction as a search (one batch, one
// round trip) and holds only for it; its parameter is the plan_cache_mode.
// The look-up of the query's words (knownWords) runs with it too.
//
// A search whose probes the sample chose (each collects or walks,
// written so that no other plan is possible) runs with a generic plan:
// the plan depends on the statement's shape alone, so PostgreSQL plans
// each shape once per connection instead of every search (planning took
// 0.6 to 1 ms of a search's 1 to 3 ms on the server: docs/benchmarks.md).
// Any other search is planned for its actual values every time: which
// index is best depends on how common the words and filters are, which a
// generic plan cannot know.
//
// And pages cost what they cost in memory: with the default costs, which
// assume a disk, PostgreSQL charges a whole random read for each match it
// collects from the index but a sixteenth of a sequential one for each
// listing it walks in date order, and so walked 8,566 listings (5.7 ms)
// for two words with 600 matches that the index gives in 0.8 ms. The
// listings are small enough to stay in memory, and for that case
// PostgreSQL's documentation advises equal, low page costs.
const searchSettings = `SELECT set_config('plan_cache_mode', $1, true),
	set_config('seq_page_cost', '0.1', true), set_config('random_page_cost', '0.1', true)`

// rowConditions joins conditions into one CASE, which PostgreSQL checks
// on every listing it reads (the conditions in the order written) but
// cannot use to choose an index, and whose share of matches it guesses
// at a half. A probe with all its conditions so is cheapest walked down
// the date index, also in a generic plan, which would otherwise collect
// with whatever index a condition fits, however common its matches.
func rowConditions(w []string) string {
	return "CASE WHEN " + strings.Join(w, " AND ") + " THEN true ELSE false END"
}

// knownWord is a word of some project's search vector (a row of
// project_words).
type knownWord struct {
	word string
	id   int32
}

// knownWords looks up, for each key of terms, the known words it matches:
// the words it begins (at most maxPrefixWords+1 of them) when it is long
// enough to match as a prefix, the key itself otherwise; and the tokens.
// project_words holds every word of every listed project (written by the
// trigger that writes its listing), so these words find exactly the
// projects the key finds.
//
// In the same statement (one round trip) it finds the typo alternatives
// of the terms that may be typos: for each term long enough, not in skip,
// whose first key begins no known word, the known words most like it
// (pg_trgm similarity), indexed like terms.
func (s *Store) knownWords(ctx context.Context, terms [][]string, tokens []string,
	skip map[int]bool) (map[string][]knownWord, map[int][]knownWord, error) {
	var prefixes []string
	whole := slices.Clone(tokens)
	var typoKeys []string
	var typoTerms []int32
	for i, t := range terms {
		for _, k := range t {
			if isPrefix(k) {
				prefixes = append(prefixes, k)
			} else {
				whole = append(whole, k)
			}
		}
		if utf8.RuneCountInString(t[0]) >= minTypoLen && !skip[i] {
			typoKeys, typoTerms = append(typoKeys, t[0]), append(typoTerms, int32(i))
		}
	}
	ends := make([]string, len(prefixes))
	for i, k := range prefixes {
		ends[i] = prefixEnd(k)
	}
	typoEnds := make([]string, len(typoKeys))
	for i, k := range typoKeys {
		typoEnds[i] = prefixEnd(k)
	}
	// The words a key begins lie between the key and its end in byte order
	// (text_pattern_ops orders by bytes, as tsquery prefixes compare). A
	// typo's alternatives are looked up only when its key begins no word
	// (typo keys are long enough to match as prefixes); term is -1 for the
	// words of keys.
	//
	// Its plan is the same for any words (index ranges and look-ups, the
	// trigram index for typos), so it runs with a generic plan, in one
	// round trip with the settings: planned for its values it took 0.16 to
	// 0.24 ms to plan and 0.05 to 0.1 ms to run (docs/benchmarks.md).
	lookup := `
		SELECT -1, q.key, w.word, w.id
		FROM unnest($1::text[], $2::text[]) AS q(key, e)
		CROSS JOIN LATERAL (
			SELECT word, id FROM project_words WHERE word ~>=~ q.key AND word ~<~ q.e
			ORDER BY word USING ~<~ LIMIT $3) w
		UNION ALL
		SELECT -1, word, word, id FROM project_words WHERE word = ANY ($4::text[])
		UNION ALL
		SELECT q.i, q.key, w.word, w.id
		FROM unnest($5::text[], $6::text[], $7::int[]) AS q(key, e, i)
		CROSS JOIN LATERAL (
			SELECT word, id FROM project_words
			WHERE NOT EXISTS (SELECT FROM project_words b WHERE b.word ~>=~ q.key AND b.word ~<~ q.e)
				AND word % q.key AND similarity(word, q.key) >= $8 AND left(word, 1) <> '~'
			ORDER BY similarity(word, q.key) DESC, word
			LIMIT $9) w`
	known := map[string][]knownWord{}
	typos := map[int][]knownWord{}
	err := s.queryAfter(ctx, []stmt{{searchSettings, []any{"force_generic_plan"}}}, stmt{lookup, []any{prefixes, ends,
		maxPrefixWords + 1, whole, typoKeys, typoEnds, typoTerms, typoSimilarity, maxTypoAlternatives}},
		func(br pgx.BatchResults) error {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			var term int
			var key string
			var w knownWord
			_, err = pgx.ForEachRow(rows, []any{&term, &key, &w.word, &w.id}, func() error {
				if term >= 0 {
					typos[term] = append(typos[term], w)
				} else {
					known[key] = append(known[key], w)
				}
				return nil
			})
			return err
		})
	return known, typos, err
}

// prefixEnd returns the first string in byte order after every string
// that begins with key: key with its last character replaced by the next
// one (UTF-8 keeps the order of code points). Keys are made of letters
// and digits, never of the last code point; were one, the range would be
// empty.
func prefixEnd(key string) string {
	rs := []rune(key)
	for i := len(rs) - 1; i >= 0; i-- {
		next := rs[i] + 1
		if next >= 0xD800 && next <= 0xDFFF { // surrogates are no characters
			next = 0xE000
		}
		if next <= unicode.MaxRune {
			rs[i] = next
			return string(rs[:i+1])
		}
	}
	return key
}

// isPrefix reports whether key is long enough to match the words it begins.
func isPrefix(key string) bool { return utf8.RuneCountInString(key) >= minPrefixLen }

// asPrefix reports whether key matches the words it begins: it must be
// long enough, and begin few enough known words to mean something as a
// prefix; otherwise it matches as a whole word.
func asPrefix(key string, known map[string][]knownWord) bool {
	return isPrefix(key) && len(known[key]) <= maxPrefixWords
}

// tsQuery builds the tsquery that ranks the matches of terms: every term
// matches through any of its keys (as a prefix where asPrefix says so) or
// its typo alternatives.
func tsQuery(terms [][]string, typos map[int][]knownWord, known map[string][]knownWord) string {
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
			if asPrefix(k, known) {
				b.WriteString(":*")
			}
		}
		for _, w := range typos[i] {
			b.WriteString(" | " + tsLexeme(w.word))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// matchWords returns, for each term, the ids of the known words that match
// it: a listing matches the search when its words include one of each. It
// reports false when some term matches no known word, and so no project.
func matchWords(terms [][]string, typos map[int][]knownWord, known map[string][]knownWord) ([][]int32, bool) {
	match := termIDs(terms, typos, known)
	for _, ids := range match {
		if len(ids) == 0 {
			return match, false
		}
	}
	return match, true
}

// termIDs returns, for each term, the ids of the known words that match
// it (none for a term that matches nothing).
//
// A Cyrillic word is left out when one of its transliterations is in the
// list anyway: every vector holding the one holds the others (see
// searchkey.Keys), so the matches are the same, and PostgreSQL, which
// takes the words of a list for independent, no longer counts each such
// word twice when it estimates how many projects match (it chose the slow
// plan for `бібліотека лікарня` for that reason).
func termIDs(terms [][]string, typos map[int][]knownWord, known map[string][]knownWord) [][]int32 {
	match := make([][]int32, 0, len(terms))
	for i, keys := range terms {
		ids := map[string]int32{}
		for _, k := range keys {
			for _, w := range known[k] {
				if asPrefix(k, known) || w.word == k {
					ids[w.word] = w.id
				}
			}
		}
		for _, w := range typos[i] {
			ids[w.word] = w.id
		}
		var term []int32
		for word, id := range ids {
			if !implied(word, ids) {
				term = append(term, id)
			}
		}
		slices.Sort(term)
		match = append(match, term)
	}
	return match
}

// implied reports whether every project with word also has one of the
// other words of ids: word is Cyrillic and one of its transliterations is
// among them.
func implied(word string, ids map[string]int32) bool {
	keys := searchkey.Keys(word)
	if len(keys) < 2 || keys[0] != word {
		return false
	}
	for _, k := range keys[1:] {
		if _, ok := ids[k]; ok {
			return true
		}
	}
	return false
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
		WHERE EXISTS (SELECT 1 FROM project_listings l WHERE l.countries @> ARRAY[x.country])
		ORDER BY x.country`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
