// Package intake is how updates come in from Telegram: long polling or a
// webhook, each update stored in PostgreSQL before it is acknowledged,
// then handled by workers, one user's updates at a time and in order
// across all instances; plus the health endpoints. It is transport only:
// what an update means is the handler's business (package bot).
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
// written to PostgreSQL (Record); a dispatcher then claims updates from
// the database for the workers, each the oldest one whose user has no
// earlier update still unfinished, so a user's updates are handled one at
// a time and in order by whichever instance claims them, while a slow
// user keeps one worker busy and nobody else waits. A claim is a lease,
// renewed while the handler runs; an update left by a crashed instance is
// claimed again once its lease has run out.
type Intake struct {
	store    *storage.Store
	handle   func(context.Context, *models.Update)
	throttle func(context.Context, *models.Update)
	keyOf    func(*models.Update) int64
	cfg      Config
	log      *slog.Logger
	obs      Observer

	// wake tells the dispatcher that there may be something to claim. A
	// send never blocks: a full buffer already wakes it.
	wake chan struct{}
	// hard ends running handlers when the shutdown grace has run out.
	hard       context.Context
	hardCancel context.CancelFunc
}

// Config tunes an Intake.
type Config struct {
	// Owner names this process in update leases (hostname and pid).
	Owner string
	// KeyOf names the user an update comes from; updates with the same key
	// are handled one at a time, in order.
	KeyOf func(*models.Update) int64
	// Throttled is called for the first update of a user that goes over
	// the rate limit, to ask them to slow down; that update and the
	// following ones over the limit are not handled.
	Throttled func(context.Context, *models.Update)
	// Workers is the number of updates handled at the same time.
	Workers int
	// Lease is how long a claimed update stays with its worker without
	// renewal; the worker renews it while the handler runs. Another
	// instance takes the update over once the lease has run out.
	Lease time.Duration
	// HandlerTimeout bounds one handler; it is below the lease, so even a
	// handler whose renewals fail ends before another worker may start.
	HandlerTimeout time.Duration
	// ShutdownTimeout is how long a shutdown waits for running handlers
	// before it cancels them.
	ShutdownTimeout time.Duration
	// RateLimit is how many updates of one user are handled within
	// RateWindow; the excess is dropped. Negative turns the limit off.
	RateLimit  int
	RateWindow time.Duration
	// MaxAttempts is how often an update is claimed before it is given up
	// (a handler that kills its instance every time).
	MaxAttempts int
	// Observer, if set, is told what becomes of updates (metrics).
	Observer Observer
}

// Defaults of Config.
const (
	DefaultWorkers         = 8
	DefaultLease           = 2 * time.Minute
	DefaultShutdownTimeout = 8 * time.Second
	DefaultRateLimit       = 20
	DefaultRateWindow      = 10 * time.Second
	DefaultMaxAttempts     = 3
)

// dbTimeout bounds the intake's own database calls (claim, renew, finish).
const dbTimeout = 10 * time.Second

// New prepares an Intake that hands updates to handle.
func New(store *storage.Store, handle func(context.Context, *models.Update), cfg Config, log *slog.Logger) *Intake {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.HandlerTimeout <= 0 || cfg.HandlerTimeout >= cfg.Lease {
		cfg.HandlerTimeout = cfg.Lease * 3 / 4
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = DefaultRateWindow
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.KeyOf == nil {
		cfg.KeyOf = func(*models.Update) int64 { return 0 }
	}
	in := &Intake{store: store, handle: handle, throttle: cfg.Throttled, keyOf: cfg.KeyOf, cfg: cfg, log: log,
		wake: make(chan struct{}, 1), obs: cfg.Observer}
	if in.obs == nil {
		in.obs = nopObserver{}
	}
	in.hard, in.hardCancel = context.WithCancel(context.Background())
	return in
}

// Record stores a raw update durably. It returns an error only when the
// database could not be reached; the caller must then not acknowledge the
// update to Telegram. An update whose content PostgreSQL refuses, or that
// does not decode, is kept as raw bytes, marked rejected and acknowledged
// (nil): it is never handled and never holds another update back. A
// replayed update_id is stored once and handled once.
func (in *Intake) Record(ctx context.Context, raw []byte) error {
	var u models.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		var head struct {
			ID int64 `json:"update_id"`
		}
		if herr := json.Unmarshal(raw, &head); herr != nil {
			in.log.Warn("dropping update without a readable update_id", "err", err)
			return nil // Telegram would send it again forever; nothing to key it on
		}
		return in.reject(ctx, head.ID, 0, raw, KindOther, err)
	}
	key := in.keyOf(&u)
	fresh, err := in.store.RecordUpdates(ctx, []storage.NewUpdate{{UpdateID: u.ID, UserID: key, Payload: raw}}, in.limit())
	if errors.Is(err, storage.ErrUnstorable) {
		return in.reject(ctx, u.ID, key, raw, Kind(&u), err)
	}
	if err != nil {
		return err
	}
	in.recorded(u.ID, key, Kind(&u), fresh)
	return nil
}

