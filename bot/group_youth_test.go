package bot_test

import (
	"context"
	"testing"

	"github.com/go-telegram/bot/models"

	"partnerbot/internal/bottest"
	"partnerbot/internal/faketelegram"
	"partnerbot/storage"
)

// youthGroup adds the bot to a new group of admin (its creator) and
// registers it as a youth group of town speaking lang, on topics, as the
// registration dialogue does (TestGroupYouthGroupGetsANewProjectInSwedish
// walks through that dialogue).
func youthGroup(w *projectWorld, admin *bottest.User, id int64, title, town, lang string, topics ...string) models.Chat {
	w.t.Helper()
	group := models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: title}
	w.TG.SetChatMember(group, admin.TG, faketelegram.StatusCreator, faketelegram.Rights{})
	w.WaitHandled(w.TG.SetBotStatus(group, admin.TG, faketelegram.StatusMember, faketelegram.Rights{}))
	err := w.Store.RegisterYouthGroup(context.Background(), storage.YouthGroup{ChatID: id, Language: lang,
		Town: storage.TownRef{ID: w.towns[town].ID}, AgeMin: 14, AgeMax: 18, Topics: topics})
	if err != nil {
		w.t.Fatal(err)
	}
	return group
}

// newProjectInWizard registers a project on culture through /newproject,
// in u's language, as an owner does.
func newProjectInWizard(w *projectWorld, u *bottest.User, title, description, town string) storage.Project {
	w.t.Helper()
	l := w.Loc(u.TG.LanguageCode)
	u.Say("/newproject").Say(title).Say(description)
	u.Say(town).Press(w.townButton(l, town))
	u.Press(l.Plain("step_skip")).Press(l.Plain("sector_civil_society"))
	u.Press(l.Plain("topic_culture")).Press(l.Plain("step_done"))
	u.Press(l.Plain("lang_de")).Press(l.Plain("step_done"))
	u.Press(l.Plain("project_contact_yes")).Expect(l.T("project_created", "Title", title))
	ps, err := w.Store.ProjectsByOwner(context.Background(), u.ID())
	if err != nil {
		w.t.Fatal(err)
	}
	for _, p := range ps {
		if p.Title == title {
			return p
		}
	}
	w.t.Fatalf("project %q not found", title)
	return storage.Project{}
}

// youthPostsTo counts the youth group posts about ref scheduled for chat.
func youthPostsTo(w *projectWorld, chat, ref int64) int {
	w.t.Helper()
	var n int
	if err := w.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job
		WHERE kind = 'delivery_send' AND args->>'kind' = 'group_youth_project'
		  AND (args->>'chat_id')::bigint = $1 AND (args->>'ref')::bigint = $2`, chat, ref).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// TestGroupYouthGroupGetsProjectsOfItsNetwork: a youth group in Laxå
// receives, in French, a project from Ichnia, the partner (Ichnia) of its
// partner (Grevesmühlen), the network coordinators' broadcasts reach; a
// project in a town outside the network (Lannion) does not reach it.
func TestGroupYouthGroupGetsProjectsOfItsNetwork(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	addExamplePartnerships(t, w)
	lannion, err := w.Store.Town(context.Background(), addTown(t, w.Env, "Lannion", "FR"))
	if err != nil {
		t.Fatal(err)
	}
	w.towns["Lannion"] = lannion
	fr := w.Loc("fr")
	camille := w.user(6901, "fr", "Camille")
	group := youthGroup(w, camille, -1006901, "Club jeunesse Laxå", "Laxå", "fr", "culture")

	olena := w.user(6902, "uk", "Олена")
	far := newProjectInWizard(w, olena, "Театр у Ланьйоні", "Вистава з бретонськими школярами.", "Lannion")
	near := newProjectInWizard(w, olena, "Театр в Ічні", "Вистава з молоддю з Лаксо.", "Ichnia")
	waitForMessage(t, w.Env, group.ID, fr.T("group_youth_project", "Title", near.Title,
		"Description", near.Description, "Town", "Ichnia, "+fr.Country("UA"), "Topics", fr.Plain("topic_culture")))
	// Both posts were decided in the transactions that created the
	// projects: the one from outside the network was never scheduled.
	if n := youthPostsTo(w, group.ID, near.ID); n != 1 {
		t.Fatalf("%d posts of the Ichnia project to the group, want 1", n)
	}
	if n := youthPostsTo(w, group.ID, far.ID); n != 0 {
		t.Fatalf("%d posts of the Lannion project to the group, want none", n)
	}
}
