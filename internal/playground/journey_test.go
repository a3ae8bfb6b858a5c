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

func prefix(p string) func(string) bool {
	return func(l string) bool { return strings.HasPrefix(l, p) }
}

// projectTitle is Olena's project.
const projectTitle = "Чиста вода для Ічні"

// registerProject: Olena registers a project with the wizard. It returns
// the payload of the project's deep link.
func registerProject(t testing.TB, h *harness) string {
	olena := h.as("olena")
	uk := olena.L
	olena.say("/newproject").expect(uk.T("project_ask_title"))
	olena.say(projectTitle).expect(uk.T("project_ask_description"))
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
	card := olena.pressLabel(uk.Plain("project_contact_yes")).expect(uk.T("project_created", "Title", projectTitle))
	link := regexp.MustCompile(`\?start=(p[A-Za-z0-9_-]+)`).FindStringSubmatch(card.Text)
	if link == nil {
		t.Fatalf("the card has no deep link:\n%s", card.Text)
	}
	return link[1]
}

// eventTitle is Katrin's event.
const eventTitle = "Wassertag in Grevesmühlen"

// createEvent: Katrin, a coordinator, creates an event a day and a half
// ahead with the wizard.
func createEvent(h *harness) {
	katrin := h.as("katrin")
	de := katrin.L
	berlin := zones.Load("Europe/Berlin")
	start := h.pg.Clock().Now().Add(36 * time.Hour).In(berlin).Truncate(time.Hour)
	katrin.say("/newevent").expect(de.T("ev_ask_title"))
	katrin.say(eventTitle).expect(de.T("ev_ask_description"))
	katrin.say("Stadtwerke und Gäste aus Ichnia.")
	katrin.press(prefix("✓ "), "for the proposed zone")
	katrin.say(start.Format("02.01.2006 15:04")).expect(de.T("ev_ask_duration"))
	katrin.pressLabel(timefmt.Duration(de, 2*time.Hour)).expect(de.T("ev_ask_place"))
	katrin.say("Rathaus Grevesmühlen").expect(de.T("ev_ask_town"))
	katrin.say("Grevesmühlen").press(prefix("Grevesmühlen"), "Grevesmühlen")
	katrin.expect(de.T("ev_confirm_new"))
	katrin.pressLabel(de.Plain("ev_publish")).expect(de.N("ev_created", 0))
}

// contactIntro is how Katrin introduces herself to Olena.
const contactIntro = "Hallo Olena, unsere Stadtwerke in Grevesmühlen helfen gern beim Wasser."

// TestJourney plays the whole story through the page's HTTP API: Olena
// registers a project in Ukrainian, Katrin finds it in German and asks for
// contact, Olena accepts, Katrin (a coordinator) creates an event, Olena
// asks for a reminder a day before, the clock moves a day and the reminder
// arrives.
func TestJourney(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	olena, katrin := h.as("olena"), h.as("katrin")
	uk, de := olena.L, katrin.L
	olena.say("/start").expect(uk.T("start_greeting", "Name", "Olena Kovalenko"))
	payload := registerProject(t, h)
	// The card's t.me link to the bot opens inside the playground.
	if page := h.get("/messages?chat=olena"); !strings.Contains(page, `data-send="/start `+payload+`"`) {
		t.Fatalf("the deep link /start %s is not a playground link:\n%s", payload, page)
	}

	// Katrin finds it in German, by the Latin spelling of a Ukrainian word,
	// and asks for contact.
	katrin.say("/start")
	katrin.say("/find voda").expect(de.N("find_found", 1), projectTitle)
	katrin.pressLabel("1").expect("<b>" + projectTitle + "</b>")
	katrin.pressLabel(de.Plain("project_button_contact")).expect(de.T("contact_ask_intro"))
	katrin.say(contactIntro).expect(de.T("contact_sent", "Title", projectTitle))

	// Olena gets the request through the delivery engine and accepts;
	// Katrin gets Olena's contact.
	olena.waitFor(uk.T("contact_received", "Title", projectTitle, "Intro", contactIntro))
	olena.pressLabel(uk.Plain("contact_accept")).expect(`tg://user?id=7100002`)
	katrin.waitFor(`tg://user?id=7100001`, projectTitle)

	createEvent(h)

	// Olena asks to be reminded a day before.
	olena.say("/events")
	olena.press(func(l string) bool { return strings.HasSuffix(l, eventTitle) }, "of the event")
	olena.expect(uk.T("event_card_title", "Title", eventTitle))
	olena.pressLabel(uk.Plain("event_remind_button"))
	olena.pressLabel("☐ " + uk.Plain("event_offset_day"))
	if page := h.get("/messages?chat=olena"); !strings.Contains(page, ">✅ "+uk.Plain("event_offset_day")+"<") {
		t.Fatalf("the reminder choice does not show as chosen:\n%s", page)
	}

	// The clock moves a day: the reminder comes due and arrives.
	moved := time.Now()
	h.post("/clock", url.Values{"by": {"1d"}})
	olena.waitFor(uk.T("event_reminder_day", "Title", eventTitle))
	t.Logf("the reminder arrived %v after the clock moved", time.Since(moved).Round(time.Millisecond))
}
