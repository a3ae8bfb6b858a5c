package bot

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"partnerbot/internal/remind"
	"partnerbot/storage"
)

// Callback data is what an inline button carries back when pressed:
// "<prefix>:<field>:...", the prefix naming the family of buttons and so
// the handler (surface.go). This file is the only place that writes or
// reads it: for every form of button a typed maker and a parser.
//
// Makers check what they make (valid UTF-8, at most 64 bytes, no ':'
// inside a field); everything in callback data comes from the program, so
// a datum that does not pass is a bug, and button panics on it.
//
// Callback data comes from the client and can be forged. Parsers check
// only its form, as strictly as a handler needs; handlers check ownership
// and roles against the database.

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
	prefixGroupOwner   = "gr" // group_link.go
	prefixJoin         = "gj" // group_join.go
	prefixGroupSet     = "gs" // group_youth.go
	prefixBroadcast    = "bc"
	prefixBroadcastFor = "bm"
	prefixTranslate    = "tr" // translate.go
)

// maxButtonData is Telegram's limit on callback_data, in bytes.
const maxButtonData = 64

// dataSep separates the prefix and the fields of callback data.
const dataSep = ":"

// Why a maker refuses its fields.
var (
	errDataTooLong   = errors.New("longer than 64 bytes")
	errDataNotUTF8   = errors.New("not valid UTF-8")
	errDataSeparator = errors.New("a field contains ':'")
	errDataReserved  = errors.New("a wizard choice value is the reserved \"<\"")
)

// buttonData is the callback data of one button. Only the makers below
// produce it (it is not a string, so a string cannot be passed where it
// is expected); err says why the fields given to the maker cannot travel.
type buttonData struct {
	s   string
	err error
}

// encode joins prefix and fields with ':'; no field may contain ':'.
func encode(prefix string, fields ...string) buttonData {
	for _, f := range fields {
		if strings.Contains(f, dataSep) {
			return buttonData{err: fmt.Errorf("callback data %s:…: field %q: %w", prefix, f, errDataSeparator)}
		}
	}
	return checked(prefix + dataSep + strings.Join(fields, dataSep))
}

// encodeRest is encode with a last field, rest, that may contain ':': its
// parser takes everything after the other fields as one.
func encodeRest(prefix, rest string, fields ...string) buttonData {
	d := encode(prefix, fields...)
	if d.err != nil {
		return d
	}
	return checked(d.s + dataSep + rest)
}

func checked(s string) buttonData {
	switch {
	case !utf8.ValidString(s):
		return buttonData{s: s, err: fmt.Errorf("callback data %q: %w", s, errDataNotUTF8)}
	case len(s) > maxButtonData:
		return buttonData{s: s, err: fmt.Errorf("callback data %q (%d bytes): %w", s, len(s), errDataTooLong)}
	}
	return buttonData{s: s}
}

// callbackPrefix is the family of callback data: the part before the
// first ':'.
func callbackPrefix(data string) string {
	prefix, _, _ := strings.Cut(data, dataSep)
	return prefix
}

// fieldsOf splits data of the family prefix into its fields after the
// prefix; ok is false for data of another family.
func fieldsOf(data, prefix string) (fields []string, ok bool) {
	rest, ok := strings.CutPrefix(data, prefix+dataSep)
	if !ok {
		return nil, false
	}
	return strings.Split(rest, dataSep), true
}

// parseID reads a positive id.
func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// parseInt64 reads any int64: for the ids whose handlers have always let
// the database refuse the impossible ones.
func parseInt64(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }

// ---------------------------------------------------------------- lang

// languageButton picks the language code; origin says what the picker was
// shown for: pickFromStart, a deep link's payload, or "".
// "lang:<code>:<origin>".
func languageButton(code, origin string) buttonData {
	return encode(prefixLanguage, code, origin)
}

