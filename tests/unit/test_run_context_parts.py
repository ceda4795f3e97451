"""The pure parts of an executing run's context, on CPython 3: the operation
cursor and replay's name check (engine/replay.py), and what a safe point
does with each command (engine/safepoints.decide: without handlers every
transition goes straight to its end; with them, through the transitional
status of the handler), and a handler's own operation numbering."""
import os
import sys
from collections import namedtuple

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.core import states  # noqa: E402
from exchange.workflows.core.errors import (DeterminismError, WorkflowAborted,  # noqa: E402
                                              WorkflowCancelled, WorkflowStopped)
from exchange.workflows.engine import control, safepoints  # noqa: E402
from exchange.workflows.engine.interrupts import Interruptible  # noqa: E402
from exchange.workflows.engine.replay import Cursor, Replay  # noqa: E402
from exchange.workflows.store import checkpoints  # noqa: E402
from exchange.workflows.store.records import Operation  # noqa: E402

Taken = namedtuple("Taken", "action toStatus")


def _op(fid, name):
    return Operation(fid, name, "1", None, 1, 0, 0)


class Body(Replay, Interruptible):
    """Just what Replay.begin reads of a RunContext."""

    def __init__(self, history):
        self.cursor = Cursor(history)
        self.pending = None
        self.reraised = 0
        self.workflowName, self.workflowId = "t.flow", "w-1"


def test_the_cursor_replays_its_history_then_goes_live():
    cursor = Cursor([_op(0, "a"), _op(1, "b")])
    assert cursor.replaying() and cursor.recorded().functionName == "a"
    assert cursor.advance()[0] == 0 and cursor.advance()[1].functionName == "b"
    assert not cursor.replaying() and cursor.recorded() is None
    assert cursor.advance() == (2, None) and cursor.nextId == 3
    assert cursor.transitionSeq is None


def test_begin_returns_recorded_operations_and_refuses_a_changed_name():
    body = Body([_op(0, "a"), _op(1, "b")])
    assert body.begin("a")[1].functionName == "a"
    with pytest.raises(DeterminismError) as caught:
        body.begin("c")
    assert "recorded operation #1 as 'b'" in str(caught.value)
    assert body.begin("d") == (2, None) and not body.replaying()


def test_begin_raises_the_pending_interrupt_and_takes_no_id():
    body = Body([])
    body.pending = WorkflowStopped("stopped")
    with pytest.raises(WorkflowStopped):
        body.begin("a")
    assert body.cursor.nextId == 0


# (status, command) -> what a safe point does without handlers; anything
# not listed stays in the mailbox (for rt.recvCommand). Commands are
# case-insensitive and RESTART is RESUME.
WITHOUT_HANDLERS = {
    (states.RUNNING, "HOLD"): Taken(control.TRANSITION, states.HELD),
    (states.RUNNING, "RESUME"): Taken(control.IGNORE, None),
    (states.RUNNING, "STOP"): Taken(control.TRANSITION, states.STOPPED),
    (states.RUNNING, "ABORT"): Taken(control.TRANSITION, states.ABORTED),
    (states.HELD, "HOLD"): Taken(control.IGNORE, None),
    (states.HELD, "RESUME"): Taken(control.TRANSITION, states.RUNNING),
    (states.HELD, "STOP"): Taken(control.TRANSITION, states.STOPPED),
    (states.HELD, "ABORT"): Taken(control.TRANSITION, states.ABORTED),
}
_ALIASES = {"RESTART": "RESUME"}


@pytest.mark.parametrize("status", [states.RUNNING, states.HELD])
@pytest.mark.parametrize("cmd", list(states.COMMANDS) + ["hold", "Restart", "abort", "BOGUS",
                                                         None])
def test_a_safe_point_takes_commands_straight_to_their_end_without_handlers(status, cmd):
    decision = safepoints.decide(status, cmd)
    name = (cmd or "").upper()
    expected = WITHOUT_HANDLERS.get((status, _ALIASES.get(name, name)),
                                    Taken(control.KEEP_FOR_WORKFLOW, None))
    assert (decision.action, decision.toStatus) == expected
    assert decision.handler is None


