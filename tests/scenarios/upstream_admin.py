"""ignition-workflows 0.3.6's maintenance calls (issue 13 item 1 and 2):
admin.enterMaintenance / exitMaintenance / getMaintenanceStatus /
swapIfDrained with its argument styles, codes and data keys, on this
engine's database-wide maintenance; "cancel" limited to one queue; the
admin-style rt.* methods of getWorkflows() called from a gateway script."""
from __future__ import print_function

import time

import exchange.workflows.api.admin as admin
import exchange.workflows.api.security as security
import flows
import gwsim
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.validate import INTS
from exchange.workflows.engine.instance import getWorkflows
from exchange.workflows.engine.runtime import WorkflowNotFound
from wfkit import DB, bad, check, finish, ok, started, svc, wait_status

flows.ensure_tables()
OTHER_DB = "NoSuchDatabase"
# 0.3.6's status fields (its rt.getMaintenanceStatus), all present here.
STATUS_KEYS = set([
    "maintenanceEnabled", "maintenanceMode", "maintenanceReason", "generation", "executorId",
    "inFlightWorkflows", "activeWorkflows", "activePartitions", "wfExecutorActive",
    "stepExecutorActive", "inMemoryQueueDepth", "inMemoryQueueMaxDepth",
    "inMemoryQueueOverflowCount", "inMemoryQueueLastOverflowAtMs",
    "inMemoryQueueFlushFailureCount", "inMemoryQueueDeadLetterCount",
    "inMemoryQueueDeadLetterDepth", "lastSwapAtMs"])
NOT_DRAINED_KEYS = set(["ok", "reason", "inFlightWorkflows", "activeWorkflows", "wfExecutorActive",
                        "stepExecutorActive", "generation"])


def mirrored(resp, what):
    """0.3.6's shape: data's keys also at the top level where free."""
    data = resp.get("data") or {}
    check(all(resp.get(k) == v for k, v in data.items()
              if k not in ("ok", "code", "message", "data", "meta")),
          "%s mirrors data at the top level" % what, sorted(resp))


def status(*args, **kwargs):
    resp = admin.getMaintenanceStatus(*args, **kwargs)
    data = ok(resp, "MAINTENANCE_STATUS", "getMaintenanceStatus%r" % (args,))
    check(STATUS_KEYS <= set(data), "0.3.6's status fields", sorted(STATUS_KEYS - set(data)))
    check(isinstance(data["generation"], INTS) and data["stepExecutorActive"] == 0
          and data["executorId"], "generation, executorId, no step pool", data)
    mirrored(resp, "getMaintenanceStatus")
    return data


def run_status(wid):
    return svc.getWorkflow(wid)["data"]["status"]


# -- getMaintenanceStatus in each argument style; maintenance off reads as "drain" ---------------
for args, kwargs in (((), {}), ((None,), {}), ((DB,), {}), ((), {"dbName": None})):
    data = status(*args, **kwargs)
    check(data["maintenanceEnabled"] is False and data["maintenanceMode"] == "drain"
          and data["maintenanceReason"] == "", "off: enabled False, mode drain (0.3.6)", data)
bad(admin.getMaintenanceStatus(OTHER_DB), "DATABASE_UNAVAILABLE", "positional dbName")

# -- INVALID_MODE: ok False with {mode}, nothing changed ---------------------------------------
for mode in ("bogus", "DRAINING", 5):
    resp = bad(admin.enterMaintenance(mode), "INVALID_MODE", "mode %r" % (mode,))
    check(resp["data"]["mode"] == (mode.lower() if isinstance(mode, str) else "5"),
          "INVALID_MODE echoes the mode", resp["data"])
    mirrored(resp, "INVALID_MODE")
check(status()["maintenanceEnabled"] is False, "a bad mode enabled nothing")
bad(admin.enterMaintenance("drain", "r", "", DB), "INVALID_ARGUMENTS", "empty queueName")

# -- MAINTENANCE_REQUIRED while off ----------------------------------------------------------
resp = bad(admin.swapIfDrained(), "MAINTENANCE_REQUIRED")
check(resp["data"]["ok"] is False and resp["data"]["reason"] == "maintenance_required"
      and isinstance(resp["data"]["generation"], INTS), "maintenance_required data", resp["data"])

# -- drain with a run in flight: NOT_DRAINED, then MAINTENANCE_SWAP_OK once it ended -----------
long_run = started("t.sleeper", {"total_ms": 60000})
wait_status(long_run, "RUNNING", 30)
resp = admin.enterMaintenance()  # 0.3.6's defaults: mode "drain", reason ""
data = ok(resp, "MAINTENANCE_ENABLED")
check(STATUS_KEYS <= set(data) and data["ok"] is True and data["maintenanceEnabled"] is True
      and data["maintenanceMode"] == "drain" and data["cancelled"] == {"queued": 0, "running": 0},
      "MAINTENANCE_ENABLED: status, ok, cancelled", data)
