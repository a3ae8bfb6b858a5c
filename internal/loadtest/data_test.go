package loadtest

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/examples"
	"partnerbot/internal/importer"
	"partnerbot/storage"
)

// The generated data set, as BenchmarkSearchProjects (storage) makes it:
// 20,000 towns, 5,000 owners, 100,000 projects; on top, the example towns
// and partnerships, in which one project in fifty is placed so that
// "/find water Ichnia" finds some.
const (
	genTowns    = 20000
	genProjects = 100000
	genOwners   = 5000
)

var topicWords = strings.Fields(`water Wasser вода водопостачання school Schule школа hospital Krankenhaus
	лікарня fire Feuerwehr пожежна youth Jugend молодь culture Kultur культура energy Energie енергія solar
	Solaranlage сонячна reconstruction Wiederaufbau відбудова funding Förderung фінансування partnership
	Partnerschaft партнерство exchange Austausch обмін choir Chor хор sport Sportverein спорт environment Umwelt
	довкілля municipality Gemeinde громада training Schulung навчання equipment Ausrüstung обладнання volunteers
	Ehrenamt волонтери children Kinder діти heating Heizung опалення library Bibliothek бібліотека museum
	Museum музей music Musik музика theatre Theater театр kindergarten Kita садочок bridge Brücke міст
	ambulance Rettungswagen швидка festival Stadtfest фестиваль`)

var syllables = [][]string{
	strings.Fields("ka lo mer sta ven dor ri ga un be ho fel tra mi no sa pe"),
	strings.Fields("ко ли ва ни ста ро ме до ра ки бу че ло на пе"),
}

func someOf(r *rand.Rand, from []string, most int) []string {
	out := slices.Clone(from)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:1+r.IntN(most)]
}

// generate loads the example towns and partnerships and the generated
// towns, owners and projects into the database of pool.
func generate(b testing.TB, pool *pgxpool.Pool) {
	ctx := context.Background()
	store := storage.New(pool)
	towns, err := examples.FS.Open("towns.example.csv")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := importer.Towns(ctx, store, towns); err != nil {
		b.Fatal(err)
	}
	towns.Close()
	f, err := examples.FS.Open("partnerships.example.csv")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := importer.Partnerships(ctx, store, f); err != nil {
		b.Fatal(err)
	}
	f.Close()

	exec := func(sql string, args ...any) {
		b.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			b.Fatal(err)
		}
	}
	rows, _ := pool.Query(ctx, `SELECT id FROM towns ORDER BY id`)
	exampleIDs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		b.Fatal(err)
	}
	exec(`INSERT INTO towns (key, name, country, region)
		SELECT 'bench-' || i, 'Town ' || i,
			(ARRAY['UA','UA','UA','UA','UA','UA','UA','UA','UA','UA','DE','DE','DE','DE','DE','DE','DE','SE','PL','FR'])[1 + i % 20],
			'Region ' || (i % 25)
		FROM generate_series(1, $1) i`, genTowns)
	exec(`INSERT INTO users (id, first_name) SELECT i, 'Owner ' || i FROM generate_series(1, $1) i`, genOwners)
	rows, _ = pool.Query(ctx, `SELECT id FROM towns WHERE key LIKE 'bench-%' ORDER BY id`)
	townIDs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		b.Fatal(err)
	}

	r := rand.New(rand.NewPCG(1, 2))
	filler := make([]string, 20000)
	for i := range filler {
		syl := syllables[i%2]
		var sb strings.Builder
		for range 2 + r.IntN(3) {
			sb.WriteString(syl[r.IntN(len(syl))])
		}
		filler[i] = sb.String()
	}
	fillerZipf := rand.NewZipf(r, 1.1, 1, uint64(len(filler)-1))
	topicZipf := rand.NewZipf(r, 1.1, 8, uint64(len(topicWords)-1))
	text := func(n int, topical float64) string {
		words := make([]string, n)
		for i := range words {
			if r.Float64() < topical {
				words[i] = topicWords[topicZipf.Uint64()]
			} else {
				words[i] = filler[fillerZipf.Uint64()]
			}
		}
		return strings.Join(words, " ")
	}
	now := time.Now()
	batch := make([][]any, 0, genProjects)
	for i := range genProjects {
		title, desc := text(3+r.IntN(5), 0.4), text(30+r.IntN(90), 0.05)
		town := townIDs[r.IntN(len(townIDs))]
		if i%50 == 0 {
			town = exampleIDs[r.IntN(len(exampleIDs))]
		}
		var partner *int64
		if p := townIDs[r.IntN(len(townIDs))]; r.IntN(2) == 0 && p != town {
			partner = &p
		}
		batch = append(batch, []any{storage.BulkProjectCode(), int64(1 + i%genOwners), title, desc, town, partner,
			storage.Sectors[r.IntN(len(storage.Sectors))], someOf(r, storage.Topics, 3), someOf(r, storage.ProfileLanguages, 3),
			r.IntN(20) == 0, r.IntN(100) == 0, storage.BulkSearchDocument(title), storage.BulkSearchDocument(desc),
			now.Add(-time.Duration(genProjects-i) * 15 * time.Minute)})
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Release()
	cexec := func(sql string) {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	cexec(`CREATE TEMP TABLE bench_projects (code text, owner_id bigint, title text,
		description text, town_id bigint, partner_town_id bigint, sector text, topics text[], languages text[],
		archived bool, hidden bool, doc_a text, doc_b text, created_at timestamptz)`)
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"bench_projects"}, []string{"code", "owner_id", "title",
		"description", "town_id", "partner_town_id", "sector", "topics", "languages", "archived", "hidden", "doc_a",
		"doc_b", "created_at"}, pgx.CopyFromRows(batch)); err != nil {
		b.Fatal(err)
	}
	cexec(`INSERT INTO projects (code, owner_id, title, description, town_id, partner_town_id, sector, topics, languages,
			contact_requests, archived_at, hidden_at, search, created_at, updated_at)
		SELECT code, owner_id, title, description, town_id, partner_town_id, sector, topics, languages, true,
			CASE WHEN archived THEN created_at END, CASE WHEN hidden THEN created_at END,
			` + storage.BulkSearchVector("doc_a", "doc_b") + `, created_at, created_at
		FROM bench_projects`)
	cexec(`DROP TABLE bench_projects`)
	cexec(`VACUUM ANALYZE`)
}
