package metrics_test

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"partnerbot/internal/bottest"
)

// scrape reads /metrics of an instance over HTTP: series (with labels) to
// value.
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// waitFor scrapes until every series has at least its value.
func waitFor(t *testing.T, addr string, want map[string]float64) map[string]float64 {
	t.Helper()
	deadline := time.Now().Add(bottest.WaitTimeout)
	for {
		got := scrape(t, addr)
		var missing []string
		for k, v := range want {
			if g, ok := got[k]; !ok || g < v {
				missing = append(missing, fmt.Sprintf("%s = %v (want ≥ %v)", k, g, v))
			}
		}
		if len(missing) == 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics did not move:\n%s", strings.Join(missing, "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestMetricsCountUpdates(t *testing.T) {
	env := bottest.New(t, bottest.Options{RateLimit: 3, RateWindow: time.Minute})
	addr := env.Running()[0].Addr
	before := scrape(t, addr)
	for _, name := range []string{`partnerbot_updates_received_total{kind="message"}`,
		`partnerbot_delivery_sent_total`, `partnerbot_delivery_rate_limited_total`,
		`partnerbot_delivery_forbidden_total`, `partnerbot_delivery_retries_total`,
		`partnerbot_inbound_updates_pending`, `partnerbot_delivery_jobs_available`} {
		if _, ok := before[name]; !ok {
			t.Errorf("series %s missing before any update", name)
		}
	}

	olena := env.User(1001, "uk", "Олена")
	olena.Say("/start")
	olena.Say("/help")
	// Callback data with a NUL character cannot be stored as JSONB: the
	// update is kept as raw bytes and rejected.
	id, _ := env.TG.PressButton(olena.TG, 1, "x\x00y")
	env.WaitHandled(id)
	// Over the limit of 3 a minute (the rejected update counts too): the
	// first message over it is answered with a request to slow down, the
	// others are dropped silently.
	olena.Say("/help")
	olena.Say("/help")
	olena.Say("/help")

	got := waitFor(t, addr, map[string]float64{
		`partnerbot_updates_received_total{kind="message"}`:                         5,
		`partnerbot_updates_received_total{kind="callback_query"}`:                  1,
		`partnerbot_updates_handled_total{kind="message"}`:                          2,
		`partnerbot_handler_duration_seconds_count{kind="message"}`:                 2,
		`partnerbot_updates_dropped_total{kind="callback_query",reason="rejected"}`: 1,
		`partnerbot_updates_dropped_total{kind="message",reason="throttled"}`:       3,
		`partnerbot_rate_limit_drops_total`:                                         3,
	})
	if got[`partnerbot_handler_duration_seconds_sum{kind="message"}`] <= 0 {
		t.Error("handler latency sum did not move")
	}
	if got[`partnerbot_inbound_updates_pending`] != 0 {
		t.Errorf("pending updates %v, want 0", got[`partnerbot_inbound_updates_pending`])
	}

	// A second instance in the same process has a registry of its own.
	second := env.Start()
	if n := scrape(t, second.Addr)[`partnerbot_updates_received_total{kind="message"}`]; n != 0 {
		t.Errorf("a new instance starts with %v received updates, want 0", n)
	}
}
