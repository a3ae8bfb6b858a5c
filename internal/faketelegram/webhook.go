package faketelegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// SecretTokenHeader is the header carrying the webhook's secret_token.
const SecretTokenHeader = "X-Telegram-Bot-Api-Secret-Token"

const defaultMaxConnections = 40

// webhookState is what setWebhook configured.
type webhookState struct {
	url            string
	secret         string
	maxConnections int
	allowedUpdates []string
	lastErrorDate  int
	lastErrorMsg   string
}

// Delivery is one attempt to POST an update to the webhook.
type Delivery struct {
	// UpdateID is the update delivered.
	UpdateID int64
	// URL is the webhook it went to.
	URL string
	// Status is the HTTP status of the answer, 0 when there was none.
	Status int
	// Err describes a failed attempt (as getWebhookInfo's
	// last_error_message would), "" on success.
	Err string
	// Time is when the attempt finished.
	Time time.Time
}

// WebhookDeliveries returns every webhook delivery attempt, in order.
func (s *Server) WebhookDeliveries() []Delivery {
	var out []Delivery
	s.view(func(sn *Snapshot) { out = sn.Deliveries() })
	return out
}

func validSecret(secret string) bool {
	if len(secret) > 256 {
		return false
	}
	for _, c := range []byte(secret) {
		if !isWordByte(c) && c != '-' {
			return false
		}
	}
	return true
}

func (s *Server) handleSetWebhook(rq *request) (any, *apiError) {
	raw := strings.TrimSpace(rq.str("url"))
	if raw == "" {
		return s.handleDeleteWebhook(rq)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, errWebhookHost
	}
	secret := rq.str("secret_token")
	if !validSecret(secret) {
		return nil, errSecretToken
	}
	var allowed []string
	if a := rq.str("allowed_updates"); a != "" {
		if err := json.Unmarshal([]byte(a), &allowed); err != nil {
			return nil, badRequest("can't parse allowed updates JSON object")
		}
	}
	s.mu.Lock()
	if rq.boolParam("drop_pending_updates") {
		s.queue = nil
	}
	desc := "Webhook was set"
	if s.webhook.url == raw && s.webhook.secret == secret {
		desc = "Webhook is already set"
	}
	s.webhook = webhookState{
		url: raw, secret: secret, allowedUpdates: allowed,
		maxConnections: rq.intParam("max_connections", defaultMaxConnections),
	}
	pending := len(s.queue) > 0
	s.notifyLocked()
	s.mu.Unlock()
	if pending { // Telegram starts delivering what is pending right away
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.deliverPending()
		}()
	}
	return described{result: true, description: desc}, nil
}

func (s *Server) handleDeleteWebhook(rq *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rq.boolParam("drop_pending_updates") {
		s.queue = nil
	}
	desc := "Webhook is already deleted"
	if s.webhook.url != "" {
		desc = "Webhook was deleted"
	}
	s.webhook = webhookState{}
	s.notifyLocked()
	return described{result: true, description: desc}, nil
}

func (s *Server) handleGetWebhookInfo(*request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := models.WebhookInfo{URL: s.webhook.url, PendingUpdateCount: len(s.queue)}
	if s.webhook.url != "" {
		info.MaxConnections = s.webhook.maxConnections
		info.AllowedUpdates = s.webhook.allowedUpdates
		info.LastErrorDate = s.webhook.lastErrorDate
		info.LastErrorMessage = s.webhook.lastErrorMsg
	}
	return jsonOf(info), nil
}

// RedeliverWebhook retries delivering the pending updates to the webhook,
// as Telegram does after a failure, and waits for the attempt to finish.
// It returns the error of the first failing delivery, if any.
func (s *Server) RedeliverWebhook() error {
	return s.deliverPending()
}

func (s *Server) deliverIfWebhook() {
	s.mu.Lock()
	active := s.webhook.url != ""
	s.mu.Unlock()
	if active {
		_ = s.deliverPending()
	}
}

// deliverPending POSTs queued updates to the webhook in order until the
// queue is empty or a delivery fails; a failed update stays queued.
func (s *Server) deliverPending() error {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	for {
		s.mu.Lock()
		hook := s.webhook
		if hook.url == "" || len(s.queue) == 0 {
			s.mu.Unlock()
			return nil
		}
		head := s.queue[0]
		s.mu.Unlock()

		status, err := s.post(hook.url, hook.secret, head.raw)
		d := Delivery{UpdateID: head.id, URL: hook.url, Status: status, Time: time.Now()}
		switch {
		case err != nil:
			d.Err = err.Error()
		case status < 200 || status > 299:
			d.Err = fmt.Sprintf("Wrong response from the webhook: %d %s", status, http.StatusText(status))
		}

		s.mu.Lock()
		s.deliveries = append(s.deliveries, d)
		if d.Err != "" {
			s.webhook.lastErrorDate, s.webhook.lastErrorMsg = int(d.Time.Unix()), d.Err
			s.notifyLocked()
			s.mu.Unlock()
			return fmt.Errorf("faketelegram: webhook delivery of update %d: %s", head.id, d.Err)
		}
		if len(s.queue) > 0 && s.queue[0].seq == head.seq {
			s.queue = s.queue[1:]
		}
		s.notifyLocked()
		s.mu.Unlock()
	}
}

// post sends one update the way Telegram does and returns the HTTP status.
func (s *Server) post(webhookURL, secret string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, webhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(SecretTokenHeader, secret)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// PostWebhook POSTs an update straight to a webhook URL with the given
// secret header ("" for none), bypassing the queue, to test how the bot
// treats a request with a wrong or missing secret. update_id is assigned
// when zero. It returns the HTTP status of the answer.
func (s *Server) PostWebhook(webhookURL, secret string, u models.Update) (int, error) {
	s.mu.Lock()
	if u.ID == 0 {
		s.lastUpdateID++
		u.ID = s.lastUpdateID
	}
	raw := jsonOf(&u)
	s.mu.Unlock()
	return s.post(webhookURL, secret, raw)
}
