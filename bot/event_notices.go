package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"partnerbot/delivery"
	"partnerbot/internal/remind"
	"partnerbot/internal/timefmt"
	"partnerbot/internal/zones"
	"partnerbot/locales"
	"partnerbot/storage"
)

// Kinds of delivery messages the events feature sends. Each is rendered
// at send time by the render funcs in this file.
const (
	// kindEventReminder: Ref is the event, Variant the offset in minutes.
	kindEventReminder = "event_reminder"
	// kindEventNew announces a new event to its town's and project's people.
	kindEventNew = "event_new"
	// kindEventChanged: Ref is the event, Variant the recorded change.
	kindEventChanged = "event_changed"
	// kindEventCancelled tells a subscriber the event is off.
	kindEventCancelled = "event_cancelled"
)

// startGrace is how long after an event's start its "at start" reminder
// may still go out (the engine was busy or the bot was down); reminders
// with an offset go out only before the start.
const startGrace = 15 * time.Minute

// reminderLeads are the first lines of a reminder, by offset.
var reminderLeads = map[remind.Offset]string{
	remind.Week:  "event_reminder_week",
	remind.Day:   "event_reminder_day",
	remind.Hour:  "event_reminder_hour",
	remind.Start: "event_reminder_start",
}

// recipient is the language and time zone to write to chatID in now.
func (a *App) recipient(ctx context.Context, chatID int64) (*locales.Localizer, *time.Location, error) {
	u, err := a.store.User(ctx, chatID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, fmt.Errorf("recipient %d erased their data: %w", chatID, delivery.ErrDrop)
	}
	if err != nil {
		return nil, nil, err
	}
	lang, _ := a.languageOf(u)
	loc, err := a.zoneOf(ctx, u.ID, lang)
	return a.cat.For(lang), loc, err
}

// messageEvent loads the event a message is about; a deleted one drops it.
func (a *App) messageEvent(ctx context.Context, m delivery.Message) (storage.Event, error) {
	e, err := a.store.Event(ctx, m.Ref)
	if errors.Is(err, storage.ErrNotFound) {
		return e, fmt.Errorf("event %d is gone: %w", m.Ref, delivery.ErrDrop)
	}
	return e, err
}

func drop(why string, m delivery.Message) error {
	return fmt.Errorf("%s %d for event %d: %s: %w", m.Kind, m.Variant, m.Ref, why, delivery.ErrDrop)
}

// eventButtons are the buttons under a message about an event.
func eventButtons(l *locales.Localizer, e storage.Event, remindMe bool) *models.InlineKeyboardMarkup {
	first := button(l.Plain("event_open_button"), eventButton(eventActOpen, e.ID))
	if remindMe {
		first = button(l.Plain("event_remind_button"), eventButton(eventActRemind, e.ID))
	}
	return keyboard([]models.InlineKeyboardButton{first, button(l.Plain("event_ics_button"), eventButton(eventActICS, e.ID))})
}

// noticeButtons are the buttons under a notice about e sent to one
// person: eventButtons and, when e's text is in another language than
// theirs, the button that shows it in theirs (as on the event's card). A
// group's copy has none (renderYouthEvent): a translation is a message of
// its own, sent to the presser's private chat only.
func (a *App) noticeButtons(l *locales.Localizer, e storage.Event, remindMe bool) *models.InlineKeyboardMarkup {
	return a.addTranslateRow(eventButtons(l, e, remindMe), l, trEvent, formatID(e.ID), e.TextLang)
}

