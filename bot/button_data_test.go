package bot

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"partnerbot/internal/remind"
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

// TestButtonDataFormat pins the data the makers write to what the bot has
// always sent: buttons already in chats must keep working.
func TestButtonDataFormat(t *testing.T) {
	const code = "abcdefgh23"
	for _, tt := range []struct {
		d    buttonData
		want string
	}{
		{languageButton("uk", pickFromStart), "lang:uk:s"},
		{languageButton("sv", ""), "lang:sv:"},
		{deleteMeButton(true), "del:yes"},
		{deleteMeButton(false), "del:no"},
		{cancelButton(), "cancel:"},
		{coordinatorsAddButton(), "co:add"},
		{coordinatorRevokeButton(9002), "co:rv:9002"},
		{wizardButton(3, "Europe/Kyiv"), "wz:3:Europe/Kyiv"},
		{wizardButton(0, wizardBack), "wz:0:<"},
		{wizardButton(1, "a:b"), "wz:1:a:b"},
		{projectButtonData(projectView, code), "pj:v:abcdefgh23"},
		{projectButtonData(projectNews, code), "pj:n:abcdefgh23"},
		{projectButtonWith(projectReport, code, "spam"), "pj:rp:abcdefgh23:spam"},
		{myProjectsButton(), "pj:my"},
		{findButtonData(7, findOpTown, "12", "0"), "fd:7:w:12:0"},
		{findButtonData(7, findOpFilters), "fd:7:f"},
		{contactDecisionButton(true, 42), "cr:a:42"},
		{contactDecisionButton(false, 42), "cr:d:42"},
		{reportButton(reportUnhide, 5), "rp:u:5"},
		{listBack, "ev:l:all:0"},
		{eventListButton(storage.EventsMyTown, 2), "ev:l:town:2"},
		{eventButton(eventActICS, 8), "ev:ics:8"},
		{eventCardButton(8, storage.EventsFollowed, 1), "ev:v:8:projects:1"},
		{eventReminderToggle(8, remind.Hour), "ev:rt:8:60"},
		{manageEventButton(manageCancelYes, 8), "evc:xy:8"},
		{manageEventFieldButton(8, "when"), "evc:f:8:when"},
		{settingsButton(settingsZone), "set:tz"},
		{profileButton(profileLater), "pf:later"},
		{networkButton(31), "nw:31"},
		{townDecisionButton(townReject, 31), "tw:no:31"},
		{groupOwnerButton(groupOwnerRules, code, "uk"), "gr:rl:abcdefgh23:uk"},
		{joinButton(joinAgree, 9), "gj:ok:9"},
		{groupSetButton(groupSetProjects, "0"), "gs:p:0"},
		{coordinatorTownButton(9002), "co:tw:9002"},
		{broadcastButton(broadcastStop, 7), "bc:s:7"},
		{broadcastForButton(broadcastMuteTopic, 7), "bm:mp:7"},
		{settingsKindButton(storage.KindFundingCalls), "set:k:funding_calls"},
		{settingsUnmuteButton(storage.MuteTown, "31"), "set:u:town:31"},
		{translateButton(trProject, code, trNew), "tr:p:abcdefgh23:n"},
		{translateButton(trContact, "42", trOriginal), "tr:c:42:o"},
		{translateButton(trBroadcast, "7", trNewOriginal), "tr:b:7:m"},
		{translateButton(trEvent, "8", trShow), "tr:e:8:t"},
	} {
		if tt.d.err != nil || tt.d.s != tt.want {
			t.Errorf("made %q (err %v), want %q", tt.d.s, tt.d.err, tt.want)
		}
		if !slices.Contains(buttonPrefixes, callbackPrefix(tt.want)) {
			t.Errorf("%q: unknown prefix", tt.want)
		}
	}
}

