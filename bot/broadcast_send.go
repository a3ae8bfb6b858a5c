package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/internal/timefmt"
	"partnerbot/internal/zones"
	"partnerbot/locales"
	"partnerbot/storage"
)

// Kinds of delivery messages of broadcasts. Ref is the broadcast.
const (
	// kindBroadcast is one recipient's copy.
	kindBroadcast = "broadcast"
	// kindBroadcastEdit corrects a copy already sent. Variant is the
	// revision << 8 | the index in locales.Codes of the corrected version
	// (anyVersion: whatever version the recipient has).
	kindBroadcastEdit = "broadcast_edit"
	// kindBroadcastStatus edits the author's status message. Variant is
	// the time slot (statusEvery) it is due in.
	kindBroadcastStatus = "broadcast_status"
	// kindBroadcastReminder reminds a recipient of a funding call's
	// deadline. Variant is how many minutes before it.
	kindBroadcastReminder = "broadcast_reminder"
)

// anyVersion in an edit's Variant: the copy is behind, whatever its
// language.
const anyVersion = 0xff

// statusEvery is how often the author's status message is brought up to
// date while copies go out: far below Telegram's limit of edits in one
// chat, often enough to watch.
const statusEvery = 5 * time.Second

// Quiet hours: an announcement that would arrive between quietFrom and
// quietUntil in the recipient's zone waits until quietUntil.
const (
	quietFrom  = 22
	quietUntil = 8
)

// reminderOffsets are the funding-call reminders: a week and a day before
// the deadline.
var reminderOffsets = []time.Duration{7 * 24 * time.Hour, 24 * time.Hour}

// afterQuietHours is when a copy due at t reaches someone in loc: at t,
// unless that falls in their quiet hours; then at the next quietUntil.
func afterQuietHours(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	switch {
	case l.Hour() >= quietFrom:
		n := l.AddDate(0, 0, 1)
		return time.Date(n.Year(), n.Month(), n.Day(), quietUntil, 0, 0, 0, loc)
	case l.Hour() < quietUntil:
		return time.Date(l.Year(), l.Month(), l.Day(), quietUntil, 0, 0, 0, loc)
	}
	return t
}

// pickVersion chooses the version a recipient reads: their language, else
// one of their profile languages, else the author's with a note (note
// true).
func pickVersion(versions map[string]string, authorLang, lang string, profile []string) (string, bool) {
	if versions[lang] != "" {
		return lang, false
	}
	for _, p := range profile {
		if versions[p] != "" {
			return p, false
		}
	}
	return authorLang, authorLang != lang
}

// copyView is what a copy is written from besides the broadcast.
type copyView struct {
	L        *locales.Localizer
	Profile  []string
	Zone     *time.Location
	TownName string
	Now      time.Time
	// Group: the copy goes to a youth group, whose members have no copy
	// of their own to mute or be reminded of: no such buttons.
	Group bool
	// Machine is the version translated for a recipient who reads none
	// of the broadcast's languages (translate.go), zero for none.
	Machine machineText
}

// renderCopy writes broadcast b as the recipient of v sees it.
func (a *App) renderCopy(b storage.Broadcast, v copyView) delivery.Rendered {
	l := v.L
	lang, note := pickVersion(b.Versions, b.AuthorLang, l.Lang(), v.Profile)
	text, translateRow := a.copyText(b, lang, note, v)
	if !b.Deadline.IsZero() {
		text += "\n\n" + l.T("bc_deadline_line", "When", timefmt.DateTime(l, b.Deadline.In(v.Zone)))
	}
	kb := keyboard()
	for _, link := range b.Links {
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{{Text: link.Label, URL: link.URL}})
	}
	if !b.Deadline.IsZero() && b.Deadline.After(v.Now) && !v.Group {
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(l.Plain("bc_remind_button"), broadcastForButton(broadcastRemind, b.ID))})
	}
	var mute []models.InlineKeyboardButton
	if v.TownName != "" {
		mute = append(mute, button(l.Plain("bc_mute_town", "Town", v.TownName), broadcastForButton(broadcastMuteTown, b.ID)))
	}
	if b.Topic != "" {
		mute = append(mute, button(l.Plain("bc_mute_topic", "Topic", l.Plain("topic_"+b.Topic)), broadcastForButton(broadcastMuteTopic, b.ID)))
	}
	if len(mute) > 0 && !v.Group {
		kb.InlineKeyboard = append(kb.InlineKeyboard, mute)
	}
	if translateRow != nil && !v.Group {
		kb.InlineKeyboard = append(kb.InlineKeyboard, translateRow)
	}
	out := delivery.Rendered{Text: text}
	if len(kb.InlineKeyboard) > 0 {
		out.Keyboard = kb
	}
	if b.MediaFileID != "" {
		out.Media = &delivery.Media{Kind: b.MediaKind, FileID: b.MediaFileID}
	}
	return out
}

