package faketelegram

import (
	"bytes"
	"fmt"
	"mime"
	"net/url"
	"path"
	"strings"

	"github.com/go-telegram/bot/models"
)

func (s *Server) handleSendDocument(rq *request) (any, *apiError) {
	return s.sendCaptioned(rq, "sendDocument", func() (outgoing, *apiError) {
		doc, aerr := s.documentLocked(rq)
		return outgoing{doc: doc}, aerr
	})
}

// sendCaptioned is a send of a file with a caption (sendDocument,
// sendPhoto): attach finds the file, under the lock.
func (s *Server) sendCaptioned(rq *request, method string, attach func() (outgoing, *apiError)) (any, *apiError) {
	if rq.noChat() {
		return nil, errChatIDEmpty
	}
	markup, aerr := parseReplyMarkup(rq.str("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out, aerr := attach()
	if aerr != nil {
		return nil, aerr
	}
	ft, aerr := formatText(rq.str("caption"), rq.str("parse_mode"), rq.str("caption_entities"), s.strictHTML)
	if aerr != nil {
		return nil, aerr
	}
	if out.doc != nil {
		out.doc.Caption = ft.raw
	}
	if out.photo != nil {
		out.photo.Caption = ft.raw
	}
	out.method, out.text, out.markup, out.limit, out.tooLong = method, ft, markup, maxCaptionLength, errCaptionTooLong
	api, aerr := s.sendLocked(rq, out)
	if aerr != nil {
		return nil, aerr
	}
	return jsonOf(api), nil
}

// documentLocked finds the document of a sendDocument: an uploaded file
// part, an attach://<part>, a URL or the file_id of an earlier upload.
func (s *Server) documentLocked(rq *request) (*Document, *apiError) {
	ref, f := rq.fileParam("document")
	switch {
	case f != nil:
		if len(f.data) == 0 {
			return nil, errEmptyFile
		}
		doc := &Document{FileID: s.newFileIDLocked(), FileName: f.fileName, MimeType: mimeTypeOf(f.fileName), Content: f.data}
		stored := *doc
		stored.Content = bytes.Clone(f.data)
		s.files[doc.FileID] = &stored
		return doc, nil
	case ref == "" || strings.HasPrefix(ref, "attach://"):
		return nil, errNoDocument
	case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
		u, err := url.Parse(ref)
		if err != nil || u.Host == "" {
			return nil, errWrongFileID
		}
		name := path.Base(u.Path)
		return &Document{FileID: s.newFileIDLocked(), FileName: name, MimeType: mimeTypeOf(name)}, nil
	}
	if s.photos[ref] {
		return nil, errPhotoAsDoc
	}
	known := s.files[ref]
	if known == nil {
		return nil, errWrongFileID
	}
	doc := *known
	doc.Content = bytes.Clone(known.Content)
	return &doc, nil
}

// fileParam reads the file parameter name: its value (a file_id, a URL or
// attach://<part>) and the uploaded file it names, if any.
func (rq *request) fileParam(name string) (ref string, f *upload) {
	ref = rq.str(name)
	f = rq.files[name]
	if part, ok := strings.CutPrefix(ref, "attach://"); ok {
		f = rq.files[part]
	}
	return ref, f
}

func (s *Server) newFileIDLocked() string {
	s.fileSeq++
	return fmt.Sprintf("BQACAgIAAxkDAAI%06dZ%s", s.fileSeq, randomString(30))
}

func mimeTypeOf(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		if mt, _, err := mime.ParseMediaType(t); err == nil {
			return mt
		}
	}
	return "application/octet-stream"
}

// apiDocument is the Document object Telegram returns.
func apiDocument(d *Document) *models.Document {
	unique := d.FileID
	if len(unique) > 16 {
		unique = unique[len(unique)-16:]
	}
	return &models.Document{
		FileID: d.FileID, FileUniqueID: "AgAD" + unique, FileName: d.FileName,
		MimeType: d.MimeType, FileSize: int64(len(d.Content)),
	}
}
