package bot_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/go-telegram/bot/models"

	"partnerbot/internal/bottest"
	"partnerbot/internal/faketelegram"
	"partnerbot/locales"
)

func commandNames(cmds []models.BotCommand) []string {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.Command
	}
	return names
}

// TestCommandMenus: the menu is published per language at start, admins
// and coordinators get their extended menu in their own chat, and a
// failing setMyCommands does not stop the bot.
func TestCommandMenus(t *testing.T) {
	t.Parallel()
	env := bottest.New(t, bottest.Options{Admins: []int64{16000}})
	menus := env.TG.Commands()
	for _, code := range locales.Codes {
		lang := code
		if code == locales.Fallback {
			lang = ""
		}
		cmds := menus[faketelegram.CommandScope{Type: "default", LanguageCode: lang}]
		if len(cmds) == 0 {
			t.Fatalf("no menu for language %q; menus: %v", lang, menus)
		}
		if cmds[0].Description != env.Loc(code).Plain("cmd_start") {
			t.Errorf("%s menu: /start described as %q", code, cmds[0].Description)
		}
		if slices.Contains(commandNames(cmds), "coordinators") {
			t.Errorf("%s: the volunteer menu offers /coordinators", code)
		}
	}

	admin := env.User(16000, "uk", "Admin")
	target := env.User(16001, "sv", "Sven")
	admin.Say("/start")
	target.Say("/start")
	env.Restart() // the admin has a chat now: the start-up sets their menu
	adminMenu := env.TG.Commands()[faketelegram.CommandScope{Type: "chat", ChatID: admin.ID()}]
	if !slices.Contains(commandNames(adminMenu), "coordinators") || adminMenu[0].Description != env.Loc("uk").Plain("cmd_start") {
		t.Fatalf("admin menu = %v", adminMenu)
	}

	admin.Say("/coordinators").Press(env.Loc("uk").Plain("coordinators_add_button")).Say("@" + target.TG.Username).
		Press(env.Loc("uk").Plain("coordinators_confirm_yes"))
	if m := env.TG.Commands()[faketelegram.CommandScope{Type: "chat", ChatID: target.ID()}]; len(m) == 0 || m[0].Description != env.Loc("sv").Plain("cmd_start") {
		t.Fatalf("coordinator menu after grant = %v", m)
	}
	admin.Say("/coordinators").Press(env.Loc("uk").Plain("coordinators_revoke_button", "Name", "Sven"))
	if m, ok := env.TG.Commands()[faketelegram.CommandScope{Type: "chat", ChatID: target.ID()}]; ok && len(m) > 0 {
		t.Fatalf("revoked coordinator keeps the menu %v", m)
	}

	env.StopAll()
	for range locales.Codes {
		env.TG.FailNext("setMyCommands", faketelegram.Fault{Code: http.StatusInternalServerError})
	}
	env.Start()
	admin.Say("/help").Expect(env.Loc("uk").T("help_title"))
}
