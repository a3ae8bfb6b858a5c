package main

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

func TestRunExplainsBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"nothing set", map[string]string{"TELEGRAM_BOT_TOKEN": "", "DATABASE_URL": ""}, nil,
			[]string{"TELEGRAM_BOT_TOKEN is not set", "DATABASE_URL is not set"}},
		{"database unreachable", map[string]string{"TELEGRAM_BOT_TOKEN": "1:x", "DATABASE_URL": "postgres://postgres@127.0.0.1:1/none?connect_timeout=2"}, nil,
			[]string{"database unreachable"}},
		{"migrate needs no token", map[string]string{"TELEGRAM_BOT_TOKEN": "", "DATABASE_URL": "postgres://postgres@127.0.0.1:1/none?connect_timeout=2"}, []string{"migrate"},
			[]string{"database unreachable"}},
		{"unknown command", map[string]string{"DATABASE_URL": ""}, []string{"frobnicate"}, []string{`unknown command "frobnicate"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			err := run(context.Background(), tt.args)
			if err == nil {
				t.Fatal("run succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestGrantAndRevokeFromTheCommandLine(t *testing.T) {
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
	for _, p := range []storage.TelegramProfile{{ID: 1, Username: "the_admin"}, {ID: 42, Username: "olena_k", FirstName: "Olena"}} {
		if _, err := store.TouchUser(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	role := func() string {
		u, err := store.User(ctx, 42)
		if err != nil {
			t.Fatal(err)
		}
		return u.Role
	}
	if err := run(ctx, []string{"grant", "@Olena_K"}); err != nil || role() != storage.RoleCoordinator {
		t.Fatalf("grant: %v, role %s", err, role())
	}
	if err := run(ctx, []string{"revoke", "42"}); err != nil || role() != storage.RoleVolunteer {
		t.Fatalf("revoke: %v, role %s", err, role())
	}
	for _, args := range [][]string{{"grant", "@nobody_at_all"}, {"grant", "1"}, {"grant"}} {
		if err := run(ctx, args); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
	var cli int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE actor_id IS NULL AND target_id = 42`).Scan(&cli); err != nil {
		t.Fatal(err)
	}
	if cli != 2 {
		t.Fatalf("audit log has %d command-line entries, want 2", cli)
	}
	// Both changes wait in the delivery queue to be told to Olena.
	var queued int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'delivery_send'
		AND (args->>'chat_id')::bigint = 42 AND args->>'kind' = 'role_changed' AND state = 'available'`).Scan(&queued); err != nil {
		t.Fatal(err)
	}
	if queued != 2 {
		t.Fatalf("%d role change notices queued for the person, want 2", queued)
	}
}
