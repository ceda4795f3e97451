"""Phase 2 of the crash test: the same gateway restarted after SIGKILL."""
from __future__ import print_function

import json
import sys
import time

import flows  # noqa: F401 - registers the test workflows
from wfkit import check, finish, ok, sql, svc, wait_for, wait_status

before = json.loads(sys.argv[1])
restartedMs = int(time.time() * 1000)

# Resumed within one dispatch cycle (timer period 1 s) of the restart.
row = wait_for(lambda: svc.getWorkflow(before["steps"])["data"]["claimEpoch"] >= 2, 4,
               what="the steps run to be reclaimed")
check(row, "steps run was recovered within one dispatch cycle")
row = wait_status(before["steps"], "SUCCESS", 20)
check(row["output"] == {"total": 15}, "recovered run completes with the right result", row)
counts = dict((r[0], r[1]) for r in sql(
    "SELECT tag, COUNT(*) FROM app_effects WHERE workflow_id = ? GROUP BY tag", [before["steps"]]))
check(counts == dict(("s%d" % i, 1) for i in range(6)), "every step executed exactly once", counts)
steps = ok(svc.getSteps(before["steps"]), "STEPS_LISTED")
check(len(steps) == 12 and [s["functionId"] for s in steps] == list(range(12)), "no duplicate checkpoints", steps)

# A durable sleep resumes with only the remaining time.
row = wait_status(before["sleeper"], "SUCCESS", 25)
late = row["finishedMs"] - max(before["sleeperWakeAtMs"], restartedMs)
check(row["finishedMs"] >= before["sleeperWakeAtMs"] and late <= 2500,
      "sleep ended at its recorded wake-up time, not a full sleep later", late)
counts = dict((r[0], r[1]) for r in sql(
    "SELECT tag, COUNT(*) FROM app_effects WHERE workflow_id = ? GROUP BY tag", [before["sleeper"]]))
check(counts == {"before": 1, "after": 1}, "sleeper side effects once each", counts)

# A HELD run stays HELD across the crash, with no progress, until RESUME.
time.sleep(1.5)
row = svc.getWorkflow(before["held"])["data"]
check(row["status"] == "HELD" and row["recoveryAttempts"] >= 1, "HELD survives the crash as HELD", row)
check(row["progress"]["extra"]["i"] == before["heldProgress"], "no progress while HELD", row["progress"])
ok(svc.sendCommand(before["held"], "RESUME", reason="after crash"), "COMMAND_SENT")
wait_status(before["held"], "RUNNING", 5)
time.sleep(0.5)
check(svc.getWorkflow(before["held"])["data"]["progress"]["extra"]["i"] > before["heldProgress"],
      "progress continues after RESUME")
# The run queued behind the HELD run's partition waited across the crash.
check(svc.getWorkflow(before["queued"])["data"]["status"] == "ENQUEUED", "queued run kept")
ok(svc.cancel(before["held"], "done"), "CANCEL_REQUESTED")
wait_status(before["queued"], "SUCCESS", 10)
wait_status(before["mem"], "SUCCESS", 10)
finish(restartDelayMs=restartedMs - before["killedAtMs"])