// sendRendered sends out to chatID at once (a preview, a status message)
// and returns its message id.
func (a *App) sendRendered(ctx context.Context, chatID int64, out delivery.Rendered) (int, error) {
	var markup models.ReplyMarkup
	if out.Keyboard != nil {
		markup = out.Keyboard
	}
	var id int
	err := retryTooMany(ctx, func() error {
		var m *models.Message
		var err error
		switch {
		case out.Media != nil && out.Media.Kind == delivery.MediaPhoto:
			m, err = a.api.SendPhoto(ctx, &tgbot.SendPhotoParams{ChatID: chatID, Photo: &models.InputFileString{Data: out.Media.FileID},
				Caption: out.Text, ParseMode: models.ParseModeHTML, ReplyMarkup: markup})
		case out.Media != nil:
			m, err = a.api.SendDocument(ctx, &tgbot.SendDocumentParams{ChatID: chatID, Document: &models.InputFileString{Data: out.Media.FileID},
				Caption: out.Text, ParseMode: models.ParseModeHTML, ReplyMarkup: markup})
		default:
			m, err = a.api.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: chatID, Text: out.Text, ParseMode: models.ParseModeHTML,
				LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()}, ReplyMarkup: markup})
		}
		if err == nil {
			id = m.ID
		}
		return err
	})
	return id, err
}

// sendPreview sends the author one language's copy as its recipients will
// see it.
func (a *App) sendPreview(ctx context.Context, r *Request, d *broadcastDraft, lang string) error {
	loc, err := a.viewerZone(ctx, r)
	if err != nil {
		return err
	}
	town, err := a.fromTown(ctx, r, d.Audience)
	if err != nil {
		return err
	}
	b := previewOf(d, r.User.ID)
	b.FromTown, b.Topic = town.ID, firstOf(d.Audience.Topics)
	out := a.renderCopy(b, copyView{L: a.cat.For(lang), Zone: loc, TownName: town.Name, Now: a.now()})
	_, err = a.sendRendered(ctx, r.ChatID, out)
	return err
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// fromTown is the town a broadcast comes from, by which recipients may
// mute it: the first town its author speaks for, else for an
// administrator the first chosen town; none for an administrator without.
func (a *App) fromTown(ctx context.Context, r *Request, au storage.Audience) (storage.Town, error) {
	own, err := a.store.SenderTowns(ctx, r.User.ID)
	if err != nil {
		return storage.Town{}, err
	}
	if len(own) == 0 && r.Role >= RoleAdmin && len(au.Towns) > 0 {
		own = au.Towns
	}
	if len(own) == 0 {
		return storage.Town{}, nil
	}
	t, err := a.store.Town(ctx, own[0])
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Town{}, nil
	}
	return t, err
}

// statusSlot is the time slot of t and when it starts.
func statusSlot(t time.Time) (int64, time.Time) {
	n := t.UnixNano() / int64(statusEvery)
	return n, time.Unix(0, n*int64(statusEvery))
}

// statusTick is the status update due in the slot of t.
func statusTick(b storage.Broadcast, t time.Time) delivery.Message {
	n, at := statusSlot(t)
	return delivery.Message{ChatID: b.StatusChatID, Kind: kindBroadcastStatus, Ref: b.ID, Variant: n, DueAt: at}
}

