package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/storage"
)

// Kind of delivery message of role changes. Each render func loads the row
// named by Ref and drops the message when that row has moved on (notices.go).
const (
	// kindRoleChanged tells a person they were made coordinator or lost
	// the role. Ref is the audit log entry of the change.
	kindRoleChanged = "role_changed"
)

// onCoordinators shows the coordinators with a revoke button each, and a
// button to add one. Admins only (see routes).
func (a *App) onCoordinators(ctx context.Context, r *Request) error {
	text, kb, err := a.coordinatorsView(ctx, r, 0)
	if err != nil {
		return err
	}
	return a.reply(ctx, r, text, kb)
}

// coordinatorsPageSize is how many coordinators a page of /coordinators
// lists, so that a page stays far below Telegram's 4096 characters and
// 100 buttons however many there are (with maxCoordinatorTownsShown
// characters of towns each).
const coordinatorsPageSize = 10

// maxCoordinatorTownsShown bounds the towns a coordinator's line names, in
// characters.
const maxCoordinatorTownsShown = 150

// coordinatorsView is page (from 0) of the coordinators, each with their
// towns and a revoke and a town button, page buttons, and the button to
// add one.
func (a *App) coordinatorsView(ctx context.Context, r *Request, page int) (string, *models.InlineKeyboardMarkup, error) {
	users, err := a.store.UsersWithRole(ctx, storage.RoleCoordinator)
	if err != nil {
		return "", nil, err
	}
	pages := max(1, (len(users)+coordinatorsPageSize-1)/coordinatorsPageSize)
	page = min(page, pages-1) // the list may have shrunk since the button was drawn
	kb := keyboard()
	var b strings.Builder
	if len(users) == 0 {
		b.WriteString(r.Loc.T("coordinators_none"))
	} else {
		b.WriteString(r.Loc.N("coordinators_count", len(users)))
	}
	from := page * coordinatorsPageSize
	for _, u := range users[from:min(from+coordinatorsPageSize, len(users))] {
		b.WriteString("\n• " + r.Loc.T("user_line", "Name", u.DisplayName(), "Username", u.Username))
		towns, err := a.store.CoordinatorTowns(ctx, u.ID)
		if err != nil {
			return "", nil, err
		}
		if len(towns) > 0 {
			var names []string
			for _, t := range towns {
				names = append(names, t.Name)
			}
			b.WriteString(" " + r.Loc.T("coordinators_towns", "Towns", truncate(strings.Join(names, ", "), maxCoordinatorTownsShown)))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(r.Loc.Plain("coordinators_revoke_button", "Name", truncate(u.DisplayName(), maxButtonTitle)),
				coordinatorRevokeButton(u.ID)),
			button(r.Loc.Plain("coordinators_town_button", "Name", truncate(u.DisplayName(), maxButtonTitle)),
				coordinatorTownButton(u.ID))})
	}
	if pages > 1 {
		b.WriteString("\n\n" + r.Loc.T("events_page", "Page", page+1, "Pages", pages))
		var nav []models.InlineKeyboardButton
		if page > 0 {
			nav = append(nav, button(r.Loc.Plain("events_prev"), coordinatorsPageButton(page-1)))
		}
		if page+1 < pages {
			nav = append(nav, button(r.Loc.Plain("events_next"), coordinatorsPageButton(page+1)))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, nav)
	}
	kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
		button(r.Loc.Plain("coordinators_add_button"), coordinatorsAddButton())})
	return b.String(), kb, nil
}

// onCoordinatorsButton handles coordinatorsAddButton and
// coordinatorRevokeButton. The router already checked that the presser is
// an admin; the data is still parsed strictly, since it can be forged.
func (a *App) onCoordinatorsButton(ctx context.Context, r *Request) error {
	if page, ok := parseCoordinatorsPage(r.Callback.Data); ok {
		a.ackCallback(ctx, r)
		text, kb, err := a.coordinatorsView(ctx, r, page)
		if err != nil {
			return err
		}
		return a.edit(ctx, r, text, kb)
	}
	action, id, ok := parseCoordinatorsButton(r.Callback.Data)
	switch {
	case ok && action == coordinatorsAdd:
		a.ackCallback(ctx, r)
		return a.grantCoordinatorWizard().Start(ctx, a, r, grantState{})
	case ok && action == coordinatorsTown:
		target, err := a.store.User(ctx, id)
		if errors.Is(err, storage.ErrNotFound) || err == nil && target.Role != storage.RoleCoordinator {
			break
		}
		if err != nil {
			return err
		}
		a.ackCallback(ctx, r)
		return a.coordinatorTownWizard().Start(ctx, a, r, coordinatorTownState{TargetID: target.ID})
	case ok && action == coordinatorsRevoke:
		target, err := a.store.User(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			break
		}
		if err != nil {
			return err
		}
		a.ackCallback(ctx, r)
		if err := a.changeRole(ctx, r, target, storage.RoleVolunteer); err != nil {
			return err
		}
		text, kb, err := a.coordinatorsView(ctx, r, 0)
		if err != nil {
			return err
		}
		return a.edit(ctx, r, text, kb)
	}
	return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
}

