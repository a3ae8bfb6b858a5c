package bot

import "partnerbot/delivery"

// Chats says in which kinds of chat a command or button may be used.
type Chats uint8

// The kinds of chat.
const (
	InPrivate Chats = 1 << iota
	InGroup
	InChannel
)

// Has reports whether kind is among c.
func (c Chats) Has(kind Chats) bool { return c&kind != 0 }

// helpSection groups commands in /help; the sections appear in this order,
// each under its heading "help_section_<name>".
type helpSection string

const (
	sectionProjects    helpSection = "projects"
	sectionEvents      helpSection = "events"
	sectionYou         helpSection = "you"
	sectionCoordinator helpSection = "coordinator"
	sectionAdmin       helpSection = "admin"
)

var helpSections = []helpSection{sectionProjects, sectionEvents, sectionYou, sectionCoordinator, sectionAdmin}

// command is one entry of the bot's command table. Everything about a
// command is here: the router, the command menus (setMyCommands) and
// /help are derived from it. Its menu description is "cmd_<name>" and its
// /help line "help_cmd_<name>" in locales/.
type command struct {
	name string
	// role is the least role that may use it; the router checks it before
	// the handler runs.
	role Role
	// chats are where it runs; elsewhere the user is pointed to the
	// private chat (commands about one person never run in a group).
	chats Chats
	// menu puts it in Telegram's command menu.
	menu    bool
	section helpSection
	handler HandlerFunc
}

// callback is one prefix of callback data (the part before the first ':',
// see button_data.go) with the least role and the chats it may be pressed in.
type callback struct {
	prefix  string
	role    Role
	chats   Chats
	handler HandlerFunc
}

// commandTable is the bot's whole command surface, in menu order.
func (a *App) commandTable() []command {
	return []command{
		// Welcome and help.
		{name: "start", role: RoleVolunteer, chats: InPrivate | InGroup, menu: true, section: sectionYou, handler: a.onStartAnywhere},
		{name: "help", role: RoleVolunteer, chats: InPrivate | InGroup, menu: true, section: sectionYou, handler: a.onHelp},
		// Partners and projects.
		{name: "find", role: RoleVolunteer, chats: InPrivate, menu: true, section: sectionProjects, handler: a.onFind},
		{name: "newproject", role: RoleVolunteer, chats: InPrivate, menu: true, section: sectionProjects, handler: a.onNewProject},
		{name: "myprojects", role: RoleVolunteer, chats: InPrivate, menu: true, section: sectionProjects, handler: a.onMyProjects},
		{name: "network", role: RoleVolunteer, chats: InPrivate, menu: true, section: sectionProjects, handler: a.onNetwork},
		{name: "profile", role: RoleVolunteer, chats: InPrivate, menu: true, section: sectionProjects, handler: a.onProfile},
		// Project groups: /link in a group links it to a project (group_link.go).
		{name: "link", role: RoleVolunteer, chats: InGroup, section: sectionProjects, handler: a.onLink},
		// In a project's group: its rules, in the group's language (group_join.go).
		{name: "rules", role: RoleVolunteer, chats: InGroup, section: sectionProjects, handler: a.onRules},
		// Events.
		{name: "events", role: RoleVolunteer, chats: InPrivate | InGroup, menu: true, section: sectionEvents, handler: a.onEvents},
		{name: "newevent", role: RoleCoordinator, chats: InPrivate, menu: true, section: sectionCoordinator, handler: a.onNewEvent},
		// Moderation.
		{name: "reports", role: RoleCoordinator, chats: InPrivate, menu: true, section: sectionCoordinator, handler: a.onReports},
		{name: "broadcast", role: RoleCoordinator, chats: InPrivate, menu: true, section: sectionCoordinator, handler: a.onBroadcast},
		{name: "broadcasts", role: RoleCoordinator, chats: InPrivate, menu: true, section: sectionCoordinator, handler: a.onBroadcasts},
		{name: "towns", role: RoleCoordinator, chats: InPrivate, menu: true, section: sectionCoordinator, handler: a.onTowns},
		{name: "coordinators", role: RoleAdmin, chats: InPrivate, menu: true, section: sectionAdmin, handler: a.onCoordinators},
		// The person and their data.
		{name: "settings", role: RoleVolunteer, chats: InPrivate | InGroup, menu: true, section: sectionEvents, handler: a.onSettingsAnywhere},
		{name: "language", role: RoleVolunteer, chats: InPrivate, menu: true, section: sectionYou, handler: a.onLanguage},
		{name: "privacy", role: RoleVolunteer, chats: InPrivate, menu: true, section: sectionYou, handler: a.onPrivacy},
		{name: "export", role: RoleVolunteer, chats: InPrivate, menu: true, section: sectionYou, handler: a.onExport},
		{name: "deleteme", role: RoleVolunteer, chats: InPrivate, menu: true, section: sectionYou, handler: a.onDeleteMe},
		{name: "cancel", role: RoleVolunteer, chats: InPrivate, section: sectionYou, handler: a.onCancel},
	}
}

