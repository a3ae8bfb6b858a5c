package bot_test

import (
	"context"
	"testing"

	"partnerbot/internal/bottest"
)

// TestWritingToTheBotReactivatesDelivery: a user whose chat the delivery
// engine marked inactive (they had blocked the bot) gets messages again
// once they write to the bot.
func TestWritingToTheBotReactivatesDelivery(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	u := env.User(4401, "de", "Jonas")
	ctx := context.Background()
	if _, err := env.Pool.Exec(ctx, `INSERT INTO delivery_inactive (chat_id, reason) VALUES ($1, 'blocked'), (4402, 'blocked')`, u.ID()); err != nil {
		t.Fatal(err)
	}
	u.Say("/start")
	var left []int64
	rows, err := env.Pool.Query(ctx, `SELECT chat_id FROM delivery_inactive ORDER BY chat_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		left = append(left, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != 4402 {
		t.Fatalf("inactive chats after user %d wrote: %v, want only 4402", u.ID(), left)
	}
}