// parseLanguageButton reads languageButton. Whether the code is a
// supported language is the catalogue's to say.
func parseLanguageButton(data string) (code, origin string, ok bool) {
	f, ok := fieldsOf(data, prefixLanguage)
	if !ok || len(f) != 2 {
		return "", "", false
	}
	return f[0], f[1], true
}

// ---------------------------------------------------------------- del

// deleteMeButton answers /deleteme's question: "del:yes" or "del:no".
func deleteMeButton(yes bool) buttonData {
	if yes {
		return encode(prefixDeleteMe, "yes")
	}
	return encode(prefixDeleteMe, "no")
}

func parseDeleteMeButton(data string) (yes, ok bool) {
	switch data {
	case prefixDeleteMe + dataSep + "yes":
		return true, true
	case prefixDeleteMe + dataSep + "no":
		return false, true
	}
	return false, false
}

// deleteMeConfirmButton is the "Yes" of /deleteme's question as asked to
// userID at: "del:yes:<user id>:<unix seconds>". The handler erases only
// when the presser is that user and the question is recent (the bare
// "del:yes" of deleteMeButton is no longer offered).
func deleteMeConfirmButton(userID int64, at time.Time) buttonData {
	return encode(prefixDeleteMe, "yes", formatID(userID), strconv.FormatInt(at.Unix(), 10))
}

// parseDeleteMeConfirm reads deleteMeConfirmButton: a positive user id and
// a time. Whether they fit the presser and the clock is the handler's to
// say.
func parseDeleteMeConfirm(data string) (userID int64, at time.Time, ok bool) {
	f, ok := fieldsOf(data, prefixDeleteMe)
	if !ok || len(f) != 3 || f[0] != "yes" {
		return 0, time.Time{}, false
	}
	userID, ok = parseID(f[1])
	sec, err := strconv.ParseInt(f[2], 10, 64)
	if !ok || err != nil || strconv.FormatInt(sec, 10) != f[2] {
		return 0, time.Time{}, false
	}
	return userID, time.Unix(sec, 0), true
}

// ---------------------------------------------------------------- cancel

// cancelButton leaves the current dialogue: "cancel:".
func cancelButton() buttonData { return encode(prefixCancel, "") }

// parseCancelButton accepts any data of the family: whatever it carries,
// pressing it asks for what /cancel does to one's own dialogue.
func parseCancelButton(data string) bool { return callbackPrefix(data) == prefixCancel }

// ---------------------------------------------------------------- co

// Actions of the /coordinators buttons.
const (
	coordinatorsAdd    = "add" // "co:add"
	coordinatorsRevoke = "rv"  // "co:rv:<user id>"
	coordinatorsTown   = "tw"  // "co:tw:<user id>": grant a town
)

// coordinatorTownButton asks for a town coordinator userID will speak for.
func coordinatorTownButton(userID int64) buttonData {
	return encode(prefixCoordinators, coordinatorsTown, formatID(userID))
}

func coordinatorsAddButton() buttonData { return encode(prefixCoordinators, coordinatorsAdd) }

func coordinatorRevokeButton(userID int64) buttonData {
	return encode(prefixCoordinators, coordinatorsRevoke, formatID(userID))
}

// coordinatorsPageButton shows page (from 0) of the coordinators:
// "co:p:<page>".
func coordinatorsPageButton(page int) buttonData {
	return encode(prefixCoordinators, "p", strconv.Itoa(page))
}

// parseCoordinatorsPage reads coordinatorsPageButton: a page from 0 to
// maxCoordinatorsPage, written as strconv.Itoa writes it.
func parseCoordinatorsPage(data string) (page int, ok bool) {
	f, ok := fieldsOf(data, prefixCoordinators)
	if !ok || len(f) != 2 || f[0] != "p" {
		return 0, false
	}
	page, err := strconv.Atoi(f[1])
	if err != nil || page < 0 || page > maxCoordinatorsPage || strconv.Itoa(page) != f[1] {
		return 0, false
	}
	return page, true
}

// maxCoordinatorsPage bounds a page number of /coordinators in callback
// data.
const maxCoordinatorsPage = 9999

