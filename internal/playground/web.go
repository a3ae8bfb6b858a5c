package playground

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"partnerbot/internal/faketelegram"
	"partnerbot/internal/zones"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"json": func(v any) (template.JS, error) {
		b, err := json.Marshal(v)
		return template.JS(b), err //nolint:gosec // json.Marshal escapes <, > and &
	},
}).ParseFS(templateFS, "templates/*.html"))

// Handler serves the page and its small HTTP API:
//
//	GET  /                 the page (?chat=<persona>, ?draft=<text>)
//	GET  /messages?chat=   the messages of a chat, as an HTML fragment
//	GET  /updates          server-sent events: what changed in which chat
//	GET  /file?chat=&msg=  a document the bot sent, as a download
//	POST /say              chat, text: the persona writes in the chat
//	POST /press            chat, msg, data: the persona presses a button
//	POST /clock            by=1h|1d: the clock moves forward
//	POST /reset            Start over
//
// POSTs answer JSON to scripts (Accept: application/json) and redirect to
// the page otherwise, so the page works without scripts too. Requests from
// other sites and for other host names are refused.
func (p *Playground) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", p.servePage)
	mux.HandleFunc("GET /messages", p.serveMessages)
	mux.HandleFunc("GET /updates", p.serveUpdates)
	mux.HandleFunc("GET /file", p.serveFile)
	mux.HandleFunc("POST /say", p.serveSay)
	mux.HandleFunc("POST /press", p.servePress)
	mux.HandleFunc("POST /clock", p.serveClock)
	mux.HandleFunc("POST /reset", p.serveReset)
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	return localOnly(http.NewCrossOriginProtection().Handler(mux))
}

// localOnly refuses requests whose Host is not a loopback name, so a web
// page elsewhere cannot reach the playground by DNS rebinding.
func localOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.Trim(host, "[]")
		if ip := net.ParseIP(host); !(host == "localhost" || ip != nil && ip.IsLoopback()) {
			http.Error(w, "the playground answers only to 127.0.0.1 and localhost", http.StatusMisdirectedRequest)
			return
		}
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Content-Security-Policy",
			"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

// persona finds the persona a request names, the first one by default.
func (p *Playground) persona(key string) (Persona, bool) {
	if key == "" {
		return p.personas[0], true
	}
	ps, ok := p.byKey[key]
	return ps, ok
}

type personaView struct {
	Key, Label, About, Initials string
	Group, Active               bool
	// Color picks the avatar's colour.
	Color int
}

type pageView struct {
	Personas    []personaView
	Active      personaView
	Messages    messagesView
	Commands    []models.BotCommand
	Draft       string
	Bot         string
	Gen         int
	Clock       string
	Zone        string
	OffsetMS    int64
	OffsetLabel string
	State       stateView
}

// messagesView is a chat's messages; Chat is the persona key.
type messagesView struct {
	Chat string
	List []messageView
}

type messageView struct {
	// Day, when set, starts a new day in the chat (by the playground clock).
	Day      string
	ID       int
	FromBot  bool
	Author   string
	HTML     template.HTML
	Time     string
	Edited   bool
	Keyboard [][]buttonView
	Document *documentView
}

type buttonView struct {
	Text string
	// Data is callback_data; Send a deep link's "/start ..." text; URL an
	// external link; Copy a copy_text button's text.
	Data, Send, URL, Copy string
	// SendChat is the persona key a Send button sends in, and Draft its
	// no-script link.
	SendChat, Draft string
}

type documentView struct {
	Name, Size, Href string
}

// stateView is what /updates reports and the page starts from.
type stateView struct {
	Gen      int                  `json:"gen"`
	OffsetMS int64                `json:"offset_ms"`
	Offset   string               `json:"offset_label"`
	Chats    map[string]chatState `json:"chats"`
}

