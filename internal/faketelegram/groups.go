package faketelegram

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// Groups, channels, members and join requests, as far as Telegram's group
// APIs go: the bot's own membership and rights (my_chat_member), other
// members (chat_member), join requests and the applicant's five-minute
// window (chat_join_request, user_chat_id), invite links, and the upgrade
// of a group to a supergroup.

// JoinWindow is how long the bot may write to an applicant through
// user_chat_id after the request, until it is decided.
const JoinWindow = 5 * time.Minute

// Member statuses, as ChatMember.status.
const (
	StatusCreator       = "creator"
	StatusAdministrator = "administrator"
	StatusMember        = "member"
	StatusRestricted    = "restricted"
	StatusLeft          = "left"
	StatusKicked        = "kicked"
)

// Rights are the administrator rights the fake tracks.
type Rights struct {
	CanInviteUsers  bool
	CanPostMessages bool // channels
}

type member struct {
	user   models.User
	status string
	rights Rights
}

type joinRequest struct {
	user    models.User
	until   time.Time
	decided string // "", "approved", "declined"
}

// groupState is the group side of the server; guarded by Server.mu.
type groupState struct {
	members   map[int64]map[int64]*member // chat → user → member
	joins     map[int64]map[int64]*joinRequest
	windowed  map[int64]bool  // private chats known only through a join request
	migrated  map[int64]int64 // group → supergroup
	links     map[int64][]models.ChatInviteLink
	linkCount int
}

func (s *Server) groupsLocked() *groupState {
	if s.grp == nil {
		s.grp = &groupState{members: map[int64]map[int64]*member{}, joins: map[int64]map[int64]*joinRequest{},
			windowed: map[int64]bool{}, migrated: map[int64]int64{}, links: map[int64][]models.ChatInviteLink{}}
	}
	return s.grp
}

// memberLocked returns the member record, nil when there is none. The
// bot is a plain member of a group nobody told the server about.
func (s *Server) memberLocked(chatID, userID int64) *member {
	g := s.groupsLocked()
	if m := g.members[chatID][userID]; m != nil {
		return m
	}
	if userID == s.bot.ID {
		return &member{user: s.bot, status: StatusMember}
	}
	return nil
}

func (s *Server) setMemberLocked(chatID int64, u models.User, status string, rights Rights) (old *member) {
	g := s.groupsLocked()
	if g.members[chatID] == nil {
		g.members[chatID] = map[int64]*member{}
	}
	old = s.memberLocked(chatID, u.ID)
	if old == nil {
		old = &member{user: u, status: StatusLeft}
	}
	g.members[chatID][u.ID] = &member{user: u, status: status, rights: rights}
	return old
}

// SetChatMember makes user a member of the chat with status (Status…)
// and rights, without an update (as if it had always been so).
func (s *Server) SetChatMember(chat models.Chat, user models.User, status string, rights Rights) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chatLocked(chat)
	s.setMemberLocked(cs.chat.ID, user, status, rights)
}

// SetBotStatus changes the bot's own status in the chat, as the user by
// did (adding, promoting, demoting or removing it), and injects the
// my_chat_member update Telegram sends. It returns the update id.
func (s *Server) SetBotStatus(chat models.Chat, by models.User, status string, rights Rights) int64 {
	s.mu.Lock()
	cs := s.chatLocked(chat)
	old := s.setMemberLocked(cs.chat.ID, s.bot, status, rights)
	u := models.Update{MyChatMember: &models.ChatMemberUpdated{
		Chat: cs.chat, From: by, Date: int(time.Now().Unix()),
		OldChatMember: chatMemberModel(cs.chat, old), NewChatMember: chatMemberModel(cs.chat, s.memberLocked(cs.chat.ID, s.bot.ID)),
	}}
	id := s.injectLocked(&u)
	s.mu.Unlock()
	s.deliverIfWebhook()
	return id
}

// SetMemberStatus changes another member's status and injects the
// chat_member update Telegram sends to an administrator bot.
func (s *Server) SetMemberStatus(chat models.Chat, by, user models.User, status string, rights Rights) int64 {
	s.mu.Lock()
	cs := s.chatLocked(chat)
	old := s.setMemberLocked(cs.chat.ID, user, status, rights)
	u := models.Update{ChatMember: &models.ChatMemberUpdated{
		Chat: cs.chat, From: by, Date: int(time.Now().Unix()),
		OldChatMember: chatMemberModel(cs.chat, old), NewChatMember: chatMemberModel(cs.chat, s.memberLocked(cs.chat.ID, user.ID)),
	}}
	id := s.injectLocked(&u)
	s.mu.Unlock()
	s.deliverIfWebhook()
	return id
}

