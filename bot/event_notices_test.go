package bot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/internal/remind"
	"partnerbot/internal/testdb"
	"partnerbot/locales"
	"partnerbot/storage"
)

// TestRendererDropsWhatNoLongerHolds renders event messages the way the
// delivery engine does at send time, including messages that went stale
// while they waited: moved, switched off, started, cancelled, erased.
func TestRendererDropsWhatNoLongerHolds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := storage.New(testdb.New(t))
	cat, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 20, 8, 0, 0, 0, time.UTC)
	a := New(Deps{Store: store, Catalog: cat, Now: func() time.Time { return now }})
	r := a.Renderer()
	const organiser, olena, jonas = 1, 2, 3
	for id, lang := range map[int64]string{organiser: "en", olena: "uk", jonas: "de"} {
		if _, err := store.TouchUser(ctx, storage.TelegramProfile{ID: id, FirstName: "P", LanguageCode: lang}); err != nil {
			t.Fatal(err)
		}
	}
	kyiv := "Europe/Kyiv"
	start := time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC) // 10:00 in Kyiv
	e, err := testdb.InTx(store, func(tx pgx.Tx) (storage.Event, error) {
		e, _, err := store.CreateEventTx(ctx, tx, organiser, storage.EventFields{Title: "Day", StartsAt: start, TimeZone: kyiv,
			Duration: time.Hour, Place: "Hall"})
		return e, err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []remind.Offset{remind.Day, remind.Start} {
		if err := store.InTx(ctx, func(tx pgx.Tx) error {
			_, _, _, err := store.SetEventReminderTx(ctx, tx, e.ID, olena, int(o), true, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	reminder := func(chat int64, o remind.Offset, due time.Time) delivery.Message {
		return delivery.Message{ChatID: chat, Kind: kindEventReminder, Ref: e.ID, Variant: int64(o), DueAt: due}
	}
	dayDue := time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC) // Sunday 10:00 Kyiv summer time
	uk, de := cat.For("uk"), cat.For("de")

	type check struct {
		name string
		at   time.Time
		m    delivery.Message
		want string // "" means dropped
	}
	run := func(checks []check) {
		t.Helper()
		for _, c := range checks {
			now = c.at
			out, err := r.Render(ctx, c.m)
			switch {
			case c.want == "" && !errors.Is(err, delivery.ErrDrop):
				t.Errorf("%s: rendered %q, %v; want a drop", c.name, out.Text, err)
			case c.want != "" && err != nil:
				t.Errorf("%s: %v", c.name, err)
			case c.want != "" && !strings.Contains(out.Text, c.want):
				t.Errorf("%s: %q lacks %q", c.name, out.Text, c.want)
			}
		}
	}
	run([]check{
		{"day before, in Ukrainian", dayDue, reminder(olena, remind.Day, dayDue), uk.T("event_reminder_day", "Title", "Day")},
		{"card in the recipient's zone", dayDue, reminder(olena, remind.Day, dayDue), "понеділок, 30 березня 2026 р., 10:00"},
		{"due time of an earlier start", dayDue, reminder(olena, remind.Day, dayDue.Add(-time.Hour)), ""},
		{"switched off", dayDue, reminder(jonas, remind.Day, dayDue), ""},
		{"unknown offset", dayDue, reminder(olena, 30, dayDue), ""},
		{"at start, a little late", start.Add(10 * time.Minute), reminder(olena, remind.Start, start), uk.T("event_reminder_start", "Title", "Day")},
		// The README's promise, not startGrace: up to 15 minutes late.
		{"at start, 14 minutes late", start.Add(14 * time.Minute), reminder(olena, remind.Start, start), uk.T("event_reminder_start", "Title", "Day")},
		{"at start, far too late", start.Add(15 * time.Minute), reminder(olena, remind.Start, start), ""},
		{"day before, sent after the start", start.Add(time.Minute), reminder(olena, remind.Day, dayDue), ""},
		{"announcement", now, delivery.Message{ChatID: jonas, Kind: kindEventNew, Ref: e.ID}, de.T("event_new_head")},
		{"announcement after the start", start, delivery.Message{ChatID: jonas, Kind: kindEventNew, Ref: e.ID}, ""},
		{"no such event", now, delivery.Message{ChatID: jonas, Kind: kindEventNew, Ref: e.ID + 100}, ""},
		{"change of another event", now, delivery.Message{ChatID: jonas, Kind: kindEventChanged, Ref: e.ID, Variant: 12345}, ""},
		{"cancel notice of an event not cancelled", now, delivery.Message{ChatID: olena, Kind: kindEventCancelled, Ref: e.ID}, ""},
	})

	if err := store.InTx(ctx, func(tx pgx.Tx) error {
		_, _, err := store.CancelEventTx(ctx, tx, e.ID, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	run([]check{
		{"reminder of a cancelled event", dayDue, reminder(olena, remind.Day, dayDue), ""},
		{"announcement of a cancelled event", now, delivery.Message{ChatID: jonas, Kind: kindEventNew, Ref: e.ID}, ""},
		{"cancel notice", now, delivery.Message{ChatID: olena, Kind: kindEventCancelled, Ref: e.ID},
			uk.T("event_cancelled_notice", "Title", "Day", "When", "понеділок, 30 березня 2026 р., 10:00")},
	})
	if err := store.InTx(ctx, func(tx pgx.Tx) error { return store.DeleteUserTx(ctx, tx, olena) }); err != nil {
		t.Fatal(err)
	}
	run([]check{{"cancel notice to someone who erased their data", now,
		delivery.Message{ChatID: olena, Kind: kindEventCancelled, Ref: e.ID}, ""}})
}
