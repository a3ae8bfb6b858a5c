package storage

import (
	"context"

	"github.com/jackc/pgx/v5/pgconn"
)

// Profile is what a volunteer tells about themselves.
type Profile struct {
	UserID int64
	// TownID is 0 when no town is set.
	TownID int64
	// Languages are ISO 639-1 codes from ProfileLanguages.
	Languages []string
	// Interests are topic ids from Topics.
	Interests []string
}

// Profile returns the user's profile, or ErrNotFound when they have not
// set one up.
func (s *Store) Profile(ctx context.Context, userID int64) (Profile, error) {
	p := Profile{UserID: userID}
	err := s.pool.QueryRow(ctx, `SELECT coalesce(town_id, 0), languages, interests FROM user_profiles WHERE user_id = $1`,
		userID).Scan(&p.TownID, &p.Languages, &p.Interests)
	return p, notFound(err)
}

// SaveProfile creates or replaces the user's profile.
func (s *Store) SaveProfile(ctx context.Context, p Profile) error {
	return saveProfile(ctx, s.pool, p)
}

func saveProfile(ctx context.Context, db interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, p Profile) error {
	if p.Languages == nil {
		p.Languages = []string{}
	}
	if p.Interests == nil {
		p.Interests = []string{}
	}
	_, err := db.Exec(ctx, `
		INSERT INTO user_profiles (user_id, town_id, languages, interests) VALUES ($1, nullif($2, 0::bigint), $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET town_id = excluded.town_id, languages = excluded.languages,
			interests = excluded.interests, updated_at = now()`,
		p.UserID, p.TownID, p.Languages, p.Interests)
	return err
}
