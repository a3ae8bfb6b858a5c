package bot

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/internal/timefmt"
	"partnerbot/internal/whenparse"
	"partnerbot/internal/zones"
	"partnerbot/storage"
)

// eventDraft is the state of the event dialogue, kept in PostgreSQL
// between messages.
type eventDraft struct {
	// EventID is the event being edited, 0 while creating one. Field is
	// then the one field being changed (one of eventFields).
	EventID     int64     `json:"event_id,omitempty"`
	Field       string    `json:"field,omitempty"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Zone        string    `json:"zone"`
	Start       time.Time `json:"start"`
	Minutes     int       `json:"minutes"`
	Place       string    `json:"place"`
	URL         string    `json:"url"`
	Town        townField `json:"town"`
	ProjectID   int64     `json:"project_id,omitempty"`
	// Projects are the organiser's own projects, offered to link the
	// event to, ProjectPage at a time (projectStepPageSize).
	Projects    []eventProject `json:"projects,omitempty"`
	ProjectPage int            `json:"project_page,omitempty"`
}

// eventProject is a project offered in the dialogue.
type eventProject struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

// eventFields are the parts of an event that can be edited one at a time.
var eventFields = []string{"title", "description", "when", "duration", "place", "town", "project"}

// fields is the draft as an event.
func (d *eventDraft) fields() storage.EventFields {
	return storage.EventFields{Title: d.Title, Description: d.Description, StartsAt: d.Start, TimeZone: d.Zone,
		Duration: time.Duration(d.Minutes) * time.Minute, Place: d.Place, URL: d.URL, TownID: d.Town.ID, ProjectID: d.ProjectID}
}

// applyTo changes the one field the draft edits in f, leaving the others
// as they are now: someone else may have changed them meanwhile.
func (d *eventDraft) applyTo(f storage.EventFields) storage.EventFields {
	n := d.fields()
	switch d.Field {
	case "title":
		f.Title = n.Title
	case "description":
		f.Description = n.Description
	case "when":
		f.StartsAt, f.TimeZone = n.StartsAt, n.TimeZone
	case "duration":
		f.Duration = n.Duration
	case "place":
		f.Place, f.URL = n.Place, n.URL
	case "town":
		f.TownID = n.TownID
	case "project":
		f.ProjectID = n.ProjectID
	}
	return f
}

func draftOfEvent(e storage.Event) eventDraft {
	return eventDraft{EventID: e.ID, Title: e.Title, Description: e.Description, Zone: e.TimeZone,
		Start: e.StartsAt.In(zones.Load(e.TimeZone)), Minutes: int(e.Duration / time.Minute), Place: e.Place, URL: e.URL,
		Town: townField{ID: e.TownID, Name: e.TownName, Country: e.TownCountry}, ProjectID: e.ProjectID}
}

func sameFields(a, b storage.EventFields) bool {
	a.StartsAt, b.StartsAt = a.StartsAt.UTC(), b.StartsAt.UTC()
	return a == b
}

// only leaves a step out when the dialogue edits another field.
func only[S any](field string, get func(*S) *eventDraft, st Step[S]) Step[S] {
	skip := st.Skip
	st.Skip = func(s *S) bool {
		d := get(s)
		return d.EventID != 0 && d.Field != field || skip != nil && skip(s)
	}
	return st
}

// durationChoices are the lengths offered as buttons, in minutes.
var durationChoices = []int{30, 60, 90, 120, 180, 240, 480}

// skipValue is the choice value that leaves an optional answer empty.
const skipValue = "-"

// eventWizard creates an event, or edits one field of one.
func (a *App) eventWizard() *Wizard[eventDraft] {
	self := func(d *eventDraft) *eventDraft { return d }
	return &Wizard[eventDraft]{
		Name: "event",
		Steps: []Step[eventDraft]{
			only("title", self, cleaned(TextStep("ev_ask_title", storage.MaxEventTitleLen, func(d *eventDraft) *string { return &d.Title }))),
			only("description", self, cleaned(a.descriptionStep())),
			only("when", self, a.zoneStep()),
			only("when", self, a.startStep()),
			only("duration", self, a.durationStep()),
			only("place", self, cleaned(a.placeStep())),
			only("town", self, townStep(a, "ev_ask_town", "ev_no_town", func(d *eventDraft) *townField { return &d.Town })),
			only("project", self, a.projectStep()),
			a.confirmStep(),
		},
		Finish: a.finishEvent,
	}
}

// cleaned hands a typed answer to st without control characters but the
// line break (storage.CleanEventText): what the organiser sees on the
// preview is what is stored and what goes into calendar files.
func cleaned[S any](st Step[S]) Step[S] {
	answer := st.Answer
	st.Answer = func(ctx context.Context, r *Request, s *S, in Input) (Result, error) {
		if !in.IsChoice {
			in.Text = storage.CleanEventText(in.Text)
		}
		return answer(ctx, r, s, in)
	}
	return st
}

func (a *App) descriptionStep() Step[eventDraft] {
	return Step[eventDraft]{
		Ask: func(r *Request, d *eventDraft) Question {
			text := r.Loc.T("ev_ask_description")
			if d.Description != "" {
				text += "\n\n" + r.Loc.T("step_current", "Value", truncate(d.Description, previewLen))
			}
			return Question{Text: text, Choices: [][]Choice{{{Label: r.Loc.Plain("ev_no_description"), Value: skipValue}}}}
		},
		Answer: func(_ context.Context, _ *Request, d *eventDraft, in Input) (Result, error) {
			if in.IsChoice {
				if in.Choice != skipValue {
					return Refuse("step_type_text"), nil
				}
				d.Description = ""
				return Accept, nil
			}
			text := strings.TrimSpace(in.Text)
			if n := utf8.RuneCountInString(text); n == 0 {
				return Refuse("step_text_empty"), nil
			} else if n > storage.MaxEventDescriptionLen {
				return Refuse("step_text_too_long", "Max", storage.MaxEventDescriptionLen, "Length", n), nil
			}
			d.Description = text
			return Accept, nil
		},
	}
}

func (a *App) zoneStep() Step[eventDraft] {
	return Step[eventDraft]{
		Ask: func(r *Request, d *eventDraft) Question {
			return Question{Text: r.Loc.T("ev_ask_zone", "Zone", zoneName(r.Loc, d.Zone)), Choices: zoneChoices(r.Loc, d.Zone)}
		},
		Answer: func(_ context.Context, _ *Request, d *eventDraft, in Input) (Result, error) {
			zone, res, ok := parseZoneAnswer(in)
			if ok && zone != d.Zone && !d.Start.IsZero() {
				// The same wall-clock time in the new zone.
				s := d.Start.In(zones.Load(d.Zone))
				d.Start = time.Date(s.Year(), s.Month(), s.Day(), s.Hour(), s.Minute(), 0, 0, zones.Load(zone))
			}
			if ok {
				d.Zone = zone
			}
			return res, nil
		},
	}
}

// example is a sample start time for the hints: a week from now at
// 18:00, written as people type it in the user's language.
func (a *App) example(r *Request, loc *time.Location) string {
	t := a.now().In(loc).AddDate(0, 0, 7)
	return timefmt.Numeric(r.Loc, time.Date(t.Year(), t.Month(), t.Day(), 18, 0, 0, 0, loc))
}

func (a *App) startStep() Step[eventDraft] {
	return Step[eventDraft]{
		Ask: func(r *Request, d *eventDraft) Question {
			loc := zones.Load(d.Zone)
			text := r.Loc.T("ev_ask_start", "Zone", zoneName(r.Loc, d.Zone), "Example", a.example(r, loc))
			if !d.Start.IsZero() {
				text += "\n\n" + r.Loc.T("step_current", "Value", timefmt.DateTime(r.Loc, d.Start.In(loc)))
			}
			return Question{Text: text}
		},
		Answer: func(_ context.Context, r *Request, d *eventDraft, in Input) (Result, error) {
			loc := zones.Load(d.Zone)
			example := a.example(r, loc)
			start, err := whenparse.Parse(in.Text, a.now(), loc)
			switch {
			case in.IsChoice:
				return Refuse("ev_bad_when", "Example", example), nil
			case errors.Is(err, whenparse.ErrNoTime):
				return Refuse("ev_bad_when_notime", "Example", example), nil
			case errors.Is(err, whenparse.ErrNoDate):
				return Refuse("ev_bad_when_nodate", "Example", example), nil
			case err != nil:
				return Refuse("ev_bad_when", "Example", example), nil
			case !start.After(a.now()):
				return Refuse("ev_bad_when_past", "Example", example), nil
			}
			d.Start = start
			return Accept, nil
		},
	}
}

func (a *App) durationStep() Step[eventDraft] {
	return Step[eventDraft]{
		Ask: func(r *Request, d *eventDraft) Question {
			q := Question{Text: r.Loc.T("ev_ask_duration")}
			var row []Choice
			for _, m := range durationChoices {
				row = append(row, Choice{Label: marked(m == d.Minutes, timefmt.Duration(r.Loc, time.Duration(m)*time.Minute)),
					Value: strconv.Itoa(m)})
				if len(row) == 4 {
					q.Choices, row = append(q.Choices, row), nil
				}
			}
			if len(row) > 0 {
				q.Choices = append(q.Choices, row)
			}
			return q
		},
		Answer: func(_ context.Context, _ *Request, d *eventDraft, in Input) (Result, error) {
			var length time.Duration
			if in.IsChoice {
				m, err := strconv.Atoi(in.Choice)
				if err != nil || !slices.Contains(durationChoices, m) {
					return Refuse("step_use_buttons"), nil
				}
				length = time.Duration(m) * time.Minute
			} else {
				var err error
				if length, err = whenparse.ParseDuration(in.Text); err != nil {
					return Refuse("ev_bad_duration"), nil
				}
			}
			d.Minutes = int(length / time.Minute)
			return Accept, nil
		},
	}
}

func (a *App) placeStep() Step[eventDraft] {
	return Step[eventDraft]{
		Ask: func(r *Request, d *eventDraft) Question {
			text := r.Loc.T("ev_ask_place")
			if cur := strings.TrimSpace(d.Place + " " + d.URL); cur != "" {
				text += "\n\n" + r.Loc.T("step_current", "Value", cur)
			}
			return Question{Text: text}
		},
		Answer: func(_ context.Context, _ *Request, d *eventDraft, in Input) (Result, error) {
			if in.IsChoice {
				return Refuse("step_type_text"), nil
			}
			place, link, problem := parsePlace(in.Text)
			if problem != "" {
				return Refuse(problem, "Max", storage.MaxEventPlaceLen), nil
			}
			d.Place, d.URL = place, link
			return Accept, nil
		},
	}
}

// parsePlace splits an answer into a place and an online link: "Town
// hall, Ichnia", "https://meet.example.org/partners", or both in one
// answer. problem is a message ID when the answer is unusable.
func parsePlace(text string) (place, link, problem string) {
	var rest []string
	for _, word := range strings.Fields(text) {
		if !looksLikeLink(word) {
			rest = append(rest, word)
			continue
		}
		if link != "" {
			return "", "", "ev_bad_place_two_links"
		}
		var ok bool
		if link, ok = normalizeLink(word); !ok {
			return "", "", "ev_bad_url"
		}
	}
	place = strings.Trim(strings.Join(rest, " "), " ,;:|/–—-")
	switch {
	case place == "" && link == "":
		return "", "", "step_text_empty"
	case utf8.RuneCountInString(place) > storage.MaxEventPlaceLen:
		return "", "", "ev_bad_place_long"
	}
	return place, link, ""
}

func looksLikeLink(word string) bool {
	w := strings.ToLower(word)
	return strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "www.") ||
		strings.Contains(w, "://")
}

// normalizeLink checks a link for an online meeting: http or https, a
// host with a dot, no credentials. "www.example.org" gets https://.
func normalizeLink(word string) (string, bool) {
	word = strings.TrimRight(word, ".,;)")
	if strings.HasPrefix(strings.ToLower(word), "www.") {
		word = "https://" + word
	}
	u, err := url.Parse(word)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Opaque != "" {
		return "", false
	}
	host := u.Hostname()
	if !strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return "", false
	}
	s := u.String()
	return s, utf8.RuneCountInString(s) <= storage.MaxEventURLLen
}

// projectStepPageSize is how many projects the project step offers at
// once: with page buttons, "no project", Back and Cancel the question
// keeps far below Telegram's 100 buttons, however many projects the
// organiser has.
const projectStepPageSize = 8

// projectPageValue prefixes the choice value of a page button of the
// project step: "page:<n>".
const projectPageValue = "page:"

// projectPages is how many pages the project step has for d.
func projectPages(d *eventDraft) int {
	return max(1, (len(d.Projects)+projectStepPageSize-1)/projectStepPageSize)
}

func (a *App) projectStep() Step[eventDraft] {
	return Step[eventDraft]{
		Skip: func(d *eventDraft) bool { return len(d.Projects) == 0 },
		Ask: func(r *Request, d *eventDraft) Question {
			text := r.Loc.T("ev_ask_project")
			page, pages := min(max(d.ProjectPage, 0), projectPages(d)-1), projectPages(d)
			if pages > 1 {
				text += "\n\n" + r.Loc.T("events_page", "Page", page+1, "Pages", pages)
			}
			q := Question{Text: text}
			from := page * projectStepPageSize
			for _, p := range d.Projects[from:min(from+projectStepPageSize, len(d.Projects))] {
				q.Choices = append(q.Choices, []Choice{{Label: marked(p.ID == d.ProjectID, truncate(p.Title, 60)),
					Value: strconv.FormatInt(p.ID, 10)}})
			}
			var nav []Choice
			if page > 0 {
				nav = append(nav, Choice{Label: r.Loc.Plain("events_prev"), Value: projectPageValue + strconv.Itoa(page-1)})
			}
			if page+1 < pages {
				nav = append(nav, Choice{Label: r.Loc.Plain("events_next"), Value: projectPageValue + strconv.Itoa(page+1)})
			}
			if len(nav) > 0 {
				q.Choices = append(q.Choices, nav)
			}
			q.Choices = append(q.Choices, []Choice{{Label: marked(d.ProjectID == 0, r.Loc.Plain("ev_no_project")), Value: skipValue}})
			return q
		},
		Answer: func(_ context.Context, _ *Request, d *eventDraft, in Input) (Result, error) {
			if !in.IsChoice {
				return Refuse("step_use_buttons"), nil
			}
			if n, ok := strings.CutPrefix(in.Choice, projectPageValue); ok {
				page, err := strconv.Atoi(n)
				if err != nil || page < 0 || page >= projectPages(d) {
					return Refuse("step_use_buttons"), nil
				}
				d.ProjectPage = page
				return Result{Stay: true}, nil
			}
			if in.Choice == skipValue {
				d.ProjectID = 0
				return Accept, nil
			}
			id, err := strconv.ParseInt(in.Choice, 10, 64)
			if err != nil || !slices.ContainsFunc(d.Projects, func(p eventProject) bool { return p.ID == id }) {
				return Refuse("step_use_buttons"), nil
			}
			d.ProjectID = id
			return Accept, nil
		},
	}
}

// confirmValue is the choice value of Publish / Save.
const confirmValue = "ok"

func (a *App) confirmStep() Step[eventDraft] {
	return Step[eventDraft]{
		Ask: func(r *Request, d *eventDraft) Question {
			e := storage.Event{EventFields: d.fields(), TownName: d.Town.Name}
			for _, p := range d.Projects {
				if p.ID == d.ProjectID {
					e.ProjectTitle = p.Title
				}
			}
			msg, label := "ev_confirm_new", "ev_publish"
			if d.EventID != 0 {
				msg, label = "ev_confirm_edit", "ev_save"
			}
			// The preview shows the time in the zone the organiser gave it in.
			text := r.Loc.T(msg) + "\n\n" + eventCard(r.Loc, e, zones.Load(d.Zone))
			return Question{Text: text, Choices: [][]Choice{{{Label: r.Loc.Plain(label), Value: confirmValue}}}}
		},
		Answer: func(_ context.Context, _ *Request, _ *eventDraft, in Input) (Result, error) {
			if !in.IsChoice || in.Choice != confirmValue {
				return Refuse("ev_confirm_hint"), nil
			}
			return Accept, nil
		},
	}
}

// ownProjects are the projects the organiser may link an event to: their
// own that are listed (neither archived nor hidden by a coordinator).
func (a *App) ownProjects(ctx context.Context, userID int64) ([]eventProject, error) {
	ps, err := a.store.ProjectsByOwner(ctx, userID)
	if err != nil {
		return nil, err
	}
	var out []eventProject
	for _, p := range ps {
		if p.Listed() {
			out = append(out, eventProject{ID: p.ID, Title: p.Title})
		}
	}
	return out, nil
}

// onNewEvent starts the dialogue that creates an event. Coordinators only
// (see routes).
func (a *App) onNewEvent(ctx context.Context, r *Request) error {
	loc, err := a.viewerZone(ctx, r)
	if err != nil {
		return err
	}
	projects, err := a.ownProjects(ctx, r.User.ID)
	if err != nil {
		return err
	}
	return a.eventWizard().Start(ctx, a, r, eventDraft{Zone: loc.String(), Minutes: 60, Projects: projects})
}

// finishEvent publishes a new event or saves an edit. Authorization is
// checked again: the role may have been revoked, or the dialogue's event
// changed hands, while it was open.
func (a *App) finishEvent(ctx context.Context, r *Request, d *eventDraft) error {
	if r.Role < RoleCoordinator {
		return a.reply(ctx, r, r.Loc.T("not_allowed_coordinator"), nil)
	}
	if d.EventID != 0 {
		return a.saveEventEdit(ctx, r, d)
	}
	f := d.fields()
	if !f.StartsAt.After(a.now()) {
		return a.reply(ctx, r, r.Loc.T("ev_start_passed"), nil)
	}
	dropped := false
	if d.ProjectID != 0 {
		// The project must still be the organiser's own, and listed.
		mine, err := a.ownProjects(ctx, r.User.ID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(mine, func(p eventProject) bool { return p.ID == d.ProjectID }) {
			f.ProjectID, dropped = 0, true
		}
	}
	youth, err := a.youthEventMessages(ctx, f) // group_youth.go
	if err != nil {
		return err
	}
	var e storage.Event
	announced := 0
	err = a.store.InTx(ctx, func(tx pgx.Tx) error {
		var audience []int64
		var err error
		if e, audience, err = a.store.CreateEventTx(ctx, tx, r.User.ID, f); err != nil {
			return err
		}
		ms := make([]delivery.Message, len(audience))
		for i, id := range audience {
			ms[i] = delivery.Message{ChatID: id, Kind: kindEventNew, Ref: e.ID}
		}
		if announced, err = a.delivery.ScheduleManyTx(ctx, tx, ms); err != nil {
			return err
		}
		return a.notify(ctx, tx, youth(e.ID)...)
	})
	if errors.Is(err, storage.ErrProjectHidden) {
		return a.reply(ctx, r, r.Loc.T("ev_project_unavailable"), nil)
	}
	if err != nil {
		return err
	}
	r.Log.Info("event created", "event_id", e.ID, "announced", announced)
	created := r.Loc.N("ev_created", announced)
	if dropped {
		created += "\n" + r.Loc.T("ev_project_dropped")
	}
	if err := a.reply(ctx, r, created, nil); err != nil {
		return err
	}
	text, kb, err := a.eventCardView(ctx, r, e, listBack)
	if err != nil {
		return err
	}
	return a.reply(ctx, r, text, kb)
}

// saveEventEdit applies the edited field, tells the subscribers what
// changed and moves their reminders, all in one transaction.
func (a *App) saveEventEdit(ctx context.Context, r *Request, d *eventDraft) error {
	e, err := a.store.Event(ctx, d.EventID)
	if errors.Is(err, storage.ErrNotFound) {
		return a.reply(ctx, r, r.Loc.T("event_closed"), nil)
	}
	if err != nil {
		return err
	}
	switch {
	case !canManage(r, e):
		return a.reply(ctx, r, r.Loc.T("ev_not_yours"), nil)
	case !a.eventOpen(e):
		return a.reply(ctx, r, r.Loc.T("event_closed"), nil)
	}
	f := d.applyTo(e.EventFields)
	if d.Field == "when" && !f.StartsAt.After(a.now()) {
		return a.reply(ctx, r, r.Loc.T("ev_start_passed"), nil)
	}
	if sameFields(f, e.EventFields) {
		return a.reply(ctx, r, r.Loc.T("ev_unchanged"), nil)
	}
	if d.Field == "project" && f.ProjectID != 0 {
		// The project must still be the organiser's own, and listed.
		mine, err := a.ownProjects(ctx, r.User.ID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(mine, func(p eventProject) bool { return p.ID == f.ProjectID }) {
			return a.reply(ctx, r, r.Loc.T("ev_project_unavailable"), nil)
		}
	}
	told, announced := 0, 0
	err = a.store.InTx(ctx, func(tx pgx.Tx) error {
		var ch storage.EventChange
		var reminders []storage.EventReminder
		var err error
		if e, ch, reminders, err = a.store.UpdateEventTx(ctx, tx, e.ID, f, a.now()); err != nil {
			return err
		}
		var ms []delivery.Message
		for _, id := range subscribers(reminders) {
			ms = append(ms, delivery.Message{ChatID: id, Kind: kindEventChanged, Ref: e.ID, Variant: ch.ID})
		}
		if told, err = a.delivery.ScheduleManyTx(ctx, tx, ms); err != nil {
			return err
		}
		// People of a new town or followers of a new project hear of the
		// event as of a new one.
		news := make([]delivery.Message, len(ch.Newcomers))
		for i, id := range ch.Newcomers {
			news[i] = delivery.Message{ChatID: id, Kind: kindEventNew, Ref: e.ID}
		}
		if announced, err = a.delivery.ScheduleManyTx(ctx, tx, news); err != nil {
			return err
		}
		if ch.Old.StartsAt.Equal(ch.New.StartsAt) && ch.Old.TimeZone == ch.New.TimeZone {
			return nil
		}
		return a.rescheduleReminders(ctx, tx, e, 0, reminders)
	})
	if errors.Is(err, storage.ErrEventClosed) {
		return a.reply(ctx, r, r.Loc.T("event_closed"), nil)
	}
	if errors.Is(err, storage.ErrProjectHidden) {
		return a.reply(ctx, r, r.Loc.T("ev_project_unavailable"), nil)
	}
	if err != nil {
		return err
	}
	r.Log.Info("event changed", "event_id", e.ID, "field", d.Field, "told", told, "announced", announced)
	saved := r.Loc.N("ev_saved", told)
	if announced > 0 {
		saved += "\n" + r.Loc.N("ev_saved_announced", announced)
	}
	if err := a.reply(ctx, r, saved, nil); err != nil {
		return err
	}
	text, kb, err := a.eventCardView(ctx, r, e, listBack)
	if err != nil {
		return err
	}
	return a.reply(ctx, r, text, kb)
}

// subscribers are the distinct people behind reminders, in order.
func subscribers(reminders []storage.EventReminder) []int64 {
	var ids []int64
	for _, rm := range reminders {
		if !slices.Contains(ids, rm.UserID) {
			ids = append(ids, rm.UserID)
		}
	}
	return ids
}

// onManageEventButton handles the organiser's buttons (parseManageEventButton):
// what to edit, edit a field, cancel? and cancel!. The router lets only
// coordinators through; whether this coordinator may manage this event is
// checked here, from the database, for every press, before the rest of the
// data.
func (a *App) onManageEventButton(ctx context.Context, r *Request) error {
	id, ok := manageEventID(r.Callback.Data)
	if !ok {
		return a.invalidButton(ctx, r)
	}
	e, ok, err := a.eventFromData(ctx, r, id)
	if err != nil || !ok {
		return err
	}
	if !canManage(r, e) {
		r.Log.Warn("refused event management", "event_id", e.ID, "callback", r.Callback.Data)
		return a.answerCallback(ctx, r, r.Loc.Plain("ev_not_yours"), true)
	}
	if !a.eventOpen(e) {
		return a.answerCallback(ctx, r, r.Loc.Plain("event_closed"), true)
	}
	d, ok := parseManageEventButton(r.Callback.Data)
	if !ok {
		return a.invalidButton(ctx, r)
	}
	switch d.Action {
	case manageEdit:
		a.ackButton(ctx, r)
		kb := keyboard()
		for i, f := range eventFields {
			if i%2 == 0 {
				kb.InlineKeyboard = append(kb.InlineKeyboard, nil)
			}
			row := &kb.InlineKeyboard[len(kb.InlineKeyboard)-1]
			*row = append(*row, button(r.Loc.Plain("ev_field_"+f), manageEventFieldButton(e.ID, f)))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{button(r.Loc.Plain("button_back"), eventButton(eventActView, e.ID))})
		return a.edit(ctx, r, r.Loc.T("ev_edit_ask", "Title", e.Title), kb)
	case manageField:
		a.ackButton(ctx, r)
		draft := draftOfEvent(e)
		draft.Field = d.Field
		if draft.Field == "project" {
			if draft.Projects, err = a.ownProjects(ctx, r.User.ID); err != nil {
				return err
			}
			if len(draft.Projects) == 0 {
				return a.reply(ctx, r, r.Loc.T("ev_no_projects"), nil)
			}
			// Open the step at the page of the project linked now.
			if i := slices.IndexFunc(draft.Projects, func(p eventProject) bool { return p.ID == draft.ProjectID }); i > 0 {
				draft.ProjectPage = i / projectStepPageSize
			}
		}
		return a.eventWizard().Start(ctx, a, r, draft)
	case manageCancel:
		a.ackButton(ctx, r)
		n, err := a.store.EventSubscriberCount(ctx, e.ID)
		if err != nil {
			return err
		}
		return a.edit(ctx, r, r.Loc.N("ev_cancel_confirm", n, "Title", e.Title), keyboard(
			[]models.InlineKeyboardButton{button(r.Loc.Plain("ev_cancel_yes"), manageEventButton(manageCancelYes, e.ID))},
			[]models.InlineKeyboardButton{button(r.Loc.Plain("ev_cancel_no"), eventButton(eventActView, e.ID))}))
	case manageCancelYes:
		return a.cancelEvent(ctx, r, e)
	}
	return a.invalidButton(ctx, r)
}

// cancelEvent cancels e, drops everything still pending about it and
// tells its subscribers, in one transaction.
func (a *App) cancelEvent(ctx context.Context, r *Request, e storage.Event) error {
	told := 0
	err := a.store.InTx(ctx, func(tx pgx.Tx) error {
		_, reminders, err := a.store.CancelEventTx(ctx, tx, e.ID, a.now())
		if err != nil {
			return err
		}
		for _, kind := range []string{kindEventReminder, kindEventNew, kindEventChanged} {
			if _, err := a.delivery.CancelTx(ctx, tx, delivery.Filter{Kind: kind, Ref: e.ID}); err != nil {
				return err
			}
		}
		var ms []delivery.Message
		for _, id := range subscribers(reminders) {
			ms = append(ms, delivery.Message{ChatID: id, Kind: kindEventCancelled, Ref: e.ID})
		}
		told, err = a.delivery.ScheduleManyTx(ctx, tx, ms)
		return err
	})
	if errors.Is(err, storage.ErrEventClosed) {
		return a.answerCallback(ctx, r, r.Loc.Plain("event_closed"), true)
	}
	if err != nil {
		return err
	}
	r.Log.Info("event cancelled", "event_id", e.ID, "told", told)
	a.ackButton(ctx, r)
	return a.edit(ctx, r, r.Loc.N("ev_cancel_done", told, "Title", e.Title), nil)
}
