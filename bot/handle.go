package bot

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"partnerbot/storage"
)

// HandlerFunc answers one request.
type HandlerFunc func(ctx context.Context, r *Request) error

// Handle runs one update through the middleware chain: log, recover, load
// the user, pick the language, authorize, route. Errors are logged and the
// user gets a polite localized answer; nothing propagates.
func (a *App) Handle(ctx context.Context, u *models.Update) {
	start := time.Now()
	log := a.log.With("update_id", u.ID, "type", updateType(u))
	var r *Request
	defer func() {
		if p := recover(); p != nil {
			log.Error("handler panicked", "panic", p, "stack", string(debug.Stack()))
			a.apologize(ctx, r)
		}
		log.Info("update handled", "latency", time.Since(start))
	}()

	// Groups and channels (group_updates.go): the bot's membership, join
	// requests, group upgrades. Not from a person; handled there.
	if a.onChatUpdate(ctx, u, log) {
		return
	}
	r, err := a.newRequest(ctx, u, log)
	if err != nil {
		log.Error("load user", "err", err)
		return
	}
	if r == nil {
		return // nothing a user said: channel posts, membership changes
	}
	a.useGroupLanguage(ctx, r) // group_updates.go: in a group, its language
	if err := a.route(ctx, r); err != nil {
		log.Error("handler failed", "err", err, "user_id", r.User.ID, "command", r.Command)
		if !errors.Is(err, tgbot.ErrorForbidden) { // blocked: an apology would be refused too
			a.apologize(ctx, r)
		}
	}
}

func (a *App) newRequest(ctx context.Context, u *models.Update, log *slog.Logger) (*Request, error) {
	from, chat, ok := sender(u)
	if !ok || from.IsBot {
		return nil, nil
	}
	if chat.Type != models.ChatTypePrivate && u.Message != nil && !a.forBot(u.Message.Text) {
		// Group chatter the bot does not answer (route would drop it): the
		// person never addressed the bot, so nothing about them is stored.
		return nil, nil
	}
	private := chat.Type == models.ChatTypePrivate
	user, err := a.store.TouchUser(ctx, storage.TelegramProfile{
		ID: from.ID, Username: from.Username, FirstName: from.FirstName,
		LastName: from.LastName, LanguageCode: from.LanguageCode, InPrivate: private,
	})
	if err != nil {
		return nil, err
	}
	r := &Request{Update: u, User: user, ChatID: chat.ID, ChatType: chat.Type, Private: private,
		Callback: u.CallbackQuery, Log: log.With("user_id", user.ID)}
	r.Role = a.roleOf(user)
	lang, known := a.languageOf(user)
	r.Loc, r.LangKnown = a.cat.For(lang), known
	if u.Message != nil {
		r.Text = strings.TrimSpace(u.Message.Text)
	}
	return r, nil
}

// forBot reports whether a message in a group is for the bot: one of its
// commands, not addressed to another bot. Only then does route act on
// it, and only then is its sender stored.
func (a *App) forBot(text string) bool {
	cmd, addressee, _, ok := parseCommand(strings.TrimSpace(text))
	if !ok || (addressee != "" && !strings.EqualFold(addressee, a.botName)) {
		return false
	}
	_, known := a.commands[cmd]
	return known
}

// SlowDown answers the first update of a user that came over the intake's
// rate limit: one line in their language asking them to wait (an alert
// for a button), after which their updates are dropped until they slow
// down. Nothing is posted in a group (only the presser of a button sees
// its alert), and nothing about the user is stored.
func (a *App) SlowDown(ctx context.Context, u *models.Update) {
	from, chat, ok := sender(u)
	if !ok || from.IsBot {
		return
	}
	log := a.log.With("update_id", u.ID, "user_id", from.ID)
	lang, _ := a.cat.Match(from.LanguageCode)
	if user, err := a.store.User(ctx, from.ID); err == nil {
		lang, _ = a.languageOf(user)
	} else if !errors.Is(err, storage.ErrNotFound) {
		log.Warn("load user to ask them to slow down", "err", err)
	}
	loc := a.cat.For(lang)
	r := &Request{Update: u, Loc: loc, ChatID: chat.ID, ChatType: chat.Type, Private: chat.Type == models.ChatTypePrivate,
		Callback: u.CallbackQuery, Log: log}
	var err error
	switch {
	case r.Callback != nil:
		err = a.answerCallback(ctx, r, loc.Plain("slow_down_alert"), true)
	case r.Private:
		err = a.reply(ctx, r, loc.T("slow_down"), nil)
	}
	if err != nil {
		log.Warn("ask to slow down", "err", err)
	}
}

