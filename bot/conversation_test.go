package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"partnerbot/bot"
	"partnerbot/delivery"
	"partnerbot/internal/bottest"
	"partnerbot/storage"
)

func TestStartGreetsInTheUsersLanguage(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	tests := []struct {
		code, lang string
	}{
		{"uk", "uk"}, {"de-AT", "de"}, {"fr-CA", "fr"}, {"sv-FI", "sv"}, {"en-US", "en"}, {"de", "de"},
	}
	for i, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			// A name with markup in it must reach the user as text.
			name := fmt.Sprintf("<b>Olena & Co %d", i)
			u := env.User(int64(1000+i), tt.code, name)
			u.Say("/start")
			want := env.Loc(tt.lang).T("start_greeting", "Name", name)
			// The greeting is followed by the offer to set up a profile.
			if got := u.Replies()[0].Text; got != want {
				t.Fatalf("greeting for %s:\n got %q\nwant %q", tt.code, got, want)
			}
			if !strings.Contains(u.Replies()[0].Text, "&lt;b&gt;Olena &amp; Co") {
				t.Fatalf("name not escaped: %q", u.Replies()[0].Text)
			}
		})
	}
}

func TestUnknownLanguageGetsAPicker(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	for i, code := range []string{"ru", "pl", ""} {
		u := env.User(int64(2000+i), code, "Ivan")
		u.Say("/start")
		picker := u.Expect(env.Loc("uk").T("language_prompt"), env.Loc("de").T("language_prompt"))
		var labels []string
		for _, row := range picker.Buttons() {
			for _, b := range row {
				labels = append(labels, b.Text)
			}
		}
		if got := strings.Join(labels, ","); got != "English,Deutsch,Українська,Français,Svenska" {
			t.Fatalf("%q: picker buttons = %s", code, got)
		}
		// A Russian-speaking client must not silently get Ukrainian.
		u.ExpectNot(env.Loc("uk").T("start_greeting", "Name", "Ivan"))
	}
	u := env.User(2100, "ru", "Ivan")
	u.Say("/start").Press("Svenska")
	u.Expect(env.Loc("sv").T("language_changed"))
	u.Expect(env.Loc("sv").T("start_greeting", "Name", "Ivan"))
	u.Say("/help").Expect(env.Loc("sv").T("help_title"))
}

func TestLanguageChoiceWinsOverTelegramLanguage(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	u := env.User(3000, "uk", "Oksana")
	u.Say("/help").Expect(env.Loc("uk").T("help_title"))
	u.Say("/language").Press("Français").Expect(env.Loc("fr").T("language_changed"))
	u.ExpectNot(env.Loc("fr").T("start_greeting", "Name", "Oksana"))
	u.Say("/help").Expect(env.Loc("fr").T("help_title"))
	env.Restart()
	u.Say("/help").Expect(env.Loc("fr").T("help_title"))
	// Forged language codes are refused without changing anything.
	u.PressData("lang:xx:")
	u.Say("/help").Expect(env.Loc("fr").T("help_title"))
}

func TestReplayedUpdateIsHandledOnce(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	u := env.User(4000, "de", "Jonas")
	id := env.TG.SendMessage(u.TG, "/start")
	env.WaitHandled(id)
	greeting := env.Loc("de").T("start_greeting", "Name", "Jonas")
	count := func() int {
		n := 0
		for _, m := range env.TG.Sent(u.ID()) {
			if m.Text == greeting {
				n++
			}
		}
		return n
	}
	if err := env.TG.Replay(id); err != nil {
		t.Fatal(err)
	}
	u.Say("/help") // handled after the replay: updates of a user are handled in order
	env.Restart()
	if err := env.TG.Replay(id); err != nil {
		t.Fatal(err)
	}
	u.Say("/privacy")
	if n := count(); n != 1 {
		t.Fatalf("greeting sent %d times for one update replayed twice", n)
	}
}

