package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/locales"
	"partnerbot/storage"
)

// Join requests to a project's group or channel. The invite link on the
// card creates a request; the bot writes to the applicant, in their
// language, through user_chat_id (Telegram allows that for five minutes,
// until the request is decided) with the group's rules and "I agree", and
// then approves, or, when the owner decides each request, passes it to the
// owner with Approve / Decline. A request found after the window (the bot
// was down) is decided without a message to the applicant.

// joinWindow is how long after a request the bot may write to the applicant.
const joinWindow = 5 * time.Minute

const kindJoinDecide = "group_join_decide"

// onJoinRequest answers a chat_join_request for a linked group or
// channel; requests to other chats are left to their administrators.
func (a *App) onJoinRequest(ctx context.Context, jr *models.ChatJoinRequest, log *slog.Logger) error {
	g, err := a.store.LiveProjectGroupOfChat(ctx, jr.Chat.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	user, err := a.store.TouchUser(ctx, storage.TelegramProfile{ID: jr.From.ID, Username: jr.From.Username,
		FirstName: jr.From.FirstName, LastName: jr.From.LastName, LanguageCode: jr.From.LanguageCode})
	if err != nil {
		return err
	}
	requested := time.Unix(int64(jr.Date), 0)
	j, err := a.store.RecordJoinRequest(ctx, storage.JoinRequest{ChatID: jr.Chat.ID, ProjectID: g.ProjectID, UserID: user.ID,
		UserChatID: jr.UserChatID, Bio: jr.Bio, RequestedAt: requested})
	if err != nil {
		return err
	}
	if j.Status != storage.JoinNew {
		return nil // asked again while we wait for them or for the owner
	}
	log = log.With("join_request", j.ID, "chat", j.ChatID)
	if a.now().Before(requested.Add(joinWindow)) {
		lang, _ := a.languageOf(user)
		sent, err := a.sendRules(ctx, a.cat.For(lang), g, j)
		if err != nil {
			return err
		}
		if sent {
			log.Info("join request: rules sent")
			return nil
		}
	}
	// The window has passed (or the applicant cannot be written to).
	if g.OwnerDecides {
		log.Info("join request late: passed to the owner")
		return a.passToOwner(ctx, j, storage.JoinNew)
	}
	log.Info("join request late: approved without a message")
	return a.decideJoin(ctx, j, true)
}

// sendRules writes the rules and "I agree" to the applicant. sent is false
// when Telegram refused (the window closed meanwhile).
func (a *App) sendRules(ctx context.Context, l *locales.Localizer, g storage.ProjectGroup, j storage.JoinRequest) (sent bool, err error) {
	if err := a.store.MoveJoinRequest(ctx, j.ID, storage.JoinRulesSent, storage.JoinNew); err != nil {
		return false, err
	}
	text, err := a.rulesText(ctx, l, g, "group_join_rules")
	if err != nil {
		return false, err
	}
	err = a.sendHTML(ctx, j.UserChatID, text, keyboard([]models.InlineKeyboardButton{
		button(l.Plain("group_button_agree"), joinButton(joinAgree, j.ID))}))
	if errors.Is(err, tgbot.ErrorForbidden) || errors.Is(err, tgbot.ErrorBadRequest) {
		return false, a.store.MoveJoinRequest(ctx, j.ID, storage.JoinNew, storage.JoinRulesSent)
	}
	return err == nil, err
}

// rulesText is the message msg (group_join_rules to an applicant,
// group_rules_in_group in the group) with the group's rules in l's
// language (or the chat's, or any the owner wrote, or the bot's own short
// rules), and the responsible adult of a youth project.
func (a *App) rulesText(ctx context.Context, l *locales.Localizer, g storage.ProjectGroup, msg string) (string, error) {
	p, err := a.store.ProjectByID(ctx, g.ProjectID)
	if err != nil {
		return "", err
	}
	rules, err := a.store.Rules(ctx, g.ProjectID)
	if err != nil {
		return "", err
	}
	body, ok := rules.Texts[l.Lang()]
	if !ok {
		if c, err := a.store.GroupChatByID(ctx, g.ChatID); err == nil {
			body, ok = rules.Texts[c.Language]
		}
	}
	for _, code := range locales.Codes {
		if !ok {
			body, ok = rules.Texts[code]
		}
	}
	var rulesHTML string
	if ok {
		rulesHTML = l.T("group_rules_quote", "Rules", body)
	} else {
		rulesHTML = l.T("group_rules_default")
	}
	text := l.T(msg, "Group", g.Title, "Title", p.Title, "Rules", locales.HTML(rulesHTML))
	if rules.ResponsibleAdult != "" {
		text += "\n\n" + l.T("group_rules_adult", "Adult", rules.ResponsibleAdult)
	}
	return text, nil
}

// onRules is /rules in a group: the rules of the project group, in the
// group's language, for every member to read (applicants read them before
// they join; members who joined otherwise, or long ago, find them here).
func (a *App) onRules(ctx context.Context, r *Request) error {
	g, err := a.store.LiveProjectGroupOfChat(ctx, r.ChatID)
	if errors.Is(err, storage.ErrNotFound) {
		return a.reply(ctx, r, r.Loc.T("group_rules_not_linked"), nil)
	}
	if err != nil {
		return err
	}
	text, err := a.rulesText(ctx, r.Loc, g, "group_rules_in_group")
	if err != nil {
		return err
	}
	return a.reply(ctx, r, text, nil)
}

// decideJoin approves or declines the request at Telegram and records it,
// together: a request Telegram no longer has is recorded as decided too.
func (a *App) decideJoin(ctx context.Context, j storage.JoinRequest, approve bool) error {
	return a.store.InTx(ctx, func(tx pgx.Tx) error {
		if err := a.store.DecideJoinRequestTx(ctx, tx, j.ID, approve); err != nil {
			return err
		}
		var err error
		if approve {
			_, err = a.api.ApproveChatJoinRequest(ctx, &tgbot.ApproveChatJoinRequestParams{ChatID: j.ChatID, UserID: j.UserID})
		} else {
			_, err = a.api.DeclineChatJoinRequest(ctx, &tgbot.DeclineChatJoinRequestParams{ChatID: j.ChatID, UserID: j.UserID})
		}
		if err != nil && (strings.Contains(err.Error(), "HIDE_REQUESTER_MISSING") || strings.Contains(err.Error(), "USER_ALREADY_PARTICIPANT")) {
			return nil // decided by an administrator meanwhile, or already in
		}
		return err
	})
}

// passToOwner hands the request to the owner for a decision.
func (a *App) passToOwner(ctx context.Context, j storage.JoinRequest, from string) error {
	if err := a.store.MoveJoinRequest(ctx, j.ID, storage.JoinWithOwner, from); err != nil {
		return err
	}
	p, err := a.store.ProjectByID(ctx, j.ProjectID)
	if err != nil {
		return err
	}
	return a.store.InTx(ctx, func(tx pgx.Tx) error {
		return a.notify(ctx, tx, delivery.Message{ChatID: p.OwnerID, Kind: kindJoinDecide, Ref: j.ID})
	})
}

// onJoinButton handles "I agree" (the applicant) and Approve / Decline
// (the owner); who may press what is checked against the database.
func (a *App) onJoinButton(ctx context.Context, r *Request) error {
	action, id, ok := parseJoinButton(r.Callback.Data)
	if !ok {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	j, err := a.store.JoinRequest(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	if err != nil {
		return err
	}
	p, err := a.store.ProjectByID(ctx, j.ProjectID)
	if err != nil {
		return err
	}
	mine := j.UserID == r.User.ID
	if action != joinAgree {
		mine = p.OwnerID == r.User.ID
	}
	if !mine {
		r.Log.Warn("refused join request action", "callback", r.Callback.Data)
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	if j.Decided {
		return a.answerCallback(ctx, r, r.Loc.Plain("group_join_already"), true)
	}
	g, err := a.store.LiveProjectGroupOfChat(ctx, j.ChatID)
	if errors.Is(err, storage.ErrNotFound) {
		return a.answerCallback(ctx, r, r.Loc.Plain("group_join_gone"), true)
	}
	if err != nil {
		return err
	}
	if action == joinAgree {
		return a.onJoinAgree(ctx, r, g, j)
	}
	return a.onOwnerDecision(ctx, r, g, p, j, action == joinApprove)
}

func (a *App) onJoinAgree(ctx context.Context, r *Request, g storage.ProjectGroup, j storage.JoinRequest) error {
	if j.Status != storage.JoinRulesSent {
		return a.answerCallback(ctx, r, r.Loc.Plain("group_join_already"), true)
	}
	a.ackCallback(ctx, r)
	if g.OwnerDecides {
		if err := a.passToOwner(ctx, j, storage.JoinRulesSent); err != nil {
			return err
		}
		return a.edit(ctx, r, r.Loc.T("group_join_waiting", "Group", g.Title), nil)
	}
	// The welcome goes first: once the request is approved, Telegram no
	// longer lets the bot write to the applicant through user_chat_id.
	if err := a.edit(ctx, r, r.Loc.T("group_join_welcome", "Group", g.Title), nil); err != nil {
		r.Log.Info("applicant not welcomed", "join_request", j.ID, "err", err)
	}
	if err := a.decideJoin(ctx, j, true); err != nil {
		return err
	}
	r.Log.Info("join request approved after the rules", "join_request", j.ID)
	return nil
}

// onOwnerDecision approves or declines. The applicant is told first, while
// Telegram still lets the bot write to them.
func (a *App) onOwnerDecision(ctx context.Context, r *Request, g storage.ProjectGroup, p storage.Project,
	j storage.JoinRequest, approve bool) error {
	if j.Status != storage.JoinWithOwner {
		return a.answerCallback(ctx, r, r.Loc.Plain("group_join_already"), true)
	}
	a.ackCallback(ctx, r)
	applicant, err := a.store.User(ctx, j.UserID)
	if err != nil {
		return err
	}
	lang, _ := a.languageOf(applicant)
	l := a.cat.For(lang)
	tell, done := "group_join_declined", "group_join_owner_declined"
	if approve {
		tell, done = "group_join_welcome", "group_join_owner_approved"
	}
	if err := a.sendHTML(ctx, j.UserChatID, l.T(tell, "Group", g.Title), nil); err != nil {
		r.Log.Info("applicant not told of the decision", "join_request", j.ID, "err", err)
	}
	if err := a.decideJoin(ctx, j, approve); err != nil {
		return err
	}
	r.Log.Info("join request decided by the owner", "join_request", j.ID, "approve", approve)
	return a.edit(ctx, r, r.Loc.T(done, "Name", j.FirstName, "Group", g.Title, "Title", p.Title), nil)
}

// renderJoinDecide asks the owner to decide a request, with the
// applicant's introduction; dropped once it is decided.
func (a *App) renderJoinDecide(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	j, err := loadFor(ctx, m, m.Ref, a.store.JoinRequest)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if j.Decided || j.Status != storage.JoinWithOwner {
		return delivery.Rendered{}, stale(m, "decided")
	}
	g, err := loadFor(ctx, m, j.ChatID, a.store.LiveProjectGroupOfChat)
	if err != nil {
		return delivery.Rendered{}, err
	}
	p, l, err := noticeFor(ctx, a, m, func(ctx context.Context, _ int64) (storage.Project, error) {
		return a.store.ProjectByID(ctx, j.ProjectID)
	}, func(p storage.Project) int64 { return p.OwnerID })
	if err != nil {
		return delivery.Rendered{}, err
	}
	intro := l.T("group_join_no_intro")
	if j.Bio != "" {
		intro = l.T("group_join_intro", "Bio", j.Bio)
	}
	return delivery.Rendered{
		Text: l.T("group_join_decide", "Name", j.FirstName, "Group", g.Title, "Title", p.Title, "Intro", locales.HTML(intro)),
		Keyboard: keyboard([]models.InlineKeyboardButton{
			button(l.Plain("group_button_approve"), joinButton(joinApprove, j.ID)),
			button(l.Plain("group_button_decline"), joinButton(joinDecline, j.ID)),
		}),
	}, nil
}
