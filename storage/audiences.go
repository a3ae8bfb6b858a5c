package storage

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// Audience says whom a broadcast reaches. It is resolved into people in a
// transaction (ResolveAudienceTx), always for a Sender, whose rights bound
// it: a coordinator's audience lies inside their towns' partnership
// network, an administrator may address everyone.
//
// The place (Place, Towns, Countries) selects towns; Groups selects
// people of those towns: their residents (profile town), the owners of
// projects there, the followers of chosen projects (Projects) there, and
// coordinators there; and the youth groups of those towns (GroupYouth,
// ResolveYouthGroupsTx). Sectors and Topics then narrow the people: to those
// who own or follow a project of one of the sectors, and to those with one
// of the topics among their profile interests or their own or followed
// projects' topics. Youth groups are narrowed by Topics only (a group
// has topics, no sector).
type Audience struct {
	Place     string   `json:"place"`
	Towns     []int64  `json:"towns,omitempty"`
	Countries []string `json:"countries,omitempty"`
	Groups    []string `json:"groups"`
	Projects  []int64  `json:"projects,omitempty"`
	Sectors   []string `json:"sectors,omitempty"`
	Topics    []string `json:"topics,omitempty"`
}

// The places an audience can start from.
const (
	// PlaceMine: the sender's own towns.
	PlaceMine = "mine"
	// PlaceNetwork: the sender's towns, their partners and their partners'
	// partners.
	PlaceNetwork = "network"
	// PlaceChosen: towns the sender picked from their network.
	PlaceChosen = "chosen"
	// PlaceEveryone: every person the bot knows (administrators only).
	PlaceEveryone = "everyone"
)

// Places lists the places in the order the wizard offers them.
var Places = []string{PlaceMine, PlaceNetwork, PlaceChosen, PlaceEveryone}

// The groups of people in a place.
const (
	GroupResidents    = "residents"
	GroupOwners       = "owners"
	GroupFollowers    = "followers"
	GroupCoordinators = "coordinators"
	// GroupYouth are youth groups (Telegram groups registered as such,
	// with receive_broadcasts on), not people.
	GroupYouth = "youth_groups"
)

// Groups lists the groups in the order the wizard offers them.
var Groups = []string{GroupResidents, GroupOwners, GroupFollowers, GroupCoordinators, GroupYouth}

// The kinds of messages a person can switch off in /settings.
const (
	KindAnnouncements = "announcements"
	KindFundingCalls  = "funding_calls"
	KindEvents        = "events"
	KindProjectNews   = "project_news"
)

// MessageKinds lists them in the order /settings shows them.
var MessageKinds = []string{KindAnnouncements, KindFundingCalls, KindEvents, KindProjectNews}

// Sender is who addresses an audience.
type Sender struct {
	UserID int64
	// Admin may address everyone and any town.
	Admin bool
}

// Why an audience is refused.
var (
	// ErrOutsideNetwork: a chosen town lies outside the sender's network.
	ErrOutsideNetwork = errors.New("town outside the sender's network")
	// ErrNoTowns: a coordinator with no town (none granted, none in the
	// profile) has nobody to address.
	ErrNoTowns = errors.New("the sender has no town")
	// ErrInvalidAudience: an audience the wizard could not have built
	// (unknown place, group, sector or topic; everyone for a coordinator).
	ErrInvalidAudience = errors.New("invalid audience")
)

// Recipient is one person an audience reaches, with what the bot needs to
// pick their version and their time zone.
type Recipient struct {
	UserID       int64
	Language     string // their choice in /language, or ""
	LanguageCode string // Telegram's language_code
	// ProfileLanguages are the languages they speak (their profile).
	ProfileLanguages []string
	// TimeZone is their choice in /settings, or "".
	TimeZone string
}

// Valid checks the form of an audience: known place, groups, sectors and
// topics, towns given only for PlaceChosen.
func (a Audience) Valid() bool {
	if !slices.Contains(Places, a.Place) || len(a.Groups) == 0 {
		return false
	}
	if (a.Place == PlaceChosen) != (len(a.Towns) > 0) {
		return false
	}
	for _, g := range a.Groups {
		if !slices.Contains(Groups, g) {
			return false
		}
	}
	if slices.Contains(a.Groups, GroupFollowers) != (len(a.Projects) > 0) {
		return false
	}
	for _, s := range a.Sectors {
		if !ValidSector(s) {
			return false
		}
	}
	for _, t := range a.Topics {
		if !ValidTopic(t) {
			return false
		}
	}
	for _, c := range a.Countries {
		if !ValidCountry(c) {
			return false
		}
	}
	return true
}

