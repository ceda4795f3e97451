"""Statements on ``workflow_transitions``: the transitions of a run that run
a command handler (docs/control.md "Handlers: when they run, and how
often"), and the status changes that open and close them; and, as
transitions DONE at once with no handler (``note``), the other status
changes an operator caused: a command taken without a handler, a cancel,
a resume, a fork.

A transition is opened in one transaction with the status change into
HOLDING, RESTARTING, STOPPING or ABORTING (``begin``; the caller adds the
command's consume to the same transaction), and closed once, in one
transaction with the change to the status after it (``end``). Between the
two, the run's status says which handler is to run: a gateway that recovers
or takes over the run finds the open transition (``opened``) and runs its
handler again, replaying the steps it had finished.

Both status changes are conditional like every other (claim epoch, the
statuses the row may leave), so a cancelled or taken-over run is never
moved on by a gateway that lost it.
"""
from collections import namedtuple

from exchange.workflows.core import states
from exchange.workflows.store import statuses
from exchange.workflows.store.rows import camel, plain, toDicts

# A transition recorded ahead of its run's claim (service.resume: onResume
# runs once the run is claimed again); it opens (RUNNING) on the worker.
PENDING = "PENDING"
RUNNING = "RUNNING"
DONE = "DONE"
FAILED = "FAILED"
ABANDONED = "ABANDONED"
ENDINGS = (DONE, FAILED, ABANDONED)

COLUMNS = ("seq", "from_status", "to_status", "handler", "cause", "command", "sender", "reason",
           "detail", "state", "started_ms", "finished_ms", "error")
# One transition; ``toStatus`` is the transitional status its handler runs in.
Transition = namedtuple("Transition", [camel(c) for c in COLUMNS])

# The held span opens when the run leaves RUNNING for HOLDING (the clock of
# its deadline stops there), and stays open through HELD and RESTARTING.
_BEGIN = (
    "UPDATE {status} SET status = ?, transition_seq = transition_seq + 1, updated_ms = ?, "
    "held_since_ms = CASE WHEN ? = 1 THEN COALESCE(held_since_ms, ?) ELSE held_since_ms END "
    "WHERE workflow_id = ? AND claim_epoch = ? AND status IN %s")
