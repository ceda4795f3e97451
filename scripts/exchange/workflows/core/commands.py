"""Command arbitration for workflows that receive their own commands in the
style of ignition-workflows 0.3.6 (``exchange.workflows.is88.models``).

A workflow that reads a batch of commands asks two questions: which of
them may act in the state it says it is in, and which one wins. STOP
always may, and wins over HOLD, which wins over RESUME, which wins over
RESET:

    state given by the workflow   commands allowed
    any (or None: no filtering)   STOP
    STARTING, RUNNING, RESUMING   HOLD
    HELD                          RESUME
    STOPPED, ERROR                RESET

The table is 0.3.6's, unchanged (docs/migrating-from-0.3.md): RESET in
RUNNING or HELD is not allowed there, so a workflow's RESET branch for
those states never ran at a site, and allowing it now would run code no
site has exercised. Equal priorities: the first (oldest) command wins.

Pure functions: no database, no engine. ``engine`` uses ``arbitrate`` for
``rt.recvCommand``; ``is88.models`` re-exports these under 0.3.6's names.
"""
from collections import namedtuple

from exchange.workflows.core import states
from exchange.workflows.core.codec import TEXT

__all__ = ["IDLE", "STARTING", "RESUMING", "COMPLETE", "STATES", "HOLD", "RESUME", "STOP",
           "RESET", "COMMANDS", "PRIORITY", "UNKNOWN_PRIORITY", "Choice", "Arbitration",
           "normalize", "allowedIn", "priority", "pickHighest", "arbitrate"]

# States a workflow reports about itself (recvCommand's currentState). Some
# are run statuses of core.states too; the others exist only here.
IDLE = "IDLE"
STARTING = "STARTING"
RESUMING = "RESUMING"
COMPLETE = "COMPLETE"
STATES = (IDLE, STARTING, states.RUNNING, states.HOLDING, states.HELD, RESUMING,
          states.STOPPING, states.STOPPED, COMPLETE, states.ERROR)

HOLD = "HOLD"
RESUME = "RESUME"
STOP = "STOP"
RESET = "RESET"
COMMANDS = (HOLD, RESUME, STOP, RESET)
PRIORITY = {STOP: 2, HOLD: 1, RESUME: 0, RESET: -1}
# What an unknown command ranks at: below every known one.
UNKNOWN_PRIORITY = -999
# None: allowed in every state.
_ALLOWED_IN = {
    STOP: None,
    HOLD: (STARTING, states.RUNNING, RESUMING),
    RESUME: (states.HELD,),
    RESET: (states.STOPPED, states.ERROR),
}


class Choice(namedtuple("Choice", "cmd message priority index")):
    """The winning command: its normalized name, the message as given, its
    priority and its position in the batch."""
    __slots__ = ()

    def asDict(self):
        """0.3.6's shape: ``{"cmd", "message", "priority"}``."""
        return {"cmd": self.cmd, "message": self.message, "priority": self.priority}


class Arbitration(namedtuple("Arbitration", "chosen dropped waiting")):
    """A batch decided: ``chosen`` (a Choice, or None), ``dropped`` (indexes
    of unknown commands and of commands not allowed in the state) and
    ``waiting`` (indexes of allowed commands that lost to ``chosen``: 0.3.6
    deleted these too, which lost e.g. a RESUME queued behind a HOLD)."""
    __slots__ = ()


def normalize(messageOrCmd):
    """The command named by a string or by a message dict's ``cmd``, in
    upper case, or None when it is not one of COMMANDS."""
    raw = messageOrCmd.get("cmd") if isinstance(messageOrCmd, dict) else messageOrCmd
    if raw is None:
        return None
    cmd = (raw if isinstance(raw, TEXT) else str(raw)).upper()
    return cmd if cmd in PRIORITY else None


def allowedIn(cmd, state):
    """True when ``cmd`` (a name or a message) may act in ``state`` (any case)."""
    name = normalize(cmd)
    if name is None:
        return False
    where = _ALLOWED_IN[name]
    return where is None or (state or "").upper() in where


def priority(cmd):
    """The priority of a command name or message; UNKNOWN_PRIORITY when unknown."""
    name = normalize(cmd)
    return UNKNOWN_PRIORITY if name is None else PRIORITY[name]


def arbitrate(messages, state=None):
    """Decides a batch of commands (oldest first) for a workflow in ``state``
    (None: every known command is allowed). Returns an Arbitration."""
    chosen, dropped, allowed = None, [], []
    for index, message in enumerate(messages or ()):
        name = normalize(message)
        if name is None or (state is not None and not allowedIn(name, state)):
            dropped.append(index)
            continue
        allowed.append(index)
        rank = PRIORITY[name]
        if chosen is None or rank > chosen.priority:
            chosen = Choice(name, message, rank, index)
    waiting = [i for i in allowed if chosen is None or i != chosen.index]
    return Arbitration(chosen, dropped, waiting)


def pickHighest(messages, state=None):
    """The winning Choice of ``messages`` in ``state``, or None."""
    return arbitrate(messages, state).chosen
