package playground

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"partnerbot/bot"
	"partnerbot/delivery"
	"partnerbot/examples"
	"partnerbot/internal/faketelegram"
	"partnerbot/internal/importer"
	"partnerbot/internal/instance"
	"partnerbot/locales"
	"partnerbot/storage"
)

// DefaultAddr is where the page is served unless Config.Addr says otherwise.
const DefaultAddr = "127.0.0.1:8080"

// DefaultDatabase is the playground's own database on the server.
const DefaultDatabase = "partnerbot_playground"

// Config configures a Playground.
type Config struct {
	// DatabaseURL reaches the PostgreSQL server, with any database the user
	// may connect to; the playground works in Database on that server.
	DatabaseURL string
	// Database is the playground's own database (DefaultDatabase if
	// empty), dropped and made anew at every start and Start over.
	Database string
	// Log receives the playground's and the bot's logs; nil means
	// slog.Default().
	Log *slog.Logger
}

// Playground runs the bot against a fake Bot API and serves the page.
// Create it with New, serve Handler, and Close it.
type Playground struct {
	cfg      Config
	log      *slog.Logger
	catalog  *locales.Catalog
	personas []Persona
	byKey    map[string]Persona

	resetMu sync.Mutex // one Start over at a time
	mu      sync.RWMutex
	cur     *session
	gen     int // sessions started, to tell pages a Start over happened
}

