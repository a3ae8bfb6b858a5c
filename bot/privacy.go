package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"
)

func (a *App) onPrivacy(ctx context.Context, r *Request) error {
	text := r.Loc.T("privacy_text")
	if a.tr.Enabled() {
		text += "\n\n" + r.Loc.T("privacy_translations")
	}
	return a.reply(ctx, r, text, nil)
}

// onExport sends the user every stored row about them as a JSON file.
func (a *App) onExport(ctx context.Context, r *Request) error {
	data, err := a.store.Export(ctx, r.User.ID)
	if err != nil {
		return err
	}
	doc, err := json.MarshalIndent(struct {
		ExportedAt time.Time                  `json:"exported_at"`
		Data       map[string]json.RawMessage `json:"data"`
	}{a.now().UTC(), data}, "", "  ")
	if err != nil {
		return err
	}
	_, err = a.api.SendDocument(ctx, &tgbot.SendDocumentParams{
		ChatID:   r.ChatID,
		Document: &models.InputFileUpload{Filename: "partnerbot-export.json", Data: bytes.NewReader(doc)},
		Caption:  r.Loc.T("export_caption"), ParseMode: models.ParseModeHTML,
	})
	return err
}

// deleteMeValidity is how long the "Yes" of /deleteme erases: an old
// question left in the chat no longer does.
const deleteMeValidity = 10 * time.Minute

// onDeleteMe asks before erasing anything. The "Yes" button names the
// person asked and when.
func (a *App) onDeleteMe(ctx context.Context, r *Request) error {
	return a.reply(ctx, r, r.Loc.T("deleteme_confirm"), keyboard(
		[]models.InlineKeyboardButton{button(r.Loc.Plain("deleteme_yes"), deleteMeConfirmButton(r.User.ID, a.now()))},
		[]models.InlineKeyboardButton{button(r.Loc.Plain("deleteme_no"), deleteMeButton(false))},
	))
}

// onDeleteMeAnswer erases the user's data after they confirmed. The
// callback only ever acts on the user who pressed it, and only when they
// are the person the question was asked of, within deleteMeValidity: a
// button in someone else's chat, forged data or an old question erase
// nothing.
func (a *App) onDeleteMeAnswer(ctx context.Context, r *Request) error {
	askedOf, askedAt, confirm := parseDeleteMeConfirm(r.Callback.Data)
	yes, ok := parseDeleteMeButton(r.Callback.Data)
	age := a.now().Sub(askedAt)
	var text string
	switch {
	case confirm && askedOf != r.User.ID, !confirm && (!ok || yes):
		// Someone else's button, forged data, or a bare "yes" of a
		// question asked before buttons named the person.
		r.Log.Warn("refused erasure confirmation", "callback", r.Callback.Data)
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	case confirm && (age > deleteMeValidity || age < -time.Minute):
		return a.answerCallback(ctx, r, r.Loc.Plain("deleteme_expired"), true)
	case confirm:
		// The messages waiting for the person (reminders, notices) go with
		// the rest, in the same transaction.
		if err := a.store.InTx(ctx, func(tx pgx.Tx) error {
			if err := a.store.DeleteUserTx(ctx, tx, r.User.ID); err != nil || a.delivery == nil {
				return err
			}
			return a.delivery.ForgetChatTx(ctx, tx, r.User.ID)
		}); err != nil {
			return err
		}
		r.Log.Info("user erased their data")
		a.forgetUnusedWords(ctx, r)
		text = r.Loc.T("deleteme_done")
	default:
		text = r.Loc.T("deleteme_cancelled")
	}
	a.ackCallback(ctx, r)
	return a.edit(ctx, r, text, nil)
}
