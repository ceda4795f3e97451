def handleTimerEvent():
	exchange.workflows.api.service.dispatch()
