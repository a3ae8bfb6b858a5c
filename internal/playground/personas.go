package playground

import (
	"github.com/go-telegram/bot/models"
)

// Persona is one chat of the page: a Telegram user in their private chat
// with the bot, or a user speaking in a group the bot is in. The labels
// are page chrome, in English; everything the bot says comes from locales.
type Persona struct {
	// Key names the persona in the page's URLs.
	Key string
	// Label is what the page calls the chat; About says who this is.
	Label, About string
	// Initials stand in for a profile picture.
	Initials string
	// User is who writes, with Telegram's language_code.
	User models.User
	// Chat is the chat written in: the user's private chat or a group.
	Chat models.Chat
	// Coordinator personas get the role at start, as `partnerbot grant`
	// gives it.
	Coordinator bool
}

// Group reports whether the persona speaks in a group chat.
func (p Persona) Group() bool { return p.Chat.Type != models.ChatTypePrivate }

func private(id int64, first, last, username, lang string) (models.User, models.Chat) {
	u := models.User{ID: id, FirstName: first, LastName: last, Username: username, LanguageCode: lang}
	return u, models.Chat{ID: id, Type: models.ChatTypePrivate, FirstName: first, LastName: last, Username: username}
}

// Personas are the chats of the playground, in the order of the chat list.
// Their Telegram ids are fixed, so a kept database still knows them after a
// restart.
func Personas() []Persona {
	olena, olenaChat := private(7100001, "Olena", "Kovalenko", "olena_ichnia", "uk")
	katrin, katrinChat := private(7100002, "Katrin", "Vogel", "katrin_grevesmuehlen", "de")
	astrid, astridChat := private(7100003, "Astrid", "Lindqvist", "astrid_laxa", "sv")
	camille, camilleChat := private(7100004, "Camille", "Martin", "camille_fr", "fr")
	taras, tarasChat := private(7100005, "Taras", "Melnyk", "taras_youth", "uk")
	group := models.Chat{ID: -1007100000001, Type: models.ChatTypeSupergroup, Title: "Youth exchange Ichnia ⇄ Grevesmühlen"}
	return []Persona{
		{Key: "olena", Label: "Olena Kovalenko", About: "volunteer in Ichnia · uk", Initials: "OK", User: olena, Chat: olenaChat},
		{Key: "katrin", Label: "Katrin Vogel", About: "coordinator in Grevesmühlen · de", Initials: "KV", User: katrin, Chat: katrinChat,
			Coordinator: true},
		{Key: "astrid", Label: "Astrid Lindqvist", About: "volunteer in Laxå · sv", Initials: "AL", User: astrid, Chat: astridChat},
		{Key: "camille", Label: "Camille Martin", About: "volunteer in France · fr", Initials: "CM", User: camille, Chat: camilleChat},
		{Key: "youth", Label: group.Title, About: "group chat · Taras writes · uk", Initials: "YE", User: taras, Chat: group},
		{Key: "taras", Label: "Taras Melnyk", About: "youth worker in Ichnia, private chat · uk", Initials: "TM", User: taras, Chat: tarasChat},
	}
}
