package bot

import (
	"context"
	"errors"
	"html"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"partnerbot/internal/translate"
	"partnerbot/locales"
	"partnerbot/storage"
)

// Machine translation of what people write (issue 12): when a translator
// is configured (TRANSLATE_PROVIDER), project cards, event cards, contact
// introductions and broadcast copies in another language than the
// reader's carry a button "🌐 Show in <the reader's language>". It sends
// the translation, marked as machine-made, as a new message whose button
// turns it back into the original and again into the translation. When
// the translation fails the original comes with a short note. Without a
// translator none of this shows.

// writtenText is a text someone wrote, in parts (a project's title and
// description), as its reader may see it.
type writtenText struct {
	parts []textPart
	// owner wrote the text: the cached translation is theirs and goes
	// with their data.
	owner int64
}

// textPart is one part of a writtenText.
type textPart struct {
	text string
	// lang is the language the part is written in ("" not known).
	lang string
	// title parts are shown in bold.
	title bool
	// html is set for Telegram HTML (a broadcast): shown as it is,
	// translated as HTML (sendableHTML).
	html bool
}

// translateRow is the row with the button that shows a text in l's
// language, or nil when no translator is on or the text, in the languages
// langs, needs none.
func (a *App) translateRow(l *locales.Localizer, kind, ref string, langs ...string) []models.InlineKeyboardButton {
	if !a.tr.Enabled() {
		return nil
	}
	for _, lang := range langs {
		if translate.Needed(lang, l.Lang()) {
			return []models.InlineKeyboardButton{button(l.Plain("tr_button_show"), translateButton(kind, ref, trNew))}
		}
	}
	return nil
}

// addTranslateRow adds translateRow's row, if any, to kb and returns kb.
func (a *App) addTranslateRow(kb *models.InlineKeyboardMarkup, l *locales.Localizer, kind, ref string,
	langs ...string) *models.InlineKeyboardMarkup {
	if row := a.translateRow(l, kind, ref, langs...); row != nil {
		kb.InlineKeyboard = append(kb.InlineKeyboard, row)
	}
	return kb
}

// onTranslateButton shows a text in translation or as written. The
// presser must be allowed to read it (writtenTextFor): forged data about
// someone else's contact request or a hidden project is refused.
func (a *App) onTranslateButton(ctx context.Context, r *Request) error {
	kind, ref, view, ok := parseTranslateButton(r.Callback.Data)
	if !ok || !a.tr.Enabled() {
		return a.invalidButton(ctx, r)
	}
	w, err := a.writtenTextFor(ctx, r, kind, ref)
	if errors.Is(err, storage.ErrNotFound) {
		r.Log.Warn("refused translation of a text not for this reader", "kind", kind, "ref", ref)
		return a.invalidButton(ctx, r)
	}
	if err != nil {
		return err
	}
	a.ackButton(ctx, r)
	text, translated := a.originalText(r.Loc, w), false
	if view == trNew || view == trShow {
		text, translated = a.translatedText(ctx, r, w)
	}
	// The button turns to the other form; after a failure it tries again.
	next := button(r.Loc.Plain("tr_button_show"), translateButton(kind, ref, trShow))
	if translated {
		next = button(r.Loc.Plain("tr_button_original"), translateButton(kind, ref, trOriginal))
	}
	kb := keyboard([]models.InlineKeyboardButton{next})
	if view == trNew || view == trNewOriginal {
		return a.reply(ctx, r, text, kb)
	}
	return a.edit(ctx, r, text, kb)
}

