package bot_test

// Tests of promises about broadcasts that the repeated test audit (issue
// 16) found unproven: each broke silently under a mutation of the code.

import (
	"context"
	"slices"
	"testing"
	"time"

	"partnerbot/internal/bottest"
	"partnerbot/locales"
	"partnerbot/storage"
)

// TestBroadcastActionsOnlyForTheAuthorOrAnAdmin: "Stop sending" and
// "Correct the text" of a broadcast are its author's, and any
// administrator's; another coordinator's forged press is refused and
// changes nothing.
func TestBroadcastActionsOnlyForTheAuthorOrAnAdmin(t *testing.T) {
	t.Parallel()
	// 22:30 in Berlin: the copy to Jonas waits for the end of quiet hours,
	// so there is something left to stop.
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 21, 30, 0, 0, time.UTC))
	fr, de, en := w.Loc("fr"), w.Loc("de"), w.Loc("en")
	camille := w.coordinator(4, "fr", "Camille", "Grevesmühlen")
	anna := w.coordinator(3, "de", "Anna", "Laxå")
	w.resident(32, "de", "Jonas", "Grevesmühlen")

	sendToNetwork(camille, fr, "Réunion des jumelages")
	id := broadcastOf(t, w, camille.ID())
	if n := pendingBroadcastJobs(t, w, "broadcast", 0); n != 1 {
		t.Fatalf("%d copies waiting, want 1 (Jonas's, in quiet hours)", n)
	}

	for _, action := range []string{"s", "f"} {
		anna.PressData("bc:" + action + ":" + itoa(id))
		w.expectAlert(anna, de.Plain("bc_not_yours"))
		anna.ExpectNot(de.T("bc_ask_correct_lang"))
	}
	if n := pendingBroadcastJobs(t, w, "broadcast", 0); n != 1 {
		t.Fatalf("%d copies waiting after another coordinator's stop, want 1", n)
	}
	if b, err := w.Store.Broadcast(context.Background(), id); err != nil || b.Stopped {
		t.Fatalf("broadcast %+v (%v) after another coordinator's stop, want it running", b, err)
	}

	w.admin.PressData("bc:s:" + itoa(id))
	w.admin.Expect(en.N("bc_stopped", 1))
	if n := pendingBroadcastJobs(t, w, "broadcast", 0); n != 0 {
		t.Fatalf("%d copies waiting after the administrator's stop", n)
	}
}

