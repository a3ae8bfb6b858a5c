package glossary

import (
	"slices"
	"strings"
)

// Search vectors hold, besides the search keys of a text's words, one
// token per concept the text is about and per topic and sector of its
// project. Search keys are made of letters and digits only, so a token
// beginning with ~ can never be a word's key, begin one or be taken for a
// typo of one.
const tokenMark = "~"

// Token is the search-vector token of concept id.
func Token(id string) string { return tokenMark + id }

// TopicToken is the search-vector token of a project's topic (an id of
// storage.Topics).
func TopicToken(topic string) string { return tokenMark + "topic:" + topic }

// SectorToken is the search-vector token of a project's sector.
func SectorToken(sector string) string { return tokenMark + "sector:" + sector }

// IsToken reports whether a search-vector lexeme is a token (of a concept,
// topic or sector) rather than a word's key.
func IsToken(lexeme string) bool { return strings.HasPrefix(lexeme, tokenMark) }

// DocumentTokens returns the tokens of the concepts text is about (with the
// concepts they are kinds of), sorted.
func (g *Glossary) DocumentTokens(text, lang string) []string {
	ids := g.TextConcepts(text, lang)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = Token(id)
	}
	return out
}

// QueryWords analyses the words of a search (already split, one Word per
// token, in order) typed by a reader of language lang. Unlike Words, a
// word that means a concept made of others (Jugendaustausch: youth
// exchange, made of youth and exchange) gets one part per component, each
// allowing the concept itself or that component: the search then also
// finds a text that names youth and exchange apart.
func (g *Glossary) QueryWords(tokens []string, lang string) []Word {
	out := make([]Word, len(tokens))
	for i, t := range tokens {
		a := g.word(t, lang)
		out[i] = Word{Text: t, Parts: a.parts, Guessed: a.guessed}
	}
	g.phraseMatches(tokens, lang, out)
	for i, w := range out {
		if len(w.Parts) != 1 || len(w.Parts[0]) != 1 {
			continue
		}
		c, _ := g.Concept(w.Parts[0][0])
		if len(c.Parts) == 0 {
			continue
		}
		parts := make([][]string, len(c.Parts))
		for j, p := range c.Parts {
			parts[j] = []string{c.ID, p}
			slices.Sort(parts[j])
		}
		out[i].Parts = parts
	}
	return out
}

// QueryTokens returns the tokens a search for the concepts ids matches:
// each concept's token, and the token of the topic or sector a concept
// is, so that a topic's name in any language also finds the projects
// filed under that topic. Sorted, without repeats.
func (g *Glossary) QueryTokens(ids []string) []string {
	var out []string
	for _, id := range ids {
		c, ok := g.Concept(id)
		if !ok {
			continue
		}
		out = append(out, Token(id))
		if c.Topic != "" {
			out = append(out, TopicToken(c.Topic))
		}
		if c.Sector != "" {
			out = append(out, SectorToken(c.Sector))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
