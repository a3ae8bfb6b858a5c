package bot

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"partnerbot/internal/timefmt"
	"partnerbot/internal/zones"
	"partnerbot/locales"
)

// zoneOf is the time zone to show userID times in: their choice in
// /settings, else the default of lang, the language they are addressed in.
func (a *App) zoneOf(ctx context.Context, userID int64, lang string) (*time.Location, error) {
	name, err := a.store.TimeZone(ctx, userID)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = zones.Default(lang)
	}
	return zones.Load(name), nil
}

// viewerZone is zoneOf for the person behind a request.
func (a *App) viewerZone(ctx context.Context, r *Request) (*time.Location, error) {
	return a.zoneOf(ctx, r.User.ID, r.Loc.Lang())
}

// zoneName is how a zone is named to people: the city in their language
// for the zones the bot offers ("Київ"), the IANA name for any other.
func zoneName(l *locales.Localizer, zone string) string {
	if !slices.Contains(zones.Offered, zone) {
		return zone
	}
	_, city, _ := strings.Cut(zone, "/")
	return l.Plain("zone_" + strings.ToLower(city))
}

// onSettings shows the user's settings with buttons to change them.
func (a *App) onSettings(ctx context.Context, r *Request) error {
	text, kb, err := a.settingsView(ctx, r)
	if err != nil {
		return err
	}
	return a.reply(ctx, r, text, kb)
}

func (a *App) settingsView(ctx context.Context, r *Request) (string, *models.InlineKeyboardMarkup, error) {
	loc, err := a.viewerZone(ctx, r)
	if err != nil {
		return "", nil, err
	}
	text := r.Loc.T("settings_text", "Zone", zoneName(r.Loc, loc.String()), "ZoneID", loc.String(),
		"Now", timefmt.DateTime(r.Loc, a.now().In(loc)), "Language", r.Loc.Plain("lang_list_"+r.Loc.Lang()))
	kb := keyboard(
		[]models.InlineKeyboardButton{button(r.Loc.Plain("settings_zone_button"), settingsButton(settingsZone))},
		[]models.InlineKeyboardButton{button(r.Loc.Plain("settings_language_button"), settingsButton(settingsLanguage))},
	)
	more, rows, err := a.messageKindsView(ctx, r)
	if err != nil {
		return "", nil, err
	}
	kb.InlineKeyboard = append(kb.InlineKeyboard, rows...)
	return text + "\n\n" + more, kb, nil
}

// onSettingsButton handles settingsButton: the zone or the language.
func (a *App) onSettingsButton(ctx context.Context, r *Request) error {
	if kind, ok := parseSettingsKindButton(r.Callback.Data); ok {
		return a.toggleMessageKind(ctx, r, kind)
	}
	if m, ok := parseSettingsUnmuteButton(r.Callback.Data); ok {
		return a.unmute(ctx, r, m)
	}
	what, ok := parseSettingsButton(r.Callback.Data)
	switch {
	case ok && what == settingsZone:
		a.ackCallback(ctx, r)
		loc, err := a.viewerZone(ctx, r)
		if err != nil {
			return err
		}
		return a.zoneWizard().Start(ctx, a, r, zoneState{Zone: loc.String()})
	case ok && what == settingsLanguage:
		a.ackCallback(ctx, r)
		return a.showLanguagePicker(ctx, r, "")
	}
	return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
}

// zoneState is the state of the time zone dialogue: the zone, the
// current one until another is chosen.
type zoneState struct {
	Zone string `json:"zone"`
}

// zoneChoices are the offered zones as buttons, two a row, the current
// one marked.
func zoneChoices(l *locales.Localizer, current string) [][]Choice {
	var rows [][]Choice
	for i, z := range zones.Offered {
		label := zoneName(l, z)
		if z == current {
			label = "✓ " + label
		}
		if i%2 == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], Choice{Label: label, Value: z})
	}
	return rows
}

// parseZoneAnswer reads a zone from a button or typed text. ok is false
// with a refusal when it names no zone.
func parseZoneAnswer(in Input) (zone string, res Result, ok bool) {
	text := in.Text
	if in.IsChoice {
		text = in.Choice
	}
	loc, err := zones.Parse(text)
	if err != nil {
		return "", Refuse("zone_unknown", "Zone", text), false
	}
	return loc.String(), Accept, true
}

// zoneWizard asks for the user's time zone: one of the offered ones, or
// any IANA name typed.
func (a *App) zoneWizard() *Wizard[zoneState] {
	return &Wizard[zoneState]{
		Name: "settings_zone",
		Steps: []Step[zoneState]{{
			Ask: func(r *Request, s *zoneState) Question {
				return Question{Text: r.Loc.T("settings_zone_ask"), Choices: zoneChoices(r.Loc, s.Zone)}
			},
			Answer: func(_ context.Context, _ *Request, s *zoneState, in Input) (Result, error) {
				zone, res, ok := parseZoneAnswer(in)
				if ok {
					s.Zone = zone
				}
				return res, nil
			},
		}},
		Finish: func(ctx context.Context, r *Request, s *zoneState) error {
			if err := a.store.SetTimeZone(ctx, r.User.ID, s.Zone); err != nil {
				return err
			}
			if err := a.reply(ctx, r, r.Loc.T("settings_zone_saved", "Zone", zoneName(r.Loc, s.Zone)), nil); err != nil {
				return err
			}
			return a.onSettings(ctx, r)
		},
	}
}
