package faketelegram_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"partnerbot/internal/faketelegram"
)

func webhookInfo(t *testing.T, srv *faketelegram.Server) models.WebhookInfo {
	t.Helper()
	_, ans, _ := postJSON(t, srv, "getWebhookInfo", nil)
	var info models.WebhookInfo
	if err := json.Unmarshal(ans.Result, &info); err != nil {
		t.Fatal(err)
	}
	return info
}

func TestWebhookDeliveryWithSecret(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv, bot.WithWebhookSecretToken("s3cret"))
	b.RegisterHandler(bot.HandlerTypeMessageText, "start", bot.MatchTypeCommand, func(ctx context.Context, b *bot.Bot, u *models.Update) {
		_, _ = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: u.Message.Chat.ID, Text: "hello from webhook"})
	})
	var (
		mu      sync.Mutex
		secrets []string
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		secrets = append(secrets, r.Header.Get(faketelegram.SecretTokenHeader))
		mu.Unlock()
		b.WebhookHandler()(w, r)
	}))
	defer hook.Close()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { b.StartWebhook(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()

	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL, SecretToken: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	id := srv.SendMessage(alice, "/start")
	d := srv.WebhookDeliveries()
	if len(d) != 1 || d[0].UpdateID != id || d[0].Status != http.StatusOK || d[0].Err != "" || d[0].URL != hook.URL {
		t.Fatalf("deliveries = %+v", d)
	}
	mu.Lock()
	if len(secrets) != 1 || secrets[0] != "s3cret" {
		t.Errorf("secret headers = %q", secrets)
	}
	mu.Unlock()
	if msgs := srv.ExpectMessages(t, alice.ID, 1); msgs[0].Text != "hello from webhook" {
		t.Errorf("reply = %+v", msgs[0])
	}
	info, err := b.GetWebhookInfo(ctx)
	if err != nil || info.URL != hook.URL || info.PendingUpdateCount != 0 || info.MaxConnections != 40 {
		t.Errorf("webhook info = %+v, %v", info, err)
	}
	if _, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{DropPendingUpdates: true}); err != nil {
		t.Error(err)
	}
	if info := webhookInfo(t, srv); info.URL != "" {
		t.Errorf("webhook not deleted: %+v", info)
	}
}

func TestWebhookRetriesFailedDeliveries(t *testing.T) {
	srv := newServer(t)
	var (
		failing  atomic.Bool
		mu       sync.Mutex
		received []int64
	)
	failing.Store(true)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		var u models.Update
		_ = json.NewDecoder(r.Body).Decode(&u)
		mu.Lock()
		received = append(received, u.ID)
		mu.Unlock()
	}))
	defer hook.Close()

	early := srv.SendMessage(alice, "queued before the webhook")
	if status, _, body := postJSON(t, srv, "setWebhook", map[string]any{"url": hook.URL}); status != 200 {
		t.Fatal(body)
	}
	if err := srv.WaitUntil(0, func(s *faketelegram.Snapshot) bool { return len(s.Deliveries()) == 1 }); err != nil {
		t.Fatal(err)
	}
	late := srv.SendMessage(alice, "second")
	d := srv.WebhookDeliveries()
	want := "Wrong response from the webhook: 500 Internal Server Error"
	if len(d) != 2 || d[0].UpdateID != early || d[1].UpdateID != early || d[1].Status != 500 || d[1].Err != want {
		t.Fatalf("deliveries = %+v", d)
	}
	if info := webhookInfo(t, srv); info.PendingUpdateCount != 2 || info.LastErrorMessage != want || info.LastErrorDate == 0 {
		t.Errorf("webhook info = %+v", info)
	}
	if err := srv.RedeliverWebhook(); err == nil {
		t.Error("redelivery to a failing webhook succeeded")
	}

	failing.Store(false)
	if err := srv.RedeliverWebhook(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(received) != 2 || received[0] != early || received[1] != late {
		t.Errorf("received = %v", received)
	}
	mu.Unlock()
	if info := webhookInfo(t, srv); info.PendingUpdateCount != 0 {
		t.Errorf("pending = %d", info.PendingUpdateCount)
	}
}

func TestPostWebhookWithWrongSecret(t *testing.T) {
	srv := newServer(t)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(faketelegram.SecretTokenHeader) != "right" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer hook.Close()
	u := models.Update{Message: &models.Message{ID: 1, Date: 1, Chat: models.Chat{ID: alice.ID, Type: "private"}, Text: "x"}}
	for secret, want := range map[string]int{"wrong": 401, "": 401, "right": 200} {
		status, err := srv.PostWebhook(hook.URL, secret, u)
		if err != nil || status != want {
			t.Errorf("secret %q: status %d, err %v; want %d", secret, status, err, want)
		}
	}
	if len(srv.WebhookDeliveries()) != 0 {
		t.Error("PostWebhook went through the queue")
	}
}
