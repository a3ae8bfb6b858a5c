package storage

import (
	"slices"
	"strings"

	"partnerbot/internal/searchkey"
)

// A search across languages (ProjectQuery.ReaderLanguage) keeps every
// literal word of the query (its search keys, see queryTerms) and lets
// each also be satisfied by what the word means: the glossary tokens of
// its concepts, and of the topic or sector a concept is (package
// glossary). Project search vectors hold the tokens of the concepts
// their texts are about, with the broader ones (football: sport), and of
// their topics and sector (conceptVector), so the search still only
// compares word ids: a token is a word of project_words like any other.
// A word whose concept is made of others (Jugendaustausch: youth and
// exchange) becomes one condition per part.

// crossTerm is one condition of a search across languages: the literal
// term it belongs to (an index into the query's terms) and the tokens
// that satisfy it as well; guessed when the glossary only guessed the
// word's meaning from a part of it (glossary.Word.Guessed).
type crossTerm struct {
	term    int
	tokens  []string
	guessed bool
}

// maxCrossTerms bounds the conditions one query can cause.
const maxCrossTerms = 2 * maxQueryWords

// crossTerms analyses text, typed by a reader of lang, with the glossary.
// It returns the conditions, aligned with terms (queryTerms(text)), and
// every token they name.
func crossTerms(text, lang string, terms [][]string) ([]crossTerm, []string) {
	ws := words(text)
	meanings := searchGlossary().QueryWords(ws, lang)
	var out []crossTerm
	var all []string
	seen := map[string]bool{}
	term := 0
	for i, w := range ws {
		keys := searchkey.Keys(w)
		if len(keys) == 0 || seen[keys[0]] {
			continue
		}
		seen[keys[0]] = true
		if term == len(terms) {
			break
		}
		if len(meanings[i].Parts) == 0 {
			out = append(out, crossTerm{term: term})
		}
		for _, part := range meanings[i].Parts {
			toks := searchGlossary().QueryTokens(part)
			out = append(out, crossTerm{term: term, tokens: toks, guessed: meanings[i].Guessed})
			all = append(all, toks...)
		}
		term++
	}
	if len(out) > maxCrossTerms {
		out = out[:maxCrossTerms]
	}
	slices.Sort(all)
	return out, slices.Compact(all)
}

// meaningful returns the terms that have a meaning in the glossary, not
// only a guessed one: those need no look-up of typos.
func meaningful(xterms []crossTerm) map[int]bool {
	m := map[int]bool{}
	for _, x := range xterms {
		if len(x.tokens) > 0 && !x.guessed {
			m[x.term] = true
		}
	}
	return m
}

// crossMatch returns, for each condition, the ids of the words that
// satisfy it: those of its literal term (lit, from termIDs) and of its
// known tokens. It reports false when some condition has none, or when
// no token adds anything to the literal search (which then says it all).
func crossMatch(xterms []crossTerm, lit [][]int32, known map[string][]knownWord) ([][]int32, bool) {
	if len(xterms) == 0 {
		return nil, false
	}
	adds := false
	out := make([][]int32, 0, len(xterms))
	for _, x := range xterms {
		ids := slices.Clone(lit[x.term])
		for _, t := range x.tokens {
			for _, w := range known[t] {
				if !slices.Contains(ids, w.id) {
					ids = append(ids, w.id)
					adds = true
				}
			}
		}
		if len(ids) == 0 {
			return nil, false
		}
		slices.Sort(ids)
		out = append(out, ids)
	}
	return out, adds
}

// wordConditions turns word id lists into conditions on a listing's
// words, shortest list first: PostgreSQL checks conditions of equal cost
// in the order written, and comparing with a long list costs more.
func wordConditions(match [][]int32, arg func(any) string) []string {
	match = slices.Clone(match)
	slices.SortStableFunc(match, func(a, b []int32) int { return len(a) - len(b) })
	conds := make([]string, len(match))
	for i, ids := range match {
		conds[i] = "l.words && " + arg(ids) + "::int[]"
	}
	return conds
}

// tokenQuery is the tsquery (text form) that ranks matches across
// languages: any of the known tokens of the conditions.
func tokenQuery(xterms []crossTerm, known map[string][]knownWord) string {
	var toks []string
	for _, x := range xterms {
		for _, t := range x.tokens {
			if len(known[t]) > 0 && !slices.Contains(toks, t) {
				toks = append(toks, t)
			}
		}
	}
	quoted := make([]string, len(toks))
	for i, t := range toks {
		quoted[i] = tsLexeme(t)
	}
	return strings.Join(quoted, " | ")
}