// buttonPrefixes are the families of callback data, as the router has them.
var buttonPrefixes = []string{prefixLanguage, prefixDeleteMe, prefixCancel, prefixCoordinators, prefixWizard,
	prefixProject, prefixFind, prefixContact, prefixReport, prefixEvent, prefixManageEvent, prefixSettings,
	prefixProfile, prefixNetwork, prefixTown, prefixGroupOwner, prefixJoin, prefixGroupSet, prefixBroadcast, prefixBroadcastFor,
	prefixTranslate}

func TestButtonPrefixesRouted(t *testing.T) {
	var routed []string
	for _, c := range (&App{}).callbackTable() {
		routed = append(routed, c.prefix)
	}
	if !slices.Equal(routed, buttonPrefixes) {
		t.Errorf("router has %q, the codec tests %q", routed, buttonPrefixes)
	}
}

// TestButtonDataRefused: data that cannot travel is refused when made, and
// button panics on it.
func TestButtonDataRefused(t *testing.T) {
	for _, tt := range []struct {
		name string
		d    buttonData
		want error
	}{
		{"65 bytes", languageButton("en", strings.Repeat("p", 65-len("lang:en:"))), errDataTooLong},
		{"long wizard value", wizardButton(1, strings.Repeat("ж", 30)), errDataTooLong},
		{"many find args", findButtonData(1, findOpTown, slices.Repeat([]string{"1234567890"}, 6)...), errDataTooLong},
		{"invalid UTF-8", findButtonData(1, findOpCountry, "\xff"), errDataNotUTF8},
		{"cut rune", wizardButton(1, "ж"[:1]), errDataNotUTF8},
		{"separator", projectButtonWith(projectEdit, "abcdefgh23", "a:b"), errDataSeparator},
		{"separator in op", findButtonData(1, "p:1"), errDataSeparator},
		{"separator in origin", languageButton("en", "p:x"), errDataSeparator},
		{"reserved", wizardButton(1, "<"), errDataReserved},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.d.err, tt.want) {
				t.Fatalf("err = %v, want %v", tt.d.err, tt.want)
			}
			defer func() {
				if recover() == nil {
					t.Error("button did not panic")
				}
			}()
			button("x", tt.d)
		})
	}
	if d := languageButton("en", strings.Repeat("p", 64-len("lang:en:"))); d.err != nil || len(d.s) != 64 {
		t.Errorf("64 bytes refused: %v", d.err)
	}
	if b := button("ok", cancelButton()); b.CallbackData != "cancel:" || b.Text != "ok" {
		t.Errorf("button = %+v", b)
	}
	defer func() {
		if recover() == nil {
			t.Error("button without data did not panic")
		}
	}()
	button("x", buttonData{})
}