// callbackTable lists every prefix of callback data (see button_data.go
// for their makers and parsers).
func (a *App) callbackTable() []callback {
	return []callback{
		{prefix: prefixLanguage, role: RoleVolunteer, chats: InPrivate, handler: a.onLanguageChosen},
		{prefix: prefixDeleteMe, role: RoleVolunteer, chats: InPrivate, handler: a.onDeleteMeAnswer},
		{prefix: prefixCancel, role: RoleVolunteer, chats: InPrivate, handler: a.onCancel},
		{prefix: prefixCoordinators, role: RoleAdmin, chats: InPrivate, handler: a.onCoordinatorsButton},
		{prefix: prefixWizard, role: RoleVolunteer, chats: InPrivate, handler: a.onWizardButton},
		{prefix: prefixProject, role: RoleVolunteer, chats: InPrivate, handler: a.onProjectButton},
		{prefix: prefixFind, role: RoleVolunteer, chats: InPrivate, handler: a.onFindButton},
		{prefix: prefixContact, role: RoleVolunteer, chats: InPrivate, handler: a.onContactDecision},
		{prefix: prefixReport, role: RoleCoordinator, chats: InPrivate, handler: a.onReportDecision},
		{prefix: prefixEvent, role: RoleVolunteer, chats: InPrivate | InGroup, handler: a.onEventsButton},
		{prefix: prefixManageEvent, role: RoleCoordinator, chats: InPrivate, handler: a.onManageEventButton},
		{prefix: prefixSettings, role: RoleVolunteer, chats: InPrivate, handler: a.onSettingsButton},
		{prefix: prefixProfile, role: RoleVolunteer, chats: InPrivate, handler: a.onProfileButton},
		{prefix: prefixNetwork, role: RoleVolunteer, chats: InPrivate, handler: a.onNetworkButton},
		{prefix: prefixTown, role: RoleCoordinator, chats: InPrivate, handler: a.onTownDecision},
		{prefix: prefixGroupOwner, role: RoleVolunteer, chats: InPrivate, handler: a.onGroupOwnerButton},
		{prefix: prefixJoin, role: RoleVolunteer, chats: InPrivate, handler: a.onJoinButton},
		{prefix: prefixGroupSet, role: RoleVolunteer, chats: InGroup, handler: a.onGroupSetButton},
		{prefix: prefixBroadcast, role: RoleCoordinator, chats: InPrivate, handler: a.onBroadcastButton},
		{prefix: prefixBroadcastFor, role: RoleVolunteer, chats: InPrivate, handler: a.onBroadcastForButton},
		{prefix: prefixTranslate, role: RoleVolunteer, chats: InPrivate, handler: a.onTranslateButton},
	}
}

// wizardTable lists the multi-step dialogues (wizard.go).
func (a *App) wizardTable() []wizard {
	return []wizard{
		a.grantCoordinatorWizard(),
		a.coordinatorTownWizard(),
		a.newProjectWizard(),
		a.editProjectWizard(),
		a.contactRequestWizard(),
		a.findTextWizard(),
		a.findTownWizard(),
		a.eventWizard(),
		a.zoneWizard(),
		a.profileWizard(),
		a.networkWizard(),
		a.youthWizard(),
		a.groupRulesWizard(),
		a.groupAdultWizard(),
		a.broadcastWizard(),
		a.correctWizard(),
		a.newsWizard(),
	}
}

// Renderer writes the messages the bot sends on its own initiative, when
// the delivery engine sends them: in the recipient's language and time
// zone of that moment, from the current state of what they are about.
// A message that no longer makes sense is dropped (delivery.ErrDrop).
// Each kind and its render func live with their feature.
func (a *App) Renderer() delivery.Renderer {
	return delivery.WithOutcomes{Kinds: delivery.Kinds{
		kindEventReminder:   a.renderReminder,
		kindEventNew:        a.renderNewEvent,
		kindEventChanged:    a.renderEventChange,
		kindEventCancelled:  a.renderEventCancelled,
		kindContactRequest:  a.renderContactRequest,
		kindContactAnswer:   a.renderContactAnswer,
		kindContactAccepted: a.renderContactAccepted,
		kindRoleChanged:     a.renderRoleChange,
		kindProjectHidden:   a.renderProjectHidden,
		kindProjectReported: a.renderProjectReported,
		kindProjectUnhidden: a.renderProjectUnhidden,
		kindTownProposed:    a.renderTownProposal,
		kindTownDecided:     a.renderTownDecision,
		kindGroupUnlinked:   a.renderGroupUnlinked,
		kindJoinDecide:      a.renderJoinDecide,
		kindYouthProject:    a.renderYouthProject,
		kindYouthEvent:      a.renderYouthEvent,
		// Broadcasts (broadcast_send.go); their copies report what became
		// of them, for the live status and /broadcasts.
		kindBroadcast:         a.renderBroadcast,
		kindBroadcastEdit:     a.renderBroadcastEdit,
		kindBroadcastStatus:   a.renderBroadcastStatus,
		kindBroadcastReminder: a.renderBroadcastReminder,
		kindProjectNews:       a.renderProjectNews,
	}, Outcomes: map[string]delivery.OutcomeFunc{
		kindBroadcast: a.broadcastOutcome,
	}, Rechecks: map[string]delivery.RecheckFunc{
		kindBroadcast:       a.recheckBroadcast,
		kindBroadcastStatus: a.recheckBroadcastStatus,
	},
		// A group upgraded to a supergroup (group_updates.go).
		Migrate: a.followMigration,
	}
}

// DeliveryPriority ranks the messages the bot sends on its own initiative
// (delivery.Config.Priority): what concerns an event someone plans to
// attend (reminders, changes, cancellations) comes before everything
// else, so that an announcement to a whole town or reports shown to every
// coordinator never make a reminder late.
func DeliveryPriority(kind string) int {
	switch kind {
	case kindEventReminder, kindEventChanged, kindEventCancelled:
		return 1
	}
	return 2
}

// routes indexes the tables for the router.
func (a *App) routes() {
	a.table = a.commandTable()
	a.commands = make(map[string]command, len(a.table))
	for _, c := range a.table {
		a.commands[c.name] = c
	}
	a.callbacks = map[string]callback{}
	for _, c := range a.callbackTable() {
		a.callbacks[c.prefix] = c
	}
	for _, w := range a.wizardTable() {
		a.wizards[w.flowName()] = w
	}
}
