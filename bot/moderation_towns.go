package bot

import (
	"context"
	"errors"
	"slices"

	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/locales"
	"partnerbot/storage"
)

// Kinds of delivery messages of proposed towns. Each render func loads the row
// named by Ref and drops the message when that row has moved on (notices.go).
const (
	// kindTownProposed shows a coordinator or an administrator a proposed
	// town, with Confirm and Reject, while it waits. Ref is the town.
	kindTownProposed = "town_proposed"
	// kindTownDecided tells the proposer whether their town was confirmed.
	// Ref is the audit log entry of the decision.
	kindTownDecided = "town_decided"
)

// maxProposalsListed bounds how many proposals /towns shows at once, one
// message each; the rest follow as these are decided.
const maxProposalsListed = 10

// proposalMessage is a proposed town as coordinators see it, with Confirm
// and Reject buttons (townDecisionButton).
func (a *App) proposalMessage(ctx context.Context, l *locales.Localizer, p storage.ProposedTown) (string, *models.InlineKeyboardMarkup) {
	proposer := l.Plain("town_proposer_unknown")
	if p.ProposedBy != 0 {
		if u, err := a.store.User(ctx, p.ProposedBy); err == nil {
			proposer = u.DisplayName()
		}
	}
	region := p.Region
	if region == "" {
		region = l.Plain("profile_not_set")
	}
	return l.T("town_proposal", "Town", p.Name, "Region", region, "Country", l.Country(p.Country), "Name", proposer),
		keyboard([]models.InlineKeyboardButton{
			button(l.Plain("town_confirm"), townDecisionButton(townConfirm, p.ID)),
			button(l.Plain("town_reject"), townDecisionButton(townReject, p.ID)),
		})
}

// moderators are the people who decide about proposed towns and reports:
// the coordinators and the administrators.
func (a *App) moderators(ctx context.Context) ([]int64, error) {
	coordinators, err := a.store.UsersWithRole(ctx, storage.RoleCoordinator)
	if err != nil {
		return nil, err
	}
	ids := slices.Clone(a.admins)
	for _, u := range coordinators {
		if !slices.Contains(ids, u.ID) {
			ids = append(ids, u.ID)
		}
	}
	return ids, nil
}

// renderTownProposal shows a proposed town to a coordinator or an
// administrator, in their language, while it waits for a decision and they
// may still decide. An administrator who never wrote to the bot is not
// written to.
func (a *App) renderTownProposal(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	p, err := loadFor(ctx, m, m.Ref, a.store.TownWithProposer)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if p.Status != storage.TownProposed {
		return delivery.Rendered{}, stale(m, "already decided")
	}
	l, err := a.moderatorLoc(ctx, m)
	if err != nil {
		return delivery.Rendered{}, err
	}
	text, kb := a.proposalMessage(ctx, l, p)
	return delivery.Rendered{Text: text, Keyboard: kb}, nil
}

// moderatorLoc is the language to write m in to its recipient, a
// coordinator or an administrator; m is dropped when the recipient is gone
// or no longer one.
func (a *App) moderatorLoc(ctx context.Context, m delivery.Message) (*locales.Localizer, error) {
	u, err := loadFor(ctx, m, m.ChatID, a.store.User)
	if err != nil {
		return nil, err
	}
	if a.roleOf(u) < RoleCoordinator {
		return nil, stale(m, "no longer a coordinator")
	}
	return a.locOf(u), nil
}

// renderTownDecision tells the proposer what was decided, with the town's
// name as it was proposed (a rejected town is gone).
func (a *App) renderTownDecision(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	d, l, err := noticeFor(ctx, a, m, a.store.TownDecision, func(d storage.TownDecision) int64 { return d.ProposerID })
	if err != nil {
		return delivery.Rendered{}, err
	}
	notice := "town_rejected_notice"
	if d.Confirmed {
		notice = "town_confirmed_notice"
	}
	return delivery.Rendered{Text: l.T(notice, "Town", townName(l, d.Town))}, nil
}

// onTowns lists the proposed towns waiting for a decision. Coordinators
// only (see routes).
func (a *App) onTowns(ctx context.Context, r *Request) error {
	pending, err := a.store.ProposedTowns(ctx)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		return a.reply(ctx, r, r.Loc.T("towns_none"), nil)
	}
	if err := a.reply(ctx, r, r.Loc.N("towns_pending", len(pending)), nil); err != nil {
		return err
	}
	for _, p := range pending[:min(len(pending), maxProposalsListed)] {
		text, kb := a.proposalMessage(ctx, r.Loc, p)
		if err := a.reply(ctx, r, text, kb); err != nil {
			return err
		}
	}
	return nil
}

// onTownDecision confirms or rejects a proposed town. The router lets only
// coordinators through; the role is checked once more against the
// database here, since the button may have been sent while the presser
// was a coordinator, and its data may be forged.
func (a *App) onTownDecision(ctx context.Context, r *Request) error {
	u, err := a.store.User(ctx, r.User.ID)
	if err != nil {
		return err
	}
	if a.roleOf(u) < RoleCoordinator {
		r.Log.Warn("refused town decision", "callback", r.Callback.Data)
		return a.answerCallback(ctx, r, r.Loc.Plain("not_allowed_coordinator"), true)
	}
	decision, id, ok := parseTownDecision(r.Callback.Data)
	if !ok {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	decide, done := a.store.ConfirmTownTx, "town_confirmed"
	if decision == townReject {
		decide, done = a.store.RejectTownTx, "town_rejected"
	}
	var d storage.TownDecision
	err = a.store.InTx(ctx, func(tx pgx.Tx) (err error) {
		if d, err = decide(ctx, tx, r.User.ID, id); err != nil || d.ProposerID == 0 {
			return err
		}
		return a.notify(ctx, tx, delivery.Message{ChatID: d.ProposerID, Kind: kindTownDecided, Ref: d.AuditID})
	})
	if errors.Is(err, storage.ErrNotFound) {
		return a.answerCallback(ctx, r, r.Loc.Plain("town_already_decided"), true)
	}
	if err != nil {
		return err
	}
	r.Log.Info("town proposal decided", "town", id, "decision", decision)
	a.ackCallback(ctx, r)
	return a.edit(ctx, r, r.Loc.T(done, "Town", townName(r.Loc, d.Town)), nil)
}
