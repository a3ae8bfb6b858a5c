package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"partnerbot/internal/importer"
	"partnerbot/storage"
)

// importData implements `partnerbot import towns|partnerships FILE.csv`.
func importData(ctx context.Context, store *storage.Store, args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: partnerbot import towns|partnerships FILE.csv")
	}
	var load func(context.Context, *storage.Store, io.Reader) (importer.Report, error)
	switch args[0] {
	case "towns":
		load = importer.Towns
	case "partnerships":
		load = importer.Partnerships
	default:
		return fmt.Errorf("cannot import %q: choose towns or partnerships", args[0])
	}
	f, err := os.Open(args[1])
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := load(ctx, store, f)
	if err != nil {
		return fmt.Errorf("%s: nothing was imported:\n%w", args[1], err)
	}
	fmt.Printf("%s: %d %s created, %d updated\n", args[1], rep.Created, args[0], rep.Updated)
	return nil
}
