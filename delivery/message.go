package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-telegram/bot/models"
)

// Message says what to send to whom, not how it reads: the text is rendered
// when the message goes out, in the recipient's language and time zone of
// that moment, by the Renderer.
//
// A message is unique by all its fields: scheduling the same message again
// while it is pending, or within a day after it was sent (River's retention
// of completed jobs), changes nothing.
type Message struct {
	// ChatID is the recipient: a user's private chat (the user id), a group
	// or a channel (negative ids).
	ChatID int64 `json:"chat_id"`
	// Kind names what the message is, e.g. "event_reminder"; the Renderer
	// decides by it how to render.
	Kind string `json:"kind"`
	// Ref is the id of what the message is about, e.g. the event id.
	Ref int64 `json:"ref,omitempty"`
	// Variant tells apart several messages of one kind about one Ref to one
	// chat, e.g. a reminder's offset in minutes.
	Variant int64 `json:"variant,omitempty"`
	// DueAt is when the message should go out; Schedule sets it to now when
	// zero. The Renderer can compare it with the current state (a reminder
	// for an event that has moved since is stale).
	DueAt time.Time `json:"due_at"`
	// Bulk marks a copy of a mass mailing (a broadcast): when many
	// messages are due, every other message (reminders, a broadcast's
	// live status) is taken first.
	Bulk bool `json:"bulk,omitempty"`
}

// Rendered is a message ready to send.
type Rendered struct {
	// Text is Telegram HTML, user input escaped.
	Text string
	// Keyboard is an optional inline keyboard.
	Keyboard *models.InlineKeyboardMarkup
	// Media, if set, sends a photo or document with Text as its caption
	// (at most MaxCaption characters).
	Media *Media
	// EditMessageID, if set, edits that earlier message in the chat (its
	// text, or its caption when Media is set) instead of sending a new one.
	EditMessageID int
}

// ErrDrop is returned (possibly wrapped) by a Renderer when a message is no
// longer relevant: the event was cancelled, has started or moved, the user
// unsubscribed or left. The message is then not sent and not retried.
var ErrDrop = errors.New("message no longer relevant")

// Renderer turns a Message into its text at the moment it is sent. Any
// error other than ErrDrop is retried with backoff.
type Renderer interface {
	Render(ctx context.Context, m Message) (Rendered, error)
}

// RenderFunc renders messages of one kind.
type RenderFunc func(ctx context.Context, m Message) (Rendered, error)

// Kinds is a Renderer that picks a RenderFunc by Message.Kind.
type Kinds map[string]RenderFunc

// Render implements Renderer.
func (k Kinds) Render(ctx context.Context, m Message) (Rendered, error) {
	f, ok := k[m.Kind]
	if !ok {
		return Rendered{}, fmt.Errorf("no renderer for message kind %q", m.Kind)
	}
	return f(ctx, m)
}