// TestButtonParsers: the parsers accept what the handlers always accepted
// and nothing else.
func TestButtonParsers(t *testing.T) {
	accept := map[string]bool{
		"lang:sv:":          true,
		"lang:sv:pXXX":      true,
		"lang:sv":           false,
		"lang:sv:a:b":       false,
		"del:yes":           true,
		"del:yes:":          false,
		"del":               false,
		"co:add":            true,
		"co:add:1":          false,
		"co:rv:9002":        true,
		"co:rv:-1":          true, // no such user: refused by the lookup
		"co:rv:x":           false,
		"wz:0:":             true,
		"wz:12:a:b":         true,
		"wz:01:a":           false,
		"wz:+1:a":           false,
		"wz:-1:a":           false,
		"wz:1":              false,
		"pj:my":             true,
		"pj:my:":            false,
		"ev:l:all:0":        true,
		"ev:l:town:9999":    true,
		"ev:l:town:10000":   false,
		"ev:l:mine:0":       false,
		"ev:l:all:-1":       false,
		"ev:l:all":          false,
		"ev:v:5":            true,
		"ev:v:5:all:3":      true,
		"ev:v:5:all":        false,
		"ev:v:5:nope:3":     false,
		"ev:o:5:all:3":      false,
		"ev:v:0":            false,
		"ev:ics:5":          true,
		"ev:ics:5:1":        false,
		"ev:rt:5:60":        true,
		"ev:rt:5:61":        false,
		"ev:rt:5":           false,
		"ev:zz:5":           false,
		"evc:e:5":           true,
		"evc:f:5:when":      true,
		"evc:f:5:colour":    false,
		"evc:f:5":           false,
		"evc:xy:5":          true,
		"evc:xy:-5":         false,
		"evc:e":             false,
		"set:tz":            true,
		"set:tz:":           false,
		"set:zone":          false,
		"pf:edit":           true,
		"pf:later":          true,
		"pf:":               false,
		"nw:31":             true,
		"nw:31:1":           false,
		"nw:":               false,
		"tw:ok:31":          true,
		"tw:no:-2":          true, // refused by the database: "already decided"
		"tw:yes:31":         false,
		"tw:ok":             false,
		"cr:a:1":            true,
		"cr:x:1":            false,
		"rp:u:1":            true,
		"rp:a:1":            false,
		"cancel:":           true,
		"cancel":            true, // any Cancel button cancels
		"cancelled:":        false,
		"xx:a:1":            false,
		"pj:v:abcdefgh23:1": true,
		"tr:p:abcdefgh23:n": true,
		"tr:p:ABCDEFGH23:n": false,
		"tr:p:42:n":         false,
		"tr:c:42:o":         true,
		"tr:c:0:o":          false,
		"tr:c:-4:o":         false,
		"tr:c:x:o":          false,
		"tr:e:8:t":          true,
		"tr:b:7:m":          true,
		"tr:b:7:x":          false,
		"tr:x:7:t":          false,
		"tr:c:42":           false,
		"tr:c:42:o:1":       false,
	}
	for data, want := range accept {
		if got := parsedByAny(data); got != want {
			t.Errorf("%q accepted = %v, want %v", data, got, want)
		}
	}
	// The organiser check comes before the form of the rest: the event of
	// any organiser's button with a positive id is read.
	for data, want := range map[string]int64{"evc:f:5:owner": 5, "evc:zz:7:a:b": 7, "evc:e:0": 0, "evc:e": 0, "ev:e:5": 0} {
		if id, ok := manageEventID(data); id != want || ok != (want > 0) {
			t.Errorf("manageEventID(%q) = %d, %v", data, id, ok)
		}
	}
}

// parsedByAny reports whether the parser of data's family accepts it.
func parsedByAny(data string) bool { return parsedAs(callbackPrefix(data), data) }

// parsedAs reports whether the parser of family prefix accepts data.
func parsedAs(prefix, data string) bool {
	var ok bool
	switch prefix {
	case prefixLanguage:
		_, _, ok = parseLanguageButton(data)
	case prefixDeleteMe:
		_, ok = parseDeleteMeButton(data)
	case prefixCancel:
		ok = parseCancelButton(data)
	case prefixCoordinators:
		_, _, ok = parseCoordinatorsButton(data)
	case prefixWizard:
		_, _, ok = parseWizardButton(data)
	case prefixProject:
		_, _, _, ok = projectButton(data)
		ok = ok || isMyProjectsButton(data)
	case prefixFind:
		_, _, _, ok = findButton(data)
	case prefixContact:
		_, _, ok = parseContactDecision(data)
	case prefixReport:
		_, _, ok = parseReportButton(data)
	case prefixEvent:
		_, ok = parseEventButton(data)
	case prefixManageEvent:
		_, ok = parseManageEventButton(data)
	case prefixSettings:
		_, ok = parseSettingsButton(data)
		if !ok {
			_, ok = parseSettingsKindButton(data)
		}
		if !ok {
			_, ok = parseSettingsUnmuteButton(data)
		}
	case prefixProfile:
		_, ok = parseProfileButton(data)
	case prefixNetwork:
		_, ok = parseNetworkButton(data)
	case prefixTown:
		_, _, ok = parseTownDecision(data)
	case prefixBroadcast:
		_, _, ok = parseBroadcastButton(data)
	case prefixBroadcastFor:
		_, _, ok = parseBroadcastForButton(data)
	case prefixTranslate:
		_, _, _, ok = parseTranslateButton(data)
	}
	return ok
}