check("queueName" not in resp["meta"] and resp["meta"]["dbName"] == DB, "meta", resp["meta"])
mirrored(resp, "enterMaintenance")
check(ok(admin.getMaintenance(), "MAINTENANCE_STATUS")["mode"] == "drain",
      "the same database-wide maintenance as setMaintenance")
check(run_status(long_run) == "RUNNING", "drain leaves the running run alone")
resp = bad(admin.swapIfDrained(DB), "NOT_DRAINED", "a run is in flight")
check(NOT_DRAINED_KEYS <= set(resp["data"]) and resp["data"]["ok"] is False
      and resp["data"]["reason"] == "not_drained" and resp["data"]["inFlightWorkflows"] >= 1,
      "NOT_DRAINED data", resp["data"])
mirrored(resp, "NOT_DRAINED")
check(status(DB)["inFlightWorkflows"] >= 1, "status counts the run in flight")
queued = started("t.noop", {"x": 1})  # a waiting run does not block the swap
ok(svc.cancel(long_run, "end the drain"), "CANCEL_REQUESTED")
wait_status(long_run, "CANCELLED", 30)
swap = None
for _ in range(300):  # the worker drops the run a moment after its row ends
    swap = admin.swapIfDrained(dbName=None)
    if swap["code"] != "NOT_DRAINED":
        break
    time.sleep(0.05)
data = ok(swap, "MAINTENANCE_SWAP_OK")
check(data["ok"] is True and data["lastSwapAtMs"] > 0 and isinstance(data["generation"], INTS),
      "MAINTENANCE_SWAP_OK data", data)
check(status()["lastSwapAtMs"] == data["lastSwapAtMs"], "status shows the last swap")
check(run_status(queued) == "ENQUEUED", "the queued run waits for the end of maintenance")

# -- exitMaintenance --------------------------------------------------------------------------
resp = admin.exitMaintenance(DB)
data = ok(resp, "MAINTENANCE_DISABLED")
check(STATUS_KEYS <= set(data) and data["ok"] is True and data["maintenanceEnabled"] is False
      and data["maintenanceMode"] == "drain" and data["maintenanceReason"] == "",
      "MAINTENANCE_DISABLED: status fields", data)
mirrored(resp, "exitMaintenance")
wait_status(queued, "SUCCESS", 60)
ok(admin.exitMaintenance(dbName=None), "MAINTENANCE_DISABLED", "exit twice is harmless")

# -- cancel with a queueName: only that queue's active runs ----------------------------------
runs = {}
for q in ("upq-a", "upq-b"):
    runs[q] = [started("t.sleeper", {"total_ms": 60000}, queueName=q)]
    wait_status(runs[q][0], "RUNNING", 30)
ok(admin.enterMaintenance("drain", "hold the queues", None, DB), "MAINTENANCE_ENABLED")
for q in ("upq-a", "upq-b"):
    runs[q].append(started("t.noop", {"x": 2}, queueName=q))  # queued: maintenance is on
resp = admin.enterMaintenance("CANCEL", "line A stop", "upq-a", DB)
data = ok(resp, "MAINTENANCE_ENABLED")
check(data["cancelled"] == {"queued": 1, "running": 1}, "one queued, one running cancelled", data)
check(resp["meta"]["queueName"] == "upq-a", "meta.queueName", resp["meta"])
for wid in runs["upq-a"]:
    row = wait_status(wid, "CANCELLED", 30)
    check(row["error"]["message"] == "line A stop", "the reason is the cancel's", row["error"])
check(run_status(runs["upq-b"][0]) == "RUNNING" and run_status(runs["upq-b"][1]) == "ENQUEUED",
      "the other queue's runs are untouched")
check(status()["maintenanceEnabled"] is True, "after cancel, maintenance stays on (drain)")
ok(admin.exitMaintenance(), "MAINTENANCE_DISABLED")
wait_status(runs["upq-b"][1], "SUCCESS", 60)
ok(svc.cancel(runs["upq-b"][0], "done"), "CANCEL_REQUESTED")

# -- authorization and audit -----------------------------------------------------------------
viewer = gwsim.openSession("viewer1", ["Viewer"])
boss = gwsim.openSession("admin1", ["Administrator"])
ok(admin.getMaintenanceStatus(session=viewer), "MAINTENANCE_STATUS", "a viewer reads the status")
for resp, what in ((admin.enterMaintenance("drain", session=viewer), "enter"),
                   (admin.exitMaintenance(session=viewer), "exit"),
                   (admin.swapIfDrained(session=viewer), "swap")):
    bad(resp, "NOT_AUTHORIZED", "viewer %s" % what)
ok(admin.enterMaintenance("drain", "audited", session=boss), "MAINTENANCE_ENABLED")
ok(admin.exitMaintenance(session=boss), "MAINTENANCE_DISABLED")
codes = [r["code"] for r in ok(security.listAudit(limit=1000, action="admin"), "AUDIT_LISTED")["rows"]
         if r["userName"] == "admin1"]
