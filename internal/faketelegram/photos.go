package faketelegram

import (
	"fmt"
	"strings"

	"github.com/go-telegram/bot/models"
)

// Photo is a photo the bot sent.
type Photo struct {
	// FileID is the file_id of its largest size, as the bot passed it or
	// as Telegram assigned it to an upload.
	FileID string
	// Caption is the caption exactly as the bot sent it.
	Caption string
}

var (
	errNoPhoto        = badRequest("there is no photo in the request")
	errPhotoAsDoc     = badRequest("wrong file identifier/HTTP URL specified: can't use file of type Photo as Document")
	errDocAsPhoto     = badRequest("wrong file identifier/HTTP URL specified: can't use file of type Document as Photo")
	errNoCaptionToEdt = badRequest("there is no caption in the message to edit")
)

// SendPhoto injects a photo with caption from the user in their private
// chat with the bot, as Telegram delivers it: the photo in two sizes, each
// with its file_id, which the bot may send on. It returns the update id
// and the file_id of the largest size.
func (s *Server) SendPhoto(from models.User, caption string) (updateID int64, fileID string) {
	s.mu.Lock()
	sizes := []models.PhotoSize{{Width: 90, Height: 60}, {Width: 1280, Height: 853}}
	for i := range sizes {
		sizes[i].FileID = s.newPhotoIDLocked()
		sizes[i].FileUniqueID = "AQAD" + sizes[i].FileID[len(sizes[i].FileID)-12:]
		sizes[i].FileSize = sizes[i].Width * sizes[i].Height / 8
	}
	s.mu.Unlock()
	sender := from
	id := s.Inject(models.Update{Message: &models.Message{From: &sender, Chat: privateChat(from), Photo: sizes, Caption: caption}})
	return id, sizes[len(sizes)-1].FileID
}

// SendDocument injects a document (a file of fileName holding content)
// from the user in their private chat with the bot. It returns the update
// id and the document's file_id, which the bot may send on.
func (s *Server) SendDocument(from models.User, fileName string, content []byte) (updateID int64, fileID string) {
	s.mu.Lock()
	doc := &Document{FileID: s.newFileIDLocked(), FileName: fileName, MimeType: mimeTypeOf(fileName), Content: content}
	stored := *doc
	s.files[doc.FileID] = &stored
	s.mu.Unlock()
	sender := from
	id := s.Inject(models.Update{Message: &models.Message{From: &sender, Chat: privateChat(from), Document: apiDocument(doc)}})
	return id, doc.FileID
}

func (s *Server) newPhotoIDLocked() string {
	s.fileSeq++
	id := fmt.Sprintf("AgACAgIAAxkBAAI%06dZ%s", s.fileSeq, randomString(30))
	s.photos[id] = true
	return id
}

func (s *Server) handleSendPhoto(rq *request) (any, *apiError) {
	return s.sendCaptioned(rq, "sendPhoto", func() (outgoing, *apiError) {
		photo, aerr := s.photoLocked(rq)
		return outgoing{photo: photo}, aerr
	})
}

// photoLocked finds the photo of a sendPhoto: an uploaded file part, an
// attach://<part>, a URL or the file_id of a photo Telegram knows.
func (s *Server) photoLocked(rq *request) (*Photo, *apiError) {
	ref, f := rq.fileParam("photo")
	switch {
	case f != nil:
		if len(f.data) == 0 {
			return nil, errEmptyFile
		}
		return &Photo{FileID: s.newPhotoIDLocked()}, nil
	case ref == "" || strings.HasPrefix(ref, "attach://"):
		return nil, errNoPhoto
	case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
		return &Photo{FileID: s.newPhotoIDLocked()}, nil
	case s.files[ref] != nil:
		return nil, errDocAsPhoto
	case !s.photos[ref]:
		return nil, errWrongFileID
	}
	return &Photo{FileID: ref}, nil
}

// apiPhoto is the sizes of a sent photo as Telegram returns them (one
// here: the one the bot sent).
func apiPhoto(p *Photo) []models.PhotoSize {
	return []models.PhotoSize{{FileID: p.FileID, FileUniqueID: "AQAD" + p.FileID[max(0, len(p.FileID)-12):], Width: 1280, Height: 853}}
}

// handleEditMessageCaption edits the caption (and inline keyboard) of a
// photo or document the bot sent.
func (s *Server) handleEditMessageCaption(rq *request) (any, *apiError) {
	markup, aerr := editMarkupParam(rq)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ft, aerr := formatText(rq.str("caption"), rq.str("parse_mode"), rq.str("caption_entities"), s.strictHTML)
	if aerr != nil {
		return nil, aerr
	}
	cs, sm, aerr := s.editTargetLocked(rq)
	if aerr != nil {
		return nil, aerr
	}
	if sm.api.Document == nil && len(sm.api.Photo) == 0 {
		return nil, errNoCaptionToEdt
	}
	inline, aerr := checkContentEdit(ft, markup, maxCaptionLength, errCaptionTooLong, sm.api.Caption, sm.api.CaptionEntities, sm.api.ReplyMarkup)
	if aerr != nil {
		return nil, aerr
	}
	api := *sm.api
	api.Caption, api.CaptionEntities, api.ReplyMarkup = ft.plain, ft.entities, inline
	rec := sm.rec.clone()
	rec.setText(ft)
	rec.setMarkup(editMarkup(markup))
	if rec.Document != nil {
		rec.Document.Caption = ft.raw
	}
	if rec.Photo != nil {
		p := *rec.Photo
		p.Caption = ft.raw
		rec.Photo = &p
	}
	return jsonOf(s.applyEditLocked(cs, sm, &api, rec, "editMessageCaption")), nil
}
