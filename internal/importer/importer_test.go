package importer_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/importer"
	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

func count(t *testing.T, s *storage.Store, table string) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func importFile(t *testing.T, s *storage.Store, path string, fn func(context.Context, *storage.Store, *os.File) (importer.Report, error)) importer.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := fn(context.Background(), s, f)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return rep
}

func importTowns(ctx context.Context, s *storage.Store, f *os.File) (importer.Report, error) {
	return importer.Towns(ctx, s, f)
}

func importPartnerships(ctx context.Context, s *storage.Store, f *os.File) (importer.Report, error) {
	return importer.Partnerships(ctx, s, f)
}

// TestExamplesImportTwice imports the shipped example files twice: the
// second run updates and adds nothing, and the search cases of the issue
// work on the result.
func TestExamplesImportTwice(t *testing.T) {
	s := storage.New(testdb.New(t))
	for run, want := range []importer.Report{{Created: 3}, {Updated: 3}} {
		if rep := importFile(t, s, "../../examples/towns.example.csv", importTowns); rep != want {
			t.Errorf("towns run %d: %+v, want %+v", run+1, rep, want)
		}
		wantP := importer.Report{Created: want.Created * 2 / 3, Updated: want.Updated * 2 / 3}
		if rep := importFile(t, s, "../../examples/partnerships.example.csv", importPartnerships); rep != wantP {
			t.Errorf("partnerships run %d: %+v, want %+v", run+1, rep, wantP)
		}
	}
	for table, want := range map[string]int{"towns": 3, "town_names": 2, "partnerships": 2} {
		if n := count(t, s, table); n != want {
			t.Errorf("%d rows in %s, want %d", n, table, want)
		}
	}
	for _, q := range []string{"Ічня", "Ichnia", "Ichnja", "Itschnja", "Laxa", "Grevesmuehlen", "Grevesmuhlen", "Grevesmülen", "Ichnai"} {
		found, err := s.SearchTowns(context.Background(), q, 3)
		if err != nil || len(found) == 0 {
			t.Errorf("SearchTowns(%q) = %v, %v", q, found, err)
		}
	}
}

func TestImportUpdates(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	first := "key,name,country,region,names\nua-ichnia,Ichnja,UA,,uk:Ічня;en:Ichnya\n"
	second := "key,name,country,region,names\nua-ichnia,Ichnia,UA,Chernihiv Oblast,uk:Ічня\n"
	for _, f := range []string{first, second} {
		if _, err := importer.Towns(ctx, s, strings.NewReader(f)); err != nil {
			t.Fatal(err)
		}
	}
	found, err := s.SearchTowns(ctx, "Ічня", 5)
	if err != nil || len(found) != 1 {
		t.Fatalf("search after re-import: %v %v", found, err)
	}
	if got := found[0]; got.Name != "Ichnia" || got.Region != "Chernihiv Oblast" || strings.Join(got.Names, ",") != "Ічня" {
		t.Errorf("after re-import: %+v", got)
	}
}