// finishBroadcast resolves the audience, stores the broadcast and
// schedules a copy for everyone in it, and the live status, in one
// transaction. Authorization is checked again: the role may have been
// revoked while the dialogue was open, and the audience is checked against
// the author's network by the storage.
func (a *App) finishBroadcast(ctx context.Context, r *Request, d *broadcastDraft) error {
	if r.Role < RoleCoordinator {
		return a.reply(ctx, r, r.Loc.T("not_allowed_coordinator"), nil)
	}
	if a.delivery == nil {
		return errNoDelivery
	}
	now := a.now()
	sendAt := now
	if d.Later {
		if !d.SendAt.After(now) {
			return a.reply(ctx, r, r.Loc.T("bc_when_passed"), nil)
		}
		sendAt = d.SendAt
	}
	urgent := d.Urgent && r.Role >= RoleAdmin
	town, err := a.fromTown(ctx, r, d.Audience)
	if err != nil {
		return err
	}
	f := storage.BroadcastFields{AuthorID: r.User.ID, AuthorLang: d.Lang, Audience: d.Audience, FromTown: town.ID,
		Topic: firstOf(d.Audience.Topics), Versions: d.Versions, Links: d.Links, MediaKind: d.Media, MediaFileID: d.MediaID,
		Deadline: d.Deadline, DeadlineZone: d.Zone, Urgent: urgent, SendAt: sendAt, StatusChatID: r.ChatID}
	statusID, err := a.sendRendered(ctx, r.ChatID, delivery.Rendered{Text: r.Loc.T("bc_status_preparing")})
	if err != nil {
		return err
	}
	f.StatusMessageID = int64(statusID)
	var id int64
	var n int
	err = a.store.InTx(ctx, func(tx pgx.Tx) error {
		rs, err := a.store.ResolveAudienceTx(ctx, tx, d.Audience, broadcaster(r),
			storage.Exclusions{Kind: f.Kind(), FromTown: f.FromTown, Topic: f.Topic})
		if err != nil {
			return err
		}
		to := make([]storage.BroadcastDelivery, len(rs))
		ms := make([]delivery.Message, len(rs))
		for i, rc := range rs {
			due := sendAt
			if !urgent {
				zone := rc.TimeZone
				if zone == "" {
					zone = zones.Default(a.langOfRecipient(rc))
				}
				due = afterQuietHours(sendAt, zones.Load(zone))
			}
			to[i] = storage.BroadcastDelivery{UserID: rc.UserID, DueAt: due}
			ms[i] = delivery.Message{ChatID: rc.UserID, Kind: kindBroadcast, DueAt: due, Bulk: true}
		}
		// Youth groups get their copy in their language, after quiet hours
		// in that language's usual zone.
		groups, err := a.store.ResolveYouthGroupsTx(ctx, tx, d.Audience, broadcaster(r))
		if err != nil {
			return err
		}
		toGroups := make([]storage.GroupDelivery, len(groups))
		for i, g := range groups {
			due := sendAt
			if !urgent {
				due = afterQuietHours(sendAt, zones.Load(zones.Default(g.Language)))
			}
			toGroups[i] = storage.GroupDelivery{ChatID: g.ChatID, DueAt: due}
			ms = append(ms, delivery.Message{ChatID: g.ChatID, Kind: kindBroadcast, DueAt: due, Bulk: true})
		}
		if id, err = a.store.CreateBroadcastTx(ctx, tx, f, to); err != nil {
			return err
		}
		if err := a.store.AddBroadcastGroupsTx(ctx, tx, id, toGroups); err != nil {
			return err
		}
		for i := range ms {
			ms[i].Ref = id
		}
		// The broadcast is new: no copy of it can be scheduled already.
		if n, err = a.delivery.ScheduleFreshTx(ctx, tx, ms); err != nil {
			return err
		}
		_, err = a.delivery.ScheduleTx(ctx, tx, statusTick(storage.Broadcast{ID: id, BroadcastFields: f}, now))
		return err
	})
	var problem string
	switch {
	case errors.Is(err, storage.ErrOutsideNetwork):
		r.Log.Warn("refused broadcast outside the network")
		problem = "bc_town_outside"
	case errors.Is(err, storage.ErrNoTowns):
		problem = "bc_no_towns"
	case errors.Is(err, storage.ErrInvalidAudience):
		problem = "bc_audience_invalid"
	case err != nil:
		return err
	}
	if problem != "" {
		return a.editStatus(ctx, r.ChatID, statusID, r.Loc.T(problem), nil)
	}
	r.Log.Info("broadcast scheduled", "broadcast_id", id, "recipients", n, "urgent", urgent)
	// The author sees the figures with Stop and Correct at once, as the
	// answer to their press; the live updates follow through delivery,
	// whose slots may come after the copies already queued.
	b, err := a.store.Broadcast(ctx, id)
	if err != nil {
		return err
	}
	counts, err := a.store.BroadcastCounts(ctx, id, now)
	if err != nil {
		return err
	}
	loc, err := a.viewerZone(ctx, r)
	if err != nil {
		return err
	}
	text := a.statusText(r.Loc, loc, b, counts, now)
	if _, err := a.store.SetBroadcastStatusText(ctx, id, text); err != nil {
		return err
	}
	return a.editStatus(ctx, r.ChatID, statusID, text, statusKeyboard(r.Loc, b, counts))
}

// editStatus replaces the text of the status message.
func (a *App) editStatus(ctx context.Context, chatID int64, messageID int, text string, kb *models.InlineKeyboardMarkup) error {
	p := &tgbot.EditMessageTextParams{ChatID: chatID, MessageID: messageID, Text: text, ParseMode: models.ParseModeHTML}
	if kb != nil {
		p.ReplyMarkup = kb
	}
	_, err := a.api.EditMessageText(ctx, p)
	return err
}

// receivesBroadcast tells whether chatID still wants b now: a person who
// neither muted it nor switched its kind off, or a youth group still
// active with broadcasts on.
func (a *App) receivesBroadcast(ctx context.Context, chatID int64, b storage.Broadcast) (bool, error) {
	if chatID > 0 {
		return a.store.Receives(ctx, chatID, b)
	}
	y, err := a.store.YouthGroupByChat(ctx, chatID)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil && y.Active && y.ReceiveBroadcasts, err
}