// writtenTextFor loads the text of kind and ref if r's user may read it:
// a project they may see, any event, a contact request made to them, a
// broadcast they received (in the version they read). ErrNotFound
// otherwise.
func (a *App) writtenTextFor(ctx context.Context, r *Request, kind, ref string) (writtenText, error) {
	if kind == trProject {
		p, err := a.visibleProject(ctx, r, ref)
		return writtenText{owner: p.OwnerID, parts: []textPart{
			{text: p.Title, lang: p.TitleLang, title: true}, {text: p.Description, lang: p.DescriptionLang}}}, err
	}
	id, _ := parseID(ref)
	switch kind {
	case trEvent:
		e, err := a.store.Event(ctx, id)
		return writtenText{owner: e.CreatedBy, parts: []textPart{
			{text: e.Title, lang: e.TextLang, title: true}, {text: e.Description, lang: e.TextLang}}}, err
	case trContact:
		c, err := a.store.ContactRequest(ctx, id)
		if err == nil && c.OwnerID != r.User.ID {
			err = storage.ErrNotFound
		}
		return writtenText{owner: c.RequesterID, parts: []textPart{{text: c.Intro, lang: c.IntroLang}}}, err
	case trBroadcast:
		b, err := a.store.Broadcast(ctx, id)
		if err == nil {
			_, err = a.store.BroadcastCopyOf(ctx, id, r.User.ID)
		}
		if err != nil {
			return writtenText{}, err
		}
		p, err := a.store.Profile(ctx, r.User.ID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return writtenText{}, err
		}
		lang, _ := pickVersion(b.Versions, b.AuthorLang, r.Loc.Lang(), p.Languages)
		return writtenText{owner: b.AuthorID, parts: []textPart{{text: b.Versions[lang], lang: lang, html: true}}}, nil
	}
	return writtenText{}, storage.ErrNotFound
}

// originalText is w as written, under a line that says so.
func (a *App) originalText(l *locales.Localizer, w writtenText) string {
	texts := make([]string, len(w.parts))
	for i, p := range w.parts {
		texts[i] = p.text
	}
	return l.T("tr_original_head") + "\n\n" + joinParts(w, texts)
}

// translatedText is w in the reader's language, marked as a machine
// translation (ok); when a part cannot be translated, w as written with a
// short note why.
func (a *App) translatedText(ctx context.Context, r *Request, w writtenText) (text string, ok bool) {
	l := r.Loc
	texts := make([]string, len(w.parts))
	var from []string
	provider := ""
	for i, p := range w.parts {
		texts[i] = p.text
		if !translate.Needed(p.lang, l.Lang()) {
			continue
		}
		res, err := a.tr.Translate(ctx, translate.Request{Text: p.text, From: p.lang, To: l.Lang(), Owner: w.owner,
			HTML: p.html})
		if err != nil {
			r.Log.Warn("translation failed", "err", err, "reason", translate.Reason(err))
			return l.T(failureNote(err)) + "\n\n" + a.originalText(l, w), false
		}
		if !res.Machine {
			continue
		}
		texts[i], provider = res.Text, res.Provider
		if p.html {
			texts[i] = a.sendableHTML(ctx, res.Text)
		}
		if !slices.Contains(from, res.From) {
			from = append(from, res.From)
		}
	}
	if provider == "" {
		// Nothing was in another language after all.
		return a.originalText(l, w), false
	}
	names := make([]string, len(from))
	for i, f := range from {
		names[i] = l.Plain("lang_list_" + f)
	}
	text = machineHead(l, strings.Join(names, ", "), provider) + "\n\n" + joinParts(w, texts)
	if utf8.RuneCountInString(text) > maxTranslationMessage {
		// Translations run longer than their originals: one that no
		// longer fits a message is not shown.
		r.Log.Warn("translation too long for a message", "chars", utf8.RuneCountInString(text))
		return l.T("tr_failed") + "\n\n" + a.originalText(l, w), false
	}
	return text, true
}

// maxTranslationMessage is the longest message of a translation, in
// characters of its HTML: Telegram takes 4096 of the text it shows.
const maxTranslationMessage = 4000

// machineHead is the line that marks a machine translation from the
// languages named by from, made by provider.
func machineHead(l *locales.Localizer, from, provider string) string {
	return l.T("tr_machine_head", "Language", from, "Provider", l.Plain("tr_provider_"+provider))
}

