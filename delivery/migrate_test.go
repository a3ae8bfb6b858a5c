package delivery_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/internal/faketelegram"
)

// TestMessagesToAnUpgradedGroupGoToTheSupergroup: Telegram refuses sends
// to a group upgraded to a supergroup (400 with migrate_to_chat_id); each
// message then goes to the supergroup, the renderer learns the new id, and
// the old group is not taken for gone.
func TestMessagesToAnUpgradedGroupGoToTheSupergroup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const group = -5301
	e.chats(group)
	to, _ := e.fake.MigrateToSupergroup(group, faketelegram.NewUser(5301, "Admin"))
	var mu sync.Mutex
	var moves [][2]int64
	in := e.start(startOpts{renderer: delivery.WithOutcomes{Kinds: notes(),
		Migrate: func(_ context.Context, from, to int64) error {
			mu.Lock()
			defer mu.Unlock()
			moves = append(moves, [2]int64{from, to})
			return nil
		}}})
	e.schedule(in.engine, e.note(group, 1), e.note(group, 2))
	msgs := e.fake.ExpectMessages(t, to, 2)
	e.settled()
	texts := []string{msgs[0].Text, msgs[1].Text}
	slices.Sort(texts)
	if !slices.Equal(texts, []string{"note 1.0", "note 2.0"}) {
		t.Fatalf("the supergroup got %q", texts)
	}
	if calls := e.callsTo(group); calls != 2 {
		t.Errorf("%d sends to the old group, want 2 (each refused once)", calls)
	}
	mu.Lock()
	if len(moves) != 2 || moves[0] != [2]int64{group, to} || moves[1] != moves[0] {
		t.Errorf("the renderer learned %v, want the move %d → %d for each message", moves, group, to)
	}
	mu.Unlock()
	var inactive int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM delivery_inactive WHERE chat_id = $1`,
		group).Scan(&inactive); err != nil || inactive != 0 {
		t.Errorf("old group marked inactive (%d rows, %v)", inactive, err)
	}
	if j := e.job(group); j.State != "completed" {
		t.Errorf("job to the old group %+v, want completed (re-addressed)", j)
	}
}

// TestMessageDroppedForAnUpgradedGroupGoesToTheSupergroup: once the bot
// follows the upgrade (MigratedTx in the transaction that moves its own
// records), its renderer no longer knows the old id and drops a message
// still addressed to it; the message then goes to the supergroup without
// trying the old id.
func TestMessageDroppedForAnUpgradedGroupGoesToTheSupergroup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const group, super = -5302, -1000000005302
	e.chats(group, super)
	known := map[int64]bool{super: true} // the bot's records, already moved
	in := e.start(startOpts{renderer: delivery.Kinds{
		"group": func(_ context.Context, m delivery.Message) (delivery.Rendered, error) {
			if !known[m.ChatID] {
				return delivery.Rendered{}, fmt.Errorf("group %d: %w", m.ChatID, delivery.ErrDrop)
			}
			return delivery.Rendered{Text: fmt.Sprintf("post %d", m.Ref)}, nil
		}}})
	if err := pgx.BeginFunc(context.Background(), e.pool, func(tx pgx.Tx) error {
		return in.engine.MigratedTx(context.Background(), tx, group, super)
	}); err != nil {
		t.Fatal(err)
	}
	e.schedule(in.engine, delivery.Message{ChatID: group, Kind: "group", Ref: 7},
		delivery.Message{ChatID: -5303, Kind: "group", Ref: 8}) // unknown, never upgraded: dropped
	if msgs := e.fake.ExpectMessages(t, super, 1); msgs[0].Text != "post 7" {
		t.Fatalf("the supergroup got %q", msgs[0].Text)
	}
	e.settled()
	if calls := e.callsTo(group) + e.callsTo(-5303); calls != 0 {
		t.Errorf("%d sends to the old or unknown group, want none", calls)
	}
}
