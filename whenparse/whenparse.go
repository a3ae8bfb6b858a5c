// Package whenparse reads the dates, times and durations people type, in
// the forms they use in Ukraine, Germany, France, Sweden and elsewhere:
// "17.06.2025 10:00", "2025-06-17 10:00", "17/06 10h", "17.6. 10 Uhr",
// "10:00 17.06.2025", "kl. 10.30 17/6", "1:30", "90 min", "2 Std.".
//
// Numeric dates are always read day first (as everywhere in Europe), or
// year first when they begin with four digits. Words the parser does not
// know (weekday names, "am", "um", "о") are skipped, but every number must
// be understood: anything doubtful is refused rather than guessed.
package whenparse

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Errors say what was missing or wrong, so the caller can hint precisely.
var (
	ErrNoDate  = errors.New("no date")
	ErrNoTime  = errors.New("no time of day")
	ErrInvalid = errors.New("not a date and time")
)

// Year bounds: outside them a number is a typo, not a plan.
const (
	minYear = 2000
	maxYear = 2100
)

var (
	// year first: 2025-06-17, 2025/6/17, 2025.06.17
	ymdRe = regexp.MustCompile(`^(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?$`)
	// day first with a year or a final dot, which make it surely a date:
	// 17.06.2025, 17/6/25, 17-06-2025, 17.6.
	dmyRe = regexp.MustCompile(`^(\d{1,2})[-./](\d{1,2})(?:[-./](\d{4}|\d{2}))?([-./]?)$`)
	// 10:00, 9:30, 10:00:00, 10:00h
	colonRe = regexp.MustCompile(`^(\d{1,2}):(\d{2})(?::00)?(h|uhr|am|pm)?$`)
	// 10h, 10uhr, 10год, 10am, 10.30am
	suffixRe = regexp.MustCompile(`^(\d{1,2})(?:[.:](\d{2}))?(h|uhr|год\.?|am|pm)$`)
	// 10h30 (French)
	frenchRe = regexp.MustCompile(`^(\d{1,2})h(\d{2})$`)
	// 10.30 or 17.06: a date or a time, decided by context
	dottedRe = regexp.MustCompile(`^(\d{1,2})\.(\d{2})$`)
	hourRe   = regexp.MustCompile(`^\d{1,2}$`)
	// "2025-06-17t10:00" after lower-casing: ISO 8601 joined by T
	isoJoinRe = regexp.MustCompile(`^(\d{4}-\d{1,2}-\d{1,2})t(\d{1,2}:\d{2}(?::\d{2})?)z?$`)
)

// hourMarkers follow a bare hour: "10 Uhr", "10 h", "10 год.", "10 am".
var hourMarkers = map[string]bool{"uhr": true, "h": true, "год": true, "год.": true, "am": true, "pm": true,
	"a.m.": true, "p.m.": true}

// timeWords come before a time: "um 10", "at 10", "à 10", "kl. 10", "о 10".
var timeWords = map[string]bool{"um": true, "at": true, "à": true, "a": true, "kl": true, "kl.": true,
	"klockan": true, "о": true, "об": true, "o": true}

type token struct {
	text string
	used bool
}

type clock struct {
	hour, min int
	ok        bool
}

type date struct {
	year, month, day int
	ok               bool
}

// Parse reads a date and a time of day, wall-clock time in loc. A date
// without a year is the next such day from now on. Parse does not refuse
// past times; that is the caller's rule to state.
func Parse(s string, now time.Time, loc *time.Location) (time.Time, error) {
	toks := tokenize(s)
	if len(toks) == 0 {
		return time.Time{}, ErrInvalid
	}
	var d date
	var c clock
	// First the forms that can only be one thing.
	for i := range toks {
		t := &toks[i]
		if nd, ok := dateOf(t.text); ok {
			if d.ok {
				return time.Time{}, ErrInvalid
			}
			d, t.used = nd, true
		} else if nc, ok := clockOf(t.text, markerAfter(toks, i)); ok {
			if c.ok || c.hour < 0 {
				return time.Time{}, ErrInvalid
			}
			c, t.used = nc, true
		}
		if t.used && hourMarkers[next(toks, i)] {
			toks[i+1].used = true
		}
	}
	// Then "10.30" and "17.06": a time when marked as one or when the date
	// is known, otherwise a date.
	for i := range toks {
		t := &toks[i]
		if t.used || !dottedRe.MatchString(t.text) {
			continue
		}
		m := dottedRe.FindStringSubmatch(t.text)
		marker := markerAfter(toks, i)
		asTime := makeClock(m[1], m[2], marker)
		asDate := date{-1, atoi(m[2]), atoi(m[1]), true}
		couldBeDate := asDate.month >= 1 && asDate.month <= 12 && asDate.day >= 1
		switch {
		case !c.ok && asTime.ok && (d.ok || marker != "" || timeBefore(toks, i) || !couldBeDate):
			c, t.used = asTime, true
		case !d.ok && couldBeDate:
			d, t.used = asDate, true
		case !c.ok && asTime.ok:
			c, t.used = asTime, true
		}
		if t.used && marker != "" {
			toks[i+1].used = true
		}
	}
	// A bare hour counts next to a word that makes it one ("10 Uhr",
	// "um 10", "kl 10", "10 pm"), or after a date ("17.06. 10").
	for i := range toks {
		t := &toks[i]
		if t.used || !hourRe.MatchString(t.text) || c.ok {
			continue
		}
		marker := markerAfter(toks, i)
		if marker == "" && !timeBefore(toks, i) && !(d.ok && i > 0 && toks[i-1].used) {
			continue
		}
		c, t.used = makeClock(t.text, "", marker), true
		if marker != "" {
			toks[i+1].used = true
		}
	}
	for _, t := range toks {
		if !t.used && strings.ContainsAny(t.text, "0123456789") {
			return time.Time{}, ErrInvalid
		}
	}
	switch {
	case !d.ok && !c.ok:
		return time.Time{}, ErrInvalid
	case !d.ok:
		return time.Time{}, ErrNoDate
	case !c.ok:
		if c.hour < 0 {
			return time.Time{}, ErrInvalid // a time was given but is impossible, such as 25:00
		}
		return time.Time{}, ErrNoTime
	}
	return resolve(d, c, now, loc)
}

