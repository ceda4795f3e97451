def onStartup():
	exchange.workflows.api.admin.startup()
