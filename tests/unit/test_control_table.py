"""engine/control.py against docs/control.md, pure logic on CPython 3: every
cell of the "Commands" table, the handler tables, and the conditions that
change a cell (a run that receives its commands itself, a HOLD before the
first durable operation, handlers left undeclared). The doc's tables are
also read from the file, so the code and the doc cannot drift apart."""
import os
import re
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.core import states  # noqa: E402
from exchange.workflows.core.errors import InvalidArguments  # noqa: E402
from exchange.workflows.engine import control  # noqa: E402
from exchange.workflows.engine.control import (  # noqa: E402
    DEFER, ESCALATE, IGNORE, KEEP_FOR_WORKFLOW, REFUSE, TRANSITION, Decision)

DOC = os.path.join(ROOT, "docs", "control.md")
COMMANDS = ("HOLD", "RESUME", "STOP", "ABORT", "RESET")
ACTIVE = (states.ENQUEUED, states.PENDING, states.RUNNING, states.HOLDING, states.HELD,
          states.RESTARTING, states.STOPPING, states.ABORTING)
ENDED = (states.SUCCESS, states.ERROR, states.CANCELLED, states.STOPPED, states.ABORTED,
         states.DEAD_LETTER)
KNOWN_STATUSES = ACTIVE + ENDED


def _t(status, handler=None):
    return Decision(TRANSITION, status, handler)


D = Decision(DEFER, None, None)
I = Decision(IGNORE, None, None)  # noqa: E741
K = Decision(KEEP_FOR_WORKFLOW, None, None)
RUNNING_ROW = (_t("HOLDING", "onHold"), I, _t("STOPPING", "onStop"), _t("ABORTING", "onAbort"), K)
# docs/control.md "Commands", transcribed cell by cell (HOLD, RESUME, STOP, ABORT, RESET).
EXPECTED = {
    "ENQUEUED": (D, D, _t("STOPPED"), _t("ABORTED"), K),
    "PENDING": RUNNING_ROW,
    "RUNNING": RUNNING_ROW,
    "HOLDING": (I, D, D, D, K),
    "HELD": (I, _t("RESTARTING", "onResume"), _t("STOPPING", "onStop"),
             _t("ABORTING", "onAbort"), K),
    "RESTARTING": (D, I, D, D, K),
    "STOPPING": (I, I, I, Decision(ESCALATE, "ABORTING", "onAbort"), I),
    "ABORTING": (I, I, I, I, I),
}
CELLS = [(status, cmd, EXPECTED[status][i]) for status in ACTIVE for i, cmd in enumerate(COMMANDS)]


@pytest.mark.parametrize("status,cmd,expected", CELLS,
                         ids=["%s-%s" % (s, c) for s, c, _ in CELLS])
def test_every_cell_of_the_command_table(status, cmd, expected):
    assert control.decide(status, cmd) == expected


def test_the_table_has_a_row_for_every_active_status_and_a_cell_for_every_command():
    assert sorted(control.TABLE) == sorted(ACTIVE)
    for status in ACTIVE:
        assert sorted(control.TABLE[status]) == sorted(COMMANDS)


@pytest.mark.parametrize("status", ENDED)
def test_a_finished_run_refuses_every_command(status):
    for cmd in COMMANDS + ("RESTART",):
        assert control.decide(status, cmd) == Decision(REFUSE, None, None)
    assert control.effectiveCommands(status) == ()


@pytest.mark.parametrize("status", ACTIVE)
def test_commands_are_case_insensitive_and_restart_is_resume(status):
    for cmd in COMMANDS:
        assert control.decide(status, cmd.lower()) == control.decide(status, cmd)
        assert control.decide(status, cmd.capitalize()) == control.decide(status, cmd)
    assert control.decide(status, "restart") == control.decide(status, "RESUME")
    assert control.canonical("Restart") == "RESUME"


def test_an_unknown_command_or_status_is_refused_clearly():
    with pytest.raises(InvalidArguments) as caught:
        control.decide(states.RUNNING, "PAUSE")
    assert caught.value.code == "UNKNOWN_COMMAND" and "ABORT" in str(caught.value)
    with pytest.raises(InvalidArguments):
        control.decide(states.RUNNING, None)
    with pytest.raises(InvalidArguments):
        control.decide("WAITING", "HOLD")


@pytest.mark.parametrize("status", (states.PENDING, states.RUNNING))
def test_a_run_that_receives_its_commands_keeps_all_but_abort_for_itself(status):
    for cmd in ("HOLD", "RESUME", "RESTART", "STOP", "RESET"):
        assert control.decide(status, cmd, selfCommanded=True) == K
    assert control.decide(status, "ABORT", selfCommanded=True) == _t("ABORTING", "onAbort")
    assert control.ENGINE_ALWAYS == ("ABORT",)


