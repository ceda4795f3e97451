"""ISA-88 commands without handlers (issue 12 piece C): ABORT ends a run
ABORTED at its next safe point (RUNNING, HELD, ENQUEUED, a workflow that
receives its own commands, one that swallows the interrupt), RESTART is
RESUME, commands are case-insensitive, STOP still ends STOPPED, and the
policy actions ABORT and RESTART need."""
from __future__ import print_function

import copy
import time

import exchange.workflows.api.access as access
import exchange.workflows.api.admin as admin
import exchange.workflows.api.security as security
import flows
import gwsim
from exchange.workflows.bootstrap import getWorkflows, step, workflow
from exchange.workflows.steps.sleep import sleep_chunked
from wfkit import bad, check, finish, ok, sql, started, svc, wait_for, wait_status

flows.ensure_tables()


def progress_i(wid):
    p = svc.getWorkflow(wid)["data"]["progress"]
    return p["extra"]["i"] if p else 0


def effects(wid):
    return [(r[0], r[1]) for r in sql("SELECT tag, ts FROM app_effects WHERE workflow_id = ? "
                                      "ORDER BY ts", [wid])]


def commands_of(wid):
    return [(c["cmd"], c["consumedBy"]) for c in ok(svc.getCommands(wid), "COMMANDS_LISTED")]


def ended_with_no_further_step(wid, row, label):
    """No side effect after the run's end, and none appears later."""
    before = effects(wid)
    check(all(ts <= row["finishedMs"] for _, ts in before),
          "%s: no step ran after the run ended" % label, row["finishedMs"], before)
    time.sleep(0.6)
    check(effects(wid) == before, "%s: nothing ran later either" % label, before, effects(wid))


# --- ABORT of a RUNNING run: ABORTED at its next safe point, no further step ---------------
wid = started("t.loop", {"n": 400, "sleep_ms": 50})
wait_for(lambda: progress_i(wid) >= 3, 20, what="loop progress")
sent = ok(svc.sendCommand(wid, "ABORT", reason="pump trip", user="op1"), "COMMAND_SENT")
check(sent["cmd"] == "ABORT", "COMMAND_SENT names the command", sent)
row = wait_status(wid, ("ABORTED", "STOPPED", "SUCCESS", "ERROR"), 10)
check(row["status"] == "ABORTED" and row["finished"] is True, "ABORT ends a running run ABORTED",
      row)
check(row["error"] == {"type": "Aborted", "message": "pump trip"}, "ABORTED with its reason",
      row["error"])
ended_with_no_further_step(wid, row, "ABORT while RUNNING")
check(commands_of(wid) == [("ABORT", "engine")], "the engine took the ABORT", commands_of(wid))
bad(svc.sendCommand(wid, "RESUME"), "WORKFLOW_ALREADY_FINISHED")
bad(svc.sendCommand(wid, "abort"), "WORKFLOW_ALREADY_FINISHED")
listed = ok(svc.listRuns(status="ABORTED", limit=1000), "RUNS_LISTED")
check(wid in [r["workflowId"] for r in listed["rows"]], "listRuns(status='ABORTED') finds it")
counts = ok(svc.queueStatus(), "QUEUE_STATUS")
check(any(c["status"] == "ABORTED" and c["count"] >= 1 for c in counts),
      "queueStatus counts ABORTED runs", counts)

# --- STOP still ends STOPPED ----------------------------------------------------------------
wid = started("t.loop", {"n": 400, "sleep_ms": 50})
wait_for(lambda: progress_i(wid) >= 2, 20, what="loop progress")
ok(svc.sendCommand(wid, "stop", reason="end of shift"), "COMMAND_SENT")
row = wait_status(wid, ("ABORTED", "STOPPED", "SUCCESS", "ERROR"), 10)
check(row["status"] == "STOPPED" and row["error"]["type"] == "Stopped", "STOP still ends STOPPED",
      row)
check(commands_of(wid) == [("STOP", "engine")], "'stop' stored as STOP", commands_of(wid))

# --- STOP behind more unread RESETs than one mailbox page still ends the run ----------------
# t.loop never calls rt.recvCommand: the RESETs stay in its mailbox for a reader that never
# comes, and the safe point must read past them to the operator's STOP.
wid = started("t.loop", {"n": 400, "sleep_ms": 50})
wait_for(lambda: progress_i(wid) >= 2, 20, what="loop progress")
ok(svc.sendCommand(wid, "HOLD"), "COMMAND_SENT")
wait_status(wid, "HELD", 10)
for _ in range(45):
    ok(svc.sendCommand(wid, "RESET"), "COMMAND_SENT")
ok(svc.sendCommand(wid, "STOP", reason="behind the resets"), "COMMAND_SENT")
row = wait_status(wid, ("ABORTED", "STOPPED", "SUCCESS", "ERROR"), 15)
check(row["status"] == "STOPPED", "a STOP behind 45 unread RESETs is taken", row)

