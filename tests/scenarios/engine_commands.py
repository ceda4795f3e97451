"""HOLD/RESUME/STOP/cancel with and without rt.recvCommand, timeouts, retries,
and bad commands."""
from __future__ import print_function

import time

import flows
from wfkit import bad, check, finish, ok, started, svc, wait_for, wait_status

flows.ensure_tables()


def progress_i(wid):
    p = svc.getWorkflow(wid)["data"]["progress"]
    return p["extra"]["i"] if p else 0


# --- a workflow with no command code: HOLD parks it at a safe point ---
wid = started("t.loop", {"n": 400, "sleep_ms": 50})
wait_for(lambda: progress_i(wid) >= 3, 15, what="loop progress")
ok(svc.sendCommand(wid, "HOLD", reason="check valve", user="operator1"), "COMMAND_SENT")
wait_status(wid, "HELD", 5)
held_at = progress_i(wid)
time.sleep(1.0)
check(progress_i(wid) == held_at and svc.getWorkflow(wid)["data"]["status"] == "HELD",
      "no progress while HELD", held_at, progress_i(wid))
ok(svc.sendCommand(wid, "RESUME", reason="valve ok", user="operator1"), "COMMAND_SENT")
wait_status(wid, "RUNNING", 5)
wait_for(lambda: progress_i(wid) > held_at, 5, what="progress after RESUME")
ok(svc.sendCommand(wid, "STOP", reason="end of shift"), "COMMAND_SENT")
row = wait_status(wid, "STOPPED", 5)
check(row["finishedMs"] is not None and row["error"]["type"] == "Stopped", "STOPPED with reason", row)
cmds = ok(svc.getCommands(wid), "COMMANDS_LISTED")
check([(c["cmd"], c["sender"], c["reason"]) for c in cmds] ==
      [("HOLD", "operator1", "check valve"), ("RESUME", "operator1", "valve ok"), ("STOP", "gateway", "end of shift")],
      "who, when, why of each command", cmds)
check(all(c["consumedMs"] >= c["createdMs"] for c in cmds), "every command consumed once")

# A finished run refuses commands and cancel with a clear code.
bad(svc.sendCommand(wid, "RESUME"), "WORKFLOW_ALREADY_FINISHED")
bad(svc.cancel(wid, "late"), "WORKFLOW_ALREADY_FINISHED")
bad(svc.sendCommand(wid, "HOLDD"), "UNKNOWN_COMMAND")
bad(svc.sendCommand("no-such-id", "HOLD"), "WORKFLOW_NOT_FOUND")
bad(svc.cancel("no-such-id"), "WORKFLOW_NOT_FOUND")

# cancel during a long durable sleep ends it within a chunk; HOLD during the sleep
# parks it and the remaining time resumes after RESUME.
wid = started("t.sleeper", {"total_ms": 1500})
wait_status(wid, "RUNNING", 5)
time.sleep(0.5)
ok(svc.sendCommand(wid, "HOLD"), "COMMAND_SENT")
wait_status(wid, "HELD", 3)
time.sleep(1.5)
check(svc.getWorkflow(wid)["data"]["status"] == "HELD", "a held sleep does not finish")
t0 = time.time()
ok(svc.sendCommand(wid, "RESUME"), "COMMAND_SENT")
row = wait_status(wid, "SUCCESS", 5)
check(0.5 <= time.time() - t0 <= 2.5, "the remaining sleep resumes after RESUME", time.time() - t0)

wid = started("t.sleeper", {"total_ms": 60000})
wait_status(wid, "RUNNING", 5)
time.sleep(0.3)
t0 = time.time()
ok(svc.cancel(wid, "wrong recipe", user="op2"), "CANCEL_REQUESTED")
check(svc.getWorkflow(wid)["data"]["status"] == "CANCELLED", "cancel is immediate in the database")
time.sleep(0.5)
effects = flows.system.db.runPrepQuery("SELECT tag FROM app_effects WHERE workflow_id = ?", [wid], "WorkflowsDB")
check([r[0] for r in effects] == ["before"], "a cancelled sleeper never reaches its next step")
check(ok(svc.getWorkflow(wid))["error"]["sender"] == "op2", "cancel records who")

# STOP on a queued run ends it at once; HOLD on a queued run parks it when it starts.
ok(__import__("exchange.workflows.api.admin").workflows.api.admin.configureQueue("paused", concurrency=1), "QUEUE_CONFIGURED")
blocker = started("t.sleeper", {"total_ms": 2500}, queueName="paused")
wait_status(blocker, "RUNNING", 5)
queued = started("t.steps", {"n": 1}, queueName="paused")
ok(svc.sendCommand(queued, "STOP", reason="not needed"), "COMMAND_SENT")
check(svc.getWorkflow(queued)["data"]["status"] == "STOPPED", "STOP on ENQUEUED ends it at once")
queued = started("t.steps", {"n": 2}, queueName="paused")
ok(svc.sendCommand(queued, "HOLD"), "COMMAND_SENT")
for _ in range(40):
    svc.dispatch(queueName="paused")
    if svc.getWorkflow(queued)["data"]["status"] != "ENQUEUED":
        break
    time.sleep(0.1)
