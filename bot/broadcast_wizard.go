package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"partnerbot/internal/timefmt"
	"partnerbot/internal/whenparse"
	"partnerbot/internal/zones"
	"partnerbot/locales"
	"partnerbot/storage"
)

// broadcastDraft is the state of the /broadcast dialogue, kept in
// PostgreSQL between messages.
type broadcastDraft struct {
	Audience storage.Audience `json:"audience"`
	// Picked are the chosen towns (PlaceChosen) with their names;
	// Offered the towns found for the name typed last.
	Picked  []townOption `json:"picked,omitempty"`
	Offered []townOption `json:"offered,omitempty"`
	// Countries are those of the place, offered to narrow it.
	Countries []string `json:"countries,omitempty"`
	// Projects are the projects of the place with followers, offered.
	Projects []storage.ProjectChoice `json:"projects,omitempty"`
	// Counts are the recipients by language, as last counted; Mix the
	// same by language and profile languages ("fr:de,fr"), which decide
	// the version each gets.
	Counts map[string]int `json:"counts,omitempty"`
	Mix    map[string]int `json:"mix,omitempty"`
	// Versions are the texts by language; AddLang is the language whose
	// text the versions step asks for, "" for none.
	Versions map[string]string `json:"versions,omitempty"`
	Lang     string            `json:"lang"`
	AddLang  string            `json:"add_lang,omitempty"`
	Links    []storage.Link    `json:"links,omitempty"`
	Media    string            `json:"media,omitempty"`
	MediaID  string            `json:"media_id,omitempty"`
	Deadline time.Time         `json:"deadline,omitzero"`
	Zone     string            `json:"zone"`
	Later    bool              `json:"later,omitempty"`
	SendAt   time.Time         `json:"send_at,omitzero"`
	Urgent   bool              `json:"urgent,omitempty"`
}

// Limits of a broadcast text, in characters: what Telegram takes in one
// message (4096) or caption (1024), less room for the lines the bot adds
// (the note on the language, the deadline).
const (
	maxBroadcastText    = 3600
	maxBroadcastCaption = 800
	maxBroadcastLinks   = 3
	maxLinkLabel        = 40
	maxProjectChoices   = 8
)

// Choice values of the broadcast dialogue.
const (
	bcNext    = "next"
	bcNow     = "now"
	bcLater   = "later"
	bcUrgent  = "urgent"
	bcPreview = "pv:"
	bcAdd     = "add:"
)

// sender is the request's user as the storage sees a broadcaster.
func broadcaster(r *Request) storage.Sender {
	return storage.Sender{UserID: r.User.ID, Admin: r.Role == RoleAdmin}
}

// mayBroadcast guards every step: the role is checked at every answer, not
// only at /broadcast, since it may be revoked while the dialogue is open.
func mayBroadcast[S any](st Step[S]) Step[S] {
	answer := st.Answer
	st.Answer = func(ctx context.Context, r *Request, s *S, in Input) (Result, error) {
		if r.Role < RoleCoordinator {
			r.Log.Warn("refused broadcast step", "role", r.Role)
			return Refuse("not_allowed_coordinator"), nil
		}
		return answer(ctx, r, s, in)
	}
	return st
}

// broadcastWizard composes a broadcast: audience, text and versions,
// links, media, deadline, preview, when.
func (a *App) broadcastWizard() *Wizard[broadcastDraft] {
	steps := []Step[broadcastDraft]{
		a.bcPlaceStep(), a.bcTownsStep(), a.bcCountriesStep(), a.bcGroupsStep(), a.bcProjectsStep(),
		a.bcFilterStep("bc_ask_sectors", "sector_", storage.Sectors, func(au *storage.Audience) *[]string { return &au.Sectors }),
		a.bcFilterStep("bc_ask_topics", "topic_", storage.Topics, func(au *storage.Audience) *[]string { return &au.Topics }),
		a.bcTextStep(), a.bcVersionsStep(), a.bcLinksStep(), a.bcMediaStep(), a.bcDeadlineStep(), a.bcPreviewStep(),
		a.bcWhenStep(),
	}
	for i := range steps {
		steps[i] = mayBroadcast(steps[i])
	}
	return &Wizard[broadcastDraft]{Name: "broadcast", Steps: steps, Finish: a.finishBroadcast}
}

