package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// allowedUpdates are the update kinds the bot asks Telegram for.
var allowedUpdates = []string{"message", "callback_query", "my_chat_member", "chat_join_request"}

// Poller fetches updates with getUpdates. It is written here rather than
// taken from go-telegram/bot, whose poller confirms updates to Telegram
// before they are handled and so loses them in a crash: this one confirms
// an update (by moving the offset past it) only after Intake.Record stored
// it in PostgreSQL.
type Poller struct {
	URL     string // Bot API base URL, e.g. https://api.telegram.org
	Token   string
	Timeout time.Duration // long-poll timeout
	Client  *http.Client
	Intake  *Intake
	Log     *slog.Logger
}

// errConflict: Telegram ended this long poll because another getUpdates
// with the same token came (HTTP 409). Several instances that all poll do
// that to each other all the time; each still gets updates.
var errConflict = errors.New("getUpdates: another getUpdates with this token ended this one")

// conflictLogEvery is how often the poller says that another instance
// polls with the same token, at most.
const conflictLogEvery = time.Minute

// Run polls until ctx ends. Errors are logged and retried with backoff.
func (p *Poller) Run(ctx context.Context) {
	var offset int64
	backoff := time.Duration(0)
	var conflictLogged time.Time
	for ctx.Err() == nil {
		if backoff > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
		}
		next, err := p.poll(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			backoff = min(max(2*backoff, 500*time.Millisecond), 30*time.Second)
			if errors.Is(err, errConflict) {
				if time.Since(conflictLogged) >= conflictLogEvery {
					conflictLogged = time.Now()
					p.Log.Warn("another instance polls with this token; with several instances, set WEBHOOK_URL", "backoff", backoff)
				}
				continue
			}
			p.Log.Error("getUpdates failed; retrying", "err", err, "backoff", backoff)
			continue
		}
		backoff, offset = 0, next
	}
}

// poll fetches one batch, records it, and returns the offset that
// confirms what was recorded. A batch is confirmed only as far as it was
// stored: on a database error the rest is fetched again.
func (p *Poller) poll(ctx context.Context, offset int64) (int64, error) {
	body, _ := json.Marshal(map[string]any{
		"offset": offset, "timeout": int(p.Timeout.Seconds()), "allowed_updates": allowedUpdates,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/bot"+p.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return offset, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.Client.Do(req)
	if err != nil {
		return offset, Redact(err, p.Token)
	}
	defer resp.Body.Close()
	var res struct {
		OK          bool              `json:"ok"`
		Description string            `json:"description"`
		Result      []json.RawMessage `json:"result"`
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return offset, err
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return offset, fmt.Errorf("getUpdates: HTTP %d: undecodable answer", resp.StatusCode)
	}
	if resp.StatusCode == http.StatusConflict {
		return offset, errConflict
	}
	if !res.OK {
		return offset, fmt.Errorf("getUpdates: HTTP %d: %s", resp.StatusCode, res.Description)
	}
	raws := make([][]byte, 0, len(res.Result))
	next := offset
	for _, raw := range res.Result {
		var head struct {
			ID int64 `json:"update_id"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			// Telegram never sends one; should it, the offset moves on with
			// the next update that has an id, so it cannot stall intake.
			p.Log.Warn("getUpdates: skipping an update without a readable update_id", "err", err)
			continue
		}
		raws = append(raws, raw)
		next = max(next, head.ID+1)
	}
	if len(raws) == 0 {
		return next, nil
	}
	// The batch is stored in one statement, all or nothing, so it is
	// confirmed as a whole or fetched again as a whole.
	if err := p.Intake.RecordBatch(ctx, raws); err != nil {
		return offset, fmt.Errorf("record %d updates: %w", len(raws), err)
	}
	return next, nil
}

// Redact keeps the bot token out of logged errors (net/http puts the URL
// into them).
func Redact(err error, token string) error {
	return fmt.Errorf("%s", bytes.ReplaceAll([]byte(err.Error()), []byte(token), []byte("***")))
}
