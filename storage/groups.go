package storage

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// GroupChat is a Telegram group or channel the bot works in.
type GroupChat struct {
	ChatID int64
	// Kind is "group", "supergroup" or "channel".
	Kind     string
	Title    string
	Language string
}

// Group roles: what a person did in a group (group_roles). Only people
// who act are stored; members who merely write never are.
const (
	GroupRoleLinked     = "linked"
	GroupRoleRegistered = "registered"
	GroupRoleSettings   = "settings"
)

// SaveGroupChat records a group or channel, or refreshes its kind and
// title; the language of an existing chat stays as its administrators set it.
func (s *Store) SaveGroupChat(ctx context.Context, c GroupChat) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO group_chats (chat_id, kind, title, language) VALUES ($1, $2, left($3, 255), $4)
		ON CONFLICT (chat_id) DO UPDATE SET kind = excluded.kind, title = excluded.title, updated_at = now()`,
		c.ChatID, c.Kind, c.Title, c.Language)
	return err
}

// GroupChatByID returns the group or channel, or ErrNotFound.
func (s *Store) GroupChatByID(ctx context.Context, chatID int64) (GroupChat, error) {
	var c GroupChat
	err := s.pool.QueryRow(ctx, `SELECT chat_id, kind, title, language FROM group_chats WHERE chat_id = $1`, chatID).
		Scan(&c.ChatID, &c.Kind, &c.Title, &c.Language)
	return c, notFound(err)
}

// SetGroupLanguage sets the language the bot speaks in the chat.
func (s *Store) SetGroupLanguage(ctx context.Context, chatID int64, lang string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE group_chats SET language = $2, updated_at = now() WHERE chat_id = $1`, chatID, lang)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return err
}

// MigrateGroupChatTx moves everything about a group to the id of the
// supergroup it was upgraded to. It does nothing for an unknown group, or
// one already moved.
func (s *Store) MigrateGroupChatTx(ctx context.Context, tx pgx.Tx, from, to int64) error {
	_, err := tx.Exec(ctx, `
		UPDATE group_chats SET chat_id = $2, kind = 'supergroup', updated_at = now()
		WHERE chat_id = $1 AND NOT EXISTS (SELECT 1 FROM group_chats WHERE chat_id = $2)`, from, to)
	return err
}

