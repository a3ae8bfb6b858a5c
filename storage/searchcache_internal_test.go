package storage

import "testing"

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
				v, ok := c.get(s.gen, s.key)
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
	if v, ok := c.get(1, string(rune(last))); !ok || v.(int) != last {
		t.Fatalf("the newest result is not kept: %v, %v", v, ok)
	}
}