// limit is the per-user rate limit as storage applies it when it records
// updates.
func (in *Intake) limit() storage.RateLimit {
	return storage.RateLimit{Max: in.cfg.RateLimit, Window: in.cfg.RateWindow}
}

// recorded accounts for an update just given to RecordUpdates: a replay
// is ignored, an update over its user's rate limit was dropped on arrival,
// and a fresh one wakes a worker.
func (in *Intake) recorded(id, userID int64, kind string, fresh map[int64]storage.Outcome) {
	outcome, ok := fresh[id]
	switch {
	case !ok:
		in.log.Info("duplicate update ignored", "update_id", id)
	case outcome == storage.OutcomeThrottled:
		in.obs.Received(kind)
		in.obs.Closed(kind, storage.OutcomeThrottled, 0)
		in.log.Warn("update over the user's rate limit dropped", "update_id", id, "user_id", userID,
			"limit", in.cfg.RateLimit, "window", in.cfg.RateWindow)
	default:
		in.obs.Received(kind)
		in.notify()
	}
}

// reject keeps an update that is not to be handled.
func (in *Intake) reject(ctx context.Context, id, key int64, raw []byte, kind string, why error) error {
	fresh, err := in.store.RecordRejectedUpdate(ctx, id, key, raw)
	if err != nil {
		return err
	}
	if fresh {
		in.obs.Received(kind)
		in.obs.Closed(kind, storage.OutcomeRejected, 0)
		in.log.Warn("update rejected: its content cannot be stored or decoded; kept as raw bytes",
			"update_id", id, "user_id", key, "bytes", len(raw), "err", why)
	}
	return nil
}

// notify wakes the dispatcher, if it has not been woken yet.
func (in *Intake) notify() {
	select {
	case in.wake <- struct{}{}:
	default:
	}
}

// Run starts the workers, the dispatcher and the sweeper and blocks until
// ctx ends. It then stops claiming, waits up to ShutdownTimeout for running
// handlers (and for what they finished to be marked done), cancels those
// still running and returns soon after. An update whose handling did not
// finish stays recorded and is handled again once its lease runs out.
func (in *Intake) Run(ctx context.Context, sweepEvery time.Duration) {
	defer in.hardCancel()
	var wg sync.WaitGroup
	// claims and finished can each hold every update the dispatcher may
	// have claimed, so neither side ever waits on a full channel.
	claims := make(chan claim, claimedPerWorker*in.cfg.Workers)
	finished := make(chan *finishedUpdate, claimedPerWorker*in.cfg.Workers)
	var workers sync.WaitGroup
	for range in.cfg.Workers {
		workers.Go(func() {
			for c := range claims {
				finished <- in.process(c)
			}
		})
	}
	wg.Go(func() { workers.Wait(); close(finished) })
	wg.Go(func() { in.dispatch(ctx, claims, finished) })
	in.sweep(ctx)
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-t.C:
			in.sweep(ctx)
		}
	}
	if waitFor(&wg, in.cfg.ShutdownTimeout) {
		return
	}
	in.log.Warn("handlers still running at the end of the shutdown grace; cancelling them",
		"grace", in.cfg.ShutdownTimeout)
	in.hardCancel()
	if !waitFor(&wg, 2*time.Second) {
		in.log.Error("handlers did not stop after cancelling; leaving them")
	}
}