// onBroadcast starts the dialogue. Coordinators and admins (see routes);
// a coordinator without a town is told to ask an administrator.
func (a *App) onBroadcast(ctx context.Context, r *Request) error {
	if r.Role < RoleAdmin {
		towns, err := a.store.SenderTowns(ctx, r.User.ID)
		if err != nil {
			return err
		}
		if len(towns) == 0 {
			return a.reply(ctx, r, r.Loc.T("bc_no_towns"), nil)
		}
	}
	loc, err := a.viewerZone(ctx, r)
	if err != nil {
		return err
	}
	d := broadcastDraft{Lang: r.Loc.Lang(), Zone: loc.String(), Versions: map[string]string{},
		Audience: storage.Audience{Groups: []string{storage.GroupResidents}}}
	return a.broadcastWizard().Start(ctx, a, r, d)
}

// withCounts puts the recipients counted so far above a question.
func withCounts(r *Request, d *broadcastDraft, text string) string {
	if d.Counts == nil {
		return text
	}
	return countsLine(r.Loc, d.Counts) + "\n\n" + text
}

// countsLine says how many people the audience reaches, by language.
func countsLine(l *locales.Localizer, counts map[string]int) string {
	total := 0
	var parts []string
	for _, lang := range locales.Codes {
		if n := counts[lang]; n > 0 {
			total += n
			parts = append(parts, l.Plain("lang_list_"+lang)+" "+strconv.Itoa(n))
		}
	}
	line := l.N("bc_counts", total)
	if len(parts) > 0 {
		line += "\n" + strings.Join(parts, " · ")
	}
	return line
}

// recount resolves the audience as built so far and keeps its counts by
// language; a refusal (a town outside the network) is returned as a
// Result.
func (a *App) recount(ctx context.Context, r *Request, d *broadcastDraft) (Result, error) {
	kind := storage.KindAnnouncements
	if !d.Deadline.IsZero() {
		kind = storage.KindFundingCalls
	}
	town, err := a.fromTown(ctx, r, d.Audience)
	if err != nil {
		return Result{}, err
	}
	rs, err := a.store.ResolveAudience(ctx, d.Audience, broadcaster(r),
		storage.Exclusions{Kind: kind, FromTown: town.ID, Topic: firstOf(d.Audience.Topics)})
	switch {
	case errors.Is(err, storage.ErrOutsideNetwork):
		return Refuse("bc_town_outside"), nil
	case errors.Is(err, storage.ErrNoTowns):
		return Refuse("bc_no_towns"), nil
	case errors.Is(err, storage.ErrInvalidAudience):
		// Not yet complete (e.g. followers without projects): no counts.
		d.Counts = nil
		return Accept, nil
	case err != nil:
		return Result{}, err
	}
	groups, err := a.store.ResolveYouthGroups(ctx, d.Audience, broadcaster(r))
	if err != nil {
		return Result{}, err
	}
	d.Counts, d.Mix = map[string]int{}, map[string]int{}
	for _, rc := range rs {
		lang := a.langOfRecipient(rc)
		d.Counts[lang]++
		d.Mix[lang+":"+strings.Join(rc.ProfileLanguages, ",")]++
	}
	// A youth group reads its copy in the language its administrators set.
	for _, g := range groups {
		d.Counts[g.Language]++
		d.Mix[g.Language+":"]++
	}
	return Accept, nil
}

// langOfRecipient is the language a recipient is addressed in.
func (a *App) langOfRecipient(rc storage.Recipient) string {
	lang, _ := a.languageOf(storage.User{Language: rc.Language, LanguageCode: rc.LanguageCode})
	return lang
}

func (a *App) bcPlaceStep() Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Ask: func(r *Request, d *broadcastDraft) Question {
			q := Question{Text: withCounts(r, d, r.Loc.T("bc_ask_place"))}
			for _, p := range storage.Places {
				if p == storage.PlaceEveryone && r.Role < RoleAdmin {
					continue
				}
				q.Choices = append(q.Choices, []Choice{{Label: marked(d.Audience.Place == p, r.Loc.Plain("bc_place_"+p)), Value: p}})
			}
			return q
		},
		Answer: func(ctx context.Context, r *Request, d *broadcastDraft, in Input) (Result, error) {
			if !in.IsChoice || !slices.Contains(storage.Places, in.Choice) {
				return Refuse("step_use_buttons"), nil
			}
			if in.Choice == storage.PlaceEveryone && r.Role < RoleAdmin {
				r.Log.Warn("refused broadcast to everyone")
				return Refuse("bc_everyone_admins"), nil
			}
			d.Audience.Place = in.Choice
			d.Audience.Countries, d.Countries = nil, nil
			if in.Choice != storage.PlaceChosen {
				d.Audience.Towns, d.Picked = nil, nil
				return a.placeChanged(ctx, r, d)
			}
			return Accept, nil
		},
	}
}

