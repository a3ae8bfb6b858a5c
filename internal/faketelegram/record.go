package faketelegram

import (
	"bytes"
	"maps"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// Message is something the bot did to a message. Sent returns one per send
// and one per edit (Edited true); Messages returns the current state of each
// message the bot sent.
type Message struct {
	// ID is the message_id Telegram assigned.
	ID int
	// ChatID is the chat the message is in.
	ChatID int64
	// Method is the Bot API method that produced this record, e.g.
	// "sendMessage", "sendPhoto", "sendDocument", "editMessageText",
	// "editMessageCaption". In Messages it is
	// the method that sent the message.
	Method string
	// Text is the text (or photo or document caption) exactly as the bot sent it,
	// markup included.
	Text string
	// PlainText is what the user sees: tags removed, entities decoded and
	// surrounding whitespace trimmed.
	PlainText string
	// ParseMode is the parse_mode the bot used.
	ParseMode string
	// Entities are the formatting entities of PlainText.
	Entities []models.MessageEntity
	// ReplyMarkup is the inline keyboard, if any.
	ReplyMarkup *models.InlineKeyboardMarkup
	// ReplyKeyboard is the custom reply keyboard, if any.
	ReplyKeyboard *models.ReplyKeyboardMarkup
	// RemoveKeyboard is set when the bot sent ReplyKeyboardRemove.
	RemoveKeyboard bool
	// RawReplyMarkup is the reply_markup parameter as received.
	RawReplyMarkup string
	// ReplyToMessageID is the message this one replies to, or 0.
	ReplyToMessageID int
	// Document is the sent document (sendDocument only).
	Document *Document
	// Photo is the sent photo (sendPhoto only).
	Photo *Photo
	// Edited is true for edit events and for edited messages.
	Edited bool
	// Time is when the send or the last edit happened.
	Time time.Time
}

// Buttons returns the rows of the message's inline keyboard, or nil.
func (m Message) Buttons() [][]models.InlineKeyboardButton { return Buttons(m) }

// Buttons returns the rows of m's inline keyboard, or nil.
func Buttons(m Message) [][]models.InlineKeyboardButton {
	if m.ReplyMarkup == nil {
		return nil
	}
	return m.ReplyMarkup.InlineKeyboard
}

func (m Message) clone() Message {
	m.Entities = append([]models.MessageEntity(nil), m.Entities...)
	m.ReplyMarkup = cloneInline(m.ReplyMarkup)
	if m.Document != nil {
		d := *m.Document
		d.Content = bytes.Clone(d.Content)
		m.Document = &d
	}
	if m.Photo != nil {
		p := *m.Photo
		m.Photo = &p
	}
	return m
}

func (m Message) isSend() bool { return !m.Edited }

// Document is a document the bot sent.
type Document struct {
	// FileID is the file_id Telegram assigned (or the one the bot reused).
	FileID string
	// FileName is the name of the uploaded file.
	FileName string
	// MimeType is the MIME type Telegram reports.
	MimeType string
	// Content holds the uploaded bytes; nil when the bot sent a file_id or
	// a URL.
	Content []byte
	// Caption is the caption exactly as the bot sent it.
	Caption string
}

// Call is one Bot API request the server received.
type Call struct {
	// Method is the method name in Telegram's spelling (as received when
	// the method is unknown).
	Method string
	// Params are the parameters as received (objects as JSON text).
	Params map[string]string
	// Files maps file fields of multipart requests to their file names.
	Files map[string]string
	// Status is the HTTP status of the answer.
	Status int
	// Error is the description of an unsuccessful answer.
	Error string
	// Time is when the answer was sent.
	Time time.Time
}

func (c Call) clone() Call {
	c.Params = maps.Clone(c.Params)
	c.Files = maps.Clone(c.Files)
	return c
}

// CallbackAnswer is a recorded answerCallbackQuery.
type CallbackAnswer struct {
	// QueryID is the callback_query_id.
	QueryID string
	// UserID is the user who pressed the button.
	UserID int64
	// MessageID is the message whose button was pressed.
	MessageID int
	// Data is the callback data of the pressed button.
	Data string
	// Text is the notification text.
	Text string
	// ShowAlert is whether the notification is an alert.
	ShowAlert bool
	// URL is the url parameter.
	URL string
	// CacheTime is the cache_time parameter.
	CacheTime int
	// Time is when the answer arrived.
	Time time.Time
}

// Sent returns, in order, everything the bot sent to the chat: one Message
// per send (sendMessage, sendDocument) and one per edit (Edited true).
func (s *Server) Sent(chatID int64) []Message {
	var out []Message
	s.view(func(sn *Snapshot) { out = sn.Sent(chatID) })
	return out
}

// Messages returns the current state of every message the bot sent to the
// chat and did not delete, in message_id order.
func (s *Server) Messages(chatID int64) []Message {
	var out []Message
	s.view(func(sn *Snapshot) { out = sn.Messages(chatID) })
	return out
}

// Calls returns the requests made with the method (case-insensitive; "" for
// all), in the order they were answered.
func (s *Server) Calls(method string) []Call {
	var out []Call
	s.view(func(sn *Snapshot) { out = sn.Calls(method) })
	return out
}

// CallCount returns how many requests were made with the method.
func (s *Server) CallCount(method string) int {
	var n int
	s.view(func(sn *Snapshot) { n = sn.CallCount(method) })
	return n
}

// CallbackAnswers returns every answerCallbackQuery the bot made.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	var out []CallbackAnswer
	s.view(func(sn *Snapshot) { out = sn.CallbackAnswers() })
	return out
}