// copyViewFor loads what the copy of b for m's chat is written from: a
// person's language, profile and zone, or a youth group's language (and
// its usual zone).
func (a *App) copyViewFor(ctx context.Context, m delivery.Message, b storage.Broadcast) (copyView, error) {
	if m.ChatID < 0 {
		y, err := loadFor(ctx, m, m.ChatID, a.store.YouthGroupByChat)
		if err != nil {
			return copyView{}, err
		}
		v := copyView{L: a.cat.For(y.Language), Zone: zones.Load(zones.Default(y.Language)), Now: a.now(), Group: true}
		v.Machine = a.machineVersion(ctx, b, v)
		return v, nil
	}
	u, err := loadFor(ctx, m, m.ChatID, a.store.User)
	if err != nil {
		return copyView{}, err
	}
	lang, _ := a.languageOf(u)
	v := copyView{L: a.cat.For(lang), Now: a.now()}
	p, err := a.store.Profile(ctx, u.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return v, err
	}
	v.Profile = p.Languages
	if v.Zone, err = a.zoneOf(ctx, u.ID, lang); err != nil {
		return v, err
	}
	if b.FromTown != 0 {
		t, err := a.store.Town(ctx, b.FromTown)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return v, err
		}
		v.TownName = t.Name
	}
	v.Machine = a.machineVersion(ctx, b, v)
	return v, nil
}

// renderBroadcast writes one recipient's copy when it goes out, with the
// text as it is then (corrected meanwhile or not); it is dropped when the
// broadcast was stopped or the recipient muted it, switched its kind off
// or left.
func (a *App) renderBroadcast(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	b, err := loadFor(ctx, m, m.Ref, a.store.Broadcast)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if b.Stopped {
		return delivery.Rendered{}, stale(m, "broadcast stopped")
	}
	c, err := a.store.BroadcastCopyOf(ctx, b.ID, m.ChatID)
	if errors.Is(err, storage.ErrNotFound) {
		return delivery.Rendered{}, stale(m, "not a recipient")
	}
	if err != nil {
		return delivery.Rendered{}, err
	}
	if c.State != storage.CopyPending {
		return delivery.Rendered{}, stale(m, "copy "+c.State)
	}
	ok, err := a.receivesBroadcast(ctx, m.ChatID, b)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !ok {
		return delivery.Rendered{}, stale(m, "muted or switched off")
	}
	v, err := a.copyViewFor(ctx, m, b)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if err := a.store.NoteBroadcastRendered(ctx, b.ID, m.ChatID, b.Revision); err != nil {
		return delivery.Rendered{}, err
	}
	return a.renderCopy(b, v), nil
}

// recheckBroadcast drops a copy rendered before its broadcast was
// stopped, right before it would go out.
func (a *App) recheckBroadcast(ctx context.Context, m delivery.Message) error {
	b, err := loadFor(ctx, m, m.Ref, a.store.Broadcast)
	if err != nil {
		return err
	}
	if b.Stopped {
		return stale(m, "broadcast stopped")
	}
	return nil
}

// statusSendWithin is how long after its slot starts a status update may
// still go out while copies remain: the next one starts a slot at least
// statusEvery after this one was written, so two edits are at least
// statusEvery - statusSendWithin apart, within Telegram's limit of edits
// in one chat. A late update (its send slot came late) gives way to the
// next.
const statusSendWithin = statusEvery - 2*time.Second

// recheckBroadcastStatus drops a status update whose send slot came too
// late, unless it is the last one.
func (a *App) recheckBroadcastStatus(ctx context.Context, m delivery.Message) error {
	now := a.now()
	if _, slot := statusSlot(time.Unix(0, m.Variant*int64(statusEvery))); now.Sub(slot) <= statusSendWithin {
		return nil
	}
	b, err := loadFor(ctx, m, m.Ref, a.store.Broadcast)
	if err != nil {
		return err
	}
	c, err := a.store.BroadcastCounts(ctx, b.ID, now)
	if err != nil {
		return err
	}
	if c.Remaining() > 0 && !b.Stopped {
		return stale(m, "status update late")
	}
	return nil
}

// broadcastOutcome records what became of a copy; a copy that went out
// with a text corrected meanwhile is corrected in turn.
func (a *App) broadcastOutcome(ctx context.Context, m delivery.Message, o delivery.Outcome) error {
	state := map[string]string{delivery.ResultSent: storage.CopySent, delivery.ResultBlocked: storage.CopyBlocked,
		delivery.ResultFailed: storage.CopyFailed, delivery.ResultDropped: storage.CopyDropped}[o.Result]
	if state == "" {
		return nil
	}
	return a.store.InTx(ctx, func(tx pgx.Tx) error {
		behind, err := a.store.RecordBroadcastOutcomeTx(ctx, tx, m.Ref, m.ChatID, state, o.MessageID)
		if err != nil || behind == 0 {
			return err
		}
		_, err = a.delivery.ScheduleTx(ctx, tx, delivery.Message{ChatID: m.ChatID, Kind: kindBroadcastEdit, Ref: m.Ref,
			Variant: int64(behind)<<8 | anyVersion})
		return err
	})
}

