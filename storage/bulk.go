package storage

// For loading generated projects in bulk exactly as CreateProject writes
// them (the load benchmark, internal/loadtest): the text a search vector
// is built from, the SQL expression that builds it from two text columns
// (weights A and B), and a new project code.

// BulkSearchDocument is the text CreateProject builds a search vector from.
func BulkSearchDocument(text string) string { return searchDocument(text) }

// BulkSearchVector is the SQL expression of a project's search vector
// from the columns a (title) and b (description) of BulkSearchDocument,
// without the glossary tokens CreateProject adds (generated texts are
// random words; RefreshSearch adds them when the glossary changes).
func BulkSearchVector(a, b string) string { return searchVector(a, b, "''") }

// BulkProjectCode is a new random project code.
func BulkProjectCode() string { return newProjectCode() }
