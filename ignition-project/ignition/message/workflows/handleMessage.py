def handleMessage(payload):
	return exchange.workflows.api.gateway.handleRequest(payload)
