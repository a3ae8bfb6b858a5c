package faketelegram_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"partnerbot/internal/faketelegram"
)

func TestSendMessageAnswerShape(t *testing.T) {
	srv := newServer(t)
	srv.SendMessage(alice, "hi") // alice's chat is now known; message 1 is hers
	before := time.Now().Unix()

	status, ans, body := postJSON(t, srv, "sendMessage", map[string]any{"chat_id": alice.ID, "text": "<b>Hello</b>", "parse_mode": "HTML"})
	if status != http.StatusOK || !ans.OK {
		t.Fatalf("status %d: %s", status, body)
	}
	var msg map[string]any
	if err := json.Unmarshal(ans.Result, &msg); err != nil {
		t.Fatal(err)
	}
	if msg["message_id"] != float64(2) || msg["text"] != "Hello" {
		t.Errorf("message_id/text = %v/%v in %s", msg["message_id"], msg["text"], body)
	}
	from := msg["from"].(map[string]any)
	if from["id"] != float64(faketelegram.BotID) || from["is_bot"] != true || from["username"] != faketelegram.BotUsername {
		t.Errorf("from = %v", from)
	}
	chat := msg["chat"].(map[string]any)
	if chat["id"] != float64(alice.ID) || chat["type"] != "private" || chat["first_name"] != "Alice" {
		t.Errorf("chat = %v", chat)
	}
	if d := int64(msg["date"].(float64)); d < before || d > time.Now().Unix() {
		t.Errorf("date = %d", d)
	}
	ents := msg["entities"].([]any)
	if len(ents) != 1 || ents[0].(map[string]any)["type"] != "bold" {
		t.Errorf("entities = %v", ents)
	}

	// And through the real client, with an inline keyboard.
	b := newBot(t, srv)
	kb := inlineKeyboard([]models.InlineKeyboardButton{{Text: "Yes", CallbackData: "yes"}, {Text: "Docs", URL: "https://example.com"}})
	m, err := b.SendMessage(ctxT(t), &bot.SendMessageParams{ChatID: alice.ID, Text: "Pick", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != 3 || m.From == nil || m.From.ID != faketelegram.BotID || m.ReplyMarkup == nil || m.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "yes" {
		t.Errorf("message = %+v", m)
	}
	sent := srv.Sent(alice.ID)
	if len(sent) != 2 || sent[0].Text != "<b>Hello</b>" || sent[0].PlainText != "Hello" || sent[0].ParseMode != "HTML" {
		t.Fatalf("sent = %+v", sent)
	}
	if btns := faketelegram.Buttons(sent[1]); len(btns) != 1 || btns[0][1].URL != "https://example.com" {
		t.Errorf("buttons = %+v", btns)
	}
}

func TestAuthAndRouting(t *testing.T) {
	srv := newServer(t)
	srv.KnownChat(alice.ID)

	status, _, body := do(t, srv.URL()+"/bot123:WRONG/getMe", "", nil)
	if want := `{"ok":false,"error_code":401,"description":"Unauthorized"}`; status != 401 || body != want {
		t.Errorf("wrong token: %d %s", status, body)
	}
	status, _, body = do(t, srv.URL()+"/bot"+srv.Token()+"/sendMagic", "", nil)
	if want := `{"ok":false,"error_code":404,"description":"Not Found"}`; status != 404 || body != want {
		t.Errorf("unknown method: %d %s", status, body)
	}
	status, ans, _ := do(t, srv.URL()+"/bot"+srv.Token()+"/GETME", "", nil)
	var me models.User
	_ = json.Unmarshal(ans.Result, &me)
	if status != 200 || me != srv.BotUser() || !me.IsBot || me.Username != "partnerbot_test_bot" {
		t.Errorf("GETME: %d %+v", status, me)
	}
	if !strings.HasPrefix(srv.Token(), "7012345678:") {
		t.Errorf("token %q", srv.Token())
	}
	if _, err := bot.New(srv.Token(), bot.WithServerURL(srv.URL())); err != nil { // calls getMe
		t.Errorf("bot.New: %v", err)
	}
	if _, err := bot.New("1:nope", bot.WithServerURL(srv.URL())); !errors.Is(err, bot.ErrorUnauthorized) {
		t.Errorf("bot.New with a wrong token: %v", err)
	}
	if srv.CallCount("sendMagic") != 1 || srv.CallCount("getme") != 2 {
		t.Errorf("calls: %+v", srv.Calls(""))
	}
}

func TestRequestEncodings(t *testing.T) {
	srv := newServer(t)
	srv.KnownChat(alice.ID)
	base := srv.URL() + "/bot" + srv.Token() + "/sendMessage"
	chat := "1001"

	form := url.Values{"chat_id": {chat}, "text": {"form"}}
	if status, _, body := do(t, base, "application/x-www-form-urlencoded", strings.NewReader(form.Encode())); status != 200 {
		t.Errorf("urlencoded: %s", body)
	}
	if status, _, body := do(t, base+"?chat_id="+chat+"&text=query", "", nil); status != 200 {
		t.Errorf("query: %s", body)
	}
	markup := `{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}`
	raw := `{"chat_id":1001,"text":"json","reply_markup":` + markup + `,"disable_notification":true}`
	if status, _, body := do(t, base, "application/json", strings.NewReader(raw)); status != 200 {
		t.Errorf("json: %s", body)
	}
	calls := srv.Calls("sendMessage")
	if len(calls) != 3 {
		t.Fatalf("calls = %+v", calls)
	}
	if p := calls[2].Params; p["chat_id"] != chat || p["reply_markup"] != markup || p["disable_notification"] != "true" {
		t.Errorf("json params = %v", p)
	}
	sent := srv.Sent(alice.ID)
	if len(sent) != 3 || sent[0].Text != "form" || sent[1].Text != "query" || faketelegram.Buttons(sent[2])[0][0].Text != "A" {
		t.Errorf("sent = %+v", sent)
	}
}

func TestMissingParametersAndUnknownChat(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := ctxT(t)

	tests := []struct {
		params *bot.SendMessageParams
		want   string
	}{
		{&bot.SendMessageParams{ChatID: alice.ID}, "Bad Request: message text is empty"},
		{&bot.SendMessageParams{ChatID: "", Text: "x"}, "Bad Request: chat_id is empty"},
		{&bot.SendMessageParams{ChatID: alice.ID, Text: "x"}, "Bad Request: chat not found"},
		{&bot.SendMessageParams{ChatID: "@nobody", Text: "x"}, "Bad Request: chat not found"},
	}
	for _, tt := range tests {
		_, err := b.SendMessage(ctx, tt.params)
		if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), tt.want) {
			t.Errorf("SendMessage(%+v) = %v, want %q", tt.params, err, tt.want)
		}
	}
	srv.KnownChat(alice.ID)
	if _, err := sendText(ctx, b, alice.ID, "<b> </b>", models.ParseModeHTML); err == nil || !strings.HasSuffix(err.Error(), "message text is empty") {
		t.Errorf("blank after parsing: %v", err)
	}
	if _, err := sendText(ctx, b, alice.ID, "now it works", ""); err != nil {
		t.Error(err)
	}
	if _, err := sendText(ctx, b, -100, "group", ""); err == nil {
		t.Error("unknown group accepted")
	}
	if got := srv.Calls("sendMessage")[0].Error; got != "Bad Request: message text is empty" {
		t.Errorf("recorded error %q", got)
	}
}

