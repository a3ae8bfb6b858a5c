package translate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// DeepL is the DeepL API v2: POST /v2/translate with the header
// "Authorization: DeepL-Auth-Key <key>" and a JSON body {text: [..],
// target_lang, source_lang, tag_handling ("html": tags kept, the text
// between them translated)}; it answers {translations: [{text,
// detected_source_language}]}, or 403 (key), 456 (quota exceeded), 429 or
// 529 (too many requests), 400/413 (bad request, too large), 5xx.
type DeepL struct {
	// URL is the API's base URL: https://api.deepl.com for Pro keys,
	// https://api-free.deepl.com for Free keys (they end in ":fx"); see
	// DeepLURL.
	URL    string
	Key    string
	Client *http.Client
}

// DeepLURL returns the API's base URL for key: Free keys end in ":fx".
func DeepLURL(key string) string {
	if strings.HasSuffix(key, ":fx") {
		return "https://api-free.deepl.com"
	}
	return "https://api.deepl.com"
}

// Name implements Provider.
func (d *DeepL) Name() string { return "deepl" }

type deeplRequest struct {
	Text       []string `json:"text"`
	TargetLang string   `json:"target_lang"`
	SourceLang string   `json:"source_lang,omitempty"`
	// TagHandling "html" keeps the tags of an HTML text and translates
	// the text between them.
	TagHandling string `json:"tag_handling,omitempty"`
}

type deeplResponse struct {
	Translations []struct {
		DetectedSourceLanguage string `json:"detected_source_language"`
		Text                   string `json:"text"`
	} `json:"translations"`
	Message string `json:"message"`
}

// deeplTarget is DeepL's target code for lang: English needs a variant
// (plain EN is deprecated as a target), the others are upper case.
func deeplTarget(lang string) string {
	if lang == "en" {
		return "EN-GB"
	}
	return strings.ToUpper(lang)
}

// Translate implements Provider.
func (d *DeepL) Translate(ctx context.Context, text, from, to string, html bool) (Output, error) {
	body := deeplRequest{Text: []string{text}, TargetLang: deeplTarget(to), SourceLang: strings.ToUpper(from)}
	if html {
		body.TagHandling = "html"
	}
	status, raw, err := postJSON(ctx, d.Client, d.Name(), strings.TrimRight(d.URL, "/")+"/v2/translate", body,
		"Authorization", "DeepL-Auth-Key "+d.Key)
	if err != nil {
		return Output{}, err
	}
	var out deeplResponse
	decodeErr := json.Unmarshal(raw, &out)
	if status != http.StatusOK {
		msg := out.Message
		if msg == "" {
			msg = snippet(raw)
		}
		return Output{}, &Error{Kind: deeplKind(status), Provider: d.Name(), Status: status, Message: msg}
	}
	if decodeErr != nil || len(out.Translations) != 1 {
		return Output{}, &Error{Kind: ErrUnavailable, Provider: d.Name(), Status: status,
			Message: fmt.Sprintf("unreadable answer (%v): %s", decodeErr, snippet(raw))}
	}
	return Output{Text: out.Translations[0].Text, From: strings.ToLower(out.Translations[0].DetectedSourceLanguage)}, nil
}

// deeplKind maps DeepL's status codes.
func deeplKind(status int) error {
	switch status {
	case http.StatusForbidden, http.StatusUnauthorized:
		return ErrKey
	case 456:
		return ErrQuota
	case http.StatusTooManyRequests, 529:
		return ErrRateLimited
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusRequestURITooLong, http.StatusNotFound:
		return ErrUnsupported
	}
	return ErrUnavailable
}