// languageOf is the language to address u in: their own choice, else the
// best match for Telegram's language_code. known is false when neither
// gave a language the bot speaks.
func (a *App) languageOf(u storage.User) (lang string, known bool) {
	if a.cat.Supported(u.Language) {
		return u.Language, true
	}
	return a.cat.Match(u.LanguageCode)
}

func (a *App) roleOf(u storage.User) Role {
	switch {
	case a.isAdmin(u.ID):
		return RoleAdmin
	case u.Role == storage.RoleCoordinator:
		return RoleCoordinator
	}
	return RoleVolunteer
}

func (a *App) route(ctx context.Context, r *Request) error {
	if r.Callback != nil {
		return a.routeCallback(ctx, r)
	}
	if r.Update.Message == nil {
		return nil
	}
	if cmd, addressee, args, ok := parseCommand(r.Text); ok {
		if addressee != "" && !strings.EqualFold(addressee, a.botName) {
			return nil // meant for another bot in the group
		}
		r.Command, r.Args = cmd, args
		c, known := a.commands[cmd]
		if !known {
			if !r.Private {
				return nil
			}
			return a.reply(ctx, r, r.Loc.T("unknown_command", "Command", "/"+cmd), nil)
		}
		if !c.chats.Has(r.chatKind()) {
			if r.Private {
				return a.reply(ctx, r, r.Loc.T("group_only", "Command", "/"+cmd), nil)
			}
			return a.pointToPrivateChat(ctx, r)
		}
		if !a.authorize(ctx, r, c.role) {
			return nil
		}
		return c.handler(ctx, r)
	}
	if !r.Private {
		return nil // in groups the bot speaks only when spoken to
	}
	return a.continueFlow(ctx, r)
}

// routeCallback dispatches on the prefix before the first ':' of the
// callback data. Data is untrusted (clients can forge it), so handlers
// validate everything after the prefix themselves.
func (a *App) routeCallback(ctx context.Context, r *Request) error {
	c, ok := a.callbacks[callbackPrefix(r.Callback.Data)]
	if !ok {
		return a.answerCallback(ctx, r, r.Loc.Plain("callback_invalid"), true)
	}
	if !c.chats.Has(r.chatKind()) {
		return a.answerCallback(ctx, r, r.Loc.Plain("private_only_callback"), true)
	}
	if !a.authorize(ctx, r, c.role) {
		return nil
	}
	return c.handler(ctx, r)
}

// pointToPrivateChat answers a command that runs only in private chats,
// sent in a group: one line, and a button that opens the private chat.
// Nothing of the person is shown in the group.
func (a *App) pointToPrivateChat(ctx context.Context, r *Request) error {
	var kb *models.InlineKeyboardMarkup
	if a.botName != "" {
		kb = keyboard([]models.InlineKeyboardButton{{Text: r.Loc.Plain("private_only_button"), URL: "https://t.me/" + a.botName}})
	}
	return a.reply(ctx, r, r.Loc.T("private_only", "Command", "/"+r.Command), kb)
}

// authorize is the one check in front of every privileged command and
// callback. A refusal changes nothing and tells the user why.
func (a *App) authorize(ctx context.Context, r *Request, need Role) bool {
	if r.Role >= need {
		return true
	}
	r.Log.Warn("refused privileged action", "need", need, "have", r.Role, "command", r.Command, "callback", callbackData(r))
	msg := "not_allowed_admin"
	if need == RoleCoordinator {
		msg = "not_allowed_coordinator"
	}
	var err error
	if r.Callback != nil {
		err = a.answerCallback(ctx, r, r.Loc.Plain(msg), true)
	} else {
		err = a.reply(ctx, r, r.Loc.T(msg), nil)
	}
	if err != nil {
		r.Log.Error("tell refusal", "err", err)
	}
	return false
}

func callbackData(r *Request) string {
	if r.Callback == nil {
		return ""
	}
	return r.Callback.Data
}

// apologize tells the user something went wrong, as far as it still can.
func (a *App) apologize(ctx context.Context, r *Request) {
	if r == nil || r.Loc == nil {
		return
	}
	if r.Callback != nil {
		_ = a.answerCallback(ctx, r, r.Loc.Plain("error_generic"), true)
		return
	}
	if err := a.reply(ctx, r, r.Loc.T("error_generic"), nil); err != nil {
		r.Log.Error("apologize", "err", err)
	}
}

func updateType(u *models.Update) string {
	switch {
	case u.Message != nil:
		return "message"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.MyChatMember != nil:
		return "my_chat_member"
	case u.EditedMessage != nil:
		return "edited_message"
	}
	return "other"
}