// placeChanged refreshes what depends on the place: the countries and
// projects offered, and the counts.
func (a *App) placeChanged(ctx context.Context, r *Request, d *broadcastDraft) (Result, error) {
	towns, err := a.store.PlaceTowns(ctx, storage.Audience{Place: d.Audience.Place, Towns: d.Audience.Towns,
		Groups: []string{storage.GroupResidents}}, broadcaster(r))
	switch {
	case errors.Is(err, storage.ErrOutsideNetwork):
		return Refuse("bc_town_outside"), nil
	case errors.Is(err, storage.ErrNoTowns):
		return Refuse("bc_no_towns"), nil
	case err != nil:
		return Result{}, err
	}
	d.Countries = nil
	for _, t := range towns {
		if !slices.Contains(d.Countries, t.Country) {
			d.Countries = append(d.Countries, t.Country)
		}
	}
	d.Audience.Countries = slices.DeleteFunc(d.Audience.Countries, func(c string) bool { return !slices.Contains(d.Countries, c) })
	d.Audience.Projects = nil
	if d.Projects, err = a.store.PlaceProjects(ctx, d.Audience, broadcaster(r), maxProjectChoices); err != nil {
		return Result{}, err
	}
	return a.recount(ctx, r, d)
}

// bcTownsStep picks one or more towns of the coordinator's network: typed
// in any spelling, chosen from the matches; Done when enough.
func (a *App) bcTownsStep() Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Skip: func(d *broadcastDraft) bool { return d.Audience.Place != storage.PlaceChosen },
		Ask: func(r *Request, d *broadcastDraft) Question {
			var q Question
			if len(d.Offered) > 0 {
				q.Text = r.Loc.T("step_town_pick")
				for _, o := range d.Offered {
					q.Choices = append(q.Choices, []Choice{{Label: townLabel(r.Loc, o), Value: strconv.FormatInt(o.ID, 10)}})
				}
			} else {
				q.Text = r.Loc.T("bc_ask_towns")
			}
			if len(d.Picked) > 0 {
				var names []string
				for _, p := range d.Picked {
					names = append(names, p.Name)
				}
				q.Text = withCounts(r, d, r.Loc.T("bc_towns_picked", "Towns", strings.Join(names, ", "))+"\n\n"+q.Text)
				q.Choices = append(q.Choices, []Choice{{Label: r.Loc.Plain("step_done"), Value: multiDone}})
			}
			return q
		},
		Answer: func(ctx context.Context, r *Request, d *broadcastDraft, in Input) (Result, error) {
			if !in.IsChoice {
				f := townField{}
				res, err := a.offerTowns(ctx, &f, in.Text)
				d.Offered = f.Offered
				if err != nil || res.Problem != "" {
					return res, err
				}
				return Result{Stay: true}, nil
			}
			if in.Choice == multiDone {
				if len(d.Picked) == 0 {
					return Refuse("bc_towns_none"), nil
				}
				return Accept, nil
			}
			id, err := strconv.ParseInt(in.Choice, 10, 64)
			i := slices.IndexFunc(d.Offered, func(o townOption) bool { return o.ID == id })
			if err != nil || i < 0 {
				return Refuse("step_use_buttons"), nil
			}
			// Inside the coordinator's network? The storage checks it again
			// whenever the audience is resolved.
			if r.Role < RoleAdmin {
				own, err := a.store.SenderTowns(ctx, r.User.ID)
				if err != nil {
					return Result{}, err
				}
				network, err := a.store.NetworkOf(ctx, own)
				if err != nil {
					return Result{}, err
				}
				if !slices.Contains(network, id) {
					r.Log.Warn("refused town outside the network", "town_id", id)
					d.Offered = nil
					return Refuse("bc_town_outside"), nil
				}
			}
			if !slices.Contains(d.Audience.Towns, id) {
				d.Picked = append(d.Picked, d.Offered[i])
				d.Audience.Towns = append(d.Audience.Towns, id)
			}
			d.Offered = nil
			res, err := a.placeChanged(ctx, r, d)
			if err != nil || res.Problem != "" {
				return res, err
			}
			return Result{Stay: true}, nil
		},
	}
}