// rowsQuerier is what both a pool and a transaction offer.
type rowsQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// SenderTowns are the towns a coordinator speaks for: those granted to
// them, else (coordinators granted before towns existed) the town of their
// profile; none for a coordinator without either.
func (s *Store) SenderTowns(ctx context.Context, userID int64) ([]int64, error) {
	return senderTowns(ctx, s.pool, userID)
}

func senderTowns(ctx context.Context, q rowsQuerier, userID int64) ([]int64, error) {
	rows, err := q.Query(ctx, `
		SELECT town_id FROM coordinator_towns WHERE user_id = $1
		UNION
		SELECT town_id FROM user_profiles
		WHERE user_id = $1 AND town_id IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM coordinator_towns WHERE user_id = $1)
		ORDER BY 1`, userID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// NetworkOf returns towns with their partners and their partners'
// partners: the confirmed towns a coordinator of towns may address.
func (s *Store) NetworkOf(ctx context.Context, towns []int64) ([]int64, error) {
	return networkOf(ctx, s.pool, towns)
}

func networkOf(ctx context.Context, q rowsQuerier, towns []int64) ([]int64, error) {
	rows, err := q.Query(ctx, `
		WITH edges AS (
			SELECT town_a AS town, town_b AS partner FROM partnerships
			UNION ALL
			SELECT town_b, town_a FROM partnerships
		),
		own AS (SELECT unnest($1::bigint[]) AS town),
		direct AS (SELECT e.partner AS town FROM own o JOIN edges e ON e.town = o.town),
		second AS (SELECT e.partner AS town FROM direct d JOIN edges e ON e.town = d.town)
		SELECT t.id FROM towns t
		WHERE t.status = $2 AND t.id IN (SELECT town FROM own UNION SELECT town FROM direct UNION SELECT town FROM second)
		ORDER BY t.id`, towns, TownConfirmed)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// placeTowns resolves the place of a, for sender, into town ids; all is
// true for PlaceEveryone without countries (every person, with a town or
// without).
func placeTowns(ctx context.Context, q rowsQuerier, a Audience, sender Sender) (towns []int64, all bool, err error) {
	if a.Place == PlaceEveryone {
		if !sender.Admin {
			return nil, false, ErrInvalidAudience
		}
		if len(a.Countries) == 0 {
			return nil, true, nil
		}
		rows, err := q.Query(ctx, `SELECT id FROM towns WHERE status = $1 AND country = ANY($2) ORDER BY id`,
			TownConfirmed, a.Countries)
		if err != nil {
			return nil, false, err
		}
		towns, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		return towns, false, err
	}
	own, err := senderTowns(ctx, q, sender.UserID)
	if err != nil {
		return nil, false, err
	}
	var network []int64
	if !sender.Admin || a.Place != PlaceChosen {
		if len(own) == 0 && !(sender.Admin && a.Place == PlaceChosen) {
			return nil, false, ErrNoTowns
		}
		if network, err = networkOf(ctx, q, own); err != nil {
			return nil, false, err
		}
	}
	switch a.Place {
	case PlaceMine:
		towns = own
	case PlaceNetwork:
		towns = network
	case PlaceChosen:
		for _, t := range a.Towns {
			if !sender.Admin && !slices.Contains(network, t) {
				return nil, false, ErrOutsideNetwork
			}
		}
		towns = a.Towns
	}
	if len(a.Countries) > 0 {
		rows, err := q.Query(ctx, `SELECT id FROM towns WHERE id = ANY($1) AND country = ANY($2) ORDER BY id`,
			towns, a.Countries)
		if err != nil {
			return nil, false, err
		}
		if towns, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return nil, false, err
		}
	}
	return towns, false, nil
}

// Exclusions say who never gets a broadcast although the audience names
// them: who switched its kind off and who muted its town or topic.
type Exclusions struct {
	// Kind is KindAnnouncements or KindFundingCalls.
	Kind string
	// FromTown and Topic are what the broadcast can be muted by (0, "").
	FromTown int64
	Topic    string
}

// ResolveAudienceTx returns the people a reaches for sender, in tx,
// without the sender, chats that blocked the bot, people who switched the
// kind off and people who muted the broadcast's town or topic. A chosen
// town outside a coordinator's network gives ErrOutsideNetwork, whatever
// the wizard let through.
func (s *Store) ResolveAudienceTx(ctx context.Context, tx pgx.Tx, a Audience, sender Sender, ex Exclusions) ([]Recipient, error) {
	return resolveAudience(ctx, tx, a, sender, ex)
}

// ResolveAudience is ResolveAudienceTx in a read-only transaction of its
// own, for the counts shown while the audience is built.
func (s *Store) ResolveAudience(ctx context.Context, a Audience, sender Sender, ex Exclusions) ([]Recipient, error) {
	var out []Recipient
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) (err error) {
		out, err = resolveAudience(ctx, tx, a, sender, ex)
		return err
	})
	return out, err
}

