package faketelegram

import (
	"encoding/json"
	"reflect"
	"time"

	"github.com/go-telegram/bot/models"
)

// outgoing is a message the bot asked to send.
type outgoing struct {
	method  string
	text    formattedText
	markup  *replyMarkup
	doc     *Document
	photo   *Photo
	limit   int
	tooLong *apiError
}

// jsonOf marshals a result while the lock is held: some model types write
// to themselves while marshalling, and stored messages are shared.
func jsonOf(v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		panic("faketelegram: marshal result: " + err.Error())
	}
	return raw
}

func (s *Server) handleSendMessage(rq *request) (any, *apiError) {
	if rq.noChat() {
		return nil, errChatIDEmpty
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ft, markup, aerr := s.textAndMarkupLocked(rq)
	if aerr != nil {
		return nil, aerr
	}
	api, aerr := s.sendLocked(rq, outgoing{
		method: "sendMessage", text: ft, markup: markup, limit: maxMessageLength, tooLong: errTextTooLong,
	})
	if aerr != nil {
		return nil, aerr
	}
	return jsonOf(api), nil
}

// sendLocked runs the checks all sends share, after the parameter checks,
// and stores the new message.
func (s *Server) sendLocked(rq *request, out outgoing) (*models.Message, *apiError) {
	cs, aerr := s.writableChatLocked(rq.str("chat_id"))
	if aerr != nil {
		return nil, aerr
	}
	if out.doc == nil && out.photo == nil && out.text.plain == "" {
		return nil, errTextEmpty
	}
	if aerr := out.text.checkLength(out.limit, out.tooLong); aerr != nil {
		return nil, aerr
	}
	if out.markup != nil && out.markup.badData {
		return nil, errButtonData
	}
	replyTo, aerr := replyTargetLocked(cs, rq)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.checkRateLocked(cs.chat.ID); aerr != nil {
		return nil, aerr
	}
	now := time.Now()
	from := s.bot
	api := &models.Message{
		ID: cs.nextMessageID(), From: &from, Date: int(now.Unix()), Chat: cs.chat,
		ReplyToMessage: replyTo, ReplyMarkup: inlineOf(out.markup),
	}
	rec := Message{
		ID: api.ID, ChatID: cs.chat.ID, Method: out.method, Document: out.doc, Photo: out.photo, Time: now,
	}
	rec.setText(out.text)
	rec.setMarkup(out.markup)
	if replyTo != nil {
		rec.ReplyToMessageID = replyTo.ID
	}
	switch {
	case out.doc != nil:
		api.Document = apiDocument(out.doc)
		api.Caption, api.CaptionEntities = out.text.plain, out.text.entities
	case out.photo != nil:
		api.Photo = apiPhoto(out.photo)
		api.Caption, api.CaptionEntities = out.text.plain, out.text.entities
	default:
		api.Text, api.Entities = out.text.plain, out.text.entities
	}
	cs.store(&storedMessage{api: api, rec: rec, fromBot: true})
	cs.events = append(cs.events, rec)
	s.notifyLocked()
	return api, nil
}

func (m *Message) setText(ft formattedText) {
	m.Text, m.PlainText, m.ParseMode, m.Entities = ft.raw, ft.plain, ft.parseMode, ft.entities
}

func (m *Message) setMarkup(rm *replyMarkup) {
	m.ReplyMarkup, m.ReplyKeyboard, m.RemoveKeyboard, m.RawReplyMarkup = nil, nil, false, ""
	if rm != nil {
		m.ReplyMarkup, m.ReplyKeyboard, m.RemoveKeyboard, m.RawReplyMarkup = rm.inline, rm.keyboard, rm.remove, rm.raw
	}
}

// replyTargetLocked resolves reply_parameters (or the older
// reply_to_message_id) to the message replied to.
func replyTargetLocked(cs *chatState, rq *request) (*models.Message, *apiError) {
	var rp struct {
		MessageID                int  `json:"message_id"`
		AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
	}
	if raw := rq.str("reply_parameters"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &rp); err != nil {
			return nil, badRequest("can't parse reply parameters JSON object")
		}
	} else {
		rp.MessageID = rq.intParam("reply_to_message_id", 0)
		rp.AllowSendingWithoutReply = rq.boolParam("allow_sending_without_reply")
	}
	if rp.MessageID <= 0 {
		return nil, nil
	}
	sm := cs.message(rp.MessageID)
	if sm == nil {
		if rp.AllowSendingWithoutReply {
			return nil, nil
		}
		return nil, errReplyNotFound
	}
	target := *sm.api
	target.ReplyToMessage = nil
	return &target, nil
}

// editTargetLocked finds the bot message an edit method names.
func (s *Server) editTargetLocked(rq *request) (*chatState, *storedMessage, *apiError) {
	cs, aerr := s.writableChatLocked(rq.str("chat_id"))
	if aerr != nil {
		return nil, nil, aerr
	}
	id, _ := rq.int64Param("message_id")
	sm := cs.message(int(id))
	if sm == nil {
		return nil, nil, errEditNotFound
	}
	if !sm.fromBot {
		return nil, nil, errCantEdit
	}
	return cs, sm, nil
}

// checkEditParams checks what every edit method needs before the lock.
func checkEditParams(rq *request) *apiError {
	if rq.str("inline_message_id") != "" {
		return errInlineUnsupported
	}
	if rq.noChat() {
		return errChatIDEmpty
	}
	if id, ok := rq.int64Param("message_id"); !ok || id <= 0 {
		return errNoMessageID
	}
	return nil
}

