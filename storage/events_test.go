package storage_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// eventFields is a valid event starting at start.
func eventFields(start time.Time) storage.EventFields {
	return storage.EventFields{Title: "Partnership day", Description: "Music and talks", StartsAt: start,
		TimeZone: "Europe/Kyiv", Duration: 2 * time.Hour, Place: "Town hall, Ichnia"}
}

// fillEventData gives each of ids a time zone, an event they created and
// a reminder for another person's event, so that the privacy tests find
// every event table filled for each of them.
func fillEventData(t *testing.T, s *storage.Store, ids ...int64) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	const other = 919
	if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: other, FirstName: "Organiser"}); err != nil {
		t.Fatal(err)
	}
	create := func(creator int64, f storage.EventFields) (storage.Event, error) {
		return testdb.InTx(s, func(tx pgx.Tx) (storage.Event, error) {
			e, _, err := s.CreateEventTx(ctx, tx, creator, f)
			return e, err
		})
	}
	theirs, err := create(other, eventFields(now.Add(48*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := s.SetTimeZone(ctx, id, "Europe/Berlin"); err != nil {
			t.Fatal(err)
		}
		if _, err := create(id, eventFields(now.Add(24*time.Hour))); err != nil {
			t.Fatal(err)
		}
		if err := s.InTx(ctx, func(tx pgx.Tx) error {
			_, _, _, err := s.SetEventReminderTx(ctx, tx, theirs.ID, id, 60, true, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEventLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, id := range []int64{1, 2, 3} {
		if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: id, FirstName: "P"}); err != nil {
			t.Fatal(err)
		}
	}
	var announced []int64
	e, err := testdb.InTx(s, func(tx pgx.Tx) (e storage.Event, err error) {
		e, announced, err = s.CreateEventTx(ctx, tx, 1, eventFields(now.Add(72*time.Hour)))
		return e, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.ID == 0 || e.CreatedBy != 1 || e.Duration != 2*time.Hour || !e.StartsAt.Equal(now.Add(72*time.Hour)) || len(announced) != 0 {
		t.Fatalf("created %+v, announced to %v", e, announced)
	}

	// Reminders: on, idempotent, off; every change gives the offsets the
	// person has after it.
	var seen [][]int
	remind := func(user int64, offset int, on bool) error {
		return s.InTx(ctx, func(tx pgx.Tx) error {
			_, offsets, changed, err := s.SetEventReminderTx(ctx, tx, e.ID, user, offset, on, now)
			if err == nil && changed {
				seen = append(seen, offsets)
			}
			return err
		})
	}
	for _, step := range []struct {
		user   int64
		offset int
		on     bool
	}{{2, 1440, true}, {2, 1440, true}, {2, 60, true}, {3, 0, true}, {3, 0, false}} {
		if err := remind(step.user, step.offset, step.on); err != nil {
			t.Fatal(err)
		}
	}
	if want := [][]int{{1440}, {1440, 60}, {0}, nil}; !slices.EqualFunc(seen, want, slices.Equal) {
		t.Fatalf("changes gave %v, want %v", seen, want)
	}
	if got, _ := s.EventReminderOffsets(ctx, e.ID, 2); !slices.Equal(got, []int{1440, 60}) {
		t.Fatalf("offsets of user 2: %v", got)
	}
	if n, _ := s.EventSubscriberCount(ctx, e.ID); n != 1 {
		t.Fatalf("%d subscribers, want 1", n)
	}

	// An update records the change and hands over the reminders.
	f := e.EventFields
	f.StartsAt = f.StartsAt.Add(time.Hour)
	f.Place = ""
	f.URL = "https://meet.example.org/x"
	var change storage.EventChange
	var moved []storage.EventReminder
	updated, err := testdb.InTx(s, func(tx pgx.Tx) (updated storage.Event, err error) {
		updated, change, moved, err = s.UpdateEventTx(ctx, tx, e.ID, f, now)
		return updated, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !updated.StartsAt.Equal(f.StartsAt) || updated.URL != f.URL || updated.Place != "" {
		t.Fatalf("updated %+v", updated)
	}
	if len(moved) != 2 || moved[0] != (storage.EventReminder{UserID: 2, Offset: 60}) {
		t.Fatalf("reminders handed over by the update: %+v", moved)
	}
	stored, err := s.EventChangeByID(ctx, change.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !stored.Old.StartsAt.Equal(e.StartsAt) || !stored.New.StartsAt.Equal(f.StartsAt) || stored.Old.Place != e.Place ||
		stored.New.URL != f.URL || stored.EventID != e.ID || stored.Old.Duration != 2*time.Hour {
		t.Fatalf("stored change %+v", stored)
	}

	// A caller failing after the update, in its transaction, rolls the
	// update back.
	boom := errors.New("boom")
	g := f
	g.Title = "Other"
	if err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, _, _, err := s.UpdateEventTx(ctx, tx, e.ID, g, now); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("update with a failing caller: %v", err)
	}
	if got, _ := s.Event(ctx, e.ID); got.Title != f.Title {
		t.Fatalf("title after rolled back update: %q", got.Title)
	}

	// Cancelling closes the event for changes and reminders.
	cancel := func() (storage.Event, []storage.EventReminder, error) {
		var cancelled storage.Event
		var rs []storage.EventReminder
		err := s.InTx(ctx, func(tx pgx.Tx) (err error) {
			cancelled, rs, err = s.CancelEventTx(ctx, tx, e.ID, now)
			return err
		})
		return cancelled, rs, err
	}
	if e, rs, err := cancel(); err != nil {
		t.Fatal(err)
	} else if !e.Cancelled || len(rs) != 2 {
		t.Errorf("cancel gave %+v, %v", e, rs)
	}
	if _, _, err := cancel(); !errors.Is(err, storage.ErrEventClosed) {
		t.Fatalf("second cancel: %v", err)
	}
	if err := s.InTx(ctx, func(tx pgx.Tx) error {
		_, _, _, err := s.UpdateEventTx(ctx, tx, e.ID, f, now)
		return err
	}); !errors.Is(err, storage.ErrEventClosed) {
		t.Fatalf("update of a cancelled event: %v", err)
	}
	if err := remind(3, 60, true); !errors.Is(err, storage.ErrEventClosed) {
		t.Fatalf("reminder for a cancelled event: %v", err)
	}
	if _, err := s.Event(ctx, 999); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("missing event: %v", err)
	}
}

func TestEventValidation(t *testing.T) {
	t.Parallel()
	start := time.Now().Add(time.Hour)
	for name, mutate := range map[string]func(*storage.EventFields){
		"no title":        func(f *storage.EventFields) { f.Title = "" },
		"long title":      func(f *storage.EventFields) { f.Title = string(make([]rune, 201)) },
		"nowhere":         func(f *storage.EventFields) { f.Place, f.URL = "", "" },
		"short":           func(f *storage.EventFields) { f.Duration = time.Minute },
		"long":            func(f *storage.EventFields) { f.Duration = 15 * 24 * time.Hour },
		"no zone":         func(f *storage.EventFields) { f.TimeZone = "" },
		"seconds":         func(f *storage.EventFields) { f.Duration = time.Hour + time.Second },
		"long place":      func(f *storage.EventFields) { f.Place = string(make([]rune, 301)) },
		"no start":        func(f *storage.EventFields) { f.StartsAt = time.Time{} },
		"long describing": func(f *storage.EventFields) { f.Description = string(make([]rune, 2001)) },
	} {
		f := eventFields(start)
		mutate(&f)
		if err := f.Validate(); !errors.Is(err, storage.ErrInvalidEvent) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := eventFields(start).Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestUpcomingEventsAndAudience(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const coordinator, townsfolk, follower, stranger = 10, 11, 12, 13
	for _, id := range []int64{coordinator, townsfolk, follower, stranger} {
		if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: id, FirstName: "P"}); err != nil {
			t.Fatal(err)
		}
	}
	var towns []int64
	for _, name := range []string{"Ichnia", "Grevesmühlen"} {
		if err := s.WriteTowns(ctx, func(w *storage.TownWriter) error {
			_, _, err := w.UpsertTown(ctx, storage.TownRecord{Key: name, Name: name, Country: "UA"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		found, err := s.SearchTowns(ctx, name, 1)
		if err != nil || len(found) != 1 {
			t.Fatal(err, found)
		}
		towns = append(towns, found[0].ID)
	}
	for _, id := range []int64{townsfolk, coordinator} {
		if err := s.SaveProfile(ctx, storage.Profile{UserID: id, TownID: towns[0]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveProfile(ctx, storage.Profile{UserID: stranger, TownID: towns[1]}); err != nil {
		t.Fatal(err)
	}
	project, err := s.CreateProject(ctx, coordinator, storage.ProjectFields{Title: "Choir", Description: "We sing",
		TownID: towns[1], Sector: "forums", Topics: []string{"culture"}, Languages: []string{"uk"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetFollowing(ctx, follower, project.ID, true); err != nil {
		t.Fatal(err)
	}

	create := func(title string, start time.Time, town, project int64) (storage.Event, []int64) {
		t.Helper()
		f := eventFields(start)
		f.Title, f.TownID, f.ProjectID = title, town, project
		var e storage.Event
		var audience []int64
		if err := s.InTx(ctx, func(tx pgx.Tx) (err error) {
			e, audience, err = s.CreateEventTx(ctx, tx, coordinator, f)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return e, audience
	}
	_, a := create("Town", now.Add(3*time.Hour), towns[0], 0)
	if !slices.Equal(a, []int64{townsfolk}) {
		t.Fatalf("town event announced to %v", a)
	}
	_, a = create("Project", now.Add(2*time.Hour), 0, project.ID)
	if !slices.Equal(a, []int64{follower}) {
		t.Fatalf("project event announced to %v", a)
	}
	_, a = create("Both", now.Add(4*time.Hour), towns[0], project.ID)
	if !slices.Equal(a, []int64{townsfolk, follower}) {
		t.Fatalf("town and project event announced to %v", a)
	}
	_, a = create("Running", now.Add(-time.Hour), 0, 0) // started an hour ago, lasts two
	if len(a) != 0 {
		t.Fatalf("unlinked event announced to %v", a)
	}
	create("Over", now.Add(-3*time.Hour), towns[0], 0)
	cancelled, _ := create("Cancelled", now.Add(time.Hour), towns[0], 0)
	if err := s.InTx(ctx, func(tx pgx.Tx) error {
		_, _, err := s.CancelEventTx(ctx, tx, cancelled.ID, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	titles := func(filter storage.EventFilter, viewer int64, offset, limit int) ([]string, int) {
		t.Helper()
		page, err := s.UpcomingEvents(ctx, filter, viewer, now, offset, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range page.Events {
			out = append(out, e.Title)
		}
		return out, page.Total
	}
	for _, tc := range []struct {
		filter storage.EventFilter
		viewer int64
		offset int
		want   []string
		total  int
	}{
		{storage.EventsAll, stranger, 0, []string{"Running", "Project", "Town", "Both"}, 4},
		{storage.EventsAll, stranger, 3, []string{"Both"}, 4},
		{storage.EventsMyTown, townsfolk, 0, []string{"Town", "Both"}, 2},
		// The project is in Grevesmühlen: the stranger's town.
		{storage.EventsMyTown, stranger, 0, []string{"Project", "Both"}, 2},
		{storage.EventsFollowed, follower, 0, []string{"Project", "Both"}, 2},
		{storage.EventsFollowed, townsfolk, 0, nil, 0},
		{storage.EventsMyTown, follower, 0, nil, 0}, // no profile
	} {
		got, total := titles(tc.filter, tc.viewer, tc.offset, 10)
		if !slices.Equal(got, tc.want) || total != tc.total {
			t.Errorf("%s for %d from %d: %v (total %d), want %v (%d)", tc.filter, tc.viewer, tc.offset, got, total, tc.want, tc.total)
		}
	}
	page, err := s.UpcomingEvents(ctx, storage.EventsAll, stranger, now, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if page.Events[1].ProjectTitle != "Choir" || page.Events[2].TownName != "Ichnia" {
		t.Fatalf("names: %+v", page.Events)
	}
}

func TestTimeZoneSetting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: 5, FirstName: "P"}); err != nil {
		t.Fatal(err)
	}
	if z, err := s.TimeZone(ctx, 5); err != nil || z != "" {
		t.Fatalf("unset zone: %q, %v", z, err)
	}
	for _, zone := range []string{"Europe/Kyiv", "America/New_York"} {
		if err := s.SetTimeZone(ctx, 5, zone); err != nil {
			t.Fatal(err)
		}
		if z, _ := s.TimeZone(ctx, 5); z != zone {
			t.Fatalf("zone %q, want %q", z, zone)
		}
	}
}

// TestEventNewcomers: moving an event to another town or linking it to a
// project names the people it concerns only now; its creator, its
// subscribers and those it concerned before are not among them.
func TestEventNewcomers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t, 1, 2, 3, 4, 5, 6)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for user, town := range map[int64]string{1: "Grevesmühlen", 2: "Ichnia", 3: "Grevesmühlen", 4: "Grevesmühlen",
		5: "Grevesmühlen"} {
		if err := f.s.SaveProfile(ctx, storage.Profile{UserID: user, TownID: f.towns[town]}); err != nil {
			t.Fatal(err)
		}
	}
	p := f.project(1, f.fields("Laxå", "Choir", "Singing"))
	if err := f.s.SetFollowing(ctx, 6, p.ID, true); err != nil {
		t.Fatal(err)
	}
	fields := eventFields(now.Add(72 * time.Hour))
	fields.TownID = f.towns["Ichnia"]
	var e storage.Event
	var audience []int64
	if err := f.s.InTx(ctx, func(tx pgx.Tx) (err error) {
		e, audience, err = f.s.CreateEventTx(ctx, tx, 1, fields)
		return err
	}); err != nil || !slices.Equal(audience, []int64{2}) {
		t.Fatalf("audience of the new event %v (%v), want [2]", audience, err)
	}
	if err := f.s.InTx(ctx, func(tx pgx.Tx) error {
		_, _, _, err := f.s.SetEventReminderTx(ctx, tx, e.ID, 4, 60, true, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	update := func(change func(*storage.EventFields)) []int64 {
		t.Helper()
		current, err := f.s.Event(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		next := current.EventFields
		change(&next)
		ch, err := testdb.InTx(f.s, func(tx pgx.Tx) (storage.EventChange, error) {
			_, ch, _, err := f.s.UpdateEventTx(ctx, tx, e.ID, next, now)
			return ch, err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ch.Newcomers
	}
	for _, step := range []struct {
		name   string
		change func(*storage.EventFields)
		want   []int64
	}{
		{"another town", func(f2 *storage.EventFields) { f2.TownID = f.towns["Grevesmühlen"] }, []int64{3, 5}},
		{"a project", func(f2 *storage.EventFields) { f2.ProjectID = p.ID }, []int64{6}},
		{"the title", func(f2 *storage.EventFields) { f2.Title = "Choir day" }, nil},
	} {
		if got := update(step.change); !slices.Equal(got, step.want) {
			t.Errorf("%s: newcomers %v, want %v", step.name, got, step.want)
		}
	}
}

// TestEventTextsWithoutControlCharacters: Validate refuses a control
// character other than the line break in any text, CleanEventText removes
// them, and an event is written with its texts cleaned (security review
// #13).
func TestEventTextsWithoutControlCharacters(t *testing.T) {
	t.Parallel()
	start := time.Now().Add(time.Hour)
	for name, mutate := range map[string]func(*storage.EventFields){
		"CR in title":          func(f *storage.EventFields) { f.Title = "Meeting\rATTENDEE:mailto:x@example.org" },
		"NUL in description":   func(f *storage.EventFields) { f.Description = "a\x00b" },
		"escape in place":      func(f *storage.EventFields) { f.Place = "Hall\x1b[2J" },
		"tab in link":          func(f *storage.EventFields) { f.URL = "https://example.org/\tx" },
		"CRLF in description":  func(f *storage.EventFields) { f.Description = "one\r\ntwo" },
		"DEL in title":         func(f *storage.EventFields) { f.Title = "x\x7f" },
		"C1 control in title":  func(f *storage.EventFields) { f.Title = "x\u0085y" },
		"line break and CR":    func(f *storage.EventFields) { f.Title = "a\n\rb" },
		"vertical tab in text": func(f *storage.EventFields) { f.Description = "a\vb" },
	} {
		f := eventFields(start)
		mutate(&f)
		if err := f.Validate(); !errors.Is(err, storage.ErrInvalidEvent) {
			t.Errorf("%s: %v", name, err)
		}
	}
	f := eventFields(start)
	f.Description = "Line one\nLine two"
	if err := f.Validate(); err != nil {
		t.Errorf("a line break is refused: %v", err)
	}
	for in, want := range map[string]string{
		"plain":                  "plain",
		"a\r\nb":                 "a\nb",
		"a\rb\rc":                "a\nb\nc",
		"tab\there":              "tab here",
		"nul\x00esc\x1b\x7fdel":  "nulescdel",
		"keeps\nline breaks":     "keeps\nline breaks",
		"Ічня\r\u0085Grevesmühl": "Ічня\nGrevesmühl",
	} {
		if got := storage.CleanEventText(in); got != want {
			t.Errorf("CleanEventText(%q) = %q, want %q", in, got, want)
		}
	}

	s := storage.New(testdb.New(t))
	ctx := context.Background()
	if _, err := s.TouchUser(ctx, storage.TelegramProfile{ID: 1, FirstName: "Olena"}); err != nil {
		t.Fatal(err)
	}
	f = eventFields(start)
	f.Title, f.Description, f.Place = "Meeting\rATTENDEE:mailto:x@example.org", "one\r\ntwo\x00", "Hall\t1"
	e, err := testdb.InTx(s, func(tx pgx.Tx) (storage.Event, error) {
		e, _, err := s.CreateEventTx(ctx, tx, 1, f)
		return e, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.Title != "Meeting\nATTENDEE:mailto:x@example.org" || e.Description != "one\ntwo" || e.Place != "Hall 1" {
		t.Fatalf("written as %q, %q, %q", e.Title, e.Description, e.Place)
	}
	f.Title = "Edited\r"
	e, err = testdb.InTx(s, func(tx pgx.Tx) (storage.Event, error) {
		e, _, _, err := s.UpdateEventTx(ctx, tx, e.ID, f, time.Now())
		return e, err
	})
	if err != nil || e.Title != "Edited\n" {
		t.Fatalf("edited: %q, %v", e.Title, err)
	}
}

// TestEventsAndHiddenProjects: an event shows no title of a project a
// coordinator hid, cannot be linked to one (neither when created nor by an
// edit), and an event linked before the project was hidden can still be
// edited (security review #17).
func TestEventsAndHiddenProjects(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const owner = 1
	f := newProjectFixture(t, owner)
	listed := f.project(owner, f.fields("Ichnia", "Choir", "We sing"))
	hidden := f.project(owner, f.fields("Ichnia", "Hidden", "Spam"))
	start := time.Now().Add(24 * time.Hour)
	linked := eventFields(start)
	linked.ProjectID = hidden.ID
	e, err := testdb.InTx(f.s, func(tx pgx.Tx) (storage.Event, error) {
		e, _, err := f.s.CreateEventTx(ctx, tx, owner, linked)
		return e, err
	})
	if err != nil || e.ProjectTitle != "Hidden" {
		t.Fatalf("event of a listed project: %+v, %v", e, err)
	}
	if _, err := f.s.Pool().Exec(ctx, `UPDATE projects SET hidden_at = now() WHERE id = $1`, hidden.ID); err != nil {
		t.Fatal(err)
	}
	if e, err = f.s.Event(ctx, e.ID); err != nil || e.ProjectTitle != "" || e.ProjectID != hidden.ID {
		t.Fatalf("event of a hidden project: %+v, %v", e, err)
	}
	page, err := f.s.UpcomingEvents(ctx, storage.EventsAll, owner, time.Now(), 0, 10)
	if err != nil || len(page.Events) != 1 || page.Events[0].ProjectTitle != "" {
		t.Fatalf("list: %+v, %v", page, err)
	}
	if _, err := testdb.InTx(f.s, func(tx pgx.Tx) (storage.Event, error) {
		e, _, err := f.s.CreateEventTx(ctx, tx, owner, linked)
		return e, err
	}); !errors.Is(err, storage.ErrProjectHidden) {
		t.Fatalf("new event linked to a hidden project: %v", err)
	}
	update := func(id int64, fields storage.EventFields) (storage.Event, error) {
		return testdb.InTx(f.s, func(tx pgx.Tx) (storage.Event, error) {
			e, _, _, err := f.s.UpdateEventTx(ctx, tx, id, fields, time.Now())
			return e, err
		})
	}
	// Its title may change; the link it has stays.
	linked.Title = "Renamed"
	if e, err = update(e.ID, linked); err != nil || e.ProjectID != hidden.ID {
		t.Fatalf("edit of an event of a hidden project: %+v, %v", e, err)
	}
	other := eventFields(start)
	other.ProjectID = listed.ID
	o, err := testdb.InTx(f.s, func(tx pgx.Tx) (storage.Event, error) {
		e, _, err := f.s.CreateEventTx(ctx, tx, owner, other)
		return e, err
	})
	if err != nil {
		t.Fatal(err)
	}
	other.ProjectID = hidden.ID
	if _, err := update(o.ID, other); !errors.Is(err, storage.ErrProjectHidden) {
		t.Fatalf("event moved to a hidden project: %v", err)
	}
}
