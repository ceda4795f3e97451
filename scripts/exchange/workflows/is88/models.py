"""0.3.6's command and state model for workflows that receive their own
commands: ``from exchange.workflows.is88 import models``.

The table and the functions are core.commands' (one copy, also used by the
engine's ``rt.recvCommand`` arbitration); this module gives them 0.3.6's
names. ABORT is not here, as in 0.3.6: the engine applies it itself and
never hands it to a workflow.
"""
from exchange.workflows.core import commands, states

__all__ = ["ST_IDLE", "ST_STARTING", "ST_RUNNING", "ST_HOLDING", "ST_HELD", "ST_RESUMING",
           "ST_STOPPING", "ST_STOPPED", "ST_COMPLETE", "ST_ERROR", "ALL_STATES",
           "CMD_HOLD", "CMD_RESUME", "CMD_STOP", "CMD_RESET", "ALL_COMMANDS", "CMD_PRIORITY",
           "allowedInState", "normalizeCommand", "commandPriority", "pickHighestPriority"]

ST_IDLE = commands.IDLE
ST_STARTING = commands.STARTING
ST_RUNNING = states.RUNNING
ST_HOLDING = states.HOLDING
ST_HELD = states.HELD
ST_RESUMING = commands.RESUMING
ST_STOPPING = states.STOPPING
ST_STOPPED = states.STOPPED
ST_COMPLETE = commands.COMPLETE
ST_ERROR = states.ERROR
ALL_STATES = commands.STATES

CMD_HOLD = commands.HOLD
CMD_RESUME = commands.RESUME
CMD_STOP = commands.STOP
CMD_RESET = commands.RESET
ALL_COMMANDS = commands.COMMANDS
# A copy: a caller that edits it changes nothing in the engine.
CMD_PRIORITY = dict(commands.PRIORITY)


def allowedInState(cmd, state):
    """True when command ``cmd`` may act while the workflow is in ``state``."""
    return commands.allowedIn(cmd, state)


def normalizeCommand(messageOrCmd):
    """The known command named by a string or a message's ``cmd``, upper case, or None."""
    return commands.normalize(messageOrCmd)


def commandPriority(cmd):
    """Higher wins: STOP 2, HOLD 1, RESUME 0, RESET -1; -999 when unknown."""
    return commands.priority(cmd)


def pickHighestPriority(messages, state=None):
    """``{"cmd", "message", "priority"}`` of the winning command of a batch
    (oldest first; ties: the oldest) among those allowed in ``state``
    (None: no state filter), or None when none is."""
    choice = commands.pickHighest(messages, state)
    return None if choice is None else choice.asDict()
