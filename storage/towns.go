package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"golang.org/x/text/language"

	"partnerbot/internal/searchkey"
)

// Town statuses: imported and coordinator-approved towns are confirmed; a
// town a volunteer proposes stays proposed until a coordinator decides.
const (
	TownConfirmed = "confirmed"
	TownProposed  = "proposed"
)

// Town is a municipality.
type Town struct {
	ID int64 `json:"id"`
	// Name is the canonical name, shown to everyone.
	Name string `json:"name"`
	// Country is the ISO 3166-1 alpha-2 code, upper-case.
	Country string `json:"country"`
	Region  string `json:"region,omitempty"`
	Status  string `json:"status"`
	// Names are the town's other names and spellings.
	Names []string `json:"names,omitempty"`
	// Exact is set by SearchTowns when one of the town's names is the
	// query itself, in whatever script or spelling it was typed.
	Exact bool `json:"-"`
}

// townColumns selects a Town from towns t; the names come from a
// correlated subquery so that every query returns them alike.
const townColumns = `t.id, t.name, t.country, t.region, t.status,
	coalesce((SELECT array_agg(n.name ORDER BY n.lang, n.name) FROM town_names n WHERE n.town_id = t.id), '{}')`

func scanTown(row pgx.Row) (Town, error) {
	var t Town
	err := row.Scan(&t.ID, &t.Name, &t.Country, &t.Region, &t.Status, &t.Names)
	return t, notFound(err)
}

// Town returns the town with id, whatever its status.
func (s *Store) Town(ctx context.Context, id int64) (Town, error) {
	return scanTown(s.pool.QueryRow(ctx, `SELECT `+townColumns+` FROM towns t WHERE t.id = $1`, id))
}

// Search scores: an exact key beats a prefix, and both beat any trigram
// similarity, which lies between 0 and 1.
const (
	scoreExact  = 3
	scorePrefix = 2
)

// searchTownsSQL ranks towns by their best key. $1 are the query's keys,
// $2 the upper bounds of their prefix ranges, $3 the limit. Each part is
// written so that it runs on an index with the query's values as runtime
// parameters: equality and the range on the B-tree, % on the trigram
// index. Similarity is only computed when no key matched exactly and fewer
// keys than the limit begin with the query: a name found as typed needs no
// guessing, and the trigram part is the costly one. Only confirmed towns
// have keys.
var searchTownsSQL = `
	WITH q AS (SELECT * FROM unnest($1::text[], $2::text[]) AS q(key, upper)),
	exact AS (
		SELECT k.town_id, ` + fmt.Sprint(scoreExact) + `::real AS score
		FROM q JOIN town_search_keys k ON k.key = q.key
	),
	prefixed AS (
		SELECT k.town_id, ` + fmt.Sprint(scorePrefix) + `::real AS score
		FROM q JOIN town_search_keys k ON k.key ~>=~ q.key AND k.key ~<~ q.upper
	),
	fuzzy AS (
		SELECT k.town_id, similarity(k.key, q.key) AS score
		FROM q CROSS JOIN LATERAL (SELECT town_id, key FROM town_search_keys WHERE key % q.key) k
		WHERE NOT EXISTS (SELECT FROM exact) AND (SELECT count(*) FROM (SELECT FROM prefixed LIMIT $3) p) < $3
	),
	best AS (
		SELECT town_id, max(score) AS score
		FROM (SELECT * FROM exact UNION ALL SELECT * FROM prefixed UNION ALL SELECT * FROM fuzzy) hits
		GROUP BY town_id
		ORDER BY score DESC, town_id
		LIMIT $3
	)
	SELECT ` + townColumns + `, best.score >= ` + fmt.Sprint(scoreExact) + `
	FROM best JOIN towns t ON t.id = best.town_id
	WHERE t.status = 'confirmed'
	ORDER BY best.score DESC, t.name, t.region, t.id`

// SearchTowns finds confirmed towns by any of their names, forgiving the
// ways people write them: in Cyrillic or any Latin transliteration
// (Ічня, Ichnia, Ichnja, Itschnja), without accents (Laxa for Laxå), with
// German umlauts spelled out or dropped (Grevesmuehlen, Grevesmuhlen) and
// with typos (Grevesmülen). The best match comes first: names matching
// the query as typed, then names the query begins, then (only if no name
// matched as typed and the names it begins do not fill the limit) the
// most similar. A query with nothing to search for
// returns no towns.
func (s *Store) SearchTowns(ctx context.Context, query string, limit int) ([]Town, error) {
	keys := searchkey.Keys(query)
	if len(keys) == 0 || limit <= 0 {
		return nil, nil
	}
	uppers := make([]string, len(keys))
	for i, k := range keys {
		// Keys compare byte-wise (text_pattern_ops); every key that starts
		// with k sorts below k followed by the highest code point.
		uppers[i] = k + "\U0010FFFF"
	}
	return collectTowns(s.pool.Query(ctx, searchTownsSQL, keys, uppers, limit))
}

