package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// TestCallersShareTheWrite: what a caller does in its transaction after an
// XTx method (schedule the messages the change causes) commits or fails
// with the change itself. A caller failing after the write leaves no trace
// of it; one that succeeds runs once and the write stands.
func TestCallersShareTheWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner, requester, coordinator = 1, 2, 3
	f := newProjectFixture(t, owner, requester, coordinator)
	s := f.s
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	open := f.project(owner, f.fields("Ichnia", "Open", "D"))
	asked := f.project(owner, f.fields("Ichnia", "Asked", "D"))
	pending, err := testdb.InTx(s, func(tx pgx.Tx) (storage.ContactRequest, error) {
		return s.CreateContactRequestTx(ctx, tx, requester, asked.ID, "Hi", now)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testdb.InTx(s, func(tx pgx.Tx) (int64, error) {
		return s.ReportProjectTx(ctx, tx, requester, open.ID, "spam")
	}); err != nil {
		t.Fatal(err)
	}
	reports, err := s.OpenReports(ctx, 1)
	if err != nil || len(reports) != 1 {
		t.Fatalf("open reports %v, %v", reports, err)
	}
	propose := func(name string) int64 {
		town, err := testdb.InTx(s, func(tx pgx.Tx) (storage.Town, error) {
			return s.ProposeTownTx(ctx, tx, storage.TownProposal{Name: name, Country: "UA"}, storage.Profile{UserID: requester})
		})
		if err != nil {
			t.Fatal(err)
		}
		return town.ID
	}
	toConfirm, toReject := propose("Confirm me"), propose("Reject me")
	query := func(sql string, args ...any) func() string {
		return func() string {
			var v any
			if err := s.Pool().QueryRow(ctx, sql, args...).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(v)
		}
	}
	errCaller := errors.New("caller failed")

	for _, tt := range []struct {
		name  string
		state func() string
		write func(tx pgx.Tx) error
	}{
		{"create contact request", query(`SELECT count(*) FROM contact_requests WHERE project_id = $1`, open.ID),
			func(tx pgx.Tx) error {
				_, err := s.CreateContactRequestTx(ctx, tx, requester, open.ID, "Hello", now)
				return err
			}},
		{"decide contact request", query(`SELECT status FROM contact_requests WHERE id = $1`, pending.ID),
			func(tx pgx.Tx) error {
				_, err := s.DecideContactRequestTx(ctx, tx, owner, pending.ID, true, now)
				return err
			}},
		{"set role", query(`SELECT role FROM users WHERE id = $1`, coordinator),
			func(tx pgx.Tx) error {
				_, _, err := s.SetRoleTx(ctx, tx, owner, coordinator, storage.RoleCoordinator)
				return err
			}},
		{"hide reported project", query(`SELECT hidden_at IS NOT NULL FROM projects WHERE id = $1`, open.ID),
			func(tx pgx.Tx) error {
				_, err := s.HideReportedProjectTx(ctx, tx, coordinator, reports[0].ID)
				return err
			}},
		{"propose town", query(`SELECT count(*) FROM towns WHERE status = 'proposed'`),
			func(tx pgx.Tx) error {
				_, err := s.ProposeTownTx(ctx, tx, storage.TownProposal{Name: "Third", Country: "DE"}, storage.Profile{UserID: owner})
				return err
			}},
		{"confirm town", query(`SELECT status FROM towns WHERE id = $1`, toConfirm),
			func(tx pgx.Tx) error {
				_, err := s.ConfirmTownTx(ctx, tx, coordinator, toConfirm)
				return err
			}},
		{"reject town", query(`SELECT count(*) FROM towns WHERE id = $1`, toReject),
			func(tx pgx.Tx) error {
				_, err := s.RejectTownTx(ctx, tx, coordinator, toReject)
				return err
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// after is what the caller does after the write, in its transaction.
			writeThen := func(after func() error) error {
				return s.InTx(ctx, func(tx pgx.Tx) error {
					if err := tt.write(tx); err != nil {
						return err
					}
					return after()
				})
			}
			before := tt.state()
			if err := writeThen(func() error { return errCaller }); !errors.Is(err, errCaller) {
				t.Fatalf("write with a failing caller: %v", err)
			}
			if got := tt.state(); got != before {
				t.Fatalf("a failing caller left %s (was %s)", got, before)
			}
			runs := 0
			if err := writeThen(func() error { runs++; return nil }); err != nil || runs != 1 {
				t.Fatalf("write: %v, caller ran %d times", err, runs)
			}
			if got := tt.state(); got == before {
				t.Fatalf("the write changed nothing (%s)", got)
			}
		})
	}
}

// TestNoticeSubjects: what an XTx method returns for the caller's notice is
// what the notice's renderer reads back later by its id, even once a
// rejected town is gone.
func TestNoticeSubjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner, requester = 1, 2
	f := newProjectFixture(t, owner, requester)
	s := f.s

	change, err := testdb.InTx(s, func(tx pgx.Tx) (storage.RoleChange, error) {
		c, _, err := s.SetRoleTx(ctx, tx, owner, requester, storage.RoleCoordinator)
		return c, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.RoleChange(ctx, change.AuditID); err != nil || got != change ||
		got != (storage.RoleChange{AuditID: got.AuditID, TargetID: requester, Old: storage.RoleVolunteer, New: storage.RoleCoordinator}) {
		t.Fatalf("role change %+v, %v; the caller got %+v", got, err, change)
	}

	town, err := testdb.InTx(s, func(tx pgx.Tx) (storage.Town, error) {
		return s.ProposeTownTx(ctx, tx, storage.TownProposal{Name: "Zzyzx <b>", Country: "FR", Region: "Nord"},
			storage.Profile{UserID: requester})
	})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s.TownWithProposer(ctx, town.ID); err != nil || p.ProposedBy != requester || p.Status != storage.TownProposed {
		t.Fatalf("town with proposer %+v, %v", p, err)
	}
	decision, err := testdb.InTx(s, func(tx pgx.Tx) (storage.TownDecision, error) {
		return s.RejectTownTx(ctx, tx, owner, town.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Town(ctx, town.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a rejected town is still there: %v", err)
	}
	got, err := s.TownDecision(ctx, decision.AuditID)
	if err != nil || got.Confirmed || got.ProposerID != requester || got.Town.Name != "Zzyzx <b>" ||
		got.Town.Country != "FR" || got.Town.Region != "Nord" || got.AuditID != decision.AuditID {
		t.Fatalf("decision %+v, %v; the caller got %+v", got, err, decision)
	}
	// An entry of another kind is neither.
	if _, err := s.TownDecision(ctx, change.AuditID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a role change read as a town decision: %v", err)
	}
	if _, err := s.RoleChange(ctx, decision.AuditID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a town decision read as a role change: %v", err)
	}
}
