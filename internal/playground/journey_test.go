package playground

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"partnerbot/internal/timefmt"
	"partnerbot/internal/zones"
)

// journey plays the whole story through the page's HTTP API: Olena
// registers a project in Ukrainian, Katrin finds it in German and asks for
// contact, Olena accepts, Katrin (a coordinator) creates an event, Olena
// asks for a reminder a day before, the clock moves a day and the reminder
// arrives. It returns the event's title and Olena's project's deep link
// payload for further checks.
func journey(t testing.TB, h *harness) (eventTitle, startPayload string) {
	olena, katrin := h.as("olena"), h.as("katrin")
	uk, de := olena.L, katrin.L
	prefix := func(p string) func(string) bool { return func(l string) bool { return strings.HasPrefix(l, p) } }

	// Olena registers a project with the wizard.
	const title = "Чиста вода для Ічні"
	olena.say("/start").expect(uk.T("start_greeting", "Name", "Olena Kovalenko"))
	olena.say("/newproject").expect(uk.T("project_ask_title"))
	olena.say(title).expect(uk.T("project_ask_description"))
	olena.say("Відновлюємо водогін і шукаємо партнерів.").expect(uk.T("project_ask_town"))
	olena.say("Ічня").expect(uk.T("step_town_pick"))
	olena.press(prefix("Ichnia"), "Ichnia")
	olena.expect(uk.T("project_ask_partner"))
	olena.say("Grevesmuehlen").press(prefix("Grevesmühlen"), "Grevesmühlen")
	olena.expect(uk.T("project_ask_sector"))
	olena.pressLabel(uk.Plain("sector_administration")).expect(uk.T("project_ask_topics"))
	olena.pressLabel(uk.Plain("topic_water")).pressLabel(uk.Plain("step_done")).expect(uk.T("project_ask_languages"))
	olena.pressLabel(uk.Plain("lang_uk")).pressLabel(uk.Plain("lang_de")).pressLabel(uk.Plain("step_done"))
	olena.expect(uk.T("project_ask_contact"))
	card := olena.pressLabel(uk.Plain("project_contact_yes")).expect(uk.T("project_created", "Title", title))
	link := regexp.MustCompile(`\?start=(p[A-Za-z0-9_-]+)`).FindStringSubmatch(card.Text)
	if link == nil {
		t.Fatalf("the card has no deep link:\n%s", card.Text)
	}

	// Katrin finds it in German, by the Latin spelling of a Ukrainian word,
	// and asks for contact.
	katrin.say("/start")
	katrin.say("/find voda").expect(de.N("find_found", 1), title)
	katrin.pressLabel("1").expect("<b>" + title + "</b>")
	katrin.pressLabel(de.Plain("project_button_contact")).expect(de.T("contact_ask_intro"))
	const intro = "Hallo Olena, unsere Stadtwerke in Grevesmühlen helfen gern beim Wasser."
	katrin.say(intro).expect(de.T("contact_sent", "Title", title))

	// Olena gets the request through the delivery engine and accepts;
	// Katrin gets Olena's contact.
	olena.waitFor(uk.T("contact_received", "Title", title, "Intro", intro))
	olena.pressLabel(uk.Plain("contact_accept")).expect(`tg://user?id=7100002`)
	katrin.waitFor(`tg://user?id=7100001`, title)

	// Katrin, a coordinator, creates an event a day and a half ahead.
	const evTitle = "Wassertag in Grevesmühlen"
	berlin := zones.Load("Europe/Berlin")
	start := h.pg.Clock().Now().Add(36 * time.Hour).In(berlin).Truncate(time.Hour)
	katrin.say("/newevent").expect(de.T("ev_ask_title"))
	katrin.say(evTitle).expect(de.T("ev_ask_description"))
	katrin.say("Stadtwerke und Gäste aus Ichnia.")
	katrin.press(prefix("✓ "), "for the proposed zone")
	katrin.say(start.Format("02.01.2006 15:04")).expect(de.T("ev_ask_duration"))
	katrin.pressLabel(timefmt.Duration(de, 2*time.Hour)).expect(de.T("ev_ask_place"))
	katrin.say("Rathaus Grevesmühlen").expect(de.T("ev_ask_town"))
	katrin.say("Grevesmühlen").press(prefix("Grevesmühlen"), "Grevesmühlen")
	katrin.expect(de.T("ev_confirm_new"))
	katrin.pressLabel(de.Plain("ev_publish")).expect(de.N("ev_created", 0))

	// Olena asks to be reminded a day before.
	olena.say("/events")
	olena.press(func(l string) bool { return strings.HasSuffix(l, evTitle) }, "of the event")
	olena.expect(uk.T("event_card_title", "Title", evTitle))
	olena.pressLabel(uk.Plain("event_remind_button"))
	olena.pressLabel("☐ " + uk.Plain("event_offset_day"))
	if page := h.get("/messages?chat=olena"); !strings.Contains(page, ">✅ "+uk.Plain("event_offset_day")+"<") {
		t.Fatalf("the reminder choice does not show as chosen:\n%s", page)
	}

	// The clock moves a day: the reminder comes due and arrives.
	h.post("/clock", url.Values{"by": {"1d"}})
	olena.waitFor(uk.T("event_reminder_day", "Title", evTitle))
	return evTitle, link[1]
}

func TestJourney(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, payload := journey(t, h)

	// The card's t.me link to the bot opens inside the playground.
	page := h.get("/messages?chat=olena")
	if !strings.Contains(page, `data-send="/start `+payload+`"`) {
		t.Fatalf("the deep link /start %s is not a playground link:\n%s", payload, page)
	}
}
