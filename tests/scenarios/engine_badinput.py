"""Bad input to every service and admin function: never an exception, always
ok False with a specific code and a message an operator can act on."""
from __future__ import print_function

import exchange.workflows.api.admin as admin
import exchange.workflows.api.service as svc
import flows
from wfkit import bad, check, dispatch, finish, ok, started, wait_status

flows.ensure_tables()


class Opaque(object):
    pass


def call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except BaseException as e:  # the point of the test: nothing may escape
        check(False, "%s raised %r" % (fn.__name__, e))
        return {"ok": None, "code": None}


def expect(code, fn, *args, **kwargs):
    r = call(fn, *args, **kwargs)
    bad(r, code, "%s(%r, %r)" % (fn.__name__, args, kwargs))
    # The functions that name a queue say which one (when it is text), as in 0.3.6.
    queued = ["queueName"] if fn.__name__ in ("start", "enqueueInMemory", "dispatch") else []
    base = set(["tsMs", "durationMs", "dbName"])
    check(base <= set(r.get("meta", {})) <= base | set(queued), "envelope meta", r)


IA, NR, NJ = "INVALID_ARGUMENTS", "WORKFLOW_NOT_REGISTERED", "INPUTS_NOT_JSON"
NAMES = {123: IA, "no.such.workflow": NR}  # no name at all: 0.3.6's INVALID_WORKFLOW_NAME
for name in (None, 123, "", "   ", "no.such.workflow"):
    expect(NAMES.get(name, "INVALID_WORKFLOW_NAME"), svc.start, name, {})
    expect(NAMES.get(name, "INVALID_WORKFLOW_NAME"), svc.enqueueInMemory, name, {})
for inputs in ("text", [1, 2], {"resolved": 5}, {1: 2}):
    expect(IA, svc.start, "t.noop", inputs)
    expect(IA, svc.enqueueInMemory, "t.noop", inputs)
expect(NJ, svc.start, "t.noop", {"x": Opaque()})
expect(NJ, svc.enqueueInMemory, "t.noop", {"resolved": {"x": Opaque()}})
expect(IA, svc.start, "t.noop", {"y": 1})  # t.noop takes no input named y
expect(IA, svc.start, "t.steps", {}, priority="high")
expect(IA, svc.start, "t.steps", {}, priority=True)
expect(IA, svc.start, "t.steps", {}, timeoutSeconds=-1)
expect(IA, svc.start, "t.steps", {}, timeoutSeconds="10")
expect(IA, svc.start, "t.steps", {}, queueName="")
expect(IA, svc.start, "t.steps", {}, partitionKey=5)
expect(IA, svc.start, "t.steps", {}, deduplicationId="x" * 300)
expect(IA, svc.start, "t.steps", {}, dbName=5)
expect(IA, svc.enqueueInMemory, "t.steps", {}, dbName="")
check(ok(svc.listRuns())["total"] == 0, "nothing was written by refused starts")
expect("DATABASE_UNAVAILABLE", svc.start, "t.steps", {}, dbName="NoSuchDatabase")

for kwargs in ({"queueName": 7}, {"maxToClaim": -1}, {"flushMaxItems": "x"}, {"flushMaxMs": 1.5}):
    expect(IA, svc.dispatch, **kwargs)
expect("DATABASE_UNAVAILABLE", svc.dispatch, dbName="NoSuchDatabase")

wid = started("t.steps", {"n": 1})
wait_status(wid, "SUCCESS", 10)
for workflowId in (None, 123, "", "x" * 100):
    expect(IA, svc.sendCommand, workflowId, "HOLD")
    expect(IA, svc.cancel, workflowId)
    expect(IA, svc.getWorkflow, workflowId)
    expect(IA, svc.getSteps, workflowId)
    expect(IA, svc.getCommands, workflowId)
    expect(IA, svc.getEvents, workflowId)
    expect(IA, svc.readStream, workflowId)
for cmd in (None, 5, "", "HOLDD", "x" * 41):
    expect("UNKNOWN_COMMAND", svc.sendCommand, wid, cmd)
