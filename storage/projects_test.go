package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/storage"
)

// projectFixture is a store with the example towns, some users and helpers
// to make projects quickly.
type projectFixture struct {
	t     *testing.T
	s     *storage.Store
	towns map[string]int64 // by canonical name
}

func newProjectFixture(t *testing.T, userIDs ...int64) *projectFixture {
	t.Helper()
	f := &projectFixture{t: t, s: newStoreWithTowns(t, exampleTowns...), towns: map[string]int64{}}
	for _, r := range exampleTowns {
		towns, err := f.s.SearchTowns(context.Background(), r.Name, 1)
		if err != nil || len(towns) == 0 {
			t.Fatalf("town %s: %v", r.Name, err)
		}
		f.towns[r.Name] = towns[0].ID
	}
	for _, id := range userIDs {
		f.user(id)
	}
	return f
}

func (f *projectFixture) user(id int64) {
	f.t.Helper()
	if _, err := f.s.TouchUser(context.Background(), storage.TelegramProfile{ID: id, FirstName: fmt.Sprint("User ", id)}); err != nil {
		f.t.Fatal(err)
	}
}

// fields are valid project fields in town; change sets the rest.
func (f *projectFixture) fields(town, title, description string, change ...func(*storage.ProjectFields)) storage.ProjectFields {
	p := storage.ProjectFields{Title: title, Description: description, TownID: f.towns[town], Sector: "civil_society",
		Topics: []string{"culture"}, Languages: []string{"uk", "de"}, ContactRequests: true}
	for _, c := range change {
		c(&p)
	}
	return p
}

func (f *projectFixture) project(owner int64, fields storage.ProjectFields) storage.Project {
	f.t.Helper()
	p, err := f.s.CreateProject(context.Background(), owner, fields)
	if err != nil {
		f.t.Fatalf("create project %q: %v", fields.Title, err)
	}
	return p
}

// fillProjectData gives each of ids a project, a follow, a contact request
// each way, a report made and one resolved, and a saved search, all with a
// third person, so that the privacy tests find every project table filled
// for each of them and one person's erasure leaves the others' rows.
func fillProjectData(t *testing.T, s *storage.Store, ids ...int64) {
	t.Helper()
	ctx := context.Background()
	const other = 909
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.TouchUser(ctx, storage.TelegramProfile{ID: other, FirstName: "Other"})
	must(err)
	must(s.WriteTowns(ctx, func(w *storage.TownWriter) error {
		_, _, err := w.UpsertTown(ctx, storage.TownRecord{Key: "privacy-town", Name: "Privacy Town", Country: "DE"})
		return err
	}))
	towns, err := s.SearchTowns(ctx, "Privacy Town", 1)
	must(err)
	fields := storage.ProjectFields{Title: "Project", Description: "About it", TownID: towns[0].ID, Sector: "forums",
		Topics: []string{"youth"}, Languages: []string{"en"}, ContactRequests: true}
	theirs, err := s.CreateProject(ctx, other, fields)
	must(err)
	now := time.Now()
	for _, id := range ids {
		mine, err := s.CreateProject(ctx, id, fields)
		must(err)
		must(s.SetFollowing(ctx, id, theirs.ID, true))
		must(s.InTx(ctx, func(tx pgx.Tx) error {
			if _, err := s.CreateContactRequestTx(ctx, tx, id, theirs.ID, "Hello", now); err != nil {
				return err
			}
			_, err := s.CreateContactRequestTx(ctx, tx, other, mine.ID, "Hello", now)
			return err
		}))
		must(s.InTx(ctx, func(tx pgx.Tx) error {
			if _, err := s.ReportProjectTx(ctx, tx, id, theirs.ID, "spam"); err != nil {
				return err
			}
			_, err := s.ReportProjectTx(ctx, tx, other, mine.ID, "other")
			return err
		}))
		reports, err := s.OpenReports(ctx, 100)
		must(err)
		for _, r := range reports {
			if r.Project.ID == mine.ID {
				_, err := s.DismissReport(ctx, id, r.ID)
				must(err)
			}
		}
		_, err = s.CreateProjectSearch(ctx, id, []byte(`{"text":"water"}`))
		must(err)
		must(s.InTx(ctx, func(tx pgx.Tx) error {
			_, _, err := s.CreateProjectNewsTx(ctx, tx, mine.ID, id, "News", now)
			return err
		}))
	}
}

