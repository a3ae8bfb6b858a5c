package delivery_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"partnerbot/delivery"
	"partnerbot/internal/remind"
)

// TestDayBeforeReminderAcrossDaylightSaving: a reminder "1 day before" an
// event at 10:00 local time goes out at 10:00 local time the day before,
// 23, 24 or 25 hours earlier depending on the clock change between, and the
// engine sends it exactly when the injected clock reaches that instant.
// 2027: clocks go forward on Sunday 28 March and back on Sunday 31 October.
func TestDayBeforeReminderAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		zone    string
		start   string // local
		wantUTC string // when the reminder goes out
		earlier time.Duration
	}{
		{"Europe/Kyiv", "2027-03-28 10:00", "2027-03-27 08:00", 23 * time.Hour},   // EET the day before, EEST on the day
		{"Europe/Kyiv", "2027-03-29 10:00", "2027-03-28 07:00", 24 * time.Hour},   // both after the change
		{"Europe/Kyiv", "2027-10-31 10:00", "2027-10-30 07:00", 25 * time.Hour},   // EEST the day before, EET on the day
		{"Europe/Berlin", "2027-03-28 10:00", "2027-03-27 09:00", 23 * time.Hour}, // CET, then CEST
		{"Europe/Berlin", "2027-03-29 10:00", "2027-03-28 08:00", 24 * time.Hour},
		{"Europe/Berlin", "2027-10-31 10:00", "2027-10-30 08:00", 25 * time.Hour},
	} {
		t.Run(tc.zone+" "+tc.start, func(t *testing.T) {
			t.Parallel()
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			start, err := time.ParseInLocation("2006-01-02 15:04", tc.start, loc)
			if err != nil {
				t.Fatal(err)
			}
			want, err := time.Parse("2006-01-02 15:04", tc.wantUTC)
			if err != nil {
				t.Fatal(err)
			}
			due := remind.Day.Due(start, loc)
			if !due.Equal(want) || start.Sub(due) != tc.earlier {
				t.Fatalf("due %v (%v before the start), want %v (%v before)", due.UTC(), start.Sub(due), want, tc.earlier)
			}

			e := newEnv(t)
			e.clock.Set(want.Add(-3 * 24 * time.Hour))
			const chat = 3000
			e.chats(chat)
			events := delivery.Kinds{"reminder": func(_ context.Context, m delivery.Message) (delivery.Rendered, error) {
				return delivery.Rendered{Text: fmt.Sprintf("tomorrow %s", start.Format("15:04 MST"))}, nil
			}}
			in := e.start(startOpts{renderer: events})
			e.schedule(in.engine, delivery.Message{ChatID: chat, Kind: "reminder", Ref: 1, Variant: int64(remind.Day), DueAt: due})
			if j := e.job(chat); j.State != "scheduled" || !j.Schedule.Equal(want) {
				t.Fatalf("job %+v, want scheduled at %v", j, want)
			}

			e.clock.Set(want)
			e.fake.ExpectMessages(t, chat, 1)
			e.settled()
			var attempted time.Time
			if err := e.pool.QueryRow(context.Background(), `SELECT attempted_at FROM river_job`).Scan(&attempted); err != nil {
				t.Fatal(err)
			}
			if attempted.Before(want) {
				t.Errorf("sent at %v by the injected clock, before it was due at %v", attempted, want)
			}
		})
	}
}
