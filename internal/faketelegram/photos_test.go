package faketelegram_test

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// TestSendPhotoAndEditCaption: a photo a user sent the bot is sent on by
// its file_id with an HTML caption and a keyboard; its caption is edited;
// Telegram's refusals (caption too long, unknown or mistyped file_id, a
// caption edit of a text message) come as Telegram words them.
func TestSendPhotoAndEditCaption(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := ctxT(t)
	srv.KnownChat(alice.ID)
	srv.KnownChat(bob.ID)
	_, photoID := srv.SendPhoto(bob, "")
	_, docID := srv.SendDocument(bob, "call.pdf", []byte("%PDF-1.7"))
	kb := inlineKeyboard([]models.InlineKeyboardButton{{Text: "Apply", URL: "https://example.org"}})
	m, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileString{Data: photoID},
		Caption: "<b>Call</b> open", ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Photo) == 0 || m.Photo[len(m.Photo)-1].FileID != photoID || m.Caption != "Call open" || m.Text != "" ||
		len(m.CaptionEntities) != 1 || m.ReplyMarkup == nil {
		t.Errorf("message = %+v", m)
	}
	sent := srv.ExpectMessages(t, alice.ID, 1)
	if p := sent[0].Photo; p == nil || p.FileID != photoID || p.Caption != "<b>Call</b> open" || sent[0].Method != "sendPhoto" ||
		sent[0].PlainText != "Call open" {
		t.Errorf("recorded = %+v", sent[0])
	}

	for _, c := range []struct {
		name string
		p    *bot.SendPhotoParams
		want string
	}{
		{"long caption", &bot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileString{Data: photoID},
			Caption: strings.Repeat("c", 1025)}, "message caption is too long"},
		{"unknown file_id", &bot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileString{Data: "nope"}},
			"wrong file identifier/HTTP URL specified"},
		{"document as photo", &bot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileString{Data: docID}},
			"can't use file of type Document as Photo"},
	} {
		if _, err := b.SendPhoto(ctx, c.p); err == nil || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: alice.ID, Photo: &models.InputFileString{Data: photoID},
		Caption: strings.Repeat("ж", 1024)}); err != nil {
		t.Errorf("caption of 1024 characters: %v", err)
	}
	if _, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: alice.ID, Document: &models.InputFileString{Data: photoID}}); err == nil ||
		!strings.HasSuffix(err.Error(), "can't use file of type Photo as Document") {
		t.Errorf("photo as document: %v", err)
	}
	d, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: alice.ID, Document: &models.InputFileString{Data: docID}, Caption: "v1"})
	if err != nil || d.Document == nil || d.Document.FileName != "call.pdf" {
		t.Fatalf("document by file_id: %+v %v", d, err)
	}

	edited, err := b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: alice.ID, MessageID: m.ID,
		Caption: "<i>Call</i> closed", ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if edited.Caption != "Call closed" || edited.EditDate == 0 || len(edited.Photo) == 0 {
		t.Errorf("edited = %+v", edited)
	}
	_, err = b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: alice.ID, MessageID: m.ID,
		Caption: "<i>Call</i> closed", ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
	if err == nil || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("same caption: %v", err)
	}
	_, err = b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: alice.ID, MessageID: m.ID, Caption: strings.Repeat("c", 1025)})
	if err == nil || !strings.HasSuffix(err.Error(), "message caption is too long") {
		t.Errorf("long caption edit: %v", err)
	}
	if _, err := b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: alice.ID, MessageID: d.ID, Caption: "v2"}); err != nil {
		t.Errorf("document caption edit: %v", err)
	}
	txt, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{ChatID: alice.ID, MessageID: txt.ID, Caption: "x"})
	if err == nil || !strings.HasSuffix(err.Error(), "there is no caption in the message to edit") {
		t.Errorf("caption edit of a text message: %v", err)
	}
	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: alice.ID, MessageID: m.ID, Text: "x"})
	if err == nil || !strings.HasSuffix(err.Error(), "there is no text in the message to edit") {
		t.Errorf("text edit of a photo: %v", err)
	}

	state := srv.Messages(alice.ID)
	if state[0].Photo == nil || state[0].Photo.Caption != "<i>Call</i> closed" || state[0].PlainText != "Call closed" || !state[0].Edited {
		t.Errorf("state = %+v", state[0])
	}
	edits := 0
	for _, e := range srv.Sent(alice.ID) {
		if e.Edited && e.Method == "editMessageCaption" {
			edits++
		}
	}
	if edits != 2 {
		t.Errorf("%d caption edits recorded, want 2", edits)
	}
	if got := srv.Messages(alice.ID)[2]; got.Document == nil || got.Document.Caption != "v2" {
		t.Errorf("document after its caption edit = %+v", got)
	}
}