// RequestJoin injects a chat_join_request of user for the chat, made at
// (zero: now), with the bio. The bot may write to user_chat_id (the
// user's id) until JoinWindow after at, or until it decides the request.
func (s *Server) RequestJoin(chat models.Chat, user models.User, bio string, at time.Time) int64 {
	if at.IsZero() {
		at = time.Now()
	}
	s.mu.Lock()
	cs := s.chatLocked(chat)
	g := s.groupsLocked()
	if g.joins[cs.chat.ID] == nil {
		g.joins[cs.chat.ID] = map[int64]*joinRequest{}
	}
	g.joins[cs.chat.ID][user.ID] = &joinRequest{user: user, until: at.Add(JoinWindow)}
	if s.chats[user.ID] == nil {
		g.windowed[user.ID] = true
	}
	u := models.Update{ChatJoinRequest: &models.ChatJoinRequest{
		Chat: cs.chat, From: user, UserChatID: user.ID, Date: int(at.Unix()), Bio: bio,
	}}
	id := s.injectLocked(&u)
	s.mu.Unlock()
	s.deliverIfWebhook()
	return id
}

// JoinRequestState is "pending", "approved" or "declined" for a request
// of user to join the chat, "" when there was none.
func (s *Server) JoinRequestState(chatID, userID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	jr := s.groupsLocked().joins[chatID][userID]
	switch {
	case jr == nil:
		return ""
	case jr.decided == "":
		return "pending"
	}
	return jr.decided
}

// MemberStatus is user's status in the chat (StatusLeft when unknown).
func (s *Server) MemberStatus(chatID, userID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.memberLocked(chatID, userID); m != nil {
		return m.status
	}
	return StatusLeft
}

// InviteLinks returns the invite links the bot created for the chat.
func (s *Server) InviteLinks(chatID int64) []models.ChatInviteLink {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.groupsLocked().links[chatID])
}

// MigrateToSupergroup upgrades a basic group to a supergroup with a new
// id (-100…), members and all, and injects the two service messages
// Telegram sends: migrate_to_chat_id in the old group, by user, and
// migrate_from_chat_id in the new one. Sends to the old id then fail with
// 400 and migrate_to_chat_id. It returns the new id and the id of the
// last update.
func (s *Server) MigrateToSupergroup(chatID int64, by models.User) (newID, updateID int64) {
	s.mu.Lock()
	old := s.chatLocked(defaultChatOr(s, chatID))
	newID = supergroupIDLimit - (-chatID)
	g := s.groupsLocked()
	g.migrated[chatID] = newID
	sg := old.chat
	sg.ID, sg.Type = newID, models.ChatTypeSupergroup
	ncs := s.chatLocked(sg)
	g.members[newID] = map[int64]*member{}
	for id, m := range g.members[chatID] {
		cp := *m
		g.members[newID][id] = &cp
	}
	from := by
	u1 := models.Update{Message: &models.Message{From: &from, Chat: old.chat, MigrateToChatID: newID}}
	s.injectLocked(&u1)
	u2 := models.Update{Message: &models.Message{From: &from, Chat: ncs.chat, MigrateFromChatID: chatID}}
	updateID = s.injectLocked(&u2)
	s.mu.Unlock()
	s.deliverIfWebhook()
	return newID, updateID
}

func defaultChatOr(s *Server, id int64) models.Chat {
	if cs := s.chats[id]; cs != nil {
		return cs.chat
	}
	return defaultChat(id)
}

// PressGroupButton injects a callback_query from the user pressing a
// button with data on the bot's message messageID in a group or channel.
func (s *Server) PressGroupButton(from models.User, chatID int64, messageID int, data string) (updateID int64, callbackQueryID string) {
	s.mu.Lock()
	cs := s.chatLocked(defaultChatOr(s, chatID))
	msg := &models.Message{ID: messageID, Date: int(time.Now().Unix()), Chat: cs.chat, From: &s.bot}
	if sm := cs.message(messageID); sm != nil {
		cp := *sm.api
		msg = &cp
	}
	u := models.Update{CallbackQuery: &models.CallbackQuery{
		From:         from,
		Message:      models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: msg},
		ChatInstance: strconv.FormatInt(cs.chat.ID*7919+1234567890123, 10),
		Data:         data,
	}}
	updateID = s.injectLocked(&u)
	s.mu.Unlock()
	s.deliverIfWebhook()
	return updateID, u.CallbackQuery.ID
}

