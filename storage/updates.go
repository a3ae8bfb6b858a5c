package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrUnstorable is returned (wrapped) by RecordUpdates when PostgreSQL
// refuses an update for what it contains rather than for its own state:
// JSONB takes neither a NUL character (\u0000) nor bytes that are not
// UTF-8, both of which a modified client can put into callback data. Such
// an update is to be kept with RecordRejectedUpdate, and acknowledged.
var ErrUnstorable = errors.New("update content cannot be stored as JSONB")

// Outcome is how the handling of an update ended.
type Outcome string

// The outcomes of an update (inbound_updates.outcome).
const (
	// OutcomeHandled: a handler ran for it.
	OutcomeHandled Outcome = "handled"
	// OutcomeThrottled: it came over the user's rate limit and was dropped.
	OutcomeThrottled Outcome = "throttled"
	// OutcomeRejected: its content could not be stored or decoded; it was
	// kept as raw bytes and never handled.
	OutcomeRejected Outcome = "rejected"
	// OutcomeAbandoned: given up, after repeated attempts that never
	// finished or because its payload was erased.
	OutcomeAbandoned Outcome = "abandoned"
)

// contentError tells a refusal of the data (SQLSTATE class 22, data
// exception, e.g. 22P05 and 22021; class 54, a program limit such as JSON
// nested too deep) from trouble with the database itself (a lost
// connection, a timeout, a shutdown), after which the same insert may well
// succeed.
func contentError(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	return strings.HasPrefix(pe.Code, "22") || strings.HasPrefix(pe.Code, "54")
}

