"""The pure parts of an executing run's context, on CPython 3: the operation
cursor and replay's name check (engine/replay.py), and what a safe point
does with each command (engine/safepoints.decide: until command handlers
arrive with issue 12 piece D, every transition goes straight to its end)."""
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
