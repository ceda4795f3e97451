"""Which Ignition scope this JVM is, and how a scope without the engine's
runtime reaches the gateway.

The engine's runtime (worker pool, in-memory queue, dispatcher) lives in the
gateway JVM. A Vision client or the Designer has its own JVM: a run queued in
memory there would never be dispatched, and a dispatch there would execute
workflows outside the gateway. So ``enqueueInMemory`` and ``dispatch``
refuse with NO_GATEWAY_RUNTIME outside gateway scope (Perspective scripts run
in the gateway and are gateway scope), and a client sends ``start``,
``sendCommand`` and ``cancel`` to the gateway through the project's gateway
message handler ``workflows`` instead: ``callGateway()`` on the client,
``handleRequest()`` in the handler.

A client request carries no identity the gateway can check (a message handler
receives the payload only; a user name in it is whatever the client wrote), so
``handleRequest`` ignores a ``user`` and a ``dbName`` in it, acts on the
default database as the caller "client", and does only what the
authorization policy's ``clients`` flags allow (nothing by default; see
api/access.py). Restrict who may send to the handler too: its security
settings in the Designer (Gateway Events > Message > workflows).

Scope detection uses ``ApplicationScope.getGlobalScope()`` (Ignition SDK,
``com.inductiveautomation.ignition.common.model``). Where that class does not
exist (tools/gwsim, CPython unit tests) the JVM is treated as a gateway.
"""
from exchange.workflows.core.errors import ANY_ERROR, WorkflowsError, describe

try:
    from com.inductiveautomation.ignition.common.model import ApplicationScope
except ImportError:  # gwsim or CPython: no Ignition classes, run as the gateway
    ApplicationScope = None

MESSAGE_HANDLER = "workflows"
# What a client may ask the gateway to do, and the keyword arguments each takes
# (``user`` and ``dbName`` are accepted for compatibility and ignored).
ROUTES = {
    "start": ("workflowName", "inputs", "queueName", "partitionKey", "priority",
              "deduplicationId", "applicationVersion", "timeoutSeconds", "dbName", "user"),
    "sendCommand": ("workflowId", "cmd", "reason", "topic", "user", "dbName"),
    "cancel": ("workflowId", "reason", "user", "dbName"),
}


class NoGatewayRuntime(WorkflowsError):
    code = "NO_GATEWAY_RUNTIME"


def isGateway():
    """True in the gateway JVM (gateway events, tag events, Perspective,
    message handlers); False in a Vision client or the Designer."""
    # Not ``is None``: in Jython a false ``is`` locks the class object for a
    # moment, on every enqueueInMemory call, from every thread.
    if not ApplicationScope:
        return True
    return bool(ApplicationScope.isGateway(ApplicationScope.getGlobalScope()))


def requireGateway(functionName):
    """Raises NoGatewayRuntime unless this JVM is the gateway."""
    if not isGateway():
        raise NoGatewayRuntime(
            "%s() needs the workflow runtime, which runs only in the gateway; this script runs "
            "in a Vision client or the Designer. Call it from a gateway script (timer, tag "
            "change, Perspective, message handler), or send start/sendCommand/cancel to the "
            "gateway with exchange.workflows.engine.scope.callGateway() (gateway message "
            "handler '%s')." % (functionName, MESSAGE_HANDLER))


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
    from exchange.workflows.api import access, envelope, service  # api depends on engine, not back
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
        fails (no handler, timeout, gateway down).
    """
    from exchange.workflows.api import envelope
    try:
        return system.util.sendRequest(project or system.util.getProjectName(), MESSAGE_HANDLER,
                                       request(function, **kwargs), timeoutSec=timeoutSec)
    except ANY_ERROR as e:
        return envelope.respond(False, "GATEWAY_UNREACHABLE", "The gateway did not answer the "
                                "'%s' message handler: %s" % (MESSAGE_HANDLER, describe(e)))
