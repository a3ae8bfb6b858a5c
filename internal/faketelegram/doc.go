// Package faketelegram is a fake Telegram Bot API server for tests.
//
// It serves the Bot API over real HTTP (an httptest.Server), so a bot built
// on github.com/go-telegram/bot talks to it exactly as it talks to
// api.telegram.org:
//
//	srv := faketelegram.New()
//	defer srv.Close()
//	b, _ := bot.New(srv.Token(), bot.WithServerURL(srv.URL()), bot.WithSkipGetMe())
//
// The server parses requests the way Telegram does (multipart/form-data,
// application/x-www-form-urlencoded, application/json and the query string),
// answers in Telegram's response shape with Telegram's error texts, validates
// HTML markup like Telegram, and records everything the bot does so tests
// can assert on it and wait for it without sleeping.
//
// Tests play the users: SendMessage, SendGroupMessage, ForwardMessage,
// PressButton and Inject build updates the way Telegram would and hand them
// to the bot through getUpdates or, when a webhook is set, by POSTing them
// to the webhook.
//
// Faults can be injected: BlockChat, FailNext and SetRateLimits.
package faketelegram