// renderBroadcastEdit corrects a copy already sent: the same copy with
// the text of now, as an edit of its message. It is dropped when a later
// correction supersedes it or the recipient's version is not the one
// corrected.
func (a *App) renderBroadcastEdit(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	b, err := loadFor(ctx, m, m.Ref, a.store.Broadcast)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if int64(b.Revision) != m.Variant>>8 {
		return delivery.Rendered{}, stale(m, "corrected again since")
	}
	c, err := a.store.BroadcastCopyOf(ctx, b.ID, m.ChatID)
	if errors.Is(err, storage.ErrNotFound) || err == nil && c.MessageID == 0 {
		return delivery.Rendered{}, stale(m, "no copy to correct")
	}
	if err != nil {
		return delivery.Rendered{}, err
	}
	v, err := a.copyViewFor(ctx, m, b)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if idx := m.Variant & 0xff; idx != anyVersion {
		lang, _ := pickVersion(b.Versions, b.AuthorLang, v.L.Lang(), v.Profile)
		if int(idx) >= len(locales.Codes) || locales.Codes[idx] != lang {
			return delivery.Rendered{}, stale(m, "their version was not corrected")
		}
	}
	if err := a.store.NoteBroadcastRendered(ctx, b.ID, m.ChatID, b.Revision); err != nil {
		return delivery.Rendered{}, err
	}
	out := a.renderCopy(b, v)
	out.EditMessageID = int(c.MessageID)
	return out, nil
}

