package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/locales"
	"partnerbot/storage"
)

// errNoDelivery: an App built without a delivery engine cannot tell anyone
// but the sender of an update about it. The change that would have done so
// is rolled back rather than made silently.
var errNoDelivery = errors.New("no delivery engine to tell the other people concerned")

// notify schedules, in tx, messages to people other than the one whose
// update is being handled, due now: they go out through the delivery engine
// (paced, retried, rendered at send time) if and only if tx commits.
func (a *App) notify(ctx context.Context, tx pgx.Tx, ms ...delivery.Message) error {
	if len(ms) == 0 {
		return nil
	}
	if a.delivery == nil {
		return errNoDelivery
	}
	now := a.now()
	for i := range ms {
		ms[i].DueAt = now
	}
	_, err := a.delivery.ScheduleManyTx(ctx, tx, ms)
	return err
}

// stale drops a notice whose subject has moved on (answered, decided,
// gone) or whose recipient is no longer the one concerned.
func stale(m delivery.Message, why string) error {
	return fmt.Errorf("%s about %d to %d: %s: %w", m.Kind, m.Ref, m.ChatID, why, delivery.ErrDrop)
}

// loadFor loads the row id that m is about; one that is gone drops m.
func loadFor[T any](ctx context.Context, m delivery.Message, id int64, load func(context.Context, int64) (T, error)) (T, error) {
	v, err := load(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return v, stale(m, fmt.Sprintf("%d is gone", id))
	}
	return v, err
}

// noticeFor loads the row m is about (m.Ref) and the language of m's
// recipient of this moment. m is dropped when the row is gone or when whose
// names someone else as the person to tell.
func noticeFor[T any](ctx context.Context, a *App, m delivery.Message, load func(context.Context, int64) (T, error),
	whose func(T) int64) (T, *locales.Localizer, error) {
	v, err := loadFor(ctx, m, m.Ref, load)
	if err != nil {
		return v, nil, err
	}
	if whose(v) != m.ChatID {
		return v, nil, stale(m, "meant for someone else")
	}
	l, _, err := a.recipient(ctx, m.ChatID)
	return v, l, err
}
