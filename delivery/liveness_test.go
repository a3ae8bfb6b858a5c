package delivery

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"partnerbot/internal/testdb"
)

// TestLivenessFencesRunsOfAnInstanceTakenForGone: an engine sends only
// while its beats succeed, and once the others took it for gone (its row
// removed), none of the runs it started before sends; runs started after
// it beat again do.
func TestLivenessFencesRunsOfAnInstanceTakenForGone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	l := &liveness{pool: pool, id: "a", log: slog.New(slog.DiscardHandler), queue: queue}
	if l.mayStart(time.Now()) {
		t.Fatal("an engine that never beat may send")
	}
	if err := l.beatOnce(ctx); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	if !l.mayStart(before) {
		t.Fatal("an engine that just beat may not send")
	}

	// No successful beat for aliveFor: it stops sending.
	l.beat.Store(time.Now().Add(-aliveFor).UnixNano())
	if l.mayStart(before) {
		t.Error("an engine whose last beat is aliveFor old still sends")
	}
	if err := l.beatOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if !l.mayStart(before) {
		t.Error("an engine that beat again may not send")
	}

	// Another instance took it for gone.
	if _, err := pool.Exec(ctx, `DELETE FROM delivery_instances WHERE id = 'a'`); err != nil {
		t.Fatal(err)
	}
	if err := l.beatOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if l.mayStart(before) {
		t.Error("a run started before the engine was taken for gone may send")
	}
	if !l.mayStart(time.Now()) {
		t.Error("a run started after the engine beat again may not send")
	}

	// A gone instance's running jobs go back to the queue; those of live
	// ones and of other queues stay.
	if _, err := pool.Exec(ctx, `
		INSERT INTO delivery_instances (id, seen_at) VALUES ('gone', now() - interval '1 minute'), ('live', now());
		INSERT INTO river_job (kind, args, queue, state, attempt, attempted_at, attempted_by, max_attempts, priority, scheduled_at)
		VALUES ('k', '{}', 'delivery', 'running', 1, now(), '{x,gone}', 10, 1, now()),
		       ('k', '{}', 'delivery', 'running', 1, now(), '{gone,live}', 10, 1, now()),
		       ('k', '{}', 'other', 'running', 1, now(), '{gone}', 10, 1, now())`); err != nil {
		t.Fatal(err)
	}
	if err := l.beatOnce(ctx); err != nil {
		t.Fatal(err)
	}
	var states []string
	if err := pool.QueryRow(ctx, `SELECT array_agg(state::text ORDER BY id) FROM river_job`).Scan(&states); err != nil {
		t.Fatal(err)
	}
	if want := []string{"available", "running", "running"}; len(states) != 3 || states[0] != want[0] || states[1] != want[1] || states[2] != want[2] {
		t.Errorf("job states after the beat: %v, want %v", states, want)
	}
	var left []string
	if err := pool.QueryRow(ctx, `SELECT array_agg(id ORDER BY id) FROM delivery_instances`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 || left[0] != "a" || left[1] != "live" {
		t.Errorf("instances after the beat: %v, want [a live]", left)
	}
}
