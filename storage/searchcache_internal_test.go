package storage

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// get reads what c keeps for key at gen.
func get(c *resultCache, gen int64, key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kept(gen, key)
}

// TestResultCacheKeepsTheNewestGeneration: results are used only at the
// generation they were made at; a newer one replaces them all, and one made
// at an older generation (a search that read the count before another
// instance's change) is not kept.
func TestResultCacheKeepsTheNewestGeneration(t *testing.T) {
	type step struct {
		put     bool
		gen     int64
		key     string
		value   int
		wantHit bool // for a get: whether value is found
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"same generation", []step{{put: true, gen: 3, key: "a", value: 1}, {gen: 3, key: "a", value: 1, wantHit: true}}},
		{"other key", []step{{put: true, gen: 3, key: "a", value: 1}, {gen: 3, key: "b"}}},
		{"newer generation asked", []step{{put: true, gen: 3, key: "a", value: 1}, {gen: 4, key: "a"}}},
		{"older generation asked", []step{{put: true, gen: 3, key: "a", value: 1}, {gen: 2, key: "a"}}},
		{"newer put replaces all", []step{{put: true, gen: 3, key: "a", value: 1}, {put: true, gen: 4, key: "b", value: 2},
			{gen: 4, key: "a"}, {gen: 4, key: "b", value: 2, wantHit: true}}},
		{"older put not kept", []step{{put: true, gen: 4, key: "a", value: 1}, {put: true, gen: 3, key: "b", value: 2},
			{gen: 3, key: "b"}, {gen: 4, key: "a", value: 1, wantHit: true}}},
		{"generation zero", []step{{put: true, gen: 0, key: "a", value: 1}, {gen: 0, key: "a", value: 1, wantHit: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c resultCache
			for i, s := range tt.steps {
				if s.put {
					c.put(s.gen, s.key, s.value)
					continue
				}
				v, ok := get(&c, s.gen, s.key)
				if ok != s.wantHit || ok && v.(int) != s.value {
					t.Fatalf("step %d: get(%d, %q) = %v, %v; want %v, %v", i, s.gen, s.key, v, ok, s.value, s.wantHit)
				}
			}
		})
	}
}

// TestResultCacheIsBounded: however many different searches are made at
// one generation, at most maxCachedResults are kept, the newest among them.
func TestResultCacheIsBounded(t *testing.T) {
	var c resultCache
	for i := range 3 * maxCachedResults {
		c.put(1, string(rune(i)), i)
	}
	if n := len(c.results); n != maxCachedResults {
		t.Fatalf("%d results kept, want %d", n, maxCachedResults)
	}
	last := 3*maxCachedResults - 1
	if v, ok := get(&c, 1, string(rune(last))); !ok || v.(int) != last {
		t.Fatalf("the newest result is not kept: %v, %v", v, ok)
	}
}

// TestResultMadeOnceForManyAskers: many asking at once for a result not
// kept wait for the one who makes it, and get it; a failure of the maker
// is not theirs: then each makes it itself; an asker at a newer
// generation does not take the older flight's result.
func TestResultMadeOnceForManyAskers(t *testing.T) {
	s := &Store{}
	ctx := WithClaim(context.Background(), ClaimedUpdate{SearchGeneration: 5})
	release := make(chan struct{})
	var made atomic.Int32
	var wg sync.WaitGroup
	const askers = 8
	results := make([]int, askers)
	var entered atomic.Int32
	for i := range askers {
		wg.Go(func() {
			entered.Add(1)
			v, err := cached(ctx, s, "q", func() (int, error) {
				made.Add(1)
				<-release
				return 42, nil
			})
			if err != nil {
				t.Error(err)
			}
			results[i] = v
		})
	}
	// Let every asker find the flight before it lands (one that came
	// later would find the result kept, which proves nothing).
	for entered.Load() < askers {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := made.Load(); n != 1 {
		t.Errorf("made %d times, want once", n)
	}
	for i, v := range results {
		if v != 42 {
			t.Errorf("asker %d got %d", i, v)
		}
	}

	// The maker fails: those waiting make it themselves.
	fail := errors.New("maker's deadline")
	started := make(chan struct{})
	failNow := make(chan struct{})
	var got int
	wg.Go(func() {
		if _, err := cached(ctx, s, "r", func() (int, error) { close(started); <-failNow; return 0, fail }); err != fail {
			t.Errorf("maker: %v, want its own error", err)
		}
	})
	<-started
	wg.Go(func() {
		v, err := cached(ctx, s, "r", func() (int, error) { return 7, nil })
		if err != nil {
			t.Error(err)
		}
		got = v
	})
	time.Sleep(20 * time.Millisecond) // the second asker waits for the flight
	close(failNow)
	wg.Wait()
	if got != 7 {
		t.Errorf("after the maker failed the waiter got %d, want its own 7", got)
	}

	// The maker panics: the flight ends, and a waiter makes it itself.
	started = make(chan struct{})
	panicNow := make(chan struct{})
	wg.Go(func() {
		defer func() {
			if recover() == nil {
				t.Error("the maker's panic was swallowed")
			}
		}()
		cached(ctx, s, "p", func() (int, error) { close(started); <-panicNow; panic("search bug") })
	})
	<-started
	wg.Go(func() {
		v, err := cached(ctx, s, "p", func() (int, error) { return 9, nil })
		if err != nil || v != 9 {
			t.Errorf("after the maker panicked: %d, %v; want its own 9", v, err)
		}
	})
	time.Sleep(20 * time.Millisecond)
	close(panicNow)
	wg.Wait()

	// A flight at generation 5 does not serve an asker at 6.
	// (A deadline, so that waiting on the old flight fails rather than hangs.)
	newer, cancel := context.WithTimeout(WithClaim(context.Background(), ClaimedUpdate{SearchGeneration: 6}), 5*time.Second)
	defer cancel()
	_, _, _, old := s.results.start(5, "s")
	v, err := cached(newer, s, "s", func() (int, error) { return 6, nil })
	if err != nil || v != 6 {
		t.Errorf("asker at a newer generation: %d, %v; want its own 6", v, err)
	}
	s.results.finish("s", old, 5, nil)
	if v, ok := get(&s.results, 6, "s"); !ok || v.(int) != 6 {
		t.Errorf("kept at 6: %v, %v; want 6", v, ok)
	}
}