// parseCoordinatorsButton reads coordinatorsAddButton (userID 0) and
// coordinatorRevokeButton. The user id is any number: the handler looks
// the user up.
func parseCoordinatorsButton(data string) (action string, userID int64, ok bool) {
	f, ok := fieldsOf(data, prefixCoordinators)
	switch {
	case !ok:
	case len(f) == 1 && f[0] == coordinatorsAdd:
		return coordinatorsAdd, 0, true
	case len(f) == 2 && (f[0] == coordinatorsRevoke || f[0] == coordinatorsTown):
		if id, ok := parseInt64(f[1]); ok {
			return f[0], id, true
		}
	}
	return "", 0, false
}

// ---------------------------------------------------------------- wz

// wizardButton is a choice of a wizard's question: "wz:<step>:<value>".
// The step guards against pressing a button of a question that was
// already answered. The value is the rest of the data and may contain
// ':'; wizardBack travels as "<", so "<" itself cannot be a value.
func wizardButton(step int, value string) buttonData {
	switch value {
	case "<":
		return buttonData{err: fmt.Errorf("wizard button of step %d: %w", step, errDataReserved)}
	case wizardBack:
		value = "<"
	}
	return encodeRest(prefixWizard, value, strconv.Itoa(step))
}

// parseWizardButton reads wizardButton. step is written as the wizard
// stores it (strconv.Itoa), so "01" or "+1" is no step.
func parseWizardButton(data string) (step int, value string, ok bool) {
	rest, ok := strings.CutPrefix(data, prefixWizard+dataSep)
	if !ok {
		return 0, "", false
	}
	stepText, value, ok := strings.Cut(rest, dataSep)
	step, err := strconv.Atoi(stepText)
	if !ok || err != nil || step < 0 || strconv.Itoa(step) != stepText {
		return 0, "", false
	}
	if value == "<" {
		value = wizardBack
	}
	return step, value, true
}

// ---------------------------------------------------------------- pj

// Actions of project buttons, "pj:<action>:<code>[:<arg>]" (project_card.go).
const (
	projectView      = "v"  // the card, as a new message
	projectCard      = "c"  // the card, in place
	projectFollow    = "f"  // arg "1" follow, "0" unfollow
	projectContact   = "r"  // ask the owner for contact
	projectReport    = "rp" // the reasons, or arg: the reason
	projectEdit      = "e"  // the fields, or arg: edit that field
	projectArchive   = "a"  // arg "1" archive, "0" list again
	projectDelete    = "d"  // delete?
	projectDeleteYes = "dy" // delete!
	projectNews      = "n"  // send news to the followers
)

// projectButtonData is action on the project code: "pj:<action>:<code>".
func projectButtonData(action, code string) buttonData {
	return encode(prefixProject, action, code)
}

// projectButtonWith is action on the project code with an argument:
// "pj:<action>:<code>:<arg>".
func projectButtonWith(action, code, arg string) buttonData {
	return encode(prefixProject, action, code, arg)
}

// projectButton reads projectButtonData (arg "") and projectButtonWith.
// Whether the action is one is the handler's to say.
func projectButton(data string) (action, code, arg string, ok bool) {
	f, ok := fieldsOf(data, prefixProject)
	if !ok || len(f) < 2 || len(f) > 3 || !storage.ValidProjectCode(f[1]) {
		return "", "", "", false
	}
	if len(f) == 3 {
		arg = f[2]
	}
	return f[0], f[1], arg, true
}

// myProjectsButton shows the owner's list of projects: "pj:my".
func myProjectsButton() buttonData { return encode(prefixProject, "my") }

func isMyProjectsButton(data string) bool { return data == myProjectsButton().s }

// maxMyProjectsPage bounds a page number of /myprojects in callback data.
const maxMyProjectsPage = 9999

// myProjectsPageButton shows page (from 0) of the owner's list of
// projects: "pj:my" for the first, "pj:my:<page>" for the others.
func myProjectsPageButton(page int) buttonData {
	if page == 0 {
		return myProjectsButton()
	}
	return encode(prefixProject, "my", strconv.Itoa(page))
}

