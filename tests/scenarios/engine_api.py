"""Every documented call and example of service-api.md / steps-and-authoring.md,
plus the read functions an operator screen uses."""
from __future__ import print_function

import time

import exchange
import exchange.workflows.apps
import flows
from wfkit import check, finish, ok, started, svc, wait_status

flows.ensure_tables()
# The shipped apps register no demo workflow; this scenario uses them.
check("exchange.workflows.demo" in exchange.workflows.apps.loadReport(["exchange.workflows.demo"])["loaded"],
      "the demo workflows register on request")

# listWorkflows: dropdown options.
opts = exchange.workflows.api.service.listWorkflows()
print(opts)
names = [o["value"] for o in ok(opts, "WORKFLOW_OPTIONS_OK")["options"]]
check("demo.small" in names and "demo.one_minute_progress" in names and "t.steps" in names,
      "listWorkflows lists registered workflows", names)
check(all(set(o) == set(["label", "value"]) for o in opts["data"]["options"]), "options are {label, value}")

# The documented start example, exactly as written.
resp = exchange.workflows.api.service.start(
    workflowName="demo.one_minute_progress",
    inputs={"resolved": {"chunk_sec": 5}},
    queueName="default",
    partitionKey="line-1/filler-a",
    priority=0,
    deduplicationId=None,
    applicationVersion="2026.02.16",
    timeoutSeconds=120,
)
ok(resp, "WORKFLOW_ENQUEUED")
check(resp["meta"]["dbName"] == "WorkflowsDB" and resp["meta"]["tsMs"] > 0
      and resp["meta"]["durationMs"] >= 0, "meta has tsMs, durationMs, dbName", resp["meta"])
doc_wid = resp["data"]["workflowId"]
row = wait_status(doc_wid, ("RUNNING",), 10)
check(row["inputs"] == {"chunk_sec": 5}, "resolved inputs become kwargs", row["inputs"])
check(row["partitionKey"] == "line-1/filler-a" and row["applicationVersion"] == "2026.02.16"
      and row["timeoutMs"] == 120000, "start options stored", row)

# The documented enqueueInMemory example.
ack = exchange.workflows.api.service.enqueueInMemory(
    workflowName="demo.one_minute_progress",
    inputs={"resolved": {"chunk_sec": 2}},
    queueName="default",
)
data = ok(ack, "IN_MEMORY_ENQUEUE_ACCEPTED")
check(data["durable"] is False and data["workflowId"], "in-memory ack says not durable yet", data)
mem_wid = data["workflowId"]

# The documented dispatch example flushes it (retried while the gateway's own
# timer holds the dispatch lock: DISPATCH_SKIPPED is its documented answer).
for _ in range(100):
    r = exchange.workflows.api.service.dispatch(
        queueName="default",
        maxToClaim=10,
        flushMaxItems=200,
        flushMaxMs=25,
    )
    if r["code"] != "DISPATCH_SKIPPED":
        break
    time.sleep(0.01)
d = ok(r, "DISPATCH_OK")
check(d["flushed"] >= 1 or svc.getWorkflow(mem_wid)["ok"], "dispatch flushed the in-memory run", d)
wait_status(mem_wid, ("RUNNING",), 10)

# The documented command examples, on the running documented run.
wid = doc_wid
ok(exchange.workflows.api.service.sendCommand(workflowId=wid, cmd="HOLD", reason="maintenance"),
   "COMMAND_SENT")
wait_status(wid, ("HELD",), 10)
ok(exchange.workflows.api.service.sendCommand(workflowId=wid, cmd="RESUME"), "COMMAND_SENT")
wait_status(wid, ("RUNNING",), 10)
ok(exchange.workflows.api.service.sendCommand(workflowId=wid, cmd="STOP", reason="operator stop"),
   "COMMAND_SENT")
row = wait_status(wid, ("STOPPED",), 10)
check(row["status"] == "STOPPED" and row["error"]["message"] == "operator stop",
      "STOP ends the run STOPPED with the reason", row)

# The documented cancel example.
wid = mem_wid
ok(exchange.workflows.api.service.cancel(workflowId=wid, reason="manual cancel"), "CANCEL_REQUESTED")
row = wait_status(wid, ("CANCELLED",), 10)
check(row["error"]["message"] == "manual cancel", "cancel reason recorded", row["error"])
cmds = ok(svc.getCommands(doc_wid), "COMMANDS_LISTED")
check([c["cmd"] for c in cmds] == ["HOLD", "RESUME", "STOP"], "commands recorded in order", cmds)
check(cmds[0]["reason"] == "maintenance" and cmds[0]["createdMs"] > 0
      and cmds[0]["consumedBy"] == "engine", "who/when/why recorded", cmds[0])

