package bot

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/locales"
	"partnerbot/storage"
)

// projectLinkPrefix starts the /start payload of a project's deep link:
// t.me/<bot>?start=p<code>.
const projectLinkPrefix = "p"

// projectLink is the shareable deep link that opens the project's card.
func (a *App) projectLink(p storage.Project) string {
	return "https://t.me/" + a.botName + "?start=" + projectLinkPrefix + p.Code
}

// projectLinkCode returns the project code in a /start payload, if it is a
// project link.
func projectLinkCode(payload string) (string, bool) {
	code, ok := strings.CutPrefix(payload, projectLinkPrefix)
	return code, ok && storage.ValidProjectCode(code)
}

// onProjectLink shows the card a deep link points at.
func (a *App) onProjectLink(ctx context.Context, r *Request, code string) error {
	p, err := a.visibleProject(ctx, r, code)
	if errors.Is(err, storage.ErrNotFound) {
		return a.reply(ctx, r, r.Loc.T("project_not_found"), nil)
	}
	if err != nil {
		return err
	}
	return a.showCard(ctx, r, p, "", false)
}

// visibleProject returns the project with code if the user may see it: a
// hidden project only to its owner and coordinators. ErrNotFound
// otherwise, so that a hidden project looks like a deleted one.
func (a *App) visibleProject(ctx context.Context, r *Request, code string) (storage.Project, error) {
	p, err := a.store.ProjectByCode(ctx, code)
	if err == nil && p.Hidden && p.OwnerID != r.User.ID && r.Role < RoleCoordinator {
		return storage.Project{}, storage.ErrNotFound
	}
	return p, err
}

// cardText renders a project for the viewer: labels, sector, topics,
// languages and countries in their language, the owner's texts as
// written. Contact details are never part of a card.
func (a *App) cardText(r *Request, p storage.Project) string {
	l := r.Loc
	var status []string
	if p.Archived {
		status = append(status, l.T("project_status_archived"))
	}
	if p.Hidden {
		status = append(status, l.T("project_status_hidden"))
	}
	partner := ""
	if p.PartnerTown.ID != 0 {
		partner = p.PartnerTown.Name + ", " + l.Country(p.PartnerTown.Country)
	}
	contact := "project_contact_closed"
	if p.ContactRequests {
		contact = "project_contact_open"
	}
	return l.T("project_card",
		"Title", p.Title, "Description", p.Description, "Status", locales.HTML(strings.Join(status, " ")),
		"Town", p.Town.Name+", "+l.Country(p.Town.Country), "Partner", partner,
		"Sector", l.Plain("sector_"+p.Sector), "Topics", names(l, "topic_", p.Topics),
		"Languages", names(l, "lang_list_", p.Languages), "Contact", l.Plain(contact), "Link", a.projectLink(p))
}

// cardKeyboard offers the owner edit, archive and delete, and everyone
// else contact, follow and report, and the texts in their language if
// they are written in another (translate.go).
func (a *App) cardKeyboard(ctx context.Context, r *Request, p storage.Project) (*models.InlineKeyboardMarkup, error) {
	l := r.Loc
	groupRows, err := a.groupCardRows(ctx, r, p) // group_link.go
	if err != nil {
		return nil, err
	}
	if p.OwnerID == r.User.ID {
		archive := button(l.Plain("project_button_archive"), projectButtonWith(projectArchive, p.Code, "1"))
		if p.Archived {
			archive = button(l.Plain("project_button_unarchive"), projectButtonWith(projectArchive, p.Code, "0"))
		}
		rows := [][]models.InlineKeyboardButton{
			{button(l.Plain("project_button_edit"), projectButtonData(projectEdit, p.Code)), archive},
			{button(l.Plain("project_button_delete"), projectButtonData(projectDelete, p.Code))},
		}
		if p.Listed() {
			rows = append(rows, []models.InlineKeyboardButton{
				button(l.Plain("project_button_news"), projectButtonData(projectNews, p.Code))})
		}
		rows = append(rows, groupRows...)
		return keyboard(append(rows, []models.InlineKeyboardButton{
			button(l.Plain("project_button_mine"), myProjectsButton())})...), nil
	}
	following, err := a.store.Following(ctx, r.User.ID, p.ID)
	if err != nil {
		return nil, err
	}
	kb := keyboard(groupRows...)
	if p.ContactRequests && !p.Archived {
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(l.Plain("project_button_contact"), projectButtonData(projectContact, p.Code))})
	}
	follow := button(l.Plain("project_button_follow"), projectButtonWith(projectFollow, p.Code, "1"))
	if following {
		follow = button(l.Plain("project_button_unfollow"), projectButtonWith(projectFollow, p.Code, "0"))
	}
	kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
		follow, button(l.Plain("project_button_report"), projectButtonData(projectReport, p.Code))})
	a.addTranslateRow(kb, l, trProject, p.Code, p.TitleLang, p.DescriptionLang)
	if p.Hidden && r.Role >= RoleCoordinator {
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(l.Plain("project_button_unhide"), reportButton(reportUnhide, p.ID))})
	}
	return kb, nil
}

