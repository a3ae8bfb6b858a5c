package storage

import (
	"context"
	"math"
	"time"
)

// ClaimUpdate (tests only) takes the lease on a pending update for owner and returns its
// payload. It returns ErrNotFound when the update is done, when another
// owner holds a lease younger than lease, or when an earlier update of the
// same user is not done yet: one update is handled by one worker, and a
// user's updates one after another.
func (s *Store) ClaimUpdate(ctx context.Context, updateID int64, owner string, lease time.Duration) ([]byte, error) {
	var payload []byte
	err := s.pool.QueryRow(ctx, `
		UPDATE inbound_updates u SET claimed_by = $2, claimed_at = now(), attempts = u.attempts + 1
		WHERE u.update_id = $1 AND u.done_at IS NULL
		  AND (u.claimed_at IS NULL OR u.claimed_at < now() - $3::interval)
		  AND NOT EXISTS (SELECT FROM inbound_updates e
			WHERE e.user_id = u.user_id AND e.done_at IS NULL AND e.update_id < u.update_id)
		RETURNING u.payload`, updateID, owner, lease).Scan(&payload)
	return payload, notFound(err)
}

// ClaimNextUpdate claims one update as ClaimUpdates does; ErrNotFound
// when nothing is to be claimed.
func (s *Store) ClaimNextUpdate(ctx context.Context, owner string, lease, window time.Duration, upTo int) (ClaimedUpdate, error) {
	cs, err := s.ClaimUpdates(ctx, owner, lease, window, upTo, 1)
	if err != nil {
		return ClaimedUpdate{}, err
	}
	if len(cs) == 0 {
		return ClaimedUpdate{}, ErrNotFound
	}
	return cs[0], nil
}

// Internals that the external tests (package storage_test) check.
var PrefixEnd = prefixEnd

// Statements that run with generic plans, and the settings they run with.
const (
	ClaimSQL          = claimSQL
	IntakePlans       = intakePlans
	WriteUserSQL      = writeUserSQL
	UserWriteSettings = userWriteSettings
)

// How SearchProbes makes the probes of a search with words run.
const (
	// ProbesByPlanner: no sample; PostgreSQL chooses for the actual values.
	ProbesByPlanner = iota
	// ProbesCollect: every probe collects its matches from the index.
	ProbesCollect
	// ProbesWalk: every probe whose conditions some listing meets walks
	// the listings in date order (the others collect).
	ProbesWalk
	// ProbesRecent: a probe whose matches are rare collects those at or
	// after the date of the middle listing (and the older ones when they
	// are too few); the others walk, or collect when nothing matches.
	ProbesRecent
)

// SearchProbes makes every search of s that has words run its probes as
// way says, instead of asking a sample of the newest listings; no sample
// is loaded from then on.
func SearchProbes(ctx context.Context, s *Store, way int) error {
	NoResultCache(s)
	s.sampling.Store(true)
	switch way {
	case ProbesCollect:
		// Nothing matches in an empty sample: every probe collects.
		s.sample.Store(&listingSample{at: time.Now().Add(24 * time.Hour)})
	case ProbesWalk, ProbesRecent:
		// The listings as a tiny part of a huge table: whatever matches
		// among them is too common to collect all.
		smp, err := s.loadSample(ctx)
		if err != nil {
			return err
		}
		smp.at, smp.total = time.Now().Add(24*time.Hour), math.MaxInt32
		if way == ProbesRecent {
			var middle time.Time
			if err := s.pool.QueryRow(ctx, `SELECT created_at FROM project_listings
				ORDER BY created_at DESC, project_id DESC
				OFFSET (SELECT count(*) / 2 FROM project_listings) LIMIT 1`).Scan(&middle); err != nil {
				return err
			}
			smp.since = make([]time.Time, len(windowPositions))
			for i := range smp.since {
				smp.since[i] = middle
			}
		}
		s.sample.Store(smp)
	default:
		s.sample.Store(nil)
	}
	return nil
}

// LoadSearchSample loads s's sample of the newest listings now and
// returns how many listings it holds and how many there are in all.
func LoadSearchSample(ctx context.Context, s *Store) (n, total int, err error) {
	smp, err := s.loadSample(ctx)
	if err != nil {
		return 0, 0, err
	}
	return smp.n, smp.total, nil
}

// NoResultCache makes every search and town look-up of s run, for tests
// and benchmarks that compare or time them (searchcache.go). Call it
// before s is used.
func NoResultCache(s *Store) { s.results.off = true }
