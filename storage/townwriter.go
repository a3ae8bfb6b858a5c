package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// TownWriter writes towns and partnerships inside one transaction, for
// imports: either a whole file goes in, or nothing of it does.
type TownWriter struct {
	tx pgx.Tx
}

// WriteTowns runs fn with a TownWriter and commits only if fn succeeds.
func (s *Store) WriteTowns(ctx context.Context, fn func(w *TownWriter) error) error {
	return s.InTx(ctx, func(tx pgx.Tx) error { return fn(&TownWriter{tx: tx}) })
}

// TownRecord is a town as an import file describes it. Key identifies it
// across imports.
type TownRecord struct {
	Key     string
	Name    string
	Country string
	Region  string
	Names   []TownName
}

// UpsertTown creates the town with r.Key or updates it to r, replacing its
// other names. A town with no key yet (one a volunteer proposed) with the
// same country and name is adopted instead of duplicated. An imported town
// counts as confirmed. created tells whether a new town was made.
func (w *TownWriter) UpsertTown(ctx context.Context, r TownRecord) (id int64, created bool, err error) {
	err = w.tx.QueryRow(ctx, `
		UPDATE towns SET name = $2, country = $3, region = $4, status = 'confirmed', updated_at = now()
		WHERE key = $1 RETURNING id`, r.Key, r.Name, r.Country, r.Region).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		err = w.tx.QueryRow(ctx, `
			UPDATE towns SET key = $1, name = $2, region = $4, status = 'confirmed', updated_at = now()
			WHERE id = (SELECT id FROM towns WHERE key IS NULL AND country = $3 AND lower(name) = lower($2)
			            ORDER BY status = 'confirmed' DESC, id LIMIT 1)
			RETURNING id`, r.Key, r.Name, r.Country, r.Region).Scan(&id)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		created = true
		err = w.tx.QueryRow(ctx, `INSERT INTO towns (key, name, country, region) VALUES ($1, $2, $3, $4) RETURNING id`,
			r.Key, r.Name, r.Country, r.Region).Scan(&id)
	}
	if err != nil {
		return 0, false, err
	}
	if err := writeTownNames(ctx, w.tx, id, r.Names); err != nil {
		return 0, false, err
	}
	return id, created, writeSearchKeys(ctx, w.tx, id)
}

// Partnership kinds.
const (
	KindTwinning   = "twinning"
	KindSolidarity = "solidarity"
	KindProject    = "project"
)

// PartnershipKinds lists the kinds in the order they are shown.
var PartnershipKinds = []string{KindTwinning, KindSolidarity, KindProject}

// PartnershipRecord is a partnership as an import file describes it: the
// two towns by their import keys.
type PartnershipRecord struct {
	TownA, TownB string
	Kind         string
	// Since is the zero time when unknown.
	Since time.Time
}

// UnknownTownError names an import key no town has.
type UnknownTownError struct{ Key string }

func (e *UnknownTownError) Error() string { return fmt.Sprintf("no town with key %q", e.Key) }

// UpsertPartnership records the partnership or updates its date. The pair
// is stored once whichever order the towns come in.
func (w *TownWriter) UpsertPartnership(ctx context.Context, r PartnershipRecord) (created bool, err error) {
	a, err := w.townIDByKey(ctx, r.TownA)
	if err != nil {
		return false, err
	}
	b, err := w.townIDByKey(ctx, r.TownB)
	if err != nil {
		return false, err
	}
	if a == b {
		return false, fmt.Errorf("a town cannot be its own partner (%q)", r.TownA)
	}
	var since *time.Time
	if !r.Since.IsZero() {
		since = &r.Since
	}
	err = w.tx.QueryRow(ctx, `
		INSERT INTO partnerships (town_a, town_b, kind, since) VALUES (least($1::bigint, $2::bigint), greatest($1::bigint, $2::bigint), $3, $4)
		ON CONFLICT (town_a, town_b, kind) DO UPDATE SET since = excluded.since, updated_at = now()
		RETURNING xmax = 0`, a, b, r.Kind, since).Scan(&created)
	return created, err
}

func (w *TownWriter) townIDByKey(ctx context.Context, key string) (int64, error) {
	var id int64
	err := w.tx.QueryRow(ctx, `SELECT id FROM towns WHERE key = $1`, key).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, &UnknownTownError{Key: key}
	}
	return id, err
}
