"""What the console lets a session do: the policy rights it holds, and which
run commands (Hold, Resume, Stop, Cancel) are possible for a run's status.

A button is enabled only when the run's state allows the command AND the
policy lets the session send it. The gateway checks both again when the
command arrives (api/service.py): this only keeps the views honest.
"""
from exchange.workflows.api.access import ACTIONS
from exchange.workflows.console.format import field, text, unwrap
from exchange.workflows.core import states

__all__ = ["COMMAND_STATES", "COMMAND_TITLES", "COMMAND_ACTIONS", "permissions",
           "commandButtons", "commandProblem"]

# HOLD parks a run at its next safe point; RESUME releases it; STOP ends it
# STOPPED; Cancel ends it CANCELLED. Which statuses each may be sent in:
COMMAND_STATES = {
    "HOLD": (states.PENDING, states.RUNNING),
    "RESUME": (states.HELD,),
    "STOP": states.ACTIVE,
    "CANCEL": states.ACTIVE,
}
COMMAND_TITLES = {"HOLD": "Hold", "RESUME": "Resume", "STOP": "Stop", "CANCEL": "Cancel"}
# The policy action each command needs (api/service.py asks the same).
COMMAND_ACTIONS = {"HOLD": "hold", "RESUME": "hold", "STOP": "stop", "CANCEL": "stop"}


def permissions(envelope):
    """Returns {action: bool} from ``security.allowedActions``; every action
    False when the answer is a failure (show nothing the session may not do)."""
    data = envelope.get("data") if envelope and envelope.get("ok") else None
    data = data or {}
    return dict((a, bool(unwrap(field(data, a)))) for a in ACTIONS)


def commandButtons(status, allowed=None):
    """Returns {"hold", "resume", "stop", "cancel"}: which buttons are enabled
    for ``status``, and, given ``allowed`` (from ``permissions``), for the
    session's rights."""
    return dict((cmd.lower(), status in valid and (
        allowed is None or bool(field(allowed, COMMAND_ACTIONS[cmd]))))
        for cmd, valid in COMMAND_STATES.items())


def commandProblem(command, status, reason):
    """Returns why a command cannot be sent now ("" when it can)."""
    if command not in COMMAND_STATES:
        return "Unknown command %r." % command
    if status not in COMMAND_STATES[command]:
        return "%s is not possible while the run is %s." % (COMMAND_TITLES[command], status)
    if text(reason) is None:
        return "Enter a reason; it is recorded with the command."
    return ""
