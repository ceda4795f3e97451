"""The response envelope of every API function, and the one place where
exceptions become error codes.

    {"ok": bool, "code": str, "message": str, "data": ..., "meta": {"tsMs", "durationMs", "dbName"}}
"""
import traceback

from exchange.workflows.engine import clock
from exchange.workflows.engine.errors import ANY_ERROR, WorkflowsError, describe

_log = []


def _logger():
    if not _log:
        _log.append(system.util.getLogger("exchange.workflows.api"))
    return _log[0]


def respond(ok, code, message, data=None, dbName=None, startedMs=None):
    now = clock.nowMs()
    return {"ok": bool(ok), "code": code, "message": message, "data": data,
            "meta": {"tsMs": now, "durationMs": now - (startedMs or now), "dbName": dbName}}


def guarded(fn, dbName):
    """Calls ``fn()`` and returns its envelope; never raises.

    ``fn`` returns (code, message, data) on success and raises on failure:
    a WorkflowsError carries its own code; anything else is INTERNAL_ERROR
    (logged with its traceback, since it is a bug or an unexpected outage).
    """
    started = clock.nowMs()
    try:
        # A plain call: in Jython, fn(*args, **kwargs) builds the keyword list
        # through a step that every enqueueInMemory thread queues on.
        code, message, data = fn()
        return respond(True, code, message, data, dbName, started)
    except WorkflowsError as e:
        return respond(False, e.code, str(e), None, dbName, started)
    except ANY_ERROR as e:
        _logger().error("Unexpected error in %s: %s\n%s" % (
            getattr(fn, "__module__", "?"), describe(e), traceback.format_exc()))
        return respond(False, "INTERNAL_ERROR", "Unexpected error: %s. See the gateway log "
                       "(logger exchange.workflows.api)." % describe(e), None, dbName, started)
