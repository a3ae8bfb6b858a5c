package bot

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"partnerbot/locales"
)

// TestCommandTableIsComplete: every command of the table has its /help
// line, and every menu command its menu description, in every language, and /help lists
// exactly the commands each role may use.
func TestCommandTableIsComplete(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	a := New(Deps{Catalog: cat})
	roles := []Role{RoleVolunteer, RoleCoordinator, RoleAdmin}
	for _, code := range locales.Codes {
		l := cat.For(code)
		for _, c := range a.table {
			ids := []string{"help_cmd_" + c.name}
			if c.menu {
				ids = append(ids, "cmd_"+c.name)
			}
			for _, id := range ids {
				if !l.Has(id) {
					t.Errorf("%s: command /%s lacks message %s", code, c.name, id)
				}
			}
		}
		for _, role := range roles {
			help := a.helps[code][role] // what /help sends
			menu := commandNames(a.menuFor(role, code))
			for _, c := range a.table {
				line := l.T("help_line", "Command", "/"+c.name, "Description", l.Plain("help_cmd_"+c.name))
				if listed := strings.Contains(help, line); listed != (role >= c.role) {
					t.Errorf("%s, role %d: /%s listed in /help = %v, want %v", code, role, c.name, listed, role >= c.role)
				}
				if inMenu := slices.Contains(menu, c.name); inMenu != (c.menu && role >= c.role) {
					t.Errorf("%s, role %d: /%s in the menu = %v", code, role, c.name, inMenu)
				}
			}
		}
	}
}

// TestTablesAreConsistent: names and prefixes are unique, every command
// has a section /help shows, and every callback prefix and command may
// run somewhere.
func TestTablesAreConsistent(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	a := New(Deps{Catalog: cat})
	seen := map[string]bool{}
	for _, c := range a.table {
		if seen[c.name] || c.name != strings.ToLower(c.name) {
			t.Errorf("command %q repeated or not lower case", c.name)
		}
		seen[c.name] = true
		if !slices.Contains(helpSectionNames(), string(c.section)) || c.chats == 0 || c.handler == nil {
			t.Errorf("command %q: section %q, chats %b", c.name, c.section, c.chats)
		}
	}
	prefixes := map[string]bool{}
	for _, c := range a.callbackTable() {
		if prefixes[c.prefix] || strings.Contains(c.prefix, ":") || c.chats == 0 || c.handler == nil {
			t.Errorf("callback prefix %q repeated, malformed or incomplete", c.prefix)
		}
		prefixes[c.prefix] = true
	}
}

func helpSectionNames() []string {
	out := make([]string, len(helpSections))
	for i, s := range helpSections {
		out[i] = string(s)
	}
	return out
}

func commandNames(cmds []models.BotCommand) []string {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.Command
	}
	return names
}