// bcCountriesStep narrows the place to some of its countries (optional).
func (a *App) bcCountriesStep() Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Skip: func(d *broadcastDraft) bool { return len(d.Countries) < 2 },
		Ask: func(r *Request, d *broadcastDraft) Question {
			q := Question{Text: withCounts(r, d, r.Loc.T("bc_ask_countries"))}
			var row []Choice
			for _, c := range d.Countries {
				row = append(row, Choice{Label: marked(slices.Contains(d.Audience.Countries, c), r.Loc.Country(c)), Value: multiToggle + c})
				if len(row) == 2 {
					q.Choices, row = append(q.Choices, row), nil
				}
			}
			if len(row) > 0 {
				q.Choices = append(q.Choices, row)
			}
			q.Choices = append(q.Choices, []Choice{{Label: r.Loc.Plain("step_done"), Value: multiDone}})
			return q
		},
		Answer: func(ctx context.Context, r *Request, d *broadcastDraft, in Input) (Result, error) {
			if !in.IsChoice {
				return Refuse("step_use_buttons"), nil
			}
			if in.Choice == multiDone {
				return Accept, nil
			}
			c, ok := strings.CutPrefix(in.Choice, multiToggle)
			if !ok || !slices.Contains(d.Countries, c) {
				return Refuse("step_use_buttons"), nil
			}
			d.Audience.Countries = toggle(d.Audience.Countries, c)
			if _, err := a.placeChanged(ctx, r, d); err != nil {
				return Result{}, err
			}
			return Result{Stay: true}, nil
		},
	}
}

// toggle adds v to list or takes it out.
func toggle[T comparable](list []T, v T) []T {
	if slices.Contains(list, v) {
		return slices.DeleteFunc(slices.Clone(list), func(x T) bool { return x == v })
	}
	return append(list, v)
}

// bcGroupsStep picks who in the place: residents, project owners,
// followers of chosen projects, coordinators.
func (a *App) bcGroupsStep() Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Ask: func(r *Request, d *broadcastDraft) Question {
			q := Question{Text: withCounts(r, d, r.Loc.T("bc_ask_groups"))}
			for _, g := range storage.Groups {
				q.Choices = append(q.Choices, []Choice{{Label: marked(slices.Contains(d.Audience.Groups, g), r.Loc.Plain("bc_group_"+g)),
					Value: multiToggle + g}})
			}
			q.Choices = append(q.Choices, []Choice{{Label: r.Loc.Plain("step_done"), Value: multiDone}})
			return q
		},
		Answer: func(ctx context.Context, r *Request, d *broadcastDraft, in Input) (Result, error) {
			if !in.IsChoice {
				return Refuse("step_use_buttons"), nil
			}
			if in.Choice == multiDone {
				switch {
				case len(d.Audience.Groups) == 0:
					return Refuse("bc_groups_none"), nil
				case slices.Contains(d.Audience.Groups, storage.GroupFollowers) && len(d.Projects) == 0:
					return Refuse("bc_projects_none"), nil
				}
				return Accept, nil
			}
			g, ok := strings.CutPrefix(in.Choice, multiToggle)
			if !ok || !slices.Contains(storage.Groups, g) {
				return Refuse("step_use_buttons"), nil
			}
			d.Audience.Groups = toggle(d.Audience.Groups, g)
			if !slices.Contains(d.Audience.Groups, storage.GroupFollowers) {
				d.Audience.Projects = nil
			}
			if _, err := a.recount(ctx, r, d); err != nil {
				return Result{}, err
			}
			return Result{Stay: true}, nil
		},
	}
}

