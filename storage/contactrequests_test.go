package storage_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

func TestContactRequestRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner, requester, other = 1, 2, 3
	f := newProjectFixture(t, owner, requester, other)
	open := f.project(owner, f.fields("Ichnia", "Open", "D"))
	closed := f.project(owner, f.fields("Ichnia", "Closed", "D", func(p *storage.ProjectFields) { p.ContactRequests = false }))
	archived := f.project(owner, f.fields("Ichnia", "Archived", "D"))
	if _, err := f.s.SetProjectArchived(ctx, owner, archived.Code, true); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	request := func(who, project int64, intro string, at time.Time) (storage.ContactRequest, error) {
		return testdb.InTx(f.s, func(tx pgx.Tx) (storage.ContactRequest, error) {
			return f.s.CreateContactRequestTx(ctx, tx, who, project, intro, at)
		})
	}
	decide := func(who, id int64, accept bool, at time.Time) (storage.ContactRequest, error) {
		return testdb.InTx(f.s, func(tx pgx.Tx) (storage.ContactRequest, error) {
			return f.s.DecideContactRequestTx(ctx, tx, who, id, accept, at)
		})
	}

	for _, tt := range []struct {
		name      string
		requester int64
		project   int64
		intro     string
		want      error
	}{
		{"own project", owner, open.ID, "Hi", storage.ErrOwnProject},
		{"requests turned off", requester, closed.ID, "Hi", storage.ErrRequestsClosed},
		{"archived", requester, archived.ID, "Hi", storage.ErrRequestsClosed},
		{"no such project", requester, 999999, "Hi", storage.ErrNotFound},
		{"empty introduction", requester, open.ID, "", storage.ErrInvalidIntro},
		{"introduction too long", requester, open.ID, strings.Repeat("я", storage.MaxIntroLen+1), storage.ErrInvalidIntro},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := request(tt.requester, tt.project, tt.intro, now); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}

	c, err := request(requester, open.ID, "Привіт!", now)
	if err != nil {
		t.Fatal(err)
	}
	if c.OwnerID != owner || c.ProjectTitle != "Open" || c.Status != storage.RequestPending ||
		!c.ExpiresAt.Equal(now.Add(storage.ContactRequestTTL)) {
		t.Fatalf("request %+v", c)
	}
	if err := f.s.CheckContactRequest(ctx, requester, open.ID, now); !errors.Is(err, storage.ErrDuplicateRequest) {
		t.Fatalf("check of a second request: %v", err)
	}
	if _, err := request(requester, open.ID, "Again", now); !errors.Is(err, storage.ErrDuplicateRequest) {
		t.Fatalf("second pending request: %v", err)
	}

	// Nobody but the owner decides, and a decision is final.
	for _, who := range []int64{requester, other} {
		if _, err := decide(who, c.ID, true, now); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("user %d decided someone else's request: %v", who, err)
		}
	}
	if d, err := decide(owner, c.ID, false, now); err != nil || d.Status != storage.RequestDeclined {
		t.Fatalf("decline: %+v, %v", d, err)
	}
	if _, err := decide(owner, c.ID, true, now); !errors.Is(err, storage.ErrRequestDecided) {
		t.Fatalf("accept after decline: %v", err)
	}

	// After a decline the requester may ask again; the daily limit counts
	// every request of the last 24 hours.
	for i := 1; i < storage.ContactRequestsPerDay; i++ {
		p := f.project(other, f.fields("Laxå", "P", "D"))
		if _, err := request(requester, p.ID, "Hi", now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	if _, err := request(requester, open.ID, "Hi", now.Add(time.Hour)); !errors.Is(err, storage.ErrRequestLimit) {
		t.Fatalf("request over the daily limit: %v", err)
	}
	if _, err := request(requester, open.ID, "Hi", now.Add(25*time.Hour)); err != nil {
		t.Fatalf("request on the next day: %v", err)
	}
}

func TestContactRequestExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner, requester = 1, 2
	f := newProjectFixture(t, owner, requester)
	p := f.project(owner, f.fields("Ichnia", "Open", "D"))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// decide commits the mark on a request found expired, as the bot does.
	decide := func(who, id int64, accept bool, at time.Time) (c storage.ContactRequest, err error) {
		if txErr := f.s.InTx(ctx, func(tx pgx.Tx) error {
			c, err = f.s.DecideContactRequestTx(ctx, tx, who, id, accept, at)
			if errors.Is(err, storage.ErrRequestExpired) {
				return nil
			}
			return err
		}); txErr != nil {
			return c, txErr
		}
		return c, err
	}
	c, err := testdb.InTx(f.s, func(tx pgx.Tx) (storage.ContactRequest, error) {
		return f.s.CreateContactRequestTx(ctx, tx, requester, p.ID, "Hi", now)
	})
	if err != nil {
		t.Fatal(err)
	}
	late := now.Add(storage.ContactRequestTTL)
	// Expired but not yet marked: a new request is allowed, and replaces it.
	if err := f.s.CheckContactRequest(ctx, requester, p.ID, late); err != nil {
		t.Fatalf("check after expiry: %v", err)
	}
	if _, err := decide(owner, c.ID, true, late); !errors.Is(err, storage.ErrRequestExpired) {
		t.Fatalf("accept after 14 days: %v", err)
	}
	if _, err := decide(owner, c.ID, true, now); !errors.Is(err, storage.ErrRequestExpired) {
		t.Fatalf("an expired request was accepted later: %v", err)
	}
	second, err := testdb.InTx(f.s, func(tx pgx.Tx) (storage.ContactRequest, error) {
		return f.s.CreateContactRequestTx(ctx, tx, requester, p.ID, "Hi again", late)
	})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := decide(owner, second.ID, true, late.Add(time.Hour)); err != nil || d.Status != storage.RequestAccepted {
		t.Fatalf("accept in time: %+v, %v", d, err)
	}
}

func TestReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner, a, b, coordinator = 1, 2, 3, 4
	f := newProjectFixture(t, owner, a, b, coordinator)
	spam := f.project(owner, f.fields("Ichnia", "Spam", "D"))
	fine := f.project(owner, f.fields("Ichnia", "Fine", "D"))
	report := func(reporter, project int64, reason string) (int64, error) {
		return testdb.InTx(f.s, func(tx pgx.Tx) (int64, error) { return f.s.ReportProjectTx(ctx, tx, reporter, project, reason) })
	}
	hide := func(reportID int64) (storage.Project, error) {
		return testdb.InTx(f.s, func(tx pgx.Tx) (storage.Project, error) {
			return f.s.HideReportedProjectTx(ctx, tx, coordinator, reportID)
		})
	}
	for _, r := range []struct {
		who     int64
		project int64
		reason  string
		want    error
	}{
		{a, spam.ID, "spam", nil},
		{a, spam.ID, "offensive", storage.ErrAlreadyReported},
		{b, spam.ID, "misleading", nil},
		{b, fine.ID, "other", nil},
	} {
		if _, err := report(r.who, r.project, r.reason); !errors.Is(err, r.want) {
			t.Fatalf("report by %d: %v, want %v", r.who, err, r.want)
		}
	}
	if _, err := report(a, fine.ID, "because"); err == nil {
		t.Fatal("unknown reason accepted")
	}
	reports, err := f.s.OpenReports(ctx, 10)
	if err != nil || len(reports) != 3 || reports[0].Project.Title != "Spam" || reports[0].Reason != "spam" {
		t.Fatalf("open reports %+v, %v", reports, err)
	}
	p, err := hide(reports[0].ID)
	if err != nil || !p.Hidden || p.OwnerID != owner {
		t.Fatalf("hide: %+v, %v", p, err)
	}
	// Both reports about the hidden project are closed; a second click does nothing.
	if _, err := hide(reports[1].ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("second hide: %v", err)
	}
	left, _ := f.s.OpenReports(ctx, 10)
	if len(left) != 1 || left[0].Project.Title != "Fine" {
		t.Fatalf("open reports after hiding: %+v", left)
	}
	if p, err := f.s.DismissReport(ctx, coordinator, left[0].ID); err != nil || p.Hidden {
		t.Fatalf("dismiss: %+v, %v", p, err)
	}
	if left, _ := f.s.OpenReports(ctx, 10); len(left) != 0 {
		t.Fatalf("open reports after dismissing: %+v", left)
	}
	var audit int
	if err := f.s.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE actor_id = $1 AND target_id = $2`,
		coordinator, owner).Scan(&audit); err != nil || audit != 2 {
		t.Fatalf("audit entries %d, %v; want 2", audit, err)
	}
}
