package storage

import "context"

// TimeZone returns the IANA time zone the user chose in /settings, or ""
// when they have not chosen one (the caller applies the default of their
// language).
func (s *Store) TimeZone(ctx context.Context, userID int64) (string, error) {
	var zone string
	err := s.pool.QueryRow(ctx, `SELECT time_zone FROM user_settings WHERE user_id = $1`, userID).Scan(&zone)
	if err = notFound(err); err == ErrNotFound {
		return "", nil
	}
	return zone, err
}

// SetTimeZone stores the user's time zone, an IANA name the caller has
// checked.
func (s *Store) SetTimeZone(ctx context.Context, userID int64, zone string) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO user_settings (user_id, time_zone) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET time_zone = excluded.time_zone, updated_at = now()`, userID, zone)
	return err
}
