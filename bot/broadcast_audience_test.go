package bot_test

import (
	"context"
	"testing"
	"time"

	"partnerbot/internal/bottest"
	"partnerbot/storage"
)

// TestBroadcastToFollowersOfChosenProjects: Anna (German, coordinator for
// Grevesmühlen) addresses the followers of one project of her network.
// The projects offered are those of her network with followers, with
// their counts; a project outside the network is not offered, and the
// storage refuses its followers to her as well. The counts per language
// follow her choice; only that project's followers get the announcement.
func TestBroadcastToFollowersOfChosenProjects(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	anna := w.user(3, "de", "Anna")
	w.grantCoordinator(anna, "Grevesmühlen")
	jonas := w.resident(40, "de", "Jonas", "Grevesmühlen")
	sara := w.resident(41, "sv", "Sara", "Laxå")
	petro := w.resident(42, "uk", "Petro", "Zhytomyr")
	claire := w.resident(43, "fr", "Claire", "Laxå")
	taras := w.resident(44, "uk", "Taras", "Ichnia")
	emma := w.resident(45, "en", "Emma", "Grevesmühlen")
	choir := w.project(jonas, "Jugendchor", "Grevesmühlen")
	cycle := w.project(sara, "Radweg Laxå", "Laxå")
	outside := w.project(petro, "Zhytomyr Makerspace", "Zhytomyr")
	for _, f := range []struct {
		u *bottest.User
		p storage.Project
	}{{claire, choir}, {taras, choir}, {taras, cycle}, {emma, cycle}, {jonas, outside}} {
		if err := w.Store.SetFollowing(ctx, f.u.ID(), f.p.ID, true); err != nil {
			t.Fatal(err)
		}
	}

	de := w.Loc("de")
	anna.Say("/broadcast").Press(de.Plain("bc_place_network"))
	anna.Press(de.Plain("step_done")).Expect(de.T("bc_ask_groups"))
	anna.Press("✅ " + de.Plain("bc_group_residents"))
	anna.Press(de.Plain("bc_group_followers"))
	anna.Press(de.Plain("step_done"))
	q := anna.Expect(de.T("bc_ask_projects"))
	w.expectButtons(q, de.Plain("bc_project_choice", "Title", "Jugendchor", "Count", 2),
		de.Plain("bc_project_choice", "Title", "Radweg Laxå", "Count", 2))
	for _, l := range buttonLabels(q) {
		if containsEvery(l, []string{"Zhytomyr"}) {
			t.Errorf("a project outside the network is offered: %q", l)
		}
	}
	anna.Press(de.Plain("step_done")).Expect(de.T("bc_projects_pick"))
	anna.Press(de.Plain("bc_project_choice", "Title", "Jugendchor", "Count", 2))
	anna.Expect(de.N("bc_counts", 2), de.Plain("lang_list_uk")+" 1 · "+de.Plain("lang_list_fr")+" 1")
	anna.Press(de.Plain("step_done")).Expect(de.T("bc_ask_sectors"))
	anna.Press(de.Plain("step_done"))
	anna.Press(de.Plain("step_done"))
	anna.Say("Der <b>Jugendchor</b> sucht Gastfamilien")
	anna.Press(de.Plain("bc_continue"))
	anna.Press(de.Plain("bc_no_links"))
	anna.Press(de.Plain("bc_no_media"))
	anna.Press(de.Plain("bc_no_deadline"))
	anna.Press(de.Plain("bc_send_now"))
	anna.WaitFor(de.T("bc_status_sent", "Sent", 2, "Total", 2))
	waitForMessage(t, w.Env, claire.ID(), "Der <b>Jugendchor</b> sucht Gastfamilien")
	waitForMessage(t, w.Env, taras.ID(), "Der <b>Jugendchor</b> sucht Gastfamilien")
	for _, u := range []*bottest.User{jonas, sara, petro, emma} {
		if n := copiesOf(w, u.ID(), "Gastfamilien"); n != 0 {
			t.Errorf("%s, no follower of the choir, got it %d times", u.TG.FirstName, n)
		}
	}

	// Forged past the wizard: the followers of a project outside her
	// network are not hers to address.
	rs, err := w.Store.ResolveAudience(ctx, storage.Audience{Place: storage.PlaceNetwork, Groups: []string{storage.GroupFollowers},
		Projects: []int64{outside.ID}}, storage.Sender{UserID: anna.ID()}, storage.Exclusions{Kind: storage.KindAnnouncements})
	if err != nil || len(rs) != 0 {
		t.Errorf("followers of a project outside the network: %v, %v", rs, err)
	}
}