// joinParts lays out the texts of w's parts: titles in bold, parts apart.
// Texts of HTML parts are inserted as they are, the others escaped.
func joinParts(w writtenText, texts []string) string {
	out := make([]string, 0, len(texts))
	for i, p := range w.parts {
		t := texts[i]
		if !p.html {
			t = html.EscapeString(t)
		}
		if t == "" {
			continue
		}
		if p.title {
			t = "<b>" + t + "</b>"
		}
		out = append(out, t)
	}
	return strings.Join(out, "\n\n")
}

// failureNote is the message id of the note shown with the original when
// the translation failed with err.
func failureNote(err error) string {
	switch translate.Reason(err) {
	case "budget", "quota":
		return "tr_failed_limit"
	case "busy", "unavailable":
		return "tr_failed_later"
	}
	return "tr_failed"
}

// sendableHTML is a service's translation of Telegram HTML as the bot can
// send it. The services keep the tags and translate the text between
// them, but neither promises markup Telegram takes (DeepL may move tags,
// and neither knows Telegram's few tags and strict entities): a
// translation that is no longer HTML the bot would send itself
// (checkBroadcastHTML) goes out as its plain text, escaped, so that
// Telegram never refuses the message; the formatting is lost then, the
// words are not.
func (a *App) sendableHTML(ctx context.Context, translated string) string {
	if p, ok := checkBroadcastHTML(translated); !ok {
		a.log.WarnContext(ctx, "translated HTML not sendable, sent as its text", "problem", p.ID)
		return html.EscapeString(plainOf(translated))
	}
	return translated
}

// machineText is a broadcast's version translated for a recipient who
// reads none of its languages (Telegram HTML).
type machineText struct {
	text, from, provider string
}

// machineVersion translates the version of b that v's recipient would
// otherwise read with a note (one in none of their languages), when a
// translator is on. The cache makes it one translation per language, not
// per recipient. Zero when not needed, or when the translation fails: the
// copy then goes out with the note.
func (a *App) machineVersion(ctx context.Context, b storage.Broadcast, v copyView) machineText {
	lang, note := pickVersion(b.Versions, b.AuthorLang, v.L.Lang(), v.Profile)
	if !note || !a.tr.Enabled() {
		return machineText{}
	}
	res, err := a.tr.Translate(ctx, translate.Request{Text: b.Versions[lang], From: lang, To: v.L.Lang(),
		Owner: b.AuthorID, HTML: true})
	if err != nil {
		a.log.WarnContext(ctx, "broadcast version not translated", "broadcast_id", b.ID, "to", v.L.Lang(), "err", err)
		return machineText{}
	}
	// The copy keeps to the version's own limit; a translation past it
	// (they run longer) goes out as the version with its note.
	limit := maxBroadcastText
	if b.MediaFileID != "" {
		limit = maxBroadcastCaption
	}
	if !res.Machine {
		return machineText{}
	}
	text := a.sendableHTML(ctx, res.Text)
	if utf8.RuneCountInString(plainOf(text)) > limit {
		return machineText{}
	}
	return machineText{text: text, from: res.From, provider: res.Provider}
}

// copyText is the text of b's version lang for v's recipient and the row
// of its translation button: the machine translation, marked, when there
// is one (its button sends the original); else the version, with a note
// when it is in none of the recipient's languages (note), and a button to
// translate it when it is in another language than theirs.
func (a *App) copyText(b storage.Broadcast, lang string, note bool, v copyView) (string, []models.InlineKeyboardButton) {
	l, ref := v.L, formatID(b.ID)
	if v.Machine.text != "" {
		return machineHead(l, l.Plain("lang_list_"+v.Machine.from), v.Machine.provider) + "\n\n" + v.Machine.text,
			[]models.InlineKeyboardButton{button(l.Plain("tr_button_original"), translateButton(trBroadcast, ref, trNewOriginal))}
	}
	text := b.Versions[lang]
	if note {
		text = l.T("bc_note_language", "Language", l.Plain("lang_list_"+lang)) + "\n\n" + text
	}
	return text, a.translateRow(l, trBroadcast, ref, lang)
}