// TestMutedPeopleAreNotInTheAudience: whoever muted a broadcast's town or
// topic is left out when the audience is resolved, so neither counted for
// the author nor sent a copy; not only dropped when the copy is sent.
func TestMutedPeopleAreNotInTheAudience(t *testing.T) {
	t.Parallel()
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	uk := w.Loc("uk")
	olena := w.coordinator(2, "uk", "Olena", "Ichnia")
	sara := w.resident(14, "sv", "Sara", "Laxå")
	emma := w.resident(15, "en", "Emma", "Laxå")
	ichnia := w.towns["Ichnia"].ID
	if err := w.Store.AddMute(ctx, sara.ID(), storage.Mute{Kind: storage.MuteTown, Value: itoa(ichnia)}); err != nil {
		t.Fatal(err)
	}
	if err := w.Store.AddMute(ctx, emma.ID(), storage.Mute{Kind: storage.MuteTopic, Value: "culture"}); err != nil {
		t.Fatal(err)
	}

	network := storage.Audience{Place: storage.PlaceNetwork, Groups: []string{storage.GroupResidents}}
	for _, tc := range []struct {
		name string
		ex   storage.Exclusions
		want []int64
	}{
		{"from the muted town", storage.Exclusions{Kind: storage.KindAnnouncements, FromTown: ichnia}, []int64{emma.ID()}},
		{"on the muted topic", storage.Exclusions{Kind: storage.KindAnnouncements, Topic: "culture"}, []int64{sara.ID()}},
		{"both", storage.Exclusions{Kind: storage.KindFundingCalls, FromTown: ichnia, Topic: "culture"}, nil},
		{"neither", storage.Exclusions{Kind: storage.KindAnnouncements, Topic: "sport"}, []int64{sara.ID(), emma.ID()}},
	} {
		rs, err := w.Store.ResolveAudience(ctx, network, storage.Sender{UserID: olena.ID()}, tc.ex)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, r := range rs {
			got = append(got, r.UserID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: audience %v, want %v", tc.name, got, tc.want)
		}
	}

	// One copy, to Emma.
	sendToNetwork(olena, uk, "Зустріч у ратуші")
	emma.WaitFor("Зустріч у ратуші")
	if n, err := w.Store.BroadcastCounts(ctx, broadcastOf(t, w, olena.ID()), w.clock.Now()); err != nil || n.Total != 1 {
		t.Fatalf("figures %+v (%v), want 1 copy in all", n, err)
	}
	if n := copiesOf(w, sara.ID(), "Зустріч у ратуші"); n != 0 {
		t.Errorf("Sara, who muted Ichnia, got %d copies", n)
	}
}

// coordinator is a started user made coordinator for town.
func (w *broadcastWorld) coordinator(id int64, lang, name, town string) *bottest.User {
	w.t.Helper()
	u := w.user(id, lang, name)
	w.grantCoordinator(u, town)
	return u
}

// sendToNetwork has u send text now to everyone living in their network,
// without links, media or deadline.
func sendToNetwork(u *bottest.User, l *locales.Localizer, text string) {
	composeToNetwork(u, l)
	u.Say(text)
	sendWithoutExtras(u, l)
}

// broadcastOf is the id of author's newest broadcast.
func broadcastOf(t *testing.T, w *broadcastWorld, author int64) int64 {
	t.Helper()
	var id int64
	if err := w.Pool.QueryRow(context.Background(), `SELECT max(id) FROM broadcasts WHERE author_id = $1`, author).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestCopyWaitingForQuietHoursIsDroppedOnceMuted: a copy waiting for the
// end of quiet hours is checked again when it goes out: whoever muted the
// broadcast's town or switched announcements off meanwhile does not get
// it; the others do.
func TestCopyWaitingForQuietHoursIsDroppedOnceMuted(t *testing.T) {
	t.Parallel()
	// 22:30 in Berlin: every copy waits until 08:00.
	w := newBroadcastWorld(t, time.Date(2026, 3, 2, 21, 30, 0, 0, time.UTC))
	ctx := context.Background()
	fr := w.Loc("fr")
	camille := w.coordinator(4, "fr", "Camille", "Grevesmühlen")
	jonas := w.resident(32, "de", "Jonas", "Grevesmühlen")
	greta := w.resident(33, "de", "Greta", "Grevesmühlen")
	lena := w.resident(34, "de", "Lena", "Grevesmühlen")

	sendToNetwork(camille, fr, "Fête du jumelage")
	if n := pendingBroadcastJobs(t, w, "broadcast", 0); n != 3 {
		t.Fatalf("%d copies waiting, want 3", n)
	}

	if err := w.Store.AddMute(ctx, jonas.ID(), storage.Mute{Kind: storage.MuteTown, Value: itoa(w.towns["Grevesmühlen"].ID)}); err != nil {
		t.Fatal(err)
	}
	if err := w.Store.SetMessageKind(ctx, greta.ID(), storage.KindAnnouncements, false); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(11 * time.Hour)
	lena.WaitFor("Fête du jumelage")
	eventually(t, "every copy is done", func() bool { return pendingBroadcastJobs(t, w, "broadcast", 0) == 0 })
	for _, u := range []*bottest.User{jonas, greta} {
		if n := copiesOf(w, u.ID(), "Fête du jumelage"); n != 0 {
			t.Errorf("%s got %d copies after opting out while the copy waited", u.TG.FirstName, n)
		}
	}
}
