package storage_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// fillDeliveryData gives each user a row in the delivery engine's tables
// that refer to a chat (package delivery writes them; storage only erases
// them with the user).
func fillDeliveryData(t *testing.T, pool *pgxpool.Pool, ids ...int64) {
	t.Helper()
	for _, id := range ids {
		if _, err := pool.Exec(context.Background(), `INSERT INTO delivery_inactive (chat_id, reason) VALUES ($1, 'blocked')`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(context.Background(), `INSERT INTO delivery_chat_pace (chat_id, next_at) VALUES ($1, now())`, id); err != nil {
			t.Fatal(err)
		}
	}
}
