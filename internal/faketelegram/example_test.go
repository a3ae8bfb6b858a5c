package faketelegram_test

import (
	"context"
	"fmt"
	"html"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"partnerbot/internal/faketelegram"
)

// A bot under test polls the fake server; the test plays the user and
// waits for the reply.
func Example() {
	srv := faketelegram.New()
	defer srv.Close()

	echo := func(ctx context.Context, b *bot.Bot, u *models.Update) {
		if u.Message == nil {
			return
		}
		_, _ = b.SendMessage(ctx, &bot.SendMessageParams{
			ChatID:    u.Message.Chat.ID,
			Text:      "You said: <i>" + html.EscapeString(u.Message.Text) + "</i>",
			ParseMode: models.ParseModeHTML,
		})
	}
	b, err := bot.New(srv.Token(), bot.WithServerURL(srv.URL()), bot.WithSkipGetMe(), bot.WithDefaultHandler(echo))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { b.Start(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()

	alice := faketelegram.NewUser(42, "Alice")
	srv.SendMessage(alice, "fish & chips")
	msgs, err := srv.WaitForMessages(ctx, alice.ID, 1, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(msgs[0].Text)
	fmt.Println(msgs[0].PlainText)
	fmt.Println(msgs[0].Entities[0].Type)
	// Output:
	// You said: <i>fish &amp; chips</i>
	// You said: fish & chips
	// italic
}
