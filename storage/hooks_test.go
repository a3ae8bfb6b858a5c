package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/storage"
)

// TestHooksShareTheWrite: what a hook does (schedule the messages a change
// causes) commits or fails with the change itself. A failing hook leaves
// no trace of the write; a succeeding one runs once and the write stands.
func TestHooksShareTheWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner, requester, coordinator = 1, 2, 3
	f := newProjectFixture(t, owner, requester, coordinator)
	s := f.s
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	open := f.project(owner, f.fields("Ichnia", "Open", "D"))
	asked := f.project(owner, f.fields("Ichnia", "Asked", "D"))
	pending, err := s.CreateContactRequest(ctx, requester, asked.ID, "Hi", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ReportProject(ctx, requester, open.ID, "spam"); err != nil {
		t.Fatal(err)
	}
	reports, err := s.OpenReports(ctx, 1)
	if err != nil || len(reports) != 1 {
		t.Fatalf("open reports %v, %v", reports, err)
	}
	propose := func(name string) int64 {
		town, err := s.ProposeTown(ctx, storage.TownProposal{Name: name, Country: "UA"}, storage.Profile{UserID: requester})
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
	errHook := errors.New("hook failed")

	for _, tt := range []struct {
		name  string
		state func() string
		write func(hook func() error) error
	}{
		{"create contact request", query(`SELECT count(*) FROM contact_requests WHERE project_id = $1`, open.ID),
			func(hook func() error) error {
				_, err := s.CreateContactRequest(ctx, requester, open.ID, "Hello", now,
					func(pgx.Tx, storage.ContactRequest) error { return hook() })
				return err
			}},
		{"decide contact request", query(`SELECT status FROM contact_requests WHERE id = $1`, pending.ID),
			func(hook func() error) error {
				_, err := s.DecideContactRequest(ctx, owner, pending.ID, true, now,
					func(pgx.Tx, storage.ContactRequest) error { return hook() })
				return err
			}},
		{"set role", query(`SELECT role FROM users WHERE id = $1`, coordinator),
			func(hook func() error) error {
				_, err := s.SetRole(ctx, owner, coordinator, storage.RoleCoordinator, func(pgx.Tx, storage.RoleChange) error { return hook() })
				return err
			}},
		{"hide reported project", query(`SELECT hidden_at IS NOT NULL FROM projects WHERE id = $1`, open.ID),
			func(hook func() error) error {
				_, err := s.HideReportedProject(ctx, coordinator, reports[0].ID, func(pgx.Tx, storage.Project) error { return hook() })
				return err
			}},
		{"propose town", query(`SELECT count(*) FROM towns WHERE status = 'proposed'`),
			func(hook func() error) error {
				_, err := s.ProposeTown(ctx, storage.TownProposal{Name: "Third", Country: "DE"}, storage.Profile{UserID: owner},
					func(pgx.Tx, storage.Town) error { return hook() })
				return err
			}},
		{"confirm town", query(`SELECT status FROM towns WHERE id = $1`, toConfirm),
			func(hook func() error) error {
				_, err := s.ConfirmTown(ctx, coordinator, toConfirm, func(pgx.Tx, storage.TownDecision) error { return hook() })
				return err
			}},
		{"reject town", query(`SELECT count(*) FROM towns WHERE id = $1`, toReject),
			func(hook func() error) error {
				_, err := s.RejectTown(ctx, coordinator, toReject, func(pgx.Tx, storage.TownDecision) error { return hook() })
				return err
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.state()
			if err := tt.write(func() error { return errHook }); !errors.Is(err, errHook) {
				t.Fatalf("write with a failing hook: %v", err)
			}
			if got := tt.state(); got != before {
				t.Fatalf("a failing hook left %s (was %s)", got, before)
			}
			runs := 0
			if err := tt.write(func() error { runs++; return nil }); err != nil || runs != 1 {
				t.Fatalf("write: %v, hook ran %d times", err, runs)
			}
			if got := tt.state(); got == before {
				t.Fatalf("the write changed nothing (%s)", got)
			}
		})
	}
}

// TestNoticeSubjects: what a hook is given is what the notice's renderer
// reads back later by its id, even once a rejected town is gone.
func TestNoticeSubjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner, requester = 1, 2
	f := newProjectFixture(t, owner, requester)
	s := f.s

	var change storage.RoleChange
	if _, err := s.SetRole(ctx, owner, requester, storage.RoleCoordinator, func(_ pgx.Tx, c storage.RoleChange) error {
		change = c
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.RoleChange(ctx, change.AuditID); err != nil || got != change ||
		got != (storage.RoleChange{AuditID: got.AuditID, TargetID: requester, Old: storage.RoleVolunteer, New: storage.RoleCoordinator}) {
		t.Fatalf("role change %+v, %v; the hook got %+v", got, err, change)
	}

	town, err := s.ProposeTown(ctx, storage.TownProposal{Name: "Zzyzx <b>", Country: "FR", Region: "Nord"}, storage.Profile{UserID: requester})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s.TownWithProposer(ctx, town.ID); err != nil || p.ProposedBy != requester || p.Status != storage.TownProposed {
		t.Fatalf("town with proposer %+v, %v", p, err)
	}
	var decision storage.TownDecision
	if _, err := s.RejectTown(ctx, owner, town.ID, func(_ pgx.Tx, d storage.TownDecision) error {
		decision = d
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Town(ctx, town.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a rejected town is still there: %v", err)
	}
	got, err := s.TownDecision(ctx, decision.AuditID)
	if err != nil || got.Confirmed || got.ProposerID != requester || got.Town.Name != "Zzyzx <b>" ||
		got.Town.Country != "FR" || got.Town.Region != "Nord" || got.AuditID != decision.AuditID {
		t.Fatalf("decision %+v, %v; the hook got %+v", got, err, decision)
	}
	// An entry of another kind is neither.
	if _, err := s.TownDecision(ctx, change.AuditID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a role change read as a town decision: %v", err)
	}
	if _, err := s.RoleChange(ctx, decision.AuditID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a town decision read as a role change: %v", err)
	}
}