type chatState struct {
	// Version changes whenever something in the chat changes.
	Version int `json:"v"`
	// BotMessages counts the bot's messages, for unread badges.
	BotMessages int `json:"n"`
}

func (p *Playground) state(s *session, sn *faketelegram.Snapshot) stateView {
	off := s.clock.Offset()
	st := stateView{Gen: s.gen, OffsetMS: off.Milliseconds(), Offset: offsetLabel(off), Chats: map[string]chatState{}}
	for _, ps := range p.personas {
		var cs chatState
		for _, m := range sn.History(ps.Chat.ID) {
			cs.Version += 1 + m.Edits
			if m.FromBot {
				cs.BotMessages++
			}
		}
		st.Chats[ps.Key] = cs
	}
	return st
}

func (p *Playground) servePage(w http.ResponseWriter, r *http.Request) {
	ps, ok := p.persona(r.URL.Query().Get("chat"))
	if !ok {
		http.Error(w, "no such chat", http.StatusNotFound)
		return
	}
	s := p.session()
	loc := zones.Load(zones.Default(ps.User.LanguageCode))
	v := pageView{
		Active: p.view(ps, ps.Key), Draft: r.URL.Query().Get("draft"), Bot: s.tg.BotUser().Username, Gen: s.gen,
		Clock: s.clock.Now().In(loc).Format("Mon 2 Jan 2006 15:04"), Zone: loc.String(),
		OffsetMS: s.clock.Offset().Milliseconds(), OffsetLabel: offsetLabel(s.clock.Offset()),
		Commands: commandsFor(s.tg.Commands(), ps),
	}
	for _, other := range p.personas {
		v.Personas = append(v.Personas, p.view(other, ps.Key))
	}
	v.Messages = p.messages(s, ps)
	var st stateView
	_ = s.tg.WaitUntil(time.Millisecond, func(sn *faketelegram.Snapshot) bool { st = p.state(s, sn); return true })
	v.State = st
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := templates.ExecuteTemplate(w, "page.html", v); err != nil {
		p.log.Error("playground: page", "err", err)
	}
}

// privateChatOf is the persona key of the private chat of the persona's
// user: a t.me link to the bot opens there, also when clicked in a group.
func (p *Playground) privateChatOf(ps Persona) string {
	for _, o := range p.personas {
		if o.User.ID == ps.User.ID && !o.Group() {
			return o.Key
		}
	}
	return ps.Key
}

func (p *Playground) view(ps Persona, active string) personaView {
	color := slices.IndexFunc(p.personas, func(o Persona) bool { return o.Key == ps.Key })
	return personaView{Key: ps.Key, Label: ps.Label, About: ps.About, Initials: ps.Initials, Group: ps.Group(),
		Active: ps.Key == active, Color: color}
}

func offsetLabel(d time.Duration) string {
	if d < time.Minute {
		return ""
	}
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("+%d d %d h", days, hours)
	case days > 0:
		return fmt.Sprintf("+%d d", days)
	case hours > 0:
		return fmt.Sprintf("+%d h", hours)
	}
	return fmt.Sprintf("+%d min", int(d/time.Minute))
}

