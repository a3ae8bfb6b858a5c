package bot

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"partnerbot/locales"
	"partnerbot/storage"
)

// Linking a Telegram group or channel to a project. Telegram's deep links
// add the bot with the rights it needs: t.me/<bot>?startgroup=g<code>&admin=…
// (Telegram then sends "/start@<bot> g<code>" in the group, from the person
// who added it) and t.me/<bot>?startchannel&admin=… (no parameter: the
// owner presses "Link a channel" first, and the next channel they add the
// bot to as administrator is linked). The person linking must own the
// project and be an administrator there, and the bot must be able to
// invite users; otherwise the bot says what is missing, in the chat's
// language.

// groupLinkPrefix starts the startgroup parameter of a project's group link.
const groupLinkPrefix = "g"

// botGroupRights and botChannelRights are the administrator rights the
// deep links ask for.
const (
	botGroupRights   = "invite_users"
	botChannelRights = "post_messages+invite_users"
)

// channelIntentTTL is how long "Link a channel" waits for the channel.
const channelIntentTTL = time.Hour

// inviteLinkName names the bot's invite links in the chat's link list.
const inviteLinkName = "partnerbot"

func (a *App) groupLinkURL(p storage.Project) string {
	return "https://t.me/" + a.botName + "?startgroup=" + groupLinkPrefix + p.Code + "&admin=" + botGroupRights
}

func (a *App) channelLinkURL() string {
	return "https://t.me/" + a.botName + "?startchannel&admin=" + botChannelRights
}

// onStartAnywhere is /start: in a group it is the end of a group link;
// in private chats, a youth group's registration link or the usual start.
func (a *App) onStartAnywhere(ctx context.Context, r *Request) error {
	if !r.Private {
		code, ok := strings.CutPrefix(r.Args, groupLinkPrefix)
		if !ok || !storage.ValidProjectCode(code) {
			return a.pointToPrivateChat(ctx, r)
		}
		return a.linkGroup(ctx, r, code)
	}
	if chatID, ok := youthRegistrationChat(r.Args); ok {
		return a.startYouthRegistration(ctx, r, chatID)
	}
	return a.onStart(ctx, r)
}

// onLink is /link in a group: "/link <project code or link>" links the
// group, as the startgroup link does.
func (a *App) onLink(ctx context.Context, r *Request) error {
	code := projectCodeIn(r.Args)
	if code == "" {
		return a.reply(ctx, r, r.Loc.T("group_link_how"), nil)
	}
	return a.linkGroup(ctx, r, code)
}

// projectCodeIn finds a project code in what was typed after /link: the
// code itself, or the project's deep link.
func projectCodeIn(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "start="+projectLinkPrefix); i >= 0 {
		s = s[i+len("start="+projectLinkPrefix):]
	}
	s = strings.TrimPrefix(s, groupLinkPrefix)
	if storage.ValidProjectCode(s) {
		return s
	}
	return ""
}

// isAdminStatus: creators and administrators administer a chat.
func isAdminStatus(m *models.ChatMember) bool {
	return m != nil && (m.Type == models.ChatMemberTypeOwner || m.Type == models.ChatMemberTypeAdministrator)
}

// chatAdmin asks Telegram whether userID administers the chat.
func (a *App) chatAdmin(ctx context.Context, chatID, userID int64) (bool, error) {
	m, err := a.api.GetChatMember(ctx, &tgbot.GetChatMemberParams{ChatID: chatID, UserID: userID})
	if err != nil {
		return false, err
	}
	return isAdminStatus(m), nil
}

// botCanInvite asks Telegram whether the bot is an administrator of the
// chat allowed to invite users.
func (a *App) botCanInvite(ctx context.Context, chatID int64) (bool, error) {
	m, err := a.api.GetChatMember(ctx, &tgbot.GetChatMemberParams{ChatID: chatID, UserID: a.api.ID()})
	if err != nil {
		return false, err
	}
	return m.Type == models.ChatMemberTypeAdministrator && m.Administrator != nil && m.Administrator.CanInviteUsers, nil
}

