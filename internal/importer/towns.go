package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"partnerbot/storage"
)

// TownsHeader is the header row of a towns file. names holds the town's
// other names, separated by ";", each optionally prefixed with a BCP 47
// language tag and ":" (uk:Ічня; de:Itschnja).
var TownsHeader = []string{"key", "name", "country", "region", "names"}

const (
	maxKey  = 100
	maxName = 200
)

var (
	keyPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	langTagPattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z][a-z]{3})?$`)
)

// Towns imports a towns file.
func Towns(ctx context.Context, store *storage.Store, r io.Reader) (Report, error) {
	recs, lines, err := ReadTowns(r)
	if err != nil {
		return Report{}, err
	}
	return write(ctx, store, len(recs), func(i int) int { return lines[i] },
		func(ctx context.Context, w *storage.TownWriter, i int) (bool, error) {
			_, created, err := w.UpsertTown(ctx, recs[i])
			return created, err
		})
}

// ReadTowns parses and checks a towns file without touching the database.
// lines[i] is the line recs[i] starts on.
func ReadTowns(r io.Reader) (recs []storage.TownRecord, lines []int, err error) {
	rows, err := readRows(r, TownsHeader)
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	seen := map[string]int{}
	more := len(errs) < maxErrors
	for _, row := range rows {
		if !more {
			break
		}
		rec, err := ParseTown(row.fields)
		if err == nil {
			if prev, dup := seen[rec.Key]; dup {
				err = fmt.Errorf("key %q is already used on line %d", rec.Key, prev)
			}
		}
		if err != nil {
			errs, more = collect(errs, row.line, err)
			continue
		}
		seen[rec.Key] = row.line
		recs = append(recs, rec)
		lines = append(lines, row.line)
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	return recs, lines, nil
}

// ParseTown checks one row of a towns file (columns as in TownsHeader).
func ParseTown(fields []string) (storage.TownRecord, error) {
	if len(fields) != len(TownsHeader) {
		return storage.TownRecord{}, fmt.Errorf("%d columns, want %d", len(fields), len(TownsHeader))
	}
	rec := storage.TownRecord{Key: fields[0], Name: fields[1], Country: strings.ToUpper(fields[2]), Region: fields[3]}
	switch {
	case rec.Key == "":
		return rec, errors.New("key is missing")
	case len(rec.Key) > maxKey || !keyPattern.MatchString(rec.Key):
		return rec, fmt.Errorf("key %q must be up to %d of a-z, 0-9, '.', '_' and '-', starting with a letter or digit", rec.Key, maxKey)
	}
	if err := checkText("name", rec.Name, true, maxName); err != nil {
		return rec, err
	}
	if err := checkCountry(rec.Country); err != nil {
		return rec, err
	}
	if err := checkText("region", rec.Region, false, maxName); err != nil {
		return rec, err
	}
	names, err := parseNames(fields[4])
	rec.Names = names
	return rec, err
}

// checkCountry accepts assigned ISO 3166-1 alpha-2 country codes.
func checkCountry(code string) error {
	if !storage.ValidCountry(code) {
		return fmt.Errorf("country %q is not an ISO 3166-1 alpha-2 code of a country, such as UA, DE or SE", code)
	}
	return nil
}

// parseNames reads the names column.
func parseNames(s string) ([]storage.TownName, error) {
	var names []storage.TownName
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n := storage.TownName{Name: part}
		if tag, name, ok := strings.Cut(part, ":"); ok {
			tag = strings.TrimSpace(tag)
			if !langTagPattern.MatchString(tag) {
				return nil, fmt.Errorf("names: %q is not a language tag such as uk, de or uk-Latn (write lang:name)", tag)
			}
			n = storage.TownName{Lang: tag, Name: strings.TrimSpace(name)}
		}
		if err := checkText("names", n.Name, true, maxName); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, nil
}
