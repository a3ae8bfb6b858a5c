package glossary

import (
	"strings"
	"testing"
)

// longText is a description of about 2,000 characters, the most a
// project has.
var longText = strings.Repeat("Die Freiwillige Feuerwehr Grevesmühlen und ihre Partnerwehr in Ichnja planen für den Sommer "+
	"einen Jugendaustausch mit Fußballturnier, Erste-Hilfe-Kurs und Besuch im Kreiskrankenhaus. Gesucht werden "+
	"Gastfamilien, Sachspenden und Fördermittel für Fahrtkosten. ", 8)

// BenchmarkTextConceptsCold analyses a long text with an empty word
// cache (a new glossary each time): the cost of a project with words
// never seen before.
//
//	go test -run '^$' -bench TextConcepts ./internal/glossary/
func BenchmarkTextConceptsCold(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		g, err := Load(dataFS)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		g.TextConcepts(longText, "de")
	}
}

// BenchmarkTextConceptsWarm: the same with every word seen before.
func BenchmarkTextConceptsWarm(b *testing.B) {
	g := Default()
	g.TextConcepts(longText, "de")
	for b.Loop() {
		g.TextConcepts(longText, "de")
	}
}

// BenchmarkLoad: reading and indexing the whole glossary (once per
// process).
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(dataFS); err != nil {
			b.Fatal(err)
		}
	}
}
