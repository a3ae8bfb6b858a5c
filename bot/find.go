package bot

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"partnerbot/locales"
	"partnerbot/storage"
)

// findState is what a search looks for, as stored between button
// presses. Callback data carries only the search's id.
type findState struct {
	Query storage.ProjectQuery `json:"query"`
	// TownName names the town filter for display.
	TownName string `json:"town_name,omitempty"`
}

const (
	// findPageSize is how many results one page shows.
	findPageSize = 5
	// maxFindPage bounds a page number from callback data.
	maxFindPage = storage.MaxCounted / findPageSize
	// maxTownSpan is the most words a town name in /find's arguments may
	// have ("Bila Tserkva", "Frankfurt an der Oder").
	maxTownSpan = 4
	// maxFindWords bounds how many words of /find's arguments are tried as
	// town names.
	maxFindWords = 12
	// maxSuggestions is how many towns a search that found nothing offers.
	maxSuggestions = 3
	// snippetLen is how much of a description a result shows.
	snippetLen = 160
)

// onFind answers "/find <words>" with results at once, and plain /find
// with the filters.
func (a *App) onFind(ctx context.Context, r *Request) error {
	var st findState
	if r.Args != "" {
		var err error
		if st, err = a.parseFindArgs(ctx, r.Args); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	id, err := a.store.CreateProjectSearch(ctx, r.User.ID, raw)
	if err != nil {
		return err
	}
	var text string
	var kb *models.InlineKeyboardMarkup
	if r.Args == "" {
		text, kb = a.filtersView(r, id, st)
	} else if text, kb, err = a.resultsView(ctx, r, id, st, 0); err != nil {
		return err
	}
	return a.reply(ctx, r, text, kb)
}

// parseFindArgs splits /find's arguments into a town filter (the first
// words that name a town exactly, in any script or spelling) and free
// text (the rest).
func (a *App) parseFindArgs(ctx context.Context, args string) (findState, error) {
	var st findState
	words := strings.Fields(args)
	// Exact names only, not similar ones, so that "water" never turns into
	// a town filter for "Waterloo".
	towns, rest, err := splitTown(words, func(spans []string) ([][]storage.Town, error) {
		return a.store.TownsNamedEach(ctx, spans, 10)
	})
	if err != nil {
		return st, err
	}
	for _, t := range towns {
		st.Query.TownIDs = append(st.Query.TownIDs, t.ID)
	}
	if len(towns) > 0 {
		st.TownName = towns[0].Name
	}
	st.Query.Text = truncate(strings.Join(rest, " "), maxFindText)
	return st, nil
}

// splitTown looks for the first run of words (the longest at each
// position, up to maxTownSpan words) that names towns; it returns those
// towns and the other words in order. Only the first maxFindWords words
// are tried. lookup is asked once, for every run it might try, in the
// order tried, and returns the towns each names: one round trip instead of
// one per run.
func splitTown(words []string, lookup func(spans []string) ([][]storage.Town, error)) ([]storage.Town, []string, error) {
	type run struct{ at, n int }
	var runs []run
	var spans []string
	for i := 0; i < len(words) && i < maxFindWords; i++ {
		for n := min(maxTownSpan, len(words)-i); n >= 1; n-- {
			runs = append(runs, run{i, n})
			spans = append(spans, strings.Join(words[i:i+n], " "))
		}
	}
	if len(spans) == 0 {
		return nil, words, nil
	}
	found, err := lookup(spans)
	if err != nil {
		return nil, nil, err
	}
	for j, r := range runs {
		if len(found[j]) > 0 {
			return found[j], slices.Concat(words[:r.at], words[r.at+r.n:]), nil
		}
	}
	return nil, words, nil
}

// filterLines describes the filters of st, one line each; with all, also
// the ones not set ("any").
func filterLines(l *locales.Localizer, st findState, all bool) []string {
	q := st.Query
	items := []struct{ label, value string }{
		{"find_filter_text", q.Text},
		{"find_filter_town", st.TownName},
		{"find_filter_country", ""},
		{"find_filter_sector", ""},
		{"find_filter_topic", ""},
		{"find_filter_language", ""},
	}
	if q.Country != "" {
		items[2].value = l.Country(q.Country)
	}
	if q.Sector != "" {
		items[3].value = l.Plain("sector_" + q.Sector)
	}
	if q.Topic != "" {
		items[4].value = l.Plain("topic_" + q.Topic)
	}
	if q.Language != "" {
		items[5].value = l.Plain("lang_list_" + q.Language)
	}
	var lines []string
	for _, it := range items {
		switch {
		case it.value != "":
			lines = append(lines, l.T(it.label, "Value", it.value))
		case all:
			lines = append(lines, l.T(it.label, "Value", l.Plain("find_any")))
		}
	}
	return lines
}

// filtersView is the filter panel of search id.
func (a *App) filtersView(r *Request, id int64, st findState) (string, *models.InlineKeyboardMarkup) {
	l := r.Loc
	text := l.T("find_filters_title") + "\n\n" + strings.Join(filterLines(l, st, true), "\n")
	b := func(label, op string) models.InlineKeyboardButton {
		return button(l.Plain(label), findButtonData(id, op))
	}
	return text, keyboard(
		[]models.InlineKeyboardButton{b("find_button_text", findOpText), b("find_button_town", findOpTown)},
		[]models.InlineKeyboardButton{b("find_button_country", findOpCountry), b("find_button_sector", findOpSector)},
		[]models.InlineKeyboardButton{b("find_button_topic", findOpTopic), b("find_button_language", findOpLanguage)},
		[]models.InlineKeyboardButton{b("find_button_clear", findOpClear), b("find_button_show", findOpResults)},
	)
}

// resultsView is page (from 0) of the results of search id.
func (a *App) resultsView(ctx context.Context, r *Request, id int64, st findState, page int) (string, *models.InlineKeyboardMarkup, error) {
	l := r.Loc
	// The reader's language makes the search cross languages: their words
	// also find projects written in any other language about the same.
	q := st.Query
	q.ReaderLanguage = l.Lang()
	res, err := a.store.SearchProjects(ctx, q, page*findPageSize, findPageSize)
	if err != nil {
		return "", nil, err
	}
	if len(res.Projects) == 0 && page > 0 {
		// Projects went away since the page was offered: start over.
		return a.resultsView(ctx, r, id, st, 0)
	}
	filters := strings.Join(filterLines(l, st, false), "\n")
	filtersRow := []models.InlineKeyboardButton{button(l.Plain("find_button_filters"), findButtonData(id, findOpFilters))}
	if len(res.Projects) == 0 {
		text := l.T("find_nothing")
		if filters != "" {
			text += "\n\n" + filters
		}
		kb, err := a.townSuggestions(ctx, r, id, st)
		if err != nil {
			return "", nil, err
		}
		if len(kb.InlineKeyboard) > 0 {
			text += "\n\n" + l.T("find_did_you_mean")
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, filtersRow)
		return text, kb, nil
	}
	var head string
	if res.Total >= storage.MaxCounted {
		head = l.N("find_found_many", storage.MaxCounted)
	} else {
		head = l.N("find_found", res.Total)
	}
	if pages := (res.Total + findPageSize - 1) / findPageSize; pages > 1 {
		head += " " + l.T("find_page", "Page", page+1, "Pages", pages)
	}
	lines := []string{head}
	if filters != "" {
		lines = append(lines, filters)
	}
	var open []models.InlineKeyboardButton
	for i, p := range res.Projects {
		n := page*findPageSize + i + 1
		lines = append(lines, l.T("find_result", "N", n, "Title", p.Title,
			"Town", p.Town.Name+", "+l.Country(p.Town.Country), "Sector", l.Plain("sector_"+p.Sector),
			"Snippet", oneLine(p.Description, snippetLen)))
		open = append(open, button(strconv.Itoa(n), projectButtonData(projectView, p.Code)))
	}
	kb := keyboard(open)
	var nav []models.InlineKeyboardButton
	if page > 0 {
		nav = append(nav, button(l.Plain("find_button_prev"), findButtonData(id, findOpPage, strconv.Itoa(page-1))))
	}
	if (page+1)*findPageSize < res.Total {
		nav = append(nav, button(l.Plain("find_button_next"), findButtonData(id, findOpPage, strconv.Itoa(page+1))))
	}
	if len(nav) > 0 {
		kb.InlineKeyboard = append(kb.InlineKeyboard, nav)
	}
	kb.InlineKeyboard = append(kb.InlineKeyboard, filtersRow)
	return strings.Join(lines, "\n\n"), kb, nil
}

// townSuggestions offers, for a search that found nothing, the towns that
// its words resemble ("Grevesmülen"): a button filters by that town
// instead of searching for the word.
func (a *App) townSuggestions(ctx context.Context, r *Request, id int64, st findState) (*models.InlineKeyboardMarkup, error) {
	kb := keyboard()
	var seen []int64
	for i, w := range strings.Fields(st.Query.Text) {
		if i == maxFindWords || len(seen) == maxSuggestions {
			break
		}
		towns, err := a.store.SearchTowns(ctx, w, 1)
		if err != nil {
			return nil, err
		}
		if len(towns) == 0 || slices.Contains(seen, towns[0].ID) {
			continue
		}
		t := towns[0]
		seen = append(seen, t.ID)
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{button(
			r.Loc.Plain("find_button_suggested_town", "Town", townLabel(r.Loc, townOption{Name: t.Name, Region: t.Region, Country: t.Country})),
			findButtonData(id, findOpTown, strconv.FormatInt(t.ID, 10), strconv.Itoa(i)))})
	}
	return kb, nil
}

