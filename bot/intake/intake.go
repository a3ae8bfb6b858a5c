// Package intake is how updates come in from Telegram: long polling or a
// webhook, each update stored in PostgreSQL before it is acknowledged,
// then handled by workers, one user's updates in order; plus the health
// endpoints. It is transport only: what an update means is the handler's
// business (package bot).
package intake

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"

	"partnerbot/storage"
)

// Intake turns recorded updates into handled ones. Every update is first
// written to PostgreSQL (Record), then handled by one of a fixed set of
// workers; updates of one user always go to the same worker, so a user's
// messages are handled in order. An update left unhandled by a crash or a
// stopped instance is picked up again by the sweeper once its lease ends.
type Intake struct {
	store  *storage.Store
	handle func(context.Context, *models.Update)
	keyOf  func(*models.Update) int64
	owner  string
	lease  time.Duration
	log    *slog.Logger

	queues []chan int64
	wg     sync.WaitGroup
}

// Config tunes an Intake.
type Config struct {
	// Owner names this process in update leases (hostname and pid).
	Owner string
	// KeyOf names the user an update comes from; updates with the same key
	// are handled one at a time, in order.
	KeyOf func(*models.Update) int64
	// Workers is the number of users handled at the same time.
	Workers int
	// Lease is how long an update stays with the worker that claimed it
	// before another instance may take it over.
	Lease time.Duration
}

// New prepares an Intake that hands updates to handle.
func New(store *storage.Store, handle func(context.Context, *models.Update), cfg Config, log *slog.Logger) *Intake {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	in := &Intake{store: store, handle: handle, keyOf: cfg.KeyOf, owner: cfg.Owner, lease: cfg.Lease, log: log}
	in.queues = make([]chan int64, cfg.Workers)
	for i := range in.queues {
		in.queues[i] = make(chan int64, 64)
	}
	return in
}

// Record stores a raw update durably. It returns an error when the update
// could not be stored; the caller must then not acknowledge it to Telegram.
// A replayed update_id is stored once and handled once.
func (in *Intake) Record(ctx context.Context, raw []byte) error {
	var u models.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		in.log.Warn("dropping undecodable update", "err", err)
		return nil // Telegram would send it again forever; nothing to do with it
	}
	key := in.keyOf(&u)
	fresh, err := in.store.RecordUpdate(ctx, u.ID, key, raw)
	if err != nil {
		return err
	}
	if !fresh {
		in.log.Info("duplicate update ignored", "update_id", u.ID)
		return nil
	}
	in.submit(ctx, u.ID, key)
	return nil
}

// submit queues an update for the worker that owns its user. If ctx ends
// first, the update stays recorded and the sweeper brings it back.
func (in *Intake) submit(ctx context.Context, updateID, key int64) {
	if key < 0 {
		key = -key
	}
	select {
	case in.queues[key%int64(len(in.queues))] <- updateID:
	case <-ctx.Done():
	}
}

// Run starts the workers and the sweeper and blocks until ctx ends and
// every update a worker already began is finished. Updates still queued
// stay recorded and are handled after the next start.
func (in *Intake) Run(ctx context.Context, sweepEvery time.Duration) {
	for _, q := range in.queues {
		in.wg.Add(1)
		go in.work(ctx, q)
	}
	in.sweep(ctx)
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			in.wg.Wait()
			return
		case <-t.C:
			in.sweep(ctx)
		}
	}
}

func (in *Intake) work(ctx context.Context, q <-chan int64) {
	defer in.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-q:
			// Finish the update even if shutdown begins meanwhile.
			in.process(context.WithoutCancel(ctx), id)
		}
	}
}

func (in *Intake) process(ctx context.Context, id int64) {
	raw, err := in.store.ClaimUpdate(ctx, id, in.owner, in.lease)
	if errors.Is(err, storage.ErrNotFound) {
		return // done already, or another instance has it
	}
	if err != nil {
		in.log.Error("claim update; will retry", "update_id", id, "err", err)
		return
	}
	var u models.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		in.log.Error("decode stored update", "update_id", id, "err", err)
	} else {
		in.handle(ctx, &u)
	}
	if err := in.store.FinishUpdate(ctx, id); err != nil {
		in.log.Error("mark update done", "update_id", id, "err", err)
	}
}

// sweep re-queues updates whose handling never finished.
func (in *Intake) sweep(ctx context.Context) {
	pending, err := in.store.PendingUpdates(ctx, in.lease, 500)
	if err != nil {
		if ctx.Err() == nil {
			in.log.Error("list pending updates", "err", err)
		}
		return
	}
	for _, p := range pending {
		in.submit(ctx, p.UpdateID, p.UserID)
	}
}
