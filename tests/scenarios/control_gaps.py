"""Issue 12 gaps in the record of operator actions, in the gateway:

  1. service.resume keeps the record of the handlers that ran: a run that
     failed in a step, ran onAbort and ended ERROR is resumed; the body
     executes again from the failed step only, onAbort's steps stay
     (getSteps(transition=)), and exportRun shows the onAbort transition
     with its steps and the resume.
  2. getTransitions lists what an operator caused without a handler: a
     STOP of a queued run, a cancel, a resume, a fork (the new run's first).
  3. getCommands' outcome: the status a command led to (HOLDING,
     RESTARTING, STOPPING through handlers, STOPPED for a queued run),
     IGNORED, RECEIVED (rt.recvCommand), VOIDED (left over at a resume).
  4. A resumed run ended before its claim: its onResume is ABANDONED.
  5. The hot path: a run that is never commanded writes no transition.
"""
from __future__ import print_function

import json
import time

import exchange.workflows.api.admin as admin
import flows
import system
from exchange.workflows.bootstrap import getWorkflows, step, workflow
from exchange.workflows.steps.sleep import sleep_chunked
from flows import effect
from flows import effect_counts as counts
from wfkit import DB, TERMINAL, check, finish, ok, sql, started, svc, wait_for, wait_status

flows.ensure_tables()
system.db.runPrepUpdate("CREATE TABLE IF NOT EXISTS cg_flags (name VARCHAR(100) PRIMARY KEY)",
                        [], DB)
BODY_LIMIT = 1000000000


def flagged(name):
    return len(sql("SELECT name FROM cg_flags WHERE name = ?", [name])) > 0


def on_abort(**inputs):
    effect("abort1")
    effect("abort2")


def on_hold(**inputs):
    effect("hold")


def on_resume(**inputs):
    effect("resume")


def on_stop(**inputs):
    effect("stop")


@step(name="cg.fragile")
def fragile(lot):
    effect("fragile")
    if flagged(lot):
        raise ValueError("valve of %s did not confirm" % lot)
    return "confirmed"


@workflow(name="cg.batch", onAbort=on_abort)
def batch(lot):
    effect("s0")
    effect("s1")
    fragile(lot)
    effect("end")
    return {"lot": lot}


@workflow(name="cg.line", onHold=on_hold, onResume=on_resume, onStop=on_stop)
def line(n=400):
    for i in range(n):
        effect("b%d" % i)
        sleep_chunked(total_ms=50, chunk_ms=50)
    return {"n": n}


@workflow(name="cg.listener")
def listener(rounds=400):
    rt = getWorkflows()
    for _ in range(rounds):
        cmd = rt.recvCommand(topic="cmd", timeoutSeconds=0.1)
        if cmd and cmd.get("cmd") == "RESET":
            return {"reset": True}
    return {"reset": False}


def transitions(wid):
    return ok(svc.getTransitions(wid), "TRANSITIONS_LISTED") or []


def outcomes(wid):
    return [(c["cmd"], c["outcome"]) for c in ok(svc.getCommands(wid), "COMMANDS_LISTED") or []]


def resume_keeps_handler_records():
    lot = "lot-%d" % int(time.time() * 1000)
    system.db.runPrepUpdate("INSERT INTO cg_flags (name) VALUES (?)", [lot], DB)
    wid = started("cg.batch", {"lot": lot})
    failed = wait_status(wid, TERMINAL, 60)
    check(failed["status"] == "ERROR", "the fragile step ends the run ERROR", failed)
    ts = transitions(wid)
    check([(t["handler"], t["cause"], t["state"]) for t in ts] == [("onAbort", "error", "DONE")],
          "onAbort ran for the error", ts)
    aborts = ok(svc.getSteps(wid, transition=ts[0]["seq"]), "STEPS_LISTED") if ts else []
    check(len(aborts or []) == 2, "onAbort recorded its two steps", aborts)
    system.db.runPrepUpdate("DELETE FROM cg_flags WHERE name = ?", [lot], DB)
    resumed = ok(svc.resume(wid, reason="valve fixed"), "WORKFLOW_RESUMED")
    check(resumed and resumed["replayedSteps"] == 2, "the failed step is cut, s0 and s1 kept",
          resumed)
    done = wait_status(wid, TERMINAL, 60)
    check(done["status"] == "SUCCESS", "the resumed run succeeds", done)
    c = counts(wid)
    check(c.get("s0") == 1 and c.get("s1") == 1 and c.get("end") == 1 and c.get("abort1") == 1
          and c.get("abort2") == 1, "finished steps and onAbort not executed again", c)
    after = ok(svc.getSteps(wid, transition=ts[0]["seq"]), "STEPS_LISTED") if ts else []
    check(after == aborts, "onAbort's steps survive the resume", aborts, after)
    body = ok(svc.getSteps(wid), "STEPS_LISTED") or []
    check([s["functionId"] for s in body] == [0, 1, 2, 3] and body[2]["error"] is None,
          "the body re-ran from the failed step", body)
    ts = transitions(wid)
    check([(t["handler"], t["cause"], t["fromStatus"], t["toStatus"], t["state"]) for t in ts]
          == [("onAbort", "error", "RUNNING", "ABORTING", "DONE"),
              (None, "resume", "ERROR", "ENQUEUED", "DONE")],
          "getTransitions: onAbort, then the resume", ts)
    check(ts[-1]["reason"] == "valve fixed" and ts[-1]["sender"], "the resume's who and why",
          ts[-1])
    record = json.loads((ok(svc.exportRun(wid), "RUN_EXPORTED") or {}).get("content") or "{}")
    exported = record.get("transitions") or []
    check([t["handler"] for t in exported] == ["onAbort", None]
          and len(exported[0]["steps"]) == 2, "exportRun shows onAbort and its steps", exported)
    csv = (ok(svc.exportRun(wid, format="csv"), "RUN_EXPORTED") or {}).get("content") or ""
    check("RUNNING -> ABORTING (onAbort)" in csv and "handler step" in csv,
          "the CSV timeline shows the transition and its handler's steps")
    return wid


