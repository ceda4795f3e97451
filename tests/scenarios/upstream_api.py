"""The service functions ignition-workflows 0.3.6 also had, called the way
its sites call them (issue 13 item 2): its positional order, None for any
parameter, dbName=None, allowDuringMaintenance, its codes and data keys,
data mirrored at the top level and meta.queueName."""
from __future__ import print_function

import time

import exchange.workflows.api.admin as admin
from exchange.workflows.core.validate import INTS
import flows
from wfkit import DB, bad, check, finish, ok, sql, svc, wait_status

flows.ensure_tables()
OTHER_DB = "NoSuchDatabase"


def rows():
    return int(sql("SELECT COUNT(*) FROM %s" % flows.STATUS_TABLE())[0][0])


def mirrored(resp, what):
    """0.3.6's shape: every data key also at the top level, the envelope's own keys kept."""
    data = resp.get("data") or {}
    check(isinstance(data, dict) and all(resp.get(k) == v for k, v in data.items()
                                         if k not in ("ok", "code", "message", "data", "meta")),
          "%s mirrors data at the top level" % what, sorted(resp))
    check(resp["ok"] in (True, False) and isinstance(resp["meta"], dict), "%s keeps its envelope" % what)


def dispatched(*args):
    """dispatch() called positionally, retried while the gateway's timer holds the lock."""
    for _ in range(200):
        r = svc.dispatch(*args)
        if r["code"] != "DISPATCH_SKIPPED":
            return r
        time.sleep(0.02)
    check(False, "dispatch stayed busy")
    return r


# -- listWorkflows(dbName=None): dropdown options and their count ------------------------------
for resp in (svc.listWorkflows(), svc.listWorkflows(None), svc.listWorkflows(DB),
             svc.listWorkflows(dbName=None)):
    data = ok(resp, "WORKFLOW_OPTIONS_OK")
    values = [o["value"] for o in data["options"]]
    check("t.noop" in values and "t.steps" in values, "registered workflows listed", values)
    check(all(set(o) == set(["label", "value"]) and o["label"] == o["value"] for o in data["options"]),
          "options are {label, value}", data["options"])
    check(data["count"] == len(data["options"]) and resp["count"] == data["count"]
          and resp["options"] == data["options"], "count, and options/count at the top level", resp)
    check(resp["meta"]["dbName"] == DB, "listWorkflows meta names the database", resp["meta"])
bad(svc.listWorkflows(5), "INVALID_ARGUMENTS", "dbName must be text")

# -- an empty name: INVALID_WORKFLOW_NAME, nothing written ------------------------------------
before = rows()
for name in (None, "", "   "):
    bad(svc.start(name, {}), "INVALID_WORKFLOW_NAME", "start(%r)" % name)
    bad(svc.enqueueInMemory(name, {}), "INVALID_WORKFLOW_NAME", "enqueueInMemory(%r)" % name)
bad(svc.start(workflowName=None), "INVALID_WORKFLOW_NAME", "start()")
bad(svc.start("no.such.workflow", {}), "WORKFLOW_NOT_REGISTERED")
bad(svc.start("t.noop", {}, allowDuringMaintenance="yes"), "INVALID_ARGUMENTS", "flag type")
bad(svc.enqueueInMemory("t.noop", {}, allowDuringMaintenance=1), "INVALID_ARGUMENTS", "flag type")
check(rows() == before, "refused starts wrote nothing")

