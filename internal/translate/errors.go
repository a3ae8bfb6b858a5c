package translate

import (
	"errors"
	"fmt"
)

// What can go wrong, as kinds a caller tells apart with errors.Is. Every
// error Translate returns wraps exactly one of them; the bot then shows
// the original text with a short note (see Reason).
var (
	// ErrDisabled: no translation service is configured.
	ErrDisabled = errors.New("translation is not configured")
	// ErrBudget: the day's character budget (TRANSLATE_DAILY_CHARS) is
	// used up.
	ErrBudget = errors.New("daily translation budget used up")
	// ErrQuota: the service's own quota is used up (DeepL 456).
	ErrQuota = errors.New("translation service quota exceeded")
	// ErrKey: the service refused the API key (DeepL 403, LibreTranslate
	// 403 or 400 for a missing key).
	ErrKey = errors.New("translation service refused the API key")
	// ErrRateLimited: too many requests for now (429, DeepL 529).
	ErrRateLimited = errors.New("translation service asks to slow down")
	// ErrUnavailable: the service failed, did not answer in time, or could
	// not be reached (5xx, timeouts, network errors).
	ErrUnavailable = errors.New("translation service unavailable")
	// ErrUnsupported: the service will not translate this text or
	// language pair (400, 413).
	ErrUnsupported = errors.New("translation service cannot translate this")
)

// Error is a failure of a translation service: its kind (one of the
// errors above), the provider, the HTTP status (0 without an answer) and
// what the service said.
type Error struct {
	Kind     error
	Provider string
	Status   int
	Message  string
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s: %v: %s", e.Provider, e.Kind, e.Message)
	}
	return fmt.Sprintf("%s: %v (HTTP %d): %s", e.Provider, e.Kind, e.Status, e.Message)
}

func (e *Error) Unwrap() error { return e.Kind }

// Reason names the kind of err in one word, for choosing the note shown
// with the original text ("translate_unavailable_" + Reason(err) in the
// message catalog): disabled, budget, quota, key, busy, unavailable,
// unsupported; "unavailable" for anything else.
func Reason(err error) string {
	for _, k := range []struct {
		err    error
		reason string
	}{
		{ErrDisabled, "disabled"}, {ErrBudget, "budget"}, {ErrQuota, "quota"}, {ErrKey, "key"},
		{ErrRateLimited, "busy"}, {ErrUnsupported, "unsupported"},
	} {
		if errors.Is(err, k.err) {
			return k.reason
		}
	}
	return "unavailable"
}
