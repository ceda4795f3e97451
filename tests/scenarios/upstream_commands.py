"""Issue 13 P5: rt.recvCommand's arbitration (0.3.6's answer and state
filtering) without losing a command.

    upstream_commands.py            every case below, on one gateway
    upstream_commands.py start      phase 1 of the crash test: a choice is
                                    recorded, then the run naps; prints READY
                                    and waits for SIGKILL
    upstream_commands.py check F    phase 2 (after restart): the replay
                                    returns the recorded choice; the mailbox
                                    is as it was
"""
from __future__ import print_function

import json
import sys
import time

from exchange.workflows import bootstrap
from exchange.workflows.engine.instance import getWorkflows
from exchange.workflows.engine.runtime import workflow
from exchange.workflows.steps.sleep import sleep_chunked

import wfkit
from wfkit import check, finish, ok, started, svc, wait_for, wait_status

MODE = sys.argv[1] if len(sys.argv) > 1 else "main"
BEFORE = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
RECEIVE = "rt.recvCommand:cmd"


def receiveRounds(rounds, topic, max_messages, wait_s, nap_ms, arbitrate):
    """Takes over its commands (a first, empty recvCommand on "cmd"), says
    "ready", waits for the test's "go" message, then receives once per state
    in ``rounds`` (napping ``nap_ms`` after each): the answers in order."""
    rt = getWorkflows()
    rt.recvCommand(timeoutSeconds=0)
    rt.progress("ready")
    rt.recv("go", 60)
    got = []
    for state in rounds:
        got.append(rt.recvCommand(currentState=state, topic=topic, timeoutSeconds=wait_s,
                                  maxMessages=max_messages, arbitrate=arbitrate))
        if nap_ms:
            sleep_chunked(total_ms=nap_ms, chunk_ms=50)
    return got


@workflow(name="uc.receiver")
def receiver(rounds=("RUNNING",), topic="cmd", max_messages=5, wait_s=5, nap_ms=0,
             arbitrate=None):
    return receiveRounds(rounds, topic, max_messages, wait_s, nap_ms, arbitrate)


@bootstrap.workflow(name="uc.native")
def native(rounds=("RUNNING",), topic="cmd", max_messages=5, wait_s=5, nap_ms=0,
           arbitrate=None):
    return receiveRounds(rounds, topic, max_messages, wait_s, nap_ms, arbitrate)


def progressMessage(wid):
    p = svc.getWorkflow(wid)["data"].get("progress")
    return p.get("message") if p else None


def startReady(name, inputs):
    """Starts a run and waits until it receives its own commands."""
    wid = started(name, inputs)
    wait_for(lambda: progressMessage(wid) == "ready", 30, what="%s to be ready" % name)
    return wid


def go(wid):
    check(getWorkflows().send(wid, {"go": True}, topic="go") is True, "go posted", wid)


def send(wid, *cmds):
    for cmd in cmds:
        ok(svc.sendCommand(workflowId=wid, cmd=cmd, reason="r-" + cmd), "COMMAND_SENT", cmd)


def mailbox(wid, topic="cmd"):
    """[(cmd, consumedBy or None)] of the run's ``topic``, oldest first."""
    return [(c["cmd"], c.get("consumedBy") or None) for c in ok(svc.getCommands(wid))
            if c.get("topic", "cmd") == topic]


def receives(wid):
    return [s["output"] for s in ok(svc.getSteps(wid)) if s["functionName"] == RECEIVE]


def isChoice(answer, cmd, priority, sentCmd=None):
    """0.3.6's shape, whose message is the command as sent (plus its seq)."""
    return (isinstance(answer, dict) and set(answer) == set(["cmd", "message", "priority"])
            and answer["cmd"] == cmd and answer["priority"] == priority
            and answer["message"]["cmd"] == (sentCmd or cmd) and "seq" in answer["message"])