// RecordRejectedUpdate stores an update that is not to be handled (see
// ErrUnstorable) as raw bytes, done and rejected at once, so it holds no
// one back and a replay of it is recognised. fresh is false for a replay.
func (s *Store) RecordRejectedUpdate(ctx context.Context, updateID, userID int64, raw []byte) (fresh bool, err error) {
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO inbound_updates (update_id, user_id, raw, done_at, outcome)
		VALUES ($1, nullif($2, 0::bigint), $3, now(), 'rejected')
		ON CONFLICT (update_id) DO NOTHING`, updateID, userID, raw)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// ClaimedUpdate is an update a worker holds the lease on.
type ClaimedUpdate struct {
	UpdateID int64
	UserID   int64
	// Payload is the update as Telegram sent it; nil when /deleteme erased
	// it while it waited.
	Payload []byte
	// Attempts counts the claims of this update, this one included.
	Attempts int
	// Recent is how many updates of the same user were received within
	// the rate window before this one, counted up to the limit asked for.
	Recent int
	// Known is the user's row as the claim found it, nil for someone not
	// yet stored; see WithClaim.
	Known *KnownUser
	// SearchGeneration is search_generation as the claim found it; see
	// WithClaim.
	SearchGeneration int64
}

// ClaimUpdates takes the leases, for owner, on up to limit updates at
// once: the oldest ones that are not done, whose lease is free or older
// than lease, and whose users have no earlier update that is not done. So
// a user's updates are handled one at a time and in order, whichever
// instance claims them, while other users' updates are claimed beside them
// (the claimed ones are of different users: a user's second update waits
// for the first to be done); an update whose worker died is taken over
// once its lease has run out, and holds back its own user only. One
// statement, one commit, hands out work for several workers. Recent counts
// each user's updates received within window before the claimed one, at
// most upTo. They come oldest first; none when nothing is to be claimed.
func (s *Store) ClaimUpdates(ctx context.Context, owner string, lease, window time.Duration, upTo, limit int) ([]ClaimedUpdate, error) {
	return s.closeAndClaim(ctx, nil, owner, lease, window, upTo, limit)
}

// intakePlans, run first in every batch of the intake's own statements,
// leaves PostgreSQL only walks of the indexes to plan the claim and the
// done mark with. Left to itself it chose the claim's plan from
// statistics that a burst of updates makes stale within seconds, and a
// connection keeps a generic plan once made: one made while the table was
// nearly empty joined every claimed row against a bitmap scan of all
// pending updates (181 ms a claim in a load run with 2,000 pending,
// auto_explain), so a backlog of thousands (after an outage, or in a load
// run) became quadratic to work off. The index walks are the right plans
// at every size: the claim takes the oldest pending updates in order and
// stops at its limit. (Forcing generic plans as well cost more than it
// saved: PostgreSQL CPU per /help 605–725 µs against 430–520 µs.)
const intakePlans = `SELECT
	set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true),
	set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true),
	set_config('enable_sort', 'off', true)`

// claimSQL is ClaimUpdates' statement; its arguments are owner, lease,
// window, upTo and limit.
const claimSQL = `
	WITH next AS (
		SELECT n.update_id, n.user_id FROM inbound_updates n
		WHERE n.done_at IS NULL
		  AND (n.claimed_at IS NULL OR n.claimed_at < now() - $2::interval)
		  AND NOT EXISTS (SELECT FROM inbound_updates e
			WHERE e.user_id = n.user_id AND e.done_at IS NULL AND e.update_id < n.update_id)
		ORDER BY n.update_id
		LIMIT $5
		FOR UPDATE SKIP LOCKED)
	UPDATE inbound_updates u SET claimed_by = $1, claimed_at = now(), attempts = u.attempts + 1
	FROM next LEFT JOIN users k ON k.id = next.user_id
	WHERE u.update_id = next.update_id
	RETURNING u.update_id, coalesce(u.user_id, 0), u.payload, u.attempts,
		(SELECT count(*) FROM (SELECT FROM inbound_updates r
			WHERE r.user_id = u.user_id AND r.update_id < u.update_id
			  AND r.received_at > u.received_at - $3::interval
			LIMIT $4) recent),
		-- the user's row as userColumns reads it, empty when there is none
		k.id IS NOT NULL, coalesce(k.id, 0), coalesce(k.username, ''), coalesce(k.first_name, ''),
		coalesce(k.last_name, ''), coalesce(k.language_code, ''), coalesce(k.language, ''),
		coalesce(k.role, ''), coalesce(k.created_at, 'epoch'), coalesce(k.updated_at, 'epoch'),
		EXISTS (SELECT FROM delivery_inactive x WHERE x.chat_id = u.user_id),
		(SELECT generation FROM search_generation WHERE one)`

// collectClaims reads the rows of claimSQL, oldest first (UPDATE ...
// RETURNING keeps no order).
func collectClaims(rows pgx.Rows) ([]ClaimedUpdate, error) {
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ClaimedUpdate, error) {
		var c ClaimedUpdate
		var known bool
		var k KnownUser
		dest := append([]any{&c.UpdateID, &c.UserID, &c.Payload, &c.Attempts, &c.Recent, &known}, k.row.fields()...)
		err := row.Scan(append(dest, &k.inactive, &c.SearchGeneration)...)
		if known {
			c.Known = &k
		}
		return c, err
	})
	slices.SortFunc(cs, func(a, b ClaimedUpdate) int { return cmp.Compare(a.UpdateID, b.UpdateID) })
	return cs, err
}

// ClosedUpdate is an update a worker is through with, to be marked done
// with its outcome.
type ClosedUpdate struct {
	UpdateID int64
	Outcome  Outcome
}

// CloseAndClaim is CloseUpdates followed by ClaimUpdates, sent in one
// round trip and run as one transaction, so that one commit marks done
// what the workers finished and hands them their next updates; the claim
// sees the closes, so a user's next update may be among those claimed.
// On an error neither took place.
func (s *Store) CloseAndClaim(ctx context.Context, done []ClosedUpdate, owner string, lease, window time.Duration, upTo, limit int) ([]ClaimedUpdate, error) {
	switch {
	case limit > 0:
		return s.closeAndClaim(ctx, done, owner, lease, window, upTo, limit)
	case len(done) > 0:
		return nil, s.CloseUpdates(ctx, done)
	}
	return nil, nil
}

// closeAndClaim is CloseAndClaim with limit > 0; done may be empty.
func (s *Store) closeAndClaim(ctx context.Context, done []ClosedUpdate, owner string, lease, window time.Duration, upTo, limit int) ([]ClaimedUpdate, error) {
	before := []stmt{{sql: intakePlans}}
	if len(done) > 0 {
		before = append(before, closeStmt(done))
	}
	var cs []ClaimedUpdate
	err := s.queryAfter(ctx, before, stmt{claimSQL, []any{owner, lease, window, upTo, limit}},
		func(br pgx.BatchResults) error {
			rows, err := br.Query()
			if err != nil {
				return err
			}
			cs, err = collectClaims(rows)
			return err
		})
	return cs, err
}

// stmt is a statement of a batch and its arguments.
type stmt struct {
	sql  string
	args []any
}

// queryAfter runs the statements before and then the query q, whose
// results read reads from the batch, in one round trip: a batch outside a
// transaction block runs as one implicit transaction, so should the query
// fail, what ran before is undone with it, and set_config(..., true) in a
// statement before holds for the query. An error of the commit wins over
// read's, as then nothing took place.
func (s *Store) queryAfter(ctx context.Context, before []stmt, q stmt, read func(pgx.BatchResults) error) error {
	b := &pgx.Batch{}
	for _, st := range append(before, q) {
		b.Queue(st.sql, st.args...)
	}
	br := s.pool.SendBatch(ctx, b)
	for range before {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
	}
	err := read(br)
	if cerr := br.Close(); cerr != nil {
		return cerr
	}
	return err
}

// RenewUpdate extends owner's lease on an update it is handling. ok is
// false when the lease is no longer owner's (it ran out and another
// worker took the update) or the update is done.
func (s *Store) RenewUpdate(ctx context.Context, updateID int64, owner string) (ok bool, err error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE inbound_updates SET claimed_at = now()
		WHERE update_id = $1 AND claimed_by = $2 AND done_at IS NULL`, updateID, owner)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseUpdates gives back owner's leases on updates it claimed but
