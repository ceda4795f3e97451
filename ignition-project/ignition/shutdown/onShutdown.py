def onShutdown():
	exchange.workflows.api.admin.shutdown()