def main():
    # STOP wins over HOLD; the HOLD (allowed, lower) stays waiting.
    wid = startReady("uc.receiver", {"rounds": ["RUNNING"]})
    send(wid, "HOLD", "STOP")
    go(wid)
    row = wait_status(wid, ("STOPPED", "SUCCESS", "ERROR"), 30)
    check(row["status"] == "STOPPED", "a workflow that received STOP ends STOPPED", row)
    answer = row["output"][0]
    check(isChoice(answer, "STOP", 2), "STOP chosen over HOLD, 0.3.6's shape", answer)
    check(set(answer["message"]) >= set(["cmd", "reason", "sender", "sentMs", "seq"])
          and answer["message"]["reason"] == "r-STOP", "message is the command as sent", answer)
    check(mailbox(wid) == [("HOLD", None), ("STOP", "workflow")],
          "the lower-priority HOLD is left waiting, not lost", mailbox(wid))
    check(receives(wid) == [answer], "the choice is recorded for replay", receives(wid))

    # RESUME is not allowed in RUNNING: dropped, and visible as dropped.
    wid = startReady("uc.receiver", {"rounds": ["RUNNING"]})
    send(wid, "RESUME", "HOLD")
    go(wid)
    row = wait_status(wid, ("SUCCESS", "STOPPED", "ERROR"), 30)
    check(row["status"] == "SUCCESS" and isChoice(row["output"][0], "HOLD", 1),
          "HOLD chosen in RUNNING", row)
    check(mailbox(wid) == [("RESUME", "dropped"), ("HOLD", "workflow")],
          "RESUME marked dropped in getCommands", mailbox(wid))

    # HOLD and RESUME, allowed in different states: the workflow that does
    # not filter gets HOLD first, and RESUME waits for its next call (in HELD).
    wid = startReady("uc.receiver", {"rounds": [None, "HELD"]})
    send(wid, "RESUME", "HOLD")
    go(wid)
    row = wait_status(wid, ("SUCCESS", "STOPPED", "ERROR"), 30)
    out = row["output"] or [None, None]
    check(row["status"] == "SUCCESS" and isChoice(out[0], "HOLD", 1)
          and isChoice(out[1], "RESUME", 0), "HOLD first, then the RESUME that waited", row)
    check(mailbox(wid) == [("RESUME", "workflow"), ("HOLD", "workflow")],
          "both received, none dropped", mailbox(wid))

    # Every command refused: None, recorded, and the command marked dropped.
    wid = startReady("uc.receiver", {"rounds": ["HELD"]})
    send(wid, "HOLD")
    go(wid)
    row = wait_status(wid, ("SUCCESS", "STOPPED", "ERROR"), 30)
    check(row["status"] == "SUCCESS" and row["output"] == [None], "None when all refused", row)
    check(mailbox(wid) == [("HOLD", "dropped")], "HOLD in HELD dropped", mailbox(wid))
    check(receives(wid) == [None], "the empty answer is recorded with the drops", receives(wid))

    # maxMessages=1 reads one command: the oldest, whatever waits behind it.
    wid = startReady("uc.receiver", {"rounds": ["RUNNING"], "max_messages": 1})
    send(wid, "HOLD", "STOP")
    go(wid)
    row = wait_status(wid, ("SUCCESS", "STOPPED", "ERROR"), 30)
    check(row["status"] == "SUCCESS" and isChoice(row["output"][0], "HOLD", 1),
          "maxMessages=1 arbitrates the oldest command alone", row)
    check(mailbox(wid) == [("HOLD", "workflow"), ("STOP", None)], "STOP left waiting",
          mailbox(wid))

    # Another topic: names in any case count, unknown ones are dropped.
    wid = startReady("uc.receiver", {"rounds": ["running"], "topic": "ops"})
    for message in ({"cmd": "jump"}, {"cmd": "hold", "why": "x"}):
        check(getWorkflows().send(wid, message, topic="ops") is True, "posted on ops", message)
    go(wid)
    row = wait_status(wid, ("SUCCESS", "STOPPED", "ERROR"), 30)
    answer = (row["output"] or [None])[0]
    check(isChoice(answer, "HOLD", 1, sentCmd="hold") and answer["message"]["why"] == "x",
          "a lower-case hold on another topic is chosen, as sent", row)
    check(mailbox(wid, "ops") == [("jump", "dropped"), ("hold", "workflow")],
          "the unknown command is dropped, not lost", mailbox(wid, "ops"))

    # ABORT is never offered: the engine takes it (here while the run waits
    # for "go": no go is sent), and the HOLD stays.
    wid = startReady("uc.receiver", {"rounds": ["RUNNING"]})
    send(wid, "HOLD", "ABORT")
    row = wait_status(wid, ("ABORTED", "SUCCESS", "STOPPED", "ERROR"), 30)
    check(row["status"] == "ABORTED", "ABORT ends the run ABORTED", row)
    check(mailbox(wid) == [("HOLD", None), ("ABORT", "engine")] and receives(wid) == [],
          "ABORT taken by the engine; nothing received", mailbox(wid), receives(wid))

    # The choice is per call: a native workflow may ask for arbitration, an
    # upstream-profile one may ask for the native answer.
    wid = startReady("uc.native", {"rounds": ["RUNNING"], "arbitrate": True})
    send(wid, "HOLD", "STOP")
    go(wid)
    row = wait_status(wid, ("STOPPED", "SUCCESS", "ERROR"), 30)
    check(row["status"] == "STOPPED" and isChoice(row["output"][0], "STOP", 2),
          "a native workflow with arbitrate=True gets the choice", row)
    for name, inputs in (("uc.native", {}), ("uc.receiver", {"arbitrate": False})):
        inputs["rounds"] = ["RUNNING", "RUNNING"]
        wid = startReady(name, inputs)
        send(wid, "RESUME", "STOP")
        go(wid)
        row = wait_status(wid, ("STOPPED", "SUCCESS", "ERROR"), 30)
        out = row["output"] or [{}, {}]
        check(row["status"] == "STOPPED" and [o.get("cmd") for o in out] == ["RESUME", "STOP"]
              and set(out[0]) == set(["cmd", "reason", "sender", "sentMs", "seq"]),
              "%s %s: native answers, oldest first, none dropped" % (name, inputs), row)
        check(mailbox(wid) == [("RESUME", "workflow"), ("STOP", "workflow")],
              "native consumes by workflow", mailbox(wid))
    finish()