// FuzzButtonData: forged callback data never crashes a parser, and what a
// parser accepts is exactly what a button of that form would carry. And
// for every family, what a maker makes from fuzzed fields either is
// refused for its length, its encoding or a ':' inside a field, or is the
// expected data and parses back to those fields.
func FuzzButtonData(f *testing.F) {
	for _, seed := range []string{"cr:a:1", "rp:h:9", "pj:v:abcdefgh23", "pj:e:abcdefgh23:title", "fd:3:p:1",
		"fd:3:w:12:0", ":", "::::", "pj:e:ĳĳĳĳĳ:x", "fd:-1:p", "cr:a:+5"} {
		f.Add(seed, "", "", int64(0), 0, uint8(0))
	}
	for _, seed := range []struct {
		data, s1, s2 string
		n1           int64
		n2           int
		pick         uint8
	}{
		{"lang:uk:s", "uk", "s", 1, 0, 0},
		{"lang:sv:pabcdefgh23", "sv", "pabcdefgh23", 9002, 3, 1},
		{"wz:3:Europe/Kyiv", "Europe/Kyiv", "12,0", 42, 3, 2},
		{"wz:0:<", "<", "", 7, 0, 3},
		{"wz:1:+music", "+music", "a:b", -5, 1, 4},
		{"ev:l:town:2", "title", "spam", 1 << 40, 2, 5},
		{"ev:v:8:projects:1", "p", "1", math.MaxInt64, 9999, 6},
		{"ev:rt:8:60", "q", "", math.MinInt64, -1, 7},
		{"evc:f:8:when", "c", "DE", 8, 10000, 8},
		{"tw:no:-2", "ж", strings.Repeat("x", 60), -2, 1, 9},
		{"nw:31", "\xff", "a:b:c", 31, 1 << 20, 255},
		{"co:rv:9002", "", "", 0, 0, 128},
	} {
		f.Add(seed.data, seed.s1, seed.s2, seed.n1, seed.n2, seed.pick)
	}
	f.Fuzz(func(t *testing.T, data, s1, s2 string, n1 int64, n2 int, pick uint8) {
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
		for _, d := range []string{data, s1, s2} {
			for _, p := range buttonPrefixes {
				if parsedAs(p, d) && callbackPrefix(d) != p {
					t.Fatalf("the parser of %q accepts %q", p, d)
				}
			}
		}
		roundTrips(t, s1, s2, n1, n2, pick)
	})
}

