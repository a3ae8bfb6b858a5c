// Package projectgen fills a migrated database with generated towns,
// owners and projects, written in bulk as storage writes them one by one
// (search vectors with glossary tokens included), for the project-search
// benchmark (storage) and the load command (internal/loadtest).
package projectgen

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/storage"
)

// Options size a generated data set.
type Options struct {
	Towns, Owners, Projects int
	// Near, if set, are towns one project in fifty is placed in (the
	// example towns, so that a search by their names finds some).
	Near []int64
}

// Data is what Generate made.
type Data struct {
	// Towns are the towns that have projects.
	Towns []int64
	// RareWords are long filler words from the rare end of Zipf's law,
	// that no common word begins: in a large data set each is in a few
	// projects; in a small one most are in none, and a search for them
	// falls back to similar words.
	RareWords []string
}

// TopicWords are the words people search for, in the languages of the
// partnerships; generated descriptions use them among filler words.
var TopicWords = strings.Fields(`water Wasser вода водопостачання school Schule школа hospital Krankenhaus
	лікарня fire Feuerwehr пожежна youth Jugend молодь culture Kultur культура energy Energie енергія solar
	Solaranlage сонячна reconstruction Wiederaufbau відбудова funding Förderung фінансування partnership
	Partnerschaft партнерство exchange Austausch обмін choir Chor хор sport Sportverein спорт environment Umwelt
	довкілля municipality Gemeinde громада training Schulung навчання equipment Ausrüstung обладнання volunteers
	Ehrenamt волонтери children Kinder діти heating Heizung опалення library Bibliothek бібліотека museum
	Museum музей music Musik музика theatre Theater театр kindergarten Kita садочок bridge Brücke міст
	ambulance Rettungswagen швидка festival Stadtfest фестиваль`)

// syllables build the filler words, in Latin and Cyrillic script.
var syllables = [][]string{
	strings.Fields("ka lo mer sta ven dor ri ga un be ho fel tra mi no sa pe"),
	strings.Fields("ко ли ва ни ста ро ме до ра ки бу че ло на пе"),
}

// fillerWords is how many different filler words there are; Zipf's law
// makes the first common and the last rare.
const fillerWords = 20000

// Version identifies what Generate writes besides the schema: the
// generator's revision (raise it when Generate changes what it writes)
// and the glossary the search vectors are made with. Data kept between
// runs (testdb.Kept) are keyed by it.
func Version() string { return "projectgen-1 glossary " + storage.BulkGlossaryVersion() }