check("MAINTENANCE_ENABLED" in codes and "MAINTENANCE_DISABLED" in codes, "audited", codes)
refusals = [r["target"] for r in ok(security.listAudit(limit=1000, allowed=False),
                                    "AUDIT_LISTED")["rows"]]
check("enterMaintenance" in refusals and "swapIfDrained" in refusals, "refusals audited", refusals)

# -- the admin-style rt.* methods from a gateway script -----------------------------------------
for rt in (getWorkflows(), getWorkflows(DB), getWorkflows(dbName=DB)):
    names = rt.listWorkflows()
    check("t.noop" in names and names == sorted(names), "rt.listWorkflows: sorted names", names)
rt = getWorkflows(DB)
wid = rt.enqueue("t.noop", {"x": 3})
check(isinstance(wid, TEXT) and wait_status(wid, "SUCCESS", 60)["status"] == "SUCCESS",
      "rt.enqueue returns the id of a run", wid)
wid = rt.enqueue("t.noop", {"x": 4}, "upq-rt", "p-1", 2, None, "0.3.6", 30)
row = svc.getWorkflow(wid)["data"]
check(row["queueName"] == "upq-rt" and row["partitionKey"] == "p-1" and row["priority"] == 2,
      "rt.enqueue positional arguments", row)
try:
    rt.enqueue("no.such.workflow")
    check(False, "rt.enqueue of an unknown workflow raises")
except WorkflowNotFound as e:
    check(e.code == "WORKFLOW_NOT_REGISTERED", "WorkflowNotFound", e.code)
ack = rt.enqueueInMemory("t.noop", {"x": 5})
check(ack["accepted"] is True and ack["queueDepth"] >= 1, "rt.enqueueInMemory ack", ack)
ack = rt.enqueueInMemory("t.noop", {"x": object()})
check(ack["accepted"] is False and ack["reason"] == "invalid_payload", "not JSON: invalid_payload", ack)
claimed = None
for _ in range(200):
    claimed = rt.dispatch()
    if isinstance(claimed, INTS):
        break
check(isinstance(claimed, INTS) and claimed >= 0, "rt.dispatch returns a count", claimed)
check(isinstance(rt.dispatch("upq-rt", 5, 10, 5), INTS), "rt.dispatch positional")

st = rt.enterMaintenance("drain", "rt maintenance")
check(st["ok"] is True and st["maintenanceEnabled"] is True and st["cancelled"] == {
    "queued": 0, "running": 0} and STATUS_KEYS <= set(st), "rt.enterMaintenance", st)
check(rt.getMaintenanceStatus()["maintenanceReason"] == "rt maintenance", "rt.getMaintenanceStatus")
try:
    rt.enqueue("t.noop", {"x": 6})
    check(False, "rt.enqueue during maintenance raises (0.3.6's allowDuringMaintenance=False)")
except Exception as e:
    check(getattr(e, "code", None) == "MAINTENANCE_ACTIVE", "MAINTENANCE_ACTIVE", e)
during = rt.enqueue("t.noop", {"x": 7}, allowDuringMaintenance=True)
check(rt.enqueueInMemory("t.noop", {"x": 8}, allowDuringMaintenance=False)["reason"] == "maintenance",
      "rt.enqueueInMemory refused during maintenance when asked")
swapped = rt.swapIfDrained()
check(swapped.get("ok") in (True, False) and "generation" in swapped, "rt.swapIfDrained", swapped)
try:
    rt.enterMaintenance("sideways")
    check(False, "a bad mode raises")
except Exception as e:
    check(getattr(e, "code", None) == "INVALID_MODE", "rt.enterMaintenance bad mode", e)
st = rt.exitMaintenance()
check(st["ok"] is True and st["maintenanceEnabled"] is False, "rt.exitMaintenance", st)
wait_status(during, "SUCCESS", 60)

sleeper = rt.enqueue("t.sleeper", {"total_ms": 60000})
wait_status(sleeper, "RUNNING", 30)
check(rt.cancelWorkflow(sleeper, "rt cancel", "rt-operator") == 1, "rt.cancelWorkflow: 1")
row = wait_status(sleeper, "CANCELLED", 30)
check(row["error"]["message"] == "rt cancel", "rt.cancelWorkflow reason", row["error"])
check(rt.cancelWorkflow(sleeper) == 0 and rt.cancelWorkflow("no-such-run") == 0,
      "rt.cancelWorkflow of a finished or unknown run: 0 (0.3.6's count)")

diag = rt.getExecutorDiagnostics()
check(set(["identity", "maintenance", "workload", "executors", "inMemoryQueue", "capacity"])
      <= set(diag), "rt.getExecutorDiagnostics sections", sorted(diag))
check(diag["identity"]["dbName"] == DB and diag["executors"]["workflows"]["maxPoolSize"] >= 1
      and diag["capacity"]["workflowWorkersConfigured"] >= 1
      and diag["inMemoryQueue"]["overflowMode"] == "reject", "diagnostics values", diag)
check("samples" in rt.getExecutorDiagnostics(True, 5), "includeSamples")
check(rt.applyRetention() is None, "rt.applyRetention returns None")
finish()