// did not start handling (a stopping instance), so that any worker may
// claim them at once rather than after the lease; the claims are not
// counted as attempts.
func (s *Store) ReleaseUpdates(ctx context.Context, owner string, ids []int64) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE inbound_updates SET claimed_by = NULL, claimed_at = NULL, attempts = attempts - 1
		WHERE update_id = ANY($1) AND claimed_by = $2 AND done_at IS NULL`, ids, owner)
	return err
}

// FinishUpdate marks an update handled and drops its payload, keeping only
// the id for de-duplication.
func (s *Store) FinishUpdate(ctx context.Context, updateID int64) error {
	return s.CloseUpdate(ctx, updateID, OutcomeHandled)
}

// CloseUpdate marks an update done with outcome and drops its payload. An
// update already done keeps its first outcome.
func (s *Store) CloseUpdate(ctx context.Context, updateID int64, outcome Outcome) error {
	return s.CloseUpdates(ctx, []ClosedUpdate{{UpdateID: updateID, Outcome: outcome}})
}

// CloseUpdates marks several updates done, each with its outcome, in one
// statement, as CloseUpdate marks one.
func (s *Store) CloseUpdates(ctx context.Context, done []ClosedUpdate) error {
	return s.queryAfter(ctx, []stmt{{sql: intakePlans}}, closeStmt(done), func(br pgx.BatchResults) error {
		_, err := br.Exec()
		return err
	})
}

// closeSQL marks done the updates $1 with the outcomes $2.
const closeSQL = `
	UPDATE inbound_updates u SET done_at = now(), payload = NULL, outcome = d.outcome
	FROM unnest($1::bigint[], $2::text[]) AS d(id, outcome)
	WHERE u.update_id = d.id AND u.done_at IS NULL`

// closeStmt is closeSQL with its arguments for done.
func closeStmt(done []ClosedUpdate) stmt {
	ids, outcomes := make([]int64, len(done)), make([]string, len(done))
	for i, d := range done {
		ids[i], outcomes[i] = d.UpdateID, string(d.Outcome)
	}
	return stmt{closeSQL, []any{ids, outcomes}}
}

// PendingUpdate is an update recorded but not yet handled.
type PendingUpdate struct {
	UpdateID int64
	UserID   int64
}

// PendingUpdates lists updates not yet handled whose lease is free or older
// than lease: work left by a crash or by a stopped instance.
func (s *Store) PendingUpdates(ctx context.Context, lease time.Duration, limit int) ([]PendingUpdate, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT update_id, coalesce(user_id, 0) FROM inbound_updates
		WHERE done_at IS NULL AND (claimed_at IS NULL OR claimed_at < now() - $1::interval)
		ORDER BY update_id LIMIT $2`, lease, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[PendingUpdate])
}