// linkGroup links the group of the request to the project with code.
func (a *App) linkGroup(ctx context.Context, r *Request, code string) error {
	p, err := a.store.ProjectByCode(ctx, code)
	if errors.Is(err, storage.ErrNotFound) {
		return a.reply(ctx, r, r.Loc.T("group_link_unknown"), nil)
	}
	if err != nil {
		return err
	}
	if p.OwnerID != r.User.ID {
		r.Log.Warn("refused group link by a non-owner", "project", p.Code)
		return a.reply(ctx, r, r.Loc.T("group_link_not_owner"), nil)
	}
	admin, err := a.chatAdmin(ctx, r.ChatID, r.User.ID)
	if err != nil {
		return err
	}
	if !admin {
		return a.reply(ctx, r, r.Loc.T("group_link_not_admin"), nil)
	}
	canInvite, err := a.botCanInvite(ctx, r.ChatID)
	if err != nil {
		return err
	}
	if !canInvite {
		return a.reply(ctx, r, r.Loc.T("group_link_bot_rights"), nil)
	}
	chat := r.Update.Message.Chat
	lang := r.Loc.Lang()
	if err := a.store.SaveGroupChat(ctx, storage.GroupChat{ChatID: chat.ID, Kind: chatKindOf(chat), Title: chat.Title,
		Language: lang}); err != nil {
		return err
	}
	if _, err := a.linkChat(ctx, p, chat.ID, "group", r.User.ID); errors.Is(err, storage.ErrChatLinked) {
		return a.reply(ctx, r, r.Loc.T("group_link_taken"), nil)
	} else if err != nil {
		return err
	}
	r.Log.Info("project group linked", "project", p.Code, "chat", chat.ID)
	return a.reply(ctx, r, r.Loc.T("group_linked", "Title", p.Title), nil)
}

// linkChat makes an invite link that creates join requests and links the
// chat to the project.
func (a *App) linkChat(ctx context.Context, p storage.Project, chatID int64, kind string, by int64) (storage.ProjectGroup, error) {
	link, err := a.api.CreateChatInviteLink(ctx, &tgbot.CreateChatInviteLinkParams{ChatID: chatID, Name: inviteLinkName,
		CreatesJoinRequest: true})
	if err != nil {
		return storage.ProjectGroup{}, err
	}
	g, err := a.store.LinkProjectGroup(ctx, p.ID, chatID, kind, link.InviteLink)
	if err != nil {
		return g, err
	}
	return g, a.store.RecordGroupRole(ctx, chatID, by, storage.GroupRoleLinked)
}

// linkChannel links a channel the bot was made administrator of to the
// project its adder asked to link a channel to, and tells them in their
// private chat how it went.
func (a *App) linkChannel(ctx context.Context, cm *models.ChatMemberUpdated, log *slog.Logger) error {
	projectID, err := a.store.TakeChannelIntent(ctx, cm.From.ID, a.now())
	if errors.Is(err, storage.ErrNotFound) {
		return nil // added for something else
	}
	if err != nil {
		return err
	}
	owner, err := a.store.User(ctx, cm.From.ID)
	if err != nil {
		return err
	}
	lang, _ := a.languageOf(owner)
	l := a.cat.For(lang)
	p, err := a.store.ProjectByID(ctx, projectID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && p.OwnerID != owner.ID) {
		return nil
	}
	if err != nil {
		return err
	}
	say := func(text string) error { return a.sendHTML(ctx, owner.ID, text, nil) }
	admin, err := a.chatAdmin(ctx, cm.Chat.ID, owner.ID)
	if err != nil {
		return err
	}
	if !admin {
		return say(l.T("group_channel_not_admin", "Channel", cm.Chat.Title))
	}
	rights := cm.NewChatMember.Administrator
	if rights == nil || !rights.CanInviteUsers {
		return say(l.T("group_channel_bot_rights", "Channel", cm.Chat.Title))
	}
	if _, err := a.linkChat(ctx, p, cm.Chat.ID, "channel", owner.ID); errors.Is(err, storage.ErrChatLinked) {
		return say(l.T("group_link_taken"))
	} else if err != nil {
		return err
	}
	log.Info("project channel linked", "project", p.Code, "chat", cm.Chat.ID)
	return say(l.T("group_channel_linked", "Channel", cm.Chat.Title, "Title", p.Title))
}

