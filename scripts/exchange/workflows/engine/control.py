"""What an operator command does to a run: docs/control.md "Commands" as data.

A command is decided when the run *takes* it, by the status the run has
then (not when it was sent). ``decide`` is the one place that says what
happens; the engine applies its answer at safe points, the sender's side
applies it to ENQUEUED runs, and the console derives its buttons from it.

Pure: no database, no ``system``; tests/unit/test_control_table.py checks
every cell against the table in docs/control.md.

Order matters: commands are taken oldest first, and a command that must
wait (``DEFER``) holds back every later one, so that HOLD, RESUME, HOLD sent
while ``onHold`` runs ends the run held, as an operator reading the
commands in order expects.
"""
from collections import namedtuple

from exchange.workflows.core import states
from exchange.workflows.core.errors import InvalidArguments

__all__ = ["TRANSITION", "DEFER", "IGNORE", "KEEP_FOR_WORKFLOW", "ESCALATE", "REFUSE",
           "ACTIONS", "Decision", "HANDLER_NAMES", "HANDLER_OF", "AFTER", "AFTER_FAILURE",
           "ENGINE_ALWAYS", "TABLE", "CAUSE_COMMAND", "CAUSE_CANCEL",
           "CAUSE_ERROR", "CAUSE_TIMEOUT", "CAUSE_RESUME", "CAUSE_FORK", "CAUSES", "canonical",
           "decide", "failure", "endStatus", "effectiveCommands"]

# What the run does with a command it takes.
# Consume it and go to ``toStatus`` now, running ``handler`` there if any.
TRANSITION = "TRANSITION"
# Leave it, and every later command, in the mailbox: it is decided again,
# in order, when the running handler ends (or once an ENQUEUED run is
# claimed).
DEFER = "DEFER"
# Consume it; it changes nothing (its outcome reads "ignored").
IGNORE = "IGNORE"
# Leave it in the mailbox for the workflow's rt.recvCommand(); later
# commands are still looked at.
KEEP_FOR_WORKFLOW = "KEEP_FOR_WORKFLOW"
# ABORT during STOPPING: stop onStop at its next safe point (its transition
# ends ABANDONED), then go to ``toStatus``.
ESCALATE = "ESCALATE"
# The run has ended: WORKFLOW_ALREADY_FINISHED.
REFUSE = "REFUSE"
ACTIONS = (TRANSITION, DEFER, IGNORE, KEEP_FOR_WORKFLOW, ESCALATE, REFUSE)

# ``handler`` is the name of the handler to run in ``toStatus`` (None: no
# handler runs); ``toStatus`` is None unless the action changes the status.
Decision = namedtuple("Decision", ["action", "toStatus", "handler"])

HANDLER_NAMES = ("onHold", "onResume", "onStop", "onAbort")
# The handler that runs in each transitional status.
HANDLER_OF = {
    states.HOLDING: "onHold",
    states.RESTARTING: "onResume",
    states.STOPPING: "onStop",
    states.ABORTING: "onAbort",
}
# Where a run goes when the handler of its transitional status returns; a
# transition whose handler is not declared goes there at once.
AFTER = {
    states.HOLDING: states.HELD,
    states.RESTARTING: states.RUNNING,
    states.STOPPING: states.STOPPED,
    states.ABORTING: states.ABORTED,
}
# Where it goes when the handler raises: never to a status that runs more of
# the body without an operator asking (a failed restart stays HELD).
AFTER_FAILURE = {
    states.HOLDING: states.HELD,
    states.RESTARTING: states.HELD,
    states.STOPPING: states.STOPPED,
    states.ABORTING: states.ABORTED,
}
# Applied by the engine even to a run that receives its commands itself.
ENGINE_ALWAYS = ("ABORT",)

# Why a transition was opened (the transition record's ``cause``).
CAUSE_COMMAND = "command"
CAUSE_CANCEL = "cancel"
CAUSE_ERROR = "error"
CAUSE_TIMEOUT = "timeout"
CAUSE_RESUME = "resume"
CAUSE_FORK = "fork"
CAUSES = (CAUSE_COMMAND, CAUSE_CANCEL, CAUSE_ERROR, CAUSE_TIMEOUT, CAUSE_RESUME, CAUSE_FORK)

# The statuses that refuse every command.
_ENDED = states.FINISHED

_CMDS = ("HOLD", "RESUME", "STOP", "ABORT", "RESET")
_ALIASES = {"RESTART": "RESUME"}


def _row(hold, resume, stop, abort, reset):
    return dict(zip(_CMDS, (hold, resume, stop, abort, reset)))


def _to(status):
    return Decision(TRANSITION, status, HANDLER_OF.get(status))


_DEFER = Decision(DEFER, None, None)
_IGNORE = Decision(IGNORE, None, None)
_KEEP = Decision(KEEP_FOR_WORKFLOW, None, None)
_RUNNING_ROW = _row(_to(states.HOLDING), _IGNORE, _to(states.STOPPING), _to(states.ABORTING),
                    _KEEP)