# --- ABORT of a HELD run; RESTART and Resume (any case) resume it ---------------------------
wid = started("t.loop", {"n": 400, "sleep_ms": 50})
wait_for(lambda: progress_i(wid) >= 2, 20, what="loop progress")
ok(svc.sendCommand(wid, "Hold"), "COMMAND_SENT")
wait_status(wid, "HELD", 10)
held_at = progress_i(wid)
sent = ok(svc.sendCommand(wid, "restart", reason="valve ok"), "COMMAND_SENT")
check(sent["cmd"] == "RESUME", "RESTART is stored as RESUME", sent)
wait_status(wid, "RUNNING", 10)
wait_for(lambda: progress_i(wid) > held_at, 10, what="progress after 'restart'")
ok(svc.sendCommand(wid, "HOLD"), "COMMAND_SENT")
wait_status(wid, "HELD", 10)
held_at = progress_i(wid)
ok(svc.sendCommand(wid, "Resume"), "COMMAND_SENT")
wait_status(wid, "RUNNING", 10)
wait_for(lambda: progress_i(wid) > held_at, 10, what="progress after 'Resume'")
ok(svc.sendCommand(wid, "hold"), "COMMAND_SENT")
wait_status(wid, "HELD", 10)
ok(svc.sendCommand(wid, "Abort", reason="operator abort"), "COMMAND_SENT")
row = wait_status(wid, ("ABORTED", "STOPPED", "SUCCESS", "ERROR"), 10)
check(row["status"] == "ABORTED" and row["error"]["message"] == "operator abort",
      "ABORT ends a HELD run ABORTED", row)
ended_with_no_further_step(wid, row, "ABORT while HELD")
check(commands_of(wid) == [("HOLD", "engine"), ("RESUME", "engine"), ("HOLD", "engine"),
                           ("RESUME", "engine"), ("HOLD", "engine"), ("ABORT", "engine")],
      "every command stored by its canonical name, taken by the engine", commands_of(wid))

# --- ABORT to an ENQUEUED run ends it at once -------------------------------------------------
ok(admin.configureQueue("ctl.paused", concurrency=1), "QUEUE_CONFIGURED")
blocker = started("t.sleeper", {"total_ms": 60000}, queueName="ctl.paused")
wait_status(blocker, "RUNNING", 10)
queued = started("t.steps", {"n": 1}, queueName="ctl.paused")
check(svc.getWorkflow(queued)["data"]["status"] == "ENQUEUED", "the second run waits in its queue")
sent = ok(svc.sendCommand(queued, "abort", reason="wrong recipe"), "COMMAND_SENT")
check(sent["status"] == "ABORTED", "ABORT answers with the run's new status", sent)
row = ok(svc.getWorkflow(queued))
check(row["status"] == "ABORTED" and row["error"] == {"type": "Aborted", "message": "wrong recipe"}
      and row["finishedMs"] is not None, "ABORT ends an ENQUEUED run at once", row)
check(commands_of(queued) == [("ABORT", "engine")], "consumed by the engine", commands_of(queued))
ok(svc.cancel(blocker, "done"), "CANCEL_REQUESTED")
check(effects(queued) == [], "an aborted queued run never runs a step", effects(queued))

# --- ABORT reaches a workflow that receives its own commands, and is never returned ---------
wid = started("t.commander", {"max_seconds": 60})
wait_status(wid, "RUNNING", 10)
ok(svc.sendCommand(wid, "HOLD", reason="self-held"), "COMMAND_SENT")
wait_status(wid, "HELD", 10)
ok(svc.sendCommand(wid, "restart"), "COMMAND_SENT")
wait_for(lambda: len(ok(svc.getSteps(wid), "STEPS_LISTED")) >= 2, 10,
         what="the commander receives RESTART")
ok(svc.sendCommand(wid, "ABORT", reason="e-stop"), "COMMAND_SENT")
row = wait_status(wid, ("ABORTED", "STOPPED", "SUCCESS", "ERROR"), 10)
check(row["status"] == "ABORTED" and row["output"] is None,
      "ABORT ends a self-commanded run ABORTED (its return value is not recorded)", row)
received = [s["output"]["cmd"] for s in ok(svc.getSteps(wid), "STEPS_LISTED")
            if s["functionName"].startswith("rt.recvCommand")]
check(received == ["HOLD", "RESUME"], "recvCommand returned HOLD and RESTART (as RESUME), never "
      "ABORT", received)
check(commands_of(wid) == [("HOLD", "workflow"), ("RESUME", "workflow"), ("ABORT", "engine")],
      "the workflow took its commands, the engine the ABORT", commands_of(wid))

# ABORT behind a command the workflow has not received yet is still taken.
@workflow(name="ctl.slowreader")
def slowreader():
    """Receives one command, then only passes safe points for a while."""
    rt = getWorkflows()
    got = []
    while not got:
        cmd = rt.recvCommand(topic="cmd", timeoutSeconds=0.2)
        if cmd:
            got.append(cmd["cmd"])
    for _ in range(600):
        sleep_chunked(total_ms=50, chunk_ms=50)
    return {"got": got}


