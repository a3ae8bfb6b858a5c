package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The cuts as the plain definitions make them: all of s turned into
// characters, all its words split and joined.
func refTruncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func refOneLine(s string, n int) string { return refTruncate(strings.Join(strings.Fields(s), " "), n) }

func TestTextCuts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in               string
		n                int
		truncate, oneLin string
	}{
		{"", 5, "", ""},
		{"short", 5, "short", "short"},
		{"longer", 5, "long…", "long…"},
		{"  two\n\twords  ", 20, "  two\n\twords  ", "two words"},
		{"Ічня  і\nБад-Зегеберг", 10, "Ічня  і\nБ…", "Ічня і Ба…"},
		{"a b c d e f", 5, "a b …", "a b …"},
		{"exactly five", 12, "exactly five", "exactly five"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.n); got != tt.truncate {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.truncate)
		}
		if got := oneLine(tt.in, tt.n); got != tt.oneLin {
			t.Errorf("oneLine(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.oneLin)
		}
	}
}

// FuzzTextCuts: truncate and oneLine, which read only as far as they
// keep, cut valid text exactly as the plain definitions do.
func FuzzTextCuts(f *testing.F) {
	f.Add("  Ремонт\u00a0школи  in Ichnia, with\n\nnew windows  ", 12)
	f.Add("a", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if !utf8.ValidString(s) || n < 1 || n > 300 {
			return
		}
		if got, want := truncate(s, n), refTruncate(s, n); got != want {
			t.Fatalf("truncate(%q, %d) = %q, want %q", s, n, got, want)
		}
		if got, want := oneLine(s, n), refOneLine(s, n); got != want {
			t.Fatalf("oneLine(%q, %d) = %q, want %q", s, n, got, want)
		}
	})
}