// bcProjectsStep picks the projects whose followers are addressed.
func (a *App) bcProjectsStep() Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Skip: func(d *broadcastDraft) bool { return !slices.Contains(d.Audience.Groups, storage.GroupFollowers) },
		Ask: func(r *Request, d *broadcastDraft) Question {
			q := Question{Text: withCounts(r, d, r.Loc.T("bc_ask_projects"))}
			for _, p := range d.Projects {
				label := r.Loc.Plain("bc_project_choice", "Title", truncate(p.Title, 40), "Count", p.Followers)
				q.Choices = append(q.Choices, []Choice{{Label: marked(slices.Contains(d.Audience.Projects, p.ID), label),
					Value: multiToggle + strconv.FormatInt(p.ID, 10)}})
			}
			q.Choices = append(q.Choices, []Choice{{Label: r.Loc.Plain("step_done"), Value: multiDone}})
			return q
		},
		Answer: func(ctx context.Context, r *Request, d *broadcastDraft, in Input) (Result, error) {
			if !in.IsChoice {
				return Refuse("step_use_buttons"), nil
			}
			if in.Choice == multiDone {
				if len(d.Audience.Projects) == 0 {
					return Refuse("bc_projects_pick"), nil
				}
				return Accept, nil
			}
			v, ok := strings.CutPrefix(in.Choice, multiToggle)
			id, err := strconv.ParseInt(v, 10, 64)
			if !ok || err != nil || !slices.ContainsFunc(d.Projects, func(p storage.ProjectChoice) bool { return p.ID == id }) {
				return Refuse("step_use_buttons"), nil
			}
			d.Audience.Projects = toggle(d.Audience.Projects, id)
			if _, err := a.recount(ctx, r, d); err != nil {
				return Result{}, err
			}
			return Result{Stay: true}, nil
		},
	}
}

// bcFilterStep narrows the people to some sectors or topics (optional).
func (a *App) bcFilterStep(question, labelPrefix string, options []string, field func(*storage.Audience) *[]string) Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Ask: func(r *Request, d *broadcastDraft) Question {
			q := Question{Text: withCounts(r, d, r.Loc.T(question))}
			var row []Choice
			for _, o := range options {
				row = append(row, Choice{Label: marked(slices.Contains(*field(&d.Audience), o), r.Loc.Plain(labelPrefix+o)), Value: multiToggle + o})
				if len(row) == 2 {
					q.Choices, row = append(q.Choices, row), nil
				}
			}
			if len(row) > 0 {
				q.Choices = append(q.Choices, row)
			}
			q.Choices = append(q.Choices, []Choice{{Label: r.Loc.Plain("step_done"), Value: multiDone}})
			return q
		},
		Answer: func(ctx context.Context, r *Request, d *broadcastDraft, in Input) (Result, error) {
			if !in.IsChoice {
				return Refuse("step_use_buttons"), nil
			}
			if in.Choice == multiDone {
				return Accept, nil
			}
			o, ok := strings.CutPrefix(in.Choice, multiToggle)
			if !ok || !slices.Contains(options, o) {
				return Refuse("step_use_buttons"), nil
			}
			f := field(&d.Audience)
			*f = toggle(*f, o)
			// Kept in the order of options, so that equal audiences compare
			// equal.
			slices.SortFunc(*f, func(x, y string) int { return slices.Index(options, x) - slices.Index(options, y) })
			if _, err := a.recount(ctx, r, d); err != nil {
				return Result{}, err
			}
			return Result{Stay: true}, nil
		},
	}
}

// checkText validates one version: not empty, within the length,
// Telegram HTML that will parse; a refusal says why, in r's language.
func (d *broadcastDraft) checkText(r *Request, text string) (string, Result) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", Refuse("step_text_empty")
	}
	if p, ok := checkBroadcastHTML(text); !ok {
		return "", Refuse("bc_html_invalid", "Reason", locales.HTML(r.Loc.T(p.ID, p.Args...)))
	}
	limit := maxBroadcastText
	if d.MediaID != "" {
		limit = maxBroadcastCaption
	}
	if n := utf8.RuneCountInString(plainOf(text)); n > limit {
		return "", Refuse("step_text_too_long", "Max", limit, "Length", n)
	}
	return text, Accept
}

func (a *App) bcTextStep() Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Ask: func(r *Request, d *broadcastDraft) Question {
			text := withCounts(r, d, r.Loc.T("bc_ask_text", "Language", r.Loc.Plain("lang_list_"+d.Lang)))
			if cur := d.Versions[d.Lang]; cur != "" {
				text += "\n\n" + r.Loc.T("step_current", "Value", truncate(cur, previewLen))
			}
			return Question{Text: text}
		},
		Answer: func(_ context.Context, r *Request, d *broadcastDraft, in Input) (Result, error) {
			if in.IsChoice {
				return Refuse("step_type_text"), nil
			}
			text, res := d.checkText(r, in.Text)
			if res.Problem != "" {
				return res, nil
			}
			if d.Versions == nil {
				d.Versions = map[string]string{}
			}
			d.Versions[d.Lang] = text
			return Accept, nil
		},
	}
}

