package faketelegram

import (
	"strconv"
	"time"

	"github.com/go-telegram/bot/models"
)

// ChatMessage is one message of a chat as its members see it: written by
// a user (FromBot false; Text and PlainText are what they typed) or by the
// bot (its current state, edits applied, as Messages returns it).
type ChatMessage struct {
	Message
	// From is the author: the bot, or the user who wrote the message.
	From models.User
	// FromBot is true for the bot's messages.
	FromBot bool
	// Edits counts the edits of a bot message.
	Edits int
}

// History returns every message of the chat that is not deleted, the
// users' and the bot's, in the order they were written.
func (s *Server) History(chatID int64) []ChatMessage {
	var out []ChatMessage
	s.view(func(sn *Snapshot) { out = sn.History(chatID) })
	return out
}

// History is Server.History.
func (sn *Snapshot) History(chatID int64) []ChatMessage {
	cs := sn.s.chats[chatID]
	if cs == nil {
		return nil
	}
	edits := map[int]int{}
	for _, ev := range cs.events {
		if ev.Edited {
			edits[ev.ID]++
		}
	}
	out := make([]ChatMessage, 0, len(cs.order))
	for _, id := range cs.order {
		sm := cs.message(id)
		if sm == nil {
			continue
		}
		if sm.fromBot {
			out = append(out, ChatMessage{Message: sm.rec.clone(), From: sn.s.bot, FromBot: true, Edits: edits[id]})
			continue
		}
		m := ChatMessage{Message: Message{
			ID: sm.api.ID, ChatID: cs.chat.ID, Text: sm.api.Text, PlainText: sm.api.Text,
			Entities: append([]models.MessageEntity(nil), sm.api.Entities...), Time: time.Unix(int64(sm.api.Date), 0),
		}}
		if sm.api.From != nil {
			m.From = *sm.api.From
		}
		out = append(out, m)
	}
	return out
}

// PressButtonInChat is PressButton in any chat the user is in, e.g. a
// group: a callback_query from the user on the bot's message messageID in
// chat.
func (s *Server) PressButtonInChat(from models.User, chat models.Chat, messageID int, data string) (updateID int64, callbackQueryID string) {
	s.mu.Lock()
	cs := s.chatLocked(chat)
	msg := &models.Message{ID: messageID, Date: int(time.Now().Unix()), Chat: cs.chat, From: &s.bot}
	if sm := cs.message(messageID); sm != nil {
		cp := *sm.api
		msg = &cp
	}
	u := models.Update{CallbackQuery: &models.CallbackQuery{
		From:         from,
		Message:      models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: msg},
		ChatInstance: strconv.FormatInt(cs.chat.ID*7919+1234567890123, 10),
		Data:         data,
	}}
	updateID = s.injectLocked(&u)
	s.mu.Unlock()
	s.deliverIfWebhook()
	return updateID, u.CallbackQuery.ID
}

// SendChatMessage injects a text message from the user in a chat and
// returns the update id and the message's id in the chat. It is
// SendMessage (chat is the user's private chat) or SendGroupMessage, for a
// client that shows what it sent.
func (s *Server) SendChatMessage(from models.User, chat models.Chat, text string) (updateID int64, messageID int) {
	if chat.ID == 0 {
		chat = privateChat(from)
	}
	sender := from
	u := models.Update{Message: &models.Message{From: &sender, Chat: chat, Text: text, Entities: commandEntities(text)}}
	s.mu.Lock()
	updateID = s.injectLocked(&u)
	messageID = u.Message.ID
	s.mu.Unlock()
	s.deliverIfWebhook()
	return updateID, messageID
}
