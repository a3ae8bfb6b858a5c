// Package migrations holds the numbered SQL files that define partnerbot's
// schema. They are embedded so the binary migrates itself on start and with
// `partnerbot migrate`.
package migrations

import "embed"

// FS holds every migration file, named NNNNN_description.sql in goose format.
//
//go:embed *.sql
var FS embed.FS
