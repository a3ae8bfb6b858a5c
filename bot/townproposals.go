package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"partnerbot/locales"
	"partnerbot/storage"
)

// maxProposalsListed bounds how many proposals /towns shows at once, one
// message each; the rest follow as these are decided.
const maxProposalsListed = 10

// proposalMessage is a proposed town as coordinators see it, with Confirm
// and Reject buttons ("tw:ok:<id>", "tw:no:<id>").
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
	id := strconv.FormatInt(p.ID, 10)
	return l.T("town_proposal", "Town", p.Name, "Region", region, "Country", l.Country(p.Country), "Name", proposer),
		keyboard([]models.InlineKeyboardButton{
			button(l.Plain("town_confirm"), "tw:ok:"+id),
			button(l.Plain("town_reject"), "tw:no:"+id),
		})
}

// notifyCoordinators shows a new proposal to every coordinator and
// administrator, each in their language. Someone who cannot be reached
// does not stop the others; /towns lists the proposals again.
func (a *App) notifyCoordinators(ctx context.Context, r *Request, p storage.ProposedTown) {
	people, err := a.store.UsersWithRole(ctx, storage.RoleCoordinator)
	if err != nil {
		r.Log.Error("list coordinators for a town proposal", "err", err)
	}
	for _, id := range a.admins {
		if u, err := a.store.User(ctx, id); err == nil && u.Role != storage.RoleCoordinator {
			people = append(people, u)
		}
	}
	for _, u := range people {
		text, kb := a.proposalMessage(ctx, a.locOf(u), p)
		if err := a.sendHTML(ctx, u.ID, text, kb); err != nil {
			r.Log.Warn("show town proposal", "coordinator", u.ID, "town", p.ID, "err", err)
		}
	}
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
	parts := strings.Split(r.Callback.Data, ":")
	if len(parts) != 3 || (parts[1] != "ok" && parts[1] != "no") {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	decide, done, notice := a.store.ConfirmTown, "town_confirmed", "town_confirmed_notice"
	if parts[1] == "no" {
		decide, done, notice = a.store.RejectTown, "town_rejected", "town_rejected_notice"
	}
	p, err := decide(ctx, r.User.ID, id)
	if errors.Is(err, storage.ErrNotFound) {
		return a.answerCallback(ctx, r, r.Loc.Plain("town_already_decided"), true)
	}
	if err != nil {
		return err
	}
	r.Log.Info("town proposal decided", "town", id, "decision", parts[1])
	a.ackCallback(ctx, r)
	if err := a.edit(ctx, r, r.Loc.T(done, "Town", townName(r.Loc, p.Town)), nil); err != nil {
		return err
	}
	if p.ProposedBy == 0 {
		return nil
	}
	proposer, err := a.store.User(ctx, p.ProposedBy)
	if err != nil {
		r.Log.Warn("load proposer", "user", p.ProposedBy, "err", err)
		return nil
	}
	l := a.locOf(proposer)
	if err := a.sendHTML(ctx, proposer.ID, l.T(notice, "Town", townName(l, p.Town)), nil); err != nil {
		// They may have blocked the bot; the decision stands.
		r.Log.Warn("tell proposer", "user", proposer.ID, "err", err)
	}
	return nil
}
