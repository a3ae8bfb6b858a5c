package faketelegram

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"
)

const maxCommands = 100

// CommandScope identifies one command list set with setMyCommands: a
// BotCommandScope plus a language code ("" for all languages).
type CommandScope struct {
	// Type is the scope type: "default", "all_private_chats",
	// "all_group_chats", "all_chat_administrators", "chat",
	// "chat_administrators" or "chat_member".
	Type string
	// ChatID is the chat of the "chat", "chat_administrators" and
	// "chat_member" scopes.
	ChatID int64
	// UserID is the user of the "chat_member" scope.
	UserID int64
	// LanguageCode is the language_code parameter.
	LanguageCode string
}

var chatScopes = map[string]bool{"chat": true, "chat_administrators": true, "chat_member": true}
var plainScopes = map[string]bool{"default": true, "all_private_chats": true, "all_group_chats": true, "all_chat_administrators": true}

// Commands returns every command list the bot set, by scope and language.
func (s *Server) Commands() map[CommandScope][]models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[CommandScope][]models.BotCommand, len(s.commands))
	for k, v := range s.commands {
		out[k] = append([]models.BotCommand(nil), v...)
	}
	return out
}

// scopeLocked parses the scope and language_code parameters.
func (s *Server) scopeLocked(rq *request) (CommandScope, *apiError) {
	sc := CommandScope{Type: "default", LanguageCode: rq.str("language_code")}
	raw := rq.str("scope")
	if raw == "" {
		return sc, nil
	}
	var v struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return sc, badRequest("can't parse BotCommandScope JSON object")
	}
	sc.Type = v.Type
	switch {
	case plainScopes[v.Type]:
		return sc, nil
	case !chatScopes[v.Type]:
		return sc, errScopeInvalid
	}
	ref, _ := jsonFieldText(v.ChatID)
	cs, aerr := s.resolveChatLocked(ref)
	if aerr != nil {
		return sc, aerr
	}
	sc.ChatID = cs.chat.ID
	if v.Type == "chat_member" {
		if v.UserID <= 0 {
			return sc, badRequest("user not found")
		}
		sc.UserID = v.UserID
	}
	return sc, nil
}

func validCommand(c models.BotCommand) *apiError {
	if len(c.Command) == 0 || len(c.Command) > 32 {
		return errCommandInvalid
	}
	for _, r := range c.Command {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return errCommandInvalid
		}
	}
	if n := utf16Len(strings.TrimSpace(c.Description)); n == 0 || n > 256 {
		return badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
	}
	return nil
}

func (s *Server) handleSetMyCommands(rq *request) (any, *apiError) {
	raw, ok := rq.params["commands"]
	if !ok {
		return nil, badRequest("parameter \"commands\" is required")
	}
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(raw), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > maxCommands {
		return nil, errCommandsTooMuch
	}
	for _, c := range cmds {
		if aerr := validCommand(c); aerr != nil {
			return nil, aerr
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, aerr := s.scopeLocked(rq)
	if aerr != nil {
		return nil, aerr
	}
	if len(cmds) == 0 {
		delete(s.commands, sc)
	} else {
		s.commands[sc] = cmds
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) handleGetMyCommands(rq *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, aerr := s.scopeLocked(rq)
	if aerr != nil {
		return nil, aerr
	}
	cmds := s.commands[sc]
	if cmds == nil {
		cmds = []models.BotCommand{}
	}
	return jsonOf(cmds), nil
}

func (s *Server) handleDeleteMyCommands(rq *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, aerr := s.scopeLocked(rq)
	if aerr != nil {
		return nil, aerr
	}
	delete(s.commands, sc)
	s.notifyLocked()
	return true, nil
}

// String describes the scope, e.g. "chat chat=42 lang=en".
func (sc CommandScope) String() string {
	var b strings.Builder
	b.WriteString(sc.Type)
	if sc.ChatID != 0 {
		b.WriteString(" chat=" + strconv.FormatInt(sc.ChatID, 10))
	}
	if sc.UserID != 0 {
		b.WriteString(" user=" + strconv.FormatInt(sc.UserID, 10))
	}
	if sc.LanguageCode != "" {
		b.WriteString(" lang=" + sc.LanguageCode)
	}
	return b.String()
}
