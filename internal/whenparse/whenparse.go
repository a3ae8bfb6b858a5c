// Package whenparse reads the dates, times and durations people type, in
// the forms they use in Ukraine, Germany, France, Sweden and elsewhere:
// "17.06.2025 10:00", "2025-06-17 10:00", "17/06 10h", "17.6. 10 Uhr",
// "10:00 17.06.2025", "kl. 10.30 17/6", "17 червня о 18:00", "le 17 juin à
// 10h", "June 17th 10am", "morgen um 10", "завтра 18:00", "1:30", "90 min",
// "2 Std.".
//
// Numeric dates are always read day first (as everywhere in Europe), or
// year first when they begin with four digits. Month names and the words
// for today, tomorrow and the day after are read in English, German,
// French, Swedish and Ukrainian. Other words (weekday names, "am", "um",
// "о") are skipped, but every number must be understood: anything
// doubtful is refused rather than guessed.
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

// monthNames are month names and their usual abbreviations, lower case:
// English, German, French, Swedish, and Ukrainian in the nominative and in
// the genitive of "17 червня".
var monthNames = map[string]int{
	"january": 1, "jan": 1, "januar": 1, "jänner": 1, "janvier": 1, "janv": 1, "januari": 1, "січень": 1, "січня": 1,
	"february": 2, "feb": 2, "februar": 2, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "februari": 2,
	"лютий": 2, "лютого": 2,
	"march": 3, "mar": 3, "märz": 3, "maerz": 3, "mär": 3, "mars": 3, "березень": 3, "березня": 3,
	"april": 4, "apr": 4, "avril": 4, "avr": 4, "квітень": 4, "квітня": 4,
	"may": 5, "mai": 5, "maj": 5, "травень": 5, "травня": 5,
	"june": 6, "jun": 6, "juni": 6, "juin": 6, "червень": 6, "червня": 6,
	"july": 7, "jul": 7, "juli": 7, "juillet": 7, "juil": 7, "липень": 7, "липня": 7,
	"august": 8, "aug": 8, "août": 8, "aout": 8, "augusti": 8, "серпень": 8, "серпня": 8,
	"september": 9, "sep": 9, "sept": 9, "septembre": 9, "вересень": 9, "вересня": 9,
	"october": 10, "oct": 10, "oktober": 10, "okt": 10, "octobre": 10, "жовтень": 10, "жовтня": 10,
	"november": 11, "nov": 11, "novembre": 11, "листопад": 11, "листопада": 11,
	"december": 12, "dec": 12, "dezember": 12, "dez": 12, "décembre": 12, "decembre": 12, "déc": 12,
	"грудень": 12, "грудня": 12,
}

// dayWords are the words for today, tomorrow and the day after, as days
// from today. Swedish also writes them as two words ("i morgon"): see
// swedishDayWords.
var dayWords = map[string]int{
	"today": 0, "heute": 0, "aujourd'hui": 0, "aujourd’hui": 0, "idag": 0, "сьогодні": 0,
	"tomorrow": 1, "morgen": 1, "demain": 1, "imorgon": 1, "завтра": 1,
	"übermorgen": 2, "uebermorgen": 2, "après-demain": 2, "apres-demain": 2, "iövermorgon": 2, "післязавтра": 2,
}

// swedishDayWords follow "i": "i dag", "i morgon", "i övermorgon".
var swedishDayWords = map[string]int{"dag": 0, "morgon": 1, "övermorgon": 2}

// dayRe is the day of a date written with a month name: "17", "17.",
// "17th", "1st", "1er".
var dayRe = regexp.MustCompile(`^(\d{1,2})(?:\.|st|nd|rd|th|er)?$`)

// yearRe is the year after a month name or its day: "17 червня 2025".
var yearRe = regexp.MustCompile(`^\d{4}$`)

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
	d, err := wordDate(toks, now, loc)
	if err != nil {
		return time.Time{}, err
	}
	var c clock
	// First the forms that can only be one thing.
	for i := range toks {
		if toks[i].used {
			continue
		}
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

// wordDate reads a date written with words: a day and a month name with
// an optional year ("17 червня 2025", "June 17th"), or today, tomorrow or
// the day after; it marks the tokens it used. Two such dates, or a month
// name without its day, are refused.
func wordDate(toks []token, now time.Time, loc *time.Location) (date, error) {
	var d date
	set := func(nd date) error {
		if d.ok {
			return ErrInvalid
		}
		d = nd
		return nil
	}
	for i := range toks {
		t := &toks[i]
		if n, ok := relativeDay(toks, i); ok {
			if err := set(daysFrom(now, loc, n)); err != nil {
				return d, err
			}
			continue
		}
		month, ok := monthNames[strings.TrimSuffix(t.text, ".")]
		if !ok {
			continue
		}
		t.used = true
		// The day comes before the month name, or after it in English.
		day, after := -1, i
		if i > 0 && !toks[i-1].used {
			if m := dayRe.FindStringSubmatch(toks[i-1].text); m != nil {
				day, toks[i-1].used = atoi(m[1]), true
			}
		}
		if day < 0 && i+1 < len(toks) {
			if m := dayRe.FindStringSubmatch(toks[i+1].text); m != nil {
				day, toks[i+1].used, after = atoi(m[1]), true, i+1
			}
		}
		if day < 1 {
			return d, ErrInvalid
		}
		year := -1
		if y := next(toks, after); yearRe.MatchString(y) {
			year, toks[after+1].used = atoi(y), true
		}
		if err := set(date{year, month, day, true}); err != nil {
			return d, err
		}
	}
	return d, nil
}

// relativeDay reads token i as today, tomorrow or the day after (in days
// from today), and marks the words it used.
func relativeDay(toks []token, i int) (int, bool) {
	if n, ok := dayWords[toks[i].text]; ok {
		toks[i].used = true
		return n, true
	}
	if n, ok := swedishDayWords[toks[i].text]; ok && i > 0 && toks[i-1].text == "i" {
		toks[i].used, toks[i-1].used = true, true
		return n, true
	}
	return 0, false
}

// daysFrom is the date n days after today in loc.
func daysFrom(now time.Time, loc *time.Location, n int) date {
	y, m, day := now.In(loc).Date()
	t := time.Date(y, m, day+n, 12, 0, 0, 0, loc)
	return date{t.Year(), int(t.Month()), t.Day(), true}
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
