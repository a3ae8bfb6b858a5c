package storage

// For loading generated projects in bulk exactly as CreateProject writes
// them (internal/projectgen, for the benchmarks): the text a search vector
// is built from, the SQL expression that builds it from three text columns,
// and a new project code.

// BulkSearchDocument is the text CreateProject builds a search vector from.
func BulkSearchDocument(text string) string { return searchDocument(text) }

// BulkConceptVector is the glossary part of a project's search vector (its
// concepts, topics and sector), for a text whose language is not known.
func BulkConceptVector(title, description, sector string, topics []string) string {
	return conceptVector(title, description, "", "", sector, topics)
}

// BulkSearchVector is the SQL expression of a project's search vector
// from the columns a (title) and b (description) of BulkSearchDocument and
// c of BulkConceptVector.
func BulkSearchVector(a, b, c string) string { return searchVector(a, b, c) }

// BulkProjectCode is a new random project code.
func BulkProjectCode() string { return newProjectCode() }

// BulkGlossaryVersion is the version of the glossary the concept vectors
// are made with: generated data kept between runs are stale when it
// changes.
func BulkGlossaryVersion() string { return searchGlossary().Version() }
