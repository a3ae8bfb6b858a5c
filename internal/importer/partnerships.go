package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"partnerbot/storage"
)

// PartnershipsHeader is the header row of a partnerships file. town_a and
// town_b are keys from a towns file; kind is twinning, solidarity or
// project; since is empty, a year, a year-month or a date (2004,
// 2004-05, 2004-05-21).
var PartnershipsHeader = []string{"town_a", "town_b", "kind", "since"}

// Partnerships imports a partnerships file. The towns must be imported
// first.
func Partnerships(ctx context.Context, store *storage.Store, r io.Reader) (Report, error) {
	rows, err := readRows(r, PartnershipsHeader)
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	var recs []storage.PartnershipRecord
	var lines []int
	more := len(errs) < maxErrors
	for _, row := range rows {
		if !more {
			break
		}
		rec, err := ParsePartnership(row.fields)
		if err != nil {
			errs, more = collect(errs, row.line, err)
			continue
		}
		recs = append(recs, rec)
		lines = append(lines, row.line)
	}
	if len(errs) > 0 {
		return Report{}, errors.Join(errs...)
	}
	return write(ctx, store, len(recs), func(i int) int { return lines[i] },
		func(ctx context.Context, w *storage.TownWriter, i int) (bool, error) {
			return w.UpsertPartnership(ctx, recs[i])
		})
}

// ParsePartnership checks one row of a partnerships file (columns as in
// PartnershipsHeader).
func ParsePartnership(fields []string) (storage.PartnershipRecord, error) {
	if len(fields) != len(PartnershipsHeader) {
		return storage.PartnershipRecord{}, fmt.Errorf("%d columns, want %d", len(fields), len(PartnershipsHeader))
	}
	rec := storage.PartnershipRecord{TownA: fields[0], TownB: fields[1], Kind: strings.ToLower(fields[2])}
	for _, k := range []string{rec.TownA, rec.TownB} {
		if k == "" {
			return rec, errors.New("both town keys are required")
		}
		if len(k) > maxKey || !keyPattern.MatchString(k) {
			return rec, fmt.Errorf("%q is not a town key", k)
		}
	}
	if rec.TownA == rec.TownB {
		return rec, fmt.Errorf("a town cannot be its own partner (%q)", rec.TownA)
	}
	if !slices.Contains(storage.PartnershipKinds, rec.Kind) {
		return rec, fmt.Errorf("kind %q must be one of %s", fields[2], strings.Join(storage.PartnershipKinds, ", "))
	}
	since, err := parseSince(fields[3])
	rec.Since = since
	return rec, err
}

// parseSince reads a year, a year-month or a date; an empty one is the
// zero time. A date in the future is refused: it is a typo.
func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006", "2006-01", "2006-01-02"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if t.Year() < 1900 || t.After(time.Now()) {
			return time.Time{}, fmt.Errorf("since %q is not a plausible date", s)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("since %q must be a year, year-month or date (2004, 2004-05, 2004-05-21)", s)
}
