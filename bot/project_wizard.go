package bot

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"partnerbot/locales"
	"partnerbot/storage"
)

// projectDraft is the state of the project dialogues: the answers so far,
// and when editing, which project and which one field.
type projectDraft struct {
	Code  string `json:"code,omitempty"`
	Field string `json:"field,omitempty"`

	Title       string    `json:"title,omitempty"`
	Description string    `json:"description,omitempty"`
	Town        townField `json:"town"`
	Partner     townField `json:"partner"`
	Sector      string    `json:"sector,omitempty"`
	Topics      []string  `json:"topics,omitempty"`
	Languages   []string  `json:"languages,omitempty"`
	// Contact is "yes" or "no" once answered.
	Contact string `json:"contact,omitempty"`
}

// Answers of the contact requests question.
const (
	answerYes = "yes"
	answerNo  = "no"
)

func (d *projectDraft) fields() storage.ProjectFields {
	return storage.ProjectFields{Title: d.Title, Description: d.Description, TownID: d.Town.ID,
		PartnerTownID: d.Partner.ID, Sector: d.Sector, Topics: d.Topics, Languages: d.Languages,
		ContactRequests: d.Contact == answerYes}
}

func draftOf(p storage.Project) projectDraft {
	contact := answerNo
	if p.ContactRequests {
		contact = answerYes
	}
	return projectDraft{Code: p.Code, Title: p.Title, Description: p.Description,
		Town:    townField{ID: p.Town.ID, Name: p.Town.Name, Country: p.Town.Country},
		Partner: townField{ID: p.PartnerTown.ID, Name: p.PartnerTown.Name, Country: p.PartnerTown.Country},
		Sector:  p.Sector, Topics: p.Topics, Languages: p.Languages, Contact: contact}
}

// projectField is one question of the project dialogues, named so that
// editing can ask just that one.
type projectField struct {
	name string
	step Step[projectDraft]
}

// projectFields are the questions about a project, in order. Creating a
// project asks them all; editing asks one of them, with the same checks.
func (a *App) projectFields() []projectField {
	topic := func(l *locales.Localizer, id string) string { return l.Plain("topic_" + id) }
	lang := func(l *locales.Localizer, code string) string { return l.Plain("lang_" + code) }
	sector := func(l *locales.Localizer, id string) string { return l.Plain("sector_" + id) }
	yesNo := func(l *locales.Localizer, v string) string { return l.Plain("project_contact_" + v) }
	partner := townStep(a, "project_ask_partner", "step_skip", func(d *projectDraft) *townField { return &d.Partner })
	partnerAnswer := partner.Answer
	partner.Answer = func(ctx context.Context, r *Request, d *projectDraft, in Input) (Result, error) {
		res, err := partnerAnswer(ctx, r, d, in)
		if err == nil && res.Problem == "" && !res.Stay && d.Partner.ID != 0 && d.Partner.ID == d.Town.ID {
			d.Partner = townField{}
			return Refuse("project_partner_same"), nil
		}
		return res, err
	}
	return []projectField{
		{"title", TextStep("project_ask_title", storage.MaxTitleLen, func(d *projectDraft) *string { return &d.Title })},
		{"description", TextStep("project_ask_description", storage.MaxDescriptionLen,
			func(d *projectDraft) *string { return &d.Description })},
		{"town", townStep(a, "project_ask_town", "", func(d *projectDraft) *townField { return &d.Town })},
		{"partner", partner},
		{"sector", ChoiceStep("project_ask_sector", storage.Sectors, sector,
			func(d *projectDraft) string { return d.Sector }, func(d *projectDraft, v string) { d.Sector = v })},
		{"topics", MultiSelectStep("project_ask_topics", "project_topics_none", storage.Topics, topic,
			func(d *projectDraft) *[]string { return &d.Topics })},
		{"languages", MultiSelectStep("project_ask_languages", "project_languages_none", storage.ProfileLanguages, lang,
			func(d *projectDraft) *[]string { return &d.Languages })},
		{"contact", ChoiceStep("project_ask_contact", []string{answerYes, answerNo}, yesNo,
			func(d *projectDraft) string { return d.Contact }, func(d *projectDraft, v string) { d.Contact = v })},
	}
}

