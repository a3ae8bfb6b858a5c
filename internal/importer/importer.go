// Package importer loads towns and partnerships from CSV files into the
// database. A file is checked completely before anything is written, and
// written in one transaction: a malformed row is reported with its line
// number and leaves the database as it was. Re-importing a file updates the
// towns and partnerships it names instead of adding them again: towns are
// identified by the file's key column.
//
// Both formats are UTF-8 CSV with a header row; lines starting with # are
// comments. See examples/towns.example.csv and
// examples/partnerships.example.csv.
package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"partnerbot/storage"
)

// maxErrors caps how many row errors one run reports; past that, the file
// is probably in another format altogether.
const maxErrors = 20

// LineError is a problem with one line of an import file.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *LineError) Unwrap() error { return e.Err }

// Report counts what an import did.
type Report struct {
	Created, Updated int
}

// row is one data record with the line it starts on.
type row struct {
	line   int
	fields []string
}

// readRows reads a CSV file whose header must be header, and returns its
// data rows. Blank lines and # comments are skipped.
func readRows(r io.Reader, header []string) ([]row, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // spreadsheet programs like to add one
	if !utf8.Valid(data) {
		return nil, errors.New("the file is not UTF-8 text")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1 // counted below, to report the line
	var rows []row
	var errs []error
	first := true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &LineError{Line: pe.Line, Err: pe.Err}
			}
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if first {
			first = false
			if !sameHeader(rec, header) {
				return nil, &LineError{Line: line, Err: fmt.Errorf("the header must be %q", strings.Join(header, ","))}
			}
			continue
		}
		if len(rec) != len(header) {
			errs = append(errs, &LineError{Line: line, Err: fmt.Errorf("%d columns, want %d (%s)", len(rec), len(header), strings.Join(header, ","))})
			if len(errs) == maxErrors {
				break
			}
			continue
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, row{line: line, fields: rec})
	}
	if first {
		return nil, fmt.Errorf("the file is empty; the header must be %q", strings.Join(header, ","))
	}
	return rows, errors.Join(errs...)
}

func sameHeader(rec, header []string) bool {
	if len(rec) != len(header) {
		return false
	}
	for i := range rec {
		if !strings.EqualFold(strings.TrimSpace(rec[i]), header[i]) {
			return false
		}
	}
	return true
}

// collect appends err, tagged with line, and reports whether there is room
// for more.
func collect(errs []error, line int, err error) ([]error, bool) {
	errs = append(errs, &LineError{Line: line, Err: err})
	return errs, len(errs) < maxErrors
}

// checkText validates a free-text field: required or not, at most max
// runes, no control characters.
func checkText(column, s string, required bool, max int) error {
	switch {
	case s == "" && required:
		return fmt.Errorf("%s is missing", column)
	case utf8.RuneCountInString(s) > max:
		return fmt.Errorf("%s is longer than %d characters", column, max)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return fmt.Errorf("%s contains control characters", column)
	}
	return nil
}

// write runs fn for each row in one transaction; an error is tagged with
// the row's line, and rolls everything back.
func write(ctx context.Context, store *storage.Store, n int, lineOf func(int) int,
	fn func(ctx context.Context, w *storage.TownWriter, i int) (created bool, err error)) (Report, error) {
	var rep Report
	err := store.WriteTowns(ctx, func(w *storage.TownWriter) error {
		for i := range n {
			created, err := fn(ctx, w, i)
			if err != nil {
				return &LineError{Line: lineOf(i), Err: err}
			}
			if created {
				rep.Created++
			} else {
				rep.Updated++
			}
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	return rep, nil
}