# The docs' minimal workflow.
small = started("demo.small", {"resolved": {"duration_s": 1}})
row = wait_status(small, ("SUCCESS", "ERROR"), 20)
check(row["status"] == "SUCCESS" and row["output"] == {"ok": True}, "demo.small succeeds", row)
check(row["progress"]["message"] == "loop 2/2", "progress is the latest message", row["progress"])
check(row["createdMs"] <= row["startedMs"] <= row["finishedMs"], "timestamps in order", row)
steps = ok(svc.getSteps(small), "STEPS_LISTED")
check([s["functionName"] for s in steps] == ["sleep.sleep_chunked"] * 2, "two durable sleeps", steps)

# A plain dict without "resolved" is the kwargs too; steps, events and streams are readable.
wid = started("t.steps", {"n": 3})
row = wait_status(wid, ("SUCCESS", "ERROR"), 20)
check(row["output"] == {"total": 3}, "plain-dict inputs are kwargs", row)
steps = ok(svc.getSteps(wid), "STEPS_LISTED")
check([s["functionName"] for s in steps] == ["t.effect"] * 3 and
      [s["output"] for s in steps] == [0, 1, 2] and all(s["attempts"] == 1 for s in steps)
      and all(s["durationMs"] >= 0 for s in steps), "steps recorded with attempts and timing", steps)

wid = started("t.events", {"n": 3})
wait_status(wid, ("SUCCESS",), 20)
check(ok(svc.getEvents(wid), "EVENTS_FOUND") == {"last": 2}, "setEvent keeps the latest value")
stream = ok(svc.readStream(wid, key="numbers"), "STREAM_READ")
check([s["value"] for s in stream] == [0, 1, 2], "writeStream appends in order", stream)
everything = ok(svc.readStream(wid), "STREAM_READ")
check(len(everything) == 4, "readStream without key reads every stream", everything)
after = ok(svc.readStream(wid, key="numbers", afterOffset=stream[0]["offset"]), "STREAM_READ")
check([s["value"] for s in after] == [1, 2], "readStream pages by offset", after)

# listRuns filters and paging; queueStatus counts.
lst = ok(svc.listRuns(status="SUCCESS", limit=2), "RUNS_LISTED")
check(len(lst["rows"]) == 2 and lst["total"] >= 3 and all(r["status"] == "SUCCESS" for r in lst["rows"]),
      "listRuns filters by status and pages", lst)
page2 = ok(svc.listRuns(status=["SUCCESS"], limit=2, offset=2), "RUNS_LISTED")
check(not set(r["workflowId"] for r in page2["rows"]) & set(r["workflowId"] for r in lst["rows"]),
      "pages do not overlap")
check(ok(svc.listRuns(workflowName="t.events"), "RUNS_LISTED")["total"] == 1, "filter by name")
check(ok(svc.listRuns(status=["STOPPED", "CANCELLED"]), "RUNS_LISTED")["total"] == 2,
      "filter by several statuses")
now = int(time.time() * 1000)
check(ok(svc.listRuns(sinceMs=now + 60000), "RUNS_LISTED")["total"] == 0, "time range filter")
check(ok(svc.listRuns(queueName="nope"), "RUNS_LISTED")["total"] == 0, "queue filter")
wid = ok(svc.start("t.noop", {"x": 3}, queueName="audit", user="operator7"), "WORKFLOW_ENQUEUED")["workflowId"]
check(svc.getWorkflow(wid)["data"]["createdBy"] == "operator7", "start records who started the run")
queues = ok(svc.listQueues(), "QUEUES_LISTED")
check("default" in [q["queueName"] for q in queues], "listQueues lists queues", queues)
counts = ok(svc.queueStatus(), "QUEUE_STATUS")
check(any(c["status"] == "SUCCESS" and c["count"] >= 3 for c in counts), "queueStatus counts", counts)

# A failing workflow, a failing step caught by the workflow, an unserialisable step output.
wid = started("t.fail", {"message": "kaputt"})
row = wait_status(wid, ("ERROR",), 10)
check(row["error"]["type"] == "RuntimeError" and row["error"]["message"] == "kaputt",
      "workflow error recorded", row["error"])
wid = started("t.catch")
row = wait_status(wid, ("SUCCESS", "ERROR"), 10)
check(row["output"] and row["output"]["caught"] == "ValueError", "workflow catches a step's error type", row)
wid = started("t.badoutput")
row = wait_status(wid, ("ERROR", "SUCCESS"), 10)
check(row["status"] == "ERROR" and "StepOutputNotSerializable" in str(row["error"]),
      "unserialisable step output fails the step, recorded", row["error"])
steps = ok(svc.getSteps(wid), "STEPS_LISTED")
check(len(steps) == 1 and steps[0]["error"]["type"] == "StepOutputNotSerializable",
      "the failed step is checkpointed as failed", steps)

# Bootstrap re-exports.
from exchange.workflows.bootstrap import getWorkflows, step, workflow  # noqa: E402
from exchange.workflows.engine.instance import getWorkflows as gw2  # noqa: E402
check(getWorkflows is gw2 and callable(step) and callable(workflow), "bootstrap re-exports")
check(getWorkflows().workflowId is None, "outside a workflow rt has no id")
getWorkflows().progress("outside")  # harmless outside a workflow
check(getWorkflows().recvCommand() is None, "recvCommand outside a workflow is None")

finish()
