package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/go-telegram/bot/models"

	"partnerbot/locales"
	"partnerbot/storage"
)

// maxNetworkLines bounds each list of the network message, so that a hub
// with hundreds of partners still fits in one Telegram message.
const maxNetworkLines = 30

// onNetwork shows a town's partners and its partners' partners:
// "/network Itschnja" for the town named, plain /network for the user's
// own town, or, without one, after asking which town.
func (a *App) onNetwork(ctx context.Context, r *Request) error {
	if r.Args != "" {
		return a.networkFor(ctx, r, r.Args)
	}
	prof, err := a.store.Profile(ctx, r.User.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if prof.TownID != 0 {
		town, err := a.store.Town(ctx, prof.TownID)
		if err != nil {
			return err
		}
		return a.showNetwork(ctx, r, town)
	}
	return a.networkWizard().Start(ctx, a, r, networkQuery{})
}

// networkFor answers at once for the town named by query; when several
// towns fit equally, it offers them as buttons.
func (a *App) networkFor(ctx context.Context, r *Request, query string) error {
	towns, err := a.store.SearchTowns(ctx, query, maxTownChoices)
	if err != nil {
		return err
	}
	var exact []storage.Town
	for _, t := range towns {
		if t.Exact {
			exact = append(exact, t)
		}
	}
	switch {
	case len(towns) == 0:
		return a.reply(ctx, r, r.Loc.T("step_town_unknown", "Query", query)+"\n\n"+r.Loc.T("network_usage"), nil)
	case len(exact) == 1:
		return a.showNetwork(ctx, r, exact[0])
	case len(towns) == 1:
		return a.showNetwork(ctx, r, towns[0])
	}
	kb := keyboard()
	for _, t := range towns {
		o := townOption{ID: t.ID, Name: t.Name, Region: t.Region, Country: t.Country}
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(townLabel(r.Loc, o), networkButton(t.ID))})
	}
	return a.reply(ctx, r, r.Loc.T("step_town_pick"), kb)
}

// onNetworkButton shows the network of the town of a networkButton. The
// id may be forged: only confirmed towns are shown.
func (a *App) onNetworkButton(ctx context.Context, r *Request) error {
	id, ok := parseNetworkButton(r.Callback.Data)
	if !ok {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	town, err := a.confirmedTown(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	if err != nil {
		return err
	}
	a.ackCallback(ctx, r)
	return a.showNetwork(ctx, r, town)
}

// networkQuery is the state of the dialogue that asks for a town.
type networkQuery struct {
	Town townField `json:"town"`
}

func (a *App) networkWizard() *Wizard[networkQuery] {
	return &Wizard[networkQuery]{
		Name: "network",
		Steps: []Step[networkQuery]{
			townStep(a, "network_ask_town", "", func(q *networkQuery) *townField { return &q.Town }),
		},
		Finish: func(ctx context.Context, r *Request, q *networkQuery) error {
			town, err := a.store.Town(ctx, q.Town.ID)
			if err != nil {
				return err
			}
			return a.showNetwork(ctx, r, town)
		},
	}
}

// showNetwork renders the network of town. For the user's own town it
// says "your partner".
func (a *App) showNetwork(ctx context.Context, r *Request, town storage.Town) error {
	n, err := a.store.Network(ctx, town.ID)
	if err != nil {
		return err
	}
	prof, err := a.store.Profile(ctx, r.User.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	own := prof.TownID == town.ID
	l := r.Loc
	name := townName(l, town)
	if len(n.Direct) == 0 {
		return a.edit(ctx, r, l.T("network_empty", "Town", name), nil)
	}
	var b strings.Builder
	b.WriteString(l.T("network_title", "Town", name))
	b.WriteString("\n\n" + l.T("network_partners"))
	writeList(&b, l, n.Direct, func(p storage.Partner) string {
		kinds := make([]string, len(p.Kinds))
		for j, k := range p.Kinds {
			kinds[j] = l.Plain("kind_" + k)
		}
		if p.Since.IsZero() {
			return l.T("network_partner", "Town", townName(l, p.Town), "Kinds", strings.Join(kinds, ", "))
		}
		return l.T("network_partner_since", "Town", townName(l, p.Town), "Kinds", strings.Join(kinds, ", "),
			"Year", p.Since.Year())
	})
	if len(n.Indirect) > 0 {
		b.WriteString("\n\n" + l.T("network_partners_of_partners"))
	}
	via := "network_via"
	if own {
		via = "network_via_own"
	}
	writeList(&b, l, n.Indirect, func(p storage.Partner) string {
		names := make([]string, len(p.Via))
		for j, v := range p.Via {
			names[j] = v.Name
		}
		return l.N(via, len(names), "Town", townName(l, p.Town), "Via", strings.Join(names, ", "))
	})
	return a.edit(ctx, r, b.String(), nil)
}

// writeList writes one bullet line per partner, at most maxNetworkLines
// of them, and how many more there are.
func writeList(b *strings.Builder, l *locales.Localizer, ps []storage.Partner, line func(storage.Partner) string) {
	for i, p := range ps {
		if i == maxNetworkLines {
			b.WriteString("\n" + l.N("network_more", len(ps)-i))
			return
		}
		b.WriteString("\n• " + line(p))
	}
}

// townName is a town as messages name it: its name and country.
func townName(l *locales.Localizer, t storage.Town) string {
	return t.Name + ", " + l.Country(t.Country)
}