// TownsNamedEach returns, for each of names, at most limit confirmed towns
// that have it as one of their names, up to spelling and script: what
// SearchTowns finds as typed (Exact), without looking for names that
// merely begin so or look alike, so it costs an index look-up. The i-th
// list holds the towns named names[i]; a caller that tries several runs of
// words as town names (/find) pays one round trip for all. What it
// returns is kept while no town changes (searchcache.go).
func (s *Store) TownsNamedEach(ctx context.Context, names []string, limit int) ([][]Town, error) {
	key, err := json.Marshal(names)
	if err != nil {
		return nil, err
	}
	towns, err := cached(ctx, s, "towns "+strconv.Itoa(limit)+" "+string(key), func() ([][]Town, error) {
		return s.townsNamedEach(ctx, names, limit)
	})
	return slices.Clone(towns), err
}

func (s *Store) townsNamedEach(ctx context.Context, names []string, limit int) ([][]Town, error) {
	towns := make([][]Town, len(names))
	var idx []int32
	var keys []string
	for i, name := range names {
		for _, k := range searchkey.Keys(name) {
			idx, keys = append(idx, int32(i)), append(keys, k)
		}
	}
	if len(keys) == 0 || limit <= 0 {
		return towns, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT q.i, `+townColumns+`
		FROM (SELECT i, array_agg(key) AS keys FROM unnest($1::int[], $2::text[]) AS k(i, key) GROUP BY i) q
		CROSS JOIN LATERAL (
			SELECT t.* FROM towns t
			WHERE t.status = 'confirmed' AND t.id IN (SELECT town_id FROM town_search_keys WHERE key = ANY(q.keys))
			ORDER BY t.name, t.region, t.id
			LIMIT $3) t
		ORDER BY q.i, t.name, t.region, t.id`, idx, keys, limit)
	if err != nil {
		return nil, err
	}
	var i int32
	var t Town
	_, err = pgx.ForEachRow(rows, []any{&i, &t.ID, &t.Name, &t.Country, &t.Region, &t.Status, &t.Names}, func() error {
		t.Exact = true
		towns[i] = append(towns[i], t)
		t = Town{}
		return nil
	})
	return towns, err
}

// collectTowns reads the towns of searchTownsSQL.
func collectTowns(rows pgx.Rows, err error) ([]Town, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Town, error) {
		var t Town
		err := r.Scan(&t.ID, &t.Name, &t.Country, &t.Region, &t.Status, &t.Names, &t.Exact)
		return t, err
	})
}

// TownName is one other name of a town with its language tag (uk, de,
// uk-Latn ...; empty when unknown).
type TownName struct {
	Name string
	Lang string
}

// writeTownNames replaces the town's other names.
func writeTownNames(ctx context.Context, tx pgx.Tx, townID int64, names []TownName) error {
	if _, err := tx.Exec(ctx, `DELETE FROM town_names WHERE town_id = $1`, townID); err != nil {
		return err
	}
	for _, n := range names {
		if _, err := tx.Exec(ctx, `INSERT INTO town_names (town_id, name, lang) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			townID, n.Name, n.Lang); err != nil {
			return fmt.Errorf("name %q: %w", n.Name, err)
		}
	}
	return nil
}

// writeSearchKeys rewrites the search keys of a confirmed town from its
// canonical and other names. Proposed towns have none: search finds only
// confirmed towns.
func writeSearchKeys(ctx context.Context, tx pgx.Tx, townID int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM town_search_keys WHERE town_id = $1`, townID); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT name FROM towns WHERE id = $1 UNION SELECT name FROM town_names WHERE town_id = $1`, townID)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	var keys []string
	for _, n := range names {
		keys = append(keys, searchkey.Keys(n)...)
	}
	_, err = tx.Exec(ctx, `INSERT INTO town_search_keys (town_id, key) SELECT $1, k FROM unnest($2::text[]) k ON CONFLICT DO NOTHING`,
		townID, keys)
	return err
}