func TestUnknownCommandsAndFreeText(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	u := env.User(5000, "sv", "Astrid")
	u.Say("/frobnicate now").Expect(env.Loc("sv").T("unknown_command", "Command", "/frobnicate"))
	u.Say("hej <script>").Expect(env.Loc("sv").T("free_text"))
	u.Say(strings.Repeat("очень длинный текст ", 300)).Expect(env.Loc("sv").T("free_text"))
	u.PressData("nonsense:1").ExpectSilence()
	if a := env.TG.CallbackAnswers(); len(a) == 0 || a[len(a)-1].Text != env.Loc("sv").Plain("callback_invalid") {
		t.Fatalf("forged callback not answered as invalid: %+v", a)
	}
}

func TestGroupCommandsAddressedToTheBot(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	u := env.User(5100, "de", "Lena")
	group := models.Chat{ID: -100123, Type: models.ChatTypeSupergroup, Title: "Partnerschaft"}
	env.WaitHandled(env.TG.SendGroupMessage(u.TG, group, "/help@"+env.TG.BotUser().Username))
	if sent := env.TG.Sent(group.ID); len(sent) != 1 || !strings.HasPrefix(sent[0].Text, env.Loc("de").T("help_title")) {
		t.Fatalf("group /help@bot: %+v", sent)
	}
	env.WaitHandled(env.TG.SendGroupMessage(u.TG, group, "/help@some_other_bot"))
	env.WaitHandled(env.TG.SendGroupMessage(u.TG, group, "guten Morgen"))
	if sent := env.TG.Sent(group.ID); len(sent) != 1 {
		t.Fatalf("bot answered a message not meant for it: %+v", sent[1:])
	}
}

