package faketelegram

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// DefaultWaitTimeout is used by the waits when given a timeout <= 0.
const DefaultWaitTimeout = 10 * time.Second

// WaitUntil waits until cond holds, re-evaluating it after every change
// (request answered, update queued, message sent...). cond runs with the
// server locked and must not call Server methods; use the Snapshot. On
// timeout the error describes everything the bot sent and called.
func (s *Server) WaitUntil(timeout time.Duration, cond func(*Snapshot) bool) error {
	return s.WaitUntilContext(context.Background(), timeout, cond)
}

// WaitUntilContext is WaitUntil that also gives up when ctx is done.
func (s *Server) WaitUntilContext(ctx context.Context, timeout time.Duration, cond func(*Snapshot) bool) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if timeout <= 0 {
		timeout = DefaultWaitTimeout
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if cond(&Snapshot{s: s}) {
			s.mu.Unlock()
			return nil
		}
		changed := s.changed
		s.mu.Unlock()
		var reason string
		select {
		case <-changed:
			continue
		case <-timer.C:
			reason = fmt.Sprintf("condition not met within %v", timeout)
		case <-ctx.Done():
			reason = "condition not met: " + ctx.Err().Error()
		case <-s.closing:
			reason = "condition not met: server closed"
		}
		return fmt.Errorf("faketelegram: %s\n%s", reason, s.describe())
	}
}

// WaitForMessages waits until the bot has sent at least n messages to the
// chat (sends, not edits) and returns the sends. A nil ctx means no
// cancellation; a timeout <= 0 means DefaultWaitTimeout.
func (s *Server) WaitForMessages(ctx context.Context, chatID int64, n int, timeout time.Duration) ([]Message, error) {
	var out []Message
	err := s.WaitUntilContext(ctx, timeout, func(sn *Snapshot) bool {
		out = sn.Sends(chatID)
		return len(out) >= n
	})
	if err != nil {
		return out, fmt.Errorf("waiting for %d message(s) in chat %d, got %d: %w", n, chatID, len(out), err)
	}
	return out, nil
}

// WaitForCalls waits until the bot has made at least n calls of the method
// and returns them.
func (s *Server) WaitForCalls(ctx context.Context, method string, n int, timeout time.Duration) ([]Call, error) {
	var out []Call
	err := s.WaitUntilContext(ctx, timeout, func(sn *Snapshot) bool {
		out = sn.Calls(method)
		return len(out) >= n
	})
	if err != nil {
		return out, fmt.Errorf("waiting for %d %s call(s), got %d: %w", n, method, len(out), err)
	}
	return out, nil
}

// ExpectMessages is WaitForMessages with the default timeout for tests:
// it fails t when the messages do not arrive.
func (s *Server) ExpectMessages(t testing.TB, chatID int64, n int) []Message {
	t.Helper()
	msgs, err := s.WaitForMessages(context.Background(), chatID, n, DefaultWaitTimeout)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// describe summarises the records for failure messages.
func (s *Server) describe() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	ids := make([]int64, 0, len(s.chats))
	for id, cs := range s.chats {
		if len(cs.events) > 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if len(ids) == 0 {
		b.WriteString("the bot sent nothing\n")
	}
	for _, id := range ids {
		fmt.Fprintf(&b, "chat %d:\n", id)
		for _, m := range s.chats[id].events {
			fmt.Fprintf(&b, "  #%d %s %q", m.ID, m.Method, truncate(m.Text, 200))
			if m.Document != nil {
				fmt.Fprintf(&b, " document=%q", m.Document.FileName)
			}
			for _, row := range Buttons(m) {
				for _, btn := range row {
					fmt.Fprintf(&b, " [%s]", btn.Text)
				}
			}
			b.WriteString("\n")
		}
	}
	counts := map[string]int{}
	var failed []string
	for _, c := range s.calls {
		counts[c.Method]++
		if c.Error != "" {
			failed = append(failed, fmt.Sprintf("  %s: %d %s", c.Method, c.Status, c.Error))
		}
	}
	names := make([]string, 0, len(counts))
	for name, n := range counts {
		names = append(names, fmt.Sprintf("%s×%d", name, n))
	}
	slices.Sort(names)
	fmt.Fprintf(&b, "calls: %s\n", strings.Join(names, " "))
	if len(failed) > 0 {
		fmt.Fprintf(&b, "failed calls:\n%s\n", strings.Join(failed, "\n"))
	}
	fmt.Fprintf(&b, "pending updates: %d", len(s.queue))
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