// waitFor waits for wg up to d and reports whether it is done.
func waitFor(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

// claim is a claimed update and when the dispatcher got it.
type claim struct {
	storage.ClaimedUpdate
	at time.Time
}

// finishedUpdate is what a worker says when it is through with an
// update: the update and what became of it, or a nil update when the
// lease went to another worker meanwhile (which then marks it done).
type finishedUpdate struct {
	c storage.ClaimedUpdate
	r result
}

// claimedPerWorker bounds the updates an instance holds claimed, per
// worker: one being handled and three waiting. A worker that finishes
// finds its next update waiting instead of waiting for a round trip, and
// each round trip of the dispatcher, whose commits one at a time set the
// pace of the whole instance when it is busy, closes and claims more
// updates at once. (One waiting per worker kept the dispatcher in a round
// trip all the time and the workers idle a third of it: 0.54–0.57 of the
// bare program's rate for /help in the load command, against 0.62–0.66
// with three.) A
// claimed update waits at most three handlers' time; more held would
// only keep other instances from updates this one cannot start soon.
const claimedPerWorker = 4

// dispatch is the one goroutine of an instance that talks to the database
// about claims: in each round trip it marks done every update the workers
// finished since the last one and claims new updates, one commit for all
// of them (storage.CloseAndClaim). It keeps claimed updates waiting
// beside those being handled (claimedPerWorker, the capacity of claims),
// so a worker that finishes starts its next update at once while the
// dispatcher marks the last one done. It waits when there is nothing to
// mark done and either enough is claimed or the last claim found less
// than it asked for; then a recorded update or the sweeper (wake) or a
// finished update starts the next round trip. When ctx ends it claims
// nothing more, gives back the claimed updates no worker has started, and
// goes on marking done until every worker has stopped (finished is
// closed).
func (in *Intake) dispatch(ctx context.Context, claims chan claim, finished <-chan *finishedUpdate) {
	var done []*finishedUpdate
	held := 0        // updates claimed and not yet finished
	drained := false // the last claim found less than it asked for
	stopping := false
	add := func(f *finishedUpdate) {
		held--
		if f != nil {
			done = append(done, f)
		}
	}
	for {
		if !stopping && ctx.Err() != nil {
			stopping = true
			close(claims)
			in.release(claims)
		}
		// Take in, without waiting, whatever finished meanwhile.
	collect:
		for {
			select {
			case f, ok := <-finished:
				if !ok {
					in.closeAll(done)
					return
				}
				add(f)
			default:
				break collect
			}
		}
		want := 0
		if !stopping && (!drained || len(done) > 0) {
			// A close may make its user's next update claimable.
			want = cap(claims) - held
		}
		if len(done) == 0 && want == 0 {
			ctxDone := ctx.Done()
			if stopping {
				ctxDone = nil
			}
			select {
			case f, ok := <-finished:
				if !ok {
					return
				}
				add(f)
			case <-in.wake:
				drained = false
			case <-ctxDone:
			}
			continue
		}
		got, ok := in.closeAndClaim(done, want)
		done = done[:0]
		drained = !ok || len(got) < want
		now := time.Now()
		for _, c := range got {
			held++
			claims <- claim{ClaimedUpdate: c, at: now}
		}
	}
}

// release gives back the claimed updates that no worker has taken from
// claims (closed): a stopping instance does not start them.
func (in *Intake) release(claims <-chan claim) {
	var ids []int64
	for c := range claims {
		ids = append(ids, c.UpdateID)
	}
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	if err := in.store.ReleaseUpdates(ctx, in.cfg.Owner, ids); err != nil {
		// They are claimed again once their leases run out.
		in.log.Warn("give back claimed updates", "updates", len(ids), "err", err)
	}
}

// closeAndClaim marks done the updates in done and claims up to want new
// ones, in one round trip. ok is false when the claim failed; the closes
// are then tried on their own, and if that fails too, the updates are
// handled again once their leases run out.
func (in *Intake) closeAndClaim(done []*finishedUpdate, want int) (claimed []storage.ClaimedUpdate, ok bool) {
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	closes := make([]storage.ClosedUpdate, len(done))
	for i, f := range done {
		closes[i] = storage.ClosedUpdate{UpdateID: f.c.UpdateID, Outcome: f.r.outcome}
	}
	upTo := max(in.cfg.RateLimit+1, 0)
	claimed, err := in.store.CloseAndClaim(ctx, closes, in.cfg.Owner, in.cfg.Lease, in.cfg.RateWindow, upTo, want)
	if err != nil {
		in.log.Error("claim updates; will retry", "err", err, "closing", len(done))
		// Closing on its own may still work (the claim may be what
		// failed).
		in.closeAll(done)
		return nil, false
	}
	for _, f := range done {
		in.obs.Closed(f.r.kind, f.r.outcome, f.r.took)
	}
	return claimed, true
}

// process handles a claimed update, or drops it. It returns the update to
// be marked done, or nil when the lease went to another worker meanwhile
// (which then marks it done).
func (in *Intake) process(c claim) *finishedUpdate {
	log := in.log.With("update_id", c.UpdateID)
	if time.Since(c.at) > in.cfg.Lease/3 {
		// It waited for a worker as long as a renewal period: renew the
		// lease before the handler starts, so that it cannot run out
		// before the handler's first renewal.
		if lost := in.renewBeforeStart(c.UpdateID, log); lost {
			in.obs.Failed(KindOther, "lease_lost")
			return nil
		}
	}
	r := in.run(c.ClaimedUpdate, log)
	if r.timedOut {
		in.obs.Failed(r.kind, "timeout")
	}
	if r.lost {
		in.obs.Failed(r.kind, "lease_lost")
		return nil
	}
	return &finishedUpdate{c: c.ClaimedUpdate, r: r}
}

// renewBeforeStart renews the lease on an update that waited for a
// worker and reports whether it was lost to another worker. A renewal
// that fails leaves the update to the handler's own renewals.
func (in *Intake) renewBeforeStart(id int64, log *slog.Logger) (lost bool) {
	ctx, cancel := context.WithTimeout(context.Background(), min(dbTimeout, in.cfg.Lease/3))
	defer cancel()
	ok, err := in.store.RenewUpdate(ctx, id, in.cfg.Owner)
	if err != nil {
		log.Warn("renew update lease", "err", err)
		return false
	}
	if !ok {
		log.Error("update lease lost to another worker before its handler started")
	}
	return !ok
}

// closeAll marks updates done in one statement.
func (in *Intake) closeAll(done []*finishedUpdate) {
	if len(done) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	closes := make([]storage.ClosedUpdate, len(done))
	for i, f := range done {
		closes[i] = storage.ClosedUpdate{UpdateID: f.c.UpdateID, Outcome: f.r.outcome}
	}
	if err := in.store.CloseUpdates(ctx, closes); err != nil {
		// The updates stay leased and are handled again once the lease
		// has run out: the one window in which an update is handled twice.
		for _, f := range done {
			in.log.Error("mark update done", "update_id", f.c.UpdateID, "outcome", f.r.outcome, "err", err)
			in.obs.Failed(f.r.kind, "not_closed")
		}
		return
	}
	for _, f := range done {
		in.obs.Closed(f.r.kind, f.r.outcome, f.r.took)
	}
}

// result is what became of a claimed update.
type result struct {
	outcome storage.Outcome
	kind    string
	// lost is true when the lease went to another worker meanwhile;
	// timedOut when the handler ran out of time.
	lost, timedOut bool
	// took is how long the handler ran.
	took time.Duration
}

// run decides what becomes of a claimed update and does it.
func (in *Intake) run(c storage.ClaimedUpdate, log *slog.Logger) result {
	var u models.Update
	decodeErr := errors.New("no payload")
	if c.Payload != nil {
		decodeErr = json.Unmarshal(c.Payload, &u)
	}
	kind := KindOther
	if decodeErr == nil {
		kind = Kind(&u)
	}
	if c.Attempts > in.cfg.MaxAttempts {
		log.Error("update given up: its handling never finished", "attempts", c.Attempts-1, "user_id", c.UserID)
		return result{outcome: storage.OutcomeAbandoned, kind: kind}
	}
	if c.Payload == nil {
		log.Info("update without payload (erased on request) dropped")
		return result{outcome: storage.OutcomeAbandoned, kind: kind}
	}
	if decodeErr != nil {
		log.Error("decode stored update", "err", decodeErr)
		return result{outcome: storage.OutcomeRejected, kind: kind}
	}
	if in.cfg.RateLimit > 0 && c.Recent >= in.cfg.RateLimit {
		// The first update over the limit asks the user to slow down;
		// the following ones are dropped without a word.
		first := c.Recent == in.cfg.RateLimit
		log.Warn("update over the user's rate limit dropped", "user_id", c.UserID, "limit", in.cfg.RateLimit,
			"window", in.cfg.RateWindow, "told", first && in.throttle != nil)
		if first && in.throttle != nil {
			return in.leased(c, storage.OutcomeThrottled, kind, func(ctx context.Context) { in.throttle(ctx, &u) })
		}
		return result{outcome: storage.OutcomeThrottled, kind: kind}
	}
	// The claim read the user's row and the count of search changes: the
	// handler need not read them again.
	return in.leased(c, storage.OutcomeHandled, kind, func(ctx context.Context) {
		in.handle(storage.WithClaim(ctx, c), &u)
	})
}

// leased runs f while it holds the update's lease: with a deadline below
// the lease, renewing the lease meanwhile, and cancelled when the lease is
// lost or the shutdown grace runs out. It reports whether the lease was
// lost, whether f ran out of time, and how long it ran.
func (in *Intake) leased(c storage.ClaimedUpdate, outcome storage.Outcome, kind string, f func(context.Context)) result {
	ctx, cancel := context.WithTimeout(in.hard, in.cfg.HandlerTimeout)
	defer cancel()
	stop := make(chan struct{})
	renewed := make(chan bool, 1)
	go func() { renewed <- in.renew(ctx, cancel, c.UpdateID, stop) }()
	start := time.Now()
	f(ctx)
	took := time.Since(start)
	timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
	close(stop)
	return result{outcome: outcome, kind: kind, lost: !<-renewed, timedOut: timedOut, took: took}
}

// renew extends the lease every third of it until stop, and reports
// whether it kept it. A lease found taken over cancels the handler; a
// renewal that fails is tried again at the next tick (the handler's
// deadline ends it before the lease runs out).
func (in *Intake) renew(ctx context.Context, cancel context.CancelFunc, id int64, stop <-chan struct{}) (kept bool) {
	t := time.NewTicker(in.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return true
		case <-ctx.Done():
			<-stop
			return true
		case <-t.C:
		}
		rctx, rcancel := context.WithTimeout(context.Background(), min(dbTimeout, in.cfg.Lease/3))
		ok, err := in.store.RenewUpdate(rctx, id, in.cfg.Owner)
		rcancel()
		switch {
		case err != nil:
			in.log.Warn("renew update lease", "update_id", id, "err", err)
		case !ok:
			in.log.Error("update lease lost to another worker; cancelling the handler", "update_id", id)
			cancel()
			return false
		}
	}
}