// groupWriteCheckLocked refuses writes Telegram would refuse for group
// reasons: a group upgraded to a supergroup, a chat the bot was removed
// from, an applicant whose window has closed.
func (s *Server) groupWriteCheckLocked(cs *chatState) *apiError {
	g := s.groupsLocked()
	id := cs.chat.ID
	if to, ok := g.migrated[id]; ok {
		e := badRequest("group chat was upgraded to a supergroup chat")
		e.migrateTo = to
		return e
	}
	if cs.chat.Type != models.ChatTypePrivate {
		if m := s.memberLocked(id, s.bot.ID); m.status == StatusLeft || m.status == StatusKicked {
			return forbiddenFor(string(cs.chat.Type))
		}
		return nil
	}
	if g.windowed[id] && !s.windowOpenLocked(id) {
		return forbidden("bot can't initiate conversation with a user")
	}
	return nil
}

// windowOpenLocked: some undecided join request of the user is in its window.
func (s *Server) windowOpenLocked(userID int64) bool {
	for _, reqs := range s.groupsLocked().joins {
		if jr := reqs[userID]; jr != nil && jr.decided == "" && time.Now().Before(jr.until) {
			return true
		}
	}
	return false
}

// applicantChatLocked makes the private chat of an applicant in their
// window writable, as user_chat_id is; after the window a user who never
// wrote to the bot cannot be written to.
func (s *Server) applicantChatLocked(ref string) (*chatState, *apiError) {
	id, err := strconv.ParseInt(strings.TrimSpace(ref), 10, 64)
	if err != nil || id <= 0 || !s.groupsLocked().windowed[id] {
		return nil, errChatNotFound
	}
	if !s.windowOpenLocked(id) {
		return nil, forbidden("bot can't initiate conversation with a user")
	}
	for _, reqs := range s.groupsLocked().joins {
		if jr := reqs[id]; jr != nil {
			return s.chatLocked(privateChat(jr.user)), nil
		}
	}
	return nil, errChatNotFound
}

// userSpokeLocked: a user who writes to the bot opens their chat for good.
func (s *Server) userSpokeLocked(chatID int64) {
	if s.grp != nil {
		delete(s.grp.windowed, chatID)
	}
}

// chatMemberModel is m as the models package reads it.
func chatMemberModel(chat models.Chat, m *member) models.ChatMember {
	var cm models.ChatMember
	_ = json.Unmarshal(chatMemberJSON(chat, m), &cm)
	return cm
}

// chatMemberJSON is m as Telegram writes a ChatMember.
func chatMemberJSON(chat models.Chat, m *member) []byte {
	obj := map[string]any{"status": m.status, "user": m.user}
	switch m.status {
	case StatusAdministrator:
		channel := chat.Type == models.ChatTypeChannel
		obj["can_be_edited"] = false
		obj["is_anonymous"] = false
		obj["can_manage_chat"] = true
		obj["can_delete_messages"] = false
		obj["can_manage_video_chats"] = false
		obj["can_restrict_members"] = false
		obj["can_promote_members"] = false
		obj["can_change_info"] = false
		obj["can_invite_users"] = m.rights.CanInviteUsers
		obj["can_post_stories"] = false
		obj["can_edit_stories"] = false
		obj["can_delete_stories"] = false
		if channel {
			obj["can_post_messages"] = m.rights.CanPostMessages
			obj["can_edit_messages"] = false
		} else {
			obj["can_pin_messages"] = false
		}
	case StatusCreator:
		obj["is_anonymous"] = false
	case StatusRestricted:
		obj["is_member"] = true
		obj["until_date"] = 0
	case StatusKicked:
		obj["until_date"] = 0
	}
	return jsonOf(obj)
}

// botInChatLocked resolves chat_id to a chat the bot is in.
func (s *Server) botInChatLocked(rq *request) (*chatState, *apiError) {
	cs, aerr := s.resolveChatLocked(rq.str("chat_id"))
	if aerr != nil {
		return nil, aerr
	}
	if to, ok := s.groupsLocked().migrated[cs.chat.ID]; ok {
		e := badRequest("group chat was upgraded to a supergroup chat")
		e.migrateTo = to
		return nil, e
	}
	if cs.chat.Type == models.ChatTypePrivate {
		return nil, badRequest("chat member status can't be changed in private chats")
	}
	if m := s.memberLocked(cs.chat.ID, s.bot.ID); m.status == StatusLeft || m.status == StatusKicked {
		return nil, forbiddenFor(string(cs.chat.Type))
	}
	return cs, nil
}

