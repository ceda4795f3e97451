"""Phase 1 of the crash test: leave runs in every state, then wait to be SIGKILLed
while no step is executing (the durable promise is about finished steps)."""
from __future__ import print_function

import json
import sys
import time

import exchange.workflows.engine.kernel as kernel
import flows
from wfkit import check, dispatch, ok, started, svc, wait_for, wait_status


def direct_starts():
    c = kernel.get()["stats"].get("directStarts")
    return c.get() if c is not None else 0


flows.ensure_tables()
dispatch()  # a fresh lease: the next start skips the queue (a RUNNING row, no claim)
before = direct_starts()
steps_wid = started("t.steps", {"n": 6, "sleep_ms": 700})
steps_direct = direct_starts() - before
sleeper = started("t.sleeper", {"total_ms": 12000})
held = started("t.loop", {"n": 500, "sleep_ms": 50}, partitionKey="crash-p")
wait_status(held, "RUNNING", 10)
time.sleep(0.3)
ok(svc.sendCommand(held, "HOLD", reason="before crash"), "COMMAND_SENT")
wait_status(held, "HELD", 5)
held_progress = svc.getWorkflow(held)["data"]["progress"]
# Same partition as the HELD run: it must wait, across the crash too.
queued = started("t.steps", {"n": 1}, partitionKey="crash-p")
mem = ok(svc.enqueueInMemory("t.noop", {"x": 5}), "IN_MEMORY_ENQUEUE_ACCEPTED")["workflowId"]
dispatch()
check(svc.getWorkflow(mem)["ok"], "in-memory run durable before the crash")


def in_sleep():
    steps = svc.getSteps(steps_wid)["data"]
    if len(steps) < 5 or steps[-1]["functionName"] != "sleep.sleep_chunked":
        return None
    left = steps[-1]["output"]["wakeAtMs"] - int(time.time() * 1000)
    return steps if left >= 400 else None


steps = wait_for(in_sleep, 20, 0.01, "t.steps to sleep between steps")
sleeper_steps = svc.getSteps(sleeper)["data"]
facts = {"steps": steps_wid, "sleeper": sleeper, "held": held, "queued": queued, "mem": mem,
         "recorded": len(steps), "sleeperWakeAtMs": sleeper_steps[1]["output"]["wakeAtMs"],
         "heldProgress": held_progress["extra"]["i"], "stepsDirect": steps_direct, "killedAtMs": int(time.time() * 1000)}
print("READY " + json.dumps(facts))
sys.stdout.flush()
time.sleep(300)