def unhandled_changes(failedRun):
    # STOP of a queued run: STOPPED at once, recorded as a transition.
    ok(admin.configureQueue("cg.paused", concurrency=1), "QUEUE_CONFIGURED")
    blocker = started("t.sleeper", {"total_ms": 60000}, queueName="cg.paused")
    wait_status(blocker, "RUNNING", 20)
    queued = started("t.steps", {"n": 1}, queueName="cg.paused")
    sent = ok(svc.sendCommand(queued, "STOP", reason="wrong recipe"), "COMMAND_SENT")
    check(sent and sent["status"] == "STOPPED", "STOP ends a queued run", sent)
    ts = transitions(queued)
    check([(t["handler"], t["cause"], t["command"], t["fromStatus"], t["toStatus"])
           for t in ts] == [(None, "command", "STOP", "ENQUEUED", "STOPPED")]
          and ts[0]["commandSeq"] == 1 and ts[0]["reason"] == "wrong recipe",
          "the STOP of a queued run is a transition", ts)
    check(outcomes(queued) == [("STOP", "STOPPED")], "its outcome: STOPPED", outcomes(queued))
    # A cancel.
    ok(svc.cancel(blocker, "shift over"), "CANCEL_REQUESTED")
    ts = transitions(blocker)
    check([(t["handler"], t["cause"], t["fromStatus"], t["toStatus"], t["reason"]) for t in ts]
          == [(None, "cancel", "RUNNING", "CANCELLED", "shift over")],
          "a cancel is a transition", ts)
    # A fork: the new run's first transition names its origin.
    forked = ok(svc.fork(failedRun, 1, reason="again from s1"), "WORKFLOW_FORKED")
    ts = transitions(forked["workflowId"]) if forked else []
    check([(t["cause"], t["fromStatus"], t["toStatus"], t.get("forkedFrom"), t.get("fromStep"))
           for t in ts] == [("fork", "SUCCESS", "ENQUEUED", failedRun, 1)],
          "a fork's first transition", ts)
    if forked:
        wait_status(forked["workflowId"], TERMINAL, 60)


def command_outcomes():
    wid = started("cg.line", {})
    wait_for(lambda: counts(wid).get("b1"), 20, what="the line's second phase")
    ok(svc.sendCommand(wid, "RESUME", reason="nothing held"), "COMMAND_SENT")
    wait_for(lambda: outcomes(wid) == [("RESUME", "IGNORED")], 20,
             what="a RESUME of a running run to be ignored")
    ok(svc.sendCommand(wid, "HOLD"), "COMMAND_SENT")
    wait_status(wid, "HELD", 20)
    ok(svc.sendCommand(wid, "HOLD"), "COMMAND_SENT")
    wait_for(lambda: outcomes(wid)[-1] == ("HOLD", "IGNORED"), 20,
             what="a second HOLD of a held run to be ignored")
    ok(svc.sendCommand(wid, "RESUME"), "COMMAND_SENT")
    wait_for(lambda: counts(wid).get("resume"), 20, what="onResume")
    wait_status(wid, "RUNNING", 20)
    ok(svc.sendCommand(wid, "STOP"), "COMMAND_SENT")
    wait_status(wid, TERMINAL, 30)
    got = outcomes(wid)
    check(got == [("RESUME", "IGNORED"), ("HOLD", "HOLDING"), ("HOLD", "IGNORED"),
                  ("RESUME", "RESTARTING"), ("STOP", "STOPPING")],
          "getCommands: what each command led to", got)
    cmds = ok(svc.getCommands(wid), "COMMANDS_LISTED") or []
    ts = dict((t["seq"], t) for t in transitions(wid))
    linked = [c for c in cmds if c["transition"] is not None]
    check(len(linked) == 3 and all(ts[c["transition"]]["commandSeq"] == c["seq"]
                                   for c in linked), "outcome and transition linked", cmds, ts)

    received = started("cg.listener", {})
    wait_status(received, "RUNNING", 20)
    ok(svc.sendCommand(received, "RESET"), "COMMAND_SENT")
    wait_status(received, TERMINAL, 30)
    check(outcomes(received) == [("RESET", "RECEIVED")], "RECEIVED by rt.recvCommand",
          outcomes(received))
    check(transitions(received) == [], "a command the workflow receives changes no status",
          transitions(received))


