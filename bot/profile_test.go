package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"partnerbot/internal/bottest"
	"partnerbot/locales"
	"partnerbot/storage"
)

func profileOf(t *testing.T, w *projectWorld, u *bottest.User) storage.Profile {
	t.Helper()
	p, err := w.Store.Profile(context.Background(), u.ID())
	if err != nil {
		t.Fatalf("profile of %s: %v", u.TG.FirstName, err)
	}
	return p
}

// TestOnboardingChoosesTownByTransliteration: in German, right after
// /start, Jonas sets up his profile, finds Ічня by typing Itschnja, and
// then sees his own town's network.
func TestOnboardingChoosesTownByTransliteration(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	addExamplePartnerships(t, w)
	de := w.Loc("de")
	jonas := w.User(20001, "de", "Jonas")

	jonas.Say("/start").Expect(de.T("profile_offer"))
	jonas.Press(de.Plain("profile_offer_yes")).Expect(de.T("profile_ask_town"))
	jonas.Say("Itschnja").Expect(de.T("step_town_pick"))
	jonas.PressData("wz:0:999999").Expect(de.T("step_use_buttons"))
	jonas.Press(w.townButton(de, "Ichnia")).Expect(de.T("profile_ask_languages"))
	jonas.Press(de.Plain("step_done")).Expect(de.T("profile_languages_none"))
	jonas.Press(de.Plain("lang_uk")).Press(de.Plain("lang_de")).Press(de.Plain("step_done")).Expect(de.T("profile_ask_interests"))
	jonas.Press(de.Plain("topic_youth")).Press(de.Plain("step_done")).
		Expect(de.T("profile_saved"), "Ichnia, Ukraine", de.Plain("lang_list_de")+", "+de.Plain("lang_list_uk"), de.Plain("topic_youth"))

	p := profileOf(t, w, jonas)
	if p.TownID != w.towns["Ichnia"].ID || !slices.Equal(p.Languages, []string{"de", "uk"}) || !slices.Equal(p.Interests, []string{"youth"}) {
		t.Fatalf("stored profile %+v", p)
	}

	// Plain /network uses his own town, and speaks of "your partner".
	jonas.Say("/network").Expect(de.T("network_title", "Town", "Ichnia, Ukraine"),
		de.T("network_partner", "Town", "Grevesmühlen, Deutschland", "Kinds", de.Plain("kind_solidarity")),
		de.N("network_via_own", 1, "Town", "Laxå, Schweden", "Via", "Grevesmühlen"))

	// A second /start no longer offers the profile; /profile shows it with
	// its current answers, and editing keeps what is not changed.
	jonas.Say("/start").ExpectNot(de.T("profile_offer"))
	jonas.Say("/profile").Expect(de.T("profile_card", "Town", "Ichnia, Ukraine",
		"Languages", de.Plain("lang_list_de")+", "+de.Plain("lang_list_uk"), "Interests", de.Plain("topic_youth")))
	jonas.Press(de.Plain("profile_button_edit")).Expect(de.T("profile_ask_town"))
	jonas.Press(de.Plain("profile_town_keep", "Town", "Ichnia")).Expect(de.T("profile_ask_languages"))
	jonas.Press("✅ " + de.Plain("lang_uk")).Press(de.Plain("step_done")).Expect(de.T("profile_ask_interests"))
	jonas.Press(de.Plain("button_back")).Expect(de.T("profile_ask_languages"))
	jonas.Press(de.Plain("step_done")).Press(de.Plain("step_done")).Expect(de.T("profile_saved"))
	if p := profileOf(t, w, jonas); p.TownID != w.towns["Ichnia"].ID || !slices.Equal(p.Languages, []string{"de"}) {
		t.Fatalf("profile after editing %+v", p)
	}
}

// TestOnboardingCanBeDeclined: in Swedish, "Later" stores nothing, and
// /profile starts the dialogue when there is no profile yet.
func TestOnboardingCanBeDeclined(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	sv := w.Loc("sv")
	astrid := w.User(20051, "sv", "Astrid")
	astrid.Say("/start").Expect(sv.T("profile_offer"))
	astrid.Press(sv.Plain("profile_offer_later")).Expect(sv.T("profile_offer_declined"))
	if _, err := w.Store.Profile(context.Background(), astrid.ID()); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("declining stored a profile: %v", err)
	}
	astrid.Say("/profile").Expect(sv.T("profile_ask_town"))
	astrid.Say("Laxa").Press(w.townButton(sv, "Laxå")).Expect(sv.T("profile_ask_languages"))
	astrid.Press(sv.Plain("button_cancel")).Expect(sv.T("flow_cancelled"))
	if _, err := w.Store.Profile(context.Background(), astrid.ID()); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a cancelled dialogue stored a profile: %v", err)
	}
}

