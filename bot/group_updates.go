package bot

import (
	"context"
	"errors"
	"log/slog"

	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/delivery"
	"partnerbot/storage"
)

// onChatUpdate handles the updates about groups and channels rather than
// from a person: the bot's own membership (my_chat_member), other members
// (chat_member), join requests (chat_join_request) and a group's upgrade to
// a supergroup. It reports whether u was one of them; Handle then has
// nothing more to do. Nobody in a group is stored here except who acts:
// the applicant of a join request, the owner linking a channel.
func (a *App) onChatUpdate(ctx context.Context, u *models.Update, log *slog.Logger) bool {
	var err error
	switch {
	case u.MyChatMember != nil:
		err = a.onMyChatMember(ctx, u.MyChatMember, log)
	case u.ChatMember != nil:
		// Other members joining or leaving: nothing to keep about them.
	case u.ChatJoinRequest != nil:
		err = a.onJoinRequest(ctx, u.ChatJoinRequest, log)
	case u.Message != nil && u.Message.MigrateToChatID != 0:
		err = a.followMigration(ctx, u.Message.Chat.ID, u.Message.MigrateToChatID)
		if err == nil {
			log.Info("group upgraded to a supergroup", "from", u.Message.Chat.ID, "to", u.Message.MigrateToChatID)
		}
	case u.Message != nil && u.Message.MigrateFromChatID != 0:
		// The same upgrade, seen from the new supergroup.
	default:
		return false
	}
	if err != nil {
		log.Error("chat update failed", "err", err)
	}
	return true
}

// followMigration moves everything about a group to the supergroup it
// was upgraded to, and tells delivery in the same transaction, so that a
// message still addressed to the old id goes to the new one (a renderer
// no longer finds the group under the old id). The bot calls it when it
// sees the upgrade, and delivery when Telegram refuses a send to the old
// id before that (Renderer's Migrate); both may happen, in any order.
func (a *App) followMigration(ctx context.Context, from, to int64) error {
	return a.store.InTx(ctx, func(tx pgx.Tx) error {
		if err := a.store.MigrateGroupChatTx(ctx, tx, from, to); err != nil {
			return err
		}
		if a.delivery == nil {
			return nil
		}
		return a.delivery.MigratedTx(ctx, tx, from, to)
	})
}

// useGroupLanguage makes a request from a group or channel the bot knows
// speak the chat's language, set by its administrators.
func (a *App) useGroupLanguage(ctx context.Context, r *Request) {
	if r.Private {
		return
	}
	c, err := a.store.GroupChatByID(ctx, r.ChatID)
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			r.Log.Warn("group language", "err", err)
		}
		return
	}
	r.Loc, r.LangKnown = a.cat.For(c.Language), true
}

// chatKindOf is how group_chats names a chat's type.
func chatKindOf(c models.Chat) string {
	switch c.Type {
	case models.ChatTypeChannel:
		return "channel"
	case models.ChatTypeSupergroup:
		return "supergroup"
	}
	return "group"
}

// languageOfTelegramUser is the language to address a Telegram user in:
// their choice if they use the bot, else their client's language. Nothing
// is stored about them.
func (a *App) languageOfTelegramUser(ctx context.Context, u models.User) string {
	if known, err := a.store.User(ctx, u.ID); err == nil {
		lang, _ := a.languageOf(known)
		return lang
	}
	lang, _ := a.cat.Match(u.LanguageCode)
	return lang
}

// onMyChatMember follows the bot's own membership: added to a group or
// channel, the chat is recorded in the adder's language (a channel the
// owner asked to link is linked); removed or demoted, the chat's project
// link ends and the owner is told, and a youth group stops receiving.
func (a *App) onMyChatMember(ctx context.Context, cm *models.ChatMemberUpdated, log *slog.Logger) error {
	chat := cm.Chat
	if chat.Type == models.ChatTypePrivate {
		return nil // a user blocked or unblocked the bot; delivery notices that itself
	}
	was, now := cm.OldChatMember.Type, cm.NewChatMember.Type
	switch {
	case now == models.ChatMemberTypeLeft || now == models.ChatMemberTypeBanned:
		return a.unlinkChat(ctx, chat.ID, unlinkRemoved, log)
	case was == models.ChatMemberTypeAdministrator && now != models.ChatMemberTypeAdministrator:
		return a.unlinkChat(ctx, chat.ID, unlinkDemoted, log)
	}
	if err := a.store.SaveGroupChat(ctx, storage.GroupChat{ChatID: chat.ID, Kind: chatKindOf(chat), Title: chat.Title,
		Language: a.languageOfTelegramUser(ctx, cm.From)}); err != nil {
		return err
	}
	if chat.Type == models.ChatTypeChannel && now == models.ChatMemberTypeAdministrator {
		return a.linkChannel(ctx, cm, log)
	}
	return nil
}

// Why a chat's link ended: the Variant of kindGroupUnlinked.
const (
	unlinkRemoved = 1
	unlinkDemoted = 2
)

const kindGroupUnlinked = "group_unlinked"

// unlinkChat ends the chat's project link and youth group posts, and
// tells the owner, in one transaction.
func (a *App) unlinkChat(ctx context.Context, chatID int64, why int64, log *slog.Logger) error {
	return a.store.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := a.store.DeactivateYouthGroupTx(ctx, tx, chatID); err != nil {
			return err
		}
		g, err := a.store.UnlinkChatTx(ctx, tx, chatID)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		p, err := a.store.ProjectByID(ctx, g.ProjectID)
		if err != nil {
			return err
		}
		log.Info("project chat unlinked", "chat", chatID, "project", p.Code, "why", why)
		return a.notify(ctx, tx, delivery.Message{ChatID: p.OwnerID, Kind: kindGroupUnlinked, Ref: g.ID, Variant: why})
	})
}

// renderGroupUnlinked tells the owner that the bot left or lost its rights
// in the project's group or channel; dropped once it is linked again.
func (a *App) renderGroupUnlinked(ctx context.Context, m delivery.Message) (delivery.Rendered, error) {
	g, err := loadFor(ctx, m, m.Ref, a.store.ProjectGroupByID)
	if err != nil {
		return delivery.Rendered{}, err
	}
	if !g.Unlinked {
		return delivery.Rendered{}, stale(m, "linked again")
	}
	p, l, err := noticeFor(ctx, a, m, func(ctx context.Context, _ int64) (storage.Project, error) {
		return a.store.ProjectByID(ctx, g.ProjectID)
	}, func(p storage.Project) int64 { return p.OwnerID })
	if err != nil {
		return delivery.Rendered{}, err
	}
	msg := "group_unlinked_removed"
	if m.Variant == unlinkDemoted {
		msg = "group_unlinked_demoted"
	}
	return delivery.Rendered{Text: l.T(msg, "Group", g.Title, "Title", p.Title)}, nil
}