@pytest.mark.parametrize("status", [s for s in ACTIVE if s not in (states.PENDING, states.RUNNING)])
def test_the_engine_keeps_control_of_a_run_whose_body_is_not_running(status):
    # A held or ending run never reaches rt.recvCommand: were its commands
    # kept for it, a HELD run could never be resumed.
    for cmd in COMMANDS:
        assert control.decide(status, cmd, selfCommanded=True) == control.decide(status, cmd)


def test_hold_before_the_first_durable_operation_runs_neither_onhold_nor_onresume():
    first = {"beforeFirstOperation": True}
    assert control.decide(states.RUNNING, "HOLD", **first) == _t("HELD")
    assert control.decide(states.PENDING, "HOLD", **first) == _t("HELD")
    assert control.decide(states.HELD, "RESUME", **first) == _t("RUNNING")
    # STOP and ABORT still run their handlers: the doc exempts only onHold/onResume.
    assert control.decide(states.RUNNING, "STOP", **first) == _t("STOPPING", "onStop")
    assert control.decide(states.HELD, "ABORT", **first) == _t("ABORTING", "onAbort")


def test_an_undeclared_handler_goes_straight_to_where_it_would_have_led():
    none = ()
    assert control.decide(states.RUNNING, "HOLD", declared=none) == _t("HELD")
    assert control.decide(states.HELD, "RESUME", declared=none) == _t("RUNNING")
    assert control.decide(states.HELD, "STOP", declared=none) == _t("STOPPED")
    assert control.decide(states.RUNNING, "ABORT", declared=none) == _t("ABORTED")
    assert control.decide(states.STOPPING, "ABORT", declared=("onStop",)) == Decision(
        ESCALATE, "ABORTED", None)
    onlyHold = ("onHold",)
    assert control.decide(states.RUNNING, "HOLD", declared=onlyHold) == _t("HOLDING", "onHold")
    assert control.decide(states.HELD, "RESUME", declared=onlyHold) == _t("RUNNING")
    # Decisions that change no status do not depend on handlers.
    assert control.decide(states.HOLDING, "STOP", declared=none) == D


def test_a_failure_runs_onabort_then_ends_error_unless_the_workflow_opts_out():
    assert control.failure() == _t("ABORTING", "onAbort")
    assert control.failure(abortOnError=False) == _t("ERROR")
    assert control.failure(declared=("onHold",)) == _t("ERROR")
    for cause in (control.CAUSE_ERROR, control.CAUSE_TIMEOUT):
        assert control.endStatus(states.ABORTING, cause) == states.ERROR
        assert control.endStatus(states.ABORTING, cause, handlerFailed=True) == states.ERROR
    assert control.endStatus(states.ABORTING, control.CAUSE_COMMAND) == states.ABORTED


def test_after_a_handler_the_run_never_goes_on_running_unasked():
    handling = sorted(states.HANDLING)
    assert sorted(control.HANDLER_OF) == sorted(control.AFTER) == sorted(
        control.AFTER_FAILURE) == handling
    assert sorted(control.HANDLER_OF.values()) == sorted(control.HANDLER_NAMES)
    assert states.RUNNING not in control.AFTER_FAILURE.values()
    assert control.endStatus(states.RESTARTING, control.CAUSE_RESUME) == states.RUNNING
    assert control.endStatus(states.RESTARTING, control.CAUSE_RESUME, True) == states.HELD


def test_effective_commands_give_the_console_its_buttons():
    assert control.effectiveCommands(states.ENQUEUED) == ("HOLD", "RESUME", "STOP", "ABORT",
                                                          "RESET")
    assert control.effectiveCommands(states.RUNNING) == ("HOLD", "STOP", "ABORT", "RESET")
    assert control.effectiveCommands(states.HOLDING) == ("RESUME", "STOP", "ABORT", "RESET")
    assert control.effectiveCommands(states.HELD) == ("RESUME", "STOP", "ABORT", "RESET")
    assert control.effectiveCommands(states.RESTARTING) == ("HOLD", "STOP", "ABORT", "RESET")
    assert control.effectiveCommands(states.STOPPING) == ("ABORT",)
    assert control.effectiveCommands(states.ABORTING) == ()