expect(IA, svc.sendCommand, wid, "HOLD", reason=5)
expect(IA, svc.sendCommand, wid, "HOLD", topic="")
expect("WORKFLOW_ALREADY_FINISHED", svc.sendCommand, wid, "HOLD")
expect("WORKFLOW_NOT_FOUND", svc.sendCommand, "unknown-id", "HOLD")
expect("WORKFLOW_NOT_FOUND", svc.getWorkflow, "unknown-id")
expect("WORKFLOW_NOT_FOUND", svc.getSteps, "unknown-id")
expect("WORKFLOW_NOT_FOUND", svc.getEvents, "unknown-id")
expect(IA, svc.cancel, wid, reason=["x"])
expect(IA, svc.listRuns, status="NOPE")
expect(IA, svc.listRuns, limit=0)
expect(IA, svc.listRuns, offset=-1)
expect(IA, svc.listRuns, sinceMs="yesterday")
expect(IA, svc.listRuns, workflowName=5)
expect(IA, svc.readStream, wid, afterOffset="a")
expect(IA, svc.queueStatus, queueName=5)

expect(IA, admin.configureRuntime, maxWorkers=0)
expect(IA, admin.configureRuntime, maxRecoveryAttempts="5")
expect(IA, admin.configureRuntime, inMemoryCapacity=-1)
expect(IA, admin.configureRuntime, leaseSeconds=1)
expect(IA, admin.configureRuntime, leaseSeconds="30")
expect(IA, admin.configureQueue, "", concurrency=1)
expect(IA, admin.configureQueue, "q", concurrency=0)
expect("DATABASE_UNAVAILABLE", admin.checkSchema, dbName="NoSuchDatabase")

# The in-memory queue is bounded and says so.
ok(admin.configureRuntime(inMemoryCapacity=5), "RUNTIME_CONFIGURED")
accepted = [svc.enqueueInMemory("t.noop", {"x": i}) for i in range(6)]
check([a["ok"] for a in accepted] == [True] * 5 + [False], "capacity 5 accepts five", accepted[-1])
bad(accepted[-1], "IN_MEMORY_ENQUEUE_REJECTED")
check(accepted[-1]["data"]["reason"] == "overflow" and accepted[-1]["data"]["maxDepth"] == 5,
      "a full queue is an overflow of its capacity", accepted[-1]["data"])
expect("RUNTIME_CONFIGURED" if False else "INVALID_ARGUMENTS", admin.configureRuntime,
       inMemoryCapacity=10)  # refused while items are queued

# Code changed under a running workflow: its history no longer matches. The
# run fails clearly instead of replaying the wrong results.
dispatch()  # flush the five requests above
wid = ok(svc.enqueueInMemory("t.steps", {"n": 2}, queueName="changed"),
         "IN_MEMORY_ENQUEUE_ACCEPTED")["workflowId"]
import exchange.workflows.engine.registry as registry  # noqa: E402
registry.unregister("t.steps")
dispatch(queueName="changed")  # durable, but not claimable here
check(svc.getWorkflow(wid)["data"]["status"] == "ENQUEUED", "flushed, not claimed")
flows.system.db.runPrepUpdate(
    "INSERT INTO %s (workflow_id, function_id, function_name, output, attempts, started_ms, finished_ms) "
    "VALUES (?, 0, 'old.step.name', '1', 1, 0, 0)" % flows.OPS_TABLE(), [wid], "WorkflowsDB")
flows.system.db.runPrepUpdate("UPDATE %s SET started_ms = 1 WHERE workflow_id = ?" % flows.STATUS_TABLE(),
                              [wid], "WorkflowsDB")
reload(flows)
dispatch(queueName="changed")
row = wait_status(wid, ("ERROR", "SUCCESS"), 10)
check(row["status"] == "ERROR" and row["error"]["type"] == "DeterminismError"
      and "old.step.name" in row["error"]["message"] and "t.effect" in row["error"]["message"],
      "a history mismatch fails the run with a clear message", row["error"])
finish()