// parseMyProjectsButton reads myProjectsButton (page 0) and
// myProjectsPageButton: a page from 1 to maxMyProjectsPage, written as
// strconv.Itoa writes it.
func parseMyProjectsButton(data string) (page int, ok bool) {
	if isMyProjectsButton(data) {
		return 0, true
	}
	f, ok := fieldsOf(data, prefixProject)
	if !ok || len(f) != 2 || f[0] != "my" {
		return 0, false
	}
	page, err := strconv.Atoi(f[1])
	if err != nil || page < 1 || page > maxMyProjectsPage || strconv.Itoa(page) != f[1] {
		return 0, false
	}
	return page, true
}

// ---------------------------------------------------------------- fd

// Operations of search buttons, "fd:<search id>:<op>[:<args>...]"
// (find.go), and the filters chosen from a menu (findMenus), whose op is
// the menu and whose one arg the option.
const (
	findOpPage     = "p" // arg: the page, from 0
	findOpResults  = "r" // the first page
	findOpFilters  = "f" // the filter panel
	findOpClear    = "x" // clear the filters
	findOpText     = "q" // ask for the text
	findOpTown     = "w" // ask for the town, or args: town id and word index of a suggested town
	findOpCountry  = "c"
	findOpSector   = "s"
	findOpTopic    = "t"
	findOpLanguage = "l"
)

// findButtonData is op on the user's search id.
func findButtonData(searchID int64, op string, args ...string) buttonData {
	return encode(prefixFind, append([]string{formatID(searchID), op}, args...)...)
}

// findButton reads findButtonData. What op and args mean is the
// handler's to check.
func findButton(data string) (id int64, op string, args []string, ok bool) {
	f, ok := fieldsOf(data, prefixFind)
	if !ok || len(f) < 2 {
		return 0, "", nil, false
	}
	if id, ok = parseID(f[0]); !ok {
		return 0, "", nil, false
	}
	return id, f[1], f[2:], true
}

// ---------------------------------------------------------------- cr, rp

// idButton parses "<prefix>:<action>:<id>" with action one of actions and
// a positive id, whatever the prefix.
func idButton(data string, actions ...string) (action string, id int64, ok bool) {
	parts := strings.Split(data, dataSep)
	if len(parts) != 3 || !slices.Contains(actions, parts[1]) {
		return "", 0, false
	}
	if id, ok = parseID(parts[2]); !ok {
		return "", 0, false
	}
	return parts[1], id, true
}

// contactDecisionButton is the owner's answer to contact request id:
// "cr:a:<id>" (accept) or "cr:d:<id>" (decline).
func contactDecisionButton(accept bool, requestID int64) buttonData {
	action := "d"
	if accept {
		action = "a"
	}
	return encode(prefixContact, action, formatID(requestID))
}

func parseContactDecision(data string) (accept bool, requestID int64, ok bool) {
	if callbackPrefix(data) != prefixContact {
		return false, 0, false
	}
	action, id, ok := idButton(data, "a", "d")
	return ok && action == "a", id, ok
}

// Actions of the moderators' buttons on reports, "rp:<action>:<id>".
const (
	reportHide    = "h" // hide the project of report id
	reportDismiss = "x" // dismiss report id
	reportUnhide  = "u" // list hidden project id again
)

func reportButton(action string, id int64) buttonData {
	return encode(prefixReport, action, formatID(id))
}

func parseReportButton(data string) (action string, id int64, ok bool) {
	if callbackPrefix(data) != prefixReport {
		return "", 0, false
	}
	return idButton(data, reportHide, reportDismiss, reportUnhide)
}

// ---------------------------------------------------------------- ev