// RecordGroupRole notes that userID acted in the chat as role.
func (s *Store) RecordGroupRole(ctx context.Context, chatID, userID int64, role string) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO group_roles (chat_id, user_id, role) VALUES ($1, $2, $3)
		ON CONFLICT (chat_id, user_id, role) DO UPDATE SET acted_at = now()`, chatID, userID, role)
	return err
}

// ProjectGroup links a project to its Telegram group or channel.
type ProjectGroup struct {
	ID           int64
	ProjectID    int64
	ChatID       int64
	Kind         string // "group" or "channel"
	Title        string
	InviteLink   string
	OwnerDecides bool
	Unlinked     bool
}

const projectGroupColumns = `pg.id, pg.project_id, pg.chat_id, pg.kind, gc.title, pg.invite_link, pg.owner_decides,
	pg.unlinked_at IS NOT NULL`

const projectGroupFrom = ` FROM project_groups pg JOIN group_chats gc ON gc.chat_id = pg.chat_id `

func scanProjectGroup(row pgx.Row) (ProjectGroup, error) {
	var g ProjectGroup
	err := row.Scan(&g.ID, &g.ProjectID, &g.ChatID, &g.Kind, &g.Title, &g.InviteLink, &g.OwnerDecides, &g.Unlinked)
	return g, notFound(err)
}

// ErrChatLinked: the chat is already the group or channel of another project.
var ErrChatLinked = errors.New("chat is linked to another project")

// LinkProjectGroup makes the chat the project's group or channel (kind),
// replacing an earlier one of that kind. A chat serves one project.
func (s *Store) LinkProjectGroup(ctx context.Context, projectID, chatID int64, kind, inviteLink string) (ProjectGroup, error) {
	var g ProjectGroup
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var other int64
		err := tx.QueryRow(ctx, `SELECT project_id FROM project_groups WHERE chat_id = $1 AND unlinked_at IS NULL`, chatID).Scan(&other)
		switch {
		case err == nil && other != projectID:
			return ErrChatLinked
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE project_groups SET unlinked_at = now()
			WHERE unlinked_at IS NULL AND (chat_id = $1 OR (project_id = $2 AND kind = $3))`, chatID, projectID, kind); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO project_groups (project_id, chat_id, kind, invite_link, owner_decides)
			VALUES ($1, $2, $3, $4, coalesce((SELECT owner_decides FROM project_groups WHERE project_id = $1
				ORDER BY linked_at DESC LIMIT 1), false))
			RETURNING id`, projectID, chatID, kind, inviteLink).Scan(&id); err != nil {
			return err
		}
		g, err = scanProjectGroup(tx.QueryRow(ctx, `SELECT `+projectGroupColumns+projectGroupFrom+`WHERE pg.id = $1`, id))
		return err
	})
	return g, err
}

// ProjectGroupByID returns a link, live or unlinked.
func (s *Store) ProjectGroupByID(ctx context.Context, id int64) (ProjectGroup, error) {
	return scanProjectGroup(s.pool.QueryRow(ctx, `SELECT `+projectGroupColumns+projectGroupFrom+`WHERE pg.id = $1`, id))
}

// LiveProjectGroupOfChat returns the live link of the chat, or ErrNotFound.
func (s *Store) LiveProjectGroupOfChat(ctx context.Context, chatID int64) (ProjectGroup, error) {
	return scanProjectGroup(s.pool.QueryRow(ctx, `SELECT `+projectGroupColumns+projectGroupFrom+
		`WHERE pg.chat_id = $1 AND pg.unlinked_at IS NULL`, chatID))
}

// ProjectGroups returns the live group and channel of a project.
func (s *Store) ProjectGroups(ctx context.Context, projectID int64) ([]ProjectGroup, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+projectGroupColumns+projectGroupFrom+
		`WHERE pg.project_id = $1 AND pg.unlinked_at IS NULL ORDER BY pg.kind DESC`, projectID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProjectGroup, error) { return scanProjectGroup(r) })
}

// UnlinkChatTx ends the live link of the chat, if any, and returns it
// (ErrNotFound when there was none).
func (s *Store) UnlinkChatTx(ctx context.Context, tx pgx.Tx, chatID int64) (ProjectGroup, error) {
	var id int64
	err := tx.QueryRow(ctx, `UPDATE project_groups SET unlinked_at = now() WHERE chat_id = $1 AND unlinked_at IS NULL
		RETURNING id`, chatID).Scan(&id)
	if err != nil {
		return ProjectGroup{}, notFound(err)
	}
	return scanProjectGroup(tx.QueryRow(ctx, `SELECT `+projectGroupColumns+projectGroupFrom+`WHERE pg.id = $1`, id))
}

// SetOwnerDecides chooses whether the owner decides each join request of
// the project's group and channel.
func (s *Store) SetOwnerDecides(ctx context.Context, projectID int64, on bool) error {
	_, err := s.pool.Exec(ctx, `UPDATE project_groups SET owner_decides = $2 WHERE project_id = $1 AND unlinked_at IS NULL`,
		projectID, on)
	return err
}

// GroupRules are the rules of a project's group: one text per language,
// and the responsible adult when the project is for young people.
type GroupRules struct {
	Texts map[string]string
	// ResponsibleAdult is empty unless the project is marked youth.
	ResponsibleAdult string
}

// Rules returns the project's group rules.
func (s *Store) Rules(ctx context.Context, projectID int64) (GroupRules, error) {
	r := GroupRules{Texts: map[string]string{}}
	rows, err := s.pool.Query(ctx, `SELECT language, body FROM group_rules WHERE project_id = $1`, projectID)
	if err != nil {
		return r, err
	}
	for rows.Next() {
		var lang, body string
		if err := rows.Scan(&lang, &body); err != nil {
			rows.Close()
			return r, err
		}
		r.Texts[lang] = body
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	err = s.pool.QueryRow(ctx, `SELECT responsible_adult FROM group_youth_projects WHERE project_id = $1`, projectID).
		Scan(&r.ResponsibleAdult)
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil
	}
	return r, err
}

// SetRules stores the rules in one language, written by the owner.
func (s *Store) SetRules(ctx context.Context, projectID, writer int64, lang, body string) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO group_rules (project_id, language, body, written_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (project_id, language) DO UPDATE SET body = excluded.body, written_by = excluded.written_by,
			updated_at = now()`, projectID, lang, body, writer)
	return err
}