// renderReminder writes a reminder, unless the event was cancelled, has
// started, has moved (a reminder at the new time is scheduled), or the
// person switched this reminder off.
func (a *App) renderReminder(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	e, err := a.messageEvent(ctx, m)
	if err != nil {
		return delivery.Rendered{}, err
	}
	o := remind.Offset(m.Variant)
	lead, known := reminderLeads[o]
	limit := e.StartsAt
	if o == remind.Start {
		limit = limit.Add(startGrace)
	}
	switch {
	case !known:
		return delivery.Rendered{}, drop("unknown offset", m)
	case e.Cancelled:
		return delivery.Rendered{}, drop("cancelled", m)
	case !a.now().Before(limit):
		return delivery.Rendered{}, drop("started", m)
	case !o.Due(e.StartsAt, zones.Load(e.TimeZone)).Equal(m.DueAt):
		return delivery.Rendered{}, drop("moved", m)
	}
	offsets, err := a.store.EventReminderOffsets(ctx, e.ID, m.ChatID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !slices.Contains(offsets, int(o)) {
		return delivery.Rendered{}, drop("switched off", m)
	}
	l, loc, err := a.recipient(ctx, m.ChatID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	text := l.T(lead, "Title", e.Title) + "\n\n" + eventCard(l, e, loc)
	return delivery.Rendered{Text: text, Keyboard: a.noticeButtons(l, e, false)}, nil
}

// renderNewEvent announces an event that is still ahead.
func (a *App) renderNewEvent(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	e, err := a.messageEvent(ctx, m)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !a.eventOpen(e) {
		return delivery.Rendered{}, drop("cancelled or started", m)
	}
	// New events are a kind of message people can switch off (/settings).
	if on, err := a.store.MessageKindOn(ctx, m.ChatID, storage.KindEvents); err != nil || !on {
		if err != nil {
			return delivery.Rendered{}, err
		}
		return delivery.Rendered{}, drop("new events switched off", m)
	}
	l, loc, err := a.recipient(ctx, m.ChatID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	text := l.T("event_new_head") + "\n\n" + eventCard(l, e, loc)
	return delivery.Rendered{Text: text, Keyboard: a.noticeButtons(l, e, true)}, nil
}

// renderEventChange tells a subscriber what changed, old → new, with the
// times in their zone now.
func (a *App) renderEventChange(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	e, err := a.messageEvent(ctx, m)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !a.eventOpen(e) {
		return delivery.Rendered{}, drop("cancelled or started", m)
	}
	ch, err := a.store.EventChangeByID(ctx, m.Variant)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && ch.EventID != e.ID) {
		return delivery.Rendered{}, drop("no such change", m)
	}
	if err != nil {
		return delivery.Rendered{}, err
	}
	l, loc, err := a.recipient(ctx, m.ChatID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	lines := []string{l.T("event_changed_head", "Title", ch.New.Title)}
	pair := func(id, old, new string) {
		if old != new {
			if old == "" {
				old = l.Plain("event_changed_none")
			}
			if new == "" {
				new = l.Plain("event_changed_none")
			}
			lines = append(lines, l.T(id, "Old", old, "New", new))
		}
	}
	pair("event_changed_title", ch.Old.Title, ch.New.Title)
	moved := !ch.Old.StartsAt.Equal(ch.New.StartsAt)
	if moved {
		pair("event_changed_when", timefmt.DateTime(l, ch.Old.StartsAt.In(loc)), timefmt.DateTime(l, ch.New.StartsAt.In(loc)))
	}
	pair("event_changed_duration", timefmt.Duration(l, ch.Old.Duration), timefmt.Duration(l, ch.New.Duration))
	pair("event_changed_place", ch.Old.Place, ch.New.Place)
	pair("event_changed_online", ch.Old.URL, ch.New.URL)
	if ch.Old.Description != ch.New.Description {
		lines = append(lines, l.T("event_changed_description"))
	}
	if ch.Old.TownID != ch.New.TownID || ch.Old.ProjectID != ch.New.ProjectID {
		lines = append(lines, l.T("event_changed_belongs"))
	}
	if moved {
		lines = append(lines, "\n"+l.T("event_changed_reminders"))
	}
	return delivery.Rendered{Text: strings.Join(lines, "\n"), Keyboard: a.noticeButtons(l, e, false)}, nil
}

// renderEventCancelled tells a subscriber that the event is off.
func (a *App) renderEventCancelled(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	e, err := a.messageEvent(ctx, m)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !e.Cancelled {
		return delivery.Rendered{}, drop("not cancelled", m)
	}
	l, loc, err := a.recipient(ctx, m.ChatID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	return delivery.Rendered{Text: l.T("event_cancelled_notice", "Title", e.Title,
		"When", timefmt.DateTime(l, e.StartsAt.In(loc)))}, nil
}