// Actions of event buttons anyone may press (event_list.go).
const (
	eventActList   = "l"   // "ev:l:<tab>:<page>": a page of a list
	eventActView   = "v"   // "ev:v:<id>[:<tab>:<page>]": the card in place; Back returns to that page (default: the first of all events)
	eventActOpen   = "o"   // "ev:o:<id>": the card as a new message
	eventActRemind = "r"   // "ev:r:<id>": the reminder toggles
	eventActToggle = "rt"  // "ev:rt:<id>:<offset>": toggle one reminder
	eventActICS    = "ics" // "ev:ics:<id>": the calendar file
)

// maxEventPage bounds a page number of an event list in callback data.
const maxEventPage = 9999

// eventData is what an event button says.
type eventData struct {
	Action string
	// ID is the event; 0 for eventActList.
	ID int64
	// Tab and Page are the list page eventActList shows and the one the
	// card of eventActView returns to (Tab "" and Page 0: the first page
	// of all events).
	Tab  storage.EventFilter
	Page int
	// Offset is the reminder eventActToggle switches.
	Offset remind.Offset
}

// eventListButton shows page (from 0) of the list tab.
func eventListButton(tab storage.EventFilter, page int) buttonData {
	return encode(prefixEvent, eventActList, string(tab), strconv.Itoa(page))
}

// eventButton is action (eventActView, eventActOpen, eventActRemind,
// eventActICS) on event id.
func eventButton(action string, id int64) buttonData {
	return encode(prefixEvent, action, formatID(id))
}

// eventCardButton shows the card of event id, in place of page of the
// list tab, to which its Back button returns.
func eventCardButton(id int64, tab storage.EventFilter, page int) buttonData {
	return encode(prefixEvent, eventActView, formatID(id), string(tab), strconv.Itoa(page))
}

// eventReminderToggle switches the reminder offset of event id.
func eventReminderToggle(id int64, offset remind.Offset) buttonData {
	return encode(prefixEvent, eventActToggle, formatID(id), strconv.Itoa(int(offset)))
}

// listBack shows the first page of all events: the Back button of a card
// not opened from a list page.
var listBack = eventListButton(storage.EventsAll, 0)

// back is the Back button of the card d opens.
func (d eventData) back() buttonData {
	if d.Tab == "" {
		return listBack
	}
	return eventListButton(d.Tab, d.Page)
}

// parseEventButton reads the event buttons above: known action, positive
// id, a tab of eventTabs with a page from 0 to maxEventPage, an offset
// of remind.All.
func parseEventButton(data string) (eventData, bool) {
	f, ok := fieldsOf(data, prefixEvent)
	if !ok || len(f) < 2 {
		return eventData{}, false
	}
	if f[0] == eventActList {
		tab, page, ok := parseListPosition(f[1:])
		return eventData{Action: eventActList, Tab: tab, Page: page}, ok
	}
	id, ok := parseID(f[1])
	if !ok {
		return eventData{}, false
	}
	d := eventData{Action: f[0], ID: id}
	switch {
	case len(f) == 2 && slices.Contains([]string{eventActView, eventActOpen, eventActRemind, eventActICS}, d.Action):
		return d, true
	case len(f) == 4 && d.Action == eventActView:
		d.Tab, d.Page, ok = parseListPosition(f[2:])
		return d, ok
	case len(f) == 3 && d.Action == eventActToggle:
		n, err := strconv.Atoi(f[2])
		d.Offset = remind.Offset(n)
		return d, err == nil && d.Offset.Valid()
	}
	return eventData{}, false
}

// parseListPosition reads a tab and a page number.
func parseListPosition(f []string) (storage.EventFilter, int, bool) {
	if len(f) != 2 {
		return "", 0, false
	}
	tab := storage.EventFilter(f[0])
	page, err := strconv.Atoi(f[1])
	if err != nil || page < 0 || page > maxEventPage || !slices.Contains(eventTabs, tab) {
		return "", 0, false
	}
	return tab, page, true
}

// ---------------------------------------------------------------- evc