func TestWebhookRejectsRequestsWithoutTheSecret(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-token_for-tests"
	env := bottest.New(t, bottest.Options{WebhookSecret: secret})
	url := "http://" + env.Running()[0].Addr + bottest.WebhookPath
	update := models.Update{ID: 777, Message: &models.Message{ID: 1, Text: "/start",
		From:     &models.User{ID: 6000, FirstName: "Mallory", LanguageCode: "en"},
		Chat:     models.Chat{ID: 6000, Type: models.ChatTypePrivate},
		Entities: []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: 6}}}}
	for _, wrong := range []string{"", "wrong-secret-token-xx", secret + "x"} {
		status, err := env.TG.PostWebhook(url, wrong, update)
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusUnauthorized {
			t.Fatalf("secret %q: status %d, want 401", wrong, status)
		}
	}
	var n int
	if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM inbound_updates`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d updates recorded from unauthenticated requests", n)
	}
	// The real Telegram (the fake server) delivers with the secret.
	u := env.User(6001, "uk", "Taras")
	u.Say("/start").Expect(env.Loc("uk").T("start_greeting", "Name", "Taras"))
}

func TestExportSendsTheUsersData(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	u := env.User(7000, "fr", "Camille")
	u.Say("/start")
	u.Say("/export")
	doc := u.Last().Document
	if doc == nil {
		t.Fatalf("no document; the bot said:\n%s", u.Transcript())
	}
	var export struct {
		Data map[string][]map[string]any `json:"data"`
	}
	if err := json.Unmarshal(doc.Content, &export); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, doc.Content)
	}
	users := export.Data["users.id"]
	if len(users) != 1 || users[0]["first_name"] != "Camille" || users[0]["id"] != float64(7000) {
		t.Fatalf("export users = %v", users)
	}
	for _, pc := range storage.PersonalData {
		if _, ok := export.Data[pc.Table+"."+pc.Column]; !ok {
			t.Errorf("export lacks %s.%s", pc.Table, pc.Column)
		}
	}
}

func TestDeleteMeLeavesNoRowAboutTheUser(t *testing.T) {
	t.Parallel()
	env := bottest.New(t, bottest.Options{Admins: []int64{8000}})
	admin := env.User(8000, "de", "Admin")
	u := env.User(8001, "uk", "Mykola")
	u.Say("/start").Say("/language").Press("Deutsch")
	admin.Say("/start")
	// Messages through the delivery queue: one sent (the role change), one
	// waiting for each of them.
	ctx := context.Background()
	queue, err := delivery.New(env.Pool, nil, delivery.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Store.InTx(ctx, func(tx pgx.Tx) error {
		c, _, err := env.Store.SetRoleTx(ctx, tx, admin.ID(), u.ID(), storage.RoleCoordinator)
		if err != nil {
			return err
		}
		_, err = queue.ScheduleTx(ctx, tx, bot.RoleChangeNotice(c))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	u.WaitFor(env.Loc("de").T("coordinator_you_granted"))
	// A message being sent during the erasure is left to its worker (and
	// to River's retention of finished jobs); this one is done first.
	for deadline := time.Now().Add(bottest.WaitTimeout); ; time.Sleep(20 * time.Millisecond) {
		var running int
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state = 'running'`).Scan(&running); err != nil {
			t.Fatal(err)
		}
		if running == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the role change notice is still being sent")
		}
	}
	for _, id := range []int64{u.ID(), admin.ID()} {
		if _, err := queue.Schedule(ctx, delivery.Message{ChatID: id, Kind: "event_reminder", Ref: 1,
			DueAt: time.Now().Add(24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	queued := func(id int64) (n int) {
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE (args->>'chat_id')::bigint = $1`,
			id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if queued(u.ID()) != 2 {
		t.Fatalf("%d queued messages for the user before erasure, want 2 (one sent, one waiting)", queued(u.ID()))
	}

	u.Say("/deleteme").Press(env.Loc("de").Plain("deleteme_no")).Expect(env.Loc("de").T("deleteme_cancelled"))
	u.Say("/deleteme").Press(env.Loc("de").Plain("deleteme_yes")).Expect(env.Loc("de").T("deleteme_done"))
	for _, pc := range storage.PersonalData {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s = $1`, pc.Table, pc.Column)
		if err := env.Pool.QueryRow(context.Background(), q, u.ID()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows about the erased user remain in %s.%s", n, pc.Table, pc.Column)
		}
	}
	var stored int
	if err := env.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM inbound_updates WHERE payload::text LIKE '%Mykola%'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 0 {
		t.Errorf("%d stored updates still carry the erased user's name", stored)
	}
	if n := queued(u.ID()); n != 0 {
		t.Errorf("%d messages to the erased user remain in the delivery queue", n)
	}
	// The admin's own data is untouched.
	if _, err := env.Store.User(context.Background(), admin.ID()); err != nil {
		t.Fatalf("admin lost: %v", err)
	}
	if n := queued(admin.ID()); n != 1 {
		t.Errorf("%d messages to the admin remain queued, want 1", n)
	}
}

func TestAdminGrantsAndRevokesCoordinators(t *testing.T) {
	t.Parallel()
	env := bottest.New(t, bottest.Options{Admins: []int64{9000}})
	admin := env.User(9000, "en", "Anna")
	volunteer := env.User(9001, "uk", "Petro")
	target := env.User(9002, "de", "Greta")
	for _, u := range []*bottest.User{admin, volunteer, target} {
		u.Say("/start")
	}
	en := env.Loc("en")

	// A volunteer can neither open the command nor use its buttons.
	volunteer.Say("/coordinators").Expect(env.Loc("uk").T("not_allowed_admin"))
	for _, forged := range []string{"co:add", "co:rv:9002", "co:rv:9000"} {
		volunteer.PressData(forged)
	}
	assertRole(t, env, target.ID(), storage.RoleVolunteer)

	admin.Say("/coordinators").Expect(en.T("coordinators_none"))
	admin.Press(en.Plain("coordinators_add_button")).Expect(en.T("coordinators_ask"))
	admin.Say("@nobody_here").Expect(en.T("coordinators_not_found", "Who", "@nobody_here"))
	admin.Say("@" + target.TG.Username).Expect(en.T("coordinators_confirm", "Name", "Greta", "Username", target.TG.Username,
		"ID", target.ID()))
	assertRole(t, env, target.ID(), storage.RoleVolunteer)
	admin.Press(en.Plain("coordinators_confirm_yes")).Expect(en.T("coordinator_granted", "Name", "Greta"))
	assertRole(t, env, target.ID(), storage.RoleCoordinator)
	target.WaitFor(env.Loc("de").T("coordinator_you_granted"))
	target.Say("/help").Expect(env.Loc("de").T("help_section_coordinator"))

	// A coordinator is still no admin.
	target.Say("/coordinators").Expect(env.Loc("de").T("not_allowed_admin"))
	target.PressData("co:rv:9002")
	assertRole(t, env, target.ID(), storage.RoleCoordinator)

	// Granting by a forwarded message works too.
	admin.Say("/coordinators").Press(en.Plain("coordinators_add_button"))
	admin.Forward(volunteer.TG, "Привіт!").Expect(en.T("coordinator_granted", "Name", "Petro"))
	assertRole(t, env, volunteer.ID(), storage.RoleCoordinator)

	admin.Say("/coordinators").Expect(en.N("coordinators_count", 2))
	admin.Press(en.Plain("coordinators_revoke_button", "Name", "Greta")).Expect(en.T("coordinator_revoked", "Name", "Greta"))
	assertRole(t, env, target.ID(), storage.RoleVolunteer)
	target.WaitFor(env.Loc("de").T("coordinator_you_revoked"))
	volunteer.WaitFor(env.Loc("uk").T("coordinator_you_granted"))

	var audit int
	if err := env.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_log WHERE actor_id = 9000`).Scan(&audit); err != nil {
		t.Fatal(err)
	}
	if audit != 3 {
		t.Fatalf("audit log has %d entries by the admin, want 3", audit)
	}
}

func assertRole(t *testing.T, env *bottest.Env, id int64, want string) {
	t.Helper()
	u, err := env.Store.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != want {
		t.Fatalf("user %d has role %s, want %s", id, u.Role, want)
	}
}

// TestPersonalCommandsInAGroupPointToThePrivateChat: a command about one
// person sent in a group gets one localized line with a button to the
// private chat, and nothing else: no data in the group, no dialogue begun.
func TestPersonalCommandsInAGroupPointToThePrivateChat(t *testing.T) {
	t.Parallel()
	env := bottest.New(t)
	bot := env.TG.BotUser().Username
	group := models.Chat{ID: -100777, Type: models.ChatTypeSupergroup, Title: "Jugendrat Ichnia"}
	cases := []struct {
		lang, command string
	}{
		{"de", "/export"},
		{"uk", "/deleteme"},
		{"fr", "/profile"},
		{"sv", "/myprojects"},
		{"en", "/newproject"},
		{"uk", "/settings"},
	}
	for i, c := range cases {
		u := env.Started(int64(5200+i), c.lang, "Member")
		before := len(env.TG.Sent(u.ID()))
		sentBefore := len(env.TG.Sent(group.ID))
		env.WaitHandled(env.TG.SendGroupMessage(u.TG, group, c.command+"@"+bot))
		sent := env.TG.Sent(group.ID)[sentBefore:]
		want := env.Loc(c.lang).T("private_only", "Command", c.command)
		if len(sent) != 1 || sent[0].Text != want {
			t.Fatalf("%s %s in a group: %+v, want only %q", c.lang, c.command, sent, want)
		}
		rows := sent[0].Buttons()
		if len(rows) != 1 || len(rows[0]) != 1 || rows[0][0].URL != "https://t.me/"+bot ||
			rows[0][0].Text != env.Loc(c.lang).Plain("private_only_button") {
			t.Fatalf("%s: the hint's button = %+v", c.command, rows)
		}
		if n := len(env.TG.Sent(u.ID())); n != before {
			t.Fatalf("%s in a group made the bot write %d messages in the private chat", c.command, n-before)
		}
		if _, err := env.Store.Conversation(context.Background(), u.ID()); err == nil {
			t.Fatalf("%s in a group began a dialogue", c.command)
		}
	}
	// Commands for everyone still answer in the group.
	u := env.User(5299, "uk", "Олена")
	sentBefore := len(env.TG.Sent(group.ID))
	env.WaitHandled(env.TG.SendGroupMessage(u.TG, group, "/events@"+bot))
	if sent := env.TG.Sent(group.ID)[sentBefore:]; len(sent) != 1 || strings.Contains(sent[0].Text, env.Loc("uk").T("private_only", "Command", "/events")) {
		t.Fatalf("/events in a group: %+v", sent)
	}
}
