package delivery_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/internal/testdb"
)

type answer struct {
	verdict string
	wait    float64
}

// reserve calls delivery_reserve for jobs 1..n to chats with a 1s chat
// gap, as the only instance, on the database's clock.
func reserve(t *testing.T, pool *pgxpool.Pool, gap, horizon float64, chats ...int64) []answer {
	t.Helper()
	out, _ := reserveAs(t, pool, "a", nil, gap, horizon, chats...)
	return out
}

// Turn parameters of the tests, in seconds: a turn of 10 s once another
// instance waits, a guard of 0.08 s, a notice of 1.5 s, 1.5 s without
// asking before an instance no longer counts, asking every 0.5 s.
const (
	testBlock, testGuard, testNotice, testQuiet, testPoll = 10, 0.08, 1.5, 1.5, 0.5
)

// reserveAs calls delivery_reserve for jobs 1..n to chats with a 1s chat
// gap as instance, at the instant at (nil: the database's clock), and
// returns the answers and when instance's turn ends.
func reserveAs(t *testing.T, pool *pgxpool.Pool, instance string, at *time.Time, gap, horizon float64, chats ...int64) ([]answer, pgtype.Timestamptz) {
	t.Helper()
	jobs := make([]int64, len(chats))
	gaps := make([]float64, len(chats))
	for i := range chats {
		jobs[i], gaps[i] = int64(i+1), 1
	}
	rows, err := pool.Query(context.Background(), `SELECT i, verdict, wait, turn_end
		FROM delivery_reserve($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ORDER BY i`,
		jobs, chats, gaps, gap, horizon, at, instance, testBlock, testGuard, testNotice, testQuiet, testPoll)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var (
		out []answer
		end pgtype.Timestamptz
	)
	for rows.Next() {
		var i int
		var a answer
		if err := rows.Scan(&i, &a.verdict, &a.wait, &end); err != nil {
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
	return out, end
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

// TestPaceIsHeldInTurns: one instance at a time gets slots. Another that
// has messages waits, asking every poll; the holder learns that it is
// waited for and gets slots only until its turn ends, a block after it
// began (or a notice after the waiting began); then the turn passes, and
// the new holder's first slot comes a guard after the last one of the
// old. A holder that stops asking loses the pace after quiet.
func TestPaceIsHeldInTurns(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	t0 := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	at := func(s float64) *time.Time {
		v := t0.Add(time.Duration(s * float64(time.Second)))
		return &v
	}
	const gap, horizon = 0.1, 0.25
	chat := int64(100)
	ask := func(instance string, s float64) ([]answer, pgtype.Timestamptz) {
		chat += 10
		return reserveAs(t, pool, instance, at(s), gap, horizon, chat, chat+1, chat+2, chat+3)
	}
	verdicts := func(as []answer) (v []string) {
		for _, a := range as {
			v = append(v, a.verdict)
		}
		return v
	}

	got, end := ask("a", 0)
	if !slices.Equal(verdicts(got), []string{"go", "go", "go", "later"}) || end.InfinityModifier != pgtype.Infinity {
		t.Fatalf("first instance: %v, turn end %+v; want three slots in the horizon, a turn without end", verdicts(got), end)
	}
	got, end = ask("b", 0.1)
	for _, a := range got {
		if a.verdict != "later" || math.Abs(a.wait-testPoll) > 1e-9 {
			t.Fatalf("second instance while the first holds the pace: %+v; want later, ask again in %vs", got, testPoll)
		}
	}
	if end.InfinityModifier != pgtype.NegativeInfinity {
		t.Errorf("second instance's turn end %+v; want none", end)
	}
	// a keeps asking: it now learns its turn ends a block after it began.
	for s := 0.25; s < testBlock; s += 0.3 {
		got, end = ask("a", s)
		if end.InfinityModifier != pgtype.Finite || !end.Time.Equal(*at(testBlock)) {
			t.Fatalf("holder at %vs: turn end %+v, want %v", s, end, at(testBlock))
		}
		if got[0].verdict != "go" {
			t.Fatalf("holder at %vs: %+v, want slots", s, got)
		}
		if b, _ := ask("b", s+0.1); b[0].verdict != "later" {
			t.Fatalf("waiting instance at %vs: %+v, want later", s+0.1, b)
		}
	}
	// Its last slots lie before the end of its turn: then it must wait.
	got, _ = ask("a", testBlock-0.05)
	if got[0].verdict != "later" || got[0].wait > 0.05+1e-9 {
		t.Fatalf("holder at the end of its turn: %+v, want to wait until the end", got)
	}
	var lastSlot time.Time
	if err := pool.QueryRow(context.Background(), `SELECT next_at FROM delivery_pace`).Scan(&lastSlot); err != nil {
		t.Fatal(err)
	}
	lastSlot = lastSlot.Add(-time.Duration(gap * float64(time.Second)))
	if !lastSlot.Before(*at(testBlock)) {
		t.Fatalf("the holder's last slot %v is not before its turn's end %v", lastSlot, at(testBlock))
	}

	// Past the end, the turn passes to b, whichever asks first, and a waits.
	got, end = ask("a", testBlock+0.01)
	if got[0].verdict != "later" || end.InfinityModifier != pgtype.NegativeInfinity {
		t.Fatalf("old holder after its turn: %+v, turn end %+v; want later", got, end)
	}
	got, end = ask("b", testBlock+0.02)
	if got[0].verdict != "go" || end.InfinityModifier != pgtype.Finite {
		t.Fatalf("new holder: %+v, turn end %+v; want slots in a turn a waits for", got, end)
	}
	first := at(testBlock + 0.02).Add(time.Duration(got[0].wait * float64(time.Second)))
	if d := first.Sub(lastSlot); d < time.Duration((gap+testGuard)*float64(time.Second)) {
		t.Errorf("new holder's first slot %v after the old one's last: want a gap and a guard", d)
	}

	// b goes quiet: after quiet, a takes the pace, a guard after b's slots.
	got, end = ask("a", testBlock+0.02+testQuiet+0.01)
	if got[0].verdict != "go" || end.InfinityModifier != pgtype.Infinity {
		t.Errorf("after the holder went quiet: %+v, turn end %+v; want slots in a turn without end", got, end)
	}
}
