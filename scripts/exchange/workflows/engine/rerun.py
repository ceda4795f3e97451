"""Running an ended run again: ``resume`` (the same run, from its last good
operation) and ``fork`` (a new run that reuses another run's operations up
to a chosen one).

Both rely on replay: a claimed run that has recorded operations returns
their recorded results instead of executing them (replay.py), so what was
done is not done again. What is executed again is exactly what the history
no longer holds:

- resume keeps the run's history except, when the run ended because of it,
  its last operation: the failed step of a run that ended ERROR through
  that step's error, or (for a run that ended STOPPED) the STOP the
  workflow received itself with rt.recvCommand and everything after it.
  The latter is cut because the workflow's own code decided to end on it:
  replayed, the same code would end the resumed run again at once, and the
  engine would mark it STOPPED. Cut, the receive waits for a new command.
- fork copies the operations below ``fromStep`` (the ``functionId`` that
  getSteps shows) with the events and stream values they wrote; the new run
  executes from ``fromStep`` on.
"""
from exchange.workflows.core import clock, codec, states
from exchange.workflows.core.errors import InvalidArguments, WorkflowsError
from exchange.workflows.core.validate import isInteger
from exchange.workflows.engine import control, database, dispatcher, kernel, queries, registry
from exchange.workflows.engine import submit as submission
from exchange.workflows.store import checkpoints, db, history, mailbox, runs, transitions

# How a resumed run's leftover mailbox commands are marked (getCommands'
# consumedBy): sent to the run that ended, they are not for the new attempt.
VOIDED_BY = "resume"
# Received messages, of any topic: a message whose cmd is STOP ends the
# run STOPPED on every topic (operations.py).
_RECEIVES = "rt.recvCommand:"
LOCAL_WORKER_WAIT_MS = 2000


class NotResumable(WorkflowsError):
    code = "WORKFLOW_NOT_RESUMABLE"


class ResumeConflict(WorkflowsError):
    code = "RESUME_CONFLICT"


def workflowNameOf(dbName, workflowId):
    """The workflow name of run ``workflowId`` (for the policy's startRules), or None."""
    row = runs.get(database.prepare(dbName), workflowId)
    return row["workflowName"] if row is not None else None


def _failedStep(store, row, tx):
    """The id of the run's last operation when the run ended ERROR because
    of it (a step error that the workflow raised on), else None."""
    last = checkpoints.last(store, row["workflowId"], tx)
    if last is None or last.error is None or not row.get("error"):
        return None
    stepError, runError = codec.decode(last.error) or {}, codec.decode(row["error"]) or {}
    if runError.get("type") != stepError.get("type"):
        return None
    if runError.get("step") not in (None, last.functionName):
        return None
    return last.functionId


def _receivedStop(store, workflowId, tx):
    """The id of the first STOP the workflow received itself, or None."""
    for op in checkpoints.named(store, workflowId, _RECEIVES, tx):
        payload = codec.decode(op.output)
        if isinstance(payload, dict) and payload.get("cmd") == "STOP":
            return op.functionId
    return None


def _declared(workflowName):
    """The handlers the workflow declares on this gateway (none if unknown here)."""
    wfdef = registry.get(workflowName)
    return wfdef.handlers.declared() if wfdef is not None else ()


def _localWorkerDone(workflowId):
    """Waits up to LOCAL_WORKER_WAIT_MS for this gateway's worker of the run
    to let go of it; False if it still has not.

    A run's end is written a moment before its worker forgets it, and a
    cancelled run's worker goes on until its next safe point. The database
    fences that worker once the run is claimed again (new epoch), but this
    gateway's maps of running runs are keyed by the run's id: the resumed
    run must not be claimed here while the old worker still holds them."""
    running = kernel.get()["running"]
    waited = 0
    while running.containsKey(workflowId) and waited < LOCAL_WORKER_WAIT_MS:
        clock.sleepMs(20)
        waited += 20
    return not running.containsKey(workflowId)