def voided_at_resume():
    # A command left unread by a run that ended is voided when it is resumed.
    wid = started("t.sleeper", {"total_ms": 60000})
    wait_status(wid, "RUNNING", 20)
    ok(svc.sendCommand(wid, "RESET", reason="left for the workflow"), "COMMAND_SENT")
    ok(svc.cancel(wid, "pause"), "CANCEL_REQUESTED")
    wait_for(lambda: svc.resume(wid).get("ok"), 20, what="the cancelled run to be resumed")
    check(outcomes(wid) == [("RESET", "VOIDED")], "VOIDED at the resume", outcomes(wid))
    ok(svc.cancel(wid, "done"), "CANCEL_REQUESTED")
    ts = transitions(wid)
    check([(t["cause"], t["toStatus"]) for t in ts]
          == [("cancel", "CANCELLED"), ("resume", "ENQUEUED"), ("cancel", "CANCELLED")],
          "cancel, resume, cancel", ts)


def pending_onresume_abandoned():
    # A resumed run that is ended before a claim never runs its onResume.
    ok(admin.configureQueue("cg.held", concurrency=1), "QUEUE_CONFIGURED")
    blocker = started("t.sleeper", {"total_ms": 60000}, queueName="cg.held")
    wait_status(blocker, "RUNNING", 20)
    wid = started("cg.line", {}, queueName="cg.held")
    ok(svc.cancel(wid, "not yet"), "CANCEL_REQUESTED")
    ok(svc.resume(wid, reason="now"), "WORKFLOW_RESUMED")
    ok(svc.sendCommand(wid, "STOP", reason="after all"), "COMMAND_SENT")
    ok(svc.cancel(blocker, "done"), "CANCEL_REQUESTED")
    ts = transitions(wid)
    check([(t["handler"], t["cause"], t["toStatus"], t["state"]) for t in ts]
          == [(None, "cancel", "CANCELLED", "DONE"), ("onResume", "resume", "RESTARTING",
                                                      "ABANDONED"),
              (None, "command", "STOPPED", "DONE")],
          "the onResume of a run stopped before its claim is ABANDONED", ts)
    check(counts(wid).get("resume") is None, "onResume never ran", counts(wid))


def handlerless_outcomes():
    wid = started("t.loop", {"n": 400, "sleep_ms": 50})
    wait_for(lambda: counts(wid).get("loop"), 20, what="the loop's first pass")
    ok(svc.sendCommand(wid, "HOLD", reason="check the valve"), "COMMAND_SENT")
    wait_status(wid, "HELD", 20)
    ok(svc.sendCommand(wid, "RESUME"), "COMMAND_SENT")
    wait_status(wid, "RUNNING", 20)
    ok(svc.sendCommand(wid, "STOP"), "COMMAND_SENT")
    wait_status(wid, TERMINAL, 30)
    check(outcomes(wid) == [("HOLD", "HELD"), ("RESUME", "RUNNING"), ("STOP", "STOPPED")],
          "outcomes without handlers", outcomes(wid))
    ts = transitions(wid)
    check([(t["handler"], t["command"], t["fromStatus"], t["toStatus"], t["state"]) for t in ts]
          == [(None, "HOLD", "RUNNING", "HELD", "DONE"), (None, "RESUME", "HELD", "RUNNING", "DONE"),
              (None, "STOP", "RUNNING", "STOPPED", "DONE")] and ts[0]["reason"] == "check the valve",
          "commands taken without a handler are transitions", ts)


def hot_path():
    wid = started("t.steps", {"n": 3})
    done = wait_status(wid, TERMINAL, 30)
    check(done["status"] == "SUCCESS" and done["transitionSeq"] == 0, "no transition counted",
          done)
    check(transitions(wid) == [], "a run never commanded writes no transition", transitions(wid))


failedRun = resume_keeps_handler_records()
unhandled_changes(failedRun)
command_outcomes()
voided_at_resume()
pending_onresume_abandoned()
handlerless_outcomes()
hot_path()
finish()
