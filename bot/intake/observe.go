package intake

import (
	"time"

	"github.com/go-telegram/bot/models"

	"partnerbot/storage"
)

// Observer learns what becomes of updates, for metrics. Its methods are
// called from the poller, the webhook and the workers at once and must
// not block.
type Observer interface {
	// Received: an update was stored for the first time (a replay is not
	// counted).
	Received(kind string)
	// Closed: the handling of an update ended with outcome; took is how
	// long the handler (or the slow-down answer) ran, zero when none ran.
	Closed(kind string, outcome storage.Outcome, took time.Duration)
	// Failed: the handling of an update went wrong; reason is "timeout"
	// (the handler ran out of time), "lease_lost" (another worker took the
	// update over) or "not_closed" (the update could not be marked done
	// and is handled again later).
	Failed(kind, reason string)
}

// The kinds of update Observer distinguishes.
const (
	KindMessage         = "message"
	KindCallbackQuery   = "callback_query"
	KindMyChatMember    = "my_chat_member"
	KindChatJoinRequest = "chat_join_request"
	KindOther           = "other"
)

// Kinds lists every kind an Observer is told of.
var Kinds = []string{KindMessage, KindCallbackQuery, KindMyChatMember, KindChatJoinRequest, KindOther}

// Kind names what an update carries.
func Kind(u *models.Update) string {
	switch {
	case u == nil:
		return KindOther
	case u.Message != nil:
		return KindMessage
	case u.CallbackQuery != nil:
		return KindCallbackQuery
	case u.MyChatMember != nil:
		return KindMyChatMember
	case u.ChatJoinRequest != nil:
		return KindChatJoinRequest
	}
	return KindOther
}

// nopObserver is the Observer of an Intake without metrics.
type nopObserver struct{}

func (nopObserver) Received(string)                               {}
func (nopObserver) Closed(string, storage.Outcome, time.Duration) {}
func (nopObserver) Failed(string, string)                         {}
