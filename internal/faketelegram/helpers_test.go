package faketelegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"partnerbot/internal/faketelegram"
)

var (
	alice = faketelegram.NewUser(1001, "Alice")
	bob   = faketelegram.NewUser(1002, "Bob")
)

func newServer(t *testing.T) *faketelegram.Server {
	t.Helper()
	srv := faketelegram.New()
	t.Cleanup(srv.Close)
	return srv
}

// newBot returns a go-telegram client talking to srv.
func newBot(t *testing.T, srv *faketelegram.Server, opts ...bot.Option) *bot.Bot {
	t.Helper()
	opts = append([]bot.Option{
		bot.WithServerURL(srv.URL()),
		bot.WithSkipGetMe(),
		bot.WithDefaultHandler(func(context.Context, *bot.Bot, *models.Update) {}),
		bot.WithErrorsHandler(func(err error) { t.Logf("bot error: %v", err) }),
	}, opts...)
	b, err := bot.New(srv.Token(), opts...)
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	return b
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// apiAnswer is a decoded Bot API answer.
type apiAnswer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// postJSON calls a method with a JSON body, like many non-Go clients do.
func postJSON(t *testing.T, srv *faketelegram.Server, method string, body any) (int, apiAnswer, string) {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, srv.URL()+"/bot"+srv.Token()+"/"+method, "application/json", bytes.NewReader(raw))
}

func do(t *testing.T, url, contentType string, body io.Reader) (int, apiAnswer, string) {
	t.Helper()
	method := http.MethodPost
	if body == nil {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctxT(t), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var a apiAnswer
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatalf("answer is not JSON: %s", data)
	}
	return resp.StatusCode, a, string(data)
}

func inlineKeyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func sendText(ctx context.Context, b *bot.Bot, chatID int64, text string, mode models.ParseMode) (*models.Message, error) {
	return b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chatID, Text: text, ParseMode: mode})
}
