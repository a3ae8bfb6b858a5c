package storage

import (
	"context"
	"errors"
	"sync"
)

// Many people ask the same: at a conference, after a newsletter, the towns
// of one partnership. An instance keeps what recent searches and town
// look-ups returned, for as long as nothing they show has changed:
// search_generation (migration 00160) counts the transactions that wrote
// listings, projects, their words, towns or the names towns are found by,
// and a kept result is used only while the count read before it was made
// stands. The claim of an update reads the count along (WithClaim); where
// there is none, reading it is one look-up by primary key, where a search
// looks up its words and then collects and ranks its matches.
//
// The count is read before a result is made, so a kept result is never
// older than its count: a change counted later makes the count differ. It
// may be newer (a change committed between the reading and the search),
// which shows a searcher at that count a little more than their snapshot,
// never less.

// maxCachedResults bounds the results an instance keeps: a page of
// results holds at most 40 kB (five projects with descriptions of up to
// 2,000 characters), so they take 20 MB at worst. Searches people repeat
// are far fewer.
const maxCachedResults = 512

// resultCache holds results made at one generation of search_generation,
// and the results being made: a search many people start at once (every
// worker, right after a change) runs once, and the others wait for it.
type resultCache struct {
	// off makes every search and look-up run (tests and benchmarks that
	// measure or compare them).
	off      bool
	mu       sync.Mutex
	gen      int64
	results  map[string]any
	inFlight map[string]*flight
}

// flight is a result being made at gen; done is closed when v and err are
// set.
type flight struct {
	gen  int64
	done chan struct{}
	v    any
	err  error
}

// searchGeneration reads search_generation.
func (s *Store) searchGeneration(ctx context.Context) (int64, error) {
	var gen int64
	err := s.pool.QueryRow(ctx, `SELECT generation FROM search_generation WHERE one`).Scan(&gen)
	return gen, err
}

// cached returns the result kept for key at the current generation (as the
// claim of the update being handled read it, see WithClaim, or else read
// now), or makes it with compute and keeps it; while it is being made,
// another asking for it at that generation or an older one waits for it.
// compute's result must not be changed afterwards, by compute or by the
// caller: others get it too.
func cached[T any](ctx context.Context, s *Store, key string, compute func() (T, error)) (v T, err error) {
	if s.results.off {
		return compute()
	}
	var gen int64
	if c := claimed(ctx); c != nil {
		gen = c.SearchGeneration
	} else if gen, err = s.searchGeneration(ctx); err != nil {
		return v, err
	}
	kept, ok, wait, mine := s.results.start(gen, key)
	switch {
	case ok:
		return kept.(T), nil
	case wait != nil:
		select {
		case <-wait.done:
			if wait.err == nil {
				return wait.v.(T), nil
			}
			// The other's failure (its deadline, say) is not this
			// caller's: it makes the result itself.
			return compute()
		case <-ctx.Done():
			return v, ctx.Err()
		}
	}
	finished := false
	defer func() {
		if !finished { // compute panicked: those waiting make it themselves
			s.results.finish(key, mine, v, errComputePanicked)
		}
	}()
	v, err = compute()
	finished = true
	s.results.finish(key, mine, v, err)
	return v, err
}

// errComputePanicked ends the flight of a result whose making panicked.
var errComputePanicked = errors.New("storage: making a kept result panicked")

// start returns the result kept for key at gen (ok), or the flight making
// it at gen or later to wait for, or else the flight the caller is to make
// it in, to be ended with finish.
func (c *resultCache) start(gen int64, key string) (v any, ok bool, wait, mine *flight) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok = c.kept(gen, key); ok {
		return v, true, nil, nil
	}
	if f := c.inFlight[key]; f != nil && f.gen >= gen {
		return nil, false, f, nil
	}
	// A flight at an older count goes on for whoever waits for it; this
	// one takes its place for those who come later.
	if c.inFlight == nil {
		c.inFlight = map[string]*flight{}
	}
	mine = &flight{gen: gen, done: make(chan struct{})}
	c.inFlight[key] = mine
	return nil, false, nil, mine
}

// finish hands the result made in flight f for key to those waiting for it
// and, when it was made without error, keeps it.
func (c *resultCache) finish(key string, f *flight, v any, err error) {
	c.mu.Lock()
	if c.inFlight[key] == f {
		delete(c.inFlight, key)
	}
	c.mu.Unlock()
	f.v, f.err = v, err
	close(f.done)
	if err == nil {
		c.put(f.gen, key, v)
	}
}

// kept returns the result kept for key at gen; c.mu is held.
func (c *resultCache) kept(gen int64, key string) (any, bool) {
	if gen != c.gen {
		return nil, false
	}
	v, ok := c.results[key]
	return v, ok
}

// put keeps v for key at gen. A newer generation replaces everything kept;
// a result of an older one (made by a search that began before another
// saw the new count) is not kept.
func (c *resultCache) put(gen int64, key string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.gen:
		return
	case gen > c.gen || c.results == nil:
		c.gen, c.results = gen, map[string]any{}
	case len(c.results) >= maxCachedResults:
		// Any one goes: a map's order is random enough for a cache whose
		// entries all go at the next change anyway.
		for k := range c.results {
			delete(c.results, k)
			break
		}
	}
	c.results[key] = v
}
