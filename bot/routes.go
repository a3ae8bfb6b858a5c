package bot

// routes is the bot's whole surface: every command and callback prefix
// with the least role that may use it.
func (a *App) routes() {
	a.commands = map[string]route{
		"start":        {RoleVolunteer, a.onStart},
		"help":         {RoleVolunteer, a.onHelp},
		"language":     {RoleVolunteer, a.onLanguage},
		"privacy":      {RoleVolunteer, a.onPrivacy},
		"export":       {RoleVolunteer, a.onExport},
		"deleteme":     {RoleVolunteer, a.onDeleteMe},
		"cancel":       {RoleVolunteer, a.onCancel},
		"coordinators": {RoleAdmin, a.onCoordinators},
		"newproject":   {RoleVolunteer, a.onNewProject},
		"myprojects":   {RoleVolunteer, a.onMyProjects},
		"find":         {RoleVolunteer, a.onFind},
		"reports":      {RoleCoordinator, a.onReports},
		"events":       {RoleVolunteer, a.onEvents},
		"newevent":     {RoleCoordinator, a.onNewEvent},
		"settings":     {RoleVolunteer, a.onSettings},
		"profile":      {RoleVolunteer, a.onProfile},
		"network":      {RoleVolunteer, a.onNetwork},
		"towns":        {RoleCoordinator, a.onTowns},
	}
	a.callbacks = map[string]route{
		"lang":   {RoleVolunteer, a.onLanguageChosen},
		"del":    {RoleVolunteer, a.onDeleteMeAnswer},
		"cancel": {RoleVolunteer, a.onCancel},
		"co":     {RoleAdmin, a.onCoordinatorsButton},
		"wz":     {RoleVolunteer, a.onWizardButton},
		"pj":     {RoleVolunteer, a.onProjectButton},
		"fd":     {RoleVolunteer, a.onFindButton},
		"cr":     {RoleVolunteer, a.onContactDecision},
		"rp":     {RoleCoordinator, a.onReportDecision},
		"ev":     {RoleVolunteer, a.onEventsButton},
		"evc":    {RoleCoordinator, a.onManageEventButton},
		"set":    {RoleVolunteer, a.onSettingsButton},
		"pf":     {RoleVolunteer, a.onProfileButton},
		"nw":     {RoleVolunteer, a.onNetworkButton},
		"tw":     {RoleCoordinator, a.onTownDecision},
	}
	a.addWizard(a.grantCoordinatorWizard())
	a.addWizard(a.newProjectWizard())
	a.addWizard(a.editProjectWizard())
	a.addWizard(a.contactRequestWizard())
	a.addWizard(a.findTextWizard())
	a.addWizard(a.findTownWizard())
	a.addWizard(a.eventWizard())
	a.addWizard(a.zoneWizard())
	a.addWizard(a.profileWizard())
	a.addWizard(a.networkWizard())
}

// menu lists the commands shown in Telegram's command menu for each role,
// in order. Each has a description "cmd_<name>" in locales/.
var menu = map[Role][]string{
	RoleVolunteer:   {"start", "help", "find", "newproject", "myprojects", "network", "profile", "events", "settings", "language", "privacy", "export", "deleteme"},
	RoleCoordinator: {"start", "help", "find", "newproject", "myprojects", "network", "profile", "events", "newevent", "reports", "towns", "settings", "language", "privacy", "export", "deleteme"},
	RoleAdmin:       {"start", "help", "find", "newproject", "myprojects", "network", "profile", "events", "newevent", "reports", "towns", "coordinators", "settings", "language", "privacy", "export", "deleteme"},
}
