package storage

import (
	"context"
	"time"
)

// Internals that the external tests (package storage_test) check.
var PrefixEnd = prefixEnd

// SearchProbesCollect makes every search of s that has words collect the
// matches of each probe from the index (collect), or leaves every choice
// to the planner (no sample), instead of asking a sample of the newest
// listings; no sample is loaded from then on.
func SearchProbesCollect(s *Store, collect bool) {
	s.sampling.Store(true)
	if collect {
		// Nothing matches in an empty sample: every probe collects.
		s.sample.Store(&listingSample{at: time.Now().Add(24 * time.Hour)})
	} else {
		s.sample.Store(nil)
	}
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
