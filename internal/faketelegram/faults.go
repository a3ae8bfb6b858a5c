package faketelegram

import (
	"math"
	"net/http"
	"strings"
	"time"
)

// Fault is a failure FailNext makes the server answer instead of running
// a method.
type Fault struct {
	// Code is the HTTP status and error_code, e.g. 429, 500, 502.
	Code int
	// Description overrides Telegram's usual description for Code
	// ("Too Many Requests: retry after N", "Internal Server Error", ...).
	Description string
	// RetryAfter is parameters.retry_after (429; defaults to 1).
	RetryAfter int
	// MigrateToChatID is parameters.migrate_to_chat_id (400 "group chat
	// was upgraded to a supergroup chat").
	MigrateToChatID int64
	// Delay holds the answer back, e.g. to make a client time out.
	Delay time.Duration
	// RawBody, when set, is sent as is (as text/html) instead of a JSON
	// error, like the nginx page Telegram's front end shows on a 502.
	RawBody string
}

func (f Fault) apiError() *apiError {
	e := &apiError{code: f.Code, description: f.Description, migrateTo: f.MigrateToChatID}
	if f.Code == http.StatusTooManyRequests {
		e = tooManyRequests(f.RetryAfter)
		if f.Description != "" {
			e.description = f.Description
		}
	}
	if e.description == "" {
		switch {
		case f.Code == http.StatusBadRequest && f.MigrateToChatID != 0:
			e.description = "Bad Request: group chat was upgraded to a supergroup chat"
		default:
			e.description = http.StatusText(f.Code)
		}
	}
	return e
}

// FailNext queues a one-shot fault for the next call of the method (case
// insensitive). Faults for one method are used in the order queued.
func (s *Server) FailNext(method string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	s.faults[key] = append(s.faults[key], f)
}

func (s *Server) takeFault(method string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	queued := s.faults[key]
	if len(queued) == 0 {
		return Fault{}, false
	}
	s.faults[key] = queued[1:]
	return queued[0], true
}

// serveFault answers a request with a queued fault.
func (s *Server) serveFault(w http.ResponseWriter, rq *request, f Fault) {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-rq.ctx.Done():
		case <-s.closing:
		}
		t.Stop()
	}
	e := f.apiError()
	if f.RawBody != "" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Code)
		_, _ = w.Write([]byte(f.RawBody))
	} else {
		writeError(w, e)
	}
	s.recordCall(rq, f.Code, e)
}

// BlockChat makes every send or edit to the chat fail with 403, as when
// the user blocked the bot ("Forbidden: bot was blocked by the user"; for
// groups "bot was kicked from the group chat"). The chat becomes known.
func (s *Server) BlockChat(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chats[chatID] == nil {
		s.chatLocked(defaultChat(chatID))
	}
	s.blocked[chatID] = true
}

// UnblockChat undoes BlockChat.
func (s *Server) UnblockChat(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, chatID)
}

// SetRateLimits turns Telegram's flood limits on or off (off by default).
// When on, a send answers 429 with retry_after when it would exceed 30
// messages per second overall, 1 per second to one private chat (after a
// burst of up to 3) or 20 per minute to one group. Edits are not limited.
func (s *Server) SetRateLimits(enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimits = enabled
	s.limiter = newRateLimiter()
}

// TooManyRequestsCount is how many 429 answers the server gave.
func (s *Server) TooManyRequestsCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tooManyReqs
}

// checkRateLocked admits one send to the chat or returns the 429.
func (s *Server) checkRateLocked(chatID int64) *apiError {
	if !s.rateLimits {
		return nil
	}
	if wait := s.limiter.admit(chatID, time.Now()); wait > 0 {
		return tooManyRequests(int(math.Ceil(wait.Seconds())))
	}
	return nil
}

const (
	globalPerSecond = 30
	groupPerMinute  = 20
	privateBurst    = 3
)

// rateLimiter implements Telegram's flood limits.
type rateLimiter struct {
	global  []time.Time           // sends in the last second
	groups  map[int64][]time.Time // sends per group in the last minute
	private map[int64]*bucket     // token bucket per private chat
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter() *rateLimiter {
	return &rateLimiter{groups: map[int64][]time.Time{}, private: map[int64]*bucket{}}
}

// admit records a send at now and returns 0, or returns how long to wait.
func (rl *rateLimiter) admit(chatID int64, now time.Time) time.Duration {
	rl.global = pruneBefore(rl.global, now.Add(-time.Second))
	if len(rl.global) >= globalPerSecond {
		return rl.global[0].Add(time.Second).Sub(now)
	}
	if chatID < 0 {
		sends := pruneBefore(rl.groups[chatID], now.Add(-time.Minute))
		rl.groups[chatID] = sends
		if len(sends) >= groupPerMinute {
			return sends[0].Add(time.Minute).Sub(now)
		}
		rl.groups[chatID] = append(sends, now)
	} else {
		b := rl.private[chatID]
		if b == nil {
			b = &bucket{tokens: privateBurst, last: now}
			rl.private[chatID] = b
		}
		b.tokens = min(privateBurst, b.tokens+now.Sub(b.last).Seconds())
		b.last = now
		if b.tokens < 1 {
			return time.Duration((1 - b.tokens) * float64(time.Second))
		}
		b.tokens--
	}
	rl.global = append(rl.global, now)
	return 0
}

func pruneBefore(times []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(times) && !times[i].After(cutoff) {
		i++
	}
	return times[i:]
}

// PendingFaults is how many faults queued by FailNext for the method have
// not been used yet. Once it drops, a request took its fault: with a Delay,
// that request is being held now.
func (s *Server) PendingFaults(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults[strings.ToLower(method)])
}