// grantState is the state of the grant dialogue: the person chosen, and
// whether by @username (then with the name and username shown to confirm).
type grantState struct {
	TargetID int64  `json:"target_id"`
	ByName   bool   `json:"by_name,omitempty"`
	Name     string `json:"name,omitempty"`
	Username string `json:"username,omitempty"`
}

// valueGrant is the choice value that confirms a grant.
const valueGrant = "yes"

// grantCoordinatorWizard asks an admin for the person to make coordinator,
// by @username or by a forwarded message of theirs. A @username may have
// passed to someone else since its holder last wrote to the bot, so a
// person found by it is shown with name and id to confirm first; a
// forwarded message names its author exactly.
func (a *App) grantCoordinatorWizard() *Wizard[grantState] {
	return &Wizard[grantState]{
		Name: "grant_coordinator",
		Steps: []Step[grantState]{{
			Ask: func(r *Request, _ *grantState) Question { return Question{Text: r.Loc.T("coordinators_ask")} },
			Answer: func(ctx context.Context, r *Request, s *grantState, _ Input) (Result, error) {
				target, err := a.resolvePerson(ctx, r)
				var unknown unknownPersonError
				switch {
				case errors.As(err, &unknown):
					return Refuse("coordinators_not_found", "Who", string(unknown)), nil
				case errors.Is(err, errHiddenForward):
					return Refuse("coordinators_forward_hidden"), nil
				case err != nil:
					return Result{}, err
				}
				*s = grantState{TargetID: target.ID, ByName: r.Update.Message.ForwardOrigin == nil,
					Name: target.DisplayName(), Username: target.Username}
				return Accept, nil
			},
		}, {
			Skip: func(s *grantState) bool { return !s.ByName },
			Ask: func(r *Request, s *grantState) Question {
				return Question{Text: r.Loc.T("coordinators_confirm", "Name", s.Name, "Username", s.Username, "ID", s.TargetID),
					Choices: [][]Choice{{{Label: r.Loc.Plain("coordinators_confirm_yes"), Value: valueGrant}}}}
			},
			Answer: func(_ context.Context, _ *Request, _ *grantState, in Input) (Result, error) {
				if !in.IsChoice || in.Choice != valueGrant {
					return Refuse("step_use_buttons"), nil
				}
				return Accept, nil
			},
		}},
		Finish: func(ctx context.Context, r *Request, s *grantState) error {
			// Authorization is re-checked here: the admin may have lost the
			// role while the dialogue was open.
			if r.Role < RoleAdmin {
				return a.reply(ctx, r, r.Loc.T("not_allowed_admin"), nil)
			}
			target, err := a.store.User(ctx, s.TargetID)
			if err != nil {
				return err
			}
			return a.changeRole(ctx, r, target, storage.RoleCoordinator)
		},
	}
}

var errHiddenForward = errors.New("forward origin hidden")

// unknownPersonError names someone the bot has never met.
type unknownPersonError string

func (e unknownPersonError) Error() string { return "unknown person " + string(e) }

func (a *App) resolvePerson(ctx context.Context, r *Request) (storage.User, error) {
	if r.Update.Message == nil {
		return storage.User{}, unknownPersonError("")
	}
	if fo := r.Update.Message.ForwardOrigin; fo != nil {
		if fo.MessageOriginUser == nil {
			return storage.User{}, errHiddenForward
		}
		su := fo.MessageOriginUser.SenderUser
		u, err := a.store.User(ctx, su.ID)
		if errors.Is(err, storage.ErrNotFound) {
			return u, unknownPersonError(strings.TrimSpace(su.FirstName + " " + su.LastName))
		}
		return u, err
	}
	name := strings.TrimPrefix(strings.TrimSpace(r.Text), "@")
	if !validUsername(name) {
		return storage.User{}, unknownPersonError(r.Text)
	}
	u, err := a.store.UserByUsername(ctx, name)
	if errors.Is(err, storage.ErrNotFound) {
		return u, unknownPersonError("@" + name)
	}
	return u, err
}

