package delivery

import (
	"bytes"
	"io"
	"net/http"
	"time"
)

// HTTPClient is an HTTP client fit for the Bot API client the engine sends
// through: it keeps an idle connection for every worker, where Go's default
// keeps two per host, so that sends reuse connections instead of paying a
// new TCP and TLS handshake each, which would also make their timing (and
// so the pace Telegram sees) uneven; and it sends each request in one
// piece (wholeBodies).
func HTTPClient(workers int) *http.Client {
	if workers <= 0 {
		workers = DefaultWorkers
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = workers
	t.MaxIdleConnsPerHost = workers
	return &http.Client{Transport: wholeBodies{next: t}, Timeout: time.Minute}
}

// maxWholeBody is the largest request body wholeBodies reads into memory
// before sending it; a larger one (an upload) streams on after what was
// read.
const maxWholeBody = 1 << 20

// wholeBodies sends a request body of unknown length in one piece, with
// its length. go-telegram/bot writes every request into a pipe, which
// net/http sends with chunked encoding, flushing every chunk: a
// sendMessage left as a dozen small writes (and, to Telegram, as many TLS
// records), each a system call at both ends; in the load run these writes
// were a tenth of the process's CPU time per answer. Bot API requests but
// uploads are a few kilobytes at most.
type wholeBodies struct {
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t wholeBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength > 0 {
		return t.next.RoundTrip(req)
	}
	head, err := io.ReadAll(io.LimitReader(req.Body, maxWholeBody+1))
	if err != nil {
		req.Body.Close()
		return nil, err
	}
	out := req.Clone(req.Context()) // a RoundTripper must not change the request it was given
	if len(head) <= maxWholeBody {
		req.Body.Close()
		out.ContentLength = int64(len(head))
		out.Body = io.NopCloser(bytes.NewReader(head))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(head)), nil }
	} else {
		out.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), req.Body), req.Body}
	}
	return t.next.RoundTrip(out)
}