// Snapshot gives read access to the server's records inside WaitUntil. It
// is valid only during the callback, which must not call Server methods.
type Snapshot struct{ s *Server }

// Sent is Server.Sent.
func (sn *Snapshot) Sent(chatID int64) []Message {
	cs := sn.s.chats[chatID]
	if cs == nil {
		return nil
	}
	out := make([]Message, 0, len(cs.events))
	for _, m := range cs.events {
		out = append(out, m.clone())
	}
	return out
}

// Sends returns the sends to the chat, without edit events.
func (sn *Snapshot) Sends(chatID int64) []Message {
	var out []Message
	for _, m := range sn.Sent(chatID) {
		if m.isSend() {
			out = append(out, m)
		}
	}
	return out
}

// Messages is Server.Messages.
func (sn *Snapshot) Messages(chatID int64) []Message {
	cs := sn.s.chats[chatID]
	if cs == nil {
		return nil
	}
	var out []Message
	for _, id := range cs.order {
		if sm := cs.msgs[id]; sm.fromBot && !sm.deleted {
			out = append(out, sm.rec.clone())
		}
	}
	return out
}

// Calls is Server.Calls.
func (sn *Snapshot) Calls(method string) []Call {
	var out []Call
	for _, c := range sn.s.calls {
		if method == "" || strings.EqualFold(c.Method, method) {
			out = append(out, c.clone())
		}
	}
	return out
}

// CallCount is Server.CallCount.
func (sn *Snapshot) CallCount(method string) int { return sn.CountCalls(method, nil) }

// CountCalls counts the calls of method (all methods for "") for which
// match, if not nil, is true. Unlike Calls it copies nothing, so a wait
// over thousands of calls stays cheap; match must not modify the call.
func (sn *Snapshot) CountCalls(method string, match func(Call) bool) int {
	n := 0
	for _, c := range sn.s.calls {
		if (method == "" || strings.EqualFold(c.Method, method)) && (match == nil || match(c)) {
			n++
		}
	}
	return n
}

// CallbackAnswers is Server.CallbackAnswers.
func (sn *Snapshot) CallbackAnswers() []CallbackAnswer {
	return append([]CallbackAnswer(nil), sn.s.answers...)
}

// PendingUpdates is the number of updates not yet confirmed by getUpdates
// or accepted by the webhook.
func (sn *Snapshot) PendingUpdates() int { return len(sn.s.queue) }

// LongPolls is the number of getUpdates requests waiting for updates,
// e.g. to know that a bot has started polling.
func (sn *Snapshot) LongPolls() int { return sn.s.polling }

// WebhookURL is the webhook currently set, or "".
func (sn *Snapshot) WebhookURL() string { return sn.s.webhook.url }

// Deliveries is Server.WebhookDeliveries.
func (sn *Snapshot) Deliveries() []Delivery { return append([]Delivery(nil), sn.s.deliveries...) }
