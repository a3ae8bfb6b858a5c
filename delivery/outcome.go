package delivery

import (
	"context"
	"errors"
	"strings"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"
)

// Media is a photo or a document sent with a message's text as caption,
// by the file_id Telegram gave it.
type Media struct {
	// Kind is MediaPhoto or MediaDocument.
	Kind   string
	FileID string
}

// The kinds of Media.
const (
	MediaPhoto    = "photo"
	MediaDocument = "document"
)

// MaxCaption is Telegram's limit on a caption, in characters (UTF-16 code
// units, which Telegram counts; the bot counts characters and stays below).
const MaxCaption = 1024

// Outcome is what became of one message.
type Outcome struct {
	// Result is one of the Result* constants.
	Result string
	// MessageID is the message in the recipient's chat, for ResultSent.
	MessageID int64
}

// The results an Outcome reports.
const (
	// ResultSent: Telegram accepted it (sent, or edited).
	ResultSent = "sent"
	// ResultBlocked: the chat blocked the bot or is gone; not sent.
	ResultBlocked = "blocked"
	// ResultFailed: Telegram refused it for good; not sent.
	ResultFailed = "failed"
	// ResultDropped: the Renderer dropped it (ErrDrop); not sent.
	ResultDropped = "dropped"
)

// OutcomeFunc learns what became of a message of one kind. An error
// leaves the job to run again: a message already sent is not sent twice,
// and its outcome is reported again.
type OutcomeFunc func(ctx context.Context, m Message, o Outcome) error

// Observer is a Renderer that also wants to learn the outcome of the
// messages it rendered (e.g. to count a broadcast's progress).
type Observer interface {
	Observe(ctx context.Context, m Message, o Outcome) error
}

// Rechecker is a Renderer that can still drop a message it rendered,
// right before it goes out: a worker renders first and then waits for a
// send slot, which at a saturated rate takes seconds, and what the
// message is about may have changed meanwhile (a broadcast stopped).
// Recheck returns ErrDrop (wrapped) to drop the message; any other error
// leaves the job to run again.
type Rechecker interface {
	Recheck(ctx context.Context, m Message) error
}

// RecheckFunc is a Recheck for one kind.
type RecheckFunc func(ctx context.Context, m Message) error

// Migrator is a Renderer that keeps chat ids of its own (a group's
// settings, a project's group) and follows a group Telegram upgraded to a
// supergroup, which has a new id: a send to the old id fails with
// migrate_to_chat_id, the engine tells Migrated, and then sends the
// message to the new id, rendered anew. Migrated must be idempotent (every
// message pending for the old group tells it again); an error leaves the
// job to run again.
type Migrator interface {
	Migrated(ctx context.Context, from, to int64) error
}

// WithOutcomes is a Renderer by kind (Kinds) with outcome functions and
// rechecks for some kinds, and a Migrate func for all (Migrator).
type WithOutcomes struct {
	Kinds
	Outcomes map[string]OutcomeFunc
	Rechecks map[string]RecheckFunc
	Migrate  func(ctx context.Context, from, to int64) error
}

// Migrated implements Migrator.
func (w WithOutcomes) Migrated(ctx context.Context, from, to int64) error {
	if w.Migrate == nil {
		return nil
	}
	return w.Migrate(ctx, from, to)
}

// Recheck implements Rechecker.
func (w WithOutcomes) Recheck(ctx context.Context, m Message) error {
	if f, ok := w.Rechecks[m.Kind]; ok {
		return f(ctx, m)
	}
	return nil
}

// recheck asks the renderer, if it can, whether m is still to go out.
func (e *Engine) recheck(ctx context.Context, m Message) error {
	r, ok := e.renderer.(Rechecker)
	if !ok {
		return nil
	}
	return r.Recheck(ctx, m)
}

// Observe implements Observer.
func (w WithOutcomes) Observe(ctx context.Context, m Message, o Outcome) error {
	if f, ok := w.Outcomes[m.Kind]; ok {
		return f(ctx, m, o)
	}
	return nil
}

// observe reports o to the renderer, if it wants outcomes.
func (e *Engine) observe(ctx context.Context, m Message, o Outcome) error {
	obs, ok := e.renderer.(Observer)
	if !ok {
		return nil
	}
	return obs.Observe(ctx, m, o)
}

// sentMessageID is the message an earlier run of job sent.
func (e *Engine) sentMessageID(ctx context.Context, jobID int64) (int64, error) {
	var id int64
	err := e.pool.QueryRow(ctx, `SELECT message_id FROM delivery_sent WHERE job_id = $1`, jobID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// send performs out in chatID: a new text message, a photo or document
// with caption, or an edit of an earlier message. It returns the message
// id in the chat.
func (e *Engine) send(ctx context.Context, chatID int64, out Rendered) (int, error) {
	noPreview := &models.LinkPreviewOptions{IsDisabled: tgbot.True()}
	var markup models.ReplyMarkup
	if out.Keyboard != nil {
		markup = out.Keyboard
	}
	switch {
	case out.EditMessageID != 0 && out.Media != nil:
		p := &tgbot.EditMessageCaptionParams{ChatID: chatID, MessageID: out.EditMessageID, Caption: out.Text,
			ParseMode: models.ParseModeHTML}
		if out.Keyboard != nil {
			p.ReplyMarkup = out.Keyboard
		}
		_, err := e.api.EditMessageCaption(ctx, p)
		return out.EditMessageID, notModified(err)
	case out.EditMessageID != 0:
		p := &tgbot.EditMessageTextParams{ChatID: chatID, MessageID: out.EditMessageID, Text: out.Text,
			ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview}
		if out.Keyboard != nil {
			p.ReplyMarkup = out.Keyboard
		}
		_, err := e.api.EditMessageText(ctx, p)
		return out.EditMessageID, notModified(err)
	case out.Media != nil && out.Media.Kind == MediaPhoto:
		sent, err := e.api.SendPhoto(ctx, &tgbot.SendPhotoParams{ChatID: chatID,
			Photo: &models.InputFileString{Data: out.Media.FileID}, Caption: out.Text, ParseMode: models.ParseModeHTML,
			ReplyMarkup: markup})
		if err != nil {
			return 0, err
		}
		return sent.ID, nil
	case out.Media != nil:
		sent, err := e.api.SendDocument(ctx, &tgbot.SendDocumentParams{ChatID: chatID,
			Document: &models.InputFileString{Data: out.Media.FileID}, Caption: out.Text, ParseMode: models.ParseModeHTML,
			ReplyMarkup: markup})
		if err != nil {
			return 0, err
		}
		return sent.ID, nil
	}
	p := &tgbot.SendMessageParams{ChatID: chatID, Text: out.Text, ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview}
	if out.Keyboard != nil {
		p.ReplyMarkup = out.Keyboard
	}
	sent, err := e.api.SendMessage(ctx, p)
	if err != nil {
		return 0, err
	}
	return sent.ID, nil
}

// notModified takes Telegram's "message is not modified" (the edit says
// what the message says already) for success.
func notModified(err error) error {
	if err != nil && strings.Contains(err.Error(), "message is not modified") {
		return nil
	}
	return err
}

// Rate is the configured overall send rate, messages per second.
func (e *Engine) Rate() float64 { return e.cfg.Rate }
