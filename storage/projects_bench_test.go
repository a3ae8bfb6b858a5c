package storage_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// Sizes of the generated data set of BenchmarkSearchProjects.
const (
	benchTowns    = 20000
	benchProjects = 100000
	benchOwners   = 5000
)

// benchTopicWords are the words people search for, in the languages of
// the partnerships; generated descriptions use them among filler words.
var benchTopicWords = strings.Fields(`water Wasser вода водопостачання school Schule школа hospital Krankenhaus
	лікарня fire Feuerwehr пожежна youth Jugend молодь culture Kultur культура energy Energie енергія solar
	Solaranlage сонячна reconstruction Wiederaufbau відбудова funding Förderung фінансування partnership
	Partnerschaft партнерство exchange Austausch обмін choir Chor хор sport Sportverein спорт environment Umwelt
	довкілля municipality Gemeinde громада training Schulung навчання equipment Ausrüstung обладнання volunteers
	Ehrenamt волонтери children Kinder діти heating Heizung опалення library Bibliothek бібліотека museum
	Museum музей music Musik музика theatre Theater театр kindergarten Kita садочок bridge Brücke міст
	ambulance Rettungswagen швидка festival Stadtfest фестиваль`)

// benchSyllables build the filler words: common words are short, rare ones
// long, in Latin and Cyrillic script.
var benchSyllables = [][]string{
	strings.Fields("ka lo mer sta ven dor ri ga un be ho fel tra mi no sa pe"),
	strings.Fields("ко ли ва ни ста ро ме до ра ки бу че ло на пе"),
}

func benchFiller(r *rand.Rand, n int) []string {
	words := make([]string, n)
	for i := range words {
		syl := benchSyllables[i%2]
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		words[i] = b.String()
	}
	return words
}

// someOf returns between 1 and most different elements of from, drawn
// with r.
func someOf(r *rand.Rand, from []string, most int) []string {
	out := slices.Clone(from)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:1+r.IntN(most)]
}

// generateProjects fills s with benchTowns towns (written with SQL: town
// search is not what this measures), benchOwners people and benchProjects
// projects whose search vectors are built as CreateProject builds them,
// registered one after another over about three years as in real use. It
// returns the ids of towns that have projects.
func generateProjects(b testing.TB, s *storage.Store) []int64 {
	ctx := context.Background()
	pool := s.Pool()
	exec := func(sql string, args ...any) {
		b.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			b.Fatal(err)
		}
	}
	// Half of the towns Ukrainian, a third German, the rest Swedish,
	// Polish and French.
	exec(`INSERT INTO towns (key, name, country, region)
		SELECT 'bench-' || i, 'Town ' || i,
			(ARRAY['UA','UA','UA','UA','UA','UA','UA','UA','UA','UA','DE','DE','DE','DE','DE','DE','DE','SE','PL','FR'])[1 + i % 20],
			'Region ' || (i % 25)
		FROM generate_series(1, $1) i`, benchTowns)
	exec(`INSERT INTO users (id, first_name) SELECT i, 'Owner ' || i FROM generate_series(1, $1) i`, benchOwners)
	rows, _ := pool.Query(ctx, `SELECT id FROM towns ORDER BY id`)
	townIDs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		b.Fatal(err)
	}

	r := rand.New(rand.NewPCG(1, 2))
	filler := benchFiller(r, 20000)
	fillerZipf := rand.NewZipf(r, 1.1, 1, uint64(len(filler)-1))
	// The most common topic word is in about a fifth of all projects, the
	// median one in a few percent.
	topicZipf := rand.NewZipf(r, 1.1, 8, uint64(len(benchTopicWords)-1))
	text := func(n int, topical float64) string {
		words := make([]string, n)
		for i := range words {
			if r.Float64() < topical {
				words[i] = benchTopicWords[topicZipf.Uint64()]
			} else {
				words[i] = filler[fillerZipf.Uint64()]
			}
		}
		return strings.Join(words, " ")
	}
	exec(`CREATE TEMP TABLE bench_projects (code text, owner_id bigint, title text,
		description text, town_id bigint, partner_town_id bigint, sector text, topics text[], languages text[],
		archived bool, hidden bool, doc_a text, doc_b text, doc_c text, created_at timestamptz)`)
	now := time.Now()
	used := map[int64]bool{}
	batch := make([][]any, 0, benchProjects)
	for i := range benchProjects {
		title, desc := text(3+r.IntN(5), 0.4), text(30+r.IntN(90), 0.05)
		town := townIDs[r.IntN(len(townIDs))]
		used[town] = true
		var partner *int64
		if p := townIDs[r.IntN(len(townIDs))]; r.IntN(2) == 0 && p != town {
			partner = &p
		}
		sector, topics := storage.Sectors[r.IntN(len(storage.Sectors))], someOf(r, storage.Topics, 3)
		// Languages are not detected here (100,000 texts of generated words
		// would take minutes and say little): concepts are looked up in
		// every language, as for a text of unknown language.
		batch = append(batch, []any{storage.NewProjectCode(), int64(1 + i%benchOwners), title, desc, town, partner,
			sector, topics, someOf(r, storage.ProfileLanguages, 3),
			r.IntN(20) == 0, r.IntN(100) == 0, storage.SearchDocument(title), storage.SearchDocument(desc),
			storage.ConceptVector(title, desc, "", "", sector, topics),
			now.Add(-time.Duration(benchProjects-i) * 15 * time.Minute)})
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"bench_projects"}, []string{"code", "owner_id", "title",
		"description", "town_id", "partner_town_id", "sector", "topics", "languages", "archived", "hidden", "doc_a",
		"doc_b", "doc_c", "created_at"}, pgx.CopyFromRows(batch)); err != nil {
		b.Fatal(err)
	}
	exec(`INSERT INTO projects (code, owner_id, title, description, town_id, partner_town_id, sector, topics, languages,
			contact_requests, archived_at, hidden_at, search, created_at, updated_at)
		SELECT code, owner_id, title, description, town_id, partner_town_id, sector, topics, languages, true,
			CASE WHEN archived THEN created_at END, CASE WHEN hidden THEN created_at END,
			` + storage.SearchVector("doc_a", "doc_b", "doc_c") + `, created_at, created_at
		FROM bench_projects`)
	exec(`DROP TABLE bench_projects`)
	exec(`VACUUM ANALYZE`)
	var withProjects []int64
	for id := range used {
		withProjects = append(withProjects, id)
	}
	slices.Sort(withProjects)
	return withProjects
}

