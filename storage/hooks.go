package storage

import "github.com/jackc/pgx/v5"

// Hook runs inside a storage transaction, after its writes, with what was
// written: whatever the caller does there (scheduling the messages that the
// change causes) commits or fails together with the change. Functions take
// hooks as an optional last argument, so callers with nothing to add pass
// none.
type Hook[T any] func(tx pgx.Tx, v T) error

// runHooks runs hooks in order with v, stopping at the first error.
func runHooks[T any](tx pgx.Tx, v T, hooks []Hook[T]) error {
	for _, h := range hooks {
		if err := h(tx, v); err != nil {
			return err
		}
	}
	return nil
}
