package faketelegram_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"partnerbot/internal/faketelegram"
)

// getUpdates polls over raw HTTP with a JSON body and returns the ids.
func getUpdates(t *testing.T, srv *faketelegram.Server, params map[string]any) []models.Update {
	t.Helper()
	status, ans, body := postJSON(t, srv, "getUpdates", params)
	if status != 200 {
		t.Fatalf("getUpdates: %s", body)
	}
	var ups []models.Update
	if err := json.Unmarshal(ans.Result, &ups); err != nil {
		t.Fatal(err)
	}
	return ups
}

func ids(ups []models.Update) []int64 {
	out := []int64{}
	for _, u := range ups {
		out = append(out, u.ID)
	}
	return out
}

func equalIDs(a []int64, b ...int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestGetUpdatesOffsetSemantics(t *testing.T) {
	srv := newServer(t)
	u1 := srv.SendMessage(alice, "/start")
	u2 := srv.SendMessage(alice, "two")
	u3 := srv.SendMessage(bob, "three")
	if u2 != u1+1 || u3 != u2+1 {
		t.Fatalf("update ids %d %d %d", u1, u2, u3)
	}

	ups := getUpdates(t, srv, map[string]any{})
	if !equalIDs(ids(ups), u1, u2, u3) {
		t.Fatalf("first poll = %v", ids(ups))
	}
	msg := ups[0].Message
	if msg.Text != "/start" || msg.Chat.ID != alice.ID || msg.Chat.Type != "private" || msg.From.ID != alice.ID || msg.Date == 0 {
		t.Errorf("message = %+v", msg)
	}
	if len(msg.Entities) != 1 || msg.Entities[0].Type != models.MessageEntityTypeBotCommand || msg.Entities[0].Length != 6 {
		t.Errorf("entities = %+v", msg.Entities)
	}
	if ids := ids(getUpdates(t, srv, map[string]any{})); !equalIDs(ids, u1, u2, u3) {
		t.Errorf("unconfirmed updates not returned again: %v", ids)
	}
	if ids := ids(getUpdates(t, srv, map[string]any{"offset": u2, "limit": 1})); !equalIDs(ids, u2) {
		t.Errorf("offset u2 limit 1 = %v", ids)
	}
	if ids := ids(getUpdates(t, srv, map[string]any{"offset": u1})); !equalIDs(ids, u2, u3) {
		t.Errorf("u1 was confirmed by offset u2 but came back: %v", ids)
	}
	if ids := ids(getUpdates(t, srv, map[string]any{"offset": u3 + 1})); len(ids) != 0 {
		t.Errorf("after confirming all = %v", ids)
	}
	u4 := srv.SendMessage(alice, "four")
	if ids := ids(getUpdates(t, srv, map[string]any{"offset": u3 + 1})); !equalIDs(ids, u4) {
		t.Errorf("new update = %v", ids)
	}

	// Replay brings an old update back once, despite the offset.
	if err := srv.Replay(u2); err != nil {
		t.Fatal(err)
	}
	if ids := ids(getUpdates(t, srv, map[string]any{"offset": u4 + 1})); !equalIDs(ids, u2) {
		t.Errorf("replayed = %v", ids)
	}
	if ids := ids(getUpdates(t, srv, map[string]any{"offset": u4 + 1})); len(ids) != 0 {
		t.Errorf("replayed twice = %v", ids)
	}
	if err := srv.Replay(1); err == nil {
		t.Error("replay of unknown update accepted")
	}
}

func TestCommandEntities(t *testing.T) {
	srv := newServer(t)
	group := models.Chat{ID: -1001234567890, Title: "Partners"}
	srv.SendGroupMessage(alice, group, "/help@partnerbot_test_bot now")
	srv.SendMessage(alice, "/start2x")
	srv.SendMessage(alice, "not /a command")
	srv.ForwardMessage(alice, bob, "forwarded")
	ups := getUpdates(t, srv, map[string]any{})
	if e := ups[0].Message.Entities; len(e) != 1 || e[0].Length != len("/help@partnerbot_test_bot") {
		t.Errorf("group command entities = %+v", e)
	}
	if c := ups[0].Message.Chat; c.Type != "supergroup" || c.Title != "Partners" {
		t.Errorf("group chat = %+v", c)
	}
	if e := ups[1].Message.Entities; len(e) != 1 || e[0].Length != 8 {
		t.Errorf("entities = %+v", e)
	}
	if e := ups[2].Message.Entities; len(e) != 0 {
		t.Errorf("entities = %+v", e)
	}
	fo := ups[3].Message.ForwardOrigin
	if fo == nil || fo.Type != models.MessageOriginTypeUser || fo.MessageOriginUser.SenderUser.ID != bob.ID {
		t.Errorf("forward origin = %+v", fo)
	}
}

func TestLongPoll(t *testing.T) {
	srv := newServer(t)

	start := time.Now()
	if ups := getUpdates(t, srv, map[string]any{"timeout": 1}); len(ups) != 0 {
		t.Fatalf("updates = %v", ups)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("timeout 1 returned after %v", d)
	}

	done := make(chan []models.Update)
	go func() { done <- getUpdates(t, srv, map[string]any{"timeout": 30}) }()
	if err := srv.WaitUntil(5*time.Second, func(s *faketelegram.Snapshot) bool { return s.LongPolls() == 1 }); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	id := srv.SendMessage(alice, "wake up")
	select {
	case ups := <-done:
		if !equalIDs(ids(ups), id) {
			t.Errorf("updates = %v", ids(ups))
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("long poll took %v after the update", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not return after an update")
	}
}

func TestSecondPollTerminatesFirst(t *testing.T) {
	srv := newServer(t)
	first := make(chan string)
	go func() {
		_, _, body := postJSON(t, srv, "getUpdates", map[string]any{"timeout": 30})
		first <- body
	}()
	if err := srv.WaitUntil(0, func(s *faketelegram.Snapshot) bool { return s.LongPolls() == 1 }); err != nil {
		t.Fatal(err)
	}
	second := make(chan struct{})
	go func() { defer close(second); getUpdates(t, srv, map[string]any{"timeout": 1}) }()
	defer func() { <-second }()
	want := `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}`
	if got := <-first; got != want {
		t.Errorf("first poll = %s", got)
	}
}

func TestCloseUnblocksLongPoll(t *testing.T) {
	srv := faketelegram.New()
	b := newBot(t, srv, bot.WithErrorsHandler(func(error) {}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := make(chan struct{})
	go func() { b.Start(ctx); close(stopped) }()
	if err := srv.WaitUntil(0, func(s *faketelegram.Snapshot) bool { return s.LongPolls() == 1 }); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on a long poll")
	}
	cancel()
	<-stopped
}

func TestWebhookBlocksGetUpdates(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	if _, err := b.SetWebhook(ctxT(t), &bot.SetWebhookParams{URL: "https://example.invalid/hook"}); err != nil {
		t.Fatal(err)
	}
	status, _, body := postJSON(t, srv, "getUpdates", map[string]any{"timeout": 5})
	want := `{"ok":false,"error_code":409,"description":"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}`
	if status != 409 || body != want {
		t.Errorf("getUpdates with webhook: %d %s", status, body)
	}
	if _, err := b.DeleteWebhook(ctxT(t), &bot.DeleteWebhookParams{}); err != nil {
		t.Fatal(err)
	}
	if len(getUpdates(t, srv, map[string]any{})) != 0 {
		t.Error("unexpected updates")
	}
}

// TestBotConversation runs a real go-telegram bot in polling mode.
func TestBotConversation(t *testing.T) {
	srv := newServer(t)
	var (
		mu   sync.Mutex
		seen []int64
	)
	check := func(err error) {
		if err != nil && !errors.Is(err, context.Canceled) { // the test may end while a reply is read
			t.Error(err)
		}
	}
	b := newBot(t, srv)
	b.RegisterHandler(bot.HandlerTypeMessageText, "start", bot.MatchTypeCommand, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		mu.Lock()
		seen = append(seen, u.ID)
		mu.Unlock()
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{
			ChatID: u.Message.Chat.ID, Text: "<b>Welcome</b>, " + u.Message.From.FirstName, ParseMode: models.ParseModeHTML,
			ReplyMarkup: inlineKeyboard([]models.InlineKeyboardButton{{Text: "Continue", CallbackData: "continue"}}),
		})
		check(err)
	})
	b.RegisterHandler(bot.HandlerTypeCallbackQueryData, "continue", bot.MatchTypeExact, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		cq := u.CallbackQuery
		_, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: cq.ID, Text: "OK"})
		check(err)
		_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: cq.Message.Message.Chat.ID, MessageID: cq.Message.Message.ID, Text: "Continued"})
		check(err)
	})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { b.Start(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()

	id := srv.SendMessage(alice, "/start")
	msgs := srv.ExpectMessages(t, alice.ID, 1)
	if msgs[0].PlainText != "Welcome, Alice" || msgs[0].Buttons()[0][0].Text != "Continue" {
		t.Fatalf("reply = %+v", msgs[0])
	}
	if _, _, err := srv.PressButtonByText(alice, "Continue"); err != nil {
		t.Fatal(err)
	}
	err := srv.WaitUntil(0, func(s *faketelegram.Snapshot) bool {
		m := s.Messages(alice.ID)
		return len(s.CallbackAnswers()) == 1 && len(m) == 1 && m[0].PlainText == "Continued"
	})
	if err != nil {
		t.Fatal(err)
	}
	// A replayed update reaches the bot again: the bot must de-duplicate.
	if err := srv.Replay(id); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.WaitForMessages(context.Background(), alice.ID, 2, 0); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0] != id || seen[1] != id {
		t.Errorf("handled updates %v", seen)
	}
}

func TestWaitTimeoutReportsState(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	srv.KnownChat(alice.ID)
	if _, err := sendText(ctxT(t), b, alice.ID, "only one", ""); err != nil {
		t.Fatal(err)
	}
	_, err := srv.WaitForMessages(context.Background(), alice.ID, 2, 50*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), `"only one"`) || !strings.Contains(err.Error(), "got 1") {
		t.Errorf("err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := srv.WaitForCalls(ctx, "getMe", 1, time.Minute); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("cancelled wait: %v", err)
	}
}
