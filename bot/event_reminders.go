package bot

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/internal/eventics"
	"partnerbot/internal/remind"
	"partnerbot/internal/timefmt"
	"partnerbot/internal/zones"
	"partnerbot/storage"
)

// offsetLabels are the message IDs naming each reminder offset.
var offsetLabels = map[remind.Offset]string{
	remind.Week:  "event_offset_week",
	remind.Day:   "event_offset_day",
	remind.Hour:  "event_offset_hour",
	remind.Start: "event_offset_start",
}

// reminderMessages are the delivery messages for userID's reminders of e
// at offsets, leaving out those already due at now.
func reminderMessages(e storage.Event, userID int64, offsets []int, now time.Time) []delivery.Message {
	loc := zones.Load(e.TimeZone)
	var ms []delivery.Message
	for _, o := range offsets {
		due := remind.Offset(o).Due(e.StartsAt, loc)
		if !due.After(now) {
			continue
		}
		ms = append(ms, delivery.Message{ChatID: userID, Kind: kindEventReminder, Ref: e.ID, Variant: int64(o), DueAt: due})
	}
	return ms
}

// rescheduleReminders replaces the pending reminders of e for one person
// (userID) or for everyone (userID 0) by those of reminders, in tx.
func (a *App) rescheduleReminders(ctx context.Context, tx pgx.Tx, e storage.Event, userID int64, reminders []storage.EventReminder) error {
	if _, err := a.delivery.CancelTx(ctx, tx, delivery.Filter{Kind: kindEventReminder, Ref: e.ID, ChatID: userID}); err != nil {
		return err
	}
	var ms []delivery.Message
	for _, rm := range reminders {
		ms = append(ms, reminderMessages(e, rm.UserID, []int{rm.Offset}, a.now())...)
	}
	_, err := a.delivery.ScheduleManyTx(ctx, tx, ms)
	return err
}

// showReminderPicker shows the reminder toggles of an event in place of
// its card.
func (a *App) showReminderPicker(ctx context.Context, r *Request, e storage.Event) error {
	if !a.eventOpen(e) {
		return a.answerCallback(ctx, r, r.Loc.Plain("event_closed"), true)
	}
	a.ackButton(ctx, r)
	text, kb, err := a.reminderPickerView(ctx, r, e)
	if err != nil {
		return err
	}
	return a.edit(ctx, r, text, kb)
}

// reminderPickerView lists the offsets as toggles, ✅ for those set. An
// offset whose moment has passed is offered only to switch it off.
func (a *App) reminderPickerView(ctx context.Context, r *Request, e storage.Event) (string, *models.InlineKeyboardMarkup, error) {
	offsets, err := a.store.EventReminderOffsets(ctx, e.ID, r.User.ID)
	if err != nil {
		return "", nil, err
	}
	loc, err := a.viewerZone(ctx, r)
	if err != nil {
		return "", nil, err
	}
	eventLoc := zones.Load(e.TimeZone)
	kb := keyboard()
	for _, o := range remind.All {
		on := slices.Contains(offsets, int(o))
		if !on && !o.Due(e.StartsAt, eventLoc).After(a.now()) {
			continue
		}
		mark := "☐ "
		if on {
			mark = "✅ "
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(mark+r.Loc.Plain(offsetLabels[o]), eventReminderToggle(e.ID, o))})
	}
	kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
		button(r.Loc.Plain("event_remind_done"), eventButton(eventActView, e.ID))})
	text := r.Loc.T("event_remind_ask", "Title", e.Title, "When", timefmt.DateTime(r.Loc, e.StartsAt.In(loc)))
	return text, kb, nil
}

// toggleReminder switches one reminder on or off. The row and the
// scheduled message change in one transaction.
func (a *App) toggleReminder(ctx context.Context, r *Request, e storage.Event, o remind.Offset) error {
	n := int(o)
	if !a.eventOpen(e) {
		return a.answerCallback(ctx, r, r.Loc.Plain("event_closed"), true)
	}
	offsets, err := a.store.EventReminderOffsets(ctx, e.ID, r.User.ID)
	if err != nil {
		return err
	}
	on := !slices.Contains(offsets, n)
	if on && !o.Due(e.StartsAt, zones.Load(e.TimeZone)).After(a.now()) {
		return a.answerCallback(ctx, r, r.Loc.Plain("event_remind_past"), true)
	}
	err = a.store.InTx(ctx, func(tx pgx.Tx) error {
		e, offsets, changed, err := a.store.SetEventReminderTx(ctx, tx, e.ID, r.User.ID, n, on, a.now())
		if err != nil || !changed {
			return err
		}
		reminders := make([]storage.EventReminder, len(offsets))
		for i, off := range offsets {
			reminders[i] = storage.EventReminder{UserID: r.User.ID, Offset: off}
		}
		return a.rescheduleReminders(ctx, tx, e, r.User.ID, reminders)
	})
	if errors.Is(err, storage.ErrEventClosed) {
		return a.answerCallback(ctx, r, r.Loc.Plain("event_closed"), true)
	}
	if err != nil {
		return err
	}
	notice := "event_remind_off"
	if on {
		notice = "event_remind_on"
	}
	if err := a.answerCallback(ctx, r, r.Loc.Plain(notice, "Offset", r.Loc.Plain(offsetLabels[o])), false); err != nil {
		r.Log.Warn("answer callback", "err", err)
	}
	text, kb, err := a.reminderPickerView(ctx, r, e)
	if err != nil {
		return err
	}
	return a.edit(ctx, r, text, kb)
}

// sendCalendarFile sends the event as an .ics file.
func (a *App) sendCalendarFile(ctx context.Context, r *Request, e storage.Event) error {
	a.ackButton(ctx, r)
	_, err := a.api.SendDocument(ctx, &tgbot.SendDocumentParams{
		ChatID:   r.ChatID,
		Document: &models.InputFileUpload{Filename: eventics.Filename(e), Data: bytes.NewReader(eventics.File(e, a.now()))},
		Caption:  r.Loc.T("event_ics_caption", "Title", e.Title), ParseMode: models.ParseModeHTML,
	})
	return err
}
