def handleMessage(payload):
	return exchange.workflows.engine.scope.handleRequest(payload)