// TestProposedTownConfirmedByCoordinator: Olena (Ukrainian) does not find
// her town and proposes it; a volunteer's forged Confirm is refused; the
// coordinator (Swedish) confirms it, Olena is told, and everyone can find
// the town from then on.
func TestProposedTownConfirmedByCoordinator(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	uk, sv, de := w.Loc("uk"), w.Loc("sv"), w.Loc("de")
	astrid := w.user(20101, "sv", "Astrid")
	makeCoordinator(t, w.Env, astrid)
	greta := w.user(20102, "de", "Greta")
	olena := w.User(20103, "uk", "Олена")

	olena.Say("/profile").Expect(uk.T("profile_ask_town"))
	olena.Say("Нова Басань").Expect(uk.T("step_town_unknown", "Query", "Нова Басань"), uk.T("profile_ask_town"))
	olena.Press(uk.Plain("profile_town_not_listed")).Expect(uk.T("profile_new_town_name"))
	olena.Press(uk.Plain("profile_new_town_use", "Name", "Нова Басань")).Expect(uk.T("profile_new_town_country", "Town", "Нова Басань"))
	olena.Say("Україна").Expect(uk.T("profile_new_town_country_unknown"))
	olena.Press(uk.Country("UA")).Expect(uk.T("profile_new_town_region", "Town", "Нова Басань"))
	olena.Say(strings.Repeat("я", 101)).Expect(uk.T("profile_new_town_too_long", "Max", 100))
	olena.Say("Чернігівська область").Expect(uk.T("profile_ask_languages"))
	olena.Press(uk.Plain("lang_uk")).Press(uk.Plain("step_done")).Press(uk.Plain("topic_reconstruction")).Press(uk.Plain("step_done"))
	olena.Expect(uk.T("profile_saved_proposed", "Town", "Нова Басань"),
		uk.Plain("profile_town_pending", "Town", "Нова Басань, Україна"))

	proposed := profileOf(t, w, olena).TownID
	town, err := w.Store.Town(context.Background(), proposed)
	if err != nil || town.Status != storage.TownProposed || town.Country != "UA" || town.Region != "Чернігівська область" {
		t.Fatalf("proposed town %+v, %v", town, err)
	}
	// The coordinator was shown the proposal in Swedish, with its buttons.
	proposal := astrid.WaitFor(sv.T("town_proposal", "Town", "Нова Басань", "Region", "Чернігівська область",
		"Country", sv.Country("UA"), "Name", "Олена"))
	w.expectButtons(proposal, sv.Plain("town_confirm"), sv.Plain("town_reject"))
	// Until confirmed, nobody finds it.
	greta.Say("/network Nova Basan").Expect(de.T("step_town_unknown", "Query", "Nova Basan"))

	// A volunteer's forged Confirm is refused and changes nothing.
	greta.PressData("tw:ok:" + itoa(proposed))
	w.expectAlert(greta, de.Plain("not_allowed_coordinator"))
	if town, _ := w.Store.Town(context.Background(), proposed); town.Status != storage.TownProposed {
		t.Fatalf("a forged confirm changed the town: %+v", town)
	}

	astrid.Press(sv.Plain("town_confirm")).Expect(sv.T("town_confirmed", "Town", "Нова Басань, Ukraina"))
	olena.WaitFor(uk.T("town_confirmed_notice", "Town", "Нова Басань, Україна"))
	// A second decision on the same proposal is refused.
	astrid.PressData("tw:no:" + itoa(proposed))
	w.expectAlert(astrid, sv.Plain("town_already_decided"))
	if town, _ := w.Store.Town(context.Background(), proposed); town.Status != storage.TownConfirmed {
		t.Fatalf("after confirming: %+v", town)
	}

	// Now it is found, in any spelling.
	greta.Say("/network Nova Basan").Expect(de.T("network_empty", "Town", "Нова Басань, Ukraine"))
	olena.Say("/profile").Expect("Нова Басань, Україна")
	olena.ExpectNot(uk.Plain("profile_town_pending", "Town", "Нова Басань, Україна"))
}

// TestRejectedTownLeavesProfileWithoutTown: in French, a proposal with
// markup in its name is listed by /towns for an administrator (German),
// who rejects it; the proposer is told and keeps a profile without town.
func TestRejectedTownLeavesProfileWithoutTown(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t, bottest.Options{Admins: []int64{20201}})
	fr, de := w.Loc("fr"), w.Loc("de")
	admin := w.user(20201, "de", "Anke")
	camille := w.User(20202, "fr", "Camille")

	admin.Say("/towns").Expect(de.T("towns_none"))
	camille.Say("/profile").Say("Zzyzx <b>&").Press(fr.Plain("profile_town_not_listed"))
	camille.Press(fr.Plain("profile_new_town_use", "Name", "Zzyzx <b>&")).Press(fr.Country("FR"))
	camille.Press(fr.Plain("step_skip")).Press(fr.Plain("lang_fr")).Press(fr.Plain("step_done"))
	camille.Press(fr.Plain("topic_culture")).Press(fr.Plain("step_done")).Expect(fr.T("profile_saved_proposed", "Town", "Zzyzx <b>&"))
	admin.WaitFor("Zzyzx &lt;b&gt;&amp;")

	admin.Say("/towns").Expect(de.N("towns_pending", 1))
	admin.Expect(de.T("town_proposal", "Town", "Zzyzx <b>&", "Region", de.Plain("profile_not_set"),
		"Country", de.Country("FR"), "Name", "Camille"))
	admin.Press(de.Plain("town_reject")).Expect(de.T("town_rejected", "Town", "Zzyzx <b>&, Frankreich"))
	camille.WaitFor(fr.T("town_rejected_notice", "Town", "Zzyzx <b>&, France"))
	if p := profileOf(t, w, camille); p.TownID != 0 || !slices.Equal(p.Languages, []string{"fr"}) {
		t.Fatalf("profile after the rejection %+v", p)
	}
	admin.Say("/towns").Expect(de.T("towns_none"))
}

// TestTopicAndLanguageNames: every shared topic id and profile language
// has a name in every language, and each language also its form for lists
// (a missing one would show its message ID).
func TestTopicAndLanguageNames(t *testing.T) {
	t.Parallel()
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range locales.Codes {
		l := catalog.For(code)
		ids := append(prefixed("topic_", storage.Topics), prefixed("lang_", storage.ProfileLanguages)...)
		for _, id := range append(ids, prefixed("lang_list_", storage.ProfileLanguages)...) {
			if name := l.Plain(id); name == id || name == "" {
				t.Errorf("%s: no name for %s", code, id)
			}
		}
	}
}

func prefixed(prefix string, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = prefix + id
	}
	return out
}