// ErrTooManyProposals is returned when a volunteer already has
// MaxPendingProposals towns waiting for a coordinator.
var ErrTooManyProposals = errors.New("too many proposed towns pending")

// MaxPendingProposals bounds how many proposed towns one person may have
// waiting at a time, so nobody can flood the coordinators; erasing one's
// data does not reset it (limits.go).
const MaxPendingProposals = 3

// ValidCountry reports whether code is an assigned ISO 3166-1 alpha-2
// code of a country, in upper case (UA, DE, SE; not EU or ZZ).
func ValidCountry(code string) bool {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return false
	}
	region, err := language.ParseRegion(code)
	return err == nil && region.IsCountry()
}

// MaxProposedTownLen bounds a proposed town's name and region, in
// characters.
const MaxProposedTownLen = 100

// ErrInvalidProposal is returned for a proposed town whose name is empty,
// or whose name or region is longer than MaxProposedTownLen or more than
// one line (holds a control character).
var ErrInvalidProposal = errors.New("a proposed town needs a one-line name and region of at most 100 characters")

// Valid checks what ProposeTownTx requires of a proposal's texts; the
// country is the database's to check.
func (p TownProposal) Valid() bool {
	oneLine := func(s string) bool {
		return utf8.RuneCountInString(s) <= MaxProposedTownLen && strings.IndexFunc(s, unicode.IsControl) < 0
	}
	return strings.TrimSpace(p.Name) != "" && oneLine(p.Name) && oneLine(p.Region)
}

// TownProposal is a town a volunteer did not find and asks to add.
type TownProposal struct {
	Name    string
	Country string
	Region  string
}

// ProposeTownTx adds a proposed town on behalf of profile.UserID and saves
// their profile with it as their town, in tx: they propose it because it is
// theirs. ErrTooManyProposals when they have MaxPendingProposals waiting;
// ErrInvalidProposal for a name or region that is not one short line.
// The caller owns tx and schedules the notices to the coordinators in it,
// so that the proposal and its notices commit or fail together.
func (s *Store) ProposeTownTx(ctx context.Context, tx pgx.Tx, p TownProposal, profile Profile) (Town, error) {
	if !p.Valid() {
		return Town{}, ErrInvalidProposal
	}
	// Serialise a user's proposals so the limit below holds.
	if err := lockPerson(ctx, tx, profile.UserID); err != nil {
		return Town{}, err
	}
	now, err := dbNow(ctx, tx)
	if err != nil {
		return Town{}, err
	}
	key, err := personKey(ctx, tx, profile.UserID)
	if err != nil {
		return Town{}, err
	}
	// Their waiting proposals: the ones that name them, and the ones
	// they made before they erased their data (limits.go).
	var pending int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM towns t WHERE t.status = 'proposed' AND (t.proposed_by = $1
			OR t.id IN (SELECT m.town_id FROM limit_marks m
				WHERE m.person_hmac = $2 AND m.action = $3 AND m.expires_at > $4))`,
		profile.UserID, key, limitTownProposal, now).Scan(&pending); err != nil {
		return Town{}, err
	}
	if pending >= MaxPendingProposals {
		return Town{}, ErrTooManyProposals
	}
	t, err := scanTown(tx.QueryRow(ctx, `
		INSERT INTO towns AS t (name, country, region, status, proposed_by) VALUES ($1, $2, $3, 'proposed', $4)
		RETURNING `+townColumns, p.Name, p.Country, p.Region, profile.UserID))
	if err != nil {
		return t, err
	}
	if err := addMark(ctx, tx, key, limitTownProposal, t.ID, now.Add(TownProposalMarkTTL)); err != nil {
		return t, err
	}
	profile.TownID = t.ID
	return t, saveProfile(ctx, tx, profile)
}

// proposedTownColumns select a ProposedTown from towns t.
const proposedTownColumns = townColumns + `, coalesce(t.proposed_by, 0)`

func scanProposedTown(row pgx.Row) (ProposedTown, error) {
	var p ProposedTown
	err := row.Scan(&p.ID, &p.Name, &p.Country, &p.Region, &p.Status, &p.Names, &p.ProposedBy)
	return p, notFound(err)
}

// TownWithProposer returns the town with id, whatever its status, with who
// proposed it (0 for an imported town or a proposer who left).
func (s *Store) TownWithProposer(ctx context.Context, id int64) (ProposedTown, error) {
	return scanProposedTown(s.pool.QueryRow(ctx, `SELECT `+proposedTownColumns+` FROM towns t WHERE t.id = $1`, id))
}

// ProposedTown is a town waiting for a coordinator, with who proposed it
// (0 when that person has since erased their data).
type ProposedTown struct {
	Town
	ProposedBy int64
}

// ProposedTowns lists the towns waiting for a coordinator, oldest first.
func (s *Store) ProposedTowns(ctx context.Context) ([]ProposedTown, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+proposedTownColumns+`
		FROM towns t WHERE t.status = 'proposed' ORDER BY t.created_at, t.id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProposedTown, error) { return scanProposedTown(r) })
}