_INSERT = ("INSERT INTO {transitions} (workflow_id, seq, from_status, to_status, handler, cause, "
           "command, sender, reason, detail, state, started_ms, finished_ms) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_NEXT_SEQ = "UPDATE {status} SET transition_seq = transition_seq + 1 WHERE workflow_id = ?"
_SEQ = "SELECT transition_seq FROM {status} WHERE workflow_id = ?"
_CLOSE = ("UPDATE {transitions} SET state = ?, finished_ms = ?, error = ? "
          "WHERE workflow_id = ? AND seq = ? AND state = '" + RUNNING + "'")
# Closing the held span: it joins held_ms (the first parameter is now).
_CLOSE_HELD = "held_ms = held_ms + COALESCE(? - held_since_ms, 0), held_since_ms = NULL"
_GUARD = " WHERE workflow_id = ? AND claim_epoch = ? AND status = ?"
# onHold done (or failed), or onResume failed: HELD, the span still open.
_TO_HELD = ("UPDATE {status} SET status = 'HELD', updated_ms = ?, "
            "handler_error = COALESCE(?, handler_error)" + _GUARD)
# onResume done: RUNNING; the deadline moves by the span (unless the
# workflow counts held time) before the span is closed, as in runs.py.
_TO_RUNNING = ("UPDATE {status} SET status = 'RUNNING', updated_ms = ?, "
               "handler_error = COALESCE(?, handler_error), "
               "deadline_ms = CASE WHEN ? = 1 OR held_since_ms IS NULL THEN deadline_ms "
               "ELSE deadline_ms + (? - held_since_ms) END, " + _CLOSE_HELD + _GUARD)
_TO_END = ("UPDATE {status} SET status = ?, updated_ms = ?, handler_error = COALESCE(?, "
           "handler_error), output = NULL, error = ?, finished_ms = ?, " + _CLOSE_HELD + _GUARD)


def begin(store, workflowId, epoch, fromStatuses, toStatus, handler, cause, command, sender,
          reason, detail, now, tx):
    """Moves the run held with ``epoch`` from one of ``fromStatuses`` to
    ``toStatus`` (a transitional status) and opens its transition, in
    ``tx``. Returns the Transition, or None when the row was not ours in
    one of those statuses (nothing written)."""
    n = store.update(_BEGIN % statuses.inList(fromStatuses),
                     [toStatus, now, 1 if toStatus == states.HOLDING else 0, now, workflowId,
                      epoch], tx)
    if n != 1:
        return None
    # The status left is recorded as the first one listed: callers list the
    # one they saw first, then those the row may also show (PENDING for RUNNING).
    return _insert(store, workflowId, fromStatuses[0], toStatus, handler, cause, command,
                   sender, reason, detail, RUNNING, now, tx)


def _insert(store, workflowId, fromStatus, toStatus, handler, cause, command, sender, reason,
            detail, state, now, tx):
    seq = int(plain(store.query(_SEQ, [workflowId], tx)[0][0]))
    finishedMs = now if state == DONE else None
    store.update(_INSERT, [workflowId, seq, fromStatus, toStatus, handler, cause, command,
                           sender, reason, detail, state, now, finishedMs], tx)
    return Transition(seq, fromStatus, toStatus, handler, cause, command, sender, reason,
                      detail, state, now, finishedMs, None)


def note(store, workflowId, fromStatus, toStatus, cause, command, sender, reason, detail, now,
         tx):
    """Records a status change that ran no handler (a HOLD straight to HELD,
    a STOP of a queued run, a cancel, a resume, ...) as a transition DONE
    at once, with no handler, in ``tx``: the caller's transaction that made
    the change, after it affected the row. Returns it. A run that is never
    commanded, cancelled or resumed writes none."""
    store.update(_NEXT_SEQ, [workflowId], tx)
    return _insert(store, workflowId, fromStatus, toStatus, None, cause, command, sender, reason,
                   detail, DONE, now, tx)


def pend(store, workflowId, fromStatus, toStatus, handler, cause, now, tx, sender=None,
         reason=None):
    """Records a transition for the run's next claim to open (PENDING): the
    onResume of a run that service.resume reopened. Returns it."""
    store.update(_NEXT_SEQ, [workflowId], tx)
    return _insert(store, workflowId, fromStatus, toStatus, handler, cause, None, sender, reason,
                   None, PENDING, now, tx)


def pending(store, workflowId):
    """The run's PENDING transition (to open before its body runs), or None."""
    return _latest(store, workflowId, PENDING)


def openPending(store, workflowId, epoch, transition, now, tx):
    """Opens the PENDING ``transition`` of the run held with ``epoch``: the
    run goes to the transition's status from RUNNING (or PENDING). Returns
    the opened Transition, or None when the row was not ours so."""
    n = store.update(
        "UPDATE {status} SET status = ?, updated_ms = ? WHERE workflow_id = ? AND claim_epoch = ? "
        "AND transition_seq = ? AND status IN " + statuses.RELEASABLE,
        [transition.toStatus, now, workflowId, epoch, transition.seq], tx)
    if n != 1:
        return None
    store.update("UPDATE {transitions} SET state = '" + RUNNING + "', started_ms = ? "
                 "WHERE workflow_id = ? AND seq = ? AND state = '" + PENDING + "'",
                 [now, workflowId, transition.seq], tx)
    return transition._replace(state=RUNNING, startedMs=now)


def settle(store, workflowId, transition):
    """A PENDING transition whose handler will not run (not declared where
    the run was claimed) stays as the record of what opened it (the resume,
    who and why): DONE at once with no handler, to ENQUEUED, as a resume
    recorded without onResume is."""
    store.update("UPDATE {transitions} SET handler = NULL, to_status = '" + states.ENQUEUED
                 + "', state = '" + DONE + "', finished_ms = started_ms "
                 "WHERE workflow_id = ? AND seq = ? AND state = '" + PENDING + "'",
                 [workflowId, transition.seq])


def abandonPending(store, workflowId, now, tx):
    """Closes ABANDONED the run's PENDING transition, in the transaction that
    ends the run before a claim opened it (a STOP, ABORT or cancel of a
    resumed run still ENQUEUED): its handler will never run."""
    store.update("UPDATE {transitions} SET state = '" + ABANDONED + "', finished_ms = ? "
                 "WHERE workflow_id = ? AND state = '" + PENDING + "'", [now, workflowId], tx)


# What ``end`` did: rows affected (0: not ours in the transitional status
# any more) and the run's deadline after it.
Ended = namedtuple("Ended", ["rows", "deadlineMs"])


def end(store, workflowId, epoch, transition, state, error, toStatus, runError, now, tx,
        timeoutIncludesHeld=False):
    """Closes ``transition`` (``state`` DONE, FAILED or ABANDONED, with the
    handler's ``error`` text) and moves the run on to ``toStatus`` (HELD,
    RUNNING or a finished status, then with ``runError`` as the run's
    error), in ``tx``. ABANDONED leaves the status to the caller's next
    ``begin``. A failed handler's error becomes the run's handler_error."""
    store.update(_CLOSE, [state, now, error, workflowId, transition.seq], tx)
    if toStatus is None:
        return Ended(1, None)
    handlerError = error if state == FAILED else None
    guard = [workflowId, epoch, transition.toStatus]
    if toStatus == states.HELD:
        n = store.update(_TO_HELD, [now, handlerError] + guard, tx)
    elif toStatus == states.RUNNING:
        n = store.update(_TO_RUNNING, [now, handlerError, 1 if timeoutIncludesHeld else 0, now,
                                       now] + guard, tx)
    else:
        n = store.update(_TO_END, [toStatus, now, handlerError, runError, now, now] + guard, tx)
    if n != 1:
        return Ended(0, None)
    ds = store.query("SELECT deadline_ms FROM {status} WHERE workflow_id = ?", [workflowId], tx)
    return Ended(1, None if ds[0][0] is None else int(plain(ds[0][0])))


def opened(store, workflowId):
    """The run's open transition (its handler still to finish), or None."""
    return _latest(store, workflowId, RUNNING)


def _latest(store, workflowId, state):
    """The run's latest transition (its transition_seq) when it is in ``state``."""
    ds = store.query(
        "SELECT " + ", ".join("t." + c for c in COLUMNS) + " FROM {transitions} t "
        "JOIN {status} s ON s.workflow_id = t.workflow_id AND s.transition_seq = t.seq "
        "WHERE t.workflow_id = ? AND t.state = ?", [workflowId, state])
    if not len(ds):
        return None
    return Transition(*[plain(ds[0][i]) for i in range(len(COLUMNS))])


def commanded(store, workflowId, fromMs, toMs):
    """The run's transitions opened by a command or a cancel between
    ``fromMs`` and ``toMs`` (inclusive: the consume times of a page of its
    mailbox), as Transitions: what each command led to (getCommands)."""
    ds = store.query(
        "SELECT " + ", ".join(COLUMNS) + " FROM {transitions} WHERE workflow_id = ? "
        "AND command IS NOT NULL AND started_ms >= ? AND started_ms <= ? ORDER BY seq",
        [workflowId, fromMs, toMs])
    return [Transition(*[plain(ds[r][i]) for i in range(len(COLUMNS))]) for r in range(len(ds))]


def page(store, workflowId, limit, offset):
    """One page of the run's transitions, oldest first, as dicts."""
    ds = store.query(
        "SELECT " + ", ".join(COLUMNS) + " FROM {transitions} WHERE workflow_id = ? "
        "ORDER BY seq LIMIT ? OFFSET ?", [workflowId, limit, offset])
    return toDicts(ds, COLUMNS)
