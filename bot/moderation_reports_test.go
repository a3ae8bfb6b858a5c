package bot_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"partnerbot/storage"
)

// TestFollowProject: following shows on the card and in ProjectFollowers,
// the audience of later announcements; unfollowing removes it.
func TestFollowProject(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	sv := w.Loc("sv")
	owner := w.user(13001, "de", "Greta")
	p := w.project(owner, "Vänortsdagar", "Laxå")
	astrid := w.user(13002, "sv", "Astrid")
	followers := func() []int64 {
		ids, err := w.Store.ProjectFollowers(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}

	astrid.Say("/start p" + p.Code).Press(sv.Plain("project_button_follow"))
	w.expectButtons(astrid.Last(), sv.Plain("project_button_unfollow"))
	if got := followers(); !slices.Equal(got, []int64{astrid.ID()}) {
		t.Fatalf("followers = %v", got)
	}
	astrid.Press(sv.Plain("project_button_unfollow"))
	w.expectButtons(astrid.Last(), sv.Plain("project_button_follow"))
	if got := followers(); len(got) != 0 {
		t.Fatalf("followers after unfollowing = %v", got)
	}
	// The owner's card has no follow button, and a forged one is refused.
	owner.PressData("pj:f:" + p.Code + ":1")
	w.expectAlert(owner, w.Loc("de").Plain("callback_invalid"))
	if got := followers(); len(got) != 0 {
		t.Fatalf("the owner follows their own project: %v", got)
	}
}

// TestReportAndHide: a volunteer reports a project; a volunteer can
// neither list reports nor hide; a coordinator hides it, after which it is
// gone from search and links for everyone but its owner, who is told.
func TestReportAndHide(t *testing.T) {
	t.Parallel()
	w := newProjectWorld(t)
	uk, de, en := w.Loc("uk"), w.Loc("de"), w.Loc("en")
	owner := w.user(13101, "uk", "Petro")
	p := w.project(owner, "Купуйте наші товари", "Ichnia")
	other := w.project(owner, "Хор", "Ichnia")
	reporter := w.user(13102, "de", "Jonas")
	coordinator := w.user(13103, "en", "Anna")
	if err := w.Store.InTx(context.Background(), func(tx pgx.Tx) error {
		_, _, err := w.Store.SetRoleTx(context.Background(), tx, 0, coordinator.ID(), storage.RoleCoordinator)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	reporter.Say("/start p" + p.Code).Press(de.Plain("project_button_report")).Expect(de.T("report_ask", "Title", p.Title))
	reporter.Press(de.Plain("report_reason_spam")).Expect(de.T("report_thanks", "Title", p.Title))
	reporter.Say("/start p" + p.Code).Press(de.Plain("project_button_report")).Press(de.Plain("report_reason_other")).
		Expect(de.T("report_already", "Title", p.Title))
	reporter.Say("/start p" + other.Code).Press(de.Plain("project_button_report")).Press(de.Plain("report_reason_misleading"))

	// The coordinator is told of each report in their language, with
	// buttons to decide on it; the reporter is not told of their own.
	link := func(p storage.Project) string { return "https://t.me/" + w.TG.BotUser().Username + "?start=p" + p.Code }
	coordinator.WaitFor(en.T("report_new_notice", "Title", p.Title, "Reason", en.Plain("report_reason_spam"), "Link", link(p)))
	notice := coordinator.WaitFor(en.T("report_new_notice", "Title", other.Title,
		"Reason", en.Plain("report_reason_misleading"), "Link", link(other)))
	w.expectButtons(notice, en.Plain("report_notice_view"), en.Plain("report_notice_hide"), en.Plain("report_notice_dismiss"))
	reporter.ExpectNot(de.T("report_new_notice", "Title", p.Title, "Reason", de.Plain("report_reason_spam"), "Link", link(p)))

	reporter.Say("/reports").Expect(de.T("not_allowed_coordinator"))
	reports, err := w.Store.OpenReports(context.Background(), 10)
	if err != nil || len(reports) != 2 {
		t.Fatalf("open reports %v, %v", reports, err)
	}
	for _, data := range []string{"rp:h:" + itoa(reports[0].ID), "rp:x:" + itoa(reports[1].ID)} {
		reporter.PressData(data)
		w.expectAlert(reporter, de.Plain("not_allowed_coordinator"))
	}
	if got := w.reload(p); got.Hidden {
		t.Fatal("a volunteer hid a project")
	}

	coordinator.Say("/reports").Expect(en.N("reports_count", 2), p.Title, en.Plain("report_reason_spam"))
	coordinator.PressData("rp:h:nonsense")
	w.expectAlert(coordinator, en.Plain("callback_invalid"))
	coordinator.Press(en.Plain("reports_button_hide", "N", 1)).Expect(en.N("reports_count", 1), other.Title)
	owner.WaitFor(uk.T("project_hidden_notice", "Title", p.Title))
	coordinator.Press(en.Plain("reports_button_dismiss", "N", 1)).Expect(en.T("reports_none"))
	if got := w.reload(other); got.Hidden {
		t.Fatal("dismissing a report hid the project")
	}
	// A second click on an old button changes nothing.
	coordinator.PressData("rp:h:" + itoa(reports[1].ID))
	if got := w.reload(other); got.Hidden {
		t.Fatal("a stale hide button hid a project whose report was dismissed")
	}

	reporter.Say("/find Купуйте").Expect(de.T("find_nothing"))
	reporter.Say("/start p" + p.Code).Expect(de.T("project_not_found"))
	reporter.PressData("pj:v:" + p.Code)
	w.expectAlert(reporter, de.Plain("project_not_yours_or_gone"))
	owner.Say("/myprojects").Expect(uk.T("project_status_hidden"))
	owner.Say("/start p"+p.Code).Expect(p.Title, uk.T("project_status_hidden"))
	w.expectButtons(owner.Last(), uk.Plain("project_button_edit"))
	if slices.Contains(buttonLabels(owner.Last()), uk.Plain("project_button_unhide")) {
		t.Fatal("the owner is offered to unhide their own project")
	}

	// Only a coordinator can list a hidden project again; the owner is
	// told, and it is found again.
	unhide := "rp:u:" + itoa(p.ID)
	reporter.PressData(unhide)
	w.expectAlert(reporter, de.Plain("not_allowed_coordinator"))
	owner.PressData(unhide)
	w.expectAlert(owner, uk.Plain("not_allowed_coordinator"))
	if got := w.reload(p); !got.Hidden {
		t.Fatal("a volunteer listed a hidden project again")
	}
	coordinator.Say("/start p"+p.Code).Expect(p.Title, en.T("project_status_hidden"))
	coordinator.Press(en.Plain("project_button_unhide")).Expect(p.Title, link(p))
	coordinator.ExpectNot(en.T("project_status_hidden"))
	owner.WaitFor(uk.T("project_unhidden_notice", "Title", p.Title, "Link", link(p)))
	coordinator.PressData(unhide)
	w.expectAlert(coordinator, en.Plain("reports_already_unhidden"))
	reporter.Say("/find Купуйте").Expect(p.Title)
}