// dateOf reads a token that can only be a date: year first, or day first
// with a year, a slash or a final dot.
func dateOf(s string) (date, bool) {
	if m := ymdRe.FindStringSubmatch(s); m != nil {
		return date{atoi(m[1]), atoi(m[2]), atoi(m[3]), true}, true
	}
	m := dmyRe.FindStringSubmatch(s)
	if m == nil || dottedRe.MatchString(s) {
		return date{}, false
	}
	year := -1
	if m[3] != "" {
		year = atoi(m[3])
		if len(m[3]) == 2 {
			year += 2000
		}
	}
	return date{year, atoi(m[2]), atoi(m[1]), true}, true
}

// clockOf reads a token that can only be a time of day; marker is the
// hour marker after it ("am", "Uhr"), if any. matched is true also for an
// impossible time such as 25:00, which then has ok false.
func clockOf(s, marker string) (c clock, matched bool) {
	if m := colonRe.FindStringSubmatch(s); m != nil {
		if m[3] == "" {
			m[3] = marker
		}
		return makeClock(m[1], m[2], m[3]), true
	}
	if m := suffixRe.FindStringSubmatch(s); m != nil {
		return makeClock(m[1], m[2], m[3]), true
	}
	if m := frenchRe.FindStringSubmatch(s); m != nil {
		return makeClock(m[1], m[2], ""), true
	}
	return clock{}, false
}

// resolve builds the time, choosing the year when none was given.
func resolve(d date, c clock, now time.Time, loc *time.Location) (time.Time, error) {
	year := d.year
	if year < 0 {
		year = now.In(loc).Year()
	}
	t, ok := build(year, d.month, d.day, c, loc)
	if d.year < 0 && (!ok || t.Before(now)) {
		// 29 February or a day already past: the next year that has it.
		for y := year + 1; y <= year+8; y++ {
			if t, ok = build(y, d.month, d.day, c, loc); ok && !t.Before(now) {
				break
			}
		}
	}
	if !ok {
		return time.Time{}, ErrInvalid
	}
	return t, nil
}

func build(year, month, day int, c clock, loc *time.Location) (time.Time, bool) {
	if year < minYear || year > maxYear || month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, c.hour, c.min, 0, 0, loc)
	// time.Date normalises 31 June into 1 July: that is a typo, not a date.
	return t, t.Day() == day && int(t.Month()) == month
}

// makeClock checks an hour and minute; meridiem is "am", "pm" or
// anything else for the 24-hour clock. An impossible time has ok false
// and hour -1, so that Parse can tell it from a missing one.
func makeClock(h, m, meridiem string) clock {
	hour, min := atoi(h), 0
	if m != "" {
		min = atoi(m)
	}
	switch strings.Trim(meridiem, ".") {
	case "am", "a.m":
		if hour < 1 || hour > 12 {
			return clock{hour: -1}
		}
		hour %= 12
	case "pm", "p.m":
		if hour < 1 || hour > 12 {
			return clock{hour: -1}
		}
		hour = hour%12 + 12
	}
	if hour > 23 || min > 59 {
		return clock{hour: -1}
	}
	return clock{hour, min, true}
}

// tokenize lower-cases s and splits it into words, with commas and "T" of
// ISO 8601 as separators.
func tokenize(s string) []token {
	s = strings.ToLower(s)
	s = strings.NewReplacer(",", " ", ";", " ", "\u00a0", " ", "\u202f", " ").Replace(s)
	var toks []token
	for _, f := range strings.Fields(s) {
		if m := isoJoinRe.FindStringSubmatch(f); m != nil {
			toks = append(toks, token{text: m[1]}, token{text: m[2]})
			continue
		}
		toks = append(toks, token{text: f})
	}
	return toks
}

func next(toks []token, i int) string {
	if i+1 < len(toks) {
		return toks[i+1].text
	}
	return ""
}

// markerAfter is the hour marker following token i, if any.
func markerAfter(toks []token, i int) string {
	if n := next(toks, i); hourMarkers[n] {
		return n
	}
	return ""
}

// timeBefore reports whether a word such as "um" or "kl." precedes token i.
func timeBefore(toks []token, i int) bool {
	return i > 0 && timeWords[toks[i-1].text]
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