// sweep wakes workers for updates no worker is on: recorded by another
// instance that has not claimed them, or left by a crash once the lease
// has run out.
func (in *Intake) sweep(ctx context.Context) {
	pending, err := in.store.PendingUpdates(ctx, in.cfg.Lease, in.cfg.Workers)
	if err != nil {
		if ctx.Err() == nil {
			in.log.Error("list pending updates", "err", err)
		}
		return
	}
	for range pending {
		in.notify()
	}
}

// RecordBatch stores a batch of raw updates, as Record stores each, in
// one statement when it can: the updates that decode are inserted
// together; should PostgreSQL refuse the content of one of them, they are
// recorded one by one, so that only that one is rejected. An error means
// the database could not be reached and nothing of the batch may be
// acknowledged (what was stored is recognised as a replay when the batch
// comes again).
func (in *Intake) RecordBatch(ctx context.Context, raws [][]byte) error {
	if len(raws) == 1 {
		return in.Record(ctx, raws[0])
	}
	batch := make([]storage.NewUpdate, 0, len(raws))
	kinds := make([]string, 0, len(raws))
	var undecodable [][]byte
	for _, raw := range raws {
		var u models.Update
		if err := json.Unmarshal(raw, &u); err != nil {
			undecodable = append(undecodable, raw)
			continue
		}
		batch = append(batch, storage.NewUpdate{UpdateID: u.ID, UserID: in.keyOf(&u), Payload: raw})
		kinds = append(kinds, Kind(&u))
	}
	for _, raw := range undecodable {
		if err := in.Record(ctx, raw); err != nil {
			return err
		}
	}
	if len(batch) == 0 {
		return nil
	}
	fresh, err := in.store.RecordUpdates(ctx, batch, in.limit())
	if errors.Is(err, storage.ErrUnstorable) {
		for _, u := range batch {
			if err := in.Record(ctx, u.Payload); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil {
		return err
	}
	for i, u := range batch {
		in.recorded(u.UpdateID, u.UserID, kinds[i], fresh)
	}
	return nil
}
