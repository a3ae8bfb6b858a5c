package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"partnerbot/internal/timefmt"
	"partnerbot/internal/zones"
	"partnerbot/locales"
	"partnerbot/storage"
)

// eventsPageSize is how many events a page of /events shows.
const eventsPageSize = 5

// eventTabs are the lists /events offers, in the order of their buttons.
var eventTabs = []storage.EventFilter{storage.EventsAll, storage.EventsMyTown, storage.EventsFollowed}

// onEvents lists upcoming events, starting with all of them.
func (a *App) onEvents(ctx context.Context, r *Request) error {
	text, kb, err := a.eventsView(ctx, r, storage.EventsAll, 0)
	if err != nil {
		return err
	}
	return a.reply(ctx, r, text, kb)
}

// eventsView renders one page of a list: each event with its date in the
// viewer's zone, a button to open it, tabs, and page buttons.
func (a *App) eventsView(ctx context.Context, r *Request, tab storage.EventFilter, page int) (string, *models.InlineKeyboardMarkup, error) {
	loc, err := a.viewerZone(ctx, r)
	if err != nil {
		return "", nil, err
	}
	res, err := a.store.UpcomingEvents(ctx, tab, r.User.ID, a.now(), page*eventsPageSize, eventsPageSize)
	if err == nil && len(res.Events) == 0 && page > 0 {
		// The list shrank since the button was drawn: show its first page.
		page = 0
		res, err = a.store.UpcomingEvents(ctx, tab, r.User.ID, a.now(), 0, eventsPageSize)
	}
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	b.WriteString(r.Loc.T("events_title_" + string(tab)))
	tabs := make([]models.InlineKeyboardButton, 0, len(eventTabs))
	for _, t := range eventTabs {
		label := r.Loc.Plain("events_tab_" + string(t))
		if t == tab {
			label = "• " + label + " •"
		}
		tabs = append(tabs, button(label, eventListButton(t, 0)))
	}
	kb := keyboard(tabs)
	if len(res.Events) == 0 {
		empty, err := a.noEventsText(ctx, r, tab)
		if err != nil {
			return "", nil, err
		}
		b.WriteString("\n\n" + empty)
	}
	for _, e := range res.Events {
		b.WriteString("\n\n" + r.Loc.T("events_item", "Title", e.Title,
			"When", timefmt.DateTime(r.Loc, e.StartsAt.In(loc)), "Where", eventWhere(r.Loc, e)))
		label := r.Loc.Plain("events_open_button", "When", timefmt.Short(r.Loc, e.StartsAt.In(loc)), "Title", truncate(e.Title, 40))
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(label, eventCardButton(e.ID, tab, page))})
	}
	if pages := (res.Total + eventsPageSize - 1) / eventsPageSize; pages > 1 {
		b.WriteString("\n\n" + r.Loc.T("events_page", "Page", page+1, "Pages", pages))
		var nav []models.InlineKeyboardButton
		if page > 0 {
			nav = append(nav, button(r.Loc.Plain("events_prev"), eventListButton(tab, page-1)))
		}
		if page+1 < pages {
			nav = append(nav, button(r.Loc.Plain("events_next"), eventListButton(tab, page+1)))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, nav)
	}
	return b.String(), kb, nil
}

// noEventsText says why a list is empty.
func (a *App) noEventsText(ctx context.Context, r *Request, tab storage.EventFilter) (string, error) {
	if tab != storage.EventsMyTown {
		return r.Loc.T("events_none_" + string(tab)), nil
	}
	p, err := a.store.Profile(ctx, r.User.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return "", err
	}
	if p.TownID == 0 {
		return r.Loc.T("events_no_town"), nil
	}
	return r.Loc.T("events_none_town"), nil
}

// eventWhere is where an event happens, in short: the place, or "online".
func eventWhere(l *locales.Localizer, e storage.Event) string {
	if e.Place != "" {
		return e.Place
	}
	return l.Plain("events_online")
}

// eventWhen is the line with an event's start in the viewer's zone and
// language, with the time in the event's own zone beside it when that
// reads differently (only the clock when the day is the same).
func eventWhen(l *locales.Localizer, start time.Time, zone string, viewer *time.Location) string {
	local := start.In(viewer)
	own := start.In(zones.Load(zone))
	when := timefmt.DateTime(l, local)
	if local.Format(time.DateTime) == own.Format(time.DateTime) {
		return l.T("event_when", "When", when)
	}
	other := timefmt.Clock(own)
	if local.Format(time.DateOnly) != own.Format(time.DateOnly) {
		other = timefmt.DateTime(l, own)
	}
	return l.T("event_when_zones", "When", when, "Zone", zoneName(l, zone), "Other", other)
}

