package storage

// Internals that the external tests (package storage_test) check.
var PrefixEnd = prefixEnd
