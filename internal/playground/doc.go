// Package playground lets anyone try partnerbot without Telegram: the real
// bot (the one assembly of internal/instance, on PostgreSQL, with its
// migrations) runs against the fake Bot API of internal/faketelegram, and a
// local web page looks and behaves like a Telegram chat with it.
//
// The page has several personas (Telegram users with their language_code,
// and a group chat) to switch between, renders the bot's messages as a
// Telegram client does (from the entities of its HTML, escaping everything
// else), makes inline keyboards work (callback buttons, URL buttons, t.me
// deep links to the bot as /start with the payload), shows edits in place,
// offers documents as downloads, receives what the bot sends on its own
// (reminders, announcements, contact requests) live over server-sent
// events, and moves a clock forward so reminders come due. The bot and the
// delivery engine read that clock through instance.Config.Now; River
// schedules by it too (delivery sets River's test clock from it), so a job
// whose time the clock passes is picked up by River's next scheduler round.
//
// The playground works in a database of its own (partnerbot_playground) on
// the PostgreSQL server it is given, made anew at every start and by "Start
// over", with the example towns and partnerships loaded and the German
// persona made a coordinator as `partnerbot grant` would.
//
// Moving the clock forward makes River's leader step down (its lease is
// timed by the same clock) and be elected again; its scheduler then makes
// the jobs whose time has come available. A reminder passed by "+1 day"
// goes out within a few seconds (1.6 s to 6 s measured).
//
// The playground uses the bot and the fake Bot API; neither knows it.
package playground