wid = started("ctl.slowreader")
wait_status(wid, "RUNNING", 10)
ok(svc.sendCommand(wid, "RESET"), "COMMAND_SENT")
wait_for(lambda: len(ok(svc.getSteps(wid), "STEPS_LISTED")) >= 1, 10, what="RESET received")
ok(svc.sendCommand(wid, "HOLD"), "COMMAND_SENT")
ok(svc.sendCommand(wid, "ABORT"), "COMMAND_SENT")
row = wait_status(wid, ("ABORTED", "STOPPED", "SUCCESS", "ERROR", "HELD"), 10)
check(row["status"] == "ABORTED", "ABORT behind an unread HOLD of a self-commanded run is taken",
      row)
check(commands_of(wid) == [("RESET", "workflow"), ("HOLD", None), ("ABORT", "engine")],
      "the unread HOLD stays in the mailbox", commands_of(wid))


# --- a workflow that swallows the ABORT (bare except) still ends ABORTED --------------------
SWALLOWED = {}


@step(name="ctl.tick")
def tick(i):
    return flows.effect("tick", i)


@workflow(name="ctl.swallower")
def swallower(n=400):
    wid = getWorkflows().workflowId
    done = 0
    for i in range(n):
        try:
            tick(i)
            sleep_chunked(total_ms=50, chunk_ms=50)
            done += 1
        except:  # noqa: E722 - the point of the test
            SWALLOWED[wid] = SWALLOWED.get(wid, 0) + 1
    return {"done": done}


wid = started("ctl.swallower")
wait_for(lambda: len(effects(wid)) >= 3, 20, what="swallower ticks")
ok(svc.sendCommand(wid, "ABORT", reason="swallow this"), "COMMAND_SENT")
row = wait_status(wid, ("ABORTED", "STOPPED", "SUCCESS", "ERROR"), 15)
check(row["status"] == "ABORTED" and row["error"]["type"] == "Aborted",
      "a workflow that swallows ABORT still ends ABORTED", row)
wait_for(lambda: SWALLOWED.get(wid, 0) >= 2, 20, what="the swallower to catch the ABORT again")
ended_with_no_further_step(wid, row, "swallowed ABORT")
row = ok(svc.getWorkflow(wid))
check(row["status"] == "ABORTED" and row["output"] is None, "its return value is ignored", row)

# --- unknown commands name ABORT among the valid ones ---------------------------------------
wid = started("t.sleeper", {"total_ms": 60000})
wait_status(wid, "RUNNING", 10)
for typo in ("HOLDD", "abortt", ""):
    resp = bad(svc.sendCommand(wid, typo), "UNKNOWN_COMMAND", typo)
    check("ABORT" in resp["message"] and "RESTART" in resp["message"],
          "UNKNOWN_COMMAND lists ABORT and RESTART (%r)" % typo, resp["message"])

# --- policy actions: ABORT needs stop (like STOP), RESTART needs hold (like RESUME) ---------
check([access.commandAction(c) for c in ("ABORT", "abort", "RESTART", "Restart", "STOP",
                                         "RESUME", "HOLD", "RESET")]
      == ["stop", "stop", "hold", "hold", "stop", "hold", "hold", "operate"],
      "the policy action of each command")
check(access.commandAction("ABORT", "other") == "operate", "another topic needs operate")
boss = gwsim.openSession("ctl-admin", ["Administrator"])
holder = gwsim.openSession("ctl-holder", ["Holder"])
policy = ok(security.getPolicy(), "POLICY")
edited = copy.deepcopy(policy["policy"])
for action in ("read", "hold"):
    edited["actions"][action]["roles"] = list(edited["actions"][action].get("roles") or []) + [
        "Holder"]
ok(security.setPolicy(edited, reason="holders may hold and resume", session=boss), "POLICY_SET")
ok(svc.sendCommand(wid, "HOLD", reason="by holder", session=holder), "COMMAND_SENT")
wait_status(wid, "HELD", 10)
bad(svc.sendCommand(wid, "abort", reason="not mine", session=holder), "NOT_AUTHORIZED")
bad(svc.sendCommand(wid, "STOP", reason="not mine", session=holder), "NOT_AUTHORIZED")
ok(svc.sendCommand(wid, "Restart", reason="by holder", session=holder), "COMMAND_SENT")
wait_status(wid, "RUNNING", 10)
ok(svc.sendCommand(wid, "ABORT", reason="by admin", session=boss), "COMMAND_SENT")
row = wait_status(wid, ("ABORTED", "STOPPED", "SUCCESS", "ERROR"), 10)
check(row["status"] == "ABORTED", "an administrator's ABORT is taken", row)
ok(security.setPolicy(policy["default"], reason="back to the default", session=boss), "POLICY_SET")

finish()
