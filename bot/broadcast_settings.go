package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"partnerbot/storage"
)

// messageKindsView is the part of /settings about what the bot sends on
// its own initiative: a switch per kind of message, and the mutes with a
// button each to lift them.
func (a *App) messageKindsView(ctx context.Context, r *Request) (string, [][]models.InlineKeyboardButton, error) {
	off, err := a.store.MessageKindsOff(ctx, r.User.ID)
	if err != nil {
		return "", nil, err
	}
	mutes, err := a.store.Mutes(ctx, r.User.ID)
	if err != nil {
		return "", nil, err
	}
	lines := []string{r.Loc.T("settings_kinds_title")}
	var rows [][]models.InlineKeyboardButton
	for _, k := range storage.MessageKinds {
		on := !slices.Contains(off, k)
		state := "settings_kind_on"
		if !on {
			state = "settings_kind_off"
		}
		lines = append(lines, r.Loc.T(state, "Kind", r.Loc.Plain("settings_kind_"+k)))
		label := "settings_kind_switch_off"
		if !on {
			label = "settings_kind_switch_on"
		}
		rows = append(rows, []models.InlineKeyboardButton{
			button(r.Loc.Plain(label, "Kind", r.Loc.Plain("settings_kind_"+k)), settingsKindButton(k))})
	}
	for _, m := range mutes {
		name, err := a.muteName(ctx, r, m)
		if err != nil {
			return "", nil, err
		}
		if name == "" {
			continue
		}
		lines = append(lines, r.Loc.T("settings_muted_"+m.Kind, "Name", name))
		rows = append(rows, []models.InlineKeyboardButton{
			button(r.Loc.Plain("settings_unmute_button", "Name", name), settingsUnmuteButton(m.Kind, m.Value))})
	}
	return strings.Join(lines, "\n"), rows, nil
}

// muteName names what a mute silences: the town, or the topic; "" for a
// town that is gone.
func (a *App) muteName(ctx context.Context, r *Request, m storage.Mute) (string, error) {
	if m.Kind == storage.MuteTopic {
		return r.Loc.Plain("topic_" + m.Value), nil
	}
	id, err := strconv.ParseInt(m.Value, 10, 64)
	if err != nil {
		return "", nil
	}
	t, err := a.store.Town(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	return t.Name, err
}

// toggleMessageKind switches a kind of messages on or off and shows the
// settings again.
func (a *App) toggleMessageKind(ctx context.Context, r *Request, kind string) error {
	on, err := a.store.MessageKindOn(ctx, r.User.ID, kind)
	if err != nil {
		return err
	}
	if err := a.store.SetMessageKind(ctx, r.User.ID, kind, !on); err != nil {
		return err
	}
	a.ackCallback(ctx, r)
	text, kb, err := a.settingsView(ctx, r)
	if err != nil {
		return err
	}
	return a.edit(ctx, r, text, kb)
}

// unmute lifts a mute and shows the settings again.
func (a *App) unmute(ctx context.Context, r *Request, m storage.Mute) error {
	if err := a.store.RemoveMute(ctx, r.User.ID, m); err != nil {
		return err
	}
	a.ackCallback(ctx, r)
	text, kb, err := a.settingsView(ctx, r)
	if err != nil {
		return err
	}
	return a.edit(ctx, r, text, kb)
}
