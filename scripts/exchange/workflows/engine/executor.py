"""Runs one claimed workflow on a worker thread, from RUNNING to its end.

The workflow function is called from the top; the RunContext replays the
operations already recorded, then continues live. The final status write is
conditional on the claim epoch, so it can never overwrite a run that was
cancelled, stopped or taken over meanwhile.

Once the context holds a pending interrupt, the run's end is decided by it,
not by what the workflow function did: whatever it caught, raised or
returned, a STOP ends it STOPPED, an ABORT ABORTED, a timeout ERROR
(WorkflowTimedOut) -- all already written by the context when it took
them -- a cancel leaves the CANCELLED row alone, and a lost claim writes
nothing. Nor does a run that released its thread to wait (safepoints.Released:
its row already says what it waits for; the dispatcher wakes it).

A run claimed in a transitional status (HOLDING, RESTARTING, STOPPING,
ABORTING: a gateway died while its handler ran) first finishes that
handler (transitions.py), then goes where the handler leads: the body
runs only once the run is back in RUNNING (or HELD, where it parks at its
first safe point after replay). A body that raises runs onAbort before the
run ends ERROR, when the workflow declares one (abortOnError).
"""
from exchange.workflows.core import clock, codec, logs, states
from exchange.workflows.engine import control, identity, kernel
from exchange.workflows.engine.context import RunContext
from exchange.workflows.engine.interrupts import retrying
from exchange.workflows.engine.safepoints import TIMED_OUT, Released
from exchange.workflows.engine.transitions import ENDINGS
from exchange.workflows.core.errors import (ANY_ERROR, ClaimLost, NotSerializable, TooLarge,
                                              WorkflowAborted, WorkflowCancelled, WorkflowInterrupt,
                                              WorkflowStopped, WorkflowTimedOut, safeTrace,
                                              toRecord)
from exchange.workflows.store import checkpoints, runs

def logger():
    return logs.get("executor")


def execute(store, row, wfdef):
    """Runs the workflow of ``row`` (a claimed run) to its end or interruption."""
    k = kernel.get()
    wid = row.workflowId
    board = k["board"].get(wid)
    released = False
    try:
        ctx = _start(store, row, board)
        if ctx is None:
            return
        ctx.timeoutIncludesHeld = wfdef.timeoutIncludesHeld
        ctx.wfdef = wfdef
        ctx.inputs = dict((str(key), value)
                          for key, value in (codec.decode(row.inputs) or {}).items())
        k["context"].set(ctx)
        try:
            if row.status in states.HANDLING and _finishTransition(ctx) not in _BODY_GOES_ON:
                return
            if not _fresh(row):
                # A run service.resume reopened runs its onResume first.
                ctx.openPendingTransition()
            ended = _call(ctx, wfdef)
            if ended is not None:
                _finish(ctx, *ended)
        finally:
            k["context"].remove()
    except ClaimLost as e:
        # Not ours to write any more, or the database stayed away: whoever
        # holds the run now (or our own recovery) will finish it.
        kernel.flag("recoveryPending", store.dbName)
        logger().infof("run %s (%s) left to recovery: %s", wid, row.workflowName, e.reason)
    except Released:
        # The run waits without a thread; its row says so (safepoints.release).
        released = True
    except WorkflowInterrupt:
        pass  # the row already says CANCELLED, STOPPED or ABORTED
    except ANY_ERROR as e:
        kernel.flag("recoveryPending", store.dbName)
        logger().warnf("run %s (%s) could not be completed here:\n%s", wid, row.workflowName,
                       safeTrace(e))
    finally:
        kernel.dropRun(wid, row.claimEpoch)
        if not released:
            kernel.childEnded(wid)


def _start(store, row, board):
    now = clock.nowMs()
    deadline = row.deadlineMs
    if deadline is None and row.timeoutMs:
        deadline = now + int(row.timeoutMs)
    if row.status == states.PENDING:
        if retrying(lambda: runs.markRunning(store, row.workflowId, row.claimEpoch,
                                           now, deadline)) != 1:
            return None
        row.deadlineMs = deadline
    history = [] if _fresh(row) else retrying(lambda: checkpoints.load(store, row.workflowId))
    return RunContext(store, row, history, identity.executorId(), board)


