/*
Package bot is partnerbot's Telegram side: the handlers of every command,
button and dialogue, and the renderers of every message the bot sends on its
own initiative. It reads like the conversations it serves; transport
(package bot/intake), PostgreSQL (package storage) and paced sending
(package delivery) live elsewhere, and internal/instance puts them together.

# How an update flows

 1. Intake (bot/intake) receives the update by long polling or webhook and
    stores it in PostgreSQL before Telegram is told it arrived; the
    instance's dispatcher claims it for a worker (one user's updates one
    at a time, in order, across all instances; several people's updates
    per statement) and the worker calls [App.Handle] with a deadline. A user over the
    rate limit is asked once to slow down ([App.SlowDown]); their further
    updates are dropped.
 2. Handle (handle.go) logs, recovers panics, loads or creates the user
    (in a group only for one of the bot's commands), picks the language
    (their choice, else Telegram's language_code) and builds a [Request].
 3. The router looks the command up in the command table, or the prefix of
    the callback data in the callback table (surface.go). It checks where
    the command may run (a command about one person, sent in a group, gets
    a hint to the private chat and nothing else) and then, in authorize,
    the least role: no handler runs for someone who may not use it. Plain
    text goes to the dialogue the user is in (flow.go, wizard.go).
 4. The handler re-checks ownership against the database (callback data
    can be forged), does its work through storage, and answers with
    reply or edit (send.go). Errors are logged and the user gets a polite
    apology in their language; nothing propagates.
 5. Anything the bot says later or to someone else (reminders,
    announcements, notices) is a delivery.Message scheduled in the same
    transaction as the change that causes it (notify, notices.go). The
    delivery engine calls [App.Renderer] at send time, so the message is
    written in the recipient's language of that moment, or dropped when it
    no longer holds.

# Where things are

  - surface.go: the command table (name, least role, chats, menu, /help
    section, handler), the callback prefixes, the dialogues and the
    delivery kinds with their renderers. The command menus (commands.go)
    and /help are derived from it.
  - button_data.go: every kind of callback data, made and parsed in one
    place; nothing else assembles callback strings.
  - <feature>_<part>.go: a feature's handlers, screens (xView funcs that
    return text and keyboard, so a screen can be sent or edited in place),
    dialogues (xWizard) and notices (kindX constants, renderX funcs), e.g.
    event_list.go, event_wizard.go, event_reminders.go, event_notices.go.
  - wizard.go, wizard_steps.go, town_step.go: the dialogue engine. A
    Wizard[S] is a list of steps over a draft S kept in PostgreSQL; Back and
    Cancel work at every step.
  - text.go: shared text helpers.

# Adding a feature

  - An entry in the command table (least role, chats, menu, section) and,
    for buttons, a prefix in the callback table with its maker and parser
    in button_data.go.
  - Its texts in locales/<feature>.<lang>.toml in all five languages
    (de, uk, fr, sv, en), written natively, with CLDR plural forms; the
    command's "cmd_<name>" and "help_cmd_<name>". locales tests fail on a
    missing message or a differing placeholder.
  - Its storage in storage/<aggregate>.go (plain SQL, context first,
    ErrNotFound), methods that must commit with a scheduled message taking
    the caller's pgx.Tx; its schema in a new numbered file in migrations/.
    Every new column about a person goes into storage.PersonalData, so
    /export and /deleteme cover it.
  - Messages sent later: a kindX constant and a renderX func beside the
    feature, registered in Renderer (surface.go); the renderer drops the
    message (delivery.ErrDrop) once it no longer holds. DeliveryPriority
    (surface.go) ranks it behind reminders unless it is as urgent.
  - Conversation tests (internal/bottest) in at least three languages,
    with expected texts from locales, and a test that forged callback data
    and a user without the role are refused.
*/
package bot
