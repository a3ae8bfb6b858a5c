package faketelegram

import (
	"time"

	"github.com/go-telegram/bot/models"
)

// NewUser returns a regular (non-bot) user for tests.
func NewUser(id int64, firstName string) models.User {
	return models.User{ID: id, FirstName: firstName, LanguageCode: "en"}
}

// SendMessage injects a text message from the user in their private chat
// with the bot and returns the update id. Text starting with a command
// ("/start", "/help@bot") carries a bot_command entity, as from Telegram.
func (s *Server) SendMessage(from models.User, text string) int64 {
	return s.injectText(from, privateChat(from), text, nil)
}

// SendGroupMessage injects a text message from the user in a group chat.
// A chat without a type is a "group", or a "supergroup" for -100... ids.
func (s *Server) SendGroupMessage(from models.User, chat models.Chat, text string) int64 {
	return s.injectText(from, chat, text, nil)
}

// ForwardMessage injects into the user's private chat a message they
// forwarded from the original sender (forward_origin of type "user").
func (s *Server) ForwardMessage(from models.User, original models.User, text string) int64 {
	origin := &models.MessageOrigin{
		Type: models.MessageOriginTypeUser,
		MessageOriginUser: &models.MessageOriginUser{
			Type:       models.MessageOriginTypeUser,
			Date:       int(time.Now().Add(-time.Hour).Unix()),
			SenderUser: original,
		},
	}
	return s.injectText(from, privateChat(from), text, origin)
}

func (s *Server) injectText(from models.User, chat models.Chat, text string, origin *models.MessageOrigin) int64 {
	sender := from
	return s.Inject(models.Update{Message: &models.Message{
		From:          &sender,
		Chat:          chat,
		Text:          text,
		Entities:      commandEntities(text),
		ForwardOrigin: origin,
	}})
}

// commandEntities returns the bot_command entity of a text starting with a
// command: "/" and 1-64 letters, digits or underscores, optionally
// "@" and a 3-32 character bot username, not followed by a word character.
func commandEntities(text string) []models.MessageEntity {
	if len(text) < 2 || text[0] != '/' {
		return nil
	}
	end := wordEnd(text, 1)
	if end == 1 || end-1 > 64 {
		return nil
	}
	if end < len(text) && text[end] == '@' {
		nameEnd := wordEnd(text, end+1)
		if n := nameEnd - end - 1; n < 3 || n > 32 {
			return nil
		}
		end = nameEnd
	}
	if end < len(text) && (isWordByte(text[end]) || text[end] >= 0x80 || text[end] == '/') {
		return nil
	}
	return []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: end}}
}

func wordEnd(s string, i int) int {
	for i < len(s) && isWordByte(s[i]) {
		i++
	}
	return i
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }
