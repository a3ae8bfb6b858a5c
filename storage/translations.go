package storage

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/jackc/pgx/v5"
)

// Machine translations of what people write are cached here (migration
// 00111), so that each text goes to the translation service once per
// target language; package translate uses these methods through its Cache
// interface. A translation belongs to the person who wrote the text
// (owner, 0 for nobody) and is erased with their data (PersonalData), with
// the text when a project's or event's text is changed or a project is
// deleted, and after a while (PruneTranslations, from housekeeping).

// CachedTranslation is one stored translation.
type CachedTranslation struct {
	Text string
	// SourceLang is the language the text was translated from, "" when
	// the service did not say.
	SourceLang string
	Provider   string
	CreatedAt  time.Time
}

// textHash identifies a source text without storing it.
func textHash(text string) []byte {
	h := sha256.Sum256([]byte(text))
	return h[:]
}

func nullOwner(owner int64) *int64 {
	if owner <= 0 {
		return nil
	}
	return &owner
}

// CachedTranslation returns the stored translation of text into target,
// whoever wrote it: the same text translates the same.
func (s *Store) CachedTranslation(ctx context.Context, text, target string) (CachedTranslation, bool, error) {
	var t CachedTranslation
	err := s.pool.QueryRow(ctx, `SELECT translated, coalesce(source_lang, ''), provider, created_at FROM translations
		WHERE source_hash = $1 AND target_lang = $2 ORDER BY created_at DESC LIMIT 1`, textHash(text), target).
		Scan(&t.Text, &t.SourceLang, &t.Provider, &t.CreatedAt)
	if err == pgx.ErrNoRows {
		return t, false, nil
	}
	return t, err == nil, err
}

// StoreTranslation records the translation of text, written by owner (0
// for nobody), into target. A translation already stored for the same
// text, target and owner stays.
func (s *Store) StoreTranslation(ctx context.Context, text, target string, owner int64, t CachedTranslation) error {
	if !isLangCode(t.SourceLang) {
		t.SourceLang = "" // a code the schema does not take is as good as none
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO translations (source_hash, target_lang, owner_id, source_lang, translated, provider)
		VALUES ($1, $2, $3, nullif($4, ''), $5, $6) ON CONFLICT DO NOTHING`,
		textHash(text), target, nullOwner(owner), t.SourceLang, t.Text, t.Provider)
	return err
}

// ClaimTranslation claims, over all instances, the making of text's
// translation into target until expires: it reports true when nobody
// else holds the claim (none, or one that expired before now), false when
// another instance is translating the same text right now. One statement,
// so two instances claiming at once cannot both win.
func (s *Store) ClaimTranslation(ctx context.Context, text, target string, now, expires time.Time) (bool, error) {
	var won bool
	err := s.pool.QueryRow(ctx, `INSERT INTO translation_claims AS c (source_hash, target_lang, expires_at)
		VALUES ($1, $2, $3)
		ON CONFLICT (source_hash, target_lang) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE c.expires_at < $4
		RETURNING true`, textHash(text), target, expires, now).Scan(&won)
	if err == pgx.ErrNoRows {
		return false, nil
	}
	return won, err
}

// ReleaseTranslation lets go of the claim on text's translation into
// target (ClaimTranslation), made or failed.
func (s *Store) ReleaseTranslation(ctx context.Context, text, target string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM translation_claims WHERE source_hash = $1 AND target_lang = $2`,
		textHash(text), target)
	return err
}

// ReserveTranslationChars counts n characters against the budget of day
// (its UTC date) if the day's total stays within limit, and reports
// whether it did. One statement: instances reserving at the same time
// never pass the limit together.
func (s *Store) ReserveTranslationChars(ctx context.Context, day time.Time, n, limit int) (bool, error) {
	if n > limit {
		return false, nil
	}
	var total int64
	err := s.pool.QueryRow(ctx, `INSERT INTO translation_usage AS u (day, chars) VALUES ($1, $2)
		ON CONFLICT (day) DO UPDATE SET chars = u.chars + EXCLUDED.chars WHERE u.chars + EXCLUDED.chars <= $3
		RETURNING chars`, day.UTC().Format(time.DateOnly), n, limit).Scan(&total)
	if err == pgx.ErrNoRows {
		return false, nil
	}
	return err == nil, err
}

// RefundTranslationChars gives back n characters reserved for day, when
// the translation they were reserved for did not happen.
func (s *Store) RefundTranslationChars(ctx context.Context, day time.Time, n int) error {
	_, err := s.pool.Exec(ctx, `UPDATE translation_usage SET chars = greatest(chars - $2, 0) WHERE day = $1`,
		day.UTC().Format(time.DateOnly), n)
	return err
}

// PruneTranslations erases translations stored before before, and the
// usage counts of days before it, and returns how many translations went.
func (s *Store) PruneTranslations(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM translations WHERE created_at < $1`, before)
	if err != nil {
		return 0, err
	}
	_, err = s.pool.Exec(ctx, `DELETE FROM translation_usage WHERE day < $1::date`, before.UTC().Format(time.DateOnly))
	if err == nil {
		// Claims of instances that died while translating.
		_, err = s.pool.Exec(ctx, `DELETE FROM translation_claims WHERE expires_at < $1`, before)
	}
	return tag.RowsAffected(), err
}

// deleteTranslationsOf erases, in tx, the translations of texts (empty
// ones are skipped).
func deleteTranslationsOf(ctx context.Context, tx pgx.Tx, texts ...string) error {
	var hashes [][]byte
	for _, t := range texts {
		if t != "" {
			hashes = append(hashes, textHash(t))
		}
	}
	if len(hashes) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `DELETE FROM translations WHERE source_hash = ANY ($1)`, hashes)
	return err
}

// isLangCode reports whether s is a two-letter lower-case language code.
func isLangCode(s string) bool {
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

// changed returns old when it differs from now (a text that is gone), ""
// otherwise.
func changed(old, now string) string {
	if old == now {
		return ""
	}
	return old
}
