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
		if got := smp.collects(c.q, c.conds, c.limit); got != c.want {
			t.Errorf("%s: collects %v, want %v", c.name, got, c.want)
		}
	}
}
