package storage

import (
	"context"
	"log/slog"
	"math/bits"
	"time"

	"github.com/jackc/pgx/v5"
)

// A search probe (the newest matches of some conditions, see
// SearchProjects) can run two ways: walk the listings in date order until
// enough match, or collect every match from the GIN index and keep the
// newest. Walking costs about a microsecond per listing looked at,
// collecting a few per match, so walking wins when matches are common and
// collecting when they are rare. PostgreSQL chooses from its estimate of
// how many listings match, which for a search across languages is often
// far off: a word's condition lists its own ids and its concepts' tokens,
// which mostly occur together (every text with "sadochok" has
// ~kindergarten), but the planner takes them for independent and adds
// them up. For `садочок choir` it estimated 1,416 matches for 848 and
// walked 5,576 listings (4.4 ms) where collecting took 1.9 ms
// (docs/benchmarks.md).
//
// So each instance keeps an index of the newest listings (sampleSize of
// them: which words and filter values each has) in memory, renewed in the
// background once it is older than sampleMaxAge, and asks it first how
// common a probe's matches are among them: when collecting costs less
// than walking, the probe collects; otherwise the planner chooses (and
// walks). The sample only ever chooses the plan: both give the same rows,
// so a stale sample costs time, never a wrong result.

// sampleSize is how many of the newest listings the sample holds: enough
// to tell the share of matches where walking and collecting cost about
// the same (1 to 2 percent: 50 matches in 3,000 to 5,000 listings).
const sampleSize = 3000

// sampleMaxAge is how long a sample is used before it is renewed.
const sampleMaxAge = time.Minute

// What a probe costs on the benchmark's data (docs/benchmarks.md), in
// microseconds, measured with pgbench: walking one listing in date order
// (reading it and comparing its words), and collecting one match from the
// index (its share of the index scan, reading its listing, sorting),
// without and with a topic, language or country filter, whose long lists
// in the index are read as well; and, for a probe that collects only the
// matches newer than a date (EXPLAIN ANALYZE on the same data), each
// listing of that time in the index (a range of 10,600 listings' dates
// cost 0.5 ms), and each filter, whose long list in the index is then
// read for few matches: a fixed cost (with a topic and a country, 166
// matches of 4,501 listings took 1.25 ms, where walking to 50 of them
// took 0.55 ms).
const (
	walkCost            = 0.9
	collectCost         = 2.2
	collectFilteredCost = 3.5
	sinceCost           = 0.05
	sinceFilterCost     = 400
)

// A probe whose matches are too many to collect all and too rare to walk
// to cheaply may collect only those at or after the date of the listing
// at the first of windowPositions by which windowMargin times limit
// matches are expected (with the share of matches among the sample): the
// newest limit matches lie there with a wide margin, and should they not,
// the older ones are collected as well (see SearchProjects).
const windowMargin = 3

// windowPositions are the positions (newest first, 0 the newest) whose
// dates the sample records for windows. Reading them reads the date index
// down to the last position (94,036 listings: about 40 ms, once a
// minute, in the background).
var windowPositions = []int{1000, 2000, 3000, 4500, 6000, 9000, 12000, 18000, 24000, 36000, 48000, 72000,
	96000, 144000, 192000, 288000, 384000}

// rowSet is a set of the sample's listings, by position (newest first).
type rowSet [(sampleSize + 63) / 64]uint64

// listingSample indexes the newest listings as loaded at at: for every
// word id and every filter value, the positions of the listings that have
// it. total is how many listings there were then.
type listingSample struct {
	at    time.Time
	n     int // listings in the sample
	total int
	// since holds the dates of the listings at windowPositions (as far
	// as there are listings).
	since []time.Time
	words map[int32][]uint16
	towns map[int64][]uint16 // town and partner town
	// Listings by topic, team language and country.
	topics, languages, countries map[string]*rowSet
}

// searchSample returns the sample (nil before the first is loaded) and,
// when it is missing or old, starts loading a new one in the background;
// the search in hand does not wait for it.
func (s *Store) searchSample() *listingSample {
	cur := s.sample.Load()
	if (cur == nil || time.Since(cur.at) > sampleMaxAge) && s.sampling.CompareAndSwap(false, true) {
		go func() {
			defer s.sampling.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			fresh, err := s.loadSample(ctx)
			if err != nil {
				// Searches go on with the old sample, or the planner's
				// choice; the next search tries again.
				slog.WarnContext(ctx, "search sample not loaded", "err", err)
				return
			}
			s.sample.Store(fresh)
		}()
	}
	return cur
}

