package faketelegram

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// InjectRaw queues an update given as the JSON text the Bot API would
// write, byte for byte: the Bot API passes some client data on as it came,
// bytes that are not UTF-8 included, which no Go value marshals to. raw
// must be a JSON object; the server adds the update_id as its last member,
// which wins over an update_id raw may carry. Nothing in it is registered
// (chats, callback queries). It returns the update id.
func (s *Server) InjectRaw(raw []byte) (int64, error) {
	body := bytes.TrimSpace(raw)
	if !json.Valid(body) || len(body) < 2 || body[0] != '{' {
		return 0, errors.New("faketelegram: InjectRaw needs a JSON object")
	}
	s.mu.Lock()
	s.lastUpdateID++
	id := s.lastUpdateID
	s.pushRawLocked(id, withUpdateID(body, id))
	s.mu.Unlock()
	s.deliverIfWebhook()
	return id, nil
}

// withUpdateID appends "update_id": id as the last member of the object.
func withUpdateID(obj []byte, id int64) []byte {
	inner := bytes.TrimSpace(obj[1 : len(obj)-1])
	out := append([]byte{'{'}, inner...)
	if len(inner) > 0 {
		out = append(out, ',')
	}
	out = append(out, `"update_id":`...)
	out = strconv.AppendInt(out, id, 10)
	return append(out, '}')
}

func (s *Server) pushRawLocked(id int64, raw []byte) {
	s.history[id] = raw
	s.pushLocked(id, raw, false)
}

// PressButtonBytes is PressButton with callback data given as bytes,
// written into the update as the Bot API writes them: control characters
// escaped (a NUL as \u0000), every other byte as it came, also when it is
// not UTF-8, as a modified client can send.
func (s *Server) PressButtonBytes(from models.User, messageID int, data []byte) (updateID int64, callbackQueryID string) {
	const placeholder = "\x01faketelegram-data\x01"
	s.mu.Lock()
	cs := s.chatLocked(privateChat(from))
	msg := &models.Message{ID: messageID, Date: int(time.Now().Unix()), Chat: cs.chat, From: &s.bot}
	if sm := cs.message(messageID); sm != nil {
		cp := *sm.api
		msg = &cp
	}
	cq := models.CallbackQuery{
		From:         from,
		Message:      models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: msg},
		ChatInstance: strconv.FormatInt(cs.chat.ID*7919+1234567890123, 10),
		Data:         placeholder,
	}
	s.registerQueryLocked(&cq)
	s.queries[cq.ID].data = string(data)
	s.lastUpdateID++
	updateID = s.lastUpdateID
	u := models.Update{ID: updateID, CallbackQuery: &cq}
	raw := bytes.Replace(jsonOf(&u), jsonOf(placeholder), botAPIString(data), 1)
	s.pushRawLocked(updateID, raw)
	s.mu.Unlock()
	s.deliverIfWebhook()
	return updateID, cq.ID
}

// botAPIString writes b as a JSON string the way the Bot API does: quote,
// backslash and bytes below 0x20 escaped, all other bytes unchanged.
func botAPIString(b []byte) []byte {
	var out strings.Builder
	out.WriteByte('"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			out.WriteByte('\\')
			out.WriteByte(c)
		case c < 0x20:
			out.WriteString(`\u00`)
			out.WriteByte("0123456789abcdef"[c>>4])
			out.WriteByte("0123456789abcdef"[c&0xf])
		default:
			out.WriteByte(c)
		}
	}
	out.WriteByte('"')
	return []byte(out.String())
}