// loadSearch returns the user's search id; ErrNotFound when it is not
// theirs (forged data) or has been pruned.
func (a *App) loadSearch(ctx context.Context, r *Request, id int64) (findState, error) {
	var st findState
	raw, err := a.store.ProjectSearch(ctx, r.User.ID, id)
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(raw, &st)
}

func (a *App) saveSearch(ctx context.Context, r *Request, id int64, st findState) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return a.store.UpdateProjectSearch(ctx, r.User.ID, id, raw)
}

// findMenus are the filters chosen from a list: the options and how to
// name them and set them.
type findMenu struct {
	title   string
	options func(ctx context.Context) ([]string, error)
	label   func(l *locales.Localizer, v string) string
	set     func(q *storage.ProjectQuery, v string)
}

func (a *App) findMenus() map[string]findMenu {
	fixed := func(opts []string) func(context.Context) ([]string, error) {
		return func(context.Context) ([]string, error) { return opts, nil }
	}
	named := func(prefix string) func(*locales.Localizer, string) string {
		return func(l *locales.Localizer, v string) string { return l.Plain(prefix + v) }
	}
	return map[string]findMenu{
		findOpCountry: {"find_ask_country", a.store.ProjectCountries, (*locales.Localizer).Country,
			func(q *storage.ProjectQuery, v string) { q.Country = v }},
		findOpSector: {"find_ask_sector", fixed(storage.Sectors), named("sector_"),
			func(q *storage.ProjectQuery, v string) { q.Sector = v }},
		findOpTopic: {"find_ask_topic", fixed(storage.Topics), named("topic_"),
			func(q *storage.ProjectQuery, v string) { q.Topic = v }},
		findOpLanguage: {"find_ask_language", fixed(storage.ProfileLanguages), named("lang_"),
			func(q *storage.ProjectQuery, v string) { q.Language = v }},
	}
}

