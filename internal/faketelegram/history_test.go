package faketelegram_test

import (
	"encoding/json"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"partnerbot/internal/faketelegram"
)

// TestHistoryAndGroupPresses: a chat's history has the users' messages
// and the bot's (edits applied, counted) in order; a button press in a
// group arrives as a callback query from that group.
func TestHistoryAndGroupPresses(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := ctxT(t)
	group := models.Chat{ID: -1001234567890, Type: models.ChatTypeSupergroup, Title: "Youth"}
	srv.AddChat(group)

	_, first := srv.SendChatMessage(alice, models.Chat{}, "/start")
	sent, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "<b>Hi</b>", ParseMode: models.ParseModeHTML})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: sent.ID, Text: "Hello"}); err != nil {
		t.Fatal(err)
	}
	h := srv.History(alice.ID)
	if len(h) != 2 || h[0].ID != first || h[0].FromBot || h[0].Text != "/start" || h[0].From.ID != alice.ID ||
		!h[1].FromBot || h[1].PlainText != "Hello" || h[1].Edits != 1 || h[1].From.ID != faketelegram.BotID {
		t.Fatalf("history %+v", h)
	}

	updateID, msgID := srv.SendChatMessage(bob, group, "/events")
	if msgID == 0 || updateID == 0 {
		t.Fatalf("group message %d, update %d", msgID, updateID)
	}
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Go", CallbackData: "go"}}}}
	m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "Events", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	_, queryID := srv.PressButtonInChat(bob, group, m.ID, "go")
	updates := getUpdates(t, srv, map[string]any{})
	var got *models.CallbackQuery
	for _, u := range updates {
		if u.CallbackQuery != nil {
			got = u.CallbackQuery
		}
	}
	if got == nil || got.ID != queryID || got.Message.Message == nil || got.Message.Message.Chat.ID != group.ID || got.From.ID != bob.ID {
		raw, _ := json.Marshal(updates)
		t.Fatalf("callback query from the group: %s", raw)
	}
	if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: queryID, Text: "ok"}); err != nil {
		t.Fatal(err)
	}
}