# docs/control.md "Commands", one row per status, with every handler
# declared, for a run past its first durable operation that does not
# receive its commands itself (decide() applies those three conditions).
TABLE = {
    # Nothing has started: STOP and ABORT end the run at once with no
    # handler; HOLD waits for the claim (then HELD before the first step).
    states.ENQUEUED: _row(_DEFER, _DEFER, _to(states.STOPPED), _to(states.ABORTED), _KEEP),
    states.PENDING: _RUNNING_ROW,
    states.RUNNING: _RUNNING_ROW,
    states.HOLDING: _row(_IGNORE, _DEFER, _DEFER, _DEFER, _KEEP),
    states.HELD: _row(_IGNORE, _to(states.RESTARTING), _to(states.STOPPING),
                      _to(states.ABORTING), _KEEP),
    states.RESTARTING: _row(_DEFER, _IGNORE, _DEFER, _DEFER, _KEEP),
    # The body never runs again: nothing is kept for it. ABORT is the one
    # escalation ISA-88 allows while stopping.
    states.STOPPING: _row(_IGNORE, _IGNORE, _IGNORE,
                          Decision(ESCALATE, states.ABORTING, "onAbort"), _IGNORE),
    states.ABORTING: _row(_IGNORE, _IGNORE, _IGNORE, _IGNORE, _IGNORE),
}
# A HOLD taken before the first durable operation, and the RESUME that
# follows it, change the status without a handler: nothing has been done
# that onHold would need to make safe.
_SKIPPED_BEFORE_FIRST_OPERATION = ("onHold", "onResume")


def canonical(cmd):
    """The command's name as the table knows it: upper case, RESTART as RESUME.

    Raises:
        InvalidArguments (UNKNOWN_COMMAND): not one of states.COMMANDS.
    """
    name = cmd.upper() if hasattr(cmd, "upper") else cmd
    if name not in states.COMMANDS:
        raise InvalidArguments("Unknown command %r; valid commands are %s."
                               % (cmd, ", ".join(states.COMMANDS)), code="UNKNOWN_COMMAND")
    return _ALIASES.get(name, name)


def _withHandlers(decision, declared):
    """The decision for a workflow that declares only ``declared``: a
    transition whose handler is missing goes straight to where it leads."""
    if decision.handler is None or declared is None or decision.handler in declared:
        return decision
    return Decision(decision.action, AFTER[decision.toStatus], None)


def decide(status, cmd, selfCommanded=False, beforeFirstOperation=False, declared=None):
    """What a run in ``status`` does with ``cmd`` when it takes it.

    Args:
        status: the run's status when it takes the command.
        cmd: HOLD, RESUME, RESTART, STOP, ABORT or RESET, in any case.
        selfCommanded: the run has called rt.recvCommand() on topic ``cmd``:
            while its body runs (PENDING, RUNNING) every command but ABORT is
            kept for it.
        beforeFirstOperation: the run has recorded no durable operation yet:
            HOLD goes straight to HELD, and RESUME from HELD straight to
            RUNNING, with no handler.
        declared: the handler names the workflow declares (None: all of
            them, the table as documented). A transition whose handler is
            missing goes straight to the status after it.

    Returns:
        Decision(action, toStatus, handler).

    Raises:
        InvalidArguments: unknown command (UNKNOWN_COMMAND) or status.
    """
    name = canonical(cmd)
    if status in _ENDED:
        return Decision(REFUSE, None, None)
    row = TABLE.get(status)
    if row is None:
        raise InvalidArguments("Unknown run status %r." % (status,))
    if selfCommanded and status in (states.PENDING, states.RUNNING) and name not in ENGINE_ALWAYS:
        return _KEEP
    decision = row[name]
    if beforeFirstOperation and decision.handler in _SKIPPED_BEFORE_FIRST_OPERATION:
        decision = Decision(decision.action, AFTER[decision.toStatus], None)
    return _withHandlers(decision, declared)


def failure(abortOnError=True, declared=None):
    """What a run does when its body raises or times out: ABORTING with
    onAbort (then ERROR, see ``endStatus``), or ERROR at once when the
    workflow opts out (``abortOnError=False``) or declares no onAbort."""
    if not abortOnError:
        return Decision(TRANSITION, states.ERROR, None)
    decision = _withHandlers(_to(states.ABORTING), declared)
    if decision.handler is None:
        return Decision(TRANSITION, states.ERROR, None)
    return decision


def endStatus(status, cause, handlerFailed=False):
    """The status a transition ends in when its handler returns (or raises,
    ``handlerFailed``). An abort caused by a failure ends ERROR either way:
    the run's status still says that it failed, not that someone aborted it.
    """
    if status == states.ABORTING and cause in (CAUSE_ERROR, CAUSE_TIMEOUT):
        return states.ERROR
    return (AFTER_FAILURE if handlerFailed else AFTER)[status]


def effectiveCommands(status):
    """The commands that do something for a run in ``status`` now or once
    its handler ends (neither ignored nor refused), in the table's order.
    RESTART is left out: it is RESUME under another name. For console
    buttons; RESET does something only for a workflow that receives it."""
    if status in _ENDED:
        return ()
    row = TABLE[status]
    return tuple(name for name in _CMDS if row[name].action not in (IGNORE, REFUSE))
