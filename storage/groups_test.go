package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"partnerbot/internal/testdb"
	"partnerbot/storage"
)

// fillGroupData gives every user in ids a join request, group rules, a
// group role and a channel link intent, about a project of someone else.
func fillGroupData(t *testing.T, s *storage.Store, ids ...int64) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const owner = 808
	_, err := s.TouchUser(ctx, storage.TelegramProfile{ID: owner, FirstName: "Owner"})
	must(err)
	must(s.WriteTowns(ctx, func(w *storage.TownWriter) error {
		_, _, err := w.UpsertTown(ctx, storage.TownRecord{Key: "group-town", Name: "Group Town", Country: "UA"})
		return err
	}))
	towns, err := s.SearchTowns(ctx, "Group Town", 1)
	must(err)
	p, err := s.CreateProject(ctx, owner, storage.ProjectFields{Title: "Choir", Description: "Singing", TownID: towns[0].ID,
		Sector: "forums", Topics: []string{"youth"}, Languages: []string{"uk"}})
	must(err)
	must(s.SaveGroupChat(ctx, storage.GroupChat{ChatID: -1001, Kind: "supergroup", Title: "Choir", Language: "uk"}))
	_, err = s.LinkProjectGroup(ctx, p.ID, -1001, "group", "https://t.me/+abc")
	must(err)
	for _, id := range ids {
		_, err := s.TouchUser(ctx, storage.TelegramProfile{ID: id, FirstName: "Member"})
		must(err)
		_, err = s.RecordJoinRequest(ctx, storage.JoinRequest{ChatID: -1001, ProjectID: p.ID, UserID: id, UserChatID: id,
			Bio: "Hi", RequestedAt: time.Now()})
		must(err)
		must(s.RecordGroupRole(ctx, -1001, id, storage.GroupRoleSettings))
		must(s.SetChannelIntent(ctx, id, p.ID, time.Now().Add(time.Hour)))
		mine, err := s.CreateProject(ctx, id, storage.ProjectFields{Title: "Mine", Description: "Mine", TownID: towns[0].ID,
			Sector: "forums", Topics: []string{"youth"}, Languages: []string{"uk"}})
		must(err)
		must(s.SetRules(ctx, mine.ID, id, "uk", "Будьте ввічливі."))
	}
}

func TestGroupLinkMigrateAndUnlink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	fillGroupData(t, s, 11)
	g, err := s.LiveProjectGroupOfChat(ctx, -1001)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(tx pgx.Tx) error { return s.MigrateGroupChatTx(ctx, tx, -1001, -1009) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LiveProjectGroupOfChat(ctx, -1001); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("old chat still linked: %v", err)
	}
	moved, err := s.LiveProjectGroupOfChat(ctx, -1009)
	if err != nil || moved.ID != g.ID || moved.ProjectID != g.ProjectID {
		t.Fatalf("migrated link = %+v, %v; want link %d", moved, err, g.ID)
	}
	var pending int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM join_requests WHERE chat_id = -1009`).Scan(&pending); err != nil || pending != 1 {
		t.Fatalf("join requests did not follow the migration: %d, %v", pending, err)
	}
	// Another project cannot take a linked chat.
	var other int64
	if err := s.Pool().QueryRow(ctx, `SELECT id FROM projects WHERE owner_id = 11`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkProjectGroup(ctx, other, -1009, "group", ""); !errors.Is(err, storage.ErrChatLinked) {
		t.Fatalf("linking a taken chat: %v, want ErrChatLinked", err)
	}
	if err := s.InTx(ctx, func(tx pgx.Tx) error {
		_, err := s.UnlinkChatTx(ctx, tx, -1009)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if gs, err := s.ProjectGroups(ctx, g.ProjectID); err != nil || len(gs) != 0 {
		t.Fatalf("after unlinking the project still has %v (%v)", gs, err)
	}
}

func TestGroupJoinRequestDecidedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	fillGroupData(t, s, 12)
	var id int64
	if err := s.Pool().QueryRow(ctx, `SELECT id FROM join_requests WHERE user_id = 12`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := s.MoveJoinRequest(ctx, id, storage.JoinWithOwner, storage.JoinRulesSent); !errors.Is(err, storage.ErrJoinDecided) {
		t.Fatalf("move from a state it is not in: %v", err)
	}
	decide := func(approve bool) error {
		return s.InTx(ctx, func(tx pgx.Tx) error { return s.DecideJoinRequestTx(ctx, tx, id, approve) })
	}
	if err := decide(true); err != nil {
		t.Fatal(err)
	}
	if err := decide(false); !errors.Is(err, storage.ErrJoinDecided) {
		t.Fatalf("second decision: %v, want ErrJoinDecided", err)
	}
	j, err := s.JoinRequest(ctx, id)
	if err != nil || j.Status != storage.JoinApproved || !j.Decided {
		t.Fatalf("request = %+v, %v", j, err)
	}
}

func TestGroupYouthGroupsMatching(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storage.New(testdb.New(t))
	fillGroupData(t, s)
	towns, err := s.SearchTowns(ctx, "Group Town", 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range []storage.YouthGroup{
		{ChatID: -2001, Language: "sv", AgeMin: 12, AgeMax: 16, Topics: []string{"culture"}},
		{ChatID: -2002, Language: "de", AgeMin: 16, AgeMax: 21, Topics: []string{"youth"}},
	} {
		g.Town = storage.TownRef{ID: towns[0].ID}
		if err := s.SaveGroupChat(ctx, storage.GroupChat{ChatID: g.ChatID, Kind: "supergroup", Title: "Y", Language: "en"}); err != nil {
			t.Fatal(err)
		}
		if err := s.RegisterYouthGroup(ctx, g); err != nil {
			t.Fatal(i, err)
		}
	}
	if err := s.SetYouthReceives(ctx, -2002, storage.YouthReceiveBroadcasts, false); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		a    storage.YouthAudience
		want []int64
	}{
		"topic":        {storage.YouthAudience{Topics: []string{"culture"}, Kind: storage.YouthReceiveProjects}, []int64{-2001}},
		"town, any":    {storage.YouthAudience{Towns: []int64{towns[0].ID}, Kind: storage.YouthReceiveProjects}, []int64{-2002, -2001}},
		"age":          {storage.YouthAudience{Age: 18, Kind: storage.YouthReceiveProjects}, []int64{-2002}},
		"language":     {storage.YouthAudience{Languages: []string{"sv"}, Kind: storage.YouthReceiveEvents}, []int64{-2001}},
		"opted out":    {storage.YouthAudience{Kind: storage.YouthReceiveBroadcasts}, []int64{-2001}},
		"another town": {storage.YouthAudience{Towns: []int64{-5}, Kind: storage.YouthReceiveProjects}, nil},
	} {
		got, err := s.YouthGroupsMatching(ctx, tc.a)
		if err != nil {
			t.Fatal(name, err)
		}
		var ids []int64
		for _, g := range got {
			ids = append(ids, g.ChatID)
		}
		if len(ids) != len(tc.want) || (len(ids) > 0 && (ids[0] != tc.want[0] || ids[len(ids)-1] != tc.want[len(tc.want)-1])) {
			t.Errorf("%s: got %v, want %v", name, ids, tc.want)
		}
	}
}
