package testdb

import (
	"context"

	"github.com/jackc/pgx/v5"

	"partnerbot/storage"
)

// InTx runs write in a transaction of s of its own, committed when write
// succeeds and rolled back when it fails, and returns what write returns.
// It is how a test calls a storage XTx method that the bot calls together
// with scheduling messages, when the test has nothing to schedule:
//
//	e, err := testdb.InTx(s, func(tx pgx.Tx) (storage.Event, error) {
//		e, _, err := s.CreateEventTx(ctx, tx, creator, fields)
//		return e, err
//	})
func InTx[R any](s *storage.Store, write func(tx pgx.Tx) (R, error)) (R, error) {
	var r R
	err := s.InTx(context.Background(), func(tx pgx.Tx) (err error) {
		r, err = write(tx)
		return err
	})
	return r, err
}
