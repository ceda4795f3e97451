"""Runs inside a BUILT 8.3 project holding ignition-workflows 0.3.6's own
example modules, unchanged, at exchange/workflows/apps/examples/
(tests/integration/test_upstream_conformance.py copies them there and lists
them in our loader's MODULES; onStartup registered them).

Checked: the examples' workflows are registered; 0.3.6's enum seeding
function (api.params calls) creates its enums, once; demo.commands_60s
(events, streams and progress in its body and in its steps, a recvCommand
loop with a nested HELD loop) holds on HOLD (its loop stops counting),
continues on RESUME (a RESET while held is dropped, as 0.3.6's command table
says), and, told to STOP, runs to its end recorded STOPPED; another run of
it is cancelled; demo.one_minute_progress (rt.checkCancelled, progress with
extra, chunked sleep steps) runs its 60 s to SUCCESS.
"""
from __future__ import print_function

import time

import exchange.workflows.api.params as params
from exchange.workflows.apps.examples import enums
from exchange.workflows.engine import registry
from wfkit import check, finish, ok, svc, wait_for, wait_status


def events(wid):
    return ok(svc.getEvents(wid), "EVENTS_FOUND") or {}


def loops(wid):
    return events(wid).get("phase.loop_i") or 0


for name in ("demo.one_minute_progress", "demo.commands_60s"):
    check(registry.get(name) is not None, "onStartup registered %s" % name, registry.names())

# -- 0.3.6's enum seeding, through api.params ----------------------------------------------------
enums.createEnums()
enums.createEnums()
mode = params.getEnum("BatchMode")
check(mode and mode["enumVersion"] == 1 and [v["value"] for v in mode["values"]]
      == ["AUTO", "MANUAL", "SIMULATE"], "createEnums() seeds BatchMode v1, once", mode)

# -- the 60 s progress demo runs alongside ------------------------------------------------------
minute = ok(svc.start("demo.one_minute_progress", {"chunk_sec": 5}), "WORKFLOW_ENQUEUED")
minute = minute["workflowId"]

# -- the command playground ---------------------------------------------------------------------
# Its loop waits up to 30 s in rt.recvCommand for a command, and it ends 60 s
# after it started whatever happened meanwhile: every command below is sent
# well within that.
wid = ok(svc.start("demo.commands_60s", {"paramOne": 5}), "WORKFLOW_ENQUEUED")["workflowId"]
wait_for(lambda: ok(svc.readStream(wid, "log"), "STREAM_READ"), 60, 0.2,
         "commands_60s to start its loop")
ok(svc.sendCommand(wid, "HOLD", reason="hold it"), "COMMAND_SENT")
# The workflow takes HOLD in its recvCommand and stays in its HELD loop;
# the engine shows the run HELD meanwhile.
check(wait_status(wid, ("HELD",), 30)["status"] == "HELD", "HOLD: the run is HELD")
held_at = loops(wid)
time.sleep(2)
check(loops(wid) == held_at, "held: its loop stops counting", held_at, loops(wid))
ok(svc.sendCommand(wid, "RESET", reason="reset while held"), "COMMAND_SENT")
ok(svc.sendCommand(wid, "RESUME", reason="go on"), "COMMAND_SENT")
check(wait_status(wid, ("RUNNING",), 30)["status"] == "RUNNING", "RESUME: RUNNING again")
wait_for(lambda: loops(wid) > held_at, 30, 0.2, "commands_60s to loop again after RESUME")
commands = ok(svc.getCommands(wid), "COMMANDS_LISTED") or []
check([(c["cmd"], c["consumedBy"]) for c in commands]
      == [("HOLD", "workflow"), ("RESET", "dropped"), ("RESUME", "workflow")],
      "HOLD and RESUME taken by the workflow; RESET, which 0.3.6 never offers in HELD, dropped",
      commands)
# 0.3.6's example treats STOP as an unknown command and runs on to its end
# (60 s after it started, plus up to 30 s in recvCommand): that end is
# recorded STOPPED (docs/migrating-from-0.3.md, "Commands inside a workflow").
ok(svc.sendCommand(wid, "STOP", reason="enough"), "COMMAND_SENT")
row = wait_status(wid, ("STOPPED", "SUCCESS", "ERROR", "CANCELLED"), 150)
check(row["status"] == "STOPPED" and (row.get("output") or {}).get("duration_s") == 60,
      "STOP: it ran to its end, recorded STOPPED", row)
stream = ok(svc.readStream(wid, "log"), "STREAM_READ") or []
check(stream and stream[0]["value"] == {"paramOne": 5}, "its stream, first value from its body",
      stream[:3])
check(events(wid).get("phase.started_at_ms"), "events set in its body")
steps = ok(svc.getSteps(wid), "STEPS_LISTED") or []
check(any(s["functionName"] == "demo.cmd.sleep_chunked" and s["error"] is None for s in steps),
      "its steps recorded under 0.3.6's names", steps)

other = ok(svc.start("demo.commands_60s", {}), "WORKFLOW_ENQUEUED")["workflowId"]
wait_for(lambda: ok(svc.readStream(other, "log"), "STREAM_READ"), 60, 0.2,
         "a second commands_60s to start its loop")
ok(svc.cancel(other, reason="not needed"), "CANCEL_REQUESTED")
check(wait_status(other, ("CANCELLED", "SUCCESS", "ERROR"), 60)["status"] == "CANCELLED",
      "cancel ends it CANCELLED")

row = wait_status(minute, ("SUCCESS", "ERROR", "CANCELLED", "STOPPED"), 150)
check(row["status"] == "SUCCESS" and row.get("output") == {"ok": True, "duration_sec": 60},
      "demo.one_minute_progress runs to SUCCESS", row)
check(((row.get("progress") or {}).get("message") or "") == "Completed demo.one_minute_progress",
      "with its last progress message", row.get("progress"))
finish(workflowId=wid)
