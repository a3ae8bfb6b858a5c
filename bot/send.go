package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// reply sends an HTML message to the request's chat.
func (a *App) reply(ctx context.Context, r *Request, text string, kb *models.InlineKeyboardMarkup) error {
	return a.sendHTML(ctx, r.ChatID, text, kb)
}

func (a *App) sendHTML(ctx context.Context, chatID int64, text string, kb *models.InlineKeyboardMarkup) error {
	p := &tgbot.SendMessageParams{ChatID: chatID, Text: text, ParseMode: models.ParseModeHTML,
		LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()}}
	if kb != nil {
		p.ReplyMarkup = kb
	}
	return retryTooMany(ctx, func() error {
		_, err := a.api.SendMessage(ctx, p)
		return err
	})
}

// maxReplyWait bounds how long a reply waits out Telegram's flood control;
// a user waiting longer than this is better served by a later message.
const maxReplyWait = 10 * time.Second

// retryTooMany runs call and, when Telegram answers 429, waits the
// retry_after it asks for and tries again, while the wait stays short.
func retryTooMany(ctx context.Context, call func() error) error {
	for attempt := 0; ; attempt++ {
		err := call()
		var tooMany *tgbot.TooManyRequestsError
		if !errors.As(err, &tooMany) || attempt == 2 {
			return err
		}
		wait := time.Duration(tooMany.RetryAfter) * time.Second
		if wait > maxReplyWait {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// edit replaces the text of the message a callback button belongs to, or
// sends a new message when that one is gone.
func (a *App) edit(ctx context.Context, r *Request, text string, kb *models.InlineKeyboardMarkup) error {
	if r.Callback == nil || r.Callback.Message.Message == nil {
		return a.reply(ctx, r, text, kb)
	}
	msg := r.Callback.Message.Message
	p := &tgbot.EditMessageTextParams{ChatID: msg.Chat.ID, MessageID: msg.ID, Text: text,
		ParseMode: models.ParseModeHTML, LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tgbot.True()}}
	if kb != nil {
		p.ReplyMarkup = kb
	}
	err := retryTooMany(ctx, func() error {
		_, err := a.api.EditMessageText(ctx, p)
		return err
	})
	if err != nil && strings.Contains(err.Error(), "message is not modified") {
		return nil // a double tap: the message already says this
	}
	if err != nil && errors.Is(err, tgbot.ErrorBadRequest) {
		return a.reply(ctx, r, text, kb)
	}
	return err
}

// answerCallback stops the button's spinner, optionally with a notice.
func (a *App) answerCallback(ctx context.Context, r *Request, text string, alert bool) error {
	if r.Callback == nil {
		return nil
	}
	_, err := a.api.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{
		CallbackQueryID: r.Callback.ID, Text: text, ShowAlert: alert})
	return err
}

// ackCallback stops the pressed button's spinner. A failure only leaves
// the spinner turning a little longer, so it is logged, not returned.
func (a *App) ackCallback(ctx context.Context, r *Request) {
	if err := a.answerCallback(ctx, r, "", false); err != nil {
		r.Log.Warn("answer callback", "err", err)
	}
}

// keyboard builds an inline keyboard, one row per slice.
func keyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// button is an inline button that sends d back when pressed. d comes
// from a maker of button_data.go; one that refused its fields, or no data
// at all, is a bug in the program, not in the input, so it panics (Handle
// recovers, logs the stack and apologizes).
func button(label string, d buttonData) models.InlineKeyboardButton {
	if d.err != nil {
		panic(fmt.Sprintf("button %q: bad callback data: %v", label, d.err))
	}
	if d.s == "" {
		panic(fmt.Sprintf("button %q: no callback data", label))
	}
	return models.InlineKeyboardButton{Text: label, CallbackData: d.s}
}
