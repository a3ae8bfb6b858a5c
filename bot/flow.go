package bot

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/go-telegram/bot/models"

	"partnerbot/storage"
)

// flowTTL is how long an unfinished dialogue is remembered; the privacy
// text promises at most a day.
const flowTTL = 24 * time.Hour

// startFlow puts the user at step of flow with data as its state.
func (a *App) startFlow(ctx context.Context, r *Request, flow, step string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return a.store.SaveConversation(ctx, storage.Conversation{UserID: r.User.ID, Flow: flow, Step: step,
		Data: raw}, flowTTL)
}

// endFlow forgets the user's dialogue.
func (a *App) endFlow(ctx context.Context, r *Request) error {
	return a.store.EndConversation(ctx, r.User.ID)
}

// continueFlow hands free text to the wizard the user is in, if any. The
// dialogue's state lives in PostgreSQL, so it survives restarts and works
// the same whichever instance receives the message.
func (a *App) continueFlow(ctx context.Context, r *Request) error {
	conv, err := a.store.Conversation(ctx, r.User.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return a.reply(ctx, r, r.Loc.T("free_text"), nil)
	}
	if err != nil {
		return err
	}
	w, ok := a.wizards[conv.Flow]
	if !ok {
		// A flow from a newer or older version of the bot: drop it rather
		// than trap the user in it.
		r.Log.Warn("unknown flow", "flow", conv.Flow)
		if err := a.endFlow(ctx, r); err != nil {
			return err
		}
		return a.reply(ctx, r, r.Loc.T("free_text"), nil)
	}
	return w.input(ctx, a, r, conv, Input{Text: r.Text})
}

// cancelRow is the row every dialogue offers to leave it.
func cancelRow(r *Request) []models.InlineKeyboardButton {
	return []models.InlineKeyboardButton{button(r.Loc.Plain("button_cancel"), cancelButton())}
}

// onCancel ends whatever dialogue the user is in, from /cancel or the
// Cancel button (cancelButton).
func (a *App) onCancel(ctx context.Context, r *Request) error {
	if r.Callback != nil && !parseCancelButton(r.Callback.Data) {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	if err := a.endFlow(ctx, r); err != nil {
		return err
	}
	if r.Callback != nil {
		a.ackCallback(ctx, r)
		return a.edit(ctx, r, r.Loc.T("flow_cancelled"), nil)
	}
	return a.reply(ctx, r, r.Loc.T("flow_cancelled"), nil)
}