// messages renders the persona's chat.
func (p *Playground) messages(s *session, ps Persona) messagesView {
	loc := zones.Load(zones.Default(ps.User.LanguageCode))
	l := links{bot: s.tg.BotUser().Username, chat: ps.Key, private: p.privateChatOf(ps)}
	var out []messageView
	lastDay := ""
	for _, m := range s.tg.History(ps.Chat.ID) {
		at := s.clock.At(m.Time).In(loc)
		mv := messageView{ID: m.ID, FromBot: m.FromBot, Edited: m.Edits > 0, Time: at.Format("15:04")}
		if day := at.Format("Monday, 2 January 2006"); day != lastDay {
			mv.Day, lastDay = day, day
		}
		if m.FromBot {
			mv.Author = s.tg.BotUser().FirstName
			mv.HTML = renderText(m.PlainText, m.Entities, l)
		} else {
			mv.Author = strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
			mv.HTML = template.HTML(template.HTMLEscapeString(m.Text)) //nolint:gosec // escaped
		}
		if d := m.Document; d != nil {
			mv.Document = &documentView{Name: d.FileName, Size: sizeLabel(len(d.Content)),
				Href: fmt.Sprintf("/file?chat=%s&msg=%d", ps.Key, m.ID)}
		}
		for _, row := range faketelegram.Buttons(m.Message) {
			var r []buttonView
			for _, b := range row {
				bv := buttonView{Text: b.Text, Data: b.CallbackData}
				if b.CopyText.Text != "" {
					bv.Copy = b.CopyText.Text
				}
				if b.URL != "" {
					if start, ok := l.deepLink(b.URL); ok {
						bv.Send, bv.SendChat = start, l.deepLinkChat()
						bv.Draft = "/?chat=" + bv.SendChat + "&draft=" + urlQueryEscape(start)
					} else {
						bv.URL = safeHref(b.URL)
					}
				}
				r = append(r, bv)
			}
			mv.Keyboard = append(mv.Keyboard, r)
		}
		out = append(out, mv)
	}
	return messagesView{Chat: ps.Key, List: out}
}

func sizeLabel(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KB", float64(n)/1024)
}

// commandsFor is the command menu Telegram would show the persona: the
// most specific list the bot set (chat, then all private or group chats,
// then default; each in the persona's language before any language).
func commandsFor(all map[faketelegram.CommandScope][]models.BotCommand, ps Persona) []models.BotCommand {
	var scopes []faketelegram.CommandScope
	chatScopes := []faketelegram.CommandScope{{Type: "chat", ChatID: ps.Chat.ID}}
	if ps.Group() {
		chatScopes = append([]faketelegram.CommandScope{{Type: "chat_member", ChatID: ps.Chat.ID, UserID: ps.User.ID}}, chatScopes...)
		chatScopes = append(chatScopes, faketelegram.CommandScope{Type: "all_group_chats"})
	} else {
		chatScopes = append(chatScopes, faketelegram.CommandScope{Type: "all_private_chats"})
	}
	chatScopes = append(chatScopes, faketelegram.CommandScope{Type: "default"})
	for _, sc := range chatScopes {
		withLang := sc
		withLang.LanguageCode = ps.User.LanguageCode
		scopes = append(scopes, withLang, sc)
	}
	for _, sc := range scopes {
		if cmds, ok := all[sc]; ok && len(cmds) > 0 {
			return cmds
		}
	}
	return nil
}