// Actions of the organiser's buttons on an event (event_wizard.go).
const (
	manageEdit      = "e"  // "evc:e:<id>": what to edit
	manageField     = "f"  // "evc:f:<id>:<field>": edit it
	manageCancel    = "x"  // "evc:x:<id>": cancel?
	manageCancelYes = "xy" // "evc:xy:<id>": cancel!
)

// manageEventData is what an organiser's button says.
type manageEventData struct {
	Action string
	ID     int64
	// Field is the field of eventFields manageField edits.
	Field string
}

// manageEventButton is action (manageEdit, manageCancel,
// manageCancelYes) on event id.
func manageEventButton(action string, id int64) buttonData {
	return encode(prefixManageEvent, action, formatID(id))
}

// manageEventFieldButton edits field of event id.
func manageEventFieldButton(id int64, field string) buttonData {
	return encode(prefixManageEvent, manageField, formatID(id), field)
}

// manageEventID reads only the event of an organiser's button,
// "evc:<anything>:<id>[:...]", a positive id: whether the presser may
// manage that event is answered before the form of the rest.
func manageEventID(data string) (int64, bool) {
	f, ok := fieldsOf(data, prefixManageEvent)
	if !ok || len(f) < 2 {
		return 0, false
	}
	return parseID(f[1])
}

// parseManageEventButton reads the organiser's buttons: known action,
// positive id, a field of eventFields.
func parseManageEventButton(data string) (manageEventData, bool) {
	id, ok := manageEventID(data)
	if !ok {
		return manageEventData{}, false
	}
	f, _ := fieldsOf(data, prefixManageEvent)
	d := manageEventData{Action: f[0], ID: id}
	switch {
	case len(f) == 2 && slices.Contains([]string{manageEdit, manageCancel, manageCancelYes}, d.Action):
		return d, true
	case len(f) == 3 && d.Action == manageField && slices.Contains(eventFields, f[2]):
		d.Field = f[2]
		return d, true
	}
	return manageEventData{}, false
}

// ---------------------------------------------------------------- set, pf

// The /settings buttons: "set:tz", "set:lang".
const (
	settingsZone     = "tz"
	settingsLanguage = "lang"
)

func settingsButton(what string) buttonData { return encode(prefixSettings, what) }

func parseSettingsButton(data string) (what string, ok bool) {
	return oneOf(data, prefixSettings, settingsZone, settingsLanguage)
}

// The profile buttons: "pf:edit" (start or edit the profile), "pf:later"
// (decline the offer after /start).
const (
	profileEdit  = "edit"
	profileLater = "later"
)

func profileButton(action string) buttonData { return encode(prefixProfile, action) }

func parseProfileButton(data string) (action string, ok bool) {
	return oneOf(data, prefixProfile, profileEdit, profileLater)
}

// oneOf reads "<prefix>:<word>" with word one of words.
func oneOf(data, prefix string, words ...string) (string, bool) {
	word, ok := strings.CutPrefix(data, prefix+dataSep)
	if !ok || !slices.Contains(words, word) {
		return "", false
	}
	return word, true
}

// ---------------------------------------------------------------- nw, tw

// networkButton shows the network of town id: "nw:<town id>".
func networkButton(townID int64) buttonData { return encode(prefixNetwork, formatID(townID)) }

// parseNetworkButton reads networkButton. The id is any number: only
// confirmed towns are shown.
func parseNetworkButton(data string) (townID int64, ok bool) {
	f, ok := fieldsOf(data, prefixNetwork)
	if !ok || len(f) != 1 {
		return 0, false
	}
	return parseInt64(f[0])
}

// A coordinator's decision on a proposed town: "tw:ok:<id>", "tw:no:<id>".
const (
	townConfirm = "ok"
	townReject  = "no"
)

func townDecisionButton(decision string, townID int64) buttonData {
	return encode(prefixTown, decision, formatID(townID))
}