// Generate writes o.Towns towns (with SQL: town search is not what the
// data are for), o.Owners people and o.Projects projects registered one
// after another over about three years, as in real use: half of the towns
// Ukrainian, a third German, the rest Swedish, Polish and French.
func Generate(ctx context.Context, pool *pgxpool.Pool, o Options) (Data, error) {
	// One connection: the projects pass through a temporary table.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return Data{}, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `INSERT INTO towns (key, name, country, region)
		SELECT 'bench-' || i, 'Town ' || i,
			(ARRAY['UA','UA','UA','UA','UA','UA','UA','UA','UA','UA','DE','DE','DE','DE','DE','DE','DE','SE','PL','FR'])[1 + i % 20],
			'Region ' || (i % 25)
		FROM generate_series(1, $1) i`, o.Towns); err != nil {
		return Data{}, err
	}
	if _, err := conn.Exec(ctx, `INSERT INTO users (id, first_name) SELECT i, 'Owner ' || i FROM generate_series(1, $1) i`,
		o.Owners); err != nil {
		return Data{}, err
	}
	rows, _ := conn.Query(ctx, `SELECT id FROM towns WHERE key LIKE 'bench-%' ORDER BY id`)
	townIDs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return Data{}, err
	}

	r := newRand()
	filler := fillerOf(r)
	fillerZipf := rand.NewZipf(r, 1.1, 1, uint64(len(filler)-1))
	// The most common topic word is in about a fifth of all projects, the
	// median one in a few percent.
	topicZipf := rand.NewZipf(r, 1.1, 8, uint64(len(TopicWords)-1))
	text := func(n int, topical float64) string {
		words := make([]string, n)
		for i := range words {
			if r.Float64() < topical {
				words[i] = TopicWords[topicZipf.Uint64()]
			} else {
				words[i] = filler[fillerZipf.Uint64()]
			}
		}
		return strings.Join(words, " ")
	}
	now := time.Now()
	used := map[int64]bool{}
	batch := make([][]any, 0, o.Projects)
	for i := range o.Projects {
		title, desc := text(3+r.IntN(5), 0.4), text(30+r.IntN(90), 0.05)
		town := townIDs[r.IntN(len(townIDs))]
		if len(o.Near) > 0 && i%50 == 0 {
			town = o.Near[r.IntN(len(o.Near))]
		}
		used[town] = true
		var partner *int64
		if p := townIDs[r.IntN(len(townIDs))]; r.IntN(2) == 0 && p != town {
			partner = &p
		}
		sector, topics := storage.Sectors[r.IntN(len(storage.Sectors))], someOf(r, storage.Topics, 3)
		// Languages are not detected (100,000 texts of generated words would
		// take minutes and say little): concepts are looked up in every
		// language, as for a text of unknown language.
		batch = append(batch, []any{storage.BulkProjectCode(), int64(1 + i%o.Owners), title, desc, town, partner,
			sector, topics, someOf(r, storage.ProfileLanguages, 3), r.IntN(20) == 0, r.IntN(100) == 0,
			storage.BulkSearchDocument(title), storage.BulkSearchDocument(desc), storage.BulkConceptVector(title, desc, sector, topics),
			now.Add(-time.Duration(o.Projects-i) * 15 * time.Minute)})
	}
	for _, step := range []func() error{
		func() error {
			_, err := conn.Exec(ctx, `CREATE TEMP TABLE bench_projects (code text, owner_id bigint, title text,
				description text, town_id bigint, partner_town_id bigint, sector text, topics text[], languages text[],
				archived bool, hidden bool, doc_a text, doc_b text, doc_c text, created_at timestamptz)`)
			return err
		},
		func() error {
			_, err := conn.CopyFrom(ctx, pgx.Identifier{"bench_projects"}, []string{"code", "owner_id", "title",
				"description", "town_id", "partner_town_id", "sector", "topics", "languages", "archived", "hidden", "doc_a",
				"doc_b", "doc_c", "created_at"}, pgx.CopyFromRows(batch))
			return err
		},
		func() error {
			_, err := conn.Exec(ctx, `INSERT INTO projects (code, owner_id, title, description, town_id, partner_town_id,
					sector, topics, languages, contact_requests, archived_at, hidden_at, search, created_at, updated_at)
				SELECT code, owner_id, title, description, town_id, partner_town_id, sector, topics, languages, true,
					CASE WHEN archived THEN created_at END, CASE WHEN hidden THEN created_at END,
					`+storage.BulkSearchVector("doc_a", "doc_b", "doc_c")+`, created_at, created_at
				FROM bench_projects`)
			return err
		},
		func() error { _, err := conn.Exec(ctx, `DROP TABLE bench_projects`); return err },
		func() error { _, err := conn.Exec(ctx, `VACUUM ANALYZE`); return err },
	} {
		if err := step(); err != nil {
			return Data{}, err
		}
	}
	d := Data{RareWords: rareOf(filler)}
	for id := range used {
		d.Towns = append(d.Towns, id)
	}
	slices.Sort(d.Towns)
	return d, nil
}

// Recall returns the Data of what Generate wrote into the database of
// pool earlier (a copy kept between runs): the towns that have projects,
// and the rare words, which depend only on the generator's seed.
func Recall(ctx context.Context, pool *pgxpool.Pool) (Data, error) {
	rows, _ := pool.Query(ctx, `SELECT DISTINCT town_id FROM projects ORDER BY town_id`)
	towns, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return Data{}, err
	}
	return Data{Towns: towns, RareWords: rareOf(fillerOf(newRand()))}, nil
}

// newRand is the generator's source of randomness, the same every run;
// the filler words are the first thing drawn from it.
func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// fillerOf makes the filler words: common words are short, rare ones long.
func fillerOf(r *rand.Rand) []string {
	words := make([]string, fillerWords)
	for i := range words {
		syl := syllables[i%2]
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		words[i] = b.String()
	}
	return words
}

// rareOf picks, from the rare end of filler, long words (a query word
// also finds the words it begins) that no common word begins.
func rareOf(filler []string) []string {
	common := filler[:fillerWords/4]
	var rare []string
	for _, w := range slices.Backward(filler[fillerWords/2:]) {
		if len(rare) == 100 {
			break
		}
		if utf8.RuneCountInString(w) >= 8 && !slices.ContainsFunc(common, func(c string) bool { return strings.HasPrefix(c, w) }) {
			rare = append(rare, w)
		}
	}
	return rare
}

// someOf returns between 1 and most different elements of from, drawn
// with r.
func someOf(r *rand.Rand, from []string, most int) []string {
	out := slices.Clone(from)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:1+r.IntN(most)]
}
