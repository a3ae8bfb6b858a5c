package bot

import (
	"log/slog"
	"slices"
	"time"

	tgbot "github.com/go-telegram/bot"

	"partnerbot/delivery"
	"partnerbot/internal/translate"
	"partnerbot/locales"
	"partnerbot/storage"
)

// Deps is what the bot needs from the outside world.
type Deps struct {
	API     *tgbot.Bot
	Store   *storage.Store
	Catalog *locales.Catalog
	// Admins are the Telegram user ids from ADMIN_IDS.
	Admins []int64
	Log    *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Delivery sends what the bot says on its own initiative (reminders,
	// announcements); the App renders those messages (App.Renderer).
	Delivery *delivery.Engine
	// Translator translates what people write for readers of another
	// language; nil or one without a provider is off, and then the bot
	// offers no translations.
	Translator *translate.Translator
}

// App handles updates. It is safe for concurrent use.
type App struct {
	api     *tgbot.Bot
	store   *storage.Store
	cat     *locales.Catalog
	admins  []int64
	log     *slog.Logger
	now     func() time.Time
	botName string

	delivery *delivery.Engine
	tr       *translate.Translator

	// table, commands, callbacks and wizards are surface.go's tables,
	// indexed for the router.
	table     []command
	commands  map[string]command
	callbacks map[string]callback
	wizards   map[string]wizard
	// helps is /help's text by language and role (helpTexts).
	helps map[string][RoleAdmin + 1]string
}

// New builds the App and its routing table.
func New(d Deps) *App {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	a := &App{api: d.API, store: d.Store, cat: d.Catalog, admins: slices.Clone(d.Admins), log: d.Log, now: d.Now,
		wizards: map[string]wizard{}}
	a.delivery, a.tr = d.Delivery, d.Translator
	a.routes()
	a.helps = a.helpTexts()
	return a
}

// SetBotUsername tells the router the bot's own @username, so that
// "/help@partnerbot" in a group is understood and commands meant for other
// bots are ignored.
func (a *App) SetBotUsername(name string) { a.botName = name }

func (a *App) isAdmin(userID int64) bool { return slices.Contains(a.admins, userID) }
