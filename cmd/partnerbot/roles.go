package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"partnerbot/bot"
	"partnerbot/delivery"
	"partnerbot/storage"
)

// changeRole implements `partnerbot grant|revoke <user>`, for setting up
// the first coordinators before anyone can use /coordinators. The person
// is told when the bot runs.
func changeRole(ctx context.Context, store *storage.Store, admins []int64, cmd string, args []string) error {
	args, townNames, err := townFlags(args)
	if err != nil || len(args) != 1 || cmd == "revoke" && len(townNames) > 0 {
		return fmt.Errorf("usage: partnerbot grant <telegram user id | @username> [--town NAME]... | partnerbot revoke <telegram user id | @username>")
	}
	towns, err := findTowns(ctx, store, townNames)
	if err != nil {
		return err
	}
	var u storage.User
	if id, perr := strconv.ParseInt(args[0], 10, 64); perr == nil {
		u, err = store.User(ctx, id)
	} else {
		u, err = store.UserByUsername(ctx, strings.TrimPrefix(args[0], "@"))
	}
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("no user %s: they must send /start to the bot first", args[0])
	}
	if err != nil {
		return err
	}
	if slices.Contains(admins, u.ID) {
		return fmt.Errorf("%s (%d) is an administrator (ADMIN_IDS) and has every right already", u.DisplayName(), u.ID)
	}
	role := storage.RoleCoordinator
	if cmd == "revoke" {
		role = storage.RoleVolunteer
	}
	// The person is told as from /coordinators: the message waits in the
	// delivery queue, committed with the change, until the bot sends it.
	queue, err := delivery.New(store.Pool(), nil, delivery.Config{})
	if err != nil {
		return err
	}
	var changed bool
	var added []string
	err = store.InTx(ctx, func(tx pgx.Tx) (err error) {
		var c storage.RoleChange
		if c, changed, err = store.SetRoleTx(ctx, tx, 0, u.ID, role); err != nil {
			return err
		}
		for _, t := range towns {
			ok, err := store.AddCoordinatorTownTx(ctx, tx, 0, u.ID, t.ID)
			if err != nil {
				return err
			}
			if ok {
				added = append(added, t.Name)
			}
		}
		if !changed {
			return nil
		}
		_, err = queue.ScheduleTx(ctx, tx, bot.RoleChangeNotice(c))
		return err
	})
	if err != nil {
		return err
	}
	if len(added) > 0 {
		fmt.Printf("%s (%d) is a coordinator for %s\n", u.DisplayName(), u.ID, strings.Join(added, ", "))
	}
	if !changed {
		fmt.Printf("%s (%d) is a %s already\n", u.DisplayName(), u.ID, role)
		return nil
	}
	fmt.Printf("%s (%d) is now a %s\n", u.DisplayName(), u.ID, role)
	return nil
}

// townFlags takes "--town NAME" (or "--town=NAME") out of args.
func townFlags(args []string) (rest, towns []string, err error) {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--town":
			if i+1 == len(args) {
				return nil, nil, fmt.Errorf("--town needs a town name")
			}
			towns = append(towns, args[i+1])
			i++
		case strings.HasPrefix(a, "--town="):
			towns = append(towns, strings.TrimPrefix(a, "--town="))
		default:
			rest = append(rest, a)
		}
	}
	return rest, towns, nil
}

// findTowns looks each name up with the town search; a name must find one
// confirmed town, or one whose name matches exactly.
func findTowns(ctx context.Context, store *storage.Store, names []string) ([]storage.Town, error) {
	var out []storage.Town
	for _, name := range names {
		found, err := store.SearchTowns(ctx, name, 5)
		if err != nil {
			return nil, err
		}
		var exact []storage.Town
		for _, t := range found {
			if t.Exact {
				exact = append(exact, t)
			}
		}
		switch {
		case len(exact) == 1:
			out = append(out, exact[0])
		case len(found) == 1:
			out = append(out, found[0])
		case len(found) == 0:
			return nil, fmt.Errorf("no town %q: import it first (partnerbot import towns)", name)
		default:
			var list []string
			for _, t := range found {
				list = append(list, fmt.Sprintf("%s (%s, %s)", t.Name, t.Region, t.Country))
			}
			return nil, fmt.Errorf("town %q is ambiguous: %s", name, strings.Join(list, "; "))
		}
	}
	return out, nil
}
