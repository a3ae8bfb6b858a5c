package bot

import (
	"context"
	"strings"

	"github.com/go-telegram/bot/models"

	"partnerbot/locales"
)

// onStart greets the user in their language, or asks for one first. A
// deep link to a project (start=p<code>) opens its card instead.
func (a *App) onStart(ctx context.Context, r *Request) error {
	code, isLink := projectLinkCode(r.Args)
	switch {
	case !r.LangKnown && isLink:
		// The picker carries the link, so the card opens in the chosen language.
		return a.showLanguagePicker(ctx, r, projectLinkPrefix+code)
	case isLink:
		return a.onProjectLink(ctx, r, code)
	case !r.LangKnown:
		return a.showLanguagePicker(ctx, r, pickFromStart)
	}
	return a.greet(ctx, r)
}

func (a *App) greet(ctx context.Context, r *Request) error {
	if err := a.reply(ctx, r, r.Loc.T("start_greeting", "Name", r.User.DisplayName()), nil); err != nil {
		return err
	}
	return a.offerProfile(ctx, r)
}

func (a *App) onLanguage(ctx context.Context, r *Request) error {
	return a.showLanguagePicker(ctx, r, "")
}

// pickFromStart marks a picker shown by /start: after the choice the user
// also gets the greeting they came for. A picker shown for a deep link
// carries the link's payload instead.
const pickFromStart = "s"

// showLanguagePicker asks in every language at once, since we may not know
// which one the user reads.
func (a *App) showLanguagePicker(ctx context.Context, r *Request, origin string) error {
	prompts := make([]string, 0, len(locales.Codes))
	row := make([]models.InlineKeyboardButton, 0, len(locales.Codes))
	for _, code := range locales.Codes {
		l := a.cat.For(code)
		prompts = append(prompts, l.T("language_prompt"))
		row = append(row, button(l.Plain("language_self_name"), languageButton(code, origin)))
	}
	return a.reply(ctx, r, strings.Join(prompts, "\n"), keyboard(row[:3], row[3:]))
}

// onLanguageChosen stores the language from a picker button.
func (a *App) onLanguageChosen(ctx context.Context, r *Request) error {
	code, origin, ok := parseLanguageButton(r.Callback.Data)
	if !ok || !a.cat.Supported(code) {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	if err := a.store.SetLanguage(ctx, r.User.ID, code); err != nil {
		return err
	}
	r.User.Language, r.Loc, r.LangKnown = code, a.cat.For(code), true
	a.ackCallback(ctx, r)
	if err := a.edit(ctx, r, r.Loc.T("language_changed"), nil); err != nil {
		return err
	}
	if r.Role > RoleVolunteer {
		a.syncCommands(ctx, r.User.ID, r.Role, code)
	}
	if origin == pickFromStart {
		return a.greet(ctx, r)
	}
	// A picker shown for a deep link goes on to the project; the code is
	// checked again, since callback data can be forged.
	if code, ok := projectLinkCode(origin); ok {
		return a.onProjectLink(ctx, r, code)
	}
	return nil
}
