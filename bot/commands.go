package bot

import (
	"context"
	"strings"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"partnerbot/locales"
	"partnerbot/storage"
)

// The command menus and /help, both derived from the command table
// (surface.go).

// menuFor is the command menu of role in lang: the table's menu commands
// the role may use, in table order.
func (a *App) menuFor(role Role, lang string) []models.BotCommand {
	l := a.cat.For(lang)
	var cmds []models.BotCommand
	for _, c := range a.table {
		if c.menu && role >= c.role {
			cmds = append(cmds, models.BotCommand{Command: c.name, Description: l.Plain("cmd_" + c.name)})
		}
	}
	return cmds
}

// helpText lists, section by section, every command of the table that
// role may use, each with its help line.
func (a *App) helpText(l *locales.Localizer, role Role) string {
	var b strings.Builder
	b.WriteString(l.T("help_title"))
	for _, s := range helpSections {
		var lines []string
		for _, c := range a.table {
			if c.section == s && role >= c.role {
				lines = append(lines, l.T("help_line", "Command", "/"+c.name, "Description", l.Plain("help_cmd_"+c.name)))
			}
		}
		if len(lines) == 0 {
			continue
		}
		b.WriteString("\n\n" + l.T("help_section_"+string(s)) + "\n" + strings.Join(lines, "\n"))
	}
	return b.String()
}

// helpTexts renders /help for every language and role. The text depends
// on nothing else, and rendering its two dozen lines through go-i18n at
// every /help cost about a tenth of the process's CPU time per /help in
// the load run (docs/benchmarks.md).
func (a *App) helpTexts() map[string][RoleAdmin + 1]string {
	texts := make(map[string][RoleAdmin + 1]string, len(locales.Codes))
	for _, code := range locales.Codes {
		var byRole [RoleAdmin + 1]string
		for role := range byRole {
			byRole[role] = a.helpText(a.cat.For(code), Role(role))
		}
		texts[code] = byRole
	}
	return texts
}

func (a *App) onHelp(ctx context.Context, r *Request) error {
	return a.reply(ctx, r, a.helps[r.Loc.Lang()][r.Role], nil)
}

// SetupCommands publishes the command menu: the volunteer menu in every
// language, and the extended menus in the chats of admins and
// coordinators. Failures are logged; the bot works without a menu.
func (a *App) SetupCommands(ctx context.Context) {
	for _, code := range locales.Codes {
		p := &tgbot.SetMyCommandsParams{Commands: a.menuFor(RoleVolunteer, code), LanguageCode: code}
		if code == locales.Fallback {
			p.LanguageCode = "" // also the menu for every language we do not speak
		}
		if _, err := a.api.SetMyCommands(ctx, p); err != nil {
			a.log.Warn("set command menu", "lang", code, "err", err)
		}
	}
	for _, id := range a.admins {
		a.syncCommandsFor(ctx, id, RoleAdmin)
	}
	coordinators, err := a.store.UsersWithRole(ctx, storage.RoleCoordinator)
	if err != nil {
		a.log.Warn("list coordinators for command menu", "err", err)
		return
	}
	for _, u := range coordinators {
		lang, _ := a.languageOf(u)
		a.syncCommands(ctx, u.ID, RoleCoordinator, lang)
	}
}

func (a *App) syncCommandsFor(ctx context.Context, userID int64, role Role) {
	u, err := a.store.User(ctx, userID)
	if err != nil {
		return // has not talked to the bot yet: no private chat to set a menu in
	}
	lang, _ := a.languageOf(u)
	a.syncCommands(ctx, userID, role, lang)
}

// syncCommands sets the menu of one user's private chat to their role's.
func (a *App) syncCommands(ctx context.Context, userID int64, role Role, lang string) {
	scope := &models.BotCommandScopeChat{ChatID: userID}
	var err error
	if role == RoleVolunteer {
		_, err = a.api.DeleteMyCommands(ctx, &tgbot.DeleteMyCommandsParams{Scope: scope})
	} else {
		_, err = a.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: a.menuFor(role, lang), Scope: scope})
	}
	if err != nil {
		a.log.Warn("set chat command menu", "user_id", userID, "err", err)
	}
}
