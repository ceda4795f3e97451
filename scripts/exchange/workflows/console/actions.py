"""What the console lets a session do: the policy rights it holds, and which
run commands (Hold, Resume, Stop, Abort, Cancel) are possible for a run's
status.

A button is enabled only when the run's state allows the command AND the
policy lets the session send it. Both come from the one place the gateway
decides them: the commands a status offers from ``access.commandsFor``
(engine/control.py's table), the right each needs from
``access.commandAction``. The gateway checks both again when the command
arrives (api/service.py): this only keeps the views honest.
"""
from exchange.workflows.api.access import ACTIONS, commandAction, commandsFor
from exchange.workflows.console.format import field, text, unwrap
from exchange.workflows.core import states

__all__ = ["BUTTON_COMMANDS", "COMMAND_TITLES", "CANCEL", "permissions", "offeredCommands",
           "commandButtons", "commandProblem"]

# The commands the Run page has buttons for, in the order they are shown.
# RESET is left out: it is an answer to a workflow that asks for it.
BUTTON_COMMANDS = ("HOLD", "RESUME", "STOP", "ABORT")
# Cancel is not a command taken at a safe point (service.cancel ends the run
# CANCELLED at once); it has the STOP command's right.
CANCEL = "CANCEL"
COMMAND_TITLES = {"HOLD": "Hold", "RESUME": "Resume", "STOP": "Stop", "ABORT": "Abort",
                  CANCEL: "Cancel"}
# The statuses a run can be cancelled (and commanded) in: not ended.
_OPEN = states.ACTIVE + states.HANDLING


def permissions(envelope):
    """Returns {action: bool} from ``security.allowedActions``; every action
    False when the answer is a failure (show nothing the session may not do)."""
    data = envelope.get("data") if envelope and envelope.get("ok") else None
    data = data or {}
    return dict((a, bool(unwrap(field(data, a)))) for a in ACTIONS)


def offeredCommands(status):
    """Returns the button commands (and CANCEL) that do something for a run
    in ``status``; () for an ended run or no run."""
    if status not in _OPEN:
        return ()
    offered = commandsFor(status)
    return tuple(c for c in BUTTON_COMMANDS if c in offered) + (CANCEL,)


def _action(command):
    return "stop" if command == CANCEL else commandAction(command)


def commandButtons(status, allowed=None):
    """Returns {"hold", "resume", "stop", "abort", "cancel"}: which buttons
    are enabled for ``status``, and, given ``allowed`` (from
    ``permissions``), for the session's rights."""
    offered = offeredCommands(status)
    return dict((cmd.lower(), cmd in offered and (
        allowed is None or bool(field(allowed, _action(cmd)))))
        for cmd in BUTTON_COMMANDS + (CANCEL,))


def commandProblem(command, status, reason):
    """Returns why a command cannot be sent now ("" when it can)."""
    if command not in COMMAND_TITLES:
        return "Unknown command %r." % command
    if command not in offeredCommands(status):
        return "%s is not possible while the run is %s." % (COMMAND_TITLES[command], status)
    if text(reason) is None:
        return "Enter a reason; it is recorded with the command."
    return ""
