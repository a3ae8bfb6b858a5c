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

// Kinds of delivery messages of reports and hidden projects. Each render func loads the row
// named by Ref and drops the message when that row has moved on (notices.go).
const (
	// kindProjectHidden tells an owner that a coordinator hid their
	// project after a report. Ref is the project.
	kindProjectHidden = "project_hidden"
	// kindProjectReported shows a coordinator or an administrator a new
	// report, with Hide and Dismiss, while it is open. Ref is the report.
	kindProjectReported = "project_reported"
	// kindProjectUnhidden tells an owner that their hidden project is
	// listed again. Ref is the project.
	kindProjectUnhidden = "project_unhidden"
)

// reportsShown is how many open reports /reports lists at once.
const reportsShown = 10

// onReports lists the open reports for coordinators. The router allows
// coordinators only; the role is checked again here, as for every
// privileged action.
func (a *App) onReports(ctx context.Context, r *Request) error {
	if r.Role < RoleCoordinator {
		return a.reply(ctx, r, r.Loc.T("not_allowed_coordinator"), nil)
	}
	text, kb, err := a.reportsView(ctx, r)
	if err != nil {
		return err
	}
	return a.reply(ctx, r, text, kb)
}

func (a *App) reportsView(ctx context.Context, r *Request) (string, *models.InlineKeyboardMarkup, error) {
	reports, err := a.store.OpenReports(ctx, reportsShown)
	if err != nil || len(reports) == 0 {
		return r.Loc.T("reports_none"), nil, err
	}
	lines := []string{r.Loc.N("reports_count", len(reports))}
	kb := keyboard()
	for i, rep := range reports {
		n := i + 1
		lines = append(lines, r.Loc.T("reports_line", "N", n, "Title", rep.Project.Title,
			"Reason", r.Loc.Plain("report_reason_"+rep.Reason), "Link", a.projectLink(rep.Project)))
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(r.Loc.Plain("reports_button_view", "N", n), projectButtonData(projectView, rep.Project.Code)),
			button(r.Loc.Plain("reports_button_hide", "N", n), reportButton(reportHide, rep.ID)),
			button(r.Loc.Plain("reports_button_dismiss", "N", n), reportButton(reportDismiss, rep.ID))})
	}
	return strings.Join(lines, "\n\n"), kb, nil
}

// onReportDecision handles reportButton: reportHide (hide the project of
// the report), reportDismiss (dismiss the report) and reportUnhide (list a
// hidden project again).
func (a *App) onReportDecision(ctx context.Context, r *Request) error {
	if r.Role < RoleCoordinator {
		return a.answerCallback(ctx, r, r.Loc.Plain("not_allowed_coordinator"), true)
	}
	action, id, ok := parseReportButton(r.Callback.Data)
	if !ok {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	if action == reportUnhide {
		return a.onUnhide(ctx, r, id)
	}
	hide := action == reportHide
	var p storage.Project
	var err error
	notice := "reports_dismissed"
	if hide {
		notice = "reports_hidden"
		err = a.store.InTx(ctx, func(tx pgx.Tx) (err error) {
			if p, err = a.store.HideReportedProjectTx(ctx, tx, r.User.ID, id); err != nil {
				return err
			}
			return a.notify(ctx, tx, delivery.Message{ChatID: p.OwnerID, Kind: kindProjectHidden, Ref: p.ID})
		})
	} else {
		p, err = a.store.DismissReport(ctx, r.User.ID, id)
	}
	if errors.Is(err, storage.ErrNotFound) {
		notice = "reports_already_handled"
	} else if err != nil {
		return err
	}
	if err := a.answerCallback(ctx, r, r.Loc.Plain(notice, "Title", p.Title), false); err != nil {
		r.Log.Warn("answer callback", "err", err)
	}
	if hide && p.ID != 0 {
		r.Log.Info("project hidden", "project", p.Code, "report", id)
	}
	text, kb, err := a.reportsView(ctx, r)
	if err != nil {
		return err
	}
	return a.edit(ctx, r, text, kb)
}

// onUnhide lists the hidden project id again, tells its owner, and shows
// the coordinator its card as it now is.
func (a *App) onUnhide(ctx context.Context, r *Request, id int64) error {
	var p storage.Project
	err := a.store.InTx(ctx, func(tx pgx.Tx) (err error) {
		if p, err = a.store.UnhideProjectTx(ctx, tx, r.User.ID, id); err != nil {
			return err
		}
		return a.notify(ctx, tx, delivery.Message{ChatID: p.OwnerID, Kind: kindProjectUnhidden, Ref: p.ID})
	})
	if errors.Is(err, storage.ErrNotFound) {
		return a.answerCallback(ctx, r, r.Loc.Plain("reports_already_unhidden"), true)
	}
	if err != nil {
		return err
	}
	r.Log.Info("project unhidden", "project", p.Code)
	if err := a.answerCallback(ctx, r, r.Loc.Plain("reports_unhidden", "Title", p.Title), false); err != nil {
		r.Log.Warn("answer callback", "err", err)
	}
	return a.showCard(ctx, r, p, "", true)
}

// renderProjectHidden tells the owner that their project was hidden, while
// it still is.
func (a *App) renderProjectHidden(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	p, l, err := noticeFor(ctx, a, m, a.store.ReportedProject, func(p storage.Project) int64 { return p.OwnerID })
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !p.Hidden {
		return delivery.Rendered{}, stale(m, "no longer hidden")
	}
	return delivery.Rendered{Text: l.T("project_hidden_notice", "Title", p.Title)}, nil
}

// renderProjectReported shows a coordinator or an administrator a new
// report while it is open and they may still decide on it.
func (a *App) renderProjectReported(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	rep, err := loadFor(ctx, m, m.Ref, a.store.OpenReport)
	if err != nil {
		return delivery.Rendered{}, err
	}
	l, err := a.moderatorLoc(ctx, m)
	if err != nil {
		return delivery.Rendered{}, err
	}
	return delivery.Rendered{
		Text: l.T("report_new_notice", "Title", rep.Project.Title, "Reason", l.Plain("report_reason_"+rep.Reason),
			"Link", a.projectLink(rep.Project)),
		Keyboard: keyboard([]models.InlineKeyboardButton{
			button(l.Plain("report_notice_view"), projectButtonData(projectView, rep.Project.Code)),
			button(l.Plain("report_notice_hide"), reportButton(reportHide, rep.ID)),
			button(l.Plain("report_notice_dismiss"), reportButton(reportDismiss, rep.ID))}),
	}, nil
}

// renderProjectUnhidden tells the owner that their project is listed
// again, while it is.
func (a *App) renderProjectUnhidden(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	p, l, err := noticeFor(ctx, a, m, a.store.ReportedProject, func(p storage.Project) int64 { return p.OwnerID })
	if err != nil {
		return delivery.Rendered{}, err
	}
	if p.Hidden {
		return delivery.Rendered{}, stale(m, "hidden again")
	}
	return delivery.Rendered{Text: l.T("project_unhidden_notice", "Title", p.Title, "Link", a.projectLink(p))}, nil
}
