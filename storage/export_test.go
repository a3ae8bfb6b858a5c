package storage

// Internals that the external tests (package storage_test) use to load
// generated projects in bulk exactly as CreateProject writes them.
var (
	SearchDocument = searchDocument
	SearchVector   = searchVector
	NewProjectCode = newProjectCode
	PrefixEnd      = prefixEnd
	ConceptVector  = conceptVector
)