// bcVersionsStep offers versions in the other languages; pressing one asks
// for its text.
func (a *App) bcVersionsStep() Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Ask: func(r *Request, d *broadcastDraft) Question {
			if d.AddLang != "" {
				text := r.Loc.T("bc_ask_version", "Language", r.Loc.Plain("lang_list_"+d.AddLang))
				if cur := d.Versions[d.AddLang]; cur != "" {
					text += "\n\n" + r.Loc.T("step_current", "Value", truncate(cur, previewLen))
				}
				return Question{Text: text}
			}
			var have []string
			for _, l := range locales.Codes {
				if d.Versions[l] != "" {
					have = append(have, r.Loc.Plain("lang_list_"+l))
				}
			}
			q := Question{Text: withCounts(r, d, r.Loc.T("bc_ask_versions", "Languages", strings.Join(have, ", ")))}
			var row []Choice
			for _, l := range locales.Codes {
				if l == d.Lang {
					continue
				}
				row = append(row, Choice{Label: marked(d.Versions[l] != "", r.Loc.Plain("lang_"+l)), Value: bcAdd + l})
				if len(row) == 2 {
					q.Choices, row = append(q.Choices, row), nil
				}
			}
			if len(row) > 0 {
				q.Choices = append(q.Choices, row)
			}
			q.Choices = append(q.Choices, []Choice{{Label: r.Loc.Plain("bc_continue"), Value: bcNext}})
			return q
		},
		Answer: func(_ context.Context, r *Request, d *broadcastDraft, in Input) (Result, error) {
			if d.AddLang != "" && !in.IsChoice {
				text, res := d.checkText(r, in.Text)
				if res.Problem != "" {
					return res, nil
				}
				d.Versions[d.AddLang], d.AddLang = text, ""
				return Result{Stay: true}, nil
			}
			if !in.IsChoice {
				return Refuse("step_use_buttons"), nil
			}
			if in.Choice == bcNext {
				d.AddLang = ""
				return Accept, nil
			}
			l, ok := strings.CutPrefix(in.Choice, bcAdd)
			if !ok || !slices.Contains(locales.Codes, l) || l == d.Lang {
				return Refuse("step_use_buttons"), nil
			}
			d.AddLang = l
			return Result{Stay: true}, nil
		},
	}
}

// bcLinksStep takes link buttons, one a line: "Label | https://…".
func (a *App) bcLinksStep() Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Ask: func(r *Request, d *broadcastDraft) Question {
			text := r.Loc.T("bc_ask_links", "Max", maxBroadcastLinks)
			if len(d.Links) > 0 {
				var lines []string
				for _, l := range d.Links {
					lines = append(lines, l.Label+" | "+l.URL)
				}
				text += "\n\n" + r.Loc.T("step_current", "Value", strings.Join(lines, "\n"))
			}
			return Question{Text: text, Choices: [][]Choice{{{Label: r.Loc.Plain("bc_no_links"), Value: skipValue}}}}
		},
		Answer: func(_ context.Context, _ *Request, d *broadcastDraft, in Input) (Result, error) {
			if in.IsChoice {
				if in.Choice != skipValue {
					return Refuse("step_type_text"), nil
				}
				d.Links = nil
				return Accept, nil
			}
			links, res := parseLinks(in.Text)
			if res.Problem != "" {
				return res, nil
			}
			d.Links = links
			return Accept, nil
		},
	}
}

// parseLinks reads link buttons, one a line: "Label | https://…".
func parseLinks(text string) ([]storage.Link, Result) {
	var links []storage.Link
	for line := range strings.SplitSeq(strings.TrimSpace(text), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		label, link, ok := strings.Cut(line, "|")
		label = strings.TrimSpace(label)
		if !ok || label == "" {
			return nil, Refuse("bc_link_form")
		}
		if utf8.RuneCountInString(label) > maxLinkLabel {
			return nil, Refuse("bc_link_label_long", "Max", maxLinkLabel)
		}
		u, ok := linkURL(link)
		if !ok {
			return nil, Refuse("bc_link_bad", "Link", strings.TrimSpace(link))
		}
		links = append(links, storage.Link{Label: label, URL: u})
	}
	switch {
	case len(links) == 0:
		return nil, Refuse("bc_link_form")
	case len(links) > maxBroadcastLinks:
		return nil, Refuse("bc_links_many", "Max", maxBroadcastLinks)
	}
	return links, Accept
}