func resolveAudience(ctx context.Context, q rowsQuerier, a Audience, sender Sender, ex Exclusions) ([]Recipient, error) {
	if !a.Valid() || !slices.Contains([]string{KindAnnouncements, KindFundingCalls}, ex.Kind) {
		return nil, ErrInvalidAudience
	}
	towns, all, err := placeTowns(ctx, q, a, sender)
	if err != nil {
		return nil, err
	}
	has := func(g string) bool { return slices.Contains(a.Groups, g) }
	fromTown := ""
	if ex.FromTown != 0 {
		fromTown = strconv.FormatInt(ex.FromTown, 10)
	}
	rows, err := q.Query(ctx, `
		WITH cand AS (
			SELECT u.id AS user_id FROM users u WHERE $1 AND $3
			UNION
			SELECT p.user_id FROM user_profiles p WHERE $3 AND NOT $1 AND p.town_id = ANY($2)
			UNION
			SELECT pr.owner_id FROM projects pr
			WHERE $4 AND pr.archived_at IS NULL AND ($1 OR pr.town_id = ANY($2))
			UNION
			SELECT f.user_id FROM project_followers f JOIN projects pr ON pr.id = f.project_id
			WHERE $5 AND f.project_id = ANY($6) AND ($1 OR pr.town_id = ANY($2))
			UNION
			SELECT u.id FROM users u
			WHERE $7 AND u.role = 'coordinator' AND ($1
				OR EXISTS (SELECT 1 FROM coordinator_towns c WHERE c.user_id = u.id AND c.town_id = ANY($2))
				OR EXISTS (SELECT 1 FROM user_profiles p WHERE p.user_id = u.id AND p.town_id = ANY($2)))
		),
		theirs AS (
			SELECT pr.owner_id AS user_id, pr.sector, pr.topics FROM projects pr WHERE pr.archived_at IS NULL
			UNION ALL
			SELECT f.user_id, pr.sector, pr.topics FROM project_followers f JOIN projects pr ON pr.id = f.project_id
		)
		SELECT u.id, coalesce(u.language, ''), u.language_code, coalesce(p.languages, '{}'), coalesce(st.time_zone, '')
		FROM cand c
		JOIN users u ON u.id = c.user_id
		LEFT JOIN user_profiles p ON p.user_id = u.id
		LEFT JOIN user_settings st ON st.user_id = u.id
		WHERE u.id <> $8
		  AND (cardinality($9::text[]) = 0
		       OR EXISTS (SELECT 1 FROM theirs t WHERE t.user_id = u.id AND t.sector = ANY($9)))
		  AND (cardinality($10::text[]) = 0 OR p.interests && $10
		       OR EXISTS (SELECT 1 FROM theirs t WHERE t.user_id = u.id AND t.topics && $10))
		  AND NOT EXISTS (SELECT 1 FROM delivery_inactive x WHERE x.chat_id = u.id)
		  AND NOT EXISTS (SELECT 1 FROM user_message_kinds_off k WHERE k.user_id = u.id AND k.kind = $11)
		  AND NOT EXISTS (SELECT 1 FROM user_mutes m WHERE m.user_id = u.id
		       AND (m.kind = 'town' AND m.value = $12 OR m.kind = 'topic' AND m.value = $13))
		ORDER BY u.id`,
		all, towns, has(GroupResidents), has(GroupOwners), has(GroupFollowers), a.Projects, has(GroupCoordinators),
		sender.UserID, nonNil(a.Sectors), nonNil(a.Topics), ex.Kind, fromTown, ex.Topic)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Recipient, error) {
		var rc Recipient
		return rc, r.Scan(&rc.UserID, &rc.Language, &rc.LanguageCode, &rc.ProfileLanguages, &rc.TimeZone)
	})
}

