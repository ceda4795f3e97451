"""Runs one claimed workflow on a worker thread, from RUNNING to its end.

The workflow function is called from the top; the RunContext replays the
operations already recorded, then continues live. The final status write is
conditional on the claim epoch, so it can never overwrite a run that was
cancelled, stopped or taken over meanwhile.
"""
import traceback

from exchange.workflows.engine import clock, codec, identity, kernel, states
from exchange.workflows.engine.context import RunContext, retrying
from exchange.workflows.engine.errors import (ANY_ERROR, ClaimLost, NotSerializable,
                                              WorkflowCancelled, WorkflowInterrupt, describe,
                                              WorkflowStopped, WorkflowTimedOut, toRecord)
from exchange.workflows.store import checkpoints, runs

_log = []


def logger():
    if not _log:
        _log.append(system.util.getLogger("exchange.workflows.executor"))
    return _log[0]


def execute(dbName, d, row, wfdef):
    """Runs the workflow of ``row`` (a claimed run) to its end or interruption."""
    k = kernel.get()
    wid = row["workflowId"]
    board = k["board"].get(wid)
    try:
        ctx = _start(dbName, d, row, board)
        if ctx is None:
            return
        k["context"].set(ctx)
        try:
            _finish(ctx, *_call(ctx, wfdef, row))
        finally:
            k["context"].remove()
    except ClaimLost as e:
        # Not ours to write any more, or the database stayed away: whoever
        # holds the run now (or our own recovery) will finish it.
        kernel.flag("recoveryPending", dbName)
        logger().infof("run %s (%s) left to recovery: %s", wid, row["workflowName"], e.reason)
    except WorkflowInterrupt:
        pass  # the row already says CANCELLED or STOPPED
    except ANY_ERROR as e:
        kernel.flag("recoveryPending", dbName)
        logger().warnf("run %s (%s) could not be completed here: %s\n%s", wid, row["workflowName"],
                       describe(e), traceback.format_exc())
    finally:
        k["running"].remove(wid)
        k["board"].remove(wid)
        k["seenCmdSeq"].remove(wid)


def _start(dbName, d, row, board):
    now = clock.nowMs()
    deadline = row.get("deadlineMs")
    if deadline is None and row.get("timeoutMs"):
        deadline = now + int(row["timeoutMs"])
    if row["status"] == states.PENDING:
        if retrying(lambda: runs.markRunning(dbName, d, row["workflowId"], row["claimEpoch"],
                                           now, deadline)) != 1:
            return None
        row["deadlineMs"] = deadline
    fresh = row.get("fresh") or (row.get("startedMs") is None and not row.get("recoveryAttempts"))
    history = [] if fresh else retrying(lambda: checkpoints.load(dbName, d, row["workflowId"]))
    return RunContext(dbName, d, row, history, identity.executorId(), board)


def _call(ctx, wfdef, row):
    """Returns (status, output, error) of calling the workflow function."""
    try:
        kwargs = dict((str(key), value) for key, value in (codec.decode(row["inputs"]) or {}).items())
        result = wfdef.fn(**kwargs)
    except (WorkflowCancelled, ClaimLost):
        raise
    except WorkflowStopped as e:
        return states.STOPPED, None, {"type": "Stopped", "message": e.reason}
    except WorkflowTimedOut:
        return states.ERROR, None, {"type": "WorkflowTimedOut",
                                    "message": "the workflow ran past its timeout"}
    except WorkflowInterrupt:
        raise
    except ANY_ERROR as e:
        return states.ERROR, None, toRecord(e)
    try:
        output = codec.encode(result)
    except NotSerializable as e:
        return states.ERROR, None, {"type": "WorkflowOutputNotSerializable",
                                    "message": "the workflow returned a value with no JSON form: %s" % e}
    return (states.STOPPED if ctx.stopReceived else states.SUCCESS), output, None


def _finish(ctx, status, output, error):
    errorText = codec.encode(error) if error is not None else None
    n = ctx.retrying(lambda: runs.finish(ctx.dbName, ctx.d, ctx.workflowId, ctx.epoch, status,
                                         output, errorText, clock.nowMs()))
    if n != 1:
        row = ctx.retrying(lambda: runs.control(ctx.dbName, ctx.d, [ctx.workflowId])).get(ctx.workflowId)
        if row is not None and row[0] == status and row[1] == ctx.epoch:
            return  # our own write; its commit answer was lost
        try:
            ctx.lost()
        except WorkflowCancelled:
            return
    logger().debugf("run %s (%s) ended %s", ctx.workflowId, ctx.workflowName, status)