// session is one life of the playground between starts over: a fake Bot
// API server, a clock, a database pool and the bot running on them.
type session struct {
	gen    int
	tg     *faketelegram.Server
	clock  *Clock
	pool   *pgxpool.Pool
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// New prepares the database (made anew, migrated, example towns and
// partnerships loaded, coordinators granted) and starts the bot. Every
// start begins afresh: the fake Bot API keeps its chats in memory, and a
// database left from an earlier run would remember updates and messages
// (by their ids) that the new chats do not have.
func New(ctx context.Context, cfg Config) (*Playground, error) {
	cfg.Database = cmp.Or(cfg.Database, DefaultDatabase)
	if cfg.DatabaseURL == "" {
		return nil, errors.New("playground: no DatabaseURL")
	}
	catalog, err := locales.Load()
	if err != nil {
		return nil, err
	}
	p := &Playground{cfg: cfg, log: cmp.Or(cfg.Log, slog.Default()), catalog: catalog, personas: Personas(),
		byKey: map[string]Persona{}}
	for _, ps := range p.personas {
		p.byKey[ps.Key] = ps
	}
	s, err := p.start(ctx, true)
	if err != nil {
		return nil, err
	}
	p.cur = s
	return p, nil
}

// Personas lists the chats of the page.
func (p *Playground) Personas() []Persona { return append([]Persona(nil), p.personas...) }

// session returns the current session.
func (p *Playground) session() *session {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.cur
}

// Telegram is the fake Bot API server of the current session, for tests.
func (p *Playground) Telegram() *faketelegram.Server { return p.session().tg }

// Clock is the clock of the current session.
func (p *Playground) Clock() *Clock { return p.session().clock }

// Pool is the database pool of the current session, for tests.
func (p *Playground) Pool() *pgxpool.Pool { return p.session().pool }

// Reset is "Start over": the bot stops, the database is dropped and made
// anew with the examples, the chats are emptied and the clock is set back
// to the real time; then the bot starts again.
func (p *Playground) Reset(ctx context.Context) error {
	p.resetMu.Lock()
	defer p.resetMu.Unlock()
	p.log.Info("playground: starting over")
	p.session().stop(p.log)
	s, err := p.start(ctx, true)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.cur = s
	p.mu.Unlock()
	return nil
}

// Close stops the bot and the fake Bot API server.
func (p *Playground) Close() {
	p.resetMu.Lock()
	defer p.resetMu.Unlock()
	if s := p.session(); s != nil {
		s.stop(p.log)
	}
}

// stop stops the bot and closes the session; again, it does nothing.
func (s *session) stop(log *slog.Logger) {
	s.once.Do(func() {
		s.cancel()
		if err := <-s.done; err != nil {
			log.Error("playground: the bot stopped with an error", "err", err)
		}
		s.pool.Close()
		s.tg.Close()
	})
}

// start opens the database (with fresh, made anew) and starts the bot on
// a new fake Bot API server.
func (p *Playground) start(ctx context.Context, fresh bool) (*session, error) {
	pool, err := openDatabase(ctx, p.cfg.DatabaseURL, p.cfg.Database, fresh)
	if err != nil {
		return nil, err
	}
	s, err := p.startOn(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func (p *Playground) startOn(ctx context.Context, pool *pgxpool.Pool) (*session, error) {
	if err := storage.MigratePool(ctx, pool); err != nil {
		return nil, err
	}
	store := storage.New(pool)
	if err := loadExamples(ctx, store, p.log); err != nil {
		return nil, err
	}
	clock := &Clock{}
	if err := p.grantCoordinators(ctx, store, clock); err != nil {
		return nil, err
	}

	tg := faketelegram.New()
	// Like Telegram: an "&" that starts no entity is text, not an error.
	tg.SetStrictHTML(false)
	for _, ps := range p.personas {
		tg.AddChat(ps.Chat)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tg.Close()
		return nil, err
	}
	inst, err := instance.New(store, instance.Config{
		Token: tg.Token(), APIURL: tg.URL(), Listener: ln, Owner: "playground",
		PollTimeout: 10 * time.Second, Now: clock.Now, Catalog: p.catalog, Log: p.log,
		// One person clicks through several personas as fast as they can
		// read; the per-user limit guards a public bot against floods.
		RateLimit: -1,
	})
	if err != nil {
		ln.Close()
		tg.Close()
		return nil, err
	}
	p.mu.Lock()
	p.gen++
	gen := p.gen
	p.mu.Unlock()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &session{gen: gen, tg: tg, clock: clock, pool: pool, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- inst.Run(runCtx) }()
	if err := waitReady(ctx, "http://"+ln.Addr().String()+"/readyz", s.done); err != nil {
		cancel()
		<-s.done
		tg.Close()
		return nil, err
	}
	return s, nil
}

// waitReady waits until the bot answers /readyz (it polls the fake Bot
// API then).
func waitReady(ctx context.Context, url string, done <-chan error) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			return fmt.Errorf("playground: the bot stopped at start: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("playground: the bot did not become ready within 30s")
}

// loadExamples imports the example towns and partnerships, as
// `partnerbot import` does; importing again updates, so every start may.
func loadExamples(ctx context.Context, store *storage.Store, log *slog.Logger) error {
	towns, err := examples.FS.Open("towns.example.csv")
	if err != nil {
		return err
	}
	defer towns.Close()
	rep, err := importer.Towns(ctx, store, towns)
	if err != nil {
		return fmt.Errorf("playground: example towns: %w", err)
	}
	log.Debug("playground: example towns", "created", rep.Created, "updated", rep.Updated)
	links, err := examples.FS.Open("partnerships.example.csv")
	if err != nil {
		return err
	}
	defer links.Close()
	if rep, err = importer.Partnerships(ctx, store, links); err != nil {
		return fmt.Errorf("playground: example partnerships: %w", err)
	}
	log.Debug("playground: example partnerships", "created", rep.Created, "updated", rep.Updated)
	return nil
}

// grantCoordinators makes the coordinator personas coordinators, as
// `partnerbot grant` does: the change is audited and the person is told
// through the delivery queue once the bot runs.
func (p *Playground) grantCoordinators(ctx context.Context, store *storage.Store, clock *Clock) error {
	queue, err := delivery.New(store.Pool(), nil, delivery.Config{Clock: clock})
	if err != nil {
		return err
	}
	for _, ps := range p.personas {
		if !ps.Coordinator {
			continue
		}
		u := ps.User
		if _, err := store.TouchUser(ctx, storage.TelegramProfile{ID: u.ID, Username: u.Username, FirstName: u.FirstName,
			LastName: u.LastName, LanguageCode: u.LanguageCode}); err != nil {
			return err
		}
		if _, err := bot.ChangeRole(ctx, store, queue, 0, u.ID, storage.RoleCoordinator); err != nil {
			return fmt.Errorf("playground: grant %s: %w", ps.Label, err)
		}
	}
	return nil
}