// bcMediaStep takes one photo or document from the author's message.
func (a *App) bcMediaStep() Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Ask: func(r *Request, d *broadcastDraft) Question {
			text := r.Loc.T("bc_ask_media")
			if d.MediaID != "" {
				text += "\n\n" + r.Loc.T("bc_media_current", "Kind", r.Loc.Plain("bc_media_"+d.Media))
			}
			return Question{Text: text, Choices: [][]Choice{{{Label: r.Loc.Plain("bc_no_media"), Value: skipValue}}}}
		},
		Answer: func(_ context.Context, r *Request, d *broadcastDraft, in Input) (Result, error) {
			if in.IsChoice {
				if in.Choice != skipValue {
					return Refuse("bc_media_hint"), nil
				}
				d.Media, d.MediaID = "", ""
				return Accept, nil
			}
			msg := r.Update.Message
			switch {
			case msg != nil && len(msg.Photo) > 0:
				d.Media, d.MediaID = "photo", msg.Photo[len(msg.Photo)-1].FileID
			case msg != nil && msg.Document != nil:
				d.Media, d.MediaID = "document", msg.Document.FileID
			default:
				return Refuse("bc_media_hint"), nil
			}
			for lang, text := range d.Versions {
				if n := utf8.RuneCountInString(plainOf(text)); n > maxBroadcastCaption {
					d.Media, d.MediaID = "", ""
					return Refuse("bc_media_text_long", "Max", maxBroadcastCaption, "Language", r.Loc.Plain("lang_list_"+lang)), nil
				}
			}
			return Accept, nil
		},
	}
}

// parseDeadline reads a deadline: a date (the end of that day) or a date
// and time, in loc.
func parseDeadline(text string, now time.Time, loc *time.Location) (time.Time, error) {
	t, err := whenparse.Parse(text, now, loc)
	if errors.Is(err, whenparse.ErrNoTime) {
		t, err = whenparse.Parse(strings.TrimSpace(text)+" 23:59", now, loc)
	}
	return t, err
}

func (a *App) bcDeadlineStep() Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Ask: func(r *Request, d *broadcastDraft) Question {
			loc := zones.Load(d.Zone)
			text := r.Loc.T("bc_ask_deadline", "Example", timefmt.Numeric(r.Loc, a.now().In(loc).AddDate(0, 1, 0)))
			if !d.Deadline.IsZero() {
				text += "\n\n" + r.Loc.T("step_current", "Value", timefmt.DateTime(r.Loc, d.Deadline.In(loc)))
			}
			return Question{Text: text, Choices: [][]Choice{{{Label: r.Loc.Plain("bc_no_deadline"), Value: skipValue}}}}
		},
		Answer: func(ctx context.Context, r *Request, d *broadcastDraft, in Input) (Result, error) {
			if in.IsChoice {
				if in.Choice != skipValue {
					return Refuse("step_type_text"), nil
				}
				d.Deadline = time.Time{}
				return a.recount(ctx, r, d)
			}
			loc := zones.Load(d.Zone)
			t, err := parseDeadline(in.Text, a.now(), loc)
			example := timefmt.Numeric(r.Loc, a.now().In(loc).AddDate(0, 1, 0))
			switch {
			case err != nil:
				return Refuse("bc_bad_deadline", "Example", example), nil
			case !t.After(a.now()):
				return Refuse("bc_deadline_past", "Example", example), nil
			}
			d.Deadline = t
			return a.recount(ctx, r, d)
		},
	}
}