// findAny is the menu value that removes a filter.
const findAny = "-"

// onFindButton handles findButtonData: pages, the filter panel and its
// menus, and the text and town questions. The search must be the
// presser's own.
func (a *App) onFindButton(ctx context.Context, r *Request) error {
	id, op, args, ok := findButton(r.Callback.Data)
	if !ok {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	st, err := a.loadSearch(ctx, r, id)
	if errors.Is(err, storage.ErrNotFound) {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	if err != nil {
		return err
	}
	invalid := func() error { return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true) }
	switch {
	case op == findOpPage && len(args) == 1:
		page, err := strconv.Atoi(args[0])
		if err != nil || page < 0 || page > maxFindPage {
			return invalid()
		}
		return a.showResults(ctx, r, id, st, page)
	case op == findOpResults && len(args) == 0:
		return a.showResults(ctx, r, id, st, 0)
	case op == findOpFilters && len(args) == 0:
		a.ackCallback(ctx, r)
		text, kb := a.filtersView(r, id, st)
		return a.edit(ctx, r, text, kb)
	case op == findOpClear && len(args) == 0:
		return a.changeSearch(ctx, r, id, findState{})
	case op == findOpText && len(args) == 0:
		a.ackCallback(ctx, r)
		return a.findTextWizard().Start(ctx, a, r, findTextDraft{SearchID: id})
	case op == findOpTown && len(args) == 0:
		a.ackCallback(ctx, r)
		return a.findTownWizard().Start(ctx, a, r, findTownDraft{SearchID: id})
	case op == findOpTown && len(args) == 2:
		return a.onSuggestedTown(ctx, r, id, st, args[0], args[1])
	}
	menu, ok := a.findMenus()[op]
	if !ok || len(args) > 1 {
		return invalid()
	}
	options, err := menu.options(ctx)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		a.ackCallback(ctx, r)
		kb := keyboard()
		for i := 0; i < len(options); i += 2 {
			var row []models.InlineKeyboardButton
			for _, o := range options[i:min(i+2, len(options))] {
				row = append(row, button(menu.label(r.Loc, o), findButtonData(id, op, o)))
			}
			kb.InlineKeyboard = append(kb.InlineKeyboard, row)
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, []models.InlineKeyboardButton{
			button(r.Loc.Plain("find_button_any"), findButtonData(id, op, findAny)),
			button(r.Loc.Plain("button_back"), findButtonData(id, findOpFilters))})
		return a.edit(ctx, r, r.Loc.T(menu.title), kb)
	}
	v := args[0]
	if v != findAny && !slices.Contains(options, v) {
		return invalid()
	}
	if v == findAny {
		v = ""
	}
	menu.set(&st.Query, v)
	return a.changeSearch(ctx, r, id, st)
}

