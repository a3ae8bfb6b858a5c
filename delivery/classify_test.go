package delivery

import (
	"errors"
	"fmt"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err   error
		want  failure
		after time.Duration
	}{
		{&tgbot.TooManyRequestsError{Message: "too many requests", RetryAfter: 7}, failFlood, 7 * time.Second},
		{&tgbot.TooManyRequestsError{Message: "too many requests"}, failFlood, time.Second},
		{fmt.Errorf("send: %w", &tgbot.TooManyRequestsError{RetryAfter: 2}), failFlood, 2 * time.Second},
		{fmt.Errorf("%w, Forbidden: bot was blocked by the user", tgbot.ErrorForbidden), failGone, 0},
		{fmt.Errorf("%w, Forbidden: user is deactivated", tgbot.ErrorForbidden), failGone, 0},
		{fmt.Errorf("%w, Bad Request: chat not found", tgbot.ErrorBadRequest), failGone, 0},
		{&tgbot.MigrateError{Message: "bad request: group chat was upgraded to a supergroup chat", MigrateToChatID: -100123}, failMigrated, 0},
		{fmt.Errorf("send: %w", &tgbot.MigrateError{Message: "bad request: group chat was upgraded", MigrateToChatID: -100124}), failMigrated, 0},
		{fmt.Errorf("%w, Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0", tgbot.ErrorBadRequest), failMarkup, 0},
		{fmt.Errorf("%w, Bad Request: message is too long", tgbot.ErrorBadRequest), failRejected, 0},
		{errors.New("error response from telegram for method sendMessage, 500 Internal Server Error"), failTransient, 0},
		{errors.New("error decode response body for method sendMessage, <html>502</html>, invalid character"), failTransient, 0},
		{errors.New("error do request for method sendMessage, dial tcp: connection refused"), failTransient, 0},
		{fmt.Errorf("%w, Unauthorized", tgbot.ErrorUnauthorized), failTransient, 0},
	} {
		got, after := classify(tc.err)
		if got != tc.want || after != tc.after {
			t.Errorf("classify(%v) = %d, %v; want %d, %v", tc.err, got, after, tc.want, tc.after)
		}
	}
}