// fieldNames lists the names of the project fields in order, for the
// edit menu.
func (a *App) fieldNames() []string {
	var names []string
	for _, f := range a.projectFields() {
		names = append(names, f.name)
	}
	return names
}

// newProjectWizard is /newproject: every question, then the project is
// created.
func (a *App) newProjectWizard() *Wizard[projectDraft] {
	w := &Wizard[projectDraft]{Name: "new_project", Finish: func(ctx context.Context, r *Request, d *projectDraft) error {
		f := d.fields()
		youth, err := a.youthMessages(ctx, f.TownID, f.Topics, storage.YouthReceiveProjects, kindYouthProject) // group_youth.go
		if err != nil {
			return err
		}
		var p storage.Project
		err = a.store.InTx(ctx, func(tx pgx.Tx) (err error) {
			if p, err = a.store.CreateProjectWithinLimitsTx(ctx, tx, r.User.ID, f, a.now()); err != nil {
				return err
			}
			return a.notify(ctx, tx, youth(p.ID)...)
		})
		if refusal := projectLimitRefusal(r, err); refusal != "" {
			return a.reply(ctx, r, refusal, nil)
		}
		if err != nil {
			return err
		}
		r.Log.Info("project created", "project", p.Code)
		return a.showCard(ctx, r, p, "project_created", false)
	}}
	for _, f := range a.projectFields() {
		w.Steps = append(w.Steps, f.step)
	}
	return w
}

// editProjectWizard asks the one question named by the draft's Field and
// saves the project, if the user (still) owns it.
func (a *App) editProjectWizard() *Wizard[projectDraft] {
	w := &Wizard[projectDraft]{Name: "edit_project", Finish: func(ctx context.Context, r *Request, d *projectDraft) error {
		p, err := a.store.UpdateProject(ctx, r.User.ID, d.Code, d.fields())
		if errors.Is(err, storage.ErrNotFound) {
			return a.reply(ctx, r, r.Loc.T("project_not_found"), nil)
		}
		if err != nil {
			return err
		}
		r.Log.Info("project edited", "project", p.Code, "field", d.Field)
		if d.Field == "title" || d.Field == "description" {
			a.forgetUnusedWords(ctx, r)
		}
		return a.showCard(ctx, r, p, "project_saved", false)
	}}
	for _, f := range a.projectFields() {
		name := f.name
		f.step.Skip = func(d *projectDraft) bool { return d.Field != name }
		w.Steps = append(w.Steps, f.step)
	}
	return w
}

// onNewProject starts the project dialogue, unless the limits would refuse
// the project at its end anyway.
func (a *App) onNewProject(ctx context.Context, r *Request) error {
	err := a.store.CheckProjectLimits(ctx, r.User.ID, a.now())
	if refusal := projectLimitRefusal(r, err); refusal != "" {
		return a.reply(ctx, r, refusal, nil)
	}
	if err != nil {
		return err
	}
	return a.newProjectWizard().Start(ctx, a, r, projectDraft{})
}

// projectLimitRefusal is what the user is told when err is one of the
// limits on projects (storage.ErrProjectLimit, storage.ErrProjectRate),
// and "" otherwise.
func projectLimitRefusal(r *Request, err error) string {
	switch {
	case errors.Is(err, storage.ErrProjectLimit):
		r.Log.Info("project refused", "reason", err)
		return r.Loc.T("project_limit_active", "Max", storage.MaxActiveProjects)
	case errors.Is(err, storage.ErrProjectRate):
		r.Log.Info("project refused", "reason", err)
		return r.Loc.T("project_limit_day", "Max", storage.ProjectsPerDay)
	}
	return ""
}
