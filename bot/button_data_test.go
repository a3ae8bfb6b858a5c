package bot

import (
	"strings"
	"testing"

	"partnerbot/storage"
)

func TestButtonData(t *testing.T) {
	t.Parallel()
	if a, id, ok := idButton("cr:a:42", "a", "d"); !ok || a != "a" || id != 42 {
		t.Errorf("idButton(cr:a:42) = %q, %d, %v", a, id, ok)
	}
	for _, bad := range []string{"cr:a", "cr:x:1", "cr:a:0", "cr:a:-3", "cr:a:1:2", "cr:a:99999999999999999999", "cr:a: 1"} {
		if _, _, ok := idButton(bad, "a", "d"); ok {
			t.Errorf("idButton(%q) accepted", bad)
		}
	}
	if a, c, arg, ok := projectButton("pj:e:abcdefgh23:title"); !ok || a != "e" || c != "abcdefgh23" || arg != "title" {
		t.Errorf("projectButton = %q %q %q %v", a, c, arg, ok)
	}
	for _, bad := range []string{"pj:e", "pj:e:ABCDEFGH23", "pj:e:abcdefgh1", "pj:e:abcdefgh23:a:b", "pj:e:abc"} {
		if _, _, _, ok := projectButton(bad); ok {
			t.Errorf("projectButton(%q) accepted", bad)
		}
	}
	if id, op, args, ok := findButton("fd:7:w:12:0"); !ok || id != 7 || op != "w" || strings.Join(args, ",") != "12,0" {
		t.Errorf("findButton = %d %q %q %v", id, op, args, ok)
	}
	for _, bad := range []string{"fd:7", "fd:x:p:1", "fd:0:p:1", "fd::p"} {
		if _, _, _, ok := findButton(bad); ok {
			t.Errorf("findButton(%q) accepted", bad)
		}
	}
}

// FuzzButtonData: forged callback data never crashes a parser, and what a
// parser accepts is exactly what a button of that form would carry.
func FuzzButtonData(f *testing.F) {
	for _, seed := range []string{"cr:a:1", "rp:h:9", "pj:v:abcdefgh23", "pj:e:abcdefgh23:title", "fd:3:p:1",
		"fd:3:w:12:0", ":", "::::", "pj:e:ĳĳĳĳĳ:x", "fd:-1:p", "cr:a:+5"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		if a, id, ok := idButton(data, "a", "d"); ok {
			if id <= 0 || (a != "a" && a != "d") || strings.Count(data, ":") != 2 {
				t.Fatalf("idButton(%q) = %q, %d", data, a, id)
			}
		}
		if a, code, arg, ok := projectButton(data); ok {
			if !storage.ValidProjectCode(code) || strings.Contains(a+arg, ":") {
				t.Fatalf("projectButton(%q) = %q %q %q", data, a, code, arg)
			}
		}
		if id, op, args, ok := findButton(data); ok {
			if id <= 0 || strings.Contains(op, ":") || len(args) != strings.Count(data, ":")-2 {
				t.Fatalf("findButton(%q) = %d %q %q", data, id, op, args)
			}
		}
	})
}