// validUsername applies Telegram's rule: 5 to 32 of a-z, 0-9 and _.
func validUsername(s string) bool {
	if len(s) < 5 || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// changeRole grants or revokes the coordinator role, tells the admin, and
// has the person concerned told (renderRoleChange).
func (a *App) changeRole(ctx context.Context, r *Request, target storage.User, role string) error {
	name := target.DisplayName()
	if a.isAdmin(target.ID) {
		return a.reply(ctx, r, r.Loc.T("coordinator_is_admin", "Name", name), nil)
	}
	changed, err := ChangeRole(ctx, a.store, a.delivery, r.User.ID, target.ID, role)
	if err != nil {
		return err
	}
	granted := role == storage.RoleCoordinator
	switch {
	case !changed && granted:
		return a.reply(ctx, r, r.Loc.T("coordinator_already", "Name", name), nil)
	case !changed:
		return a.reply(ctx, r, r.Loc.T("coordinator_not_coordinator", "Name", name), nil)
	}
	r.Log.Info("role changed", "target", target.ID, "role", role)
	msg, newRole := "coordinator_revoked", RoleVolunteer
	if granted {
		msg, newRole = "coordinator_granted", RoleCoordinator
	}
	if err := a.reply(ctx, r, r.Loc.T(msg, "Name", name), nil); err != nil {
		return err
	}
	lang, _ := a.languageOf(target)
	a.syncCommands(ctx, target.ID, newRole, lang)
	return nil
}

// RoleChangeNotice is the message that tells the person concerned about a
// change of their role (rendered by the bot when it is sent), for whoever
// changes roles: /coordinators, or `partnerbot grant` on the command line.
func RoleChangeNotice(c storage.RoleChange) delivery.Message {
	return delivery.Message{ChatID: c.TargetID, Kind: kindRoleChanged, Ref: c.AuditID}
}

// ChangeRole gives targetID role and schedules the notice that tells them,
// in one transaction, so that nobody is told of a change that did not
// happen. It serves /coordinators, the command line and the playground;
// queue may be an engine that only schedules (its Run never called).
func ChangeRole(ctx context.Context, store *storage.Store, queue *delivery.Engine, actorID, targetID int64, role string) (changed bool, err error) {
	err = store.InTx(ctx, func(tx pgx.Tx) error {
		var c storage.RoleChange
		if c, changed, err = store.SetRoleTx(ctx, tx, actorID, targetID, role); err != nil || !changed {
			return err
		}
		_, err = queue.ScheduleTx(ctx, tx, RoleChangeNotice(c))
		return err
	})
	return changed, err
}

// renderRoleChange tells a person they were made coordinator or lost the
// role, unless it has changed again since (the later notice tells).
func (a *App) renderRoleChange(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	c, err := loadFor(ctx, m, m.Ref, a.store.RoleChange)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if c.TargetID != m.ChatID {
		return delivery.Rendered{}, stale(m, "not the person concerned")
	}
	u, err := loadFor(ctx, m, m.ChatID, a.store.User)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if u.Role != c.New {
		return delivery.Rendered{}, stale(m, "role changed again")
	}
	notice := "coordinator_you_revoked"
	if c.New == storage.RoleCoordinator {
		notice = "coordinator_you_granted"
	}
	return delivery.Rendered{Text: a.locOf(u).T(notice)}, nil
}

// coordinatorTownState is the state of the dialogue that grants a
// coordinator a town.
type coordinatorTownState struct {
	TargetID int64     `json:"target_id"`
	Town     townField `json:"town"`
}

// coordinatorTownWizard asks an admin for a town a coordinator will speak
// for (their broadcasts reach it and its partnership network).
func (a *App) coordinatorTownWizard() *Wizard[coordinatorTownState] {
	return &Wizard[coordinatorTownState]{
		Name:  "coordinator_town",
		Steps: []Step[coordinatorTownState]{townStep(a, "coordinators_ask_town", "", func(s *coordinatorTownState) *townField { return &s.Town })},
		Finish: func(ctx context.Context, r *Request, s *coordinatorTownState) error {
			// Re-checked: roles may have changed while the dialogue was open.
			if r.Role < RoleAdmin {
				return a.reply(ctx, r, r.Loc.T("not_allowed_admin"), nil)
			}
			target, err := a.store.User(ctx, s.TargetID)
			if err != nil {
				return err
			}
			if target.Role != storage.RoleCoordinator {
				return a.reply(ctx, r, r.Loc.T("coordinator_not_coordinator", "Name", target.DisplayName()), nil)
			}
			return a.addCoordinatorTown(ctx, r, target, s.Town)
		},
	}
}

// addCoordinatorTown lets a coordinator speak for a town (their
// broadcasts reach it and its partnership network), with an audit entry.
func (a *App) addCoordinatorTown(ctx context.Context, r *Request, target storage.User, town townField) error {
	var added bool
	err := a.store.InTx(ctx, func(tx pgx.Tx) (err error) {
		added, err = a.store.AddCoordinatorTownTx(ctx, tx, r.User.ID, target.ID, town.ID)
		return err
	})
	if err != nil {
		return err
	}
	r.Log.Info("coordinator town", "target", target.ID, "town_id", town.ID, "added", added)
	return a.reply(ctx, r, r.Loc.T("coordinators_town_added", "Name", target.DisplayName(), "Town", town.Name), nil)
}
