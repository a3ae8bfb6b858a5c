package faketranslate

import (
	"encoding/json"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// DeepL is a fake DeepL API v2 server: POST /v2/translate with
// "Authorization: DeepL-Auth-Key <key>" and a JSON body (text as an
// array, target_lang, source_lang, tag_handling: with "html" or "xml"
// the tags stay and the text between them is translated, TranslateHTML)
// or the older form body, GET /v2/usage,
// and its errors: 403 (bad key), 456 (quota exceeded), 429 and 529 (too
// many requests), 400 (bad parameters), 413 (request too large), 5xx.
// Errors carry JSON {"message": ...}.
type DeepL struct {
	faults
	URL   string
	key   string
	quota int
}

// NewDeepL starts a fake DeepL server that accepts key, stopped when t
// ends. Its character quota is unlimited until SetQuota.
func NewDeepL(t testing.TB, key string) *DeepL {
	d := &DeepL{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/translate", d.translate)
	mux.HandleFunc("GET /v2/usage", func(w http.ResponseWriter, r *http.Request) {
		if !d.authorized(r) {
			writeJSON(w, http.StatusForbidden, map[string]string{"message": "Forbidden"})
			return
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]int{"character_count": d.chars, "character_limit": d.quota})
	})
	d.URL = start(t, mux).URL
	return d
}

// SetQuota sets the characters the key may translate in all; a request
// that would pass it gets 456.
func (d *DeepL) SetQuota(chars int) { d.mu.Lock(); d.quota = chars; d.mu.Unlock() }

// deeplTargets are the target codes DeepL takes for the six languages
// (EN without a variant is deprecated but still accepted).
var deeplTargets = []string{"DE", "UK", "FR", "SV", "PL", "EN", "EN-GB", "EN-US"}

func (d *DeepL) authorized(r *http.Request) bool {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "DeepL-Auth-Key ")
	return ok && key == d.key
}

func (d *DeepL) fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

func (d *DeepL) translate(w http.ResponseWriter, r *http.Request) {
	switch status := d.begin(r); status {
	case 0:
	case 456:
		d.fail(w, 456, "Quota exceeded")
		return
	case http.StatusTooManyRequests, 529:
		d.fail(w, status, "Too many requests")
		return
	case http.StatusForbidden:
		d.fail(w, status, "Forbidden")
		return
	default:
		d.fail(w, status, "Internal server error")
		return
	}
	if !d.authorized(r) {
		d.fail(w, http.StatusForbidden, "Authorization failed. Please supply a valid auth_key parameter.")
		return
	}
	var req struct {
		Text        []string `json:"text"`
		TargetLang  string   `json:"target_lang"`
		SourceLang  string   `json:"source_lang"`
		TagHandling string   `json:"tag_handling"`
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 128<<10)).Decode(&req); err != nil {
			if strings.Contains(err.Error(), "too large") {
				d.fail(w, http.StatusRequestEntityTooLarge, "Request entity too large")
				return
			}
			d.fail(w, http.StatusBadRequest, "Invalid request body")
			return
		}
	} else {
		if err := r.ParseForm(); err != nil {
			d.fail(w, http.StatusBadRequest, "Invalid request body")
			return
		}
		req.Text, req.TargetLang, req.SourceLang = r.Form["text"], r.FormValue("target_lang"), r.FormValue("source_lang")
		req.TagHandling = r.FormValue("tag_handling")
	}
	switch {
	case len(req.Text) == 0:
		d.fail(w, http.StatusBadRequest, "Parameter 'text' not specified.")
		return
	case !slices.Contains(deeplTargets, req.TargetLang):
		d.fail(w, http.StatusBadRequest, "Value for 'target_lang' not supported.")
		return
	case req.SourceLang != "" && !slices.Contains(deeplTargets[:6], req.SourceLang):
		d.fail(w, http.StatusBadRequest, "Value for 'source_lang' not supported.")
		return
	case req.TagHandling != "" && req.TagHandling != "html" && req.TagHandling != "xml":
		d.fail(w, http.StatusBadRequest, "Value for 'tag_handling' not supported.")
		return
	}
	n := 0
	for _, t := range req.Text {
		n += utf8.RuneCountInString(t)
	}
	d.mu.Lock()
	over := d.quota > 0 && d.chars+n > d.quota
	d.mu.Unlock()
	if over {
		d.fail(w, 456, "Quota exceeded")
		return
	}
	d.count(n)
	target := strings.ToLower(strings.SplitN(req.TargetLang, "-", 2)[0])
	var out []map[string]string
	for _, t := range req.Text {
		src := req.SourceLang
		if src == "" {
			src = strings.ToUpper(Detect(t))
		}
		out = append(out, map[string]string{"detected_source_language": src, "text": d.answer(t, target, req.TagHandling != "")})
	}
	writeJSON(w, http.StatusOK, map[string]any{"translations": out})
}
