package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"partnerbot/locales"
	"partnerbot/storage"
)

// townField is a town chosen in a dialogue, and the towns offered for the
// name typed last (kept in the dialogue's state, so that a button pressed
// after a restart still means the same town).
type townField struct {
	ID      int64        `json:"id,omitempty"`
	Name    string       `json:"name,omitempty"`
	Country string       `json:"country,omitempty"`
	Offered []townOption `json:"offered,omitempty"`
}

// townOption is one town offered as a button.
type townOption struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Region  string `json:"region,omitempty"`
	Country string `json:"country"`
}

// maxTownChoices is how many towns a typed name offers.
const maxTownChoices = 6

// townSkip is the choice value of the Skip button of an optional town.
const townSkip = "-"

// townStep asks for a town: the user types a name in any script or
// spelling, the forgiving town search offers the best matches as buttons,
// and the user picks one (or types again). With a skip label (a message
// ID) the town is optional: that button leaves it empty.
func townStep[S any](a *App, question, skip string, field func(*S) *townField) Step[S] {
	optional := skip != ""
	return Step[S]{
		Ask: func(r *Request, s *S) Question {
			f := field(s)
			var q Question
			if len(f.Offered) > 0 {
				q.Text = r.Loc.T("step_town_pick")
				for _, o := range f.Offered {
					q.Choices = append(q.Choices, []Choice{{Label: townLabel(r.Loc, o), Value: strconv.FormatInt(o.ID, 10)}})
				}
			} else {
				q.Text = r.Loc.T(question)
				if f.ID != 0 {
					q.Text += "\n\n" + r.Loc.T("step_current", "Value", f.Name+", "+r.Loc.Country(f.Country))
				}
			}
			if optional {
				q.Choices = append(q.Choices, []Choice{{Label: r.Loc.Plain(skip), Value: townSkip}})
			}
			return q
		},
		Answer: func(ctx context.Context, _ *Request, s *S, in Input) (Result, error) {
			f := field(s)
			if !in.IsChoice {
				return a.offerTowns(ctx, f, in.Text)
			}
			if in.Choice == townSkip && optional {
				*f = townField{}
				return Accept, nil
			}
			id, err := strconv.ParseInt(in.Choice, 10, 64)
			if err != nil || !slices.ContainsFunc(f.Offered, func(o townOption) bool { return o.ID == id }) {
				return Refuse("step_use_buttons"), nil
			}
			t, err := a.confirmedTown(ctx, id)
			if errors.Is(err, storage.ErrNotFound) {
				f.Offered = nil
				return Refuse("step_town_gone"), nil
			}
			if err != nil {
				return Result{}, err
			}
			*f = townField{ID: t.ID, Name: t.Name, Country: t.Country}
			return Accept, nil
		},
	}
}

// confirmedTown returns the town with id if it is confirmed, and
// ErrNotFound for an unknown or merely proposed one (ids in buttons and
// dialogue states may be stale or forged).
func (a *App) confirmedTown(ctx context.Context, id int64) (storage.Town, error) {
	t, err := a.store.Town(ctx, id)
	if err == nil && t.Status != storage.TownConfirmed {
		return storage.Town{}, storage.ErrNotFound
	}
	return t, err
}

// offerTowns searches for a typed town name and keeps the matches to be
// offered; an unknown name gets a hint and the question again.
func (a *App) offerTowns(ctx context.Context, f *townField, typed string) (Result, error) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return Refuse("step_text_empty"), nil
	}
	towns, err := a.store.SearchTowns(ctx, typed, maxTownChoices)
	if err != nil {
		return Result{}, err
	}
	f.Offered = f.Offered[:0]
	for _, t := range towns {
		f.Offered = append(f.Offered, townOption{ID: t.ID, Name: t.Name, Region: t.Region, Country: t.Country})
	}
	if len(towns) == 0 {
		return Refuse("step_town_unknown", "Query", typed), nil
	}
	return Result{Stay: true}, nil
}

// townLabel is a town as a button shows it: name, region and country, so
// that towns of the same name can be told apart.
func townLabel(l *locales.Localizer, o townOption) string {
	parts := []string{o.Name}
	if o.Region != "" {
		parts = append(parts, o.Region)
	}
	return strings.Join(append(parts, l.Country(o.Country)), ", ")
}
