package faketelegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxUploadSize is the largest request body the Bot API accepts (50 MB).
const maxUploadSize = 50 << 20

// upload is a file part of a multipart request.
type upload struct {
	fileName    string
	contentType string
	data        []byte
}

// request is one parsed Bot API call.
type request struct {
	ctx    context.Context
	method string
	params map[string]string
	files  map[string]*upload
}

// str returns the parameter or "".
func (rq *request) str(name string) string { return rq.params[name] }

// noChat reports whether chat_id is missing.
func (rq *request) noChat() bool { return strings.TrimSpace(rq.params["chat_id"]) == "" }

// int64Param returns the parameter as an integer; ok is false when it is
// missing or not an integer.
func (rq *request) int64Param(name string) (int64, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(rq.params[name]), 10, 64)
	return v, err == nil
}

// intParam returns the parameter as an int, or def when missing or invalid.
func (rq *request) intParam(name string, def int) int {
	v, ok := rq.int64Param(name)
	if !ok {
		return def
	}
	return int(v)
}

// boolParam reports whether the parameter is true.
func (rq *request) boolParam(name string) bool {
	switch strings.ToLower(strings.TrimSpace(rq.params[name])) {
	case "true", "1":
		return true
	}
	return false
}

var errBodyTooLarge = errors.New("request body too large")

// parseRequest collects parameters the way the Bot API does: query string
// first, then the body according to its content type. Objects and arrays in
// JSON bodies are kept as JSON text, exactly like form fields carry them.
func parseRequest(r *http.Request) (map[string]string, map[string]*upload, error) {
	params := map[string]string{}
	files := map[string]*upload{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	if r.Body == nil {
		return params, files, nil
	}
	mediaType, mediaParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body := http.MaxBytesReader(nil, r.Body, maxUploadSize+1<<20)
	var err error
	switch mediaType {
	case "multipart/form-data":
		err = parseMultipart(body, mediaParams["boundary"], params, files)
	case "application/x-www-form-urlencoded":
		err = parseURLEncoded(body, params)
	case "application/json":
		err = parseJSONBody(body, params)
	}
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		err = errBodyTooLarge
	}
	return params, files, err
}

func parseMultipart(body io.Reader, boundary string, params map[string]string, files map[string]*upload) error {
	if boundary == "" {
		return errors.New("multipart boundary missing")
	}
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(part, maxUploadSize+1))
		if err != nil {
			return err
		}
		if len(data) > maxUploadSize {
			return errBodyTooLarge
		}
		name := part.FormName()
		if part.FileName() != "" {
			files[name] = &upload{fileName: part.FileName(), contentType: part.Header.Get("Content-Type"), data: data}
			continue
		}
		params[name] = string(data)
	}
}

func parseURLEncoded(body io.Reader, params map[string]string) error {
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	values, err := url.ParseQuery(string(data))
	if err != nil {
		return err
	}
	for k, v := range values {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	return nil
}

func parseJSONBody(body io.Reader, params map[string]string) error {
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	for k, raw := range fields {
		if v, ok := jsonFieldText(raw); ok {
			params[k] = v
		}
	}
	return nil
}

// jsonFieldText converts one JSON value to the text a form field would
// carry: strings unquoted, objects and arrays as compact JSON, null dropped.
func jsonFieldText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	case '{', '[':
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return "", false
		}
		return buf.String(), true
	default:
		return string(raw), true
	}
}
