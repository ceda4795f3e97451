"""Which Ignition scope this JVM is: the engine's runtime (worker pool,
in-memory queue, dispatcher) lives in the gateway JVM only.

A Vision client or the Designer has its own JVM: a run queued in memory there
would never be dispatched, and a dispatch there would execute workflows
outside the gateway. So ``enqueueInMemory`` and ``dispatch`` refuse with
NO_GATEWAY_RUNTIME outside gateway scope (Perspective scripts run in the
gateway and are gateway scope); a client sends ``start``, ``sendCommand`` and
``cancel`` to the gateway through api/gateway.py instead.

Scope detection uses ``ApplicationScope.getGlobalScope()`` (Ignition SDK,
``com.inductiveautomation.ignition.common.model``). Where that class does not
exist (tools/gwsim, CPython unit tests) the JVM is treated as a gateway.
"""
from exchange.workflows.core.errors import WorkflowsError

try:
    from com.inductiveautomation.ignition.common.model import ApplicationScope
except ImportError:  # gwsim or CPython: no Ignition classes, run as the gateway
    ApplicationScope = None

__all__ = ["MESSAGE_HANDLER", "NoGatewayRuntime", "isGateway", "requireGateway"]

# The gateway message handler a client's requests go through (api/gateway.py).
MESSAGE_HANDLER = "workflows"


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
            "gateway with exchange.workflows.api.gateway.callGateway() (gateway message "
            "handler '%s')." % (functionName, MESSAGE_HANDLER))
