package bot

import "testing"

// TestGroupButtonParsersRefuseForgedData: the parsers of the group buttons
// read what their makers write and refuse anything else.
func TestGroupButtonParsersRefuseForgedData(t *testing.T) {
	if a, c, arg, ok := parseGroupOwnerButton(groupOwnerButton(groupOwnerDecide, "abcdefgh23", "1").s); !ok ||
		a != groupOwnerDecide || c != "abcdefgh23" || arg != "1" {
		t.Errorf("owner button: %q %q %q %v", a, c, arg, ok)
	}
	if a, id, ok := parseJoinButton(joinButton(joinDecline, 77).s); !ok || a != joinDecline || id != 77 {
		t.Errorf("join button: %q %d %v", a, id, ok)
	}
	if w, arg, ok := parseGroupSetButton(groupSetButton(groupSetLanguage, "sv").s); !ok || w != groupSetLanguage || arg != "sv" {
		t.Errorf("group settings button: %q %q %v", w, arg, ok)
	}
	for _, forged := range []string{"gr:x:abcdefgh23", "gr:m:ABCDEFGH23", "gr:m", "gr:rl:abcdefgh23:uk:1", "gj:ok:0",
		"gj:ok:-4", "gj:zz:4", "gj:ok:4:5", "gs:p:2", "gs:lg:deu", "gs:x:1", "gs:p", "pj:m:abcdefgh23"} {
		_, _, _, ok1 := parseGroupOwnerButton(forged)
		_, _, ok2 := parseJoinButton(forged)
		_, _, ok3 := parseGroupSetButton(forged)
		if ok1 || ok2 || ok3 {
			t.Errorf("%q was accepted", forged)
		}
	}
}
