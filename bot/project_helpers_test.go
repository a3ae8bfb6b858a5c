package bot_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerbot/internal/bottest"
	"partnerbot/internal/faketelegram"
	"partnerbot/internal/importer"
	"partnerbot/locales"
	"partnerbot/storage"
)

// projectWorld is a running bot with the example towns (Ichnia,
// Grevesmühlen, Laxå from examples/towns.example.csv), and helpers to set
// up projects without going through the dialogue each time.
type projectWorld struct {
	*bottest.Env
	t     *testing.T
	towns map[string]storage.Town // by canonical name
}

func newProjectWorld(t *testing.T, opts ...bottest.Options) *projectWorld {
	t.Helper()
	w := &projectWorld{Env: bottest.New(t, opts...), t: t, towns: map[string]storage.Town{}}
	ctx := context.Background()
	f, err := os.Open("../examples/towns.example.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := importer.Towns(ctx, w.Store, f); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Ichnia", "Grevesmühlen", "Laxå"} {
		found, err := w.Store.SearchTowns(ctx, name, 1)
		if err != nil || len(found) == 0 {
			t.Fatalf("example town %s: %v", name, err)
		}
		w.towns[name] = found[0]
	}
	return w
}

// user is a Telegram user who has started the bot.
func (w *projectWorld) user(id int64, lang, name string) *bottest.User {
	u := w.User(id, lang, name)
	u.Say("/start")
	return u
}

// project registers a project of owner in town directly in the store;
// change adjusts the default fields.
func (w *projectWorld) project(owner *bottest.User, title, town string, change ...func(*storage.ProjectFields)) storage.Project {
	w.t.Helper()
	f := storage.ProjectFields{Title: title, Description: "About " + title, TownID: w.towns[town].ID,
		Sector: "civil_society", Topics: []string{"culture"}, Languages: []string{"de", "uk"}, ContactRequests: true}
	for _, c := range change {
		c(&f)
	}
	p, err := w.Store.CreateProject(context.Background(), owner.ID(), f)
	if err != nil {
		w.t.Fatalf("create %q: %v", title, err)
	}
	return p
}

// reload reads a project again, to check what an action did to it.
func (w *projectWorld) reload(p storage.Project) storage.Project {
	w.t.Helper()
	got, err := w.Store.ProjectByCode(context.Background(), p.Code)
	if err != nil {
		w.t.Fatalf("project %s: %v", p.Code, err)
	}
	return got
}

// townButton is how the town step labels a town for l.
func (w *projectWorld) townButton(l *locales.Localizer, name string) string {
	t := w.towns[name]
	return strings.Join(slices.DeleteFunc([]string{t.Name, t.Region, l.Country(t.Country)}, func(s string) bool { return s == "" }), ", ")
}

// expectAlert fails unless the bot answered u's last button press with
// this alert text.
func (w *projectWorld) expectAlert(u *bottest.User, text string) {
	w.t.Helper()
	answers := w.TG.CallbackAnswers()
	for i := len(answers) - 1; i >= 0; i-- {
		if answers[i].UserID != u.ID() {
			continue
		}
		if answers[i].Text != text || !answers[i].ShowAlert {
			w.t.Fatalf("%s's press %q was answered %q (alert %v), want alert %q", u.TG.FirstName, answers[i].Data,
				answers[i].Text, answers[i].ShowAlert, text)
		}
		return
	}
	w.t.Fatalf("%s's press was not answered", u.TG.FirstName)
}

// buttonLabels lists the labels of m's inline buttons.
func buttonLabels(m faketelegram.Message) []string {
	var labels []string
	for _, row := range m.Buttons() {
		for _, b := range row {
			labels = append(labels, b.Text)
		}
	}
	return labels
}

// expectButtons fails unless message m offers buttons with each label.
func (w *projectWorld) expectButtons(m faketelegram.Message, labels ...string) {
	w.t.Helper()
	have := buttonLabels(m)
	for _, l := range labels {
		if !slices.Contains(have, l) {
			w.t.Fatalf("no button %q in %q", l, have)
		}
	}
}

// clock is a settable time for the bot.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
