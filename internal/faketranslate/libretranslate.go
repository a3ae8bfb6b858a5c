package faketranslate

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// LibreTranslate is a fake LibreTranslate server (v1.x, app.py): POST
// /translate with a JSON or form body (q as a string or an array, source
// as a code or "auto", target, format: "text", or "html" to keep the tags
// and translate the text between them, TranslateHTML; api_key), GET
// /languages, and its
// errors: JSON {"error": ...} with 400 (missing parameter, unsupported
// language, text over the character limit, missing required API key), 403
// (invalid API key), 429 ("Slowdown: ...") and 500.
type LibreTranslate struct {
	faults
	URL string
	// key, when set, is the only API key accepted; requests without one
	// get 400 as from a server started with --api-keys --require-api-key-origin.
	key       string
	charLimit int
}

// NewLibreTranslate starts a fake LibreTranslate server, stopped when t
// ends.
func NewLibreTranslate(t testing.TB) *LibreTranslate {
	l := &LibreTranslate{charLimit: 5000}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /translate", l.translate)
	mux.HandleFunc("GET /languages", func(w http.ResponseWriter, r *http.Request) {
		var langs []map[string]any
		for _, code := range Languages {
			langs = append(langs, map[string]any{"code": code, "name": code, "targets": Languages})
		}
		writeJSON(w, http.StatusOK, langs)
	})
	l.URL = start(t, mux).URL
	return l
}

// RequireKey makes key the only API key accepted.
func (l *LibreTranslate) RequireKey(key string) { l.mu.Lock(); l.key = key; l.mu.Unlock() }

type ltRequest struct {
	Q      json.RawMessage `json:"q"`
	Source string          `json:"source"`
	Target string          `json:"target"`
	Format string          `json:"format"`
	APIKey string          `json:"api_key"`
}

func (l *LibreTranslate) fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func (l *LibreTranslate) translate(w http.ResponseWriter, r *http.Request) {
	switch l.begin(r) {
	case 0:
	case http.StatusTooManyRequests:
		l.fail(w, http.StatusTooManyRequests, "Slowdown: 10 per 1 minute")
		return
	case http.StatusForbidden:
		l.fail(w, http.StatusForbidden, "Too many request limits violations")
		return
	case http.StatusBadRequest:
		l.fail(w, http.StatusBadRequest, "Invalid request")
		return
	default:
		l.fail(w, http.StatusInternalServerError, "Cannot translate text: model failed")
		return
	}
	var req ltRequest
	var texts []string
	array := false
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			l.fail(w, http.StatusBadRequest, "Invalid request: "+err.Error())
			return
		}
		if len(req.Q) > 0 {
			var one string
			if err := json.Unmarshal(req.Q, &one); err == nil {
				texts = []string{one}
			} else if err := json.Unmarshal(req.Q, &texts); err != nil {
				l.fail(w, http.StatusBadRequest, "Invalid request: q must be a string or an array")
				return
			} else {
				array = true
			}
		}
	} else {
		if err := r.ParseMultipartForm(1 << 20); err != nil && r.ParseForm() != nil {
			l.fail(w, http.StatusBadRequest, "Invalid request")
			return
		}
		req.Source, req.Target, req.Format, req.APIKey = r.FormValue("source"), r.FormValue("target"), r.FormValue("format"), r.FormValue("api_key")
		if q := r.Form["q"]; len(q) > 0 {
			texts, array = q, len(q) > 1
		}
	}
	l.mu.Lock()
	key := l.key
	l.mu.Unlock()
	switch {
	case key != "" && req.APIKey == "":
		l.fail(w, http.StatusBadRequest, "Please contact the server operator to get an API key")
		return
	case key != "" && req.APIKey != key:
		l.fail(w, http.StatusForbidden, "Invalid API key")
		return
	case len(texts) == 0:
		l.fail(w, http.StatusBadRequest, "Invalid request: missing q parameter")
		return
	case req.Source == "":
		l.fail(w, http.StatusBadRequest, "Invalid request: missing source parameter")
		return
	case req.Target == "":
		l.fail(w, http.StatusBadRequest, "Invalid request: missing target parameter")
		return
	case req.Source != "auto" && !slices.Contains(Languages, req.Source):
		l.fail(w, http.StatusBadRequest, fmt.Sprintf("%s is not supported", req.Source))
		return
	case !slices.Contains(Languages, req.Target):
		l.fail(w, http.StatusBadRequest, fmt.Sprintf("%s is not supported", req.Target))
		return
	case req.Format != "" && req.Format != "text" && req.Format != "html":
		l.fail(w, http.StatusBadRequest, fmt.Sprintf("%s format is not supported", req.Format))
		return
	}
	n := 0
	for _, t := range texts {
		n += utf8.RuneCountInString(t)
	}
	if n > l.charLimit {
		l.fail(w, http.StatusBadRequest, fmt.Sprintf("Invalid request: request (%d) exceeds text limit (%d)", n, l.charLimit))
		return
	}
	l.count(n)
	out := make([]string, len(texts))
	for i, t := range texts {
		out[i] = l.answer(t, req.Target, req.Format == "html")
	}
	resp := map[string]any{}
	if array {
		resp["translatedText"] = out
	} else {
		resp["translatedText"] = out[0]
	}
	if req.Source == "auto" {
		resp["detectedLanguage"] = map[string]any{"confidence": 90.0, "language": Detect(strings.Join(texts, " "))}
	}
	writeJSON(w, http.StatusOK, resp)
}
