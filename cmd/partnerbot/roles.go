package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"partnerbot/bot"
	"partnerbot/delivery"
	"partnerbot/storage"
)

// changeRole implements `partnerbot grant|revoke <user>`, for setting up
// the first coordinators before anyone can use /coordinators. The person
// is told when the bot runs.
func changeRole(ctx context.Context, store *storage.Store, admins []int64, cmd string, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: partnerbot %s <telegram user id | @username>", cmd)
	}
	var (
		u   storage.User
		err error
	)
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
	changed, err := bot.ChangeRole(ctx, store, queue, 0, u.ID, role)
	if err != nil {
		return err
	}
	if !changed {
		fmt.Printf("%s (%d) is a %s already\n", u.DisplayName(), u.ID, role)
		return nil
	}
	fmt.Printf("%s (%d) is now a %s\n", u.DisplayName(), u.ID, role)
	return nil
}