// loadSample counts the listings and indexes the newest sampleSize.
func (s *Store) loadSample(ctx context.Context) (*listingSample, error) {
	smp := &listingSample{at: time.Now(), words: map[int32][]uint16{}, towns: map[int64][]uint16{},
		topics: map[string]*rowSet{}, languages: map[string]*rowSet{}, countries: map[string]*rowSet{}}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM project_listings`).Scan(&smp.total); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT created_at FROM (
			SELECT created_at, row_number() OVER (ORDER BY created_at DESC, project_id DESC) - 1 AS pos
			FROM project_listings ORDER BY created_at DESC, project_id DESC LIMIT $2) x
		WHERE pos = ANY ($1) ORDER BY pos`, windowPositions, windowPositions[len(windowPositions)-1]+1)
	if err != nil {
		return nil, err
	}
	if smp.since, err = pgx.CollectRows(rows, pgx.RowTo[time.Time]); err != nil {
		return nil, err
	}
	rows, err = s.pool.Query(ctx, `SELECT words, town_id, coalesce(partner_town_id, 0), topics, languages, countries
		FROM project_listings ORDER BY created_at DESC, project_id DESC LIMIT $1`, sampleSize)
	if err != nil {
		return nil, err
	}
	var words []int32
	var town, partner int64
	var topics, languages, countries []string
	_, err = pgx.ForEachRow(rows, []any{&words, &town, &partner, &topics, &languages, &countries}, func() error {
		pos := uint16(smp.n)
		for _, w := range words {
			smp.words[w] = append(smp.words[w], pos)
		}
		smp.towns[town] = append(smp.towns[town], pos)
		if partner != 0 && partner != town {
			smp.towns[partner] = append(smp.towns[partner], pos)
		}
		for _, f := range []struct {
			sets   map[string]*rowSet
			values []string
		}{{smp.topics, topics}, {smp.languages, languages}, {smp.countries, countries}} {
			for _, v := range f.values {
				if f.sets[v] == nil {
					f.sets[v] = &rowSet{}
				}
				f.sets[v].add(pos)
			}
		}
		smp.n++
		return nil
	})
	return smp, err
}

// probePlan is how a probe runs: it walks the listings in date order,
// or it collects its matches from the index, only those at or after
// since unless that is zero.
type probePlan struct {
	collect bool
	since   time.Time
}

// plan returns how a probe for the newest limit listings that pass q's
// filters (but a sector's) and match every list of conds (a listing
// matches a list when its words include one of its ids) should run, the
// cheapest of three ways. With d the share of matching listings among the
// newest: walking to limit of them (limit/d listings), collecting all
// matches (d times all listings), or collecting those after the date of a
// window of the newest listings that holds the newest limit matches with
// a margin (windowMargin times limit matches, and the window's dates).
func (smp *listingSample) plan(q ProjectQuery, conds [][]int32, limit int) probePlan {
	var match rowSet
	for i := range smp.n {
		match.add(uint16(i))
	}
	if len(q.TownIDs) > 0 {
		var towns rowSet
		for _, t := range q.TownIDs {
			towns.addAll(smp.towns[t])
		}
		match.and(&towns)
	}
	for _, f := range []struct {
		sets  map[string]*rowSet
		value string
	}{{smp.topics, q.Topic}, {smp.languages, q.Language}, {smp.countries, q.Country}} {
		if f.value != "" {
			match.and(f.sets[f.value]) // nil: nobody has it
		}
	}
	for _, ids := range conds {
		var either rowSet
		for _, id := range ids {
			either.addAll(smp.words[id])
		}
		match.and(&either)
	}
	found, seen := match.first(limit)
	if found < limit {
		seen = smp.n
	}
	if found == 0 {
		return probePlan{collect: true}
	}
	d := float64(found) / float64(seen)
	perMatch, filters := collectCost, 0
	for _, f := range []string{q.Topic, q.Language, q.Country} {
		if f != "" {
			perMatch, filters = collectFilteredCost, filters+1
		}
	}
	if q.Topic != "" && q.Country != "" {
		filters-- // one list of topic/country pairs (SearchProjects)
	}
	plan, cost := probePlan{}, float64(limit)/d*walkCost
	if all := d * float64(smp.total) * perMatch; all < cost {
		plan, cost = probePlan{collect: true}, all
	}
	// Within towns the towns' listings are collected, not a date's.
	if len(q.TownIDs) > 0 {
		return plan
	}
	want := float64(windowMargin*limit) / d
	for i, pos := range windowPositions[:len(smp.since)] {
		if float64(pos) >= want {
			if float64(pos)*sinceCost+float64(windowMargin*limit)*perMatch+float64(filters)*sinceFilterCost < cost {
				plan = probePlan{collect: true, since: smp.since[i]}
			}
			break
		}
	}
	return plan
}

func (s *rowSet) add(pos uint16) { s[pos/64] |= 1 << (pos % 64) }

func (s *rowSet) addAll(positions []uint16) {
	for _, p := range positions {
		s.add(p)
	}
}

// and keeps only the members of other (nil: none).
func (s *rowSet) and(other *rowSet) {
	for i := range s {
		if other == nil {
			s[i] = 0
		} else {
			s[i] &= other[i]
		}
	}
}

// first counts the members up to limit of them and returns how many it
// found and the position after the last one counted.
func (s *rowSet) first(limit int) (found, end int) {
	for i, w := range s {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			found++
			if found == limit {
				return found, i*64 + b + 1
			}
			w &= w - 1
		}
	}
	return found, 0
}