@pytest.mark.parametrize("cmd", list(states.COMMANDS) + ["abort"])
def test_a_run_that_receives_its_own_commands_is_left_all_but_abort(cmd):
    decision = safepoints.decide(states.RUNNING, cmd, selfCommanded=True)
    expected = (Taken(control.TRANSITION, states.ABORTED) if cmd.upper() == "ABORT"
                else Taken(control.KEEP_FOR_WORKFLOW, None))
    assert (decision.action, decision.toStatus) == expected


def test_abort_outranks_stop_and_cancel_outranks_abort():
    body = Body([])
    body.interrupt(WorkflowStopped("stop"))
    assert isinstance(body.interrupt(WorkflowAborted("abort")), WorkflowAborted)
    assert isinstance(body.interrupt(WorkflowStopped("stop again")), WorkflowAborted)
    assert isinstance(body.interrupt(WorkflowCancelled("cancel")), WorkflowCancelled)
    assert isinstance(body.interrupt(WorkflowAborted("late abort")), WorkflowCancelled)


def test_a_handler_cursor_numbers_its_operations_in_its_transitions_block():
    base = checkpoints.handlerBase(3)
    assert base == checkpoints.HANDLER_BASE + 3 * checkpoints.HANDLER_BLOCK
    cursor = Cursor([_op(base, "h1")], transitionSeq=3)
    assert cursor.replaying() and cursor.recorded().functionName == "h1"
    assert cursor.advance() == (base, _op(base, "h1"))
    assert not cursor.replaying() and cursor.advance() == (base + 1, None)
    # The body's numbering starts at 0 whatever handlers recorded.
    assert Cursor([]).advance() == (0, None)
    # Ranges read back: the body's stays below every handler's.
    assert checkpoints._range(None) == (" AND function_id < %d" % checkpoints.HANDLER_BASE, [])
    assert checkpoints._range(3)[1] == [base, base + checkpoints.HANDLER_BLOCK]


def test_a_handler_cursor_refuses_to_leave_its_block():
    cursor = Cursor([], transitionSeq=1)
    cursor.nextId = cursor.base + checkpoints.HANDLER_BLOCK
    with pytest.raises(Exception) as raised:
        cursor.advance()
    assert "at most" in str(raised.value)


ALL_HANDLERS = ("onHold", "onResume", "onStop", "onAbort")


@pytest.mark.parametrize("status,cmd,expected", [
    (states.RUNNING, "HOLD", (control.TRANSITION, states.HOLDING, "onHold")),
    (states.RUNNING, "stop", (control.TRANSITION, states.STOPPING, "onStop")),
    (states.RUNNING, "ABORT", (control.TRANSITION, states.ABORTING, "onAbort")),
    (states.HELD, "RESTART", (control.TRANSITION, states.RESTARTING, "onResume")),
    (states.HELD, "STOP", (control.TRANSITION, states.STOPPING, "onStop")),
    (states.HELD, "ABORT", (control.TRANSITION, states.ABORTING, "onAbort")),
])
def test_a_safe_point_goes_through_the_declared_handler(status, cmd, expected):
    decision = safepoints.decide(status, cmd, declared=ALL_HANDLERS)
    assert (decision.action, decision.toStatus, decision.handler) == expected


def test_a_missing_handler_or_a_hold_before_the_first_operation_skips_the_handler():
    onlyStop = safepoints.decide(states.RUNNING, "HOLD", declared=("onStop",))
    assert (onlyStop.toStatus, onlyStop.handler) == (states.HELD, None)
    early = safepoints.decide(states.RUNNING, "HOLD", beforeFirstOperation=True,
                              declared=ALL_HANDLERS)
    assert (early.toStatus, early.handler) == (states.HELD, None)
    # A STOP is not skipped before the first operation: onStop still runs.
    stop = safepoints.decide(states.RUNNING, "STOP", beforeFirstOperation=True,
                             declared=ALL_HANDLERS)
    assert (stop.toStatus, stop.handler) == (states.STOPPING, "onStop")


def test_a_self_commanded_run_gets_abort_through_on_abort():
    decision = safepoints.decide(states.RUNNING, "abort", selfCommanded=True,
                                 declared=ALL_HANDLERS)
    assert (decision.toStatus, decision.handler) == (states.ABORTING, "onAbort")