// parseTownDecision reads townDecisionButton. The id is any number: a
// town that is not (or no longer) proposed is refused by the database.
func parseTownDecision(data string) (decision string, townID int64, ok bool) {
	f, ok := fieldsOf(data, prefixTown)
	if !ok || len(f) != 2 || (f[0] != townConfirm && f[0] != townReject) {
		return "", 0, false
	}
	if townID, ok = parseInt64(f[1]); !ok {
		return "", 0, false
	}
	return f[0], townID, true
}

// ---------------------------------------------------------------- gr, gj, gs

// Actions of the owner's buttons for a project's group and channel,
// "gr:<action>:<code>[:<arg>]" (group_link.go).
const (
	groupOwnerMenu    = "m"  // the group panel
	groupOwnerChannel = "ch" // link a channel: remember the intent, show the link
	groupOwnerRules   = "rl" // arg: the language of the rules to write
	groupOwnerDecide  = "od" // arg "1": the owner decides each request, "0": approve after the rules
	groupOwnerAdult   = "ad" // no arg: name the responsible adult; arg "0": not a youth project
)

var groupOwnerActions = []string{groupOwnerMenu, groupOwnerChannel, groupOwnerRules, groupOwnerDecide, groupOwnerAdult}

func groupOwnerButton(action, code string, arg ...string) buttonData {
	return encode(prefixGroupOwner, append([]string{action, code}, arg...)...)
}

// parseGroupOwnerButton reads groupOwnerButton: a known action, a project
// code and at most one argument, whose meaning is the handler's to check.
func parseGroupOwnerButton(data string) (action, code, arg string, ok bool) {
	f, ok := fieldsOf(data, prefixGroupOwner)
	if !ok || len(f) < 2 || len(f) > 3 || !slices.Contains(groupOwnerActions, f[0]) || !storage.ValidProjectCode(f[1]) {
		return "", "", "", false
	}
	if len(f) == 3 {
		arg = f[2]
	}
	return f[0], f[1], arg, true
}

// Actions on a join request, "gj:<action>:<id>" (group_join.go).
const (
	joinAgree   = "ok" // the applicant agrees to the rules
	joinApprove = "a"  // the owner approves
	joinDecline = "d"  // the owner declines
)

func joinButton(action string, requestID int64) buttonData {
	return encode(prefixJoin, action, formatID(requestID))
}

func parseJoinButton(data string) (action string, requestID int64, ok bool) {
	if callbackPrefix(data) != prefixJoin {
		return "", 0, false
	}
	return idButton(data, joinAgree, joinApprove, joinDecline)
}

// Youth group settings pressed in the group, "gs:<what>[:<arg>]"
// (group_youth.go): toggle what arrives, or set the group's language.
const (
	groupSetProjects   = "p"  // arg "1"/"0"
	groupSetEvents     = "e"  // arg "1"/"0"
	groupSetBroadcasts = "b"  // arg "1"/"0"
	groupSetLanguage   = "lg" // arg: the language code
)

func groupSetButton(what, arg string) buttonData { return encode(prefixGroupSet, what, arg) }

func parseGroupSetButton(data string) (what, arg string, ok bool) {
	f, ok := fieldsOf(data, prefixGroupSet)
	if !ok || len(f) != 2 {
		return "", "", false
	}
	switch f[0] {
	case groupSetProjects, groupSetEvents, groupSetBroadcasts:
		return f[0], f[1], f[1] == "0" || f[1] == "1"
	case groupSetLanguage:
		return f[0], f[1], len(f[1]) == 2
	}
	return "", "", false
}

// ---------------------------------------------------------------- bc, bm

// Actions of the author's buttons on a broadcast, "bc:<action>:<id>"
// (broadcast_send.go): coordinators and admins; whether the presser may
// act on that broadcast is checked from the database.
const (
	broadcastStop    = "s" // stop sending what is not yet sent
	broadcastCorrect = "f" // correct the text
	broadcastView    = "v" // the figures, as a new message
)

func broadcastButton(action string, id int64) buttonData {
	return encode(prefixBroadcast, action, formatID(id))
}

