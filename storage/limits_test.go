package storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// TestLimitsSurviveErasure: erasing one's data resets none of the limits
// (security review #4): contact requests and reports a day, waiting town
// proposals, new projects a day; each window still ends on time.
func TestLimitsSurviveErasure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner, spammer = 1, 2
	f := newProjectFixture(t, owner, spammer)
	now := time.Now().Add(time.Hour).Truncate(time.Second)
	erase := func() {
		t.Helper()
		if err := f.s.InTx(ctx, func(tx pgx.Tx) error { return f.s.DeleteUserTx(ctx, tx, spammer) }); err != nil {
			t.Fatal(err)
		}
		f.user(spammer) // and back with /start
	}
	var ps []storage.Project
	for i := range storage.ContactRequestsPerDay + 1 {
		ps = append(ps, f.project(owner, f.fields("Ichnia", fmt.Sprint("P", i), "D")))
	}

	// Contact requests.
	for _, p := range ps[:storage.ContactRequestsPerDay] {
		if _, err := testdb.InTx(f.s, func(tx pgx.Tx) (storage.ContactRequest, error) {
			return f.s.CreateContactRequestTx(ctx, tx, spammer, p.ID, "Buy now", now)
		}); err != nil {
			t.Fatal(err)
		}
	}
	erase()
	if err := f.s.CheckContactRequest(ctx, spammer, ps[0].ID, now.Add(time.Minute)); !errors.Is(err, storage.ErrRequestLimit) {
		t.Fatalf("a request after erasing: %v, want ErrRequestLimit", err)
	}
	if _, err := testdb.InTx(f.s, func(tx pgx.Tx) (storage.ContactRequest, error) {
		return f.s.CreateContactRequestTx(ctx, tx, spammer, ps[0].ID, "Buy now", now.Add(time.Minute))
	}); !errors.Is(err, storage.ErrRequestLimit) {
		t.Fatalf("a request made after erasing: %v, want ErrRequestLimit", err)
	}
	if err := f.s.CheckContactRequest(ctx, spammer, ps[0].ID, now.Add(25*time.Hour)); err != nil {
		t.Fatalf("a request the next day: %v", err)
	}

	// Reports (on the database's clock).
	report := func(p storage.Project) error {
		_, err := testdb.InTx(f.s, func(tx pgx.Tx) (int64, error) { return f.s.ReportProjectTx(ctx, tx, spammer, p.ID, "spam") })
		return err
	}
	for _, p := range ps[:storage.ReportsPerDay] {
		if err := report(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := report(ps[storage.ReportsPerDay]); !errors.Is(err, storage.ErrReportLimit) {
		t.Fatalf("report over the limit: %v", err)
	}
	erase()
	if err := report(ps[storage.ReportsPerDay]); !errors.Is(err, storage.ErrReportLimit) {
		t.Fatalf("a report after erasing: %v, want ErrReportLimit", err)
	}
	if _, err := f.s.Pool().Exec(ctx, `UPDATE limit_marks SET expires_at = now() - interval '1 second'
		WHERE action = 'report'`); err != nil {
		t.Fatal(err)
	}
	if err := report(ps[storage.ReportsPerDay]); err != nil {
		t.Fatalf("a report once the day is over: %v", err)
	}

	// Town proposals.
	propose := func(name string) (storage.Town, error) {
		return testdb.InTx(f.s, func(tx pgx.Tx) (storage.Town, error) {
			return f.s.ProposeTownTx(ctx, tx, storage.TownProposal{Name: name, Country: "UA"}, storage.Profile{UserID: spammer})
		})
	}
	var proposed []storage.Town
	for i := range storage.MaxPendingProposals {
		town, err := propose(fmt.Sprint("Town ", i))
		if err != nil {
			t.Fatal(err)
		}
		proposed = append(proposed, town)
	}
	erase()
	if _, err := propose("After erasing"); !errors.Is(err, storage.ErrTooManyProposals) {
		t.Fatalf("a proposal after erasing: %v, want ErrTooManyProposals", err)
	}
	if _, err := testdb.InTx(f.s, func(tx pgx.Tx) (storage.TownDecision, error) {
		return f.s.RejectTownTx(ctx, tx, owner, proposed[0].ID)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := propose("Once one is decided"); err != nil {
		t.Fatalf("a proposal once one was decided: %v", err)
	}
	if _, err := testdb.InTx(f.s, func(tx pgx.Tx) (storage.TownDecision, error) {
		return f.s.ConfirmTownTx(ctx, tx, owner, proposed[1].ID)
	}); err != nil {
		t.Fatal(err)
	}
	var marks int
	if err := f.s.Pool().QueryRow(ctx, `SELECT count(*) FROM limit_marks WHERE town_id = ANY ($1)`,
		[]int64{proposed[0].ID, proposed[1].ID}).Scan(&marks); err != nil || marks != 0 {
		t.Fatalf("decided proposals keep %d marks (%v)", marks, err)
	}

	// Projects: active ones, and new ones a day.
	create := func(at time.Time) (storage.Project, error) {
		return testdb.InTx(f.s, func(tx pgx.Tx) (storage.Project, error) {
			return f.s.CreateProjectWithinLimitsTx(ctx, tx, spammer, f.fields("Laxå", "Spam", "D"), at)
		})
	}
	var mine []storage.Project
	for range storage.MaxActiveProjects {
		p, err := create(now)
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, p)
	}
	if _, err := create(now); !errors.Is(err, storage.ErrProjectLimit) {
		t.Fatalf("project over the cap: %v", err)
	}
	if err := f.s.CheckProjectLimits(ctx, spammer, now); !errors.Is(err, storage.ErrProjectLimit) {
		t.Fatalf("check over the cap: %v", err)
	}
	if _, err := f.s.SetProjectArchived(ctx, spammer, mine[0].Code, true); err != nil {
		t.Fatal(err)
	}
	if _, err := create(now); !errors.Is(err, storage.ErrProjectRate) {
		t.Fatalf("project over the daily limit: %v", err)
	}
	if _, err := create(now.Add(25 * time.Hour)); err != nil {
		t.Fatalf("project the next day: %v", err)
	}
	if _, err := f.s.SetProjectArchived(ctx, spammer, mine[0].Code, false); !errors.Is(err, storage.ErrProjectLimit) {
		t.Fatalf("unarchiving over the cap: %v", err)
	}
	if _, err := f.s.SetProjectArchived(ctx, spammer, mine[1].Code, false); err != nil {
		t.Fatalf("unarchiving a project that is not archived, at the cap: %v", err)
	}
	erase()
	if _, err := create(now.Add(time.Minute)); !errors.Is(err, storage.ErrProjectRate) {
		t.Fatalf("a project after erasing: %v, want ErrProjectRate", err)
	}
}

// TestLimitMarksNameNobody: the marks hold a keyed hash, not the id nor a
// plain hash of it; one person always gets the same, two people different
// ones; and they are pruned when their window ends.
func TestLimitMarksNameNobody(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner, a, b = 1, 20002, 20003
	f := newProjectFixture(t, owner, a, b)
	p := f.project(owner, f.fields("Ichnia", "P", "D"))
	q := f.project(owner, f.fields("Ichnia", "Q", "D"))
	now := time.Now()
	for _, who := range []int64{a, b} {
		for _, pr := range []storage.Project{p, q} {
			if _, err := testdb.InTx(f.s, func(tx pgx.Tx) (int64, error) { return f.s.ReportProjectTx(ctx, tx, who, pr.ID, "spam") }); err != nil {
				t.Fatal(err)
			}
		}
	}
	rows, err := f.s.Pool().Query(ctx, `SELECT person_hmac, to_jsonb(m)::text FROM limit_marks m ORDER BY expires_at`)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for rows.Next() {
		var key []byte
		var row string
		if err := rows.Scan(&key, &row); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{a, b} {
			plain := sha256.Sum256([]byte(strconv.FormatInt(id, 10)))
			if bytes.Contains(key, []byte(strconv.FormatInt(id, 10))) || bytes.Equal(key, plain[:]) ||
				bytes.Contains([]byte(row), []byte(strconv.FormatInt(id, 10))) {
				t.Fatalf("a mark shows the id %d: %s", id, row)
			}
		}
		if len(key) != sha256.Size {
			t.Fatalf("key of %d bytes", len(key))
		}
		seen[string(key)]++
	}
	if len(seen) != 2 {
		t.Fatalf("4 reports of 2 people gave %d distinct keys", len(seen))
	}
	for _, n := range seen {
		if n != 2 {
			t.Fatalf("keys seen %v times", seen)
		}
	}
	if n, err := f.s.PruneLimitMarks(ctx, now); err != nil || n != 0 {
		t.Fatalf("pruned %d marks within their window (%v)", n, err)
	}
	if n, err := f.s.PruneLimitMarks(ctx, now.Add(25*time.Hour)); err != nil || n != 4 {
		t.Fatalf("pruned %d marks after their window, want 4 (%v)", n, err)
	}
}
