// Package examples embeds the example import files of this folder, so the
// playground can load them from any working directory.
package examples

import "embed"

// FS holds towns.example.csv and partnerships.example.csv.
//
//go:embed towns.example.csv partnerships.example.csv
var FS embed.FS