def start():
    wid = startReady("uc.receiver", {"rounds": ["RUNNING", "HELD"], "nap_ms": 8000,
                                     "wait_s": 60})
    send(wid, "RESUME", "HOLD")
    go(wid)
    wait_for(lambda: receives(wid), 30, what="the choice to be recorded")
    facts = {"wid": wid, "choice": receives(wid)[0], "mailbox": mailbox(wid)}
    check(isChoice(facts["choice"], "HOLD", 1), "HOLD chosen before the crash", facts)
    check(facts["mailbox"] == [("RESUME", "dropped"), ("HOLD", "workflow")],
          "RESUME dropped before the crash", facts)
    if wfkit.failures:
        finish()
    print("READY " + json.dumps(facts))
    sys.stdout.flush()
    time.sleep(300)


def final():
    wid = BEFORE["wid"]
    before = [tuple(m) for m in BEFORE["mailbox"]]
    # The nap runs again after the restart; once it is recorded the run is
    # past the replayed choice and waits (in HELD) for a live command.
    wait_for(lambda: "sleep.sleep_chunked" in [s["functionName"] for s in ok(svc.getSteps(wid))],
             90, what="the run to replay its choice and finish its nap")
    check(mailbox(wid) == before, "the replay consumed nothing", mailbox(wid), before)
    send(wid, "RESUME")
    row = wait_status(wid, ("SUCCESS", "STOPPED", "ERROR"), 60)
    out = row["output"] or [None, None]
    check(row["status"] == "SUCCESS" and out[0] == BEFORE["choice"],
          "the replay returned the recorded choice", out, BEFORE["choice"])
    check(isChoice(out[1], "RESUME", 0), "a live receive after the replay", out)
    check(receives(wid) == [BEFORE["choice"], out[1]], "each choice recorded once", receives(wid))
    check(mailbox(wid) == before + [("RESUME", "workflow")], "mailbox after the replay",
          mailbox(wid))
    finish()


{"main": main, "start": start, "check": final}[MODE]()
