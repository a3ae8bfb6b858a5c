package faketelegram

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-telegram/bot/models"
)

const (
	defaultUpdatesLimit = 100
	maxPollSeconds      = 24 * 60 * 60
	webhookTimeout      = 10 * time.Second
)

// queuedUpdate is an update waiting for getUpdates confirmation or for the
// webhook to accept it.
type queuedUpdate struct {
	seq uint64
	id  int64
	raw []byte
	// replay marks an update re-queued by Replay that getUpdates has not
	// returned yet; it survives offsets past its id until returned once.
	replay bool
}

// enqueueLocked assigns the update an id (if it has none), freezes it as
// JSON and queues it.
func (s *Server) enqueueLocked(u models.Update) int64 {
	if u.ID == 0 {
		u.ID = s.lastUpdateID + 1
	}
	if u.ID > s.lastUpdateID {
		s.lastUpdateID = u.ID
	}
	raw := jsonOf(&u)
	s.history[u.ID] = raw
	s.pushLocked(u.ID, raw, false)
	return u.ID
}

func (s *Server) pushLocked(id int64, raw []byte, replay bool) {
	s.queueSeq++
	s.queue = append(s.queue, queuedUpdate{seq: s.queueSeq, id: id, raw: raw, replay: replay})
	s.notifyLocked()
}

// Inject queues a raw update for the bot, assigning update_id when it is
// zero. Chats of messages in it become known, and a message without
// message_id or date gets one; a callback query gets an id when it has none
// and can be answered. It returns the update id. When a webhook is set,
// Inject delivers the pending updates before returning.
func (s *Server) Inject(u models.Update) int64 {
	s.mu.Lock()
	id := s.injectLocked(&u)
	s.mu.Unlock()
	s.deliverIfWebhook()
	return id
}

// injectLocked completes and queues u (a copy the caller owns; the
// pointers in it are replaced, not written through).
func (s *Server) injectLocked(u *models.Update) int64 {
	if u.Message != nil {
		m := *u.Message
		s.registerIncomingLocked(&m)
		u.Message = &m
	}
	if u.CallbackQuery != nil {
		cq := *u.CallbackQuery
		s.registerQueryLocked(&cq)
		u.CallbackQuery = &cq
	}
	return s.enqueueLocked(*u)
}

// registerIncomingLocked makes the chat of a user message known and
// stores the message so the bot can reply to or delete it.
func (s *Server) registerIncomingLocked(m *models.Message) {
	cs := s.chatLocked(m.Chat)
	m.Chat = cs.chat
	s.userSpokeLocked(cs.chat.ID) // groups.go
	if m.ID == 0 {
		m.ID = cs.nextMessageID()
	}
	if m.Date == 0 {
		m.Date = int(time.Now().Unix())
	}
	stored := *m
	cs.store(&storedMessage{api: &stored})
}

// Replay queues an update that was already delivered once more, with the
// same update_id, to test that the bot ignores duplicates. In polling mode
// it is returned by the next getUpdates even if the bot's offset is past
// its id.
func (s *Server) Replay(updateID int64) error {
	s.mu.Lock()
	raw, ok := s.history[updateID]
	if ok {
		s.pushLocked(updateID, raw, true)
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("faketelegram: no update with id %d", updateID)
	}
	s.deliverIfWebhook()
	return nil
}

// confirmLocked forgets the updates getUpdates confirmed with offset.
func (s *Server) confirmLocked(offset int64) {
	if offset <= 0 {
		return
	}
	kept := s.queue[:0]
	for _, q := range s.queue {
		if q.id >= offset || q.replay {
			kept = append(kept, q)
		}
	}
	clear(s.queue[len(kept):])
	s.queue = kept
}

// batchLocked returns up to limit updates for getUpdates(offset).
func (s *Server) batchLocked(offset int64, limit int) []json.RawMessage {
	var out []json.RawMessage
	for i := range s.queue {
		if len(out) == limit {
			break
		}
		q := &s.queue[i]
		if q.id >= offset || q.replay {
			out = append(out, q.raw)
			q.replay = false
		}
	}
	return out
}

func (s *Server) handleGetUpdates(rq *request) (any, *apiError) {
	offset, _ := rq.int64Param("offset")
	limit := rq.intParam("limit", defaultUpdatesLimit)
	if limit < 1 || limit > defaultUpdatesLimit {
		limit = defaultUpdatesLimit
	}
	timeout := time.Duration(min(max(rq.intParam("timeout", 0), 0), maxPollSeconds)) * time.Second
	timer := time.NewTimer(timeout)
	defer timer.Stop()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook.url != "" {
		return nil, errWebhookActive
	}
	s.pollGen++
	gen := s.pollGen
	s.confirmLocked(offset)
	for {
		if batch := s.batchLocked(offset, limit); len(batch) > 0 {
			return jsonOf(batch), nil
		}
		s.polling++
		s.notifyLocked()
		changed := s.changed
		s.mu.Unlock()
		expired := false
		select {
		case <-changed:
		case <-timer.C:
			expired = true
		case <-rq.ctx.Done():
			expired = true
		case <-s.closing:
			expired = true
		}
		s.mu.Lock()
		s.polling--
		switch {
		case s.webhook.url != "":
			return nil, errWebhookActive
		case s.pollGen != gen:
			return nil, errPollTerminated
		case expired:
			return jsonOf([]json.RawMessage{}), nil
		}
	}
}
