package storage

import (
	"testing"
	"time"
)

// TestSampleChoosesByShare: a probe walks when its matches are common
// among the newest listings and collects when they are rare, counting
// filters and every list of word ids; a word nobody has collects.
func TestSampleChoosesByShare(t *testing.T) {
	// 3,000 newest of 100,000 listings: word 1 in every 10th, word 2 in
	// every 200th, word 3 in every 2nd; the topic "water" in every 3rd.
	smp := &listingSample{at: time.Now(), total: 100000, words: map[int32][]uint16{}, towns: map[int64][]uint16{},
		topics: map[string]*rowSet{"water": {}}, languages: map[string]*rowSet{}, countries: map[string]*rowSet{}}
	for i := range sampleSize {
		pos := uint16(i)
		for _, w := range []struct {
			id    int32
			every int
		}{{1, 10}, {2, 200}, {3, 2}} {
			if i%w.every == 0 {
				smp.words[w.id] = append(smp.words[w.id], pos)
			}
		}
		if i%3 == 0 {
			smp.topics["water"].add(pos)
		}
		smp.n++
	}
	for _, c := range []struct {
		name  string
		q     ProjectQuery
		conds [][]int32
		limit int
		want  bool
	}{
		// 10%: 500 listings walked against 10,000 collected.
		{"common word", ProjectQuery{}, [][]int32{{1}}, 50, false},
		// 0.5%: 10,000 walked against 500 collected.
		{"rare word", ProjectQuery{}, [][]int32{{2}}, 50, true},
		{"rare word or common word", ProjectQuery{}, [][]int32{{2, 1}}, 50, false},
		// Every 10th and every 2nd: 10% again.
		{"two common words", ProjectQuery{}, [][]int32{{1}, {3}}, 50, false},
		// Every 30th (1 and water), 3.3%: walk 1,500 against 3,333 collected.
		{"common word and topic", ProjectQuery{Topic: "water"}, [][]int32{{1}}, 50, false},
		// Every 600th.
		{"rare word and topic", ProjectQuery{Topic: "water"}, [][]int32{{2}}, 50, true},
		{"unknown topic", ProjectQuery{Topic: "sport"}, [][]int32{{1}}, 50, true},
		{"unknown word", ProjectQuery{}, [][]int32{{9}}, 10, true},
		// Ten of every 200th: 2,000 walked against 500 collected.
		{"rare word, few wanted", ProjectQuery{}, [][]int32{{2}}, 10, true},
		{"common word, few wanted", ProjectQuery{}, [][]int32{{1}}, 10, false},
		{"town of nobody", ProjectQuery{TownIDs: []int64{7}}, [][]int32{{1}}, 50, true},
	} {
		if got := smp.plan(c.q, c.conds, c.limit); got.collect != c.want || !got.since.IsZero() {
			t.Errorf("%s: %+v, want collecting %v, all of them", c.name, got, c.want)
		}
	}
}

// TestSampleCollectsRecentMatches: a probe whose matches are too many to
// collect all but too rare to walk to collects those after the date of
// the window of newest listings that should hold them with a margin;
// with a filter, whose list the index reads for few matches, and when
// walking is cheap, it does not.
func TestSampleCollectsRecentMatches(t *testing.T) {
	// 3,000 newest of 100,000 listings: word 1 in every 100th, word 2 in
	// every 2nd; the topic "water" in every 3rd.
	smp := &listingSample{at: time.Now(), total: 100000, words: map[int32][]uint16{}, towns: map[int64][]uint16{},
		topics: map[string]*rowSet{"water": {}}, languages: map[string]*rowSet{}, countries: map[string]*rowSet{}}
	for i := range sampleSize {
		pos := uint16(i)
		if i%100 == 0 {
			smp.words[1] = append(smp.words[1], pos)
		}
		if i%2 == 0 {
			smp.words[2] = append(smp.words[2], pos)
		}
		if i%3 == 0 {
			smp.topics["water"].add(pos)
		}
		smp.n++
	}
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, pos := range windowPositions {
		smp.since = append(smp.since, day.Add(-time.Duration(pos)*time.Minute))
	}
	for _, c := range []struct {
		name  string
		q     ProjectQuery
		conds [][]int32
		want  probePlan
	}{
		// 1%: walking 5,000 (4.5 ms), collecting 1,000 (2.2 ms), or the
		// 150 expected in the newest 18,000 (1.2 ms).
		{"word in every 100th", ProjectQuery{}, [][]int32{{1}},
			probePlan{collect: true, since: day.Add(-18000 * time.Minute)}},
		// Every 300th: collecting 333 (1.2 ms), or 150 in the newest 48,000
		// and the topic's list (3.3 ms).
		{"word and topic", ProjectQuery{Topic: "water"}, [][]int32{{1}}, probePlan{collect: true}},
		// Every 2nd: walking 100 (0.1 ms).
		{"common word", ProjectQuery{}, [][]int32{{2}}, probePlan{}},
	} {
		if got := smp.plan(c.q, c.conds, 50); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
