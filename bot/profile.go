package bot

import (
	"context"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/locales"
	"partnerbot/storage"
)

// profileDraft is the state of the profile dialogue.
type profileDraft struct {
	Town townField `json:"town"`
	// Typed is the town name typed last; "my town is not listed" proposes
	// it as a new town.
	Typed string `json:"typed,omitempty"`
	// NewTown is set once the user said their town is not listed.
	NewTown   *storage.TownProposal `json:"new_town,omitempty"`
	Languages []string              `json:"languages,omitempty"`
	Interests []string              `json:"interests,omitempty"`
}

// Choice values of the profile's town step, besides town ids.
const (
	townNotListed = "new"
	townKeep      = "keep"
)

// maxTownName bounds a proposed town's name and region.
const maxTownName = storage.MaxProposedTownLen

// proposalCountries are offered as buttons when proposing a town; any
// other country can be typed as its ISO code.
var proposalCountries = []string{"UA", "DE", "SE", "FR", "PL"}

func (a *App) profileWizard() *Wizard[profileDraft] {
	topic := func(l *locales.Localizer, id string) string { return l.Plain("topic_" + id) }
	lang := func(l *locales.Localizer, code string) string { return l.Plain("lang_" + code) }
	proposing := func(d *profileDraft) bool { return d.NewTown == nil }
	return &Wizard[profileDraft]{
		Name: "profile",
		Steps: []Step[profileDraft]{
			a.profileTownStep(),
			{Ask: askNewTownName, Answer: answerNewTownName, Skip: proposing},
			{Ask: askNewTownCountry, Answer: answerNewTownCountry, Skip: proposing},
			{Ask: askNewTownRegion, Answer: answerNewTownRegion, Skip: proposing},
			MultiSelectStep("profile_ask_languages", "profile_languages_none", storage.ProfileLanguages, lang,
				func(d *profileDraft) *[]string { return &d.Languages }),
			MultiSelectStep("profile_ask_interests", "profile_interests_none", storage.Topics, topic,
				func(d *profileDraft) *[]string { return &d.Interests }),
		},
		Finish: a.saveProfile,
	}
}

// profileTownStep is the town step of dialogues (townStep) plus two ways
// out: keep the current town, or say the town is not listed and propose
// the name typed last.
func (a *App) profileTownStep() Step[profileDraft] {
	inner := townStep(a, "profile_ask_town", "profile_town_none", func(d *profileDraft) *townField { return &d.Town })
	return Step[profileDraft]{
		Ask: func(r *Request, d *profileDraft) Question {
			q := inner.Ask(r, d)
			if d.Typed != "" {
				q.Choices = append(q.Choices, []Choice{{Label: r.Loc.Plain("profile_town_not_listed"), Value: townNotListed}})
			}
			if d.Town.ID != 0 && len(d.Town.Offered) == 0 {
				q.Choices = append([][]Choice{{{Label: r.Loc.Plain("profile_town_keep", "Town", d.Town.Name), Value: townKeep}}},
					q.Choices...)
			}
			return q
		},
		Answer: func(ctx context.Context, r *Request, d *profileDraft, in Input) (Result, error) {
			switch {
			case in.IsChoice && in.Choice == townNotListed && d.Typed != "":
				// The name typed into the search is offered as the
				// proposal's only if it passes the check a typed name
				// gets; otherwise the next question asks for one.
				name, problem := townText(d.Typed)
				if problem != "" {
					name = ""
				}
				d.NewTown = &storage.TownProposal{Name: name}
				d.Town = townField{}
				return Accept, nil
			case in.IsChoice && in.Choice == townKeep && d.Town.ID != 0:
				d.NewTown = nil
				return Accept, nil
			}
			d.NewTown = nil
			if !in.IsChoice {
				d.Typed = firstRunes(strings.TrimSpace(in.Text), maxTownName)
			}
			return inner.Answer(ctx, r, d, in)
		},
	}
}

// Choice value that accepts the name or region shown.
const valueOK = "ok"