// showCard sends the project's card, below the message headline if one is
// given, or puts it in place of the pressed message.
func (a *App) showCard(ctx context.Context, r *Request, p storage.Project, headline string, inPlace bool) error {
	text := a.cardText(r, p)
	if headline != "" {
		text = r.Loc.T(headline, "Title", p.Title) + "\n\n" + text
	}
	kb, err := a.cardKeyboard(ctx, r, p)
	if err != nil {
		return err
	}
	if inPlace {
		return a.edit(ctx, r, text, kb)
	}
	return a.reply(ctx, r, text, kb)
}

func (a *App) onMyProjects(ctx context.Context, r *Request) error {
	text, kb, err := a.myProjectsView(ctx, r, 0)
	if err != nil {
		return err
	}
	return a.reply(ctx, r, text, kb)
}

// maxButtonTitle bounds a project title on a button.
const maxButtonTitle = 40

// myProjectsPageSize is how many projects a page of /myprojects lists:
// with titles of at most storage.MaxTitleLen characters a page stays far
// below Telegram's 4096 characters and 100 buttons, however many projects
// a person has.
const myProjectsPageSize = 10

// myProjectsView is page (from 0) of the user's projects, numbered
// through all pages, with a button per project and page buttons.
func (a *App) myProjectsView(ctx context.Context, r *Request, page int) (string, *models.InlineKeyboardMarkup, error) {
	res, err := a.store.ProjectsByOwnerPage(ctx, r.User.ID, page*myProjectsPageSize, myProjectsPageSize)
	if err == nil && len(res.Projects) == 0 && page > 0 {
		// The list shrank since the button was drawn: show its first page.
		page = 0
		res, err = a.store.ProjectsByOwnerPage(ctx, r.User.ID, 0, myProjectsPageSize)
	}
	if err != nil || len(res.Projects) == 0 {
		return r.Loc.T("myprojects_none"), nil, err
	}
	lines := []string{r.Loc.N("myprojects_count", res.Total)}
	kb := keyboard()
	for i, p := range res.Projects {
		i += page * myProjectsPageSize
		var status []string
		if p.Archived {
			status = append(status, r.Loc.T("project_status_archived"))
		}
		if p.Hidden {
			status = append(status, r.Loc.T("project_status_hidden"))
		}
		lines = append(lines, r.Loc.T("myprojects_line", "N", i+1, "Title", p.Title,
			"Status", locales.HTML(strings.Join(status, " "))))
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(r.Loc.Plain("list_button", "N", i+1, "Title", truncate(p.Title, maxButtonTitle)), projectButtonData(projectView, p.Code))})
	}
	if pages := (res.Total + myProjectsPageSize - 1) / myProjectsPageSize; pages > 1 {
		lines = append(lines, "", r.Loc.T("find_page", "Page", page+1, "Pages", pages))
		var nav []models.InlineKeyboardButton
		if page > 0 {
			nav = append(nav, button(r.Loc.Plain("find_button_prev"), myProjectsPageButton(page-1)))
		}
		if page+1 < pages {
			nav = append(nav, button(r.Loc.Plain("find_button_next"), myProjectsPageButton(page+1)))
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, nav)
	}
	return strings.Join(lines, "\n"), kb, nil
}