# -- start in 0.3.6's positional order, with None everywhere it allowed it ------------------
# (workflowName, inputs, queueName, partitionKey, priority, deduplicationId,
#  applicationVersion, timeoutSeconds, allowDuringMaintenance, dbName)
resp = svc.start("t.noop", {"x": 1}, None, None, None, None, None, None, False, None)
data = ok(resp, "WORKFLOW_ENQUEUED")
check(data["workflowId"] and data["workflowName"] == "t.noop", "workflowId and workflowName", data)
mirrored(resp, "start")
check(resp["workflowId"] == data["workflowId"], "resp['workflowId'] as in 0.3.6", resp)
check(resp["meta"]["queueName"] == "default" and resp["meta"]["dbName"] == DB, "meta.queueName", resp["meta"])
wait_status(data["workflowId"], "SUCCESS", 60)
resp = svc.start("t.noop", {"x": 2}, "upstream-q", "line-1", 3, None, "0.3.6", 120, None, DB)
data = ok(resp, "WORKFLOW_ENQUEUED")
check(resp["meta"]["queueName"] == "upstream-q", "meta.queueName is the queue asked for", resp["meta"])
row = svc.getWorkflow(data["workflowId"])["data"]
check(row["queueName"] == "upstream-q" and row["partitionKey"] == "line-1" and row["priority"] == 3
      and row["applicationVersion"] == "0.3.6" and row["timeoutMs"] == 120000,
      "each positional argument landed in its own column", row)
# The tenth positional argument is dbName: a database this gateway lacks is refused.
bad(svc.start("t.noop", {}, None, None, 0, None, None, None, None, OTHER_DB), "DATABASE_UNAVAILABLE",
    "positional dbName")

# -- enqueueInMemory, same order: accepted/queueDepth ------------------------------------------
resp = svc.enqueueInMemory("t.noop", {"x": 3}, None, None, None, None, None, None, None, None)
data = ok(resp, "IN_MEMORY_ENQUEUE_ACCEPTED")
check(data["accepted"] is True and data["queueDepth"] >= 1 and data["durable"] is False
      and data["workflowId"], "accepted, queueDepth (and ours: durable, workflowId)", data)
mirrored(resp, "enqueueInMemory")
check(resp["accepted"] is True and resp["meta"]["queueName"] == "default", "top level and meta", resp)
memory = data["workflowId"]

# -- dispatch(queueName, maxToClaim, dbName, flushMaxItems, flushMaxMs) --------------------
resp = dispatched(None, None, None, None, None)
data = ok(resp, "DISPATCH_OK")
check(isinstance(data["claimedCount"], INTS) and data["claimedCount"] == data["claimed"],
      "claimedCount", data)
mirrored(resp, "dispatch")
check(resp["meta"]["queueName"] == "default", "dispatch meta.queueName", resp["meta"])
wait_status(memory, "SUCCESS", 60)
resp = dispatched("upstream-q", 5, DB, 100, 10)
ok(resp, "DISPATCH_OK")
check(resp["meta"]["queueName"] == "upstream-q" and resp["meta"]["dbName"] == DB, "dispatch meta", resp["meta"])
bad(svc.dispatch("default", 5, OTHER_DB), "DATABASE_UNAVAILABLE", "dispatch's third positional is dbName")

# -- sendCommand(workflowId, cmd, reason, topic, dbName) -----------------------------------
wid = ok(svc.start("t.steps", {"n": 60, "sleep_ms": 100}), "WORKFLOW_ENQUEUED")["workflowId"]
wait_status(wid, "RUNNING", 30)
resp = svc.sendCommand(wid, "hold", "upstream hold", "cmd", DB)
data = ok(resp, "COMMAND_SENT")
check(data["workflowId"] == wid and data["topic"] == "cmd" and data["cmd"] == "HOLD",
      "workflowId, topic, cmd", data)
mirrored(resp, "sendCommand")
check(resp["topic"] == "cmd" and resp["cmd"] == "HOLD", "command keys at the top level", resp)
wait_status(wid, "HELD", 30)
ok(svc.sendCommand(wid, "RESUME", None, None, None), "COMMAND_SENT")
wait_status(wid, "RUNNING", 30)
bad(svc.sendCommand(wid, "STOP", "r", "cmd", OTHER_DB), "DATABASE_UNAVAILABLE",
    "sendCommand's fifth positional is dbName")
bad(svc.sendCommand(wid, None), "UNKNOWN_COMMAND", "no command")