func TestFaults(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := ctxT(t)
	srv.KnownChat(alice.ID)

	srv.FailNext("sendMessage", faketelegram.Fault{Code: 429, RetryAfter: 3})
	srv.FailNext("sendMessage", faketelegram.Fault{Code: 500})
	srv.FailNext("sendMessage", faketelegram.Fault{Code: 502})

	_, err := sendText(ctx, b, alice.ID, "1", "")
	var tooMany *bot.TooManyRequestsError
	if !errors.As(err, &tooMany) || tooMany.RetryAfter != 3 || !strings.Contains(err.Error(), "Too Many Requests: retry after 3") {
		t.Errorf("429: %v", err)
	}
	if _, err = sendText(ctx, b, alice.ID, "2", ""); err == nil || !strings.Contains(err.Error(), "500 Internal Server Error") {
		t.Errorf("500: %v", err)
	}
	if _, err = sendText(ctx, b, alice.ID, "3", ""); err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Errorf("502: %v", err)
	}
	if _, err = sendText(ctx, b, alice.ID, "4", ""); err != nil {
		t.Errorf("after faults: %v", err)
	}
	if sent := srv.Sent(alice.ID); len(sent) != 1 || sent[0].Text != "4" {
		t.Errorf("sent = %+v", sent)
	}
	if srv.TooManyRequestsCount() != 1 {
		t.Errorf("429 count = %d", srv.TooManyRequestsCount())
	}

	status, ans, _ := postJSON(t, srv, "getMe", nil)
	if status != 200 || !ans.OK {
		t.Error("faults leaked to another method")
	}
	srv.FailNext("GETME", faketelegram.Fault{Code: 429, RetryAfter: 7})
	status, ans, body := postJSON(t, srv, "getMe", nil)
	want := `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`
	if status != 429 || body != want || ans.Parameters.RetryAfter != 7 {
		t.Errorf("raw 429: %d %s", status, body)
	}
}

