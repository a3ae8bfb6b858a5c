package main

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/internal/importer"
	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// TestGrantForTowns: `grant @name --town NAME` makes a coordinator for
// that town (found in any spelling), with an audit entry; an unknown town
// changes nothing; revoke takes no town.
func TestGrantForTowns(t *testing.T) {
	url := testdb.URL(t)
	t.Setenv("DATABASE_URL", url)
	t.Setenv("ADMIN_IDS", "1")
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := storage.New(pool)
	f, err := os.Open("../../examples/towns.example.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := importer.Towns(ctx, store, f); err != nil {
		t.Fatal(err)
	}
	if _, err := store.TouchUser(ctx, storage.TelegramProfile{ID: 42, Username: "olena_k", FirstName: "Olena"}); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"grant", "@olena_k", "--town", "Nowhereville"}); err == nil {
		t.Fatal("grant for an unknown town succeeded")
	}
	if u, _ := store.User(ctx, 42); u.Role != storage.RoleVolunteer {
		t.Fatalf("a failed grant changed the role to %s", u.Role)
	}
	if err := run(ctx, []string{"grant", "@olena_k", "--town", "Ічня", "--town=Laxå"}); err != nil {
		t.Fatal(err)
	}
	towns, err := store.CoordinatorTowns(ctx, 42)
	if err != nil || len(towns) != 2 || towns[0].Name != "Ichnia" || towns[1].Name != "Laxå" {
		t.Fatalf("coordinator towns %v, %v", towns, err)
	}
	var audited int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'coordinator_town' AND target_id = 42`).Scan(&audited); err != nil || audited != 2 {
		t.Fatalf("%d audit entries of towns (%v), want 2", audited, err)
	}
	if err := run(ctx, []string{"revoke", "42", "--town", "Ichnia"}); err == nil {
		t.Fatal("revoke with a town succeeded")
	}
}