func askNewTownName(r *Request, d *profileDraft) Question {
	q := Question{Text: r.Loc.T("profile_new_town_name")}
	if d.NewTown.Name != "" {
		q.Choices = [][]Choice{{{Label: r.Loc.Plain("profile_new_town_use", "Name", d.NewTown.Name), Value: valueOK}}}
	}
	return q
}

func answerNewTownName(_ context.Context, _ *Request, d *profileDraft, in Input) (Result, error) {
	if in.IsChoice {
		if in.Choice != valueOK || d.NewTown.Name == "" {
			return Refuse("step_use_buttons"), nil
		}
		if _, problem := townText(d.NewTown.Name); problem != "" {
			return Refuse(problem, "Max", maxTownName), nil
		}
		return Accept, nil
	}
	name, problem := townText(in.Text)
	if problem != "" {
		return Refuse(problem, "Max", maxTownName), nil
	}
	if name == "" {
		return Refuse("step_text_empty"), nil
	}
	d.NewTown.Name = name
	return Accept, nil
}

// townText checks a typed town name or region: one line of at most
// maxTownName characters. problem is a message ID, with Max as argument.
func townText(s string) (text, problem string) {
	s = strings.TrimSpace(s)
	switch {
	case utf8.RuneCountInString(s) > maxTownName:
		return "", "profile_new_town_too_long"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "", "profile_new_town_one_line"
	}
	return s, ""
}

func askNewTownCountry(r *Request, d *profileDraft) Question {
	q := Question{Text: r.Loc.T("profile_new_town_country", "Town", d.NewTown.Name)}
	var row []Choice
	for _, c := range proposalCountries {
		row = append(row, Choice{Label: marked(c == d.NewTown.Country, r.Loc.Country(c)), Value: c})
	}
	q.Choices = [][]Choice{row[:3], row[3:]}
	return q
}

func answerNewTownCountry(_ context.Context, _ *Request, d *profileDraft, in Input) (Result, error) {
	code := strings.ToUpper(strings.TrimSpace(in.Text))
	if in.IsChoice {
		code = in.Choice
	}
	if !storage.ValidCountry(code) {
		return Refuse("profile_new_town_country_unknown"), nil
	}
	d.NewTown.Country = code
	return Accept, nil
}

func askNewTownRegion(r *Request, d *profileDraft) Question {
	return Question{Text: r.Loc.T("profile_new_town_region", "Town", d.NewTown.Name),
		Choices: [][]Choice{{{Label: r.Loc.Plain("step_skip"), Value: valueOK}}}}
}

func answerNewTownRegion(_ context.Context, _ *Request, d *profileDraft, in Input) (Result, error) {
	if in.IsChoice {
		if in.Choice != valueOK {
			return Refuse("step_use_buttons"), nil
		}
		d.NewTown.Region = ""
		return Accept, nil
	}
	region, problem := townText(in.Text)
	if problem != "" {
		return Refuse(problem, "Max", maxTownName), nil
	}
	d.NewTown.Region = region
	return Accept, nil
}

// saveProfile stores the answers; a proposed town is created with the
// profile and shown to the coordinators (renderTownProposal).
func (a *App) saveProfile(ctx context.Context, r *Request, d *profileDraft) error {
	p := storage.Profile{UserID: r.User.ID, TownID: d.Town.ID, Languages: d.Languages, Interests: d.Interests}
	if d.NewTown == nil {
		if err := a.store.SaveProfile(ctx, p); err != nil {
			return err
		}
		return a.showProfile(ctx, r, r.Loc.T("profile_saved"))
	}
	deciders, err := a.moderators(ctx)
	if err != nil {
		return err
	}
	var town storage.Town
	err = a.store.InTx(ctx, func(tx pgx.Tx) (err error) {
		if town, err = a.store.ProposeTownTx(ctx, tx, *d.NewTown, p); err != nil {
			return err
		}
		ms := make([]delivery.Message, len(deciders))
		for i, id := range deciders {
			ms[i] = delivery.Message{ChatID: id, Kind: kindTownProposed, Ref: town.ID}
		}
		return a.notify(ctx, tx, ms...)
	})
	if errors.Is(err, storage.ErrTooManyProposals) || errors.Is(err, storage.ErrInvalidProposal) {
		if err := a.store.SaveProfile(ctx, p); err != nil {
			return err
		}
		notice := r.Loc.T("profile_too_many_proposals", "Max", storage.MaxPendingProposals)
		if errors.Is(err, storage.ErrInvalidProposal) {
			// The steps check name and region already; this is the last
			// line of defence, should one of them ever let one through.
			r.Log.Warn("refused town proposal", "err", err)
			notice = r.Loc.T("profile_new_town_one_line")
		}
		return a.showProfile(ctx, r, notice)
	}
	if err != nil {
		return err
	}
	r.Log.Info("town proposed", "town", town.ID, "shown_to", len(deciders))
	return a.showProfile(ctx, r, r.Loc.T("profile_saved_proposed", "Town", town.Name))
}