// groupCardRows are the card's rows about the project's group and
// channel: for the owner, linking them and their panel; for everyone else,
// joining them (by a link that creates a join request).
func (a *App) groupCardRows(ctx context.Context, r *Request, p storage.Project) ([][]models.InlineKeyboardButton, error) {
	groups, err := a.store.ProjectGroups(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	l := r.Loc
	var rows [][]models.InlineKeyboardButton
	if p.OwnerID == r.User.ID {
		if a.botName == "" {
			return nil, nil
		}
		rows = append(rows, []models.InlineKeyboardButton{
			{Text: l.Plain("project_button_link_group"), URL: a.groupLinkURL(p)},
			button(l.Plain("project_button_link_channel"), groupOwnerButton(groupOwnerChannel, p.Code)),
		})
		if len(groups) > 0 {
			rows = append(rows, []models.InlineKeyboardButton{
				button(l.Plain("project_button_group_panel"), groupOwnerButton(groupOwnerMenu, p.Code))})
		}
		return rows, nil
	}
	if !p.Listed() {
		return nil, nil
	}
	for _, g := range groups {
		if g.InviteLink == "" {
			continue
		}
		label := "project_button_join_group"
		if g.Kind == "channel" {
			label = "project_button_join_channel"
		}
		rows = append(rows, []models.InlineKeyboardButton{{Text: l.Plain(label), URL: g.InviteLink}})
	}
	return rows, nil
}

// onGroupOwnerButton handles the owner's buttons about the project's
// group and channel; ownership is checked against the database.
func (a *App) onGroupOwnerButton(ctx context.Context, r *Request) error {
	action, code, arg, ok := parseGroupOwnerButton(r.Callback.Data)
	if !ok {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	p, err := a.store.OwnedProject(ctx, r.User.ID, code)
	if errors.Is(err, storage.ErrNotFound) {
		r.Log.Warn("refused group action of a non-owner", "callback", r.Callback.Data)
		return a.answerCallback(ctx, r, r.Loc.Plain("project_not_yours_or_gone"), true)
	}
	if err != nil {
		return err
	}
	switch {
	case action == groupOwnerChannel && arg == "":
		if err := a.store.SetChannelIntent(ctx, r.User.ID, p.ID, a.now().Add(channelIntentTTL)); err != nil {
			return err
		}
		a.ackCallback(ctx, r)
		return a.reply(ctx, r, r.Loc.T("group_channel_how", "Title", p.Title), keyboard(
			[]models.InlineKeyboardButton{{Text: r.Loc.Plain("group_button_add_channel"), URL: a.channelLinkURL()}}))
	case action == groupOwnerMenu && arg == "":
		a.ackCallback(ctx, r)
		return a.showGroupPanel(ctx, r, p, false)
	case action == groupOwnerDecide && (arg == "0" || arg == "1"):
		if err := a.store.SetOwnerDecides(ctx, p.ID, arg == "1"); err != nil {
			return err
		}
		a.ackCallback(ctx, r)
		return a.showGroupPanel(ctx, r, p, true)
	case action == groupOwnerRules && arg == "":
		a.ackCallback(ctx, r)
		var row []models.InlineKeyboardButton
		for _, code := range locales.Codes {
			row = append(row, button(r.Loc.Plain("lang_"+code), groupOwnerButton(groupOwnerRules, p.Code, code)))
		}
		return a.edit(ctx, r, r.Loc.T("group_rules_which_language", "Title", p.Title), keyboard(row[:3], row[3:],
			[]models.InlineKeyboardButton{button(r.Loc.Plain("button_back"), groupOwnerButton(groupOwnerMenu, p.Code))}))
	case action == groupOwnerRules && slices.Contains(locales.Codes, arg):
		a.ackCallback(ctx, r)
		return a.groupRulesWizard().Start(ctx, a, r, groupTextDraft{Code: p.Code, Lang: arg})
	case action == groupOwnerAdult && arg == "":
		a.ackCallback(ctx, r)
		return a.groupAdultWizard().Start(ctx, a, r, groupTextDraft{Code: p.Code})
	case action == groupOwnerAdult && arg == "0":
		if err := a.store.SetResponsibleAdult(ctx, p.ID, ""); err != nil {
			return err
		}
		a.ackCallback(ctx, r)
		return a.showGroupPanel(ctx, r, p, true)
	}
	return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
}

// showGroupPanel shows the owner the project's group and channel, their
// rules, whether the owner decides each request, and the responsible adult.
func (a *App) showGroupPanel(ctx context.Context, r *Request, p storage.Project, inPlace bool) error {
	groups, err := a.store.ProjectGroups(ctx, p.ID)
	if err != nil {
		return err
	}
	rules, err := a.store.Rules(ctx, p.ID)
	if err != nil {
		return err
	}
	l := r.Loc
	var chats []string
	decides := false
	for _, g := range groups {
		chats = append(chats, l.T("group_panel_chat_"+g.Kind, "Group", g.Title))
		decides = decides || g.OwnerDecides
	}
	var langs []string
	for _, code := range locales.Codes {
		if _, ok := rules.Texts[code]; ok {
			langs = append(langs, l.Plain("lang_list_"+code))
		}
	}
	rulesLine := l.T("group_panel_no_rules")
	if len(langs) > 0 {
		rulesLine = l.T("group_panel_rules", "Languages", strings.Join(langs, ", "))
	}
	mode := l.T("group_panel_auto")
	decideButton := button(l.Plain("group_button_owner_decides"), groupOwnerButton(groupOwnerDecide, p.Code, "1"))
	if decides {
		mode = l.T("group_panel_owner_decides")
		decideButton = button(l.Plain("group_button_auto"), groupOwnerButton(groupOwnerDecide, p.Code, "0"))
	}
	adult := l.T("group_panel_not_youth")
	adultRow := []models.InlineKeyboardButton{button(l.Plain("group_button_adult"), groupOwnerButton(groupOwnerAdult, p.Code))}
	if rules.ResponsibleAdult != "" {
		adult = l.T("group_panel_youth", "Adult", rules.ResponsibleAdult)
		adultRow = append(adultRow, button(l.Plain("group_button_not_youth"), groupOwnerButton(groupOwnerAdult, p.Code, "0")))
	}
	text := l.T("group_panel", "Title", p.Title, "Chats", locales.HTML(strings.Join(chats, "\n")),
		"Rules", locales.HTML(rulesLine), "Mode", locales.HTML(mode), "Adult", locales.HTML(adult))
	kb := keyboard(
		[]models.InlineKeyboardButton{button(l.Plain("group_button_rules"), groupOwnerButton(groupOwnerRules, p.Code))},
		[]models.InlineKeyboardButton{decideButton},
		adultRow,
		[]models.InlineKeyboardButton{button(l.Plain("button_back"), projectButtonData(projectCard, p.Code))},
	)
	if inPlace {
		return a.edit(ctx, r, text, kb)
	}
	return a.reply(ctx, r, text, kb)
}

// groupTextDraft is the state of the dialogues that ask the owner for the
// rules in one language or for the responsible adult.
type groupTextDraft struct {
	Code string `json:"code"`
	Lang string `json:"lang,omitempty"`
	Text string `json:"text,omitempty"`
}

// Limits of the owner's texts (as in migrations/00080_groups.sql).
const (
	maxRulesLen = 2000
	maxAdultLen = 200
)

func (a *App) groupRulesWizard() *Wizard[groupTextDraft] {
	return &Wizard[groupTextDraft]{
		Name:  "group_rules",
		Steps: []Step[groupTextDraft]{TextStep("group_rules_ask", maxRulesLen, func(d *groupTextDraft) *string { return &d.Text })},
		Finish: func(ctx context.Context, r *Request, d *groupTextDraft) error {
			p, err := a.store.OwnedProject(ctx, r.User.ID, d.Code)
			if errors.Is(err, storage.ErrNotFound) {
				return a.reply(ctx, r, r.Loc.T("project_not_yours_or_gone"), nil)
			}
			if err != nil {
				return err
			}
			if err := a.store.SetRules(ctx, p.ID, r.User.ID, d.Lang, d.Text); err != nil {
				return err
			}
			if err := a.reply(ctx, r, r.Loc.T("group_rules_saved", "Language", r.Loc.Plain("lang_list_"+d.Lang)), nil); err != nil {
				return err
			}
			return a.showGroupPanel(ctx, r, p, false)
		},
	}
}

func (a *App) groupAdultWizard() *Wizard[groupTextDraft] {
	return &Wizard[groupTextDraft]{
		Name:  "group_adult",
		Steps: []Step[groupTextDraft]{TextStep("group_adult_ask", maxAdultLen, func(d *groupTextDraft) *string { return &d.Text })},
		Finish: func(ctx context.Context, r *Request, d *groupTextDraft) error {
			p, err := a.store.OwnedProject(ctx, r.User.ID, d.Code)
			if errors.Is(err, storage.ErrNotFound) {
				return a.reply(ctx, r, r.Loc.T("project_not_yours_or_gone"), nil)
			}
			if err != nil {
				return err
			}
			if err := a.store.SetResponsibleAdult(ctx, p.ID, d.Text); err != nil {
				return err
			}
			return a.showGroupPanel(ctx, r, p, false)
		},
	}
}