func TestBlockedChatIsForbidden(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	srv.BlockChat(alice.ID)
	_, err := sendText(ctxT(t), b, alice.ID, "hello?", "")
	if !errors.Is(err, bot.ErrorForbidden) || !strings.HasSuffix(err.Error(), "Forbidden: bot was blocked by the user") {
		t.Errorf("err = %v", err)
	}
	srv.BlockChat(-42)
	if _, err := sendText(ctxT(t), b, -42, "hello?", ""); !strings.HasSuffix(err.Error(), "bot was kicked from the group chat") {
		t.Errorf("group err = %v", err)
	}
	srv.UnblockChat(alice.ID)
	if _, err := sendText(ctxT(t), b, alice.ID, "back", ""); err != nil {
		t.Error(err)
	}
}

func TestRateLimits(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := ctxT(t)
	srv.KnownChat(alice.ID)
	srv.KnownChat(-555)

	for i := range 10 { // limits are off by default
		if _, err := sendText(ctx, b, alice.ID, "x", ""); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	srv.SetRateLimits(true)
	send := func(chatID int64, n int) (ok int, limited *bot.TooManyRequestsError) {
		for range n {
			_, err := sendText(ctx, b, chatID, "x", "")
			var tm *bot.TooManyRequestsError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &tm):
				limited = tm
			default:
				t.Fatal(err)
			}
		}
		return ok, limited
	}
	if ok, limited := send(alice.ID, 8); limited == nil || limited.RetryAfter < 1 || ok < 1 || ok > 5 {
		t.Errorf("private chat: %d sent, 429 = %v", ok, limited)
	}
	if ok, limited := send(-555, 25); limited == nil || ok != 20 || limited.RetryAfter < 30 {
		t.Errorf("group: %d sent, 429 = %+v", ok, limited)
	}
	if srv.TooManyRequestsCount() < 6 {
		t.Errorf("429 count = %d", srv.TooManyRequestsCount())
	}
}