// bcPreviewStep shows who gets which version, previews each language as
// its recipients see it, and asks when to send.
func (a *App) bcPreviewStep() Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Ask: func(r *Request, d *broadcastDraft) Question {
			var lines []string
			q := Question{}
			var row []Choice
			for _, lang := range locales.Codes {
				if d.Counts[lang] == 0 {
					continue
				}
				// Who reads which version: by their language and profile.
				type got struct {
					version string
					note    bool
				}
				byVersion := map[got]int{}
				for key, n := range d.Mix {
					l, profile, _ := strings.Cut(key, ":")
					if l != lang {
						continue
					}
					v, note := pickVersion(d.Versions, d.Lang, lang, strings.Split(profile, ","))
					byVersion[got{v, note}] += n
				}
				for _, v := range locales.Codes {
					for _, note := range []bool{false, true} {
						n := byVersion[got{v, note}]
						if n == 0 {
							continue
						}
						msg := "bc_preview_line"
						if note {
							msg = "bc_preview_line_note"
						}
						lines = append(lines, r.Loc.N(msg, n, "Language", r.Loc.Plain("lang_list_"+lang), "Version", r.Loc.Plain("lang_list_"+v)))
					}
				}
				row = append(row, Choice{Label: r.Loc.Plain("bc_preview_button", "Language", r.Loc.Plain("lang_"+lang)), Value: bcPreview + lang})
				if len(row) == 2 {
					q.Choices, row = append(q.Choices, row), nil
				}
			}
			if len(row) > 0 {
				q.Choices = append(q.Choices, row)
			}
			q.Text = r.Loc.T("bc_ask_send") + "\n\n" + countsLine(r.Loc, d.Counts)
			if len(lines) > 0 {
				q.Text += "\n" + strings.Join(lines, "\n")
			}
			if !d.Deadline.IsZero() {
				q.Text += "\n" + r.Loc.T("bc_preview_deadline", "When", timefmt.DateTime(r.Loc, d.Deadline.In(zones.Load(d.Zone))))
			}
			q.Choices = append(q.Choices, []Choice{{Label: r.Loc.Plain("bc_send_now"), Value: bcNow},
				{Label: r.Loc.Plain("bc_send_later"), Value: bcLater}})
			if r.Role >= RoleAdmin {
				q.Choices = append(q.Choices, []Choice{{Label: marked(d.Urgent, r.Loc.Plain("bc_urgent")), Value: bcUrgent}})
			}
			return q
		},
		Answer: func(ctx context.Context, r *Request, d *broadcastDraft, in Input) (Result, error) {
			if !in.IsChoice {
				return Refuse("step_use_buttons"), nil
			}
			if lang, ok := strings.CutPrefix(in.Choice, bcPreview); ok {
				if !slices.Contains(locales.Codes, lang) {
					return Refuse("step_use_buttons"), nil
				}
				if err := a.sendPreview(ctx, r, d, lang); err != nil {
					return Result{}, err
				}
				return Result{Stay: true}, nil
			}
			switch in.Choice {
			case bcUrgent:
				if r.Role < RoleAdmin {
					return Refuse("bc_urgent_admins"), nil
				}
				d.Urgent = !d.Urgent
				return Result{Stay: true}, nil
			case bcNow:
				d.Later, d.SendAt = false, time.Time{}
				if total(d.Counts) == 0 {
					return Refuse("bc_nobody"), nil
				}
				return Accept, nil
			case bcLater:
				if total(d.Counts) == 0 {
					return Refuse("bc_nobody"), nil
				}
				d.Later = true
				return Accept, nil
			}
			return Refuse("step_use_buttons"), nil
		},
	}
}

func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// bcWhenStep asks when to send a scheduled broadcast, in the author's zone.
func (a *App) bcWhenStep() Step[broadcastDraft] {
	return Step[broadcastDraft]{
		Skip: func(d *broadcastDraft) bool { return !d.Later },
		Ask: func(r *Request, d *broadcastDraft) Question {
			loc := zones.Load(d.Zone)
			return Question{Text: r.Loc.T("bc_ask_when", "Zone", zoneName(r.Loc, d.Zone), "Example", a.example(r, loc))}
		},
		Answer: func(_ context.Context, r *Request, d *broadcastDraft, in Input) (Result, error) {
			loc := zones.Load(d.Zone)
			example := a.example(r, loc)
			if in.IsChoice {
				return Refuse("ev_bad_when", "Example", example), nil
			}
			t, err := whenparse.Parse(in.Text, a.now(), loc)
			switch {
			case errors.Is(err, whenparse.ErrNoTime):
				return Refuse("ev_bad_when_notime", "Example", example), nil
			case err != nil:
				return Refuse("ev_bad_when", "Example", example), nil
			case !t.After(a.now()):
				return Refuse("ev_bad_when_past", "Example", example), nil
			}
			d.SendAt = t
			return Accept, nil
		},
	}
}

// previewOf is the draft as a broadcast, for previews.
func previewOf(d *broadcastDraft, authorID int64) storage.Broadcast {
	return storage.Broadcast{BroadcastFields: storage.BroadcastFields{AuthorID: authorID, AuthorLang: d.Lang,
		Audience: d.Audience, Versions: d.Versions, Links: d.Links, MediaKind: d.Media, MediaFileID: d.MediaID,
		Deadline: d.Deadline, DeadlineZone: d.Zone}}
}