// editMarkupParam checks what an edit of a message's caption or keyboard
// needs (checkEditParams) and reads its reply_markup.
func editMarkupParam(rq *request) (*replyMarkup, *apiError) {
	if aerr := checkEditParams(rq); aerr != nil {
		return nil, aerr
	}
	return parseReplyMarkup(rq.str("reply_markup"))
}

func (s *Server) handleEditMessageText(rq *request) (any, *apiError) {
	if aerr := checkEditParams(rq); aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ft, markup, aerr := s.textAndMarkupLocked(rq)
	if aerr != nil {
		return nil, aerr
	}
	cs, sm, aerr := s.editTargetLocked(rq)
	if aerr != nil {
		return nil, aerr
	}
	if sm.api.Text == "" {
		return nil, errNoTextToEdit
	}
	if ft.plain == "" {
		return nil, errTextEmpty
	}
	inline, aerr := checkContentEdit(ft, markup, maxMessageLength, errTextTooLong, sm.api.Text, sm.api.Entities, sm.api.ReplyMarkup)
	if aerr != nil {
		return nil, aerr
	}
	api := *sm.api
	api.Text, api.Entities, api.ReplyMarkup = ft.plain, ft.entities, inline
	rec := sm.rec
	rec.setText(ft)
	rec.setMarkup(editMarkup(markup))
	return jsonOf(s.applyEditLocked(cs, sm, &api, rec, "editMessageText")), nil
}

// checkContentEdit checks an edit of a message's text or caption (now
// plain with entities, under keyboard) to ft with markup: its length
// against limit, the buttons, and that it changes something. It returns
// the new inline keyboard.
func checkContentEdit(ft formattedText, markup *replyMarkup, limit int, tooLong *apiError, plain string,
	entities []models.MessageEntity, keyboard *models.InlineKeyboardMarkup) (*models.InlineKeyboardMarkup, *apiError) {
	if aerr := ft.checkLength(limit, tooLong); aerr != nil {
		return nil, aerr
	}
	if markup != nil && markup.badData {
		return nil, errButtonData
	}
	inline := inlineOf(markup)
	if ft.plain == plain && sameEntities(ft.entities, entities) && sameInline(inline, keyboard) {
		return nil, errNotModified
	}
	return inline, nil
}

func (s *Server) handleEditMessageReplyMarkup(rq *request) (any, *apiError) {
	markup, aerr := editMarkupParam(rq)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, sm, aerr := s.editTargetLocked(rq)
	if aerr != nil {
		return nil, aerr
	}
	if markup != nil && markup.badData {
		return nil, errButtonData
	}
	inline := inlineOf(markup)
	if sameInline(inline, sm.api.ReplyMarkup) {
		return nil, errNotModified
	}
	api := *sm.api
	api.ReplyMarkup = inline
	rec := sm.rec
	rec.setMarkup(editMarkup(markup))
	return jsonOf(s.applyEditLocked(cs, sm, &api, rec, "editMessageReplyMarkup")), nil
}

// editMarkup keeps only what an edit can set: an inline keyboard.
func editMarkup(m *replyMarkup) *replyMarkup {
	if m == nil || m.inline == nil {
		return nil
	}
	return m
}

// applyEditLocked stores the edited message and records the edit event.
func (s *Server) applyEditLocked(cs *chatState, sm *storedMessage, api *models.Message, rec Message, method string) *models.Message {
	now := time.Now()
	api.EditDate = int(now.Unix())
	rec.Edited, rec.Time = true, now
	sm.api, sm.rec = api, rec
	event := rec
	event.Method = method
	cs.events = append(cs.events, event)
	s.notifyLocked()
	return api
}

func sameEntities(a, b []models.MessageEntity) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	return reflect.DeepEqual(a, b)
}

func (s *Server) handleDeleteMessage(rq *request) (any, *apiError) {
	if rq.noChat() {
		return nil, errChatIDEmpty
	}
	id, ok := rq.int64Param("message_id")
	if !ok || id <= 0 {
		return nil, errNoMessageID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.writableChatLocked(rq.str("chat_id"))
	if aerr != nil {
		return nil, aerr
	}
	sm := cs.message(int(id))
	if sm == nil {
		return nil, errDeleteNotFound
	}
	if !sm.fromBot && cs.chat.Type != models.ChatTypePrivate {
		return nil, errCantDelete
	}
	sm.deleted = true
	s.notifyLocked()
	return true, nil
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

func (s *Server) handleSendChatAction(rq *request) (any, *apiError) {
	if rq.noChat() {
		return nil, errChatIDEmpty
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, aerr := s.writableChatLocked(rq.str("chat_id")); aerr != nil {
		return nil, aerr
	}
	if !chatActions[rq.str("action")] {
		return nil, errWrongChatAction
	}
	return true, nil
}

// textAndMarkupLocked reads the text, formatting and reply_markup that
// sendMessage and editMessageText share, with Telegram's checks.
func (s *Server) textAndMarkupLocked(rq *request) (formattedText, *replyMarkup, *apiError) {
	if rq.str("text") == "" {
		return formattedText{}, nil, errTextEmpty
	}
	markup, aerr := parseReplyMarkup(rq.str("reply_markup"))
	if aerr != nil {
		return formattedText{}, nil, aerr
	}
	ft, aerr := formatText(rq.str("text"), rq.str("parse_mode"), rq.str("entities"), s.strictHTML)
	return ft, markup, aerr
}
