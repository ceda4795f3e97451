"""How a Vision client or the Designer, whose JVM has no workflow runtime
(api/scope.py), asks the gateway to ``start``, ``sendCommand`` or ``cancel``:
``callGateway()`` on the client sends the request to the project's gateway
message handler ``workflows``, whose script is::

    return exchange.workflows.api.gateway.handleRequest(payload)

A client request carries no identity the gateway can check (a message handler
receives the payload only; a user name in it is whatever the client wrote), so
``handleRequest`` ignores a ``user`` and a ``dbName`` in it, acts on the
default database as the caller "client", and does only what the
authorization policy's ``clients`` flags allow (nothing by default; see
api/access.py). Restrict who may send to the handler too: its security
settings in the Designer (Gateway Events > Message > workflows).
"""
from exchange.workflows.api import access, envelope, service
from exchange.workflows.api.scope import MESSAGE_HANDLER
from exchange.workflows.core.errors import ANY_ERROR, describe

__all__ = ["MESSAGE_HANDLER", "ROUTES", "HANDLER_SCRIPT", "request", "handleRequest", "callGateway"]

# What a client may ask the gateway to do, and the keyword arguments each takes
# (``user`` and ``dbName`` are accepted for compatibility and ignored).
ROUTES = {
    "start": ("workflowName", "inputs", "queueName", "partitionKey", "priority",
              "deduplicationId", "applicationVersion", "timeoutSeconds", "allowDuringMaintenance",
              "dbName", "user"),
    "sendCommand": ("workflowId", "cmd", "reason", "topic", "user", "dbName"),
    "cancel": ("workflowId", "reason", "user", "dbName"),
}
# The handler's script as the project ships it; named in GATEWAY_UNREACHABLE
# because a handler written for an older version (engine.scope) fails there.
HANDLER_SCRIPT = "return exchange.workflows.api.gateway.handleRequest(payload)"


def request(function, **kwargs):
    """Returns the sendRequest payload that asks the gateway to run ``function``."""
    return {"function": function, "kwargs": kwargs}


def handleRequest(payload):
    """Runs a routed call in the gateway as the caller "client"; returns its
    envelope. Never raises, because an exception would reach the client as an
    opaque sendRequest error.

    Args:
        payload: ``{"function": "start"|"sendCommand"|"cancel", "kwargs": {...}}``;
            ``user`` and ``dbName`` in kwargs are ignored (the user is kept as
            an unverified ``claimedUser`` in the audit record).
    Returns:
        The service function's envelope (NOT_AUTHORIZED unless the policy
        lets clients take the action); INVALID_ARGUMENTS for a bad payload.
    """
    try:
        function = payload.get("function") if hasattr(payload, "get") else None
        kwargs = payload.get("kwargs") if hasattr(payload, "get") else None
        if function not in ROUTES:
            return envelope.respond(False, "INVALID_ARGUMENTS", "function must be one of %s, "
                                    "got %r." % (", ".join(sorted(ROUTES)), function))
        kwargs = dict((str(k), v) for k, v in dict(kwargs or {}).items())
        unknown = sorted(set(kwargs) - set(ROUTES[function]))
        if unknown:
            return envelope.respond(False, "INVALID_ARGUMENTS", "%s() takes no argument %s." % (
                function, ", ".join(unknown)))
        claimed = kwargs.pop("user", None)
        kwargs.pop("dbName", None)
        return getattr(service, function)(session=access.clientCaller(claimed), **kwargs)
    except ANY_ERROR as e:
        return envelope.respond(False, "INVALID_ARGUMENTS", "Bad request payload: %s" % describe(e))


def callGateway(function, timeoutSec=30, project=None, **kwargs):
    """From a Vision client or the Designer: runs ``start``, ``sendCommand``
    or ``cancel`` in the gateway and returns its envelope. The gateway acts on
    its default database as the caller "client" (see handleRequest).

    Returns:
        The service function's envelope; GATEWAY_UNREACHABLE when the request
        fails (no handler, a handler script from an older version, timeout,
        gateway down).
    """
    try:
        return system.util.sendRequest(project or system.util.getProjectName(), MESSAGE_HANDLER,
                                       request(function, **kwargs), timeoutSec=timeoutSec)
    except ANY_ERROR as e:
        return envelope.respond(False, "GATEWAY_UNREACHABLE", "The gateway did not answer the "
                                "'%s' message handler (its script must be `%s`): %s" % (
                                    MESSAGE_HANDLER, HANDLER_SCRIPT, describe(e)))