func TestGlobalRateLimit(t *testing.T) {
	srv := newServer(t)
	srv.SetRateLimits(true)
	b := newBot(t, srv)
	ctx := ctxT(t)
	limited := 0
	for i := range 40 {
		id := int64(5000 + i)
		srv.KnownChat(id)
		if _, err := sendText(ctx, b, id, "x", ""); bot.IsTooManyRequestsError(err) {
			limited++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if limited == 0 {
		t.Error("40 messages to 40 chats were not limited")
	}
}

func TestInlineKeyboardValidation(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := ctxT(t)
	srv.KnownChat(alice.ID)

	send := func(btn models.InlineKeyboardButton) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "k", ReplyMarkup: inlineKeyboard([]models.InlineKeyboardButton{btn})})
		return err
	}
	if err := send(models.InlineKeyboardButton{Text: "ok", CallbackData: strings.Repeat("d", 64)}); err != nil {
		t.Errorf("64 bytes: %v", err)
	}
	err := send(models.InlineKeyboardButton{Text: "long", CallbackData: strings.Repeat("d", 65)})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.HasSuffix(err.Error(), "Bad Request: BUTTON_DATA_INVALID") {
		t.Errorf("65 bytes: %v", err)
	}
	err = send(models.InlineKeyboardButton{Text: "nothing"})
	if want := "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("text-only button: %v", err)
	}
	if err := send(models.InlineKeyboardButton{Text: "copy", CopyText: models.CopyTextButton{Text: "c"}}); err != nil {
		t.Errorf("copy_text button: %v", err)
	}
	reply := &models.ReplyKeyboardMarkup{Keyboard: [][]models.KeyboardButton{{{Text: "Menu"}}}, ResizeKeyboard: true}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "kb", ReplyMarkup: reply}); err != nil {
		t.Fatal(err)
	}
	sent := srv.Sent(alice.ID)
	if last := sent[len(sent)-1]; last.ReplyKeyboard == nil || last.ReplyKeyboard.Keyboard[0][0].Text != "Menu" || last.ReplyMarkup != nil {
		t.Errorf("reply keyboard not recorded: %+v", last)
	}
}

func TestEditMessage(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := ctxT(t)
	srv.KnownChat(alice.ID)
	kb := inlineKeyboard([]models.InlineKeyboardButton{{Text: "A", CallbackData: "a"}})
	m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "v1", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}

	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: 99, Text: "x"})
	if err == nil || !strings.HasSuffix(err.Error(), "Bad Request: message to edit not found") {
		t.Errorf("unknown message: %v", err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: m.ID, Text: "v1", ReplyMarkup: kb})
	if want := "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("same content: %v", err)
	}
	edited, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: m.ID, Text: "<i>v2</i>", ParseMode: models.ParseModeHTML})
	if err != nil {
		t.Fatal(err)
	}
	if edited.Text != "v2" || edited.EditDate == 0 || edited.ReplyMarkup != nil {
		t.Errorf("edited = %+v", edited)
	}
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: m.ID}); err == nil {
		t.Error("removing an absent keyboard was not refused")
	}
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: alice.ID, MessageID: m.ID, ReplyMarkup: kb}); err != nil {
		t.Error(err)
	}

	sent := srv.Sent(alice.ID)
	if len(sent) != 3 || !sent[1].Edited || sent[1].Method != "editMessageText" || sent[2].Method != "editMessageReplyMarkup" {
		t.Fatalf("sent = %+v", sent)
	}
	state := srv.Messages(alice.ID)
	if len(state) != 1 || state[0].PlainText != "v2" || !state[0].Edited || state[0].Method != "sendMessage" || state[0].ReplyMarkup == nil {
		t.Errorf("state = %+v", state)
	}
	msgs, err := srv.WaitForMessages(ctx, alice.ID, 1, time.Second)
	if err != nil || len(msgs) != 1 {
		t.Errorf("WaitForMessages counts edits: %v %v", msgs, err)
	}

	if ok, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: alice.ID, MessageID: m.ID}); !ok || err != nil {
		t.Errorf("delete: %v", err)
	}
	if _, err := b.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: alice.ID, MessageID: m.ID}); err == nil || !strings.HasSuffix(err.Error(), "message to delete not found") {
		t.Errorf("second delete: %v", err)
	}
	if len(srv.Messages(alice.ID)) != 0 {
		t.Error("deleted message still listed")
	}
}