// eventCard is everything about an event, for a viewer in zone viewer.
func eventCard(l *locales.Localizer, e storage.Event, viewer *time.Location) string {
	var b strings.Builder
	b.WriteString(l.T("event_card_title", "Title", e.Title))
	if e.Cancelled {
		b.WriteString("\n" + l.T("event_card_cancelled"))
	}
	b.WriteString("\n\n" + eventWhen(l, e.StartsAt, e.TimeZone, viewer))
	b.WriteString("\n" + l.T("event_card_duration", "Duration", timefmt.Duration(l, e.Duration)))
	if e.Place != "" {
		b.WriteString("\n" + l.T("event_card_place", "Place", e.Place))
	}
	if e.URL != "" {
		b.WriteString("\n" + l.T("event_card_online", "URL", e.URL))
	}
	if e.TownName != "" {
		b.WriteString("\n" + l.T("event_card_town", "Town", e.TownName))
	}
	if e.ProjectTitle != "" {
		b.WriteString("\n" + l.T("event_card_project", "Project", e.ProjectTitle))
	}
	if e.Description != "" {
		b.WriteString("\n\n" + l.T("event_card_description", "Text", e.Description))
	}
	return b.String()
}

// canManage reports whether the user may edit or cancel e: administrators
// any event, coordinators the events they created. It is checked again in
// every handler and wizard that changes an event, since callback data can
// be forged and roles can change while a dialogue is open.
func canManage(r *Request, e storage.Event) bool {
	return r.Role >= RoleAdmin || r.Role >= RoleCoordinator && e.CreatedBy == r.User.ID
}

// eventOpen reports whether e can still change: not cancelled, not started.
func (a *App) eventOpen(e storage.Event) bool { return !e.Cancelled && e.StartsAt.After(a.now()) }

// eventCardView is an event's card with its buttons. back is the callback data
// of the button that returns to the list it was opened from.
func (a *App) eventCardView(ctx context.Context, r *Request, e storage.Event, back buttonData) (string, *models.InlineKeyboardMarkup, error) {
	loc, err := a.viewerZone(ctx, r)
	if err != nil {
		return "", nil, err
	}
	kb := keyboard()
	if a.eventOpen(e) {
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(r.Loc.Plain("event_remind_button"), eventButton(eventActRemind, e.ID)),
			button(r.Loc.Plain("event_ics_button"), eventButton(eventActICS, e.ID))})
		if canManage(r, e) {
			kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
				button(r.Loc.Plain("event_edit_button"), manageEventButton(manageEdit, e.ID)),
				button(r.Loc.Plain("event_cancel_button"), manageEventButton(manageCancel, e.ID))})
		}
	}
	// A translation is a message of its own: not in a group's chat.
	if r.Private {
		a.addTranslateRow(kb, r.Loc, trEvent, formatID(e.ID), e.TextLang)
	}
	kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{button(r.Loc.Plain("events_back_button"), back)})
	return eventCard(r.Loc, e, loc), kb, nil
}

// onEventsButton handles the buttons anyone may press (parseEventButton):
// lists, cards, reminders and calendar files. Data is parsed strictly; ids
// are looked up again.
func (a *App) onEventsButton(ctx context.Context, r *Request) error {
	d, ok := parseEventButton(r.Callback.Data)
	if !ok {
		return a.invalidButton(ctx, r)
	}
	if d.Action == eventActList {
		return a.onEventsPage(ctx, r, d.Tab, d.Page)
	}
	e, ok, err := a.eventFromData(ctx, r, d.ID)
	if err != nil || !ok {
		return err
	}
	switch d.Action {
	case eventActView:
		return a.showEventCard(ctx, r, e, d.back(), true)
	case eventActOpen:
		return a.showEventCard(ctx, r, e, d.back(), false)
	case eventActRemind:
		return a.showReminderPicker(ctx, r, e)
	case eventActToggle:
		return a.toggleReminder(ctx, r, e, d.Offset)
	case eventActICS:
		return a.sendCalendarFile(ctx, r, e)
	}
	return a.invalidButton(ctx, r)
}

func (a *App) onEventsPage(ctx context.Context, r *Request, tab storage.EventFilter, page int) error {
	a.ackButton(ctx, r)
	text, kb, err := a.eventsView(ctx, r, tab, page)
	if err != nil {
		return err
	}
	return a.edit(ctx, r, text, kb)
}

// eventFromData loads the event whose id is in callback data. ok is false
// (and the button answered) when there is no such event.
func (a *App) eventFromData(ctx context.Context, r *Request, id int64) (storage.Event, bool, error) {
	e, err := a.store.Event(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return e, false, a.invalidButton(ctx, r)
	}
	return e, err == nil, err
}

// showEventCard shows an event's card, in place of the pressed message or as a
// new one.
func (a *App) showEventCard(ctx context.Context, r *Request, e storage.Event, back buttonData, inPlace bool) error {
	a.ackButton(ctx, r)
	text, kb, err := a.eventCardView(ctx, r, e, back)
	if err != nil {
		return err
	}
	if inPlace {
		return a.edit(ctx, r, text, kb)
	}
	return a.reply(ctx, r, text, kb)
}

// ackButton stops a button's spinner without a notice.
func (a *App) ackButton(ctx context.Context, r *Request) {
	a.ackCallback(ctx, r)
}

// invalidButton answers a stale or forged button.
func (a *App) invalidButton(ctx context.Context, r *Request) error {
	return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
}
