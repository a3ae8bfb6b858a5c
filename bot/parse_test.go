package bot

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in                   string
		cmd, addressee, args string
		ok                   bool
	}{
		{"/start", "start", "", "", true},
		{"/Start@PartnerBot p42", "start", "PartnerBot", "p42", true},
		{"/find water Ichnia", "find", "", "water Ichnia", true},
		{"/help\nmore", "help", "", "more", true},
		{"/", "", "", "", false},
		{"/@bot", "", "", "", false},
		{"hello /start", "", "", "", false},
		{"", "", "", "", false},
	}
	for _, tt := range tests {
		cmd, addressee, args, ok := parseCommand(tt.in)
		if cmd != tt.cmd || addressee != tt.addressee || args != tt.args || ok != tt.ok {
			t.Errorf("parseCommand(%q) = %q %q %q %v, want %q %q %q %v", tt.in, cmd, addressee, args, ok, tt.cmd, tt.addressee, tt.args, tt.ok)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"/start", "/a@b c", "/\n", "/x\ty", "//", "/ä@ö ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cmd, _, args, ok := parseCommand(s)
		if !ok {
			return
		}
		if cmd == "" || strings.ContainsAny(cmd, " \n\t@") {
			t.Fatalf("parseCommand(%q) gave command %q", s, cmd)
		}
		if utf8.ValidString(s) && (!utf8.ValidString(cmd) || !utf8.ValidString(args)) {
			t.Fatalf("parseCommand(%q) broke UTF-8", s)
		}
	})
}

func TestValidUsername(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"olena_k": true, "abcd": false, "ab cd": false, "Олена": false,
		strings.Repeat("a", 32): true, strings.Repeat("a", 33): false, "user_1": true,
	} {
		if got := validUsername(in); got != want {
			t.Errorf("validUsername(%q) = %v", in, got)
		}
	}
}

// telegramUsername is Telegram's rule for a username (without the @).
var telegramUsername = regexp.MustCompile(`^[A-Za-z0-9_]{5,32}$`)

func FuzzValidUsername(f *testing.F) {
	for _, s := range []string{"olena_k", "Олена_k", "olenа_k" /* Cyrillic а */, "ölena", "user_1", "12345", "1234",
		"abcd", "abcde", strings.Repeat("a", 32), strings.Repeat("a", 33), "a b c d", "ab@cd", "<b>x</b>", "olena\n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validUsername(s), telegramUsername.MatchString(s); got != want {
			t.Fatalf("validUsername(%q) = %v, want %v", s, got, want)
		}
	})
}