func TestCallbackQueries(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := ctxT(t)
	srv.KnownChat(alice.ID)

	_, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: "123"})
	if want := "Bad Request: query is too old and response timeout expired or query ID is invalid"; err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("unknown query: %v", err)
	}
	kb := inlineKeyboard([]models.InlineKeyboardButton{{Text: "Go", CallbackData: "go:1"}})
	m, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "Ready?", ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := srv.PressButtonByText(alice, "Stop"); err == nil || !strings.Contains(err.Error(), `"Go"`) {
		t.Errorf("missing button: %v", err)
	}
	_, queryID, err := srv.PressButtonByText(alice, "Go")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: queryID, Text: "Done", ShowAlert: true}); !ok || err != nil {
		t.Fatalf("answer: %v", err)
	}
	if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: queryID}); err == nil {
		t.Error("second answer accepted")
	}
	answers := srv.CallbackAnswers()
	if len(answers) != 1 || answers[0].Text != "Done" || !answers[0].ShowAlert || answers[0].Data != "go:1" || answers[0].MessageID != m.ID || answers[0].UserID != alice.ID {
		t.Errorf("answers = %+v", answers)
	}
}

func TestSetMyCommands(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := ctxT(t)
	srv.KnownChat(alice.ID)
	cmds := []models.BotCommand{{Command: "start", Description: "Start"}, {Command: "help", Description: "Help"}}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds}); err != nil {
		t.Fatal(err)
	}
	de := []models.BotCommand{{Command: "start", Description: "Starten"}}
	if _, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: de, Scope: &models.BotCommandScopeChat{ChatID: alice.ID}, LanguageCode: "de"}); err != nil {
		t.Fatal(err)
	}
	_, err := b.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "Start", Description: "x"}}})
	if err == nil || !strings.HasSuffix(err.Error(), "BOT_COMMAND_INVALID") {
		t.Errorf("upper-case command: %v", err)
	}
	got := srv.Commands()
	if len(got) != 2 || len(got[faketelegram.CommandScope{Type: "default"}]) != 2 ||
		got[faketelegram.CommandScope{Type: "chat", ChatID: alice.ID, LanguageCode: "de"}][0].Description != "Starten" {
		t.Errorf("commands = %v", got)
	}
	back, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{})
	if err != nil || len(back) != 2 {
		t.Errorf("getMyCommands = %v, %v", back, err)
	}
	if _, err := b.DeleteMyCommands(ctx, &bot.DeleteMyCommandsParams{}); err != nil || len(srv.Commands()) != 1 {
		t.Errorf("deleteMyCommands: %v, %v", err, srv.Commands())
	}
}

func TestSendDocument(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := ctxT(t)
	srv.KnownChat(alice.ID)
	content := []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
	m, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID:    alice.ID,
		Document:  &models.InputFileUpload{Filename: "event.ics", Data: bytes.NewReader(content)},
		Caption:   "<b>Your</b> event",
		ParseMode: models.ParseModeHTML,
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.Document == nil || m.Document.FileName != "event.ics" || m.Document.MimeType != "text/calendar" || m.Document.FileSize != int64(len(content)) || m.Caption != "Your event" {
		t.Errorf("message = %+v, document %+v", m, m.Document)
	}
	sent := srv.ExpectMessages(t, alice.ID, 1)
	if d := sent[0].Document; d == nil || !bytes.Equal(d.Content, content) || d.Caption != "<b>Your</b> event" || sent[0].Method != "sendDocument" {
		t.Errorf("recorded = %+v", sent[0])
	}
	if _, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: alice.ID, Document: &models.InputFileString{Data: m.Document.FileID}}); err != nil {
		t.Errorf("resend by file_id: %v", err)
	}
	_, err = b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: alice.ID, Document: &models.InputFileString{Data: "nope"}})
	if err == nil || !strings.HasSuffix(err.Error(), "wrong file identifier/HTTP URL specified") {
		t.Errorf("unknown file_id: %v", err)
	}
	_, err = b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: alice.ID, Document: &models.InputFileUpload{Filename: "e.txt", Data: bytes.NewReader(nil)}})
	if err == nil || !strings.HasSuffix(err.Error(), "file must be non-empty") {
		t.Errorf("empty file: %v", err)
	}
	if _, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: alice.ID, Document: &models.InputFileUpload{Filename: "c.txt", Data: strings.NewReader("x")}, Caption: strings.Repeat("c", 1025)}); err == nil || !strings.HasSuffix(err.Error(), "message caption is too long") {
		t.Errorf("long caption: %v", err)
	}
}