func (p *Playground) serveMessages(w http.ResponseWriter, r *http.Request) {
	ps, ok := p.persona(r.URL.Query().Get("chat"))
	if !ok {
		http.Error(w, "no such chat", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := templates.ExecuteTemplate(w, "messages", p.messages(p.session(), ps)); err != nil {
		p.log.Error("playground: messages", "err", err)
	}
}

// serveUpdates streams the state (stateView as JSON) each time it changes:
// a message sent or edited in any chat, the clock moved, a Start over.
func (p *Playground) serveUpdates(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ctx := r.Context()
	var last []byte
	for ctx.Err() == nil {
		s := p.session()
		var st stateView
		err := s.tg.WaitUntilContext(ctx, 15*time.Second, func(sn *faketelegram.Snapshot) bool {
			st = p.state(s, sn)
			b, _ := json.Marshal(st)
			return string(b) != string(last)
		})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if p.session() == s {
				// A keep-alive; or the server closed for a Start over not yet done.
				if _, err := fmt.Fprint(w, ": idle\n\n"); err != nil {
					return
				}
				flusher.Flush()
				sleep(ctx, 200*time.Millisecond)
			}
			continue
		}
		last, _ = json.Marshal(st)
		if _, err := fmt.Fprintf(w, "data: %s\n\n", last); err != nil {
			return
		}
		flusher.Flush()
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func (p *Playground) serveFile(w http.ResponseWriter, r *http.Request) {
	ps, ok := p.persona(r.URL.Query().Get("chat"))
	id, err := strconv.Atoi(r.URL.Query().Get("msg"))
	if !ok || err != nil {
		http.Error(w, "no such file", http.StatusNotFound)
		return
	}
	for _, m := range p.session().tg.Messages(ps.Chat.ID) {
		if m.ID != id || m.Document == nil {
			continue
		}
		name := m.Document.FileName
		if name == "" {
			name = "document"
		}
		w.Header().Set("Content-Type", m.Document.MimeType)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(m.Document.Content)
		return
	}
	http.Error(w, "no such file", http.StatusNotFound)
}

// wantsJSON tells a script's request from a plain form's.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func (p *Playground) answer(w http.ResponseWriter, r *http.Request, chat string, v any) {
	if wantsJSON(r) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
		return
	}
	http.Redirect(w, r, "/?chat="+urlQueryEscape(chat), http.StatusSeeOther)
}

func (p *Playground) serveSay(w http.ResponseWriter, r *http.Request) {
	ps, ok := p.persona(r.FormValue("chat"))
	text := strings.TrimSpace(r.FormValue("text"))
	if !ok || text == "" || len(text) > 4096 {
		http.Error(w, "a chat and a text of 1-4096 characters", http.StatusBadRequest)
		return
	}
	updateID, msgID := p.session().tg.SendChatMessage(ps.User, ps.Chat, text)
	p.answer(w, r, ps.Key, map[string]any{"update_id": updateID, "message_id": msgID})
}

// pressAnswerWait is how long /press waits for the bot to answer the
// callback query, to show its notification.
const pressAnswerWait = 5 * time.Second

func (p *Playground) servePress(w http.ResponseWriter, r *http.Request) {
	ps, ok := p.persona(r.FormValue("chat"))
	msgID, err := strconv.Atoi(r.FormValue("msg"))
	data := r.FormValue("data")
	if !ok || err != nil || data == "" {
		http.Error(w, "a chat, a message id and callback data", http.StatusBadRequest)
		return
	}
	tg := p.session().tg
	updateID, queryID := tg.PressButtonInChat(ps.User, ps.Chat, msgID, data)
	// Telegram shows the answer's text as a notification or an alert.
	var ans faketelegram.CallbackAnswer
	_ = tg.WaitUntilContext(r.Context(), pressAnswerWait, func(sn *faketelegram.Snapshot) bool {
		answers := sn.CallbackAnswers()
		i := slices.IndexFunc(answers, func(a faketelegram.CallbackAnswer) bool { return a.QueryID == queryID })
		if i >= 0 {
			ans = answers[i]
		}
		return i >= 0
	})
	p.answer(w, r, ps.Key, map[string]any{"update_id": updateID, "text": ans.Text, "alert": ans.ShowAlert})
}

func (p *Playground) serveClock(w http.ResponseWriter, r *http.Request) {
	var d time.Duration
	switch r.FormValue("by") {
	case "1h":
		d = time.Hour
	case "1d":
		d = 24 * time.Hour
	default:
		http.Error(w, "by=1h or by=1d", http.StatusBadRequest)
		return
	}
	c := p.session().clock
	c.Advance(d)
	p.log.Info("playground: clock moved", "by", d, "now", c.Now().Format(time.RFC3339))
	p.answer(w, r, r.FormValue("chat"), map[string]any{"offset_ms": c.Offset().Milliseconds(), "label": offsetLabel(c.Offset())})
}

func (p *Playground) serveReset(w http.ResponseWriter, r *http.Request) {
	if err := p.Reset(r.Context()); err != nil {
		p.log.Error("playground: start over", "err", err)
		http.Error(w, "start over failed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	p.answer(w, r, r.FormValue("chat"), map[string]any{"gen": p.session().gen})
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