row = wait_status(queued, "HELD", 8)
check(row["status"] == "HELD" and flows.system.db.runPrepQuery(
    "SELECT COUNT(*) FROM app_effects WHERE workflow_id = ?", [queued], "WorkflowsDB")[0][0] == 0,
    "HOLD sent while queued parks the run before its first step")
ok(svc.sendCommand(queued, "RESUME"), "COMMAND_SENT")
wait_status(queued, "SUCCESS", 5)

# --- a workflow that handles commands itself (the docs' mailbox pattern) ---
wid = started("t.commander")
wait_status(wid, "RUNNING", 5)
for cmd in ("HOLD",):
    ok(svc.sendCommand(wid, cmd, reason="r-" + cmd), "COMMAND_SENT")
row = wait_status(wid, "HELD", 5)
check(row["status"] == "HELD", "recvCommand(currentState='HELD') shows HELD")
# A burst of commands: none lost, in order.
for cmd in ("RESET", "RESUME", "RESET", "HOLD", "RESUME", "STOP"):
    ok(svc.sendCommand(wid, cmd), "COMMAND_SENT")
row = wait_status(wid, ("STOPPED", "SUCCESS", "ERROR"), 10)
check(row["status"] == "STOPPED", "a workflow that received STOP and returned ends STOPPED", row)
check(row["output"] == {"received": ["HOLD", "RESET", "RESUME", "RESET", "HOLD", "RESUME", "STOP"]},
      "every command delivered once, in order", row["output"])
cmds = ok(svc.getCommands(wid), "COMMANDS_LISTED")
check(all(c["consumedBy"] == "workflow" for c in cmds) and len(cmds) == 7, "consumed by the workflow", cmds)
steps = ok(svc.getSteps(wid), "STEPS_LISTED")
check([s["output"]["cmd"] for s in steps] == row["output"]["received"],
      "each received command is recorded for replay", steps)

# --- timeouts end a run; time HELD does not count (held_time.py has the rest) ---
wid = started("t.sleeper", {"total_ms": 60000}, timeoutSeconds=1)
row = wait_status(wid, ("ERROR", "SUCCESS"), 6)
check(row["status"] == "ERROR" and row["error"]["type"] == "WorkflowTimedOut", "timeout ends the run", row)
wid = started("t.loop", {"n": 1000, "sleep_ms": 50}, timeoutSeconds=1.5)
wait_status(wid, "RUNNING", 5)
ok(svc.sendCommand(wid, "HOLD"), "COMMAND_SENT")
wait_status(wid, ("HELD",), 6)
time.sleep(3)
row = svc.getWorkflow(wid)["data"]
check(row["status"] == "HELD", "a HELD run does not time out while held", row)
ok(svc.cancel(wid, "done"), "CANCEL_REQUESTED")

# --- retries: DBOS-style options; attempts recorded; exhausted retries fail ---
wid = started("t.retry", {"fail_times": 2})
row = wait_status(wid, ("SUCCESS", "ERROR"), 10)
check(row["output"] == {"attempt": 3}, "third attempt succeeds", row)
steps = ok(svc.getSteps(wid), "STEPS_LISTED")
check(steps[0]["attempts"] == 3 and steps[0]["durationMs"] >= 550, "attempts and backoff (0.2 + 0.4 s)", steps)
wid = started("t.retry", {"fail_times": 3})
row = wait_status(wid, ("SUCCESS", "ERROR"), 10)
check(row["status"] == "ERROR" and row["error"]["type"] == "ValueError" and
      row["error"]["message"] == "flaky failure 3", "exhausted retries fail with the step's error", row)
check(ok(svc.getSteps(wid))[0]["error"]["attempts"] == 3, "failed step records its attempts")
wid = started("t.retry", {"fail_times": 1, "retries": False})
row = wait_status(wid, ("SUCCESS", "ERROR"), 10)
check(row["status"] == "ERROR", "no retries unless retries_allowed", row)

# A retry wait honours HOLD and STOP.
from exchange.workflows.bootstrap import step, workflow  # noqa: E402


@step(name="t.alwaysfails", options={"retries_allowed": True, "max_attempts": 50, "interval_seconds": 0.3,
                                     "backoff_rate": 1.0})
def always_fails():
    raise IOError("device offline")


@workflow(name="t.retrystop")
def retrystop():
    always_fails()


wid = started("t.retrystop")
wait_status(wid, "RUNNING", 5)
time.sleep(0.7)
ok(svc.sendCommand(wid, "HOLD"), "COMMAND_SENT")
wait_status(wid, "HELD", 3)
ok(svc.sendCommand(wid, "STOP"), "COMMAND_SENT")
row = wait_status(wid, "STOPPED", 3)
check(row["status"] == "STOPPED", "STOP ends a run waiting between retries", row)

finish()