// Audit actions of town decisions.
const (
	actionTownConfirmed = "town_confirmed"
	actionTownRejected  = "town_rejected"
)

// ConfirmTownTx makes a proposed town a confirmed one and records who did
// it in the audit log, in tx, and returns the decision. It returns
// ErrNotFound when the town is not (or no longer) waiting, so a second
// coordinator's click changes nothing. The caller owns tx and schedules the
// notice to the proposer in it, so that the decision and its notice commit
// or fail together.
func (s *Store) ConfirmTownTx(ctx context.Context, tx pgx.Tx, actorID, townID int64) (TownDecision, error) {
	return decideTown(ctx, tx, actorID, townID, true)
}

// RejectTownTx deletes a proposed town (profiles pointing at it lose their
// town) and records who did it in the audit log, with the town as it was,
// in tx. ErrNotFound and tx as for ConfirmTownTx.
func (s *Store) RejectTownTx(ctx context.Context, tx pgx.Tx, actorID, townID int64) (TownDecision, error) {
	return decideTown(ctx, tx, actorID, townID, false)
}

// TownDecision is a coordinator's decision on a proposed town, as the
// audit log records it.
type TownDecision struct {
	// AuditID is the audit log entry.
	AuditID   int64
	Confirmed bool
	// Town is the town as it was decided (a rejected one is gone since).
	Town Town
	// ProposerID is who proposed it; 0 once they erased their data.
	ProposerID int64
}

// decideTown confirms (with the town's search keys) or rejects a proposed
// town and writes the decision to the audit log, in tx.
func decideTown(ctx context.Context, tx pgx.Tx, actorID, townID int64, confirm bool) (TownDecision, error) {
	query, action := `
		DELETE FROM towns t WHERE t.id = $1 AND t.status = 'proposed'
		RETURNING `+proposedTownColumns, actionTownRejected
	if confirm {
		query, action = `
			UPDATE towns t SET status = 'confirmed', updated_at = now()
			WHERE t.id = $1 AND t.status = 'proposed'
			RETURNING `+proposedTownColumns, actionTownConfirmed
	}
	p, err := scanProposedTown(tx.QueryRow(ctx, query, townID))
	if err != nil {
		return TownDecision{}, err
	}
	if confirm {
		if err := writeSearchKeys(ctx, tx, townID); err != nil {
			return TownDecision{}, err
		}
	}
	// A decided proposal no longer counts against its proposer (a
	// rejected town takes its marks with it).
	if _, err := tx.Exec(ctx, `DELETE FROM limit_marks WHERE town_id = $1`, townID); err != nil {
		return TownDecision{}, err
	}
	// The detail keeps the town for telling its proposer, even once a
	// rejected one is gone.
	d := TownDecision{Confirmed: confirm, Town: p.Town, ProposerID: p.ProposedBy}
	err = tx.QueryRow(ctx, `INSERT INTO audit_log (actor_id, action, target_id, detail)
		VALUES (nullif($1, 0::bigint), $2, nullif($3, 0::bigint), $4) RETURNING id`,
		actorID, fmt.Sprintf("%s:%d", action, townID), p.ProposedBy, p.Town).Scan(&d.AuditID)
	return d, err
}

// TownDecision returns the decision recorded in audit log entry id;
// ErrNotFound when that entry is no town decision.
func (s *Store) TownDecision(ctx context.Context, id int64) (TownDecision, error) {
	d := TownDecision{AuditID: id}
	var action string
	if err := s.pool.QueryRow(ctx, `SELECT action, coalesce(target_id, 0), detail FROM audit_log WHERE id = $1`, id).
		Scan(&action, &d.ProposerID, &d.Town); err != nil {
		return d, notFound(err)
	}
	kind, _, _ := strings.Cut(action, ":")
	if kind != actionTownConfirmed && kind != actionTownRejected {
		return d, ErrNotFound
	}
	d.Confirmed = kind == actionTownConfirmed
	return d, nil
}
