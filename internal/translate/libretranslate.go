package translate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// LibreTranslate is a self-hosted LibreTranslate server
// (github.com/LibreTranslate/LibreTranslate): POST /translate with a JSON
// body {q, source, target, format ("text" or "html": tags kept, the text
// between them translated), api_key}; it answers
// {translatedText, detectedLanguage} or {error} with 400, 403, 429 or 500.
type LibreTranslate struct {
	// URL is the server's base URL, e.g. http://libretranslate:5000.
	URL string
	// Key is sent as api_key when set (servers started with
	// --api-keys require one).
	Key    string
	Client *http.Client
}

// Name implements Provider.
func (l *LibreTranslate) Name() string { return "libretranslate" }

type ltRequest struct {
	Q      string `json:"q"`
	Source string `json:"source"`
	Target string `json:"target"`
	Format string `json:"format"`
	APIKey string `json:"api_key,omitempty"`
}

type ltResponse struct {
	TranslatedText   string `json:"translatedText"`
	DetectedLanguage *struct {
		Confidence float64 `json:"confidence"`
		Language   string  `json:"language"`
	} `json:"detectedLanguage"`
	Error string `json:"error"`
}

// Translate implements Provider.
func (l *LibreTranslate) Translate(ctx context.Context, text, from, to string, html bool) (Output, error) {
	source := from
	if source == "" {
		source = "auto"
	}
	format := "text"
	if html {
		format = "html"
	}
	status, raw, err := postJSON(ctx, l.Client, l.Name(), strings.TrimRight(l.URL, "/")+"/translate",
		ltRequest{Q: text, Source: source, Target: to, Format: format, APIKey: l.Key})
	if err != nil {
		return Output{}, err
	}
	var out ltResponse
	decodeErr := json.Unmarshal(raw, &out)
	if status != http.StatusOK {
		msg := out.Error
		if msg == "" {
			msg = snippet(raw)
		}
		return Output{}, &Error{Kind: ltKind(status, msg), Provider: l.Name(), Status: status, Message: msg}
	}
	if decodeErr != nil {
		return Output{}, &Error{Kind: ErrUnavailable, Provider: l.Name(), Status: status,
			Message: fmt.Sprintf("unreadable answer: %v", decodeErr)}
	}
	o := Output{Text: out.TranslatedText, From: from}
	if out.DetectedLanguage != nil {
		o.From = strings.ToLower(out.DetectedLanguage.Language)
	}
	return o, nil
}

// ltKind maps LibreTranslate's statuses (app.py): 400 for a missing
// parameter, an unsupported language or a missing API key; 403 for an
// invalid key or a banned client; 429 when slowing down; 500 when
// translation failed.
func ltKind(status int, msg string) error {
	switch {
	case status == http.StatusForbidden:
		return ErrKey
	case status == http.StatusBadRequest && strings.Contains(strings.ToLower(msg), "api key"),
		status == http.StatusBadRequest && strings.Contains(strings.ToLower(msg), "api_key"):
		return ErrKey
	case status == http.StatusBadRequest, status == http.StatusRequestEntityTooLarge:
		return ErrUnsupported
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	}
	return ErrUnavailable
}

// maxResponse bounds what is read of an answer: translations of texts of
// at most a few thousand characters.
const maxResponse = 1 << 20

// postJSON posts body as JSON to url with the header pairs kv and returns
// the answer's status and (at most maxResponse bytes of) body. Not
// reaching the service, or not reading its answer, is an ErrUnavailable
// *Error of provider.
func postJSON(ctx context.Context, c *http.Client, provider, url string, body any, kv ...string) (int, []byte, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return 0, nil, &Error{Kind: ErrUnavailable, Provider: provider, Message: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, &Error{Kind: ErrUnavailable, Provider: provider, Message: err.Error()}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return resp.StatusCode, nil, &Error{Kind: ErrUnavailable, Provider: provider, Status: resp.StatusCode, Message: err.Error()}
	}
	return resp.StatusCode, raw, nil
}

func snippet(raw []byte) string {
	s := strings.TrimSpace(string(raw))
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