// parseBroadcastButton reads broadcastButton: known action, positive id.
func parseBroadcastButton(data string) (action string, id int64, ok bool) {
	if callbackPrefix(data) != prefixBroadcast {
		return "", 0, false
	}
	return idButton(data, broadcastStop, broadcastCorrect, broadcastView)
}

// Actions of a recipient's buttons under a broadcast, "bm:<action>:<id>":
// anyone may press them; the handler checks that the presser received
// that broadcast.
const (
	broadcastRemind    = "r"  // remind me of the deadline
	broadcastMuteTown  = "mt" // mute announcements from its town
	broadcastMuteTopic = "mp" // mute announcements on its topic
)

func broadcastForButton(action string, id int64) buttonData {
	return encode(prefixBroadcastFor, action, formatID(id))
}

// parseBroadcastForButton reads broadcastForButton.
func parseBroadcastForButton(data string) (action string, id int64, ok bool) {
	if callbackPrefix(data) != prefixBroadcastFor {
		return "", 0, false
	}
	return idButton(data, broadcastRemind, broadcastMuteTown, broadcastMuteTopic)
}

// The /settings switches of message kinds, "set:k:<kind>", and the lifting
// of a mute, "set:u:<town|topic>:<value>".
const (
	settingsKind   = "k"
	settingsUnmute = "u"
)

func settingsKindButton(kind string) buttonData { return encode(prefixSettings, settingsKind, kind) }

func settingsUnmuteButton(kind, value string) buttonData {
	return encode(prefixSettings, settingsUnmute, kind, value)
}

// parseSettingsKindButton reads settingsKindButton: a kind of
// storage.MessageKinds.
func parseSettingsKindButton(data string) (kind string, ok bool) {
	f, ok := fieldsOf(data, prefixSettings)
	if !ok || len(f) != 2 || f[0] != settingsKind || !slices.Contains(storage.MessageKinds, f[1]) {
		return "", false
	}
	return f[1], true
}

// parseSettingsUnmuteButton reads settingsUnmuteButton: a town id or a
// topic of storage.Topics.
func parseSettingsUnmuteButton(data string) (storage.Mute, bool) {
	f, ok := fieldsOf(data, prefixSettings)
	if !ok || len(f) != 3 || f[0] != settingsUnmute {
		return storage.Mute{}, false
	}
	switch f[1] {
	case storage.MuteTown:
		if _, ok := parseID(f[2]); ok {
			return storage.Mute{Kind: storage.MuteTown, Value: f[2]}, true
		}
	case storage.MuteTopic:
		if storage.ValidTopic(f[2]) {
			return storage.Mute{Kind: storage.MuteTopic, Value: f[2]}, true
		}
	}
	return storage.Mute{}, false
}

// ---------------------------------------------------------------- translate

// What a translation button is about, "tr:<kind>:<ref>:<view>": ref is a
// project's code or an event's, contact request's or broadcast's id. The
// handler checks that the presser may read the text.
const (
	trProject   = "p"
	trEvent     = "e"
	trContact   = "c"
	trBroadcast = "b"
)

// What a translation button shows: the translation or the original, as a
// new message (from the card or copy itself) or in place of the other.
const (
	trNew         = "n"
	trNewOriginal = "m"
	trShow        = "t"
	trOriginal    = "o"
)

func translateButton(kind, ref, view string) buttonData {
	return encode(prefixTranslate, kind, ref, view)
}

// parseTranslateButton reads translateButton.
func parseTranslateButton(data string) (kind, ref, view string, ok bool) {
	f, ok := fieldsOf(data, prefixTranslate)
	if !ok || len(f) != 3 {
		return "", "", "", false
	}
	kind, ref, view = f[0], f[1], f[2]
	switch kind {
	case trProject:
		ok = storage.ValidProjectCode(ref)
	case trEvent, trContact, trBroadcast:
		_, ok = parseID(ref)
	default:
		ok = false
	}
	if !ok || !slices.Contains([]string{trNew, trNewOriginal, trShow, trOriginal}, view) {
		return "", "", "", false
	}
	return kind, ref, view, true
}
