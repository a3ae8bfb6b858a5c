package storage

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Partner is a town in another town's network.
type Partner struct {
	Town Town
	// Kinds are the kinds of partnership with the town (direct partners) or
	// with the first intermediate (partners' partners), in the order of
	// PartnershipKinds.
	Kinds []string
	// Since is the earliest known start of a direct partnership; zero when
	// unknown or for partners' partners.
	Since time.Time
	// Via are the direct partners through which a partner's partner is
	// linked, sorted by name; empty for direct partners.
	Via []Town
}

// Network is a town's multilateral network: its own partners and their
// partners.
type Network struct {
	Direct []Partner
	// Indirect are the partners' partners that are neither the town itself
	// nor one of its direct partners, each once.
	Indirect []Partner
}

// Network returns the partners of townID and the partners of those
// partners, each sorted by name.
func (s *Store) Network(ctx context.Context, townID int64) (Network, error) {
	var n Network
	rows, err := s.pool.Query(ctx, `
		WITH edges AS (
			SELECT town_a AS town, town_b AS partner, kind, since FROM partnerships
			UNION ALL
			SELECT town_b, town_a, kind, since FROM partnerships
		)
		SELECT `+townColumns+`,
			array_agg(DISTINCT e.kind ORDER BY e.kind), coalesce(min(e.since), '0001-01-01'::date)
		FROM edges e JOIN towns t ON t.id = e.partner
		WHERE e.town = $1
		GROUP BY t.id
		ORDER BY t.name, t.id`, townID)
	if err != nil {
		return n, err
	}
	n.Direct, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Partner, error) {
		var p Partner
		var since time.Time
		err := r.Scan(&p.Town.ID, &p.Town.Name, &p.Town.Country, &p.Town.Region, &p.Town.Status, &p.Town.Names,
			&p.Kinds, &since)
		if since.Year() > 1 {
			p.Since = since
		}
		p.Kinds = sortKinds(p.Kinds)
		return p, err
	})
	if err != nil {
		return n, err
	}
	rows, err = s.pool.Query(ctx, `
		WITH edges AS (
			SELECT town_a AS town, town_b AS partner, kind FROM partnerships
			UNION ALL
			SELECT town_b, town_a, kind FROM partnerships
		),
		direct AS (SELECT DISTINCT partner FROM edges WHERE town = $1),
		second AS (
			SELECT e.partner AS town, e.town AS via, e.kind
			FROM direct d JOIN edges e ON e.town = d.partner
			WHERE e.partner <> $1 AND e.partner NOT IN (SELECT partner FROM direct)
		)
		SELECT `+townColumns+`,
			array_agg(DISTINCT s.kind ORDER BY s.kind),
			array_agg(DISTINCT s.via ORDER BY s.via)
		FROM second s JOIN towns t ON t.id = s.town
		GROUP BY t.id
		ORDER BY t.name, t.id`, townID)
	if err != nil {
		return n, err
	}
	type indirect struct {
		Partner
		via []int64
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (indirect, error) {
		var p indirect
		err := r.Scan(&p.Town.ID, &p.Town.Name, &p.Town.Country, &p.Town.Region, &p.Town.Status, &p.Town.Names,
			&p.Kinds, &p.via)
		p.Kinds = sortKinds(p.Kinds)
		return p, err
	})
	if err != nil {
		return n, err
	}
	byID := make(map[int64]Town, len(n.Direct))
	for _, d := range n.Direct {
		byID[d.Town.ID] = d.Town
	}
	for _, p := range found {
		for _, id := range p.via {
			p.Via = append(p.Via, byID[id])
		}
		slices.SortFunc(p.Via, func(a, b Town) int { return strings.Compare(a.Name, b.Name) })
		n.Indirect = append(n.Indirect, p.Partner)
	}
	return n, nil
}

// sortKinds orders kinds as PartnershipKinds does.
func sortKinds(kinds []string) []string {
	out := make([]string, 0, len(kinds))
	for _, k := range PartnershipKinds {
		if slices.Contains(kinds, k) {
			out = append(out, k)
		}
	}
	return out
}
