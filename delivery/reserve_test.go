package delivery_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/internal/testdb"
)

type answer struct {
	verdict string
	wait    float64
}

// reserve calls delivery_reserve for jobs 1..n to chats with a 1s chat gap.
func reserve(t *testing.T, pool *pgxpool.Pool, gap, horizon float64, chats ...int64) []answer {
	t.Helper()
	jobs := make([]int64, len(chats))
	gaps := make([]float64, len(chats))
	for i := range chats {
		jobs[i], gaps[i] = int64(i+1), 1
	}
	rows, err := pool.Query(context.Background(), `SELECT i, verdict, wait FROM delivery_reserve($1, $2, $3, $4, $5) ORDER BY i`,
		jobs, chats, gaps, gap, horizon)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []answer
	for rows.Next() {
		var i int
		var a answer
		if err := rows.Scan(&i, &a.verdict, &a.wait); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) != len(chats) {
		t.Fatalf("%d answers for %d requests", len(out), len(chats))
	}
	return out
}

// waitedSince reports whether wait is what remained of want seconds after
// the time elapsed since start: a slow machine may spend any time between
// two calls, and the wait shrinks by exactly that.
func waitedSince(wait, want float64, start time.Time) bool {
	elapsed := time.Since(start).Seconds()
	return wait <= want+0.01 && wait >= want-elapsed-0.01
}

// TestReserveHandsOutSlots checks the shared pace one reservation at a
// time. Waits are relative to the moment of the call, so consecutive slots
// differ by exactly one gap.
func TestReserveHandsOutSlots(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)

	// Slots one gap apart; a second message to a chat in the same batch
	// waits for that chat; the horizon caps the batch.
	first := time.Now()
	got := reserve(t, pool, 0.1, 0.25, 1, 1, 2, 3, 4, 5)
	want := []answer{{"go", 0}, {"chat", 1}, {"go", 0.1}, {"go", 0.2}, {"later", 0.05}, {"later", 0.05}}
	for i := range want {
		if got[i].verdict != want[i].verdict || math.Abs(got[i].wait-want[i].wait) > 1e-9 {
			t.Errorf("request %d: %+v, want %+v", i+1, got[i], want[i])
		}
	}

	// The pace moved on by the three slots given: the next one is about
	// 0.3s after the first call, and chat 1 is busy until a second after
	// its slot.
	got = reserve(t, pool, 0.1, 0.5, 1, 6)
	if got[0].verdict != "chat" || !waitedSince(got[0].wait, 1, first) || got[1].verdict != "go" || !waitedSince(got[1].wait, 0.3, first) {
		t.Errorf("second call: %+v, want chat 1 busy for about 1s and a slot about 0.3s ahead", got)
	}

	// Sent jobs and inactive chats get no slot.
	if _, err := pool.Exec(ctx, `INSERT INTO delivery_sent (job_id, message_id) VALUES (1, 10)`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO delivery_inactive (chat_id, reason) VALUES (8, 'blocked')`); err != nil {
		t.Fatal(err)
	}
	got = reserve(t, pool, 0.1, 10, 7, 8)
	if got[0].verdict != "sent" || got[1].verdict != "inactive" {
		t.Errorf("sent job and inactive chat: %+v", got)
	}

	// A pause (after a 429) leaves nothing to hand out until it ends.
	paused := time.Now()
	if _, err := pool.Exec(ctx, `UPDATE delivery_pace SET next_at = clock_timestamp() + interval '10 seconds'`); err != nil {
		t.Fatal(err)
	}
	got = reserve(t, pool, 0.1, 0.25, 9, 10)
	for i, a := range got {
		if a.verdict != "later" || !waitedSince(a.wait, 9.75, paused) {
			t.Errorf("request %d during a pause: %+v, want later, in about 9.75s", i+1, a)
		}
	}
}
