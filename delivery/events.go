package delivery

import (
	"errors"

	tgbot "github.com/go-telegram/bot"
)

// Event is what became of one attempt to send a message, for metrics
// (Config.Events).
type Event int

// The events of a send attempt.
const (
	// EventSent: Telegram accepted the message.
	EventSent Event = iota
	// EventFlood: Telegram answered 429; the message waits retry_after.
	EventFlood
	// EventForbidden: Telegram answered 403 (the bot was blocked or
	// kicked); no more messages go to the chat.
	EventForbidden
	// EventGone: the chat is gone in another way (not found); no more
	// messages go to it.
	EventGone
	// EventRetry: a transient failure (5xx, network, timeout); River
	// tries again later.
	EventRetry
	// EventMigrated: the group was upgraded to a supergroup; the message
	// goes to the supergroup instead.
	EventMigrated
)

// event tells Config.Events, if set.
func (e *Engine) event(ev Event) {
	if e.cfg.Events != nil {
		e.cfg.Events(ev)
	}
}

// goneEvent tells a 403 from the other ways a chat is gone.
func goneEvent(err error) Event {
	if errors.Is(err, tgbot.ErrorForbidden) {
		return EventForbidden
	}
	return EventGone
}

// Queue is the River queue the delivery jobs wait in (metrics read its
// depth).
const Queue = queue
