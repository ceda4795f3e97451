"""The response envelope of every API function, and the one place where
exceptions become error codes.

    {"ok": bool, "code": str, "message": str, "data": ..., "meta": {"tsMs", "durationMs", "dbName"}}

The service functions that ignition-workflows 0.3.6 also had (dispatch,
start, enqueueInMemory, sendCommand, cancel, listWorkflows) answer as it did
there: ``meta.queueName`` where the call names a queue, and every ``data``
key copied to the top level (``resp["workflowId"]``) unless the envelope
already has that key. Other functions answer the five keys only.

Every public function ends its signature with ``*args, **kwargs`` and hands
them to ``guarded``: a typo'd keyword or an extra positional argument is an
INVALID_ARGUMENTS answer, not a TypeError raised into a Perspective button.
"""
from exchange.workflows.core import clock, logs
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.mirror import mirrorData
from exchange.workflows.core.errors import (ANY_ERROR, InvalidArguments, WorkflowsError,
                                              messageOf, safeTrace)

__all__ = ["respond", "rejectExtras", "guarded"]

def _logger():
    return logs.get("api")


def _dbLabel(dbName):
    # meta echoes the database only when it is a plausible connection name.
    return dbName if isinstance(dbName, TEXT) and len(dbName) <= 200 else None


def respond(ok, code, message, data=None, dbName=None, startedMs=None, queueName=None,
            mirror=False):
    """The envelope. ``queueName`` (text) is added to meta; ``mirror``
    copies data's keys to the top level where they are free (0.3.6 shape)."""
    now = clock.nowMs()
    meta = {"tsMs": now, "durationMs": now - (startedMs or now), "dbName": _dbLabel(dbName)}
    if isinstance(queueName, TEXT) and len(queueName) <= 200:
        meta["queueName"] = queueName
    answer = {"ok": bool(ok), "code": code, "message": message, "data": data, "meta": meta}
    return mirrorData(answer) if mirror else answer


def rejectExtras(function, args, kwargs):
    """Raises InvalidArguments naming what ``function`` does not take.

    Only names are echoed, never values: a misplaced password stays out of
    the answer and the log."""
    if kwargs:
        names = sorted(str(k)[:40] for k in kwargs)
        raise InvalidArguments("%s() takes no argument named %s; see docs/service-api.md."
                               % (function, ", ".join(names[:10])))
    if args:
        raise InvalidArguments("%s() got %d positional argument(s) more than it takes; pass "
                               "arguments by keyword." % (function, len(args)))


def guarded(fn, dbName, function=None, args=None, kwargs=None, queueName=None, mirror=False):
    """Calls ``fn()`` and returns its envelope; never raises.

    ``fn`` returns (code, message, data) on success, or (code, message,
    data, ok) to answer ok False without an exception, and raises on
    failure: a WorkflowsError carries its own code; anything else is
    INTERNAL_ERROR (logged with its traceback: it is a bug or an
    unexpected outage). ``args``/``kwargs`` are what the public function's
    ``*args, **kwargs`` caught: anything there is INVALID_ARGUMENTS.
    ``queueName`` and ``mirror``: see respond().
    """
    started = clock.nowMs()
    try:
        if args or kwargs:
            rejectExtras(function or getattr(fn, "__name__", "?"), args, kwargs)
        # A plain call: in Jython, fn(*args, **kwargs) builds the keyword list
        # through a step that every enqueueInMemory thread queues on.
        result = fn()
        if len(result) == 4:
            return respond(result[3], result[0], result[1], result[2], dbName, started,
                           queueName, mirror)
        return respond(True, result[0], result[1], result[2], dbName, started, queueName, mirror)
    except WorkflowsError as e:
        return respond(False, e.code, messageOf(e), None, dbName, started, queueName)
    except ANY_ERROR as e:
        try:
            # Frames and the scrubbed root cause: no source lines, no SQL arguments.
            _logger().error("Unexpected error in %s:\n%s" % (
                function or getattr(fn, "__module__", "?"), safeTrace(e)))
        except ANY_ERROR:
            pass
        return respond(False, "INTERNAL_ERROR", "Unexpected error (%s). See the gateway log "
                       "(logger exchange.workflows.api)." % e.__class__.__name__, None, dbName,
                       started, queueName)
