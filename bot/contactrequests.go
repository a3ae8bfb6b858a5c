package bot

import (
	"context"
	"errors"
	"strconv"

	"github.com/go-telegram/bot/models"

	"partnerbot/locales"
	"partnerbot/storage"
)

// contactDraft is the state of the contact request dialogue.
type contactDraft struct {
	Code  string `json:"code"`
	Intro string `json:"intro,omitempty"`
}

// contactRequestWizard asks the requester for a short introduction and
// sends it to the project's owner.
func (a *App) contactRequestWizard() *Wizard[contactDraft] {
	return &Wizard[contactDraft]{
		Name: "contact_request",
		Steps: []Step[contactDraft]{TextStep("contact_ask_intro", storage.MaxIntroLen,
			func(d *contactDraft) *string { return &d.Intro })},
		Finish: a.sendContactRequest,
	}
}

// onContactButton ("pj:r:<code>") checks that the user may ask for this
// owner's contact before asking for an introduction.
func (a *App) onContactButton(ctx context.Context, r *Request, p storage.Project, _ string) error {
	if err := a.store.CheckContactRequest(ctx, r.User.ID, p.ID, a.now()); err != nil {
		return a.refuseContactRequest(ctx, r, err)
	}
	a.ackCallback(ctx, r)
	return a.contactRequestWizard().Start(ctx, a, r, contactDraft{Code: p.Code})
}

// contactRefusals maps why a request cannot be made to what the user is
// told.
var contactRefusals = []struct {
	err error
	msg string
}{
	{storage.ErrNotFound, "project_not_found"},
	{storage.ErrRequestsClosed, "contact_closed"},
	{storage.ErrOwnProject, "contact_own"},
	{storage.ErrDuplicateRequest, "contact_duplicate"},
	{storage.ErrRequestLimit, "contact_limit"},
}

// refuseContactRequest tells the user why their request cannot be made,
// or returns err if it is no such reason.
func (a *App) refuseContactRequest(ctx context.Context, r *Request, err error) error {
	for _, c := range contactRefusals {
		if !errors.Is(err, c.err) {
			continue
		}
		r.Log.Info("contact request refused", "reason", err)
		if r.Callback != nil {
			return a.answerCallback(ctx, r, r.Loc.Plain(c.msg, "Max", storage.ContactRequestsPerDay), true)
		}
		return a.reply(ctx, r, r.Loc.T(c.msg, "Max", storage.ContactRequestsPerDay), nil)
	}
	return err
}

// sendContactRequest records the request, checked once more, and sends
// it to the owner in the owner's language.
func (a *App) sendContactRequest(ctx context.Context, r *Request, d *contactDraft) error {
	p, err := a.visibleProject(ctx, r, d.Code)
	if err != nil {
		return a.refuseContactRequest(ctx, r, err)
	}
	c, err := a.store.CreateContactRequest(ctx, r.User.ID, p.ID, d.Intro, a.now())
	if err != nil {
		return a.refuseContactRequest(ctx, r, err)
	}
	r.Log.Info("contact request sent", "request", c.ID, "project", p.Code)
	owner, err := a.store.User(ctx, c.OwnerID)
	if err != nil {
		return err
	}
	ol := a.locOf(owner)
	id := strconv.FormatInt(c.ID, 10)
	text := ol.T("contact_received", "Title", p.Title, "Intro", c.Intro) + "\n\n" +
		ol.N("contact_expires_in", int(storage.ContactRequestTTL.Hours()/24))
	kb := keyboard([]models.InlineKeyboardButton{
		button(ol.Plain("contact_accept"), "cr:a:"+id), button(ol.Plain("contact_decline"), "cr:d:"+id)})
	if err := a.sendHTML(ctx, owner.ID, text, kb); err != nil {
		// The owner may have blocked the bot; the request stays until it
		// expires, as any unanswered one.
		r.Log.Warn("deliver contact request", "request", c.ID, "err", err)
	}
	return a.reply(ctx, r, r.Loc.T("contact_sent", "Title", p.Title), nil)
}

// onContactDecision handles the owner's "cr:a:<id>" (accept) and
// "cr:d:<id>" (decline). Only the owner the request was sent to can
// decide it; the database checks that, whatever the data says.
func (a *App) onContactDecision(ctx context.Context, r *Request) error {
	action, id, ok := idButton(r.Callback.Data, "a", "d")
	if !ok {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	accept := action == "a"
	c, err := a.store.DecideContactRequest(ctx, r.User.ID, id, accept, a.now())
	switch {
	case errors.Is(err, storage.ErrNotFound):
		r.Log.Warn("refused contact decision", "callback", r.Callback.Data)
		return a.answerCallback(ctx, r, r.Loc.Plain("contact_not_found"), true)
	case errors.Is(err, storage.ErrRequestDecided):
		return a.answerCallback(ctx, r, r.Loc.Plain("contact_already_answered"), true)
	case errors.Is(err, storage.ErrRequestExpired):
		a.ackCallback(ctx, r)
		return a.edit(ctx, r, r.Loc.T("contact_expired", "Title", c.ProjectTitle, "Intro", c.Intro), nil)
	case err != nil:
		return err
	}
	a.ackCallback(ctx, r)
	r.Log.Info("contact request decided", "request", c.ID, "status", c.Status)
	requester, err := a.store.User(ctx, c.RequesterID)
	if err != nil {
		return err
	}
	rl := a.locOf(requester)
	ownerText := r.Loc.T("contact_declined_owner", "Title", c.ProjectTitle, "Intro", c.Intro)
	requesterText := rl.T("contact_declined_requester", "Title", c.ProjectTitle)
	if accept {
		ownerText = r.Loc.T("contact_accepted_owner", "Title", c.ProjectTitle, "Intro", c.Intro,
			"Contact", contactLink(r.Loc, requester))
		requesterText = rl.T("contact_accepted_requester", "Title", c.ProjectTitle, "Contact", contactLink(rl, r.User))
	}
	if err := a.sendHTML(ctx, requester.ID, requesterText, nil); err != nil {
		r.Log.Warn("tell requester", "request", c.ID, "err", err)
	}
	return a.edit(ctx, r, ownerText, nil)
}

// contactLink is a person's Telegram contact: a link that opens their
// profile, with @username when they have one.
func contactLink(l *locales.Localizer, u storage.User) locales.HTML {
	return locales.HTML(l.T("contact_link", "ID", u.ID, "Name", u.DisplayName(), "Username", u.Username))
}

// locOf is the localizer for talking to u, who is not the sender of the
// update being handled.
func (a *App) locOf(u storage.User) *locales.Localizer {
	lang, _ := a.languageOf(u)
	return a.cat.For(lang)
}
