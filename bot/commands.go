package bot

import (
	"context"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"partnerbot/locales"
	"partnerbot/storage"
)

func (a *App) menuFor(role Role, lang string) []models.BotCommand {
	l := a.cat.For(lang)
	cmds := make([]models.BotCommand, 0, len(menu[role]))
	for _, name := range menu[role] {
		cmds = append(cmds, models.BotCommand{Command: name, Description: l.Plain("cmd_" + name)})
	}
	return cmds
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