// changeSearch stores new filters and shows the panel with them.
func (a *App) changeSearch(ctx context.Context, r *Request, id int64, st findState) error {
	if err := a.saveSearch(ctx, r, id, st); err != nil {
		return err
	}
	a.ackCallback(ctx, r)
	text, kb := a.filtersView(r, id, st)
	return a.edit(ctx, r, text, kb)
}

func (a *App) showResults(ctx context.Context, r *Request, id int64, st findState, page int) error {
	a.ackCallback(ctx, r)
	text, kb, err := a.resultsView(ctx, r, id, st, page)
	if err != nil {
		return err
	}
	return a.edit(ctx, r, text, kb)
}

// onSuggestedTown filters by a suggested town instead of searching for
// the word at index word of the text.
func (a *App) onSuggestedTown(ctx context.Context, r *Request, id int64, st findState, town, word string) error {
	townID, err1 := strconv.ParseInt(town, 10, 64)
	i, err2 := strconv.Atoi(word)
	words := strings.Fields(st.Query.Text)
	if err1 != nil || err2 != nil || i < 0 || i >= len(words) {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	t, err := a.confirmedTown(ctx, townID)
	if errors.Is(err, storage.ErrNotFound) {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	if err != nil {
		return err
	}
	st.Query.TownIDs, st.TownName = []int64{t.ID}, t.Name
	st.Query.Text = strings.Join(slices.Delete(words, i, i+1), " ")
	if err := a.saveSearch(ctx, r, id, st); err != nil {
		return err
	}
	return a.showResults(ctx, r, id, st, 0)
}

// findTextDraft and findTownDraft are the states of the questions for a
// search's text and town.
type findTextDraft struct {
	SearchID int64  `json:"search_id"`
	Text     string `json:"text,omitempty"`
}

type findTownDraft struct {
	SearchID int64     `json:"search_id"`
	Town     townField `json:"town"`
}

// maxFindText bounds the free text of a search.
const maxFindText = 200

func (a *App) findTextWizard() *Wizard[findTextDraft] {
	return &Wizard[findTextDraft]{
		Name:  "find_text",
		Steps: []Step[findTextDraft]{TextStep("find_ask_text", maxFindText, func(d *findTextDraft) *string { return &d.Text })},
		Finish: func(ctx context.Context, r *Request, d *findTextDraft) error {
			return a.finishFindQuestion(ctx, r, d.SearchID, func(st *findState) { st.Query.Text = d.Text })
		},
	}
}

func (a *App) findTownWizard() *Wizard[findTownDraft] {
	return &Wizard[findTownDraft]{
		Name: "find_town",
		Steps: []Step[findTownDraft]{townStep(a, "find_ask_town", "find_any_town",
			func(d *findTownDraft) *townField { return &d.Town })},
		Finish: func(ctx context.Context, r *Request, d *findTownDraft) error {
			return a.finishFindQuestion(ctx, r, d.SearchID, func(st *findState) {
				st.Query.TownIDs, st.TownName = nil, d.Town.Name
				if d.Town.ID != 0 {
					st.Query.TownIDs = []int64{d.Town.ID}
				}
			})
		},
	}
}

// finishFindQuestion applies an answer to the user's search id and shows
// the results.
func (a *App) finishFindQuestion(ctx context.Context, r *Request, id int64, change func(*findState)) error {
	st, err := a.loadSearch(ctx, r, id)
	if errors.Is(err, storage.ErrNotFound) {
		return a.reply(ctx, r, r.Loc.T("find_search_gone"), nil)
	}
	if err != nil {
		return err
	}
	change(&st)
	if err := a.saveSearch(ctx, r, id, st); err != nil {
		return err
	}
	text, kb, err := a.resultsView(ctx, r, id, st, 0)
	if err != nil {
		return err
	}
	return a.reply(ctx, r, text, kb)
}