# Where a resumed transition may leave the run for its body to go on.
_BODY_GOES_ON = (states.RUNNING, states.HELD)


def _finishTransition(ctx):
    """Finishes the transition a crash left open; returns the status
    reached. A run that ends STOPPED or ABORTED raises its interrupt."""
    reached = ctx.resumeTransition()
    if reached in ENDINGS:
        errorType, defaultReason, interruptClass = ENDINGS[reached]
        raise ctx.interrupt(interruptClass(defaultReason))
    return reached


def _fresh(row):
    """True for a run that never started before: it has no history to load
    (nor a transition recorded for it)."""
    return row.fresh or (row.startedMs is None and not row.recoveryAttempts)


def _call(ctx, wfdef):
    """Returns (status, output, error) of calling the workflow function, or
    None when the run's end is written already (onAbort ran after a failure).

    Raises:
        WorkflowInterrupt: the run was interrupted (its row already says so,
            or it is not ours any more): nothing is left to write.
    """
    failure = interrupt = None
    try:
        result = wfdef.fn(**ctx.inputs)
    except WorkflowInterrupt as e:
        interrupt = e
    except ANY_ERROR as e:
        failure = e
    if ctx.pending is not None:
        ctx.raisePending()
    if interrupt is not None:
        # Raised by the workflow's own code, not taken by the context.
        if isinstance(interrupt, WorkflowStopped):
            return states.STOPPED, None, {"type": "Stopped", "message": interrupt.reason}
        if isinstance(interrupt, WorkflowAborted):
            return states.ABORTED, None, {"type": "Aborted", "message": interrupt.reason}
        if isinstance(interrupt, WorkflowTimedOut):
            return states.ERROR, None, dict(TIMED_OUT)
        if isinstance(interrupt, WorkflowCancelled) or type(interrupt) is WorkflowInterrupt:
            # The workflow cancelled itself: 0.3.6's ``raise Cancelled(...)``
            # (engine.runtime.Cancelled is WorkflowInterrupt). Re-raised, it
            # would leave the run RUNNING for recovery to run again.
            return states.CANCELLED, None, {"type": "Cancelled", "message": interrupt.reason}
        raise interrupt
    if failure is not None:
        error = toRecord(failure)
        t = ctx.beginFromFailure(control.CAUSE_ERROR, error)
        if t is None:
            return states.ERROR, None, error
        ctx.runTransition(t)
        return None
    try:
        output = codec.encodeLimited(result, ctx.maxOutputBytes, ctx.maxDepth,
                                     "the workflow's return value")
    except TooLarge as e:
        return states.ERROR, None, {"type": "WorkflowOutputTooLarge",
                                    "message": "%s; return less (a summary, or a key to data "
                                               "kept elsewhere)" % e}
    except NotSerializable as e:
        return states.ERROR, None, {"type": "WorkflowOutputNotSerializable",
                                    "message": "the workflow returned a value with no JSON form: %s" % e}
    return (states.STOPPED if ctx.stopReceived else states.SUCCESS), output, None


def _finish(ctx, status, output, error):
    errorText = codec.encode(error) if error is not None else None
    n = ctx.retrying(lambda: runs.finish(ctx.store, ctx.workflowId, ctx.epoch, status,
                                         output, errorText, clock.nowMs()))
    if n != 1:
        row = ctx.retrying(lambda: runs.control(ctx.store, [ctx.workflowId])).get(ctx.workflowId)
        if row is not None and row.status == status and row.claimEpoch == ctx.epoch:
            return  # our own write; its commit answer was lost
        try:
            ctx.lost()
        except WorkflowCancelled:
            return
    logger().debugf("run %s (%s) ended %s", ctx.workflowId, ctx.workflowName, status)

