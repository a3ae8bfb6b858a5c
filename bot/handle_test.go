package bot

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"partnerbot/locales"
	"partnerbot/storage"
)

// TestHandleRecoversFromPanics: a handler that panics (here: storage
// without a database) is logged with its stack and does not take the
// process down.
func TestHandleRecoversFromPanics(t *testing.T) {
	t.Parallel()
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	a := New(Deps{Store: storage.New(nil), Catalog: cat, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	a.Handle(context.Background(), &models.Update{ID: 1, Message: &models.Message{Text: "/start",
		From: &models.User{ID: 5}, Chat: models.Chat{ID: 5, Type: models.ChatTypePrivate}}})
	if !strings.Contains(logs.String(), "handler panicked") {
		t.Fatalf("panic not logged:\n%s", logs.String())
	}
}
