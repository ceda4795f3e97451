"""Operator commands and cancellation, as seen from the sender's side.

A command is a message in the run's mailbox, numbered by the run's
``cmd_seq`` (bumped in the same transaction, which also proves the run is
still active). The run acts on it at its next safe point; a command sent to
a run that no gateway holds yet (ENQUEUED) waits for it, except STOP and
ABORT, which end it at once (control.decide: nothing has started, so no
handler runs). Commands on topic ``cmd`` are stored by their canonical
name (control.canonical: upper case, RESTART as RESUME), so the engine, a
workflow's rt.recvCommand() and getCommands all see one name per command.
``cancel`` ends any active run at once in the database; the holder notices
at its next safe point.
"""
from exchange.workflows.core import clock, codec, states
from exchange.workflows.engine import children, control, database, kernel, transitions
from exchange.workflows.core.errors import NotFound, WorkflowsError
from exchange.workflows.store import mailbox, runs

# What a command that ends an ENQUEUED run records as the run's error.
_UNCLAIMED_ENDINGS = {
    states.STOPPED: ("Stopped", "STOP command"),
    states.ABORTED: ("Aborted", "ABORT command"),
}


# Operator commands a parent passes on to its children (RESET is an answer
# to a workflow that asks for it, not passed on).
_PASSED_TO_CHILDREN = ("HOLD", "RESUME", "STOP", "ABORT")


class NotActive(WorkflowsError):
    code = "WORKFLOW_ALREADY_FINISHED"


def _finishedError(store, workflowId):
    row = runs.get(store, workflowId)
    if row is None:
        return NotFound.run(workflowId, store.dbName)
    return NotActive("Workflow %s already finished with status %s; commands only reach active "
                     "runs." % (workflowId, row["status"]))


def send(dbName, workflowId, cmd, reason, topic, sender):
    """Posts ``cmd`` to the run's mailbox; returns {workflowId, cmd, seq,
    status} (``cmd`` as stored: canonical on topic ``cmd``).

    Raises:
        InvalidArguments: unknown command.
        NotFound / NotActive: no such run, or it already finished.
    """
    commanded = topic == states.COMMAND_TOPIC
    if commanded:
        cmd = control.canonical(cmd)
    store = database.prepare(dbName)
    now = clock.nowMs()
    payload = codec.encode({"cmd": cmd, "reason": reason, "sender": sender, "sentMs": now})
    with store.transaction() as tx:
        taken = runs.bumpCommandSeq(store, workflowId, now, tx)
        if taken is not None:
            seq, status = taken
            mailbox.post(store, workflowId, seq, topic, payload, sender, reason, now, tx)
            ending = control.decide(status, cmd) if commanded else None
            if ending is not None and ending.toStatus in _UNCLAIMED_ENDINGS:
                errorType, defaultReason = _UNCLAIMED_ENDINGS[ending.toStatus]
                mailbox.consume(store, workflowId, seq, "engine", now, tx)
                if runs.endUnclaimed(store, workflowId, ending.toStatus, codec.encode(
                        {"type": errorType, "message": reason or defaultReason}), now, tx) == 1:
                    transitions.noteCommand(store, workflowId, seq, cmd, sender, reason, status,
                                            ending.toStatus, now, tx)
                status = ending.toStatus
    if taken is None:
        raise _finishedError(store, workflowId)
    # A run that released its thread is due now (runs.bumpCommandSeq): woken
    # here at once. Imported here: dispatcher imports (through the executor)
    # modules that import this one.
    from exchange.workflows.engine import dispatcher
    dispatcher.notify(dbName, workflowId)
    result = {"workflowId": workflowId, "cmd": cmd, "seq": seq, "status": status}
    if commanded and cmd in _PASSED_TO_CHILDREN:
        # The parent's command reaches its children (and through this same
        # call, theirs); engine/children.py.
        result["children"] = children.propagate(
            store, workflowId, lambda child: send(dbName, child, cmd, reason, topic, sender))
    return result


def cancel(dbName, workflowId, reason, sender):
    """Ends an active run as CANCELLED; returns {previousStatus}."""
    store = database.prepare(dbName)
    row = runs.get(store, workflowId)
    if row is None:
        raise NotFound.run(workflowId, dbName)
    error = codec.encode({"type": "Cancelled", "message": reason or "cancelled",
                          "sender": sender})
    now = clock.nowMs()
    with store.transaction() as tx:
        cancelled = runs.cancel(store, workflowId, error, now, tx) == 1
        if cancelled:
            # getTransitions lists the cancel (from the status read just
            # before: the previousStatus this call answers).
            transitions.noteCancel(store, workflowId, row["status"], sender, reason, now, tx)
    if not cancelled:
        raise _finishedError(store, workflowId)
    kernel.signal(workflowId)
    reached = children.propagate(store, workflowId,
                                 lambda child: cancel(dbName, child, reason, sender))
    return {"workflowId": workflowId, "previousStatus": row["status"], "status": states.CANCELLED,
            "children": reached}