// BenchmarkSearchProjects measures filtered project searches (the first
// page of results and their count, as /find shows them) over 100,000
// generated projects in 20,000 towns, and reports the 50th and 95th
// percentile latency of single searches across languages (p50-ms,
// p95-ms) and of the same searches without a reader's language
// (literal-p50-ms, literal-p95-ms).
//
//	go test ./storage/ -run '^$' -bench SearchProjects -benchtime 2000x
func BenchmarkSearchProjects(b *testing.B) {
	s := storage.New(testdb.New(b))
	benchSearchProjects(b, s, generateProjects(b, s))
}

// benchSearchProjects runs the sub-benchmarks of BenchmarkSearchProjects
// on s, whose projects lie in towns.
func benchSearchProjects(b *testing.B, s *storage.Store, towns []int64) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	word := func() string { return benchTopicWords[r.IntN(len(benchTopicWords))] }
	pick := func(from []string) string { return from[r.IntN(len(from))] }
	queries := []struct {
		name string
		next func() storage.ProjectQuery
	}{
		{"text+topic+country", func() storage.ProjectQuery {
			return storage.ProjectQuery{Text: word(), Topic: pick(storage.Topics), Country: pick([]string{"UA", "DE", "SE"})}
		}},
		{"text+town", func() storage.ProjectQuery {
			return storage.ProjectQuery{Text: word(), TownIDs: []int64{towns[r.IntN(len(towns))]}}
		}},
		{"sector+language", func() storage.ProjectQuery {
			return storage.ProjectQuery{Sector: pick(storage.Sectors), Language: pick(storage.ProfileLanguages)}
		}},
		{"two-words", func() storage.ProjectQuery { return storage.ProjectQuery{Text: word() + " " + word()} }},
		{"typo", func() storage.ProjectQuery {
			w := []rune(strings.ToLower(word()))
			i := 1 + r.IntN(len(w)-2)
			return storage.ProjectQuery{Text: string(append(w[:i:i], w[i+1:]...))}
		}},
	}
	// Every kind runs as readers search (across languages, in a reader's
	// language drawn at random: p50-ms, p95-ms) and literally (without a
	// reader's language, as before the glossary: literal-p50-ms,
	// literal-p95-ms), the two alternating on the same queries so that
	// both see the same load on the machine.
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			cross := make([]time.Duration, 0, b.N)
			literal := make([]time.Duration, 0, b.N)
			found := 0
			run := func(query storage.ProjectQuery, into *[]time.Duration) {
				start := time.Now()
				page, err := s.SearchProjects(ctx, query, 0, 5)
				if err != nil {
					b.Fatal(err)
				}
				*into = append(*into, time.Since(start))
				if page.Total > 0 {
					found++
				}
			}
			i := 0
			for b.Loop() {
				query := q.next()
				reader := query
				reader.ReaderLanguage = pick(storage.ProfileLanguages)
				if i%2 == 0 {
					run(reader, &cross)
					run(query, &literal)
				} else {
					run(query, &literal)
					run(reader, &cross)
				}
				i++
			}
			if found == 0 {
				b.Fatal(fmt.Sprintf("no %s search found anything: the benchmark would measure misses", q.name))
			}
			slices.Sort(cross)
			slices.Sort(literal)
			b.ReportMetric(percentile(cross, 0.50), "p50-ms")
			b.ReportMetric(percentile(cross, 0.95), "p95-ms")
			b.ReportMetric(percentile(literal, 0.50), "literal-p50-ms")
			b.ReportMetric(percentile(literal, 0.95), "literal-p95-ms")
		})
	}
}
