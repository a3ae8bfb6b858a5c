package bot

import (
	"context"
	"errors"

	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/storage"
)

// kindProjectNews is one follower's copy of a project's news. Ref is the
// news (storage.ProjectNews).
const kindProjectNews = "project_news"

// newsState is the state of the project news dialogue.
type newsState struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// newsWizard takes the owner's news for the followers of a project:
// Telegram HTML, checked as a broadcast's text is.
func (a *App) newsWizard() *Wizard[newsState] {
	return &Wizard[newsState]{
		Name: "project_news",
		Steps: []Step[newsState]{{
			Ask: func(r *Request, s *newsState) Question { return Question{Text: r.Loc.T("news_ask_text")} },
			Answer: func(_ context.Context, r *Request, s *newsState, in Input) (Result, error) {
				if in.IsChoice {
					return Refuse("step_type_text"), nil
				}
				text, res := (&broadcastDraft{}).checkText(r, in.Text)
				if res.Problem != "" {
					return res, nil
				}
				s.Text = text
				return Accept, nil
			},
		}},
		Finish: func(ctx context.Context, r *Request, s *newsState) error { return a.sendNews(ctx, r, s.Code, s.Text) },
	}
}

// onNewsButton starts the news dialogue for the owner's project (the
// router and onProjectButton checked the ownership).
func (a *App) onNewsButton(ctx context.Context, r *Request, p storage.Project, _ string) error {
	a.ackCallback(ctx, r)
	return a.newsWizard().Start(ctx, a, r, newsState{Code: p.Code})
}

// sendNews stores the news and schedules a copy for every follower who
// has project news on, in one transaction; ownership is checked again
// there.
func (a *App) sendNews(ctx context.Context, r *Request, code, text string) error {
	if a.delivery == nil {
		return errNoDelivery
	}
	p, err := a.store.OwnedProject(ctx, r.User.ID, code)
	if errors.Is(err, storage.ErrNotFound) {
		return a.reply(ctx, r, r.Loc.T("project_not_yours_or_gone"), nil)
	}
	if err != nil {
		return err
	}
	var to []int64
	err = a.store.InTx(ctx, func(tx pgx.Tx) error {
		n, followers, err := a.store.CreateProjectNewsTx(ctx, tx, p.ID, r.User.ID, text, a.now())
		if err != nil {
			return err
		}
		to = followers
		ms := make([]delivery.Message, len(followers))
		for i, f := range followers {
			ms[i] = delivery.Message{ChatID: f, Kind: kindProjectNews, Ref: n.ID, Bulk: true}
		}
		return a.notify(ctx, tx, ms...)
	})
	switch {
	case errors.Is(err, storage.ErrNewsTooSoon):
		return a.reply(ctx, r, r.Loc.T("news_too_soon", "Title", p.Title), nil)
	case errors.Is(err, storage.ErrNotFound):
		return a.reply(ctx, r, r.Loc.T("project_not_yours_or_gone"), nil)
	case err != nil:
		return err
	}
	r.Log.Info("project news sent", "project", p.Code, "followers", len(to))
	return a.reply(ctx, r, r.Loc.N("news_sent", len(to), "Title", p.Title), nil)
}

// renderProjectNews writes a project's news for one follower, in their
// language of now; it is dropped when they no longer follow the project,
// switched project news off, or the project is no longer listed.
func (a *App) renderProjectNews(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	n, err := loadFor(ctx, m, m.Ref, a.store.ProjectNewsByID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	p, err := loadFor(ctx, m, n.ProjectID, a.store.ProjectByID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !p.Listed() {
		return delivery.Rendered{}, stale(m, "project not listed")
	}
	following, err := a.store.Following(ctx, m.ChatID, p.ID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	on, err := a.store.MessageKindOn(ctx, m.ChatID, storage.KindProjectNews)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !following || !on {
		return delivery.Rendered{}, stale(m, "unfollowed or switched off")
	}
	l, _, err := a.recipient(ctx, m.ChatID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	return delivery.Rendered{Text: l.T("news_head", "Title", p.Title) + "\n\n" + n.Text,
		Keyboard: keyboard([]models.InlineKeyboardButton{
			button(l.Plain("news_button_project"), projectButtonData(projectView, p.Code)),
			button(l.Plain("project_button_unfollow"), projectButtonWith(projectFollow, p.Code, "0"))})}, nil
}