// SetResponsibleAdult marks the project as one for young people with the
// named responsible adult, or unmarks it when name is empty.
func (s *Store) SetResponsibleAdult(ctx context.Context, projectID int64, name string) error {
	if name == "" {
		_, err := s.pool.Exec(ctx, `DELETE FROM group_youth_projects WHERE project_id = $1`, projectID)
		return err
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO group_youth_projects (project_id, responsible_adult) VALUES ($1, $2)
		ON CONFLICT (project_id) DO UPDATE SET responsible_adult = excluded.responsible_adult`, projectID, name)
	return err
}

// SetChannelIntent remembers that userID is about to add the bot to a
// channel for the project, until expires.
func (s *Store) SetChannelIntent(ctx context.Context, userID, projectID int64, expires time.Time) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO channel_link_intents (user_id, project_id, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET project_id = excluded.project_id, expires_at = excluded.expires_at`,
		userID, projectID, expires)
	return err
}

// TakeChannelIntent returns and forgets the project userID meant to link
// a channel to, if the intent has not expired at now.
func (s *Store) TakeChannelIntent(ctx context.Context, userID int64, now time.Time) (int64, error) {
	var projectID int64
	var expires time.Time
	err := s.pool.QueryRow(ctx, `DELETE FROM channel_link_intents WHERE user_id = $1 RETURNING project_id, expires_at`,
		userID).Scan(&projectID, &expires)
	if err != nil {
		return 0, notFound(err)
	}
	if !expires.After(now) {
		return 0, ErrNotFound
	}
	return projectID, nil
}

// YouthGroup is a youth club, school class or youth council's group.
type YouthGroup struct {
	ChatID            int64
	Title             string
	Language          string
	Town              TownRef
	AgeMin, AgeMax    int
	Topics            []string
	ReceiveProjects   bool
	ReceiveEvents     bool
	ReceiveBroadcasts bool
	Active            bool
}

const youthColumns = `y.chat_id, gc.title, gc.language, t.id, t.name, t.country, y.age_min, y.age_max, y.topics,
	y.receive_projects, y.receive_events, y.receive_broadcasts, y.active`

const youthFrom = ` FROM youth_groups y JOIN group_chats gc ON gc.chat_id = y.chat_id JOIN towns t ON t.id = y.town_id `

func scanYouthGroup(row pgx.Row) (YouthGroup, error) {
	var y YouthGroup
	err := row.Scan(&y.ChatID, &y.Title, &y.Language, &y.Town.ID, &y.Town.Name, &y.Town.Country, &y.AgeMin, &y.AgeMax,
		&y.Topics, &y.ReceiveProjects, &y.ReceiveEvents, &y.ReceiveBroadcasts, &y.Active)
	return y, notFound(err)
}