// projectAction is what a project button does. Owner actions are refused
// to anyone who does not own the project, checked against the database
// on every press: callback data can be forged.
type projectAction struct {
	ownerOnly bool
	do        func(ctx context.Context, r *Request, p storage.Project, arg string) error
}

func (a *App) projectActions() map[string]projectAction {
	return map[string]projectAction{
		projectView: {false, func(ctx context.Context, r *Request, p storage.Project, _ string) error {
			return a.showCard(ctx, r, p, "", false)
		}},
		projectCard: {false, func(ctx context.Context, r *Request, p storage.Project, _ string) error {
			return a.showCard(ctx, r, p, "", true)
		}},
		projectFollow:  {false, a.onFollow},
		projectContact: {false, a.onContactButton},
		projectReport:  {false, a.onReportButton},
		projectEdit:    {true, a.onEditButton},
		projectArchive: {true, a.onArchiveButton},
		projectNews:    {true, a.onNewsButton},
		projectDelete: {true, func(ctx context.Context, r *Request, p storage.Project, _ string) error {
			return a.edit(ctx, r, r.Loc.T("project_delete_confirm", "Title", p.Title), keyboard(
				[]models.InlineKeyboardButton{button(r.Loc.Plain("project_delete_yes"), projectButtonData(projectDeleteYes, p.Code))},
				[]models.InlineKeyboardButton{button(r.Loc.Plain("project_delete_no"), projectButtonData(projectCard, p.Code))}))
		}},
		projectDeleteYes: {true, func(ctx context.Context, r *Request, p storage.Project, _ string) error {
			if err := a.store.DeleteProject(ctx, r.User.ID, p.Code); err != nil {
				return err
			}
			r.Log.Info("project deleted", "project", p.Code)
			a.forgetUnusedWords(ctx, r)
			return a.edit(ctx, r, r.Loc.T("project_deleted", "Title", p.Title), nil)
		}},
	}
}

