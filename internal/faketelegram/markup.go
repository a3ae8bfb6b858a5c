package faketelegram

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/go-telegram/bot/models"
)

const (
	maxCallbackData   = 64
	maxInlineButtons  = 100
	errButtonPrefix   = "can't parse inline keyboard button: "
	errInlineKeyboard = "field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays"
)

// replyMarkup is a parsed reply_markup parameter.
type replyMarkup struct {
	raw        string
	inline     *models.InlineKeyboardMarkup
	keyboard   *models.ReplyKeyboardMarkup
	remove     bool
	forceReply bool
	// badData is set when a callback_data is empty or longer than 64
	// bytes; Telegram's servers (not the Bot API parser) refuse that, so it
	// is reported after the chat checks.
	badData bool
}

// parseReplyMarkup parses the JSON of a reply_markup parameter; nil when
// the parameter is absent.
func parseReplyMarkup(raw string) (*replyMarkup, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return nil, errMarkupJSON
	}
	m := &replyMarkup{raw: raw}
	switch {
	case obj["inline_keyboard"] != nil:
		if err := m.parseInline(obj["inline_keyboard"]); err != nil {
			return nil, err
		}
	case obj["keyboard"] != nil:
		m.keyboard = &models.ReplyKeyboardMarkup{}
		if err := json.Unmarshal([]byte(raw), m.keyboard); err != nil {
			return nil, errMarkupJSON
		}
	case obj["remove_keyboard"] != nil:
		m.remove = true
	case obj["force_reply"] != nil:
		m.forceReply = true
	default:
		return nil, errMarkupJSON
	}
	return m, nil
}

func (m *replyMarkup) parseInline(raw json.RawMessage) *apiError {
	var rows [][]json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return badRequest(errInlineKeyboard)
	}
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: make([][]models.InlineKeyboardButton, 0, len(rows))}
	total := 0
	for _, row := range rows {
		buttons := make([]models.InlineKeyboardButton, 0, len(row))
		for _, rawButton := range row {
			btn, err := parseInlineButton(rawButton)
			if err != nil {
				return err
			}
			if btn.hasData && (btn.CallbackData == "" || len(btn.CallbackData) > maxCallbackData) {
				m.badData = true
			}
			buttons = append(buttons, btn.InlineKeyboardButton)
			total++
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, buttons)
	}
	if total > maxInlineButtons {
		return errTooManyButtons
	}
	m.inline = kb
	return nil
}

type parsedButton struct {
	models.InlineKeyboardButton
	hasData bool
}

// buttonActions are the fields of which an inline button needs one.
var buttonActions = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game",
}

func parseInlineButton(raw json.RawMessage) (parsedButton, *apiError) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return parsedButton{}, badRequest(errButtonPrefix + "InlineKeyboardButton must be an Object")
	}
	text, ok := fields["text"]
	if !ok {
		return parsedButton{}, badRequest(errButtonPrefix + "Can't find field \"text\"")
	}
	if len(text) == 0 || text[0] != '"' {
		return parsedButton{}, badRequest(errButtonPrefix + "Field \"text\" must be of type String")
	}
	var b parsedButton
	if err := json.Unmarshal(raw, &b.InlineKeyboardButton); err != nil {
		return parsedButton{}, errMarkupJSON
	}
	_, b.hasData = fields["callback_data"]
	hasAction := b.Pay || b.CopyText.Text != ""
	for _, name := range buttonActions {
		if v, ok := fields[name]; ok && !bytes.Equal(v, []byte("null")) {
			hasAction = true
		}
	}
	if !hasAction {
		return parsedButton{}, badRequest(errButtonPrefix + "Text buttons are unallowed in the inline keyboard")
	}
	return b, nil
}

// inlineOf returns the inline keyboard of m, or nil.
func inlineOf(m *replyMarkup) *models.InlineKeyboardMarkup {
	if m == nil {
		return nil
	}
	return m.inline
}

// sameInline reports whether two inline keyboards are identical.
func sameInline(a, b *models.InlineKeyboardMarkup) bool {
	if a == nil || b == nil {
		return a == b
	}
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// cloneInline copies the rows of a keyboard so callers can't alter ours.
func cloneInline(kb *models.InlineKeyboardMarkup) *models.InlineKeyboardMarkup {
	if kb == nil {
		return nil
	}
	out := &models.InlineKeyboardMarkup{InlineKeyboard: make([][]models.InlineKeyboardButton, len(kb.InlineKeyboard))}
	for i, row := range kb.InlineKeyboard {
		out.InlineKeyboard[i] = append([]models.InlineKeyboardButton(nil), row...)
	}
	return out
}
