package bot

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/locales"
	"partnerbot/storage"
)

// Kinds of delivery messages of contact requests; Ref is the contact request. Each render func loads the row
// named by Ref and drops the message when that row has moved on (notices.go).
const (
	// kindContactRequest shows the owner a request, with Accept and
	// Decline, while it is pending. Ref is the contact request.
	kindContactRequest = "contact_request"
	// kindContactAnswer tells the requester the owner's answer (and, on
	// Accept, the owner's contact). Ref is the contact request.
	kindContactAnswer = "contact_answer"
	// kindContactAccepted shows the owner, once more, the requester's
	// contact after they accepted: scheduled with the decision, due
	// ownerContactFallback later, and cancelled as soon as the owner's
	// pressed message shows the contact. Ref is the contact request.
	kindContactAccepted = "contact_accepted"
)

// ownerContactFallback is how long after an Accept the owner is sent the
// requester's contact in a message of its own, unless the answer to the
// press (which shows it at once) got through.
const ownerContactFallback = time.Minute

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

// onContactButton (projectContact) checks that the user may ask for this
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

// sendContactRequest records the request, checked once more, and has it
// delivered to the owner (renderContactRequest).
func (a *App) sendContactRequest(ctx context.Context, r *Request, d *contactDraft) error {
	p, err := a.visibleProject(ctx, r, d.Code)
	if err != nil {
		return a.refuseContactRequest(ctx, r, err)
	}
	var c storage.ContactRequest
	err = a.store.InTx(ctx, func(tx pgx.Tx) (err error) {
		if c, err = a.store.CreateContactRequestTx(ctx, tx, r.User.ID, p.ID, d.Intro, a.now()); err != nil {
			return err
		}
		return a.notify(ctx, tx, delivery.Message{ChatID: c.OwnerID, Kind: kindContactRequest, Ref: c.ID})
	})
	if err != nil {
		return a.refuseContactRequest(ctx, r, err)
	}
	r.Log.Info("contact request sent", "request", c.ID, "project", p.Code)
	return a.reply(ctx, r, r.Loc.T("contact_sent", "Title", p.Title), nil)
}

// onContactDecision handles the owner's contactDecisionButton: accept or
// decline. Only the owner the request was sent to can decide it; the
// database checks that, whatever the data says.
func (a *App) onContactDecision(ctx context.Context, r *Request) error {
	accept, id, ok := parseContactDecision(r.Callback.Data)
	if !ok {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	var c storage.ContactRequest
	expired := false
	err := a.store.InTx(ctx, func(tx pgx.Tx) (err error) {
		c, err = a.store.DecideContactRequestTx(ctx, tx, r.User.ID, id, accept, a.now())
		if errors.Is(err, storage.ErrRequestExpired) {
			// Commit the request marked expired; nobody is told.
			expired = true
			return nil
		}
		if err != nil {
			return err
		}
		if err := a.notify(ctx, tx, delivery.Message{ChatID: c.RequesterID, Kind: kindContactAnswer, Ref: c.ID}); err != nil || !accept {
			return err
		}
		// The owner sees the requester's contact in the answer to this
		// press; should that one Telegram call fail, this message shows it
		// (it commits with the decision, and is cancelled below once the
		// answer got through).
		_, err = a.delivery.ScheduleTx(ctx, tx, delivery.Message{ChatID: c.OwnerID, Kind: kindContactAccepted, Ref: c.ID,
			DueAt: a.now().Add(ownerContactFallback)})
		return err
	})
	if err == nil && expired {
		err = storage.ErrRequestExpired
	}
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
	ownerText := r.Loc.T("contact_declined_owner", "Title", c.ProjectTitle, "Intro", c.Intro)
	if accept {
		requester, err := a.store.User(ctx, c.RequesterID)
		if err != nil {
			return err
		}
		ownerText = r.Loc.T("contact_accepted_owner", "Title", c.ProjectTitle, "Intro", c.Intro,
			"Contact", contactLink(r.Loc, requester))
	}
	if err := a.edit(ctx, r, ownerText, nil); err != nil || !accept {
		return err
	}
	if err := a.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := a.delivery.CancelTx(ctx, tx, delivery.Filter{Kind: kindContactAccepted, Ref: c.ID, ChatID: c.OwnerID})
		return err
	}); err != nil {
		// The owner is then shown the contact a second time.
		r.Log.Warn("cancel the owner's contact message", "request", c.ID, "err", err)
	}
	return nil
}

// renderContactRequest shows the owner a request while it can still be
// answered, in the owner's language of that moment.
func (a *App) renderContactRequest(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	c, l, err := noticeFor(ctx, a, m, a.store.ContactRequest, func(c storage.ContactRequest) int64 { return c.OwnerID })
	if err != nil {
		return delivery.Rendered{}, err
	}
	left := c.ExpiresAt.Sub(a.now())
	if c.Status != storage.RequestPending || left <= 0 {
		return delivery.Rendered{}, stale(m, "no longer pending")
	}
	days := int(math.Ceil(left.Hours() / 24))
	return delivery.Rendered{
		Text: l.T("contact_received", "Title", c.ProjectTitle, "Intro", c.Intro) + "\n\n" + l.N("contact_expires_in", days),
		Keyboard: a.addTranslateRow(keyboard([]models.InlineKeyboardButton{
			button(l.Plain("contact_accept"), contactDecisionButton(true, c.ID)),
			button(l.Plain("contact_decline"), contactDecisionButton(false, c.ID))}),
			l, trContact, formatID(c.ID), c.IntroLang),
	}, nil
}

// renderContactAnswer tells the requester the owner's answer; on Accept
// with the owner's contact as it is now.
func (a *App) renderContactAnswer(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	c, l, err := noticeFor(ctx, a, m, a.store.ContactRequest, func(c storage.ContactRequest) int64 { return c.RequesterID })
	if err != nil {
		return delivery.Rendered{}, err
	}
	switch c.Status {
	case storage.RequestDeclined:
		return delivery.Rendered{Text: l.T("contact_declined_requester", "Title", c.ProjectTitle)}, nil
	case storage.RequestAccepted:
		owner, err := loadFor(ctx, m, c.OwnerID, a.store.User)
		if err != nil {
			return delivery.Rendered{}, err
		}
		return delivery.Rendered{Text: l.T("contact_accepted_requester", "Title", c.ProjectTitle, "Contact", contactLink(l, owner))}, nil
	}
	return delivery.Rendered{}, stale(m, "not answered")
}

// renderContactAccepted shows the owner the contact of a requester whose
// request they accepted, as it is now; dropped when the requester is gone.
func (a *App) renderContactAccepted(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	c, l, err := noticeFor(ctx, a, m, a.store.ContactRequest, func(c storage.ContactRequest) int64 { return c.OwnerID })
	if err != nil {
		return delivery.Rendered{}, err
	}
	if c.Status != storage.RequestAccepted {
		return delivery.Rendered{}, stale(m, "not accepted")
	}
	requester, err := loadFor(ctx, m, c.RequesterID, a.store.User)
	if err != nil {
		return delivery.Rendered{}, err
	}
	return delivery.Rendered{Text: l.T("contact_accepted_owner", "Title", c.ProjectTitle, "Intro", c.Intro,
		"Contact", contactLink(l, requester))}, nil
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