# -- cancel(workflowId, reason, dbName) ---------------------------------------------------
bad(svc.cancel(wid, "wrong database", OTHER_DB), "DATABASE_UNAVAILABLE", "cancel's third positional is dbName")
check(svc.getWorkflow(wid)["data"]["status"] in ("RUNNING", "HELD"), "a cancel on another database left the run")
resp = svc.cancel(wid, "upstream cancel", DB)
data = ok(resp, "CANCEL_REQUESTED")
check(data["workflowId"] == wid and data["cancelledCount"] == 1, "workflowId, cancelledCount", data)
mirrored(resp, "cancel")
check(resp["cancelledCount"] == 1, "cancelledCount at the top level", resp)
row = wait_status(wid, "CANCELLED", 30)
check(row["error"]["message"] == "upstream cancel" and row["error"]["sender"] != DB,
      "the third argument is not taken for a user", row["error"])
# Stricter than 0.3.6 (which answered ok with cancelledCount 0): documented.
bad(svc.cancel(wid, None, None), "WORKFLOW_ALREADY_FINISHED")
bad(svc.cancel("no-such-run", None, None), "WORKFLOW_NOT_FOUND")
failed = bad(svc.cancel(None), "INVALID_ARGUMENTS")
check(failed["data"] is None and "workflowId" not in failed, "failures carry no data to mirror", failed)

# -- allowDuringMaintenance ------------------------------------------------------------------
ok(admin.setMaintenance(mode="drain", reason="upstream api test"), "MAINTENANCE_SET")
try:
    before = rows()
    bad(svc.start("t.noop", {"x": 4}, allowDuringMaintenance=False), "MAINTENANCE_ACTIVE")
    bad(svc.start("t.noop", {"x": 4}, None, None, 0, None, None, None, False, None), "MAINTENANCE_ACTIVE",
        "positional False")
    check(rows() == before, "a refused start wrote nothing")
    queued = [ok(svc.start("t.noop", {"x": 5}, allowDuringMaintenance=flag), "WORKFLOW_ENQUEUED")["workflowId"]
              for flag in (None, True)]
    resp = svc.enqueueInMemory("t.noop", {"x": 6}, allowDuringMaintenance=False)
    data = bad(resp, "IN_MEMORY_ENQUEUE_REJECTED")["data"]
    check(data["accepted"] is False and data["reason"] == "maintenance" and data["queueDepth"] >= 0
          and data["maxDepth"] >= 1 and data["mode"], "rejection data as 0.3.6", data)
    mirrored(resp, "a rejected enqueueInMemory")
    check(resp["reason"] == "maintenance" and resp["meta"]["queueName"] == "default", "top level and meta", resp)
    for flag in (None, True):
        mem = ok(svc.enqueueInMemory("t.noop", {"x": 7}, allowDuringMaintenance=flag),
                 "IN_MEMORY_ENQUEUE_ACCEPTED")
        queued.append(mem["workflowId"])
    dispatched()  # makes the in-memory ones durable; claims nothing while draining
    for q in queued:
        check(svc.getWorkflow(q)["data"]["status"] == "ENQUEUED", "queued during maintenance", q)
finally:
    ok(admin.setMaintenance(mode=None), "MAINTENANCE_SET")
for q in queued:
    wait_status(q, "SUCCESS", 60)
# Maintenance off: False changes nothing.
wid = ok(svc.start("t.noop", {"x": 8}, allowDuringMaintenance=False), "WORKFLOW_ENQUEUED")["workflowId"]
ok(svc.enqueueInMemory("t.noop", {"x": 9}, allowDuringMaintenance=False), "IN_MEMORY_ENQUEUE_ACCEPTED")
wait_status(wid, "SUCCESS", 60)

# -- our other functions keep the five keys ---------------------------------------------------
resp = svc.getWorkflow(wid)
check(sorted(resp) == ["code", "data", "message", "meta", "ok"] and "queueName" not in resp["meta"],
      "only the 0.3.6 functions mirror", sorted(resp))
finish()