def _take(status, mailbox):
    """Takes commands as docs/control.md says the engine does: oldest
    first, a DEFER holds back the rest, each handler runs to its end.
    Returns the final status and the handlers run."""
    ran = []
    while mailbox:
        if status in states.HANDLING:
            ran.append(control.HANDLER_OF[status])
            status = control.AFTER[status]
            continue
        d = control.decide(status, mailbox[0])
        if d.action == DEFER:
            break
        mailbox = mailbox[1:]
        if d.action == TRANSITION:
            status = d.toStatus
    while status in states.HANDLING:
        ran.append(control.HANDLER_OF[status])
        status = control.AFTER[status]
    return status, ran


def test_commands_sent_during_a_handler_are_taken_in_order_when_it_ends():
    # docs/control.md: RESUME then HOLD sent while onHold runs leave the run HELD.
    assert _take(states.HOLDING, ["RESUME", "HOLD"]) == (
        states.HELD, ["onHold", "onResume", "onHold"])
    assert _take(states.HOLDING, ["STOP"]) == (states.STOPPED, ["onHold", "onStop"])
    assert _take(states.RESTARTING, ["HOLD"]) == (states.HELD, ["onResume", "onHold"])


# ---- the tables of docs/control.md, read from the file ----

def _table(header):
    """Rows (lists of cell texts) of the markdown table whose header row
    starts with ``header``."""
    lines = [line.strip() for line in open(DOC).read().splitlines()]
    start = [i for i, line in enumerate(lines) if line.startswith("| " + header)]
    assert len(start) == 1, "docs/control.md has no single table headed %r" % header
    rows = []
    for line in lines[start[0] + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _statuses(text):
    return [w for w in re.findall(r"`([A-Z_]+)`", text) if w in KNOWN_STATUSES]


def _docAction(text):
    if text == "ignored":
        return IGNORE
    if text == "kept" or text.startswith("kept for the workflow"):
        return KEEP_FOR_WORKFLOW
    if text.startswith(("kept:", "taken when", "cancels a kept")):
        return DEFER
    if "abandons" in text:
        return ESCALATE
    return TRANSITION


DOC_CELLS = [(row, i) for row in _table("run status when it takes the command")
             for i in range(len(COMMANDS))]


def test_the_doc_table_lists_every_active_status_and_command():
    header = open(DOC).read().split("| run status when it takes the command |")[1].splitlines()[0]
    assert re.findall(r"`([A-Z]+)`", header) == ["HOLD", "RESUME", "RESTART", "STOP", "ABORT",
                                                 "RESET"]
    listed = [s for row in _table("run status when it takes the command") for s in _statuses(row[0])]
    assert listed == list(ACTIVE)


@pytest.mark.parametrize("row,i", DOC_CELLS,
                         ids=["%s-%s" % (r[0].replace("`", ""), COMMANDS[i]) for r, i in DOC_CELLS])
def test_each_doc_cell_says_what_decide_does(row, i):
    text, cmd = row[1 + i], COMMANDS[i]
    for status in _statuses(row[0]):
        d = control.decide(status, cmd)
        assert _docAction(text) == d.action, (status, cmd, text)
        named = _statuses(text)
        if d.action in (TRANSITION, ESCALATE):
            assert named[0 if d.action == TRANSITION else -1] == d.toStatus, (status, cmd, text)
            assert ("no handler" in text) == (d.handler is None), (status, cmd, text)
        elif d.action == DEFER and named:
            # Where the command leads once it is taken: after the handler,
            # or, for an ENQUEUED run, once claimed (before its first step).
            later = control.AFTER.get(status, states.RUNNING)
            first = status == states.ENQUEUED
            assert named[-1] == control.decide(later, cmd, beforeFirstOperation=first).toStatus


def test_the_doc_handler_table_matches_handler_of_and_after():
    rows = _table("transition | status while it runs")
    assert len(rows) == 6
    for transition, status, handler, then in rows:
        status, handler = status.strip("`"), handler.strip("`")
        assert control.HANDLER_OF[status] == handler
        cause = (control.CAUSE_ERROR if "raised" in transition else
                 control.CAUSE_RESUME if "resume()" in transition else control.CAUSE_COMMAND)
        assert control.endStatus(status, cause) == _statuses(then)[0], transition


def test_the_doc_handler_failure_table_matches_after_failure():
    rows = _table("handler raised")
    byHandler = dict((h, s) for s, h in control.HANDLER_OF.items())
    assert sorted(r[0].strip("`") for r in rows) == sorted(control.HANDLER_NAMES)
    for handler, goesTo in rows:
        status = byHandler[handler.strip("`")]
        named = _statuses(goesTo)
        assert control.AFTER_FAILURE[status] == named[0]
        if status == states.ABORTING:
            assert named[1] == control.endStatus(status, control.CAUSE_ERROR, handlerFailed=True)