// renderBroadcastStatus brings the author's status message up to date from
// the counts in the database, and schedules the next update while copies
// remain. Updates are keyed by their time slot, so however many instances
// or retries schedule the next one, there is one per slot.
func (a *App) renderBroadcastStatus(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	b, err := loadFor(ctx, m, m.Ref, a.store.Broadcast)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if b.StatusMessageID == 0 || b.StatusChatID != m.ChatID {
		return delivery.Rendered{}, stale(m, "no status message")
	}
	now := a.now()
	counts, err := a.store.BroadcastCounts(ctx, b.ID, now)
	if err != nil {
		return delivery.Rendered{}, err
	}
	l, loc, err := a.recipient(ctx, m.ChatID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if counts.Remaining() > 0 && !b.Stopped {
		// The next update starts a slot at least statusEvery from now:
		// the slot of now+statusEvery may start just after now, and two
		// edits a few milliseconds apart would exceed Telegram's limit of
		// edits in one chat.
		next := now.Add(statusEvery)
		if _, at := statusSlot(next); at.Before(next) {
			next = at.Add(statusEvery)
		}
		if counts.Due == 0 && counts.NextDue.After(next) {
			next = counts.NextDue
		}
		if _, err := a.delivery.Schedule(ctx, statusTick(b, next)); err != nil {
			return delivery.Rendered{}, err
		}
	}
	// An update that runs a slot late (a retry, say, after its instance
	// died) would come right before the next one; that one says it.
	if _, slot := statusSlot(time.Unix(0, m.Variant*int64(statusEvery))); now.Sub(slot) > statusEvery &&
		counts.Remaining() > 0 && !b.Stopped {
		return delivery.Rendered{}, stale(m, "status update late")
	}
	text := a.statusText(l, loc, b, counts, now)
	changed, err := a.store.SetBroadcastStatusText(ctx, b.ID, text)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !changed {
		return delivery.Rendered{}, stale(m, "status unchanged")
	}
	return delivery.Rendered{Text: text, Keyboard: statusKeyboard(l, b, counts), EditMessageID: int(b.StatusMessageID)}, nil
}

// statusText is a broadcast's figures as its author reads them.
func (a *App) statusText(l *locales.Localizer, loc *time.Location, b storage.Broadcast, c storage.BroadcastCounts, now time.Time) string {
	lines := []string{l.T("bc_status_title", "ID", b.ID, "When", timefmt.Short(l, b.SendAt.In(loc))),
		l.T("bc_status_sent", "Sent", c.Sent, "Total", c.Total)}
	if c.Blocked+c.Failed > 0 {
		lines = append(lines, l.T("bc_status_problems", "Blocked", c.Blocked, "Failed", c.Failed))
	}
	if c.Dropped > 0 {
		lines = append(lines, l.T("bc_status_dropped", "Dropped", c.Dropped))
	}
	if c.Waiting > 0 {
		lines = append(lines, l.T("bc_status_waiting", "Waiting", c.Waiting, "When", timefmt.Short(l, c.NextDue.In(loc))))
	}
	switch {
	case b.Stopped:
		lines = append(lines, l.T("bc_status_stopped", "Stopped", c.Stopped))
	case c.Due > 0:
		left := time.Duration(float64(c.Due) / a.delivery.Rate() * float64(time.Second))
		lines = append(lines, l.T("bc_status_remaining", "Remaining", c.Due, "Left", HTMLDuration(l, left)))
	case c.Remaining() == 0:
		lines = append(lines, l.T("bc_status_done"))
	}
	if b.Revision > 0 {
		lines = append(lines, l.N("bc_status_corrected", b.Revision))
	}
	return strings.Join(lines, "\n")
}

// HTMLDuration is a short length of time: seconds under a minute, else
// timefmt.Duration rounded up to the minute.
func HTMLDuration(l *locales.Localizer, d time.Duration) locales.HTML {
	if d < time.Minute {
		return locales.HTML(l.N("bc_seconds", max(1, int((d+time.Second-1)/time.Second))))
	}
	return locales.HTML(timefmt.Duration(l, (d + time.Minute - 1).Truncate(time.Minute)))
}

// statusKeyboard offers Stop while copies remain, and Correct.
func statusKeyboard(l *locales.Localizer, b storage.Broadcast, c storage.BroadcastCounts) *models.InlineKeyboardMarkup {
	var row []models.InlineKeyboardButton
	if !b.Stopped && c.Remaining() > 0 {
		row = append(row, button(l.Plain("bc_stop_button"), broadcastButton(broadcastStop, b.ID)))
	}
	row = append(row, button(l.Plain("bc_correct_button"), broadcastButton(broadcastCorrect, b.ID)))
	return keyboard(row)
}

// renderBroadcastReminder reminds a recipient of a funding call's
// deadline, in their language and zone of that moment.
func (a *App) renderBroadcastReminder(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	b, err := loadFor(ctx, m, m.Ref, a.store.Broadcast)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if b.Deadline.IsZero() || !b.Deadline.After(a.now()) {
		return delivery.Rendered{}, stale(m, "deadline over")
	}
	c, err := a.store.BroadcastCopyOf(ctx, b.ID, m.ChatID)
	if errors.Is(err, storage.ErrNotFound) || err == nil && !c.Remind {
		return delivery.Rendered{}, stale(m, "no reminder asked for")
	}
	if err != nil {
		return delivery.Rendered{}, err
	}
	v, err := a.copyViewFor(ctx, m, b)
	if err != nil {
		return delivery.Rendered{}, err
	}
	lead := "bc_reminder_day"
	if time.Duration(m.Variant)*time.Minute >= 7*24*time.Hour {
		lead = "bc_reminder_week"
	}
	b.Topic, v.TownName = "", ""
	out := a.renderCopy(b, v)
	out.Text = v.L.T(lead, "When", timefmt.DateTime(v.L, b.Deadline.In(v.Zone))) + "\n\n" + out.Text
	if out.Keyboard != nil {
		// No second "Remind me" under a reminder.
		out.Keyboard.InlineKeyboard = slices.DeleteFunc(out.Keyboard.InlineKeyboard, func(row []models.InlineKeyboardButton) bool {
			return len(row) == 1 && row[0].URL == ""
		})
	}
	return out, nil
}

// ownsBroadcast tells whether the presser may act on b: its author, or an
// administrator.
func ownsBroadcast(r *Request, b storage.Broadcast) bool {
	return r.Role >= RoleAdmin || r.Role >= RoleCoordinator && b.AuthorID == r.User.ID
}

// onBroadcastButton handles the author's buttons: stop, correct, figures.
// The router lets only coordinators through; whether this one may act on
// this broadcast is checked from the database.
func (a *App) onBroadcastButton(ctx context.Context, r *Request) error {
	action, id, ok := parseBroadcastButton(r.Callback.Data)
	if !ok {
		return a.invalidButton(ctx, r)
	}
	b, err := a.store.Broadcast(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return a.invalidButton(ctx, r)
	}
	if err != nil {
		return err
	}
	if !ownsBroadcast(r, b) {
		r.Log.Warn("refused broadcast action", "broadcast_id", id, "callback", r.Callback.Data)
		return a.answerCallback(ctx, r, r.Loc.Plain("bc_not_yours"), true)
	}
	switch action {
	case broadcastStop:
		return a.stopBroadcast(ctx, r, b)
	case broadcastCorrect:
		a.ackCallback(ctx, r)
		return a.correctWizard().Start(ctx, a, r, correctState{ID: b.ID, Media: b.MediaFileID != ""})
	case broadcastView:
		a.ackCallback(ctx, r)
		_, loc, err := a.recipient(ctx, r.User.ID)
		if err != nil {
			return err
		}
		c, err := a.store.BroadcastCounts(ctx, b.ID, a.now())
		if err != nil {
			return err
		}
		return a.reply(ctx, r, a.statusText(r.Loc, loc, b, c, a.now()), statusKeyboard(r.Loc, b, c))
	}
	return a.invalidButton(ctx, r)
}

// stopBroadcast stops what is not yet sent, in one transaction with the
// cancelling of its copies; the status shows it at once.
func (a *App) stopBroadcast(ctx context.Context, r *Request, b storage.Broadcast) error {
	n := 0
	err := a.store.InTx(ctx, func(tx pgx.Tx) (err error) {
		if n, err = a.store.StopBroadcastTx(ctx, tx, b.ID, r.User.ID); err != nil {
			return err
		}
		if _, err = a.delivery.CancelTx(ctx, tx, delivery.Filter{Kind: kindBroadcast, Ref: b.ID}); err != nil {
			return err
		}
		if b.StatusMessageID != 0 {
			_, err = a.delivery.ScheduleTx(ctx, tx, statusTick(b, a.now()))
		}
		return err
	})
	if errors.Is(err, storage.ErrBroadcastStopped) {
		return a.answerCallback(ctx, r, r.Loc.Plain("bc_already_stopped"), true)
	}
	if err != nil {
		return err
	}
	r.Log.Info("broadcast stopped", "broadcast_id", b.ID, "stopped", n)
	a.ackCallback(ctx, r)
	return a.reply(ctx, r, r.Loc.N("bc_stopped", n), nil)
}

// onBroadcastForButton handles a recipient's buttons under a copy: remind
// me of the deadline, mute its town or topic. Only someone who received
// that broadcast may press them.
func (a *App) onBroadcastForButton(ctx context.Context, r *Request) error {
	action, id, ok := parseBroadcastForButton(r.Callback.Data)
	if !ok {
		return a.invalidButton(ctx, r)
	}
	b, err := a.store.Broadcast(ctx, id)
	if err == nil {
		_, err = a.store.BroadcastCopyOf(ctx, id, r.User.ID)
	}
	if errors.Is(err, storage.ErrNotFound) {
		r.Log.Warn("refused broadcast button of someone else", "broadcast_id", id)
		return a.invalidButton(ctx, r)
	}
	if err != nil {
		return err
	}
	switch action {
	case broadcastRemind:
		return a.remindDeadline(ctx, r, b)
	case broadcastMuteTown:
		if b.FromTown == 0 {
			return a.invalidButton(ctx, r)
		}
		t, err := a.store.Town(ctx, b.FromTown)
		if err != nil {
			return err
		}
		if err := a.store.AddMute(ctx, r.User.ID, storage.Mute{Kind: storage.MuteTown, Value: strconv.FormatInt(b.FromTown, 10)}); err != nil {
			return err
		}
		return a.answerCallback(ctx, r, r.Loc.Plain("bc_muted_town", "Town", t.Name), true)
	case broadcastMuteTopic:
		if b.Topic == "" {
			return a.invalidButton(ctx, r)
		}
		if err := a.store.AddMute(ctx, r.User.ID, storage.Mute{Kind: storage.MuteTopic, Value: b.Topic}); err != nil {
			return err
		}
		return a.answerCallback(ctx, r, r.Loc.Plain("bc_muted_topic", "Topic", r.Loc.Plain("topic_"+b.Topic)), true)
	}
	return a.invalidButton(ctx, r)
}

// remindDeadline schedules the reminders of a funding call's deadline (a
// week and a day before, those still ahead) for the presser.
func (a *App) remindDeadline(ctx context.Context, r *Request, b storage.Broadcast) error {
	now := a.now()
	if b.Deadline.IsZero() || !b.Deadline.After(now) {
		return a.answerCallback(ctx, r, r.Loc.Plain("bc_deadline_over"), true)
	}
	var ms []delivery.Message
	for _, off := range reminderOffsets {
		if at := b.Deadline.Add(-off); at.After(now) {
			ms = append(ms, delivery.Message{ChatID: r.User.ID, Kind: kindBroadcastReminder, Ref: b.ID,
				Variant: int64(off / time.Minute), DueAt: at})
		}
	}
	err := a.store.InTx(ctx, func(tx pgx.Tx) error {
		changed, err := a.store.SetBroadcastReminderTx(ctx, tx, b.ID, r.User.ID)
		if err != nil || !changed {
			return err
		}
		_, err = a.delivery.ScheduleManyTx(ctx, tx, ms)
		return err
	})
	if err != nil {
		return err
	}
	msg := "bc_remind_set"
	if len(ms) == 0 {
		msg = "bc_remind_soon"
	}
	return a.answerCallback(ctx, r, r.Loc.Plain(msg), true)
}

// correctState is the state of the correction dialogue.
type correctState struct {
	ID    int64  `json:"id"`
	Lang  string `json:"lang"`
	Text  string `json:"text"`
	Media bool   `json:"media,omitempty"`
}

// correctWizard corrects one language version of a sent broadcast: every
// copy already delivered is edited (paced, through delivery), the rest go
// out with the new text.
func (a *App) correctWizard() *Wizard[correctState] {
	return &Wizard[correctState]{
		Name: "broadcast_correct",
		Steps: []Step[correctState]{
			mayBroadcast(ChoiceStep("bc_ask_correct_lang", locales.Codes,
				func(l *locales.Localizer, code string) string { return l.Plain("lang_" + code) },
				func(s *correctState) string { return s.Lang }, func(s *correctState, v string) { s.Lang = v })),
			mayBroadcast(Step[correctState]{
				Ask: func(r *Request, s *correctState) Question {
					return Question{Text: r.Loc.T("bc_ask_correct_text", "Language", r.Loc.Plain("lang_list_"+s.Lang))}
				},
				Answer: func(_ context.Context, r *Request, s *correctState, in Input) (Result, error) {
					if in.IsChoice {
						return Refuse("step_type_text"), nil
					}
					d := broadcastDraft{}
					if s.Media {
						d.MediaID = "-"
					}
					text, res := d.checkText(r, in.Text)
					if res.Problem != "" {
						return res, nil
					}
					s.Text = text
					return Accept, nil
				},
			}),
		},
		Finish: a.finishCorrection,
	}
}

// finishCorrection stores the corrected version and schedules the edits
// of the copies already sent, in one transaction.
func (a *App) finishCorrection(ctx context.Context, r *Request, s *correctState) error {
	b, err := a.store.Broadcast(ctx, s.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return a.reply(ctx, r, r.Loc.T("callback_invalid"), nil)
	}
	if err != nil {
		return err
	}
	if !ownsBroadcast(r, b) {
		return a.reply(ctx, r, r.Loc.T("bc_not_yours"), nil)
	}
	idx := slices.Index(locales.Codes, s.Lang)
	if idx < 0 {
		return a.reply(ctx, r, r.Loc.T("callback_invalid"), nil)
	}
	edited := 0
	err = a.store.InTx(ctx, func(tx pgx.Tx) error {
		rev, sent, err := a.store.CorrectBroadcastTx(ctx, tx, b.ID, r.User.ID, s.Lang, s.Text)
		if err != nil {
			return err
		}
		ms := make([]delivery.Message, len(sent))
		for i, c := range sent {
			ms[i] = delivery.Message{ChatID: c.ChatID, Kind: kindBroadcastEdit, Ref: b.ID, Variant: int64(rev)<<8 | int64(idx)}
		}
		edited = len(ms)
		if _, err := a.delivery.ScheduleManyTx(ctx, tx, ms); err != nil {
			return err
		}
		if b.StatusMessageID != 0 {
			_, err = a.delivery.ScheduleTx(ctx, tx, statusTick(b, a.now()))
		}
		return err
	})
	if err != nil {
		return err
	}
	r.Log.Info("broadcast corrected", "broadcast_id", b.ID, "lang", s.Lang, "copies", edited)
	return a.reply(ctx, r, r.Loc.N("bc_corrected", edited, "Language", r.Loc.Plain("lang_list_"+s.Lang)), nil)
}

// maxBroadcastsListed is how many broadcasts /broadcasts shows.
const maxBroadcastsListed = 10

// onBroadcasts lists the newest broadcasts (the author's own; all for
// administrators) with their figures and a button each.
func (a *App) onBroadcasts(ctx context.Context, r *Request) error {
	now := a.now()
	list, err := a.store.Broadcasts(ctx, r.User.ID, r.Role >= RoleAdmin, now, maxBroadcastsListed)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return a.reply(ctx, r, r.Loc.T("bc_list_none"), nil)
	}
	_, loc, err := a.recipient(ctx, r.User.ID)
	if err != nil {
		return err
	}
	lines := []string{r.Loc.T("bc_list_title")}
	kb := keyboard()
	for _, s := range list {
		c := s.Counts
		first := strings.TrimSpace(strings.SplitN(plainOf(s.Versions[s.AuthorLang]), "\n", 2)[0])
		lines = append(lines, r.Loc.T("bc_list_item", "ID", s.ID, "When", timefmt.Short(r.Loc, s.SendAt.In(loc)),
			"Text", truncate(first, 60), "Sent", c.Sent, "Total", c.Total, "Blocked", c.Blocked, "Failed", c.Failed,
			"Remaining", c.Remaining()))
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(r.Loc.Plain("bc_list_button", "ID", s.ID), broadcastButton(broadcastView, s.ID))})
	}
	return a.reply(ctx, r, strings.Join(lines, "\n\n"), kb)
}
