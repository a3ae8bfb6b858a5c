package faketelegram

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

// supergroupIDLimit: supergroup and channel ids are -100xxxxxxxxxx.
const supergroupIDLimit = -1000000000000

// chatState is everything the server knows about one chat.
type chatState struct {
	chat      models.Chat
	lastMsgID int
	msgs      map[int]*storedMessage
	order     []int     // message ids in the order they were created
	events    []Message // sends and edits by the bot, for Sent
}

// storedMessage is a message in a chat, by the bot or by a user.
type storedMessage struct {
	api     *models.Message // never mutated; replaced on edit
	rec     Message         // current state, bot messages only
	fromBot bool
	deleted bool
}

func (cs *chatState) nextMessageID() int {
	cs.lastMsgID++
	return cs.lastMsgID
}

func (cs *chatState) store(sm *storedMessage) {
	if _, exists := cs.msgs[sm.api.ID]; !exists {
		cs.order = append(cs.order, sm.api.ID)
	}
	cs.msgs[sm.api.ID] = sm
	if sm.api.ID > cs.lastMsgID {
		cs.lastMsgID = sm.api.ID
	}
}

// message returns a live (not deleted) message of the chat, or nil.
func (cs *chatState) message(id int) *storedMessage {
	if sm := cs.msgs[id]; sm != nil && !sm.deleted {
		return sm
	}
	return nil
}

// defaultChat describes a chat known only by its id.
func defaultChat(id int64) models.Chat {
	switch {
	case id > 0:
		return models.Chat{ID: id, Type: models.ChatTypePrivate, FirstName: fmt.Sprintf("User%d", id)}
	case id <= supergroupIDLimit:
		return models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: fmt.Sprintf("Supergroup %d", -id)}
	default:
		return models.Chat{ID: id, Type: models.ChatTypeGroup, Title: fmt.Sprintf("Group %d", -id)}
	}
}

// privateChat is the private chat of a user with the bot.
func privateChat(u models.User) models.Chat {
	return models.Chat{ID: u.ID, Type: models.ChatTypePrivate, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username}
}

// chatLocked returns the state of the chat, registering it (or refreshing
// its description) as a chat that talked to the bot.
func (s *Server) chatLocked(chat models.Chat) *chatState {
	if chat.Type == "" {
		d := defaultChat(chat.ID)
		chat.Type = d.Type
		if chat.Title == "" && chat.FirstName == "" {
			chat.Title, chat.FirstName = d.Title, d.FirstName
		}
	}
	cs := s.chats[chat.ID]
	if cs == nil {
		cs = &chatState{msgs: map[int]*storedMessage{}}
		s.chats[chat.ID] = cs
	}
	cs.chat = chat
	return cs
}

// KnownChat registers a chat id as one that talked to the bot, so sends to
// it succeed instead of failing with "chat not found". Positive ids are
// private chats, negative ones groups (-100... supergroups).
func (s *Server) KnownChat(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chats[id] == nil {
		s.chatLocked(defaultChat(id))
	}
}

// AddChat registers a chat with its full description (title, username...).
func (s *Server) AddChat(chat models.Chat) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chatLocked(chat)
}

// resolveChatLocked finds the chat a chat_id parameter names.
func (s *Server) resolveChatLocked(ref string) (*chatState, *apiError) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, errChatIDEmpty
	}
	if name, ok := strings.CutPrefix(ref, "@"); ok {
		for _, cs := range s.chats {
			if cs.chat.Username != "" && strings.EqualFold(cs.chat.Username, name) {
				return cs, nil
			}
		}
		return nil, errChatNotFound
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || s.chats[id] == nil {
		return nil, errChatNotFound
	}
	return s.chats[id], nil
}

// writableChatLocked resolves a chat the bot wants to write to.
func (s *Server) writableChatLocked(ref string) (*chatState, *apiError) {
	cs, err := s.resolveChatLocked(ref)
	if err == errChatNotFound {
		cs, err = s.applicantChatLocked(ref) // groups.go
	}
	if err != nil {
		return nil, err
	}
	if s.blocked[cs.chat.ID] {
		return nil, forbiddenFor(string(cs.chat.Type))
	}
	if err := s.groupWriteCheckLocked(cs); err != nil { // groups.go
		return nil, err
	}
	return cs, nil
}