// GroupRecipient is a youth group an audience reaches, with the language
// its administrators set.
type GroupRecipient struct {
	ChatID   int64
	Language string
}

// ResolveYouthGroupsTx returns, in tx, the youth groups a reaches for
// sender when a names GroupYouth: the active ones of the place's towns
// (inside a coordinator's network, as for people) that receive broadcasts,
// on one of a's topics (a group without topics takes any), and not blocked.
func (s *Store) ResolveYouthGroupsTx(ctx context.Context, tx pgx.Tx, a Audience, sender Sender) ([]GroupRecipient, error) {
	return resolveYouthGroups(ctx, tx, a, sender)
}

// ResolveYouthGroups is ResolveYouthGroupsTx in a read-only transaction
// of its own, for the counts shown while the audience is built.
func (s *Store) ResolveYouthGroups(ctx context.Context, a Audience, sender Sender) ([]GroupRecipient, error) {
	var out []GroupRecipient
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) (err error) {
		out, err = resolveYouthGroups(ctx, tx, a, sender)
		return err
	})
	return out, err
}

func resolveYouthGroups(ctx context.Context, q rowsQuerier, a Audience, sender Sender) ([]GroupRecipient, error) {
	if !a.Valid() {
		return nil, ErrInvalidAudience
	}
	if !slices.Contains(a.Groups, GroupYouth) {
		return nil, nil
	}
	towns, all, err := placeTowns(ctx, q, a, sender)
	if err != nil || !all && len(towns) == 0 {
		return nil, err
	}
	rows, err := q.Query(ctx, `
		SELECT y.chat_id, gc.language FROM youth_groups y JOIN group_chats gc ON gc.chat_id = y.chat_id
		WHERE y.active AND y.receive_broadcasts AND ($1 OR y.town_id = ANY($2))
		  AND (cardinality($3::text[]) = 0 OR cardinality(y.topics) = 0 OR y.topics && $3)
		  AND NOT EXISTS (SELECT 1 FROM delivery_inactive x WHERE x.chat_id = y.chat_id)
		ORDER BY y.chat_id`, all, towns, nonNil(a.Topics))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (GroupRecipient, error) {
		var g GroupRecipient
		return g, r.Scan(&g.ChatID, &g.Language)
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PlaceTowns lists the towns of an audience's place for sender (nil for
// everyone): what the wizard offers countries and projects from.
func (s *Store) PlaceTowns(ctx context.Context, a Audience, sender Sender) ([]Town, error) {
	ids, all, err := placeTowns(ctx, s.pool, a, sender)
	if err != nil || all {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+townColumns+` FROM towns t WHERE t.id = ANY($1) ORDER BY t.name, t.id`, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Town, error) { return scanTown(r) })
}

// ProjectChoice is a project offered for "followers of chosen projects".
type ProjectChoice struct {
	ID        int64
	Title     string
	Followers int
}

// PlaceProjects lists the listed projects of an audience's place for
// sender that have followers, most followed first, at most limit.
func (s *Store) PlaceProjects(ctx context.Context, a Audience, sender Sender, limit int) ([]ProjectChoice, error) {
	a.Projects = nil
	towns, all, err := placeTowns(ctx, s.pool, a, sender)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `
		SELECT pr.id, pr.title, count(*) FROM projects pr JOIN project_followers f ON f.project_id = pr.id
		WHERE pr.archived_at IS NULL AND pr.hidden_at IS NULL AND ($1 OR pr.town_id = ANY($2))
		GROUP BY pr.id ORDER BY count(*) DESC, pr.id LIMIT $3`, all, towns, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProjectChoice, error) {
		var p ProjectChoice
		return p, r.Scan(&p.ID, &p.Title, &p.Followers)
	})
}