// TestImportAdoptsProposedTown: a town a volunteer proposed is taken over
// by the first import that lists it, not duplicated.
func TestImportAdoptsProposedTown(t *testing.T) {
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: 5, FirstName: "Oksana"}); err != nil {
		t.Fatal(err)
	}
	p, err := testdb.InTx(s, func(tx pgx.Tx) (storage.Town, error) {
		return s.ProposeTownTx(ctx, tx, storage.TownProposal{Name: "Ichnia", Country: "UA"}, storage.Profile{UserID: 5})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Towns(ctx, s, strings.NewReader("key,name,country,region,names\nua-ichnia,Ichnia,UA,Chernihiv Oblast,\n")); err != nil {
		t.Fatal(err)
	}
	town, err := s.Town(ctx, p.ID)
	if err != nil || town.Status != storage.TownConfirmed || town.Region != "Chernihiv Oblast" || count(t, s, "towns") != 1 {
		t.Errorf("proposed town after import: %+v, %v, %d towns", town, err, count(t, s, "towns"))
	}
}

// malformed is a file the importer must refuse: the line its error names
// (0 for none) and what the error says.
type malformed struct {
	name, file string
	line       int
	mention    string
}

// expectRefused fails unless err reports m's problem and nothing was
// written to table.
func expectRefused(t *testing.T, s *storage.Store, err error, m malformed, table string) {
	t.Helper()
	if err == nil {
		t.Fatal("import succeeded")
	}
	var le *importer.LineError
	if m.line > 0 && (!errors.As(err, &le) || le.Line != m.line) {
		t.Errorf("err = %v, want it on line %d", err, m.line)
	}
	if !strings.Contains(err.Error(), m.mention) {
		t.Errorf("err = %v, want it to mention %q", err, m.mention)
	}
	if n := count(t, s, table); n != 0 {
		t.Errorf("%d rows written to %s despite the error", n, table)
	}
}

func TestMalformedTownsWriteNothing(t *testing.T) {
	const header = "key,name,country,region,names\n"
	const good = "de-grevesmuehlen,Grevesmühlen,DE,Mecklenburg-Vorpommern,\n"
	tests := []malformed{
		{"bad country", header + good + "ua-ichnia,Ichnia,XX,,\n", 3, "country"},
		{"country not a code", header + good + "ua-ichnia,Ichnia,Ukraine,,\n", 3, "country"},
		{"missing name", header + good + "ua-ichnia,,UA,,\n", 3, "name is missing"},
		{"missing key", header + good + ",Ichnia,UA,,\n", 3, "key is missing"},
		{"too few columns", header + good + "ua-ichnia,Ichnia,UA\n", 3, "3 columns"},
		{"too many columns", header + good + "ua-ichnia,Ichnia,UA,,,x\n", 3, "6 columns"},
		{"duplicate key", header + good + good, 3, "line 2"},
		{"bad language tag", header + good + "ua-ichnia,Ichnia,UA,,Ukrainian:Ічня\n", 3, "language tag"},
		{"comment lines count", "# comment\n" + header + "# another\n" + good + "ua-ichnia,Ichnia,U,,\n", 5, "country"},
		// A line break inside quotes is refused, and still counted for the next row.
		{"quoted newline counts", header + "\"de-a\",\"Multi\nline\",DE,,\n" + "ua-ichnia,,UA,,\n", 2, "line 4: name is missing"},
		{"bad quote", header + good + "ua-ichnia,\"Ich\"nia,UA,,\n", 3, "quote"},
		{"wrong header", "name,country\n" + good, 1, "header"},
		{"empty", "", 0, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storage.New(testdb.New(t))
			_, err := importer.Towns(context.Background(), s, strings.NewReader(tt.file))
			expectRefused(t, s, err, tt, "towns")
		})
	}
}

func TestMalformedPartnershipsWriteNothing(t *testing.T) {
	const header = "town_a,town_b,kind,since\n"
	const good = "ua-ichnia,de-grevesmuehlen,solidarity,\n"
	tests := []malformed{
		{"unknown town", header + good + "ua-ichnia,nowhere,twinning,\n", 3, "nowhere"},
		{"bad kind", header + good + "de-grevesmuehlen,se-laxa,friendship,\n", 3, "kind"},
		{"bad date", header + good + "de-grevesmuehlen,se-laxa,twinning,2004-13-01\n", 3, "since"},
		{"future date", header + good + "de-grevesmuehlen,se-laxa,twinning,2999\n", 3, "since"},
		{"own partner", header + good + "se-laxa,se-laxa,twinning,\n", 3, "own partner"},
		{"too few columns", header + good + "se-laxa,ua-ichnia\n", 3, "2 columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storage.New(testdb.New(t))
			importFile(t, s, "../../examples/towns.example.csv", importTowns)
			_, err := importer.Partnerships(context.Background(), s, strings.NewReader(tt.file))
			expectRefused(t, s, err, tt, "partnerships")
		})
	}
}

func FuzzReadTowns(f *testing.F) {
	for _, s := range []string{
		"key,name,country,region,names\nua-ichnia,Ichnia,UA,Chernihiv Oblast,uk:Ічня; de:Itschnja\n",
		"key,name,country,region,names\n\"a\",\"b\nc\",DE,,x:y:z\n",
		"\uFEFFkey,name,country,region,names\n#c\n,,,,\n",
		"key,name\n\"unterminated",
		"\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		recs, lines, err := importer.ReadTowns(strings.NewReader(s))
		if err != nil {
			return
		}
		if len(recs) != len(lines) {
			t.Fatalf("%d records but %d lines", len(recs), len(lines))
		}
		for _, r := range recs {
			if r.Key == "" || r.Name == "" || len(r.Country) != 2 {
				t.Fatalf("accepted an invalid record %+v", r)
			}
		}
	})
}

func FuzzParsePartnership(f *testing.F) {
	f.Add("ua-ichnia", "de-grevesmuehlen", "solidarity", "2022")
	f.Add("a", "b", "TWINNING", "2004-05-21")
	f.Add("", "", "", "0000-00")
	f.Fuzz(func(t *testing.T, a, b, kind, since string) {
		rec, err := importer.ParsePartnership([]string{a, b, kind, since})
		if err == nil && (rec.TownA == rec.TownB || rec.TownA == "" || rec.Kind == "") {
			t.Fatalf("accepted an invalid record %+v", rec)
		}
	})
}
