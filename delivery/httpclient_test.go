package delivery_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"partnerbot/delivery"
)

// TestHTTPClientSendsBodiesWhole: a body written into a pipe, as
// go-telegram/bot writes every request, leaves with its length in one
// piece instead of chunked; one over a megabyte (an upload) is streamed,
// and every body arrives intact.
func TestHTTPClientSendsBodiesWhole(t *testing.T) {
	t.Parallel()
	type got struct {
		length  int64
		chunked bool
		body    []byte
	}
	seen := make(chan got, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		seen <- got{length: r.ContentLength, chunked: len(r.TransferEncoding) > 0, body: body}
		io.WriteString(w, `{"ok":true,"result":true}`)
	}))
	defer srv.Close()
	client := delivery.HTTPClient(2)
	for _, tc := range []struct {
		name    string
		body    string
		piped   bool
		chunked bool
	}{
		{"message through a pipe", strings.Repeat("Привіт, <b>друзі</b>! ", 100), true, false},
		{"upload over a megabyte through a pipe", strings.Repeat("x", 1<<20+1), true, true},
		{"body of known length", "chat_id=1&text=ok", false, false},
	} {
		var body io.Reader = strings.NewReader(tc.body)
		if tc.piped {
			pr, pw := io.Pipe()
			go func() {
				// In small writes, as a multipart form is written.
				for s := tc.body; s != ""; {
					n := min(len(s), 100)
					if _, err := io.WriteString(pw, s[:n]); err != nil {
						return
					}
					s = s[n:]
				}
				pw.Close()
			}()
			body = pr
		}
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/botTOKEN/sendMessage", body)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp.Body.Close()
		g := <-seen
		if !bytes.Equal(g.body, []byte(tc.body)) {
			t.Errorf("%s: body of %d bytes arrived as %d bytes", tc.name, len(tc.body), len(g.body))
		}
		if g.chunked != tc.chunked || !tc.chunked && g.length != int64(len(tc.body)) {
			t.Errorf("%s: sent chunked %v with length %d, want chunked %v", tc.name, g.chunked, g.length, tc.chunked)
		}
	}
}
