package faketelegram

import (
	"fmt"
	"net/http"
)

// apiError is an unsuccessful Bot API answer.
type apiError struct {
	code        int
	description string
	retryAfter  int
	migrateTo   int64
}

func badRequest(detail string) *apiError {
	return &apiError{code: http.StatusBadRequest, description: "Bad Request: " + detail}
}

func forbidden(detail string) *apiError {
	return &apiError{code: http.StatusForbidden, description: "Forbidden: " + detail}
}

func conflict(detail string) *apiError {
	return &apiError{code: http.StatusConflict, description: "Conflict: " + detail}
}

func tooManyRequests(retryAfter int) *apiError {
	if retryAfter < 1 {
		retryAfter = 1
	}
	return &apiError{
		code:        http.StatusTooManyRequests,
		description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		retryAfter:  retryAfter,
	}
}

var (
	errUnauthorized = &apiError{code: http.StatusUnauthorized, description: "Unauthorized"}
	errNotFound     = &apiError{code: http.StatusNotFound, description: "Not Found"}

	errChatIDEmpty       = badRequest("chat_id is empty")
	errChatNotFound      = badRequest("chat not found")
	errTextEmpty         = badRequest("message text is empty")
	errTextTooLong       = badRequest("message is too long")
	errCaptionTooLong    = badRequest("message caption is too long")
	errNotUTF8           = badRequest("strings must be encoded in UTF-8")
	errNoMessageID       = badRequest("message identifier is not specified")
	errEditNotFound      = badRequest("message to edit not found")
	errDeleteNotFound    = badRequest("message to delete not found")
	errCantEdit          = badRequest("message can't be edited")
	errCantDelete        = badRequest("message can't be deleted")
	errNoTextToEdit      = badRequest("there is no text in the message to edit")
	errNotModified       = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	errQueryInvalid      = badRequest("query is too old and response timeout expired or query ID is invalid")
	errButtonData        = badRequest("BUTTON_DATA_INVALID")
	errReplyNotFound     = badRequest("message to be replied not found")
	errWebhookActive     = conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
	errPollTerminated    = conflict("terminated by other getUpdates request; make sure that only one bot instance is running")
	errUnsupportedParse  = badRequest("unsupported parse_mode")
	errNoDocument        = badRequest("there is no document in the request")
	errEmptyFile         = badRequest("file must be non-empty")
	errWrongFileID       = badRequest("wrong file identifier/HTTP URL specified")
	errTooManyButtons    = badRequest("REPLY_MARKUP_TOO_LONG")
	errMarkupJSON        = badRequest("can't parse reply keyboard markup JSON object")
	errCommandInvalid    = badRequest("BOT_COMMAND_INVALID")
	errCommandsTooMuch   = badRequest("too many commands specified")
	errScopeInvalid      = badRequest("unsupported bot command scope type")
	errWrongChatAction   = badRequest("wrong parameter action in request")
	errSecretToken       = badRequest("secret token contains unallowed characters")
	errWebhookHost       = badRequest("bad webhook: Failed to resolve host: Name or service not known")
	errEntitiesJSON      = badRequest("can't parse entities JSON object")
	errRequestBody       = badRequest("can't parse request body")
	errEntityTooLarge    = &apiError{code: http.StatusRequestEntityTooLarge, description: "Request Entity Too Large"}
	errInlineUnsupported = badRequest("MESSAGE_ID_INVALID")
)

// forbiddenFor is the 403 Telegram answers when the bot can't write to a
// chat of the given type any more.
func forbiddenFor(chatType string) *apiError {
	switch chatType {
	case "group":
		return forbidden("bot was kicked from the group chat")
	case "supergroup":
		return forbidden("bot was kicked from the supergroup chat")
	case "channel":
		return forbidden("bot is not a member of the channel chat")
	default:
		return forbidden("bot was blocked by the user")
	}
}