// PruneUpdates forgets handled updates older than age. Telegram never
// redelivers an update after a day, so de-duplication needs no more.
func (s *Store) PruneUpdates(ctx context.Context, age time.Duration) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM inbound_updates WHERE done_at < now() - $1::interval`, age)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// NewUpdate is an update to be recorded with RecordUpdates.
type NewUpdate struct {
	UpdateID, UserID int64
	Payload          []byte
}

// RateLimit is how many updates of one user are handled within Window;
// a Max of zero or less means no limit.
type RateLimit struct {
	Max    int
	Window time.Duration
}

// RecordUpdates stores a batch of incoming updates in one statement, all
// or none. The result holds the update_ids seen for the first time: with
// "" for an update to be handled, and with OutcomeThrottled for one that
// came when its user had already sent more than lim.Max updates within
// lim.Window. Such an update is recorded done at once, without its
// payload: a flood stays out of the queue and costs the workers nothing.
// (The update that reaches exactly lim.Max stays, so that a worker can ask
// its user to slow down; see ClaimedUpdate.Recent.)
//
// An error wrapping ErrUnstorable means that the content of one of them
// was refused, and none was stored: the caller then records them one by
// one to find it. Any other error is the database's, and none of the
// updates may be acknowledged.
func (s *Store) RecordUpdates(ctx context.Context, us []NewUpdate, lim RateLimit) (map[int64]Outcome, error) {
	ids, users := make([]int64, len(us)), make([]int64, len(us))
	payloads := make([]string, len(us))
	for i, u := range us {
		ids[i], users[i], payloads[i] = u.UpdateID, u.UserID, string(u.Payload)
	}
	// recent counts, as ClaimUpdates does, the user's updates received
	// within the window before this one: those stored, then those earlier
	// in the batch (the batch is received now, at one time). r is
	// materialized so that the count runs once per update: inlined, it ran
	// for each of the three uses of over.
	rows, err := s.pool.Query(ctx, `
		WITH b AS (
			SELECT id, nullif(uid, 0::bigint) AS uid, p,
				row_number() OVER (PARTITION BY uid ORDER BY id) - 1 AS earlier
			FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS b(id, uid, p)),
		r AS MATERIALIZED (
			SELECT b.*, $4::int > 0 AND b.uid IS NOT NULL AND b.earlier + (SELECT count(*) FROM (
				SELECT FROM inbound_updates e
				WHERE e.user_id = b.uid AND e.received_at > now() - $5::interval
				LIMIT $4::int + 1) stored) > $4::int AS over
			FROM b)
		INSERT INTO inbound_updates (update_id, user_id, payload, done_at, outcome)
		SELECT id, uid, CASE WHEN NOT over THEN p::jsonb END,
			CASE WHEN over THEN now() END, CASE WHEN over THEN 'throttled' END
		FROM r
		ORDER BY id
		ON CONFLICT (update_id) DO NOTHING
		RETURNING update_id, coalesce(outcome, '')`, ids, users, payloads, lim.Max, lim.Window)
	if err == nil {
		var got []recorded
		got, err = pgx.CollectRows(rows, pgx.RowToStructByPos[recorded])
		if err == nil {
			fresh := make(map[int64]Outcome, len(got))
			for _, r := range got {
				fresh[r.ID] = r.Outcome
			}
			return fresh, nil
		}
	}
	if contentError(err) {
		return nil, fmt.Errorf("%w: %w", ErrUnstorable, err)
	}
	return nil, err
}

type recorded struct {
	ID      int64
	Outcome Outcome
}
