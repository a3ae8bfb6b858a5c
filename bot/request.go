package bot

import (
	"log/slog"
	"strings"

	"github.com/go-telegram/bot/models"

	"partnerbot/locales"
	"partnerbot/storage"
)

// Role is what a user may do. Roles are ordered: each includes the ones
// below it.
type Role int

// The roles, from least to most privileged.
const (
	RoleVolunteer Role = iota
	RoleCoordinator
	RoleAdmin
)

// Request is one update as a handler sees it: who sent it, in which chat,
// in which language to answer.
type Request struct {
	Update *models.Update
	User   storage.User
	Role   Role
	Loc    *locales.Localizer
	// LangKnown is false when the user chose no language and Telegram's
	// language_code matched none we speak: /start then offers a picker.
	LangKnown bool
	ChatID    int64
	ChatType  models.ChatType
	Private   bool
	Text      string
	// Command is the lower-case command without slash and @botname; Args is
	// the rest of the message.
	Command  string
	Args     string
	Callback *models.CallbackQuery
	Log      *slog.Logger
}

// chatKind is the kind of chat the request came from, as the command
// table names it.
func (r *Request) chatKind() Chats {
	switch r.ChatType {
	case models.ChatTypePrivate:
		return InPrivate
	case models.ChatTypeChannel:
		return InChannel
	}
	return InGroup
}

// sender returns the Telegram user behind an update and the chat to answer
// in; ok is false for updates that come from no user (channel posts).
func sender(u *models.Update) (from *models.User, chat *models.Chat, ok bool) {
	switch {
	case u.Message != nil && u.Message.From != nil:
		return u.Message.From, &u.Message.Chat, true
	case u.CallbackQuery != nil:
		cq := u.CallbackQuery
		switch {
		case cq.Message.Message != nil:
			return &cq.From, &cq.Message.Message.Chat, true
		case cq.Message.InaccessibleMessage != nil:
			return &cq.From, &cq.Message.InaccessibleMessage.Chat, true
		}
		return &cq.From, &models.Chat{ID: cq.From.ID, Type: models.ChatTypePrivate}, true
	}
	return nil, nil, false
}

// parseCommand splits "/Cmd@bot args" into "cmd", "bot" and "args". ok is
// false when text is not a command.
func parseCommand(text string) (cmd, addressee, args string, ok bool) {
	if !strings.HasPrefix(text, "/") || len(text) < 2 {
		return "", "", "", false
	}
	head, rest, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexAny(head, "\n\t"); i >= 0 {
		rest = head[i+1:] + " " + rest
		head = head[:i]
	}
	cmd, addressee, _ = strings.Cut(head, "@")
	if cmd == "" {
		return "", "", "", false
	}
	return strings.ToLower(cmd), addressee, strings.TrimSpace(rest), true
}

// UserKey is the id that orders an update's handling: updates of one user
// are handled one after another.
func UserKey(u *models.Update) int64 {
	if from, _, ok := sender(u); ok {
		return from.ID
	}
	return 0
}
