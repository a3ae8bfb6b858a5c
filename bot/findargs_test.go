package bot

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"partnerbot/storage"
)

// fakeTowns resolves the names in it to a town each; a span "fail" makes
// the lookup fail.
func fakeTowns(names ...string) func([]string) ([][]storage.Town, error) {
	return func(spans []string) ([][]storage.Town, error) {
		towns := make([][]storage.Town, len(spans))
		for j, span := range spans {
			if span == "fail" {
				return nil, errors.New("lookup failed")
			}
			if i := slices.Index(names, strings.ToLower(span)); i >= 0 {
				towns[j] = []storage.Town{{ID: int64(i + 1), Name: names[i]}}
			}
		}
		return towns, nil
	}
}

func TestSplitTown(t *testing.T) {
	t.Parallel()
	lookup := fakeTowns("ichnia", "bila tserkva", "frankfurt an der oder", "laxå")
	tests := []struct {
		args string
		town string
		rest string
	}{
		{"water Ichnia", "ichnia", "water"},
		{"Ichnia water", "ichnia", "water"},
		{"water supply Ichnia school", "ichnia", "water supply school"},
		{"Bila Tserkva choir", "bila tserkva", "choir"},
		{"choir Frankfurt an der Oder", "frankfurt an der oder", "choir"},
		{"Bila", "", "Bila"},
		{"water", "", "water"},
		{"Ichnia Laxå", "ichnia", "Laxå"},
		{"", "", ""},
	}
	for _, tt := range tests {
		towns, rest, err := splitTown(strings.Fields(tt.args), lookup)
		if err != nil {
			t.Fatal(err)
		}
		town := ""
		if len(towns) > 0 {
			town = towns[0].Name
		}
		if town != tt.town || strings.Join(rest, " ") != tt.rest {
			t.Errorf("splitTown(%q) = %q, %q; want %q, %q", tt.args, town, rest, tt.town, tt.rest)
		}
	}
	if _, _, err := splitTown([]string{"water", "fail"}, lookup); err == nil {
		t.Error("a failing lookup was not reported")
	}
}

// FuzzSplitTown: whatever follows /find, the town words and the rest
// together are the words typed, in order, and only the first words are
// tried as town names.
func FuzzSplitTown(f *testing.F) {
	for _, seed := range []string{"water Ichnia", "Bila Tserkva", "  ", "a b c d e f g h i j k l m n o p", "ічня ІЧНЯ",
		"frankfurt an der oder oder", "\x00 \u00a0 x"} {
		f.Add(seed)
	}
	lookup := fakeTowns("ichnia", "ічня", "bila tserkva", "frankfurt an der oder", "x")
	f.Fuzz(func(t *testing.T, args string) {
		words := strings.Fields(args)
		calls, spans := 0, 0
		towns, rest, err := splitTown(words, func(s []string) ([][]storage.Town, error) {
			calls++
			spans += len(s)
			return lookup(s)
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(towns) == 0 {
			if !slices.Equal(rest, words) {
				t.Fatalf("no town, but the rest %q differs from %q", rest, words)
			}
		} else {
			n := len(words) - len(rest)
			if n < 1 || n > maxTownSpan {
				t.Fatalf("the town took %d words of %q", n, words)
			}
			found := false
			for i := 0; i+n <= len(words); i++ {
				if slices.Equal(slices.Concat(words[:i], words[i+n:]), rest) {
					found = true
				}
			}
			if !found {
				t.Fatalf("the rest %q is not %q without one run of %d words", rest, words, n)
			}
		}
		if calls > 1 || spans > maxFindWords*maxTownSpan {
			t.Fatalf("%d lookups of %d runs for %d words", calls, spans, len(words))
		}
	})
}
