package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/internal/testdb"
	"partnerbot/locales"
	"partnerbot/storage"
)

// TestNoticesDropWhatNoLongerHolds renders the notices about other
// people's actions as the delivery engine does at send time, after the
// state moved on in between: answered, decided, changed again, erased.
func TestNoticesDropWhatNoLongerHolds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	store := storage.New(pool)
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 20, 8, 0, 0, 0, time.UTC)
	const admin, owner, requester, coordinator = 1, 2, 3, 4
	a := New(Deps{Store: store, Catalog: cat, Admins: []int64{admin}, Now: func() time.Time { return now }})
	r := a.Renderer()
	for id, lang := range map[int64]string{admin: "en", owner: "uk", requester: "de", coordinator: "fr"} {
		if _, err := store.TouchUser(ctx, storage.TelegramProfile{ID: id, FirstName: "P" + strconv.Itoa(int(id)), LanguageCode: lang}); err != nil {
			t.Fatal(err)
		}
	}
	uk, de, fr, en := cat.For("uk"), cat.For("de"), cat.For("fr"), cat.For("en")

	// Without a delivery engine, nobody else can be told: the change is
	// refused rather than made silently.
	if err := a.notify(ctx, nil, delivery.Message{ChatID: owner, Kind: kindContactRequest, Ref: 1}); !errors.Is(err, errNoDelivery) {
		t.Fatalf("notify without an engine: %v", err)
	}

	var townID int64
	if err := pool.QueryRow(ctx, `INSERT INTO towns (name, country) VALUES ('Ichnia', 'UA') RETURNING id`).Scan(&townID); err != nil {
		t.Fatal(err)
	}
	p, err := store.CreateProject(ctx, owner, storage.ProjectFields{Title: "Choir", Description: "D", TownID: townID,
		Sector: "civil_society", Topics: []string{"culture"}, Languages: []string{"uk"}, ContactRequests: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := testdb.InTx(store, func(tx pgx.Tx) (storage.ContactRequest, error) {
		return store.CreateContactRequestTx(ctx, tx, requester, p.ID, "Hallo <du>", now)
	})
	if err != nil {
		t.Fatal(err)
	}
	var grant, revoke storage.RoleChange
	setRole := func(role string, into *storage.RoleChange) error {
		return store.InTx(ctx, func(tx pgx.Tx) (err error) {
			*into, _, err = store.SetRoleTx(ctx, tx, admin, coordinator, role)
			return err
		})
	}
	if err := setRole(storage.RoleCoordinator, &grant); err != nil {
		t.Fatal(err)
	}
	town, err := testdb.InTx(store, func(tx pgx.Tx) (storage.Town, error) {
		return store.ProposeTownTx(ctx, tx, storage.TownProposal{Name: "Zzyzx", Country: "FR"}, storage.Profile{UserID: requester})
	})
	if err != nil {
		t.Fatal(err)
	}
	msg := func(chat int64, kind string, ref int64) delivery.Message {
		return delivery.Message{ChatID: chat, Kind: kind, Ref: ref, DueAt: now}
	}
	var decision storage.TownDecision
	var reportID int64

	for _, tt := range []struct {
		name   string
		before func()
		m      func() delivery.Message
		want   []string // nil: dropped
	}{
		{"request to its owner", nil, func() delivery.Message { return msg(owner, kindContactRequest, c.ID) },
			[]string{uk.T("contact_received", "Title", "Choir", "Intro", "Hallo <du>"), uk.N("contact_expires_in", 14)}},
		{"request to anyone else", nil, func() delivery.Message { return msg(requester, kindContactRequest, c.ID) }, nil},
		{"answer before any", nil, func() delivery.Message { return msg(requester, kindContactAnswer, c.ID) }, nil},
		{"request once answered", func() {
			if _, err := testdb.InTx(store, func(tx pgx.Tx) (storage.ContactRequest, error) {
				return store.DecideContactRequestTx(ctx, tx, owner, c.ID, true, now)
			}); err != nil {
				t.Fatal(err)
			}
		}, func() delivery.Message { return msg(owner, kindContactRequest, c.ID) }, nil},
		{"accepted answer", nil, func() delivery.Message { return msg(requester, kindContactAnswer, c.ID) },
			[]string{`<a href="tg://user?id=2">P2</a>`, "Choir"}},
		{"answer to the owner", nil, func() delivery.Message { return msg(owner, kindContactAnswer, c.ID) }, nil},
		{"proposal to a coordinator", nil, func() delivery.Message { return msg(coordinator, kindTownProposed, town.ID) },
			[]string{"Zzyzx", fr.Country("FR")}},
		{"proposal to an admin", nil, func() delivery.Message { return msg(admin, kindTownProposed, town.ID) }, []string{"Zzyzx"}},
		{"proposal to a volunteer", nil, func() delivery.Message { return msg(owner, kindTownProposed, town.ID) }, nil},
		{"grant once revoked", func() {
			if err := setRole(storage.RoleVolunteer, &revoke); err != nil {
				t.Fatal(err)
			}
		}, func() delivery.Message { return msg(coordinator, kindRoleChanged, grant.AuditID) }, nil},
		{"revocation", nil, func() delivery.Message { return msg(coordinator, kindRoleChanged, revoke.AuditID) },
			[]string{fr.T("coordinator_you_revoked")}},
		{"proposal to a former coordinator", nil, func() delivery.Message { return msg(coordinator, kindTownProposed, town.ID) }, nil},
		{"proposal once decided", func() {
			if decision, err = testdb.InTx(store, func(tx pgx.Tx) (storage.TownDecision, error) {
				return store.RejectTownTx(ctx, tx, admin, town.ID)
			}); err != nil {
				t.Fatal(err)
			}
		}, func() delivery.Message { return msg(admin, kindTownProposed, town.ID) }, nil},
		{"rejection of a deleted town", nil, func() delivery.Message { return msg(requester, kindTownDecided, decision.AuditID) },
			[]string{de.T("town_rejected_notice", "Town", "Zzyzx, "+de.Country("FR"))}},
		{"rejection to someone else", nil, func() delivery.Message { return msg(owner, kindTownDecided, decision.AuditID) }, nil},
		{"hidden notice while shown", nil, func() delivery.Message { return msg(owner, kindProjectHidden, p.ID) }, nil},
		{"report to a coordinator", func() {
			if reportID, err = testdb.InTx(store, func(tx pgx.Tx) (int64, error) {
				return store.ReportProjectTx(ctx, tx, requester, p.ID, "spam")
			}); err != nil {
				t.Fatal(err)
			}
		}, func() delivery.Message { return msg(admin, kindProjectReported, reportID) },
			[]string{en.T("report_new_notice", "Title", "Choir", "Reason", en.Plain("report_reason_spam"), "Link", a.projectLink(p))}},
		{"report to a former coordinator", nil, func() delivery.Message { return msg(coordinator, kindProjectReported, reportID) }, nil},
		{"report to a volunteer", nil, func() delivery.Message { return msg(owner, kindProjectReported, reportID) }, nil},
		{"hidden notice", func() {
			if _, err := testdb.InTx(store, func(tx pgx.Tx) (storage.Project, error) {
				return store.HideReportedProjectTx(ctx, tx, admin, reportID)
			}); err != nil {
				t.Fatal(err)
			}
		}, func() delivery.Message { return msg(owner, kindProjectHidden, p.ID) }, []string{uk.T("project_hidden_notice", "Title", "Choir")}},
		{"report once decided", nil, func() delivery.Message { return msg(admin, kindProjectReported, reportID) }, nil},
		{"shown-again notice while hidden", nil, func() delivery.Message { return msg(owner, kindProjectUnhidden, p.ID) }, nil},
		{"shown-again notice", func() {
			if _, err := testdb.InTx(store, func(tx pgx.Tx) (storage.Project, error) {
				return store.UnhideProjectTx(ctx, tx, coordinator, p.ID)
			}); err != nil {
				t.Fatal(err)
			}
		}, func() delivery.Message { return msg(owner, kindProjectUnhidden, p.ID) },
			[]string{uk.T("project_unhidden_notice", "Title", "Choir", "Link", a.projectLink(p))}},
		{"shown-again notice to someone else", nil, func() delivery.Message { return msg(requester, kindProjectUnhidden, p.ID) }, nil},
		{"answer to an erased requester", func() {
			if err := store.InTx(ctx, func(tx pgx.Tx) error { return store.DeleteUserTx(ctx, tx, requester) }); err != nil {
				t.Fatal(err)
			}
		}, func() delivery.Message { return msg(requester, kindContactAnswer, c.ID) }, nil},
		{"a role change read as a town decision", nil, func() delivery.Message { return msg(coordinator, kindTownDecided, revoke.AuditID) }, nil},
	} {
		if tt.before != nil {
			tt.before()
		}
		got, err := r.Render(ctx, tt.m())
		switch {
		case tt.want == nil && !errors.Is(err, delivery.ErrDrop):
			t.Errorf("%s: rendered %q, %v; want it dropped", tt.name, got.Text, err)
		case tt.want != nil && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != nil && !containsAll(got.Text, tt.want):
			t.Errorf("%s: rendered\n%s\nwant it to contain %q", tt.name, got.Text, tt.want)
		}
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