def resume(dbName, workflowId, sender=None, reason=None):
    """Runs an ended run again from its last good operation; returns
    {workflowId, previousStatus, replayedSteps, status}.

    The run goes back to ENQUEUED in one transaction with the cut of its
    history (see the module docstring) and a transition that records it
    (``sender``, ``reason``): the onResume to run once claimed, or a
    transition to ENQUEUED with no handler. The claim that takes it gives
    it a new epoch and a full timeout from then.

    Raises:
        NotFound; NotResumable: active, or SUCCESS; ResumeConflict: another
        active run holds its deduplication id.
    """
    store = database.prepare(dbName)
    row = queries.requireRun(store, workflowId)
    previous = row["status"]
    if previous not in states.RESUMABLE:
        raise NotResumable(
            "Workflow %s is %s; only a run that ended %s can be resumed%s." % (
                workflowId, previous, ", ".join(states.RESUMABLE),
                " (fork it to run part of it again)" if previous == states.SUCCESS else ""))
    if not _localWorkerDone(workflowId):
        raise NotResumable("Workflow %s is still finishing its current step on this gateway; "
                           "try again in a moment." % workflowId)
    now = clock.nowMs()
    try:
        with store.transaction() as tx:
            if runs.reopen(store, workflowId, previous, now, tx) != 1:
                raise NotResumable("Workflow %s changed while it was being resumed; look at it "
                                   "again." % workflowId)
            cut = None
            if previous == states.ERROR:
                cut = _failedStep(store, row, tx)
            elif previous == states.STOPPED:
                cut = _receivedStop(store, workflowId, tx)
            if cut is not None:
                history.cutAt(store, workflowId, cut, tx)
            mailbox.voidPending(store, workflowId, states.COMMAND_TOPIC, VOIDED_BY, now, tx)
            if "onResume" in _declared(row["workflowName"]):
                # onResume runs (RESTARTING) when the run is claimed again,
                # before its body replays (docs/control.md).
                transitions.pend(store, workflowId, previous, states.RESTARTING, "onResume",
                                 control.CAUSE_RESUME, now, tx, sender, reason)
            else:
                transitions.note(store, workflowId, previous, states.ENQUEUED,
                                 control.CAUSE_RESUME, None, sender, reason, None, now, tx)
            kept = checkpoints.count(store, workflowId, tx)
    except db.UniqueViolation:
        raise ResumeConflict(
            "Workflow %s cannot be resumed: another active run holds its deduplication id %r "
            "in queue %s." % (workflowId, row.get("deduplicationId"), row["queueName"]))
    dispatcher.wake(dbName, row["queueName"])
    return {"workflowId": workflowId, "previousStatus": previous, "replayedSteps": kept,
            "status": states.ENQUEUED}


def fork(dbName, workflowId, fromStep, inputs, sender):
    """Starts a new run of the same workflow that replays ``workflowId``'s
    operations below ``fromStep`` and executes from there; returns
    {workflowId (the new one), forkedFrom, fromStep, status}.

    The new run has the original's queue, partition key, priority,
    application version and timeout, ``inputs`` (None: the original's), no
    deduplication id, and ``createdBy`` ``sender``.

    Raises:
        NotFound; NotResumable: the run is active; InvalidArguments: fromStep
        not 0..(operations recorded), or inputs the workflow does not take;
        NotRegistered: the workflow is not registered on this gateway.
    """
    store = database.prepare(dbName)
    row = queries.requireRun(store, workflowId)
    if row["status"] not in states.FINISHED:
        raise NotResumable("Workflow %s is %s; only an ended run can be forked." % (
            workflowId, row["status"]))
    recorded = checkpoints.count(store, workflowId)
    if not isInteger(fromStep) or not 0 <= fromStep <= recorded:
        raise InvalidArguments("fromStep must be an operation number from 0 to %d (getSteps' "
                               "functionId; %d: after the last one)." % (recorded, recorded))
    if inputs is None:
        inputs = codec.decode(row["inputs"]) or {}
    newId, built = submission.build(
        row["workflowName"], inputs, row["queueName"], row["partitionKey"], row["priority"],
        None, row["applicationVersion"], None, sender)
    built = list(built)
    built[runs.INSERT_COLUMNS.index("timeout_ms")] = row["timeoutMs"]
    with store.transaction() as tx:
        runs.insertFork(store, built, workflowId, fromStep, tx)
        history.copyBefore(store, workflowId, newId, fromStep, tx)
        # The new run's first transition says where it came from.
        transitions.note(store, newId, row["status"], states.ENQUEUED, control.CAUSE_FORK, None,
                         sender, None, codec.encode({"forkedFrom": workflowId,
                                                     "fromStep": fromStep}), clock.nowMs(), tx)
    dispatcher.wake(dbName, row["queueName"])
    return {"workflowId": newId, "forkedFrom": workflowId, "fromStep": fromStep,
            "status": states.ENQUEUED}
