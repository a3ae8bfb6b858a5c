package faketelegram_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"partnerbot/internal/faketelegram"
)

func TestGroupJoinRequestsLikeTelegram(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := ctxT(t)
	group := models.Chat{ID: -1002003004005, Type: models.ChatTypeSupergroup, Title: "Choir"}
	srv.SetChatMember(group, alice, faketelegram.StatusCreator, faketelegram.Rights{})
	srv.SetBotStatus(group, alice, faketelegram.StatusMember, faketelegram.Rights{})

	wantErr := func(err error, text string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), text) {
			t.Fatalf("error = %v, want %q", err, text)
		}
	}
	_, err := b.CreateChatInviteLink(ctx, &bot.CreateChatInviteLinkParams{ChatID: group.ID, CreatesJoinRequest: true})
	wantErr(err, "CHAT_ADMIN_REQUIRED")

	srv.SetBotStatus(group, alice, faketelegram.StatusAdministrator, faketelegram.Rights{CanInviteUsers: true})
	_, err = b.CreateChatInviteLink(ctx, &bot.CreateChatInviteLinkParams{ChatID: group.ID, CreatesJoinRequest: true, MemberLimit: 5})
	wantErr(err, "member limit can't be specified")
	link, err := b.CreateChatInviteLink(ctx, &bot.CreateChatInviteLinkParams{ChatID: group.ID, CreatesJoinRequest: true, Name: "partnerbot"})
	if err != nil || !link.CreatesJoinRequest || !strings.HasPrefix(link.InviteLink, "https://t.me/+") {
		t.Fatalf("invite link = %+v, %v", link, err)
	}

	member, err := b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: group.ID, UserID: alice.ID})
	if err != nil || member.Type != models.ChatMemberTypeOwner {
		t.Fatalf("getChatMember(alice) = %+v, %v", member, err)
	}
	me, err := b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: group.ID, UserID: faketelegram.BotID})
	if err != nil || me.Administrator == nil || !me.Administrator.CanInviteUsers {
		t.Fatalf("getChatMember(bot) = %+v, %v", me, err)
	}

	_, err = b.ApproveChatJoinRequest(ctx, &bot.ApproveChatJoinRequestParams{ChatID: group.ID, UserID: bob.ID})
	wantErr(err, "HIDE_REQUESTER_MISSING")

	// Within the window the bot may write to user_chat_id; once decided, not.
	srv.RequestJoin(group, bob, "I sing bass", time.Time{})
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: bob.ID, Text: "rules"}); err != nil {
		t.Fatalf("message within the window: %v", err)
	}
	if _, err := b.ApproveChatJoinRequest(ctx, &bot.ApproveChatJoinRequestParams{ChatID: group.ID, UserID: bob.ID}); err != nil {
		t.Fatal(err)
	}
	if got := srv.MemberStatus(group.ID, bob.ID); got != faketelegram.StatusMember {
		t.Fatalf("bob is %q after approval", got)
	}
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: bob.ID, Text: "late"})
	if !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("message after the decision: %v, want 403", err)
	}
	srv.RequestJoin(group, bob, "", time.Time{})
	_, err = b.ApproveChatJoinRequest(ctx, &bot.ApproveChatJoinRequestParams{ChatID: group.ID, UserID: bob.ID})
	wantErr(err, "USER_ALREADY_PARTICIPANT")

	// An old request: the window has passed.
	carol := faketelegram.NewUser(1003, "Carol")
	srv.RequestJoin(group, carol, "", time.Now().Add(-10*time.Minute))
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: carol.ID, Text: "too late"})
	if !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("message after the window: %v, want 403", err)
	}
	if _, err := b.DeclineChatJoinRequest(ctx, &bot.DeclineChatJoinRequestParams{ChatID: group.ID, UserID: carol.ID}); err != nil {
		t.Fatal(err)
	}
	if got := srv.JoinRequestState(group.ID, carol.ID); got != "declined" {
		t.Fatalf("carol's request is %q", got)
	}

	// Removed: writes are refused with 403.
	srv.SetBotStatus(group, alice, faketelegram.StatusKicked, faketelegram.Rights{})
	_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "still here?"})
	if !errors.Is(err, bot.ErrorForbidden) {
		t.Fatalf("message after removal: %v, want 403", err)
	}
}

func TestGroupMigrationLikeTelegram(t *testing.T) {
	srv := newServer(t)
	b := newBot(t, srv)
	ctx := ctxT(t)
	group := models.Chat{ID: -4005006, Type: models.ChatTypeGroup, Title: "Youth council"}
	srv.SetChatMember(group, alice, faketelegram.StatusCreator, faketelegram.Rights{})
	newID, _ := srv.MigrateToSupergroup(group.ID, alice)
	if newID != -1000004005006 {
		t.Fatalf("new id %d", newID)
	}
	_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: group.ID, Text: "hello"})
	if !bot.IsMigrateError(err) {
		t.Fatalf("send to the old group: %v, want a migrate error", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: newID, Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.MemberStatus(newID, alice.ID); got != faketelegram.StatusCreator {
		t.Fatalf("alice in the supergroup: %q", got)
	}
}