// roundTrips makes a button of every family from the fuzzed fields and
// parses it back.
func roundTrips(t *testing.T, s1, s2 string, n1 int64, n2 int, pick uint8) {
	id := n1 & math.MaxInt64 // a positive id
	if id == 0 {
		id = 1
	}
	i := int(pick)
	nonNeg := n2 & math.MaxInt
	page := nonNeg % (maxEventPage + 1)
	idText, n1Text := strconv.FormatInt(id, 10), strconv.FormatInt(n1, 10)
	code := projectCode(n1)

	check(t, languageButton(s1, s2), []string{"lang", s1, s2}, false, func(d string) bool {
		c, o, ok := parseLanguageButton(d)
		return ok && c == s1 && o == s2
	})
	yes := pick&1 == 1
	check(t, deleteMeButton(yes), []string{"del", map[bool]string{true: "yes", false: "no"}[yes]}, false, func(d string) bool {
		y, ok := parseDeleteMeButton(d)
		return ok && y == yes
	})
	check(t, cancelButton(), []string{"cancel", ""}, false, parseCancelButton)
	check(t, coordinatorsAddButton(), []string{"co", "add"}, false, func(d string) bool {
		a, _, ok := parseCoordinatorsButton(d)
		return ok && a == coordinatorsAdd
	})
	check(t, coordinatorRevokeButton(n1), []string{"co", "rv", n1Text}, false, func(d string) bool {
		a, u, ok := parseCoordinatorsButton(d)
		return ok && a == coordinatorsRevoke && u == n1
	})

	// wizard: the value is the rest of the data; "<" is reserved for Back.
	wz := wizardButton(nonNeg, s1)
	if s1 == "<" {
		if !errors.Is(wz.err, errDataReserved) {
			t.Fatalf("wizardButton(%d, \"<\") = %q, %v", nonNeg, wz.s, wz.err)
		}
	} else {
		check(t, wz, []string{"wz", strconv.Itoa(nonNeg), s1}, true, func(d string) bool {
			st, v, ok := parseWizardButton(d)
			return ok && st == nonNeg && v == s1
		})
	}
	check(t, wizardButton(nonNeg, wizardBack), []string{"wz", strconv.Itoa(nonNeg), "<"}, true, func(d string) bool {
		st, v, ok := parseWizardButton(d)
		return ok && st == nonNeg && v == wizardBack
	})

	actions := []string{projectView, projectCard, projectFollow, projectContact, projectReport, projectEdit,
		projectArchive, projectDelete, projectDeleteYes, projectNews}
	action := actions[i%len(actions)]
	check(t, projectButtonData(action, code), []string{"pj", action, code}, false, func(d string) bool {
		a, c, arg, ok := projectButton(d)
		return ok && a == action && c == code && arg == ""
	})
	check(t, projectButtonWith(action, code, s2), []string{"pj", action, code, s2}, false, func(d string) bool {
		a, c, arg, ok := projectButton(d)
		return ok && a == action && c == code && arg == s2
	})
	check(t, myProjectsButton(), []string{"pj", "my"}, false, isMyProjectsButton)

	var args []string
	switch i % 3 {
	case 1:
		args = []string{s2}
	case 2:
		args = strings.Split(s2, ",")
	}
	check(t, findButtonData(id, s1, args...), append([]string{"fd", idText, s1}, args...), false, func(d string) bool {
		got, op, a, ok := findButton(d)
		return ok && got == id && op == s1 && slices.Equal(a, args)
	})

	check(t, contactDecisionButton(yes, id), []string{"cr", map[bool]string{true: "a", false: "d"}[yes], idText}, false, func(d string) bool {
		acc, got, ok := parseContactDecision(d)
		return ok && acc == yes && got == id
	})
	reportActs := []string{reportHide, reportDismiss, reportUnhide}
	ra := reportActs[i%len(reportActs)]
	check(t, reportButton(ra, id), []string{"rp", ra, idText}, false, func(d string) bool {
		a, got, ok := parseReportButton(d)
		return ok && a == ra && got == id
	})

	tab := eventTabs[i%len(eventTabs)]
	event := func(want eventData) func(string) bool {
		return func(d string) bool {
			got, ok := parseEventButton(d)
			return ok && got == want
		}
	}
	check(t, eventListButton(tab, page), []string{"ev", "l", string(tab), strconv.Itoa(page)}, false,
		event(eventData{Action: eventActList, Tab: tab, Page: page}))
	evActs := []string{eventActView, eventActOpen, eventActRemind, eventActICS}
	ea := evActs[i%len(evActs)]
	check(t, eventButton(ea, id), []string{"ev", ea, idText}, false, event(eventData{Action: ea, ID: id}))
	check(t, eventCardButton(id, tab, page), []string{"ev", "v", idText, string(tab), strconv.Itoa(page)}, false,
		event(eventData{Action: eventActView, ID: id, Tab: tab, Page: page}))
	offset := remind.All[i%len(remind.All)]
	check(t, eventReminderToggle(id, offset), []string{"ev", "rt", idText, strconv.Itoa(int(offset))}, false,
		event(eventData{Action: eventActToggle, ID: id, Offset: offset}))

	manage := func(want manageEventData) func(string) bool {
		return func(d string) bool {
			got, ok := parseManageEventButton(d)
			return ok && got == want
		}
	}
	mActs := []string{manageEdit, manageCancel, manageCancelYes}
	ma := mActs[i%len(mActs)]
	check(t, manageEventButton(ma, id), []string{"evc", ma, idText}, false, manage(manageEventData{Action: ma, ID: id}))
	field := eventFields[i%len(eventFields)]
	check(t, manageEventFieldButton(id, field), []string{"evc", "f", idText, field}, false,
		manage(manageEventData{Action: manageField, ID: id, Field: field}))

	set := []string{settingsZone, settingsLanguage}[i%2]
	check(t, settingsButton(set), []string{"set", set}, false, func(d string) bool {
		w, ok := parseSettingsButton(d)
		return ok && w == set
	})
	pf := []string{profileEdit, profileLater}[i%2]
	check(t, profileButton(pf), []string{"pf", pf}, false, func(d string) bool {
		a, ok := parseProfileButton(d)
		return ok && a == pf
	})
	check(t, networkButton(n1), []string{"nw", n1Text}, false, func(d string) bool {
		got, ok := parseNetworkButton(d)
		return ok && got == n1
	})
	decision := []string{townConfirm, townReject}[i%2]
	check(t, townDecisionButton(decision, n1), []string{"tw", decision, n1Text}, false, func(d string) bool {
		dec, got, ok := parseTownDecision(d)
		return ok && dec == decision && got == n1
	})
	trKind := []string{trProject, trEvent, trContact, trBroadcast}[i%4]
	trView := []string{trNew, trNewOriginal, trShow, trOriginal}[(i/4)%4]
	trRef := idText
	if trKind == trProject {
		trRef = code
	}
	check(t, translateButton(trKind, trRef, trView), []string{"tr", trKind, trRef, trView}, false, func(d string) bool {
		k, ref, v, ok := parseTranslateButton(d)
		return ok && k == trKind && ref == trRef && v == trView
	})
}