// errAdminRequired: the bot is in the chat but lacks the administrator
// right the method needs.
var errAdminRequired = badRequest("CHAT_ADMIN_REQUIRED")

// botCanInviteLocked checks the bot is an administrator who may invite.
func (s *Server) botCanInviteLocked(chatID int64) *apiError {
	m := s.memberLocked(chatID, s.bot.ID)
	if m.status != StatusAdministrator || !m.rights.CanInviteUsers {
		return errAdminRequired
	}
	return nil
}

func userIDParam(rq *request) (int64, *apiError) {
	id, ok := rq.int64Param("user_id")
	if !ok || id <= 0 {
		return 0, badRequest("invalid user_id specified")
	}
	return id, nil
}

func (s *Server) handleGetChatMember(rq *request) (any, *apiError) {
	if rq.noChat() {
		return nil, errChatIDEmpty
	}
	userID, aerr := userIDParam(rq)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.botInChatLocked(rq)
	if aerr != nil {
		return nil, aerr
	}
	m := s.memberLocked(cs.chat.ID, userID)
	if m == nil {
		m = &member{user: models.User{ID: userID, FirstName: "User" + strconv.FormatInt(userID, 10)}, status: StatusLeft}
	}
	return json.RawMessage(chatMemberJSON(cs.chat, m)), nil
}

func (s *Server) handleGetChatAdministrators(rq *request) (any, *apiError) {
	if rq.noChat() {
		return nil, errChatIDEmpty
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.botInChatLocked(rq)
	if aerr != nil {
		return nil, aerr
	}
	out := []json.RawMessage{}
	ids := make([]int64, 0)
	for id := range s.groupsLocked().members[cs.chat.ID] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		m := s.groupsLocked().members[cs.chat.ID][id]
		if m.status == StatusCreator || m.status == StatusAdministrator {
			out = append(out, chatMemberJSON(cs.chat, m))
		}
	}
	return out, nil
}

func (s *Server) handleCreateChatInviteLink(rq *request) (any, *apiError) {
	if rq.noChat() {
		return nil, errChatIDEmpty
	}
	name := rq.str("name")
	if len([]rune(name)) > 32 {
		return nil, badRequest("invite link name is too long")
	}
	joinRequest := rq.boolParam("creates_join_request")
	limit, hasLimit := rq.int64Param("member_limit")
	if hasLimit && limit != 0 {
		if joinRequest {
			return nil, badRequest("member limit can't be specified for links requiring administrator approval")
		}
		if limit < 1 || limit > 99999 {
			return nil, badRequest("wrong member limit specified")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.botInChatLocked(rq)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.botCanInviteLocked(cs.chat.ID); aerr != nil {
		return nil, aerr
	}
	g := s.groupsLocked()
	g.linkCount++
	link := models.ChatInviteLink{
		InviteLink: "https://t.me/+fake" + strconv.Itoa(g.linkCount) + randomString(12), Creator: s.bot,
		CreatesJoinRequest: joinRequest, Name: name, ExpireDate: rq.intParam("expire_date", 0), MemberLimit: int(limit),
	}
	g.links[cs.chat.ID] = append(g.links[cs.chat.ID], link)
	s.notifyLocked()
	return link, nil
}

func (s *Server) handleApproveChatJoinRequest(rq *request) (any, *apiError) {
	return s.decideJoinRequest(rq, true)
}

func (s *Server) handleDeclineChatJoinRequest(rq *request) (any, *apiError) {
	return s.decideJoinRequest(rq, false)
}

func (s *Server) decideJoinRequest(rq *request, approve bool) (any, *apiError) {
	if rq.noChat() {
		return nil, errChatIDEmpty
	}
	userID, aerr := userIDParam(rq)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.botInChatLocked(rq)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.botCanInviteLocked(cs.chat.ID); aerr != nil {
		return nil, aerr
	}
	if m := s.memberLocked(cs.chat.ID, userID); approve && m != nil &&
		(m.status == StatusMember || m.status == StatusAdministrator || m.status == StatusCreator) {
		return nil, badRequest("USER_ALREADY_PARTICIPANT")
	}
	jr := s.groupsLocked().joins[cs.chat.ID][userID]
	if jr == nil || jr.decided != "" {
		return nil, badRequest("HIDE_REQUESTER_MISSING")
	}
	if approve {
		jr.decided = "approved"
		s.setMemberLocked(cs.chat.ID, jr.user, StatusMember, Rights{})
	} else {
		jr.decided = "declined"
	}
	s.notifyLocked()
	return true, nil
}
