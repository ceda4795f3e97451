"""Operator commands and cancellation, as seen from the sender's side.

A command is a message in the run's mailbox, numbered by the run's
``cmd_seq`` (bumped in the same transaction, which also proves the run is
still active). The run acts on it at its next safe point; a command sent to
a run that no gateway holds yet (ENQUEUED) waits for it, except STOP, which
ends it at once. ``cancel`` ends any active run at once in the database;
the holder notices at its next safe point.
"""
from exchange.workflows.core import clock, codec, states
from exchange.workflows.engine import database, kernel
from exchange.workflows.core.errors import InvalidArguments, NotFound, WorkflowsError
from exchange.workflows.store import mailbox, runs


class NotActive(WorkflowsError):
    code = "WORKFLOW_ALREADY_FINISHED"


def _finishedError(store, workflowId):
    row = runs.get(store, workflowId)
    if row is None:
        return NotFound("No workflow with id %r in database '%s'." % (workflowId, store.dbName))
    return NotActive("Workflow %s already finished with status %s; commands only reach active "
                     "runs." % (workflowId, row["status"]))


def send(dbName, workflowId, cmd, reason, topic, sender):
    """Posts ``cmd`` to the run's mailbox; returns {seq, status}.

    Raises:
        InvalidArguments: unknown command.
        NotFound / NotActive: no such run, or it already finished.
    """
    if topic == states.COMMAND_TOPIC and cmd not in states.COMMANDS:
        raise InvalidArguments("Unknown command %r; valid commands are %s."
                               % (cmd, ", ".join(states.COMMANDS)), code="UNKNOWN_COMMAND")
    store = database.prepare(dbName)
    now = clock.nowMs()
    payload = codec.encode({"cmd": cmd, "reason": reason, "sender": sender, "sentMs": now})
    with store.transaction() as tx:
        taken = runs.bumpCommandSeq(store, workflowId, now, tx)
        if taken is not None:
            seq, status = taken
            mailbox.post(store, workflowId, seq, topic, payload, sender, reason, now, tx)
            if cmd == "STOP" and topic == states.COMMAND_TOPIC and status == states.ENQUEUED:
                mailbox.consume(store, workflowId, seq, "engine", now, tx)
                runs.endUnclaimed(store, workflowId, states.STOPPED, codec.encode(
                    {"type": "Stopped", "message": reason or "STOP command"}), now, tx)
                status = states.STOPPED
    if taken is None:
        raise _finishedError(store, workflowId)
    kernel.signal(workflowId)
    return {"workflowId": workflowId, "cmd": cmd, "seq": seq, "status": status}


def cancel(dbName, workflowId, reason, sender):
    """Ends an active run as CANCELLED; returns {previousStatus}."""
    store = database.prepare(dbName)
    row = runs.get(store, workflowId)
    if row is None:
        raise NotFound("No workflow with id %r in database '%s'." % (workflowId, dbName))
    error = codec.encode({"type": "Cancelled", "message": reason or "cancelled",
                          "sender": sender})
    if runs.cancel(store, workflowId, error, clock.nowMs()) != 1:
        raise _finishedError(store, workflowId)
    kernel.signal(workflowId)
    return {"workflowId": workflowId, "previousStatus": row["status"], "status": states.CANCELLED}
