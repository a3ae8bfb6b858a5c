package searchkey

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Laxå", "laxa"},
		{"Grevesmühlen", "grevesmuhlen"},
		{"Straße", "strasse"},
		{"Łódź", "lodz"},
		{"Ærøskøbing", "aeroskobing"},
		{"Île-de-France", "ile de france"},
		{"  Frankfurt (Oder) ", "frankfurt oder"},
		{"Sankt  Peter's", "sankt peters"},
		// Cyrillic is never folded: й and ї are letters of their own.
		{"Київ", "київ"},
		{"Гайсин", "гайсин"},
		{"Кри\u0438\u0306", "крий"},
		{"Знам’янка", "знамянка"},
		{"ІЧНЯ", "ічня"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Grevesmühlen", []string{"grevesmuhlen", "grevesmuehlen"}},
		{"Laxå", []string{"laxa"}},
		{"Ічня", []string{"ічня", "ichnia", "itschnja", "ichnya", "ichnja"}},
		{"", nil},
		{"--", nil},
	}
	for _, tt := range tests {
		if got := Keys(tt.in); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Keys(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzKeys(f *testing.F) {
	for _, s := range []string{"Київ", "Grevesmühlen", "Laxå", "'", "\u0306", strings.Repeat("я", 300), "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		keys := Keys(s)
		for _, k := range keys {
			if k == "" || !utf8.ValidString(k) || utf8.RuneCountInString(k) > MaxLen || k != strings.TrimSpace(k) {
				t.Fatalf("Keys(%q) has a bad key %q", s, k)
			}
			if Fold(k) != k {
				t.Fatalf("Keys(%q): key %q is not folded (%q)", s, k, Fold(k))
			}
		}
	})
}