func TestProjectFieldsValidate(t *testing.T) {
	t.Parallel()
	valid := storage.ProjectFields{Title: "T", Description: "D", TownID: 1, Sector: "business",
		Topics: []string{"water"}, Languages: []string{"uk"}}
	tests := []struct {
		name   string
		change func(*storage.ProjectFields)
		ok     bool
	}{
		{"valid", func(*storage.ProjectFields) {}, true},
		{"longest title", func(p *storage.ProjectFields) { p.Title = strings.Repeat("ї", storage.MaxTitleLen) }, true},
		{"title too long", func(p *storage.ProjectFields) { p.Title = strings.Repeat("ї", storage.MaxTitleLen+1) }, false},
		{"empty title", func(p *storage.ProjectFields) { p.Title = "" }, false},
		{"description too long", func(p *storage.ProjectFields) { p.Description = strings.Repeat("a", storage.MaxDescriptionLen+1) }, false},
		{"no town", func(p *storage.ProjectFields) { p.TownID = 0 }, false},
		{"partner is the town", func(p *storage.ProjectFields) { p.PartnerTownID = 1 }, false},
		{"unknown sector", func(p *storage.ProjectFields) { p.Sector = "army" }, false},
		{"no topic", func(p *storage.ProjectFields) { p.Topics = nil }, false},
		{"unknown topic", func(p *storage.ProjectFields) { p.Topics = []string{"water", "weapons"} }, false},
		{"no language", func(p *storage.ProjectFields) { p.Languages = nil }, false},
		{"unknown language", func(p *storage.ProjectFields) { p.Languages = []string{"xx"} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid
			tt.change(&p)
			err := p.Validate()
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, storage.ErrInvalidProject)) {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestProjectOwnerActions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner, stranger = 1, 2
	f := newProjectFixture(t, owner, stranger)
	p := f.project(owner, f.fields("Ichnia", "Школа <b>&", "Опис", func(p *storage.ProjectFields) {
		p.PartnerTownID = f.towns["Grevesmühlen"]
	}))
	if !storage.ValidProjectCode(p.Code) || p.Town.Name != "Ichnia" || p.PartnerTown.Name != "Grevesmühlen" ||
		p.PartnerTown.Country != "DE" || p.Title != "Школа <b>&" || !p.Listed() {
		t.Fatalf("created %+v", p)
	}
	other := f.project(owner, f.fields("Laxå", "Second", "Two"))
	if other.Code == p.Code {
		t.Fatal("two projects share a code")
	}

	changed := p.ProjectFields
	changed.Title, changed.PartnerTownID = "Renamed", 0
	if _, err := f.s.UpdateProject(ctx, stranger, p.Code, changed); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("stranger's update: %v", err)
	}
	if _, err := f.s.OwnedProject(ctx, stranger, p.Code); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("stranger's OwnedProject: %v", err)
	}
	if _, err := f.s.SetProjectArchived(ctx, stranger, p.Code, true); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("stranger's archive: %v", err)
	}
	if err := f.s.DeleteProject(ctx, stranger, p.Code); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("stranger's delete: %v", err)
	}
	if got, _ := f.s.ProjectByCode(ctx, p.Code); got.Title != p.Title || got.Archived {
		t.Fatalf("a stranger changed the project: %+v", got)
	}

	got, err := f.s.UpdateProject(ctx, owner, p.Code, changed)
	if err != nil || got.Title != "Renamed" || got.PartnerTown.ID != 0 {
		t.Fatalf("owner's update: %+v, %v", got, err)
	}
	if got, err = f.s.SetProjectArchived(ctx, owner, p.Code, true); err != nil || !got.Archived || got.Listed() {
		t.Fatalf("archive: %+v, %v", got, err)
	}
	if got, err = f.s.SetProjectArchived(ctx, owner, p.Code, false); err != nil || got.Archived {
		t.Fatalf("unarchive: %+v, %v", got, err)
	}
	mine, err := f.s.ProjectsByOwner(ctx, owner)
	if err != nil || len(mine) != 2 || mine[0].Code != p.Code {
		t.Fatalf("ProjectsByOwner: %+v, %v", mine, err)
	}
	if err := f.s.DeleteProject(ctx, owner, p.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ProjectByCode(ctx, p.Code); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("deleted project still there: %v", err)
	}
}

