package storage_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// exampleTowns are the towns of examples/towns.example.csv.
var exampleTowns = []storage.TownRecord{
	{Key: "ua-ichnia", Name: "Ichnia", Country: "UA", Region: "Chernihiv Oblast",
		Names: []storage.TownName{{Name: "Ічня", Lang: "uk"}, {Name: "Itschnja", Lang: "de"}}},
	{Key: "de-grevesmuehlen", Name: "Grevesmühlen", Country: "DE", Region: "Mecklenburg-Vorpommern"},
	{Key: "se-laxa", Name: "Laxå", Country: "SE", Region: "Örebro County"},
}

func newStoreWithTowns(t testing.TB, towns ...storage.TownRecord) *storage.Store {
	t.Helper()
	s := storage.New(testdb.New(t))
	err := s.WriteTowns(context.Background(), func(w *storage.TownWriter) error {
		for _, r := range towns {
			if _, _, err := w.UpsertTown(context.Background(), r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSearchTowns(t *testing.T) {
	t.Parallel()
	distractors := []storage.TownRecord{
		{Key: "ua-ichnia-like", Name: "Ivnia", Country: "UA", Names: []storage.TownName{{Name: "Івня", Lang: "uk"}}},
		{Key: "ua-kyiv", Name: "Kyiv", Country: "UA", Names: []storage.TownName{{Name: "Київ", Lang: "uk"}}},
		{Key: "de-grevenbroich", Name: "Grevenbroich", Country: "DE"},
		{Key: "se-laxsjo", Name: "Laxsjö", Country: "SE"},
	}
	s := newStoreWithTowns(t, append(append([]storage.TownRecord{}, exampleTowns...), distractors...)...)
	tests := []struct {
		query string
		want  string // canonical name of the first result
	}{
		{"Ічня", "Ichnia"},
		{"ічня", "Ichnia"},
		{"Ichnia", "Ichnia"},
		{"Ichnja", "Ichnia"},
		{"Ichnya", "Ichnia"},
		{"Itschnja", "Ichnia"},
		{"ITSCHNJA", "Ichnia"},
		{"Ichnai", "Ichnia"},
		{"Ічна", "Ichnia"},
		{"Laxa", "Laxå"},
		{"laxå", "Laxå"},
		{"Grevesmühlen", "Grevesmühlen"},
		{"Grevesmuehlen", "Grevesmühlen"},
		{"Grevesmuhlen", "Grevesmühlen"},
		{"Grevesmülen", "Grevesmühlen"},
		{"grevesm", "Grevesmühlen"},
		{"Kyiw", "Kyiv"},
		{"Київ", "Kyiv"},
		{"Kyjiw", "Kyiv"},
	}
	for _, tt := range tests {
		got, err := s.SearchTowns(context.Background(), tt.query, 5)
		if err != nil {
			t.Fatalf("SearchTowns(%q): %v", tt.query, err)
		}
		if len(got) == 0 || got[0].Name != tt.want {
			t.Errorf("SearchTowns(%q) = %v, want %s first", tt.query, names(got), tt.want)
		}
	}
	for q, exact := range map[string]bool{"Itschnja": true, "Ічня": true, "Laxa": true, "Ichnai": false, "Grevesm": false} {
		got, err := s.SearchTowns(context.Background(), q, 5)
		if err != nil || len(got) == 0 || got[0].Exact != exact {
			t.Errorf("SearchTowns(%q) = %+v, %v; want the first Exact=%v", q, got, err, exact)
		}
	}
	// TownsNamedEach for one name finds what SearchTowns finds as typed,
	// and nothing else.
	townsNamed := func(name string) ([]storage.Town, error) {
		each, err := s.TownsNamedEach(context.Background(), []string{name}, 10)
		if err != nil {
			return nil, err
		}
		return each[0], nil
	}
	for _, tt := range append(tests, struct{ query, want string }{"Zzyzx", ""}, struct{ query, want string }{"", ""}) {
		all, err := s.SearchTowns(context.Background(), tt.query, 10)
		if err != nil {
			t.Fatal(err)
		}
		named, err := townsNamed(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		exact := slices.DeleteFunc(all, func(t storage.Town) bool { return !t.Exact })
		if !slices.Equal(names(named), names(exact)) {
			t.Errorf("TownsNamedEach(%q) = %v, want the exact matches of SearchTowns %v", tt.query, names(named), names(exact))
		}
	}
	// TownsNamedEach finds for each of several names, in one statement,
	// what it finds for that name alone.
	var queries []string
	for _, tt := range append(tests, struct{ query, want string }{"Zzyzx", ""}, struct{ query, want string }{"", ""}) {
		queries = append(queries, tt.query)
	}
	each, err := s.TownsNamedEach(context.Background(), queries, 10)
	if err != nil || len(each) != len(queries) {
		t.Fatalf("TownsNamedEach: %d lists for %d names, %v", len(each), len(queries), err)
	}
	for i, q := range queries {
		named, err := townsNamed(q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names(each[i]), names(named)) || (len(named) > 0 && !slices.EqualFunc(each[i], named,
			func(a, b storage.Town) bool { return a.ID == b.ID && slices.Equal(a.Names, b.Names) && a.Exact })) {
			t.Errorf("TownsNamedEach for %q = %+v, want %+v", q, each[i], named)
		}
	}
	for _, q := range []string{"", "  ", "Zzyzx", "%", "_"} {
		got, err := s.SearchTowns(context.Background(), q, 5)
		if err != nil || len(got) != 0 {
			t.Errorf("SearchTowns(%q) = %v, %v; want nothing", q, names(got), err)
		}
	}
}

func TestSearchTownsRanksExactAbovePrefixAboveSimilar(t *testing.T) {
	t.Parallel()
	s := newStoreWithTowns(t,
		storage.TownRecord{Key: "a", Name: "Laxåsjön", Country: "SE"},
		storage.TownRecord{Key: "b", Name: "Laxå", Country: "SE"},
		storage.TownRecord{Key: "c", Name: "Lax", Country: "SE"},
	)
	got, err := s.SearchTowns(context.Background(), "lax", 5)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Lax", "Laxå", "Laxåsjön"}; !slices.Equal(names(got), want) {
		t.Errorf("SearchTowns(lax) = %v, want %v", names(got), want)
	}
}

func TestTown(t *testing.T) {
	t.Parallel()
	s := newStoreWithTowns(t, exampleTowns...)
	found, err := s.SearchTowns(context.Background(), "Ічня", 1)
	if err != nil || len(found) != 1 {
		t.Fatalf("search: %v %v", found, err)
	}
	town, err := s.Town(context.Background(), found[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if town.Name != "Ichnia" || town.Country != "UA" || town.Region != "Chernihiv Oblast" ||
		town.Status != storage.TownConfirmed || !slices.Equal(town.Names, []string{"Itschnja", "Ічня"}) {
		t.Errorf("Town = %+v", town)
	}
	if _, err := s.Town(context.Background(), -1); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Town(-1) err = %v, want ErrNotFound", err)
	}
}

func names(ts []storage.Town) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

func TestValidCountry(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]bool{"UA": true, "DE": true, "SE": true, "PL": true, "FR": true,
		"XX": false, "ZZ": false, "EU": false, "ua": false, "U": false, "UKR": false, "": false, "Ü1": false} {
		if got := storage.ValidCountry(code); got != want {
			t.Errorf("ValidCountry(%q) = %v, want %v", code, got, want)
		}
	}
}

// FuzzSearchTowns: whatever people type, search answers without an error
// and finds only confirmed towns.
func FuzzSearchTowns(f *testing.F) {
	s := newStoreWithTowns(f, exampleTowns...)
	for _, q := range []string{"Ічня", "Itschnja", "Laxa", "Grevesmülen", "%_\\", "'; DROP TABLE towns; --", "\xff\xfe", "ꙮ", "\u0306", "a"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		found, err := s.SearchTowns(context.Background(), q, 5)
		if err != nil {
			t.Fatalf("SearchTowns(%q): %v", q, err)
		}
		for _, town := range found {
			if town.Status != storage.TownConfirmed {
				t.Fatalf("SearchTowns(%q) found %+v", q, town)
			}
		}
	})
}