// RegisterYouthGroup registers (or re-registers) the chat as a youth
// group: its town, language, age range and topics (none: any topic); what
// it receives stays as its administrators chose.
func (s *Store) RegisterYouthGroup(ctx context.Context, y YouthGroup) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE group_chats SET language = $2, updated_at = now() WHERE chat_id = $1`,
			y.ChatID, y.Language); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO youth_groups (chat_id, town_id, age_min, age_max, topics) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (chat_id) DO UPDATE SET town_id = excluded.town_id, age_min = excluded.age_min,
				age_max = excluded.age_max, topics = excluded.topics, active = true`,
			y.ChatID, y.Town.ID, y.AgeMin, y.AgeMax, nonNil(y.Topics))
		return err
	})
}

// YouthGroupByChat returns the youth group, or ErrNotFound.
func (s *Store) YouthGroupByChat(ctx context.Context, chatID int64) (YouthGroup, error) {
	return scanYouthGroup(s.pool.QueryRow(ctx, `SELECT `+youthColumns+youthFrom+`WHERE y.chat_id = $1`, chatID))
}

// What a youth group receives (SetYouthReceives).
const (
	YouthReceiveProjects   = "projects"
	YouthReceiveEvents     = "events"
	YouthReceiveBroadcasts = "broadcasts"
)

// SetYouthReceives switches one kind of post (YouthReceive…) on or off.
func (s *Store) SetYouthReceives(ctx context.Context, chatID int64, what string, on bool) error {
	col := map[string]string{YouthReceiveProjects: "receive_projects", YouthReceiveEvents: "receive_events",
		YouthReceiveBroadcasts: "receive_broadcasts"}[what]
	if col == "" {
		return ErrNotFound
	}
	tag, err := s.pool.Exec(ctx, `UPDATE youth_groups SET `+col+` = $2 WHERE chat_id = $1`, chatID, on)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return err
}

// DeactivateYouthGroupTx stops all posts to the chat (the bot left it).
func (s *Store) DeactivateYouthGroupTx(ctx context.Context, tx pgx.Tx, chatID int64) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE youth_groups SET active = false WHERE chat_id = $1 AND active`, chatID)
	return tag.RowsAffected() > 0, err
}

// YouthAudience selects youth groups: in one of Towns (none: any town),
// sharing a topic with Topics (none: any), speaking one of Languages
// (none: any), whose age range meets Age (0: any age), and wanting Kind
// (YouthReceive…).
type YouthAudience struct {
	Towns     []int64
	Topics    []string
	Languages []string
	Age       int
	Kind      string
}

// YouthGroupsMatching returns the active youth groups of the audience:
// for new projects and events, and for coordinators' broadcasts to youth
// groups.
func (s *Store) YouthGroupsMatching(ctx context.Context, a YouthAudience) ([]YouthGroup, error) {
	col := map[string]string{YouthReceiveProjects: "receive_projects", YouthReceiveEvents: "receive_events",
		YouthReceiveBroadcasts: "receive_broadcasts"}[a.Kind]
	if col == "" {
		return nil, ErrNotFound
	}
	if a.Towns == nil {
		a.Towns = []int64{}
	}
	if a.Topics == nil {
		a.Topics = []string{}
	}
	if a.Languages == nil {
		a.Languages = []string{}
	}
	rows, err := s.pool.Query(ctx, `SELECT `+youthColumns+youthFrom+`
		WHERE y.active AND y.`+col+`
		  AND (cardinality($1::bigint[]) = 0 OR y.town_id = ANY($1))
		  AND (cardinality($2::text[]) = 0 OR cardinality(y.topics) = 0 OR y.topics && $2)
		  AND (cardinality($3::text[]) = 0 OR gc.language = ANY($3))
		  AND ($4 = 0 OR $4 BETWEEN y.age_min AND y.age_max)
		ORDER BY y.chat_id`, a.Towns, a.Topics, a.Languages, a.Age)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (YouthGroup, error) { return scanYouthGroup(r) })
}

// ProjectByID returns the project, whatever its state.
func (s *Store) ProjectByID(ctx context.Context, id int64) (Project, error) {
	return scanProject(s.pool.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1`, id))
}