func TestProjectFollowers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1, 2, 3)
	p := f.project(1, f.fields("Ichnia", "T", "D"))
	for _, id := range []int64{3, 2, 3} {
		if err := f.s.SetFollowing(ctx, id, p.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := f.s.ProjectFollowers(ctx, p.ID); err != nil || !slices.Equal(got, []int64{3, 2}) {
		t.Fatalf("followers = %v, %v", got, err)
	}
	if err := f.s.SetFollowing(ctx, 3, p.ID, false); err != nil {
		t.Fatal(err)
	}
	if ok, _ := f.s.Following(ctx, 3, p.ID); ok {
		t.Fatal("still following after unfollow")
	}
	if got, _ := f.s.ProjectFollowers(ctx, p.ID); !slices.Equal(got, []int64{2}) {
		t.Fatalf("followers after unfollow = %v", got)
	}
}

func TestProjectSearchesBelongToTheirUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1, 2)
	var ids []int64
	for i := range 25 {
		id, err := f.s.CreateProjectSearch(ctx, 1, []byte(fmt.Sprintf(`{"text":"q%d"}`, i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	id, err := f.s.CreateProjectSearch(ctx, 2, []byte(`{"text":"mine"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ProjectSearch(ctx, 1, id); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("user 1 read user 2's search: %v", err)
	}
	if err := f.s.UpdateProjectSearch(ctx, 1, id, []byte(`{}`)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("user 1 changed user 2's search: %v", err)
	}
	if got, err := f.s.ProjectSearch(ctx, 2, id); err != nil || string(got) != `{"text": "mine"}` {
		t.Fatalf("own search = %s, %v", got, err)
	}
	// The newest 20 are kept, the five before them are gone.
	for i, id := range ids {
		_, err := f.s.ProjectSearch(ctx, 1, id)
		if kept := i >= 5; kept != (err == nil) {
			t.Errorf("search %d of 25: %v, want kept %v", i+1, err, kept)
		}
	}
}

// TestProjectsByOwnerPage pages through one owner's projects, oldest
// first, with the total on every page, also past the end.
func TestProjectsByOwnerPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner, other = 1, 2
	f := newProjectFixture(t, owner, other)
	for i := range 7 {
		f.project(owner, f.fields("Ichnia", fmt.Sprintf("P%d", i), "D"))
	}
	f.project(other, f.fields("Ichnia", "Other", "D"))
	for _, tt := range []struct {
		offset, limit int
		want          string
	}{{0, 3, "P0 P1 P2"}, {3, 3, "P3 P4 P5"}, {6, 3, "P6"}, {9, 3, ""}} {
		page, err := f.s.ProjectsByOwnerPage(ctx, owner, tt.offset, tt.limit)
		var titles []string
		for _, p := range page.Projects {
			titles = append(titles, p.Title)
		}
		if err != nil || page.Total != 7 || strings.Join(titles, " ") != tt.want {
			t.Errorf("offset %d: %q of %d, %v; want %q of 7", tt.offset, titles, page.Total, err, tt.want)
		}
	}
	if page, err := f.s.ProjectsByOwnerPage(ctx, 3, 0, 3); err != nil || page.Total != 0 || len(page.Projects) != 0 {
		t.Errorf("someone without projects: %+v, %v", page, err)
	}
}