// onProfile shows the user's profile with an Edit button, or starts the
// dialogue if there is none yet.
func (a *App) onProfile(ctx context.Context, r *Request) error {
	if _, err := a.store.Profile(ctx, r.User.ID); errors.Is(err, storage.ErrNotFound) {
		return a.startProfile(ctx, r)
	} else if err != nil {
		return err
	}
	return a.showProfile(ctx, r, "")
}

// startProfile opens the dialogue with the current answers, if any.
func (a *App) startProfile(ctx context.Context, r *Request) error {
	var d profileDraft
	p, err := a.store.Profile(ctx, r.User.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return err
	default:
		d.Languages, d.Interests = p.Languages, p.Interests
		if p.TownID != 0 {
			t, err := a.store.Town(ctx, p.TownID)
			if err != nil {
				return err
			}
			d.Town = townField{ID: t.ID, Name: t.Name, Country: t.Country}
		}
	}
	return a.profileWizard().Start(ctx, a, r, d)
}

// showProfile shows the profile card below notice (HTML, may be empty).
func (a *App) showProfile(ctx context.Context, r *Request, notice string) error {
	p, err := a.store.Profile(ctx, r.User.ID)
	if err != nil {
		return err
	}
	l := r.Loc
	town := l.Plain("profile_not_set")
	if p.TownID != 0 {
		t, err := a.store.Town(ctx, p.TownID)
		if err != nil {
			return err
		}
		town = townName(l, t)
		if t.Status == storage.TownProposed {
			town = l.Plain("profile_town_pending", "Town", town)
		}
	}
	text := l.T("profile_card", "Town", town, "Languages", namesOr(l, "lang_list_", p.Languages, "profile_not_set"),
		"Interests", namesOr(l, "topic_", p.Interests, "profile_not_set"))
	if notice != "" {
		text = notice + "\n\n" + text
	}
	kb := keyboard([]models.InlineKeyboardButton{button(l.Plain("profile_button_edit"), profileButton(profileEdit))})
	return a.edit(ctx, r, text, kb)
}

// offerProfile follows the greeting of /start: someone without a profile
// is invited to set one up, or to do it later.
func (a *App) offerProfile(ctx context.Context, r *Request) error {
	if _, err := a.store.Profile(ctx, r.User.ID); !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return a.reply(ctx, r, r.Loc.T("profile_offer"), keyboard(
		[]models.InlineKeyboardButton{button(r.Loc.Plain("profile_offer_yes"), profileButton(profileEdit))},
		[]models.InlineKeyboardButton{button(r.Loc.Plain("profile_offer_later"), profileButton(profileLater))},
	))
}

// onProfileButton handles profileButton: profileEdit (start or edit the
// profile) and profileLater (decline the offer after /start). Both act
// only on the presser's own profile.
func (a *App) onProfileButton(ctx context.Context, r *Request) error {
	action, ok := parseProfileButton(r.Callback.Data)
	switch {
	case ok && action == profileEdit:
		a.ackCallback(ctx, r)
		return a.startProfile(ctx, r)
	case ok && action == profileLater:
		a.ackCallback(ctx, r)
		return a.edit(ctx, r, r.Loc.T("profile_offer_declined"), nil)
	}
	return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
}
