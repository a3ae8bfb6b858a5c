package faketelegram

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// callbackQuery is a button press waiting for answerCallbackQuery.
type callbackQuery struct {
	userID    int64
	messageID int
	data      string
	answered  bool
}

// PressButton injects a callback_query from the user pressing a button
// with the given data on the bot's message messageID in their private
// chat. The data is not checked against the keyboard, so tests can forge
// it. It returns the update id and the callback query id.
func (s *Server) PressButton(from models.User, messageID int, data string) (updateID int64, callbackQueryID string) {
	return s.PressButtonInChat(from, privateChat(from), messageID, data)
}

// registerQueryLocked gives a callback query an id if it has none and
// lets the bot answer it.
func (s *Server) registerQueryLocked(cq *models.CallbackQuery) {
	if cq.ID == "" {
		s.querySeq++
		cq.ID = strconv.FormatInt(4611686018427387904+s.querySeq*7919, 10)
	}
	q := &callbackQuery{userID: cq.From.ID, data: cq.Data}
	if m := cq.Message.Message; m != nil {
		q.messageID = m.ID
	} else if im := cq.Message.InaccessibleMessage; im != nil {
		q.messageID = im.MessageID
	}
	s.queries[cq.ID] = q
}

// PressButtonByText presses the inline button with exactly this text on
// the newest bot message in the user's private chat that has one.
func (s *Server) PressButtonByText(from models.User, buttonText string) (int64, string, error) {
	s.mu.Lock()
	msgID, data, err := s.findButtonLocked(from.ID, buttonText)
	s.mu.Unlock()
	if err != nil {
		return 0, "", err
	}
	updateID, queryID := s.PressButton(from, msgID, data)
	return updateID, queryID, nil
}

func (s *Server) findButtonLocked(chatID int64, buttonText string) (int, string, error) {
	cs := s.chats[chatID]
	var seen []string
	if cs != nil {
		for i := len(cs.order) - 1; i >= 0; i-- {
			sm := cs.message(cs.order[i])
			if sm == nil || !sm.fromBot || sm.api.ReplyMarkup == nil {
				continue
			}
			for _, row := range sm.api.ReplyMarkup.InlineKeyboard {
				for _, b := range row {
					if b.Text != buttonText {
						seen = append(seen, strconv.Quote(b.Text))
						continue
					}
					if b.CallbackData == "" {
						return 0, "", fmt.Errorf("faketelegram: button %q on message %d has no callback_data", buttonText, sm.api.ID)
					}
					return sm.api.ID, b.CallbackData, nil
				}
			}
		}
	}
	return 0, "", fmt.Errorf("faketelegram: no inline button %q in chat %d; buttons: [%s]", buttonText, chatID, strings.Join(seen, ", "))
}

func (s *Server) handleAnswerCallbackQuery(rq *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := rq.str("callback_query_id")
	q := s.queries[id]
	if q == nil || q.answered {
		return nil, errQueryInvalid
	}
	q.answered = true
	s.answers = append(s.answers, CallbackAnswer{
		QueryID: id, UserID: q.userID, MessageID: q.messageID, Data: q.data,
		Text: rq.str("text"), ShowAlert: rq.boolParam("show_alert"), URL: rq.str("url"),
		CacheTime: rq.intParam("cache_time", 0), Time: time.Now(),
	})
	s.notifyLocked()
	return true, nil
}
