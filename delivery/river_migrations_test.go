package delivery_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"partnerbot/internal/testdb"
	"partnerbot/migrations"
)

// TestRiverSchemaComesFromMigrations: River's tables are created by our
// migrations (no rivermigrate at run time), match the River version in
// go.mod, and River's own validation finds nothing missing.
func TestRiverSchemaComesFromMigrations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := testdb.New(t)
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := migrator.Validate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK {
		t.Fatalf("River finds the schema incomplete: %v (a River upgrade needs a migration with its new versions)", res.Messages)
	}

	var ours strings.Builder
	for _, name := range []string{"00020_river.sql", "00021_river_unique.sql"} {
		b, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		ours.Write(b)
	}
	for _, m := range migrator.AllVersions() {
		for dir, sql := range map[string]string{"up": m.SQLUp, "down": m.SQLDown} {
			sql = strings.TrimSpace(strings.ReplaceAll(sql, "/* TEMPLATE: schema */", ""))
			if sql != "" && !strings.Contains(ours.String(), sql) {
				t.Errorf("River migration %03d %s (%s) is not in migrations/ verbatim", m.Version, dir, m.Name)
			}
		}
	}

	for _, table := range []string{"river_job", "river_leader", "river_queue", "river_migration", "river_notification"} {
		var exists bool
		if err := pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&exists); err != nil || !exists {
			t.Errorf("table %s missing (%v)", table, err)
		}
	}
}