// onProjectButton handles projectButtonData, projectButtonWith and
// myProjectsButton.
func (a *App) onProjectButton(ctx context.Context, r *Request) error {
	if page, ok := parseMyProjectsButton(r.Callback.Data); ok {
		a.ackCallback(ctx, r)
		text, kb, err := a.myProjectsView(ctx, r, page)
		if err != nil {
			return err
		}
		return a.edit(ctx, r, text, kb)
	}
	name, code, arg, ok := projectButton(r.Callback.Data)
	action, known := a.projectActions()[name]
	if !ok || !known {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	var p storage.Project
	var err error
	if action.ownerOnly {
		p, err = a.store.OwnedProject(ctx, r.User.ID, code)
	} else {
		p, err = a.visibleProject(ctx, r, code)
	}
	if errors.Is(err, storage.ErrNotFound) {
		if action.ownerOnly {
			r.Log.Warn("refused project action of a non-owner", "callback", r.Callback.Data)
		}
		return a.answerCallback(ctx, r, r.Loc.Plain("project_not_yours_or_gone"), true)
	}
	if err != nil {
		return err
	}
	return action.do(ctx, r, p, arg)
}

// forgetUnusedWords drops the words of project texts just deleted or
// edited away from search's word list (storage.CollectUnusedWords); should
// that fail, housekeeping does it within the hour.
func (a *App) forgetUnusedWords(ctx context.Context, r *Request) {
	if _, err := a.store.CollectUnusedWords(ctx); err != nil {
		r.Log.Warn("collect unused project words", "err", err)
	}
}

// onEditButton shows the fields to choose from (no arg), or starts
// editing the chosen one.
func (a *App) onEditButton(ctx context.Context, r *Request, p storage.Project, field string) error {
	fields := a.fieldNames()
	if field == "" {
		a.ackCallback(ctx, r)
		kb := keyboard()
		for i := 0; i < len(fields); i += 2 {
			var row []models.InlineKeyboardButton
			for _, f := range fields[i:min(i+2, len(fields))] {
				row = append(row, button(r.Loc.Plain("project_field_"+f), projectButtonWith(projectEdit, p.Code, f)))
			}
			kb.InlineKeyboard = append(kb.InlineKeyboard, row)
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(r.Loc.Plain("button_back"), projectButtonData(projectCard, p.Code))})
		return a.edit(ctx, r, r.Loc.T("project_edit_which", "Title", p.Title), kb)
	}
	if !slices.Contains(fields, field) {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	a.ackCallback(ctx, r)
	d := draftOf(p)
	d.Field = field
	return a.editProjectWizard().Start(ctx, a, r, d)
}

func (a *App) onArchiveButton(ctx context.Context, r *Request, p storage.Project, arg string) error {
	if arg != "0" && arg != "1" {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	p, err := a.store.SetProjectArchived(ctx, r.User.ID, p.Code, arg == "1")
	if errors.Is(err, storage.ErrProjectLimit) {
		return a.answerCallback(ctx, r, r.Loc.Plain("project_limit_active", "Max", storage.MaxActiveProjects), true)
	}
	if err != nil {
		return err
	}
	a.ackCallback(ctx, r)
	headline := "project_unarchived"
	if p.Archived {
		headline = "project_archived"
	}
	return a.showCard(ctx, r, p, headline, true)
}

func (a *App) onFollow(ctx context.Context, r *Request, p storage.Project, arg string) error {
	if (arg != "0" && arg != "1") || p.OwnerID == r.User.ID {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	if err := a.store.SetFollowing(ctx, r.User.ID, p.ID, arg == "1"); err != nil {
		return err
	}
	notice := "project_unfollowed"
	if arg == "1" {
		notice = "project_followed"
	}
	if err := a.answerCallback(ctx, r, r.Loc.Plain(notice, "Title", p.Title), false); err != nil {
		r.Log.Warn("answer callback", "err", err)
	}
	return a.showCard(ctx, r, p, "", true)
}

// onReportButton offers the reasons (no arg), or records the report.
func (a *App) onReportButton(ctx context.Context, r *Request, p storage.Project, reason string) error {
	if p.OwnerID == r.User.ID || (reason != "" && !storage.ValidReportReason(reason)) {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	a.ackCallback(ctx, r)
	if reason == "" {
		kb := keyboard()
		for _, reason := range storage.ReportReasons {
			kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
				button(r.Loc.Plain("report_reason_"+reason), projectButtonWith(projectReport, p.Code, reason))})
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(r.Loc.Plain("button_back"), projectButtonData(projectCard, p.Code))})
		return a.edit(ctx, r, r.Loc.T("report_ask", "Title", p.Title), kb)
	}
	moderators, err := a.moderators(ctx)
	if err != nil {
		return err
	}
	err = a.store.InTx(ctx, func(tx pgx.Tx) error {
		id, err := a.store.ReportProjectTx(ctx, tx, r.User.ID, p.ID, reason)
		if err != nil {
			return err
		}
		var ms []delivery.Message
		for _, m := range moderators {
			if m != r.User.ID {
				ms = append(ms, delivery.Message{ChatID: m, Kind: kindProjectReported, Ref: id})
			}
		}
		return a.notify(ctx, tx, ms...)
	})
	msg := "report_thanks"
	switch {
	case errors.Is(err, storage.ErrAlreadyReported):
		msg, err = "report_already", nil
	case errors.Is(err, storage.ErrReportLimit):
		r.Log.Info("report refused", "project", p.Code, "reason", err)
		return a.edit(ctx, r, r.Loc.T("report_limit", "Max", storage.ReportsPerDay), nil)
	}
	if err != nil {
		return err
	}
	r.Log.Info("project reported", "project", p.Code, "reason", reason)
	return a.edit(ctx, r, r.Loc.T(msg, "Title", p.Title), nil)
}