// check: d was made from fields (the prefix first; the last one may
// contain ':' if rest). It is refused exactly when a field holds ':' or
// the data would be invalid UTF-8 or longer than 64 bytes, for that
// reason; otherwise it is the fields joined by ':' and parses back.
func check(t *testing.T, d buttonData, fields []string, rest bool, parses func(string) bool) {
	t.Helper()
	want := strings.Join(fields, ":")
	inner := fields[1:]
	if rest {
		inner = inner[:len(inner)-1]
	}
	sep := slices.ContainsFunc(inner, func(f string) bool { return strings.Contains(f, ":") })
	bad := sep || !utf8.ValidString(want) || len(want) > maxButtonData
	switch {
	case d.err != nil && !bad:
		t.Fatalf("%q refused: %v", want, d.err)
	case d.err != nil && !(errors.Is(d.err, errDataSeparator) && sep ||
		errors.Is(d.err, errDataNotUTF8) && !utf8.ValidString(want) ||
		errors.Is(d.err, errDataTooLong) && len(want) > maxButtonData):
		t.Fatalf("%q refused for a wrong reason: %v", want, d.err)
	case d.err == nil && bad:
		t.Fatalf("%q made (%q)", want, d.s)
	case d.err == nil && d.s != want:
		t.Fatalf("made %q, want %q", d.s, want)
	case d.err == nil && !parses(d.s):
		t.Fatalf("%q does not parse back", d.s)
	}
}

// projectCode is a valid project code made of n's bits.
func projectCode(n int64) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 10)
	for i := range b {
		b[i] = alphabet[uint64(n)>>(5*i)&31]
	}
	return string(b)
}
