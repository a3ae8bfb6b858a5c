package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"partnerbot/delivery"
	"partnerbot/internal/zones"
	"partnerbot/locales"
	"partnerbot/storage"
)

// Youth groups: a youth club, school class or youth council adds the bot
// to its Telegram group; an administrator of the group registers it (town,
// language, age range, topics) in a private chat with the bot, so that the
// group sees no setup chatter. The group then receives, in its language,
// new projects and events of its town's partnership network (its partners
// and their partners) that match its topics; /settings in the group
// (administrators only) chooses what arrives and the language. Posts to a
// youth group never offer contact requests: no contact exchange starts
// from a youth group.

// youthLinkPrefix starts the /start parameter of a registration link:
// "y<chat id>" (the id is negative: "y-100…").
const youthLinkPrefix = "y"

// youthRegistrationChat reads a registration link's parameter.
func youthRegistrationChat(payload string) (int64, bool) {
	s, ok := strings.CutPrefix(payload, youthLinkPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id < 0
}

// youthAgeRanges are the age ranges offered, "min-max".
var youthAgeRanges = []string{"6-10", "10-14", "14-18", "16-21", "18-27"}

func parseAgeRange(s string) (lo, hi int, ok bool) {
	a, b, found := strings.Cut(s, "-")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	return lo, hi, found && err1 == nil && err2 == nil && lo <= hi
}

// youthDraft is the state of the registration dialogue.
type youthDraft struct {
	ChatID   int64     `json:"chat_id"`
	Town     townField `json:"town"`
	Language string    `json:"language,omitempty"`
	Ages     string    `json:"ages,omitempty"`
	Topics   []string  `json:"topics,omitempty"`
}

func (a *App) youthWizard() *Wizard[youthDraft] {
	lang := func(l *locales.Localizer, code string) string { return l.Plain("lang_" + code) }
	ages := func(l *locales.Localizer, r string) string {
		lo, hi, _ := parseAgeRange(r)
		return l.Plain("group_button_ages", "Min", lo, "Max", hi)
	}
	topic := func(l *locales.Localizer, id string) string { return l.Plain("topic_" + id) }
	return &Wizard[youthDraft]{
		Name: "youth_group",
		Steps: []Step[youthDraft]{
			townStep(a, "group_youth_ask_town", "", func(d *youthDraft) *townField { return &d.Town }),
			ChoiceStep("group_youth_ask_language", locales.Codes, lang,
				func(d *youthDraft) string { return d.Language }, func(d *youthDraft, v string) { d.Language = v }),
			ChoiceStep("group_youth_ask_ages", youthAgeRanges, ages,
				func(d *youthDraft) string { return d.Ages }, func(d *youthDraft, v string) { d.Ages = v }),
			MultiSelectStep("group_youth_ask_topics", "project_topics_none", storage.Topics, topic,
				func(d *youthDraft) *[]string { return &d.Topics }),
		},
		Finish: a.saveYouthGroup,
	}
}

// startYouthRegistration begins the registration of a group by one of its
// administrators, in the private chat.
func (a *App) startYouthRegistration(ctx context.Context, r *Request, chatID int64) error {
	admin, err := a.chatAdmin(ctx, chatID, r.User.ID)
	if err != nil {
		r.Log.Info("youth registration: group not reachable", "chat", chatID, "err", err)
		return a.reply(ctx, r, r.Loc.T("group_youth_not_admin"), nil)
	}
	if !admin {
		return a.reply(ctx, r, r.Loc.T("group_youth_not_admin"), nil)
	}
	d := youthDraft{ChatID: chatID, Language: r.Loc.Lang()}
	if y, err := a.store.YouthGroupByChat(ctx, chatID); err == nil {
		d.Town = townField{ID: y.Town.ID, Name: y.Town.Name, Country: y.Town.Country}
		d.Language, d.Ages, d.Topics = y.Language, strconv.Itoa(y.AgeMin)+"-"+strconv.Itoa(y.AgeMax), y.Topics
	}
	return a.youthWizard().Start(ctx, a, r, d)
}

// saveYouthGroup registers the group, if the user still administers it,
// and says so in the group, in its language.
func (a *App) saveYouthGroup(ctx context.Context, r *Request, d *youthDraft) error {
	admin, err := a.chatAdmin(ctx, d.ChatID, r.User.ID)
	if err != nil || !admin {
		return a.reply(ctx, r, r.Loc.T("group_youth_not_admin"), nil)
	}
	lo, hi, ok := parseAgeRange(d.Ages)
	if !ok || !a.cat.Supported(d.Language) {
		return a.reply(ctx, r, r.Loc.T("error_generic"), nil)
	}
	c, err := a.store.GroupChatByID(ctx, d.ChatID)
	if errors.Is(err, storage.ErrNotFound) {
		return a.reply(ctx, r, r.Loc.T("group_youth_not_admin"), nil)
	}
	if err != nil {
		return err
	}
	if err := a.store.RegisterYouthGroup(ctx, storage.YouthGroup{ChatID: d.ChatID, Language: d.Language,
		Town: storage.TownRef{ID: d.Town.ID}, AgeMin: lo, AgeMax: hi, Topics: d.Topics}); err != nil {
		return err
	}
	if err := a.store.RecordGroupRole(ctx, d.ChatID, r.User.ID, storage.GroupRoleRegistered); err != nil {
		return err
	}
	r.Log.Info("youth group registered", "chat", d.ChatID)
	gl := a.cat.For(d.Language)
	if err := a.sendHTML(ctx, d.ChatID, gl.T("group_youth_registered_group", "Town", d.Town.Name), nil); err != nil {
		r.Log.Warn("tell the youth group", "err", err)
	}
	return a.reply(ctx, r, r.Loc.T("group_youth_registered", "Group", c.Title, "Town", d.Town.Name), nil)
}

// onSettingsAnywhere is /settings: the person's settings in private, the
// group's (administrators only) in a group.
func (a *App) onSettingsAnywhere(ctx context.Context, r *Request) error {
	if r.Private {
		return a.onSettings(ctx, r)
	}
	admin, err := a.chatAdmin(ctx, r.ChatID, r.User.ID)
	if err != nil {
		return err
	}
	if !admin {
		// For anyone else /settings means their own settings.
		return a.pointToPrivateChat(ctx, r)
	}
	chat := r.Update.Message.Chat
	if err := a.store.SaveGroupChat(ctx, storage.GroupChat{ChatID: chat.ID, Kind: chatKindOf(chat), Title: chat.Title,
		Language: r.Loc.Lang()}); err != nil {
		return err
	}
	if err := a.store.RecordGroupRole(ctx, chat.ID, r.User.ID, storage.GroupRoleSettings); err != nil {
		return err
	}
	text, kb, err := a.groupSettingsView(ctx, r)
	if err != nil {
		return err
	}
	return a.reply(ctx, r, text, kb)
}

// groupSettingsView shows what the group receives, its language, and the
// registration link.
func (a *App) groupSettingsView(ctx context.Context, r *Request) (string, *models.InlineKeyboardMarkup, error) {
	l := r.Loc
	kb := keyboard()
	var langs []models.InlineKeyboardButton
	for _, code := range locales.Codes {
		langs = append(langs, button(marked(code == l.Lang(), a.cat.For(code).Plain("language_self_name")),
			groupSetButton(groupSetLanguage, code)))
	}
	register := []models.InlineKeyboardButton{{Text: l.Plain("group_button_register"),
		URL: "https://t.me/" + a.botName + "?start=" + youthLinkPrefix + strconv.FormatInt(r.ChatID, 10)}}
	y, err := a.store.YouthGroupByChat(ctx, r.ChatID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !y.Active) {
		kb.InlineKeyboard = append(kb.InlineKeyboard, register, langs[:3], langs[3:])
		return l.T("group_settings_unregistered"), kb, nil
	}
	if err != nil {
		return "", nil, err
	}
	toggle := func(label, what string, on bool) models.InlineKeyboardButton {
		arg := "1"
		if on {
			arg = "0"
		}
		return button(marked(on, l.Plain(label)), groupSetButton(what, arg))
	}
	kb.InlineKeyboard = append(kb.InlineKeyboard,
		[]models.InlineKeyboardButton{toggle("group_button_projects", groupSetProjects, y.ReceiveProjects)},
		[]models.InlineKeyboardButton{toggle("group_button_events", groupSetEvents, y.ReceiveEvents)},
		[]models.InlineKeyboardButton{toggle("group_button_broadcasts", groupSetBroadcasts, y.ReceiveBroadcasts)},
		langs[:3], langs[3:], register)
	return l.T("group_settings_youth", "Town", y.Town.Name, "Min", y.AgeMin, "Max", y.AgeMax,
		"Topics", names(l, "topic_", y.Topics)), kb, nil
}

// onGroupSetButton handles the group's settings buttons, pressed in the
// group by one of its administrators (asked of Telegram on every press).
func (a *App) onGroupSetButton(ctx context.Context, r *Request) error {
	what, arg, ok := parseGroupSetButton(r.Callback.Data)
	if !ok || r.Private {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	admin, err := a.chatAdmin(ctx, r.ChatID, r.User.ID)
	if err != nil {
		return err
	}
	if !admin {
		r.Log.Warn("refused group settings of a non-administrator", "callback", r.Callback.Data)
		return a.answerCallback(ctx, r, r.Loc.Plain("group_settings_admins_only"), true)
	}
	switch what {
	case groupSetLanguage:
		if !a.cat.Supported(arg) {
			return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
		}
		if err := a.store.SetGroupLanguage(ctx, r.ChatID, arg); err != nil {
			return err
		}
		r.Loc = a.cat.For(arg)
	default:
		kind := map[string]string{groupSetProjects: storage.YouthReceiveProjects, groupSetEvents: storage.YouthReceiveEvents,
			groupSetBroadcasts: storage.YouthReceiveBroadcasts}[what]
		if err := a.store.SetYouthReceives(ctx, r.ChatID, kind, arg == "1"); errors.Is(err, storage.ErrNotFound) {
			return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
		} else if err != nil {
			return err
		}
	}
	if err := a.store.RecordGroupRole(ctx, r.ChatID, r.User.ID, storage.GroupRoleSettings); err != nil {
		return err
	}
	a.ackCallback(ctx, r)
	text, kb, err := a.groupSettingsView(ctx, r)
	if err != nil {
		return err
	}
	return a.edit(ctx, r, text, kb)
}

// Kinds of delivery messages to youth groups: a new project or event of
// their town or its partner towns, on their topics. Ref is the project or
// the event.
const (
	kindYouthProject = "group_youth_project"
	kindYouthEvent   = "group_youth_event"
)

// youthMessages prepares the messages of kind to the youth groups that
// want what (storage.YouthReceive…) from townID's partnership network, on
// one of topics (none: any topic). The network is the one coordinators'
// broadcasts reach (storage.NetworkOf: the town, its partners and their
// partners), and since partnerships go both ways, a group receives what
// comes from its own network. The caller gives the id of the project or
// event they are about once it has one, in the transaction that creates
// it, so the announcement commits or fails with it.
func (a *App) youthMessages(ctx context.Context, townID int64, topics []string, what, kind string) (func(ref int64) []delivery.Message, error) {
	var groups []storage.YouthGroup
	if townID != 0 {
		towns, err := a.store.NetworkOf(ctx, []int64{townID})
		if err != nil {
			return nil, err
		}
		// NetworkOf lists confirmed towns only; a project in a town still
		// waiting for confirmation reaches that town's groups all the same.
		if !slices.Contains(towns, townID) {
			towns = append(towns, townID)
		}
		if groups, err = a.store.YouthGroupsMatching(ctx, storage.YouthAudience{Towns: towns, Topics: topics, Kind: what}); err != nil {
			return nil, err
		}
	}
	return func(ref int64) []delivery.Message {
		ms := make([]delivery.Message, len(groups))
		for i, g := range groups {
			ms[i] = delivery.Message{ChatID: g.ChatID, Kind: kind, Ref: ref}
		}
		return ms
	}, nil
}

// youthEventMessages are the announcements of a new event to youth groups:
// those of its town's (else its project's town's) network, on
// the topics of its project (an event without a project: any topic).
func (a *App) youthEventMessages(ctx context.Context, f storage.EventFields) (func(eventID int64) []delivery.Message, error) {
	townID, topics := f.TownID, []string(nil)
	if f.ProjectID != 0 {
		p, err := a.store.ProjectByID(ctx, f.ProjectID)
		if err != nil {
			return nil, err
		}
		topics = p.Topics
		if townID == 0 {
			townID = p.Town.ID
		}
	}
	return a.youthMessages(ctx, townID, topics, storage.YouthReceiveEvents, kindYouthEvent)
}

// renderYouthEvent writes a new event for a youth group, in its language
// and that language's usual time zone; an event of a project with a group
// offers to join that group with one tap.
func (a *App) renderYouthEvent(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	y, err := loadFor(ctx, m, m.ChatID, a.store.YouthGroupByChat)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !y.Active || !y.ReceiveEvents {
		return delivery.Rendered{}, stale(m, "the group no longer receives events")
	}
	e, err := a.messageEvent(ctx, m)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !a.eventOpen(e) {
		return delivery.Rendered{}, drop("cancelled or started", m)
	}
	l := a.cat.For(y.Language)
	text := l.T("event_new_head") + "\n\n" + eventCard(l, e, zones.Load(zones.Default(y.Language)))
	kb := eventButtons(l, e, false)
	if e.ProjectID != 0 {
		join, err := a.joinGroupRow(ctx, l, e.ProjectID)
		if err != nil {
			return delivery.Rendered{}, err
		}
		if join != nil {
			kb.InlineKeyboard = append(kb.InlineKeyboard, join)
		}
	}
	return delivery.Rendered{Text: text, Keyboard: kb}, nil
}

// joinGroupRow is the button of a post to a youth group that joins the
// project's group with one tap (its invite link, which makes a join
// request: the member reads the rules in the private chat first), or nil
// when the project has no group.
func (a *App) joinGroupRow(ctx context.Context, l *locales.Localizer, projectID int64) ([]models.InlineKeyboardButton, error) {
	groups, err := a.store.ProjectGroups(ctx, projectID)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if g.Kind == "group" && g.InviteLink != "" {
			return []models.InlineKeyboardButton{{Text: l.Plain("project_button_join_group"), URL: g.InviteLink}}, nil
		}
	}
	return nil, nil
}

// renderYouthProject writes a new project for a youth group, in its
// language: what it is, and joining its group with one tap. No contact
// request starts here.
func (a *App) renderYouthProject(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	y, err := loadFor(ctx, m, m.ChatID, a.store.YouthGroupByChat)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !y.Active || !y.ReceiveProjects {
		return delivery.Rendered{}, stale(m, "the group no longer receives projects")
	}
	p, err := loadFor(ctx, m, m.Ref, a.store.ProjectByID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !p.Listed() {
		return delivery.Rendered{}, stale(m, "not listed")
	}
	l := a.cat.For(y.Language)
	text := l.T("group_youth_project", "Title", p.Title, "Description", truncate(p.Description, previewLen),
		"Town", p.Town.Name+", "+l.Country(p.Town.Country), "Topics", names(l, "topic_", p.Topics))
	join, err := a.joinGroupRow(ctx, l, p.ID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	var kb *models.InlineKeyboardMarkup
	if join != nil {
		kb = keyboard(join)
	}
	return delivery.Rendered{Text: text, Keyboard: kb}, nil
}
