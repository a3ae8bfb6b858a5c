package bot

import (
	"slices"
	"strconv"
	"strings"

	"partnerbot/storage"
)

// The prefixes of callback data, one per family of buttons; the router
// dispatches on them (surface.go).
const (
	prefixLanguage     = "lang"
	prefixDeleteMe     = "del"
	prefixCancel       = "cancel"
	prefixCoordinators = "co"
	prefixWizard       = "wz"
	prefixProject      = "pj"
	prefixFind         = "fd"
	prefixContact      = "cr"
	prefixReport       = "rp"
	prefixEvent        = "ev"
	prefixManageEvent  = "evc"
	prefixSettings     = "set"
	prefixProfile      = "pf"
	prefixNetwork      = "nw"
	prefixTown         = "tw"
)

// callbackPrefix is the family of callback data: the part before the
// first ':'.
func callbackPrefix(data string) string {
	prefix, _, _ := strings.Cut(data, ":")
	return prefix
}

// Parsers of the callback data of the project, search, contact request
// and report buttons. Callback data comes from the client and can be
// forged: these only check its form; handlers check ownership and roles
// against the database.

// idButton parses "<prefix>:<action>:<id>" with action one of actions and
// a positive id.
func idButton(data string, actions ...string) (action string, id int64, ok bool) {
	parts := strings.Split(data, ":")
	if len(parts) != 3 || !slices.Contains(actions, parts[1]) {
		return "", 0, false
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return parts[1], id, true
}

// projectButton parses "pj:<action>:<code>[:<arg>]".
func projectButton(data string) (action, code, arg string, ok bool) {
	parts := strings.Split(data, ":")
	if len(parts) < 3 || len(parts) > 4 || !storage.ValidProjectCode(parts[2]) {
		return "", "", "", false
	}
	if len(parts) == 4 {
		arg = parts[3]
	}
	return parts[1], parts[2], arg, true
}

// findButton parses "fd:<search id>:<op>[:<args>...]".
func findButton(data string) (id int64, op string, args []string, ok bool) {
	parts := strings.Split(data, ":")
	if len(parts) < 3 {
		return 0, "", nil, false
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || id <= 0 {
		return 0, "", nil, false
	}
	return id, parts[2], parts[3:], true
}
