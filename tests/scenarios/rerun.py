"""Resume and fork (issue 12 item 3): an ended run runs again from its last
good step without executing its finished steps; a fork executes from the
chosen step on; both are authorized and audited."""
from __future__ import print_function

import time

import exchange.workflows.api.security as security
import flows
import gwsim
import system
from exchange.workflows.bootstrap import getWorkflows, step, workflow
from wfkit import DB, bad, check, finish, ok, started, svc, wait_for, wait_status

flows.ensure_tables()
system.db.runPrepUpdate("CREATE TABLE IF NOT EXISTS rr_flags (name VARCHAR(100) PRIMARY KEY)",
                        [], DB)

operator = gwsim.openSession("op1", ["Operator"])
viewer = gwsim.openSession("viewer1", ["Viewer"])


def flagged(name):
    return len(system.db.runPrepQuery("SELECT name FROM rr_flags WHERE name = ?", [name], DB)) > 0


def setFlag(name):
    system.db.runPrepUpdate("INSERT INTO rr_flags (name) VALUES (?)", [name], DB)


def clearFlag(name):
    system.db.runPrepUpdate("DELETE FROM rr_flags WHERE name = ?", [name], DB)


def executed(wid, tag):
    """How many times the step that writes ``tag`` executed for run ``wid``."""
    return int(system.db.runPrepQuery(
        "SELECT COUNT(*) FROM app_effects WHERE workflow_id = ? AND tag = ?", [wid, tag], DB)[0][0])


@step(name="rr.work")
def work(tag):
    system.db.runPrepUpdate("INSERT INTO app_effects (workflow_id, tag, n, ts) VALUES (?, ?, 0, ?)",
                            [getWorkflows().workflowId, tag, int(time.time() * 1000)], DB)
    return tag


@step(name="rr.fragile")
def fragile(lot):
    """Fails while the lot's flag row is set (a valve that does not confirm)."""
    system.db.runPrepUpdate("INSERT INTO app_effects (workflow_id, tag, n, ts) VALUES (?, ?, 0, ?)",
                            [getWorkflows().workflowId, "fragile", int(time.time() * 1000)], DB)
    if flagged(lot):
        raise ValueError("valve of %s did not confirm" % lot)
    return "confirmed"


@workflow(name="rr.batch")
def batch(lot, n=3):
    rt = getWorkflows()
    for i in range(n):
        work("s%d" % i)
    rt.setEvent("phase", "charged")
    rt.writeStream("log", "charged %s" % lot)
    fragile(lot)
    work("end")
    rt.setEvent("phase", "done")
    return {"lot": lot}


@workflow(name="rr.stopper")
def stopper(rounds=600):
    """Handles its own commands: on STOP it cleans up and returns."""
    rt = getWorkflows()
    work("begin")
    for _ in range(rounds):
        cmd = rt.recvCommand(topic="cmd", timeoutSeconds=0.1)
        if cmd and cmd.get("cmd") == "STOP":
            work("cleanup")
            return {"stopped": True}
    return {"stopped": False}


def steps_of(wid):
    return ok(svc.getSteps(wid), "STEPS_LISTED") or []


def audit_rows(**filters):
    return ok(security.listAudit(limit=1000, **filters), "AUDIT_LISTED")["rows"]


# -- resume an ERROR run whose failed step now succeeds --------------------------------------------
setFlag("L1")
wid = started("rr.batch", {"lot": "L1"}, timeoutSeconds=600)
row = wait_status(wid, ("SUCCESS", "ERROR"), 60)
check(row["status"] == "ERROR" and row["error"]["type"] == "ValueError", "fails while flagged", row)
check([executed(wid, t) for t in ("s0", "s1", "s2", "fragile", "end")] == [1, 1, 1, 1, 0],
      "side effects before resume")
epoch = row["claimEpoch"]
bad(svc.resume(wid, reason="try", session=viewer), "NOT_AUTHORIZED", "viewer resume")
check(svc.getWorkflow(wid)["data"]["status"] == "ERROR", "the viewer's resume did nothing")
clearFlag("L1")
t0 = int(time.time() * 1000)
data = ok(svc.resume(wid, reason="valve fixed", session=operator), "WORKFLOW_RESUMED")
check(data is not None and data["previousStatus"] == "ERROR" and data["replayedSteps"] == 5
      and data["workflowId"] == wid, "resume answers what it replays", data)
row = wait_status(wid, ("SUCCESS", "ERROR"), 60)
check(row["status"] == "SUCCESS" and row["output"] == {"lot": "L1"} and row["error"] is None,
      "resumed run ends SUCCESS", row)
check([executed(wid, t) for t in ("s0", "s1", "s2", "fragile", "end")] == [1, 1, 1, 2, 1],
      "finished steps not executed again; the failed one executed again",
      [executed(wid, t) for t in ("s0", "s1", "s2", "fragile", "end")])
check(row["resumedCount"] == 1 and row["claimEpoch"] > epoch, "resumed once, with a new claim",
      row)
check(row["deadlineMs"] is not None and row["deadlineMs"] >= t0 + 600000,
      "a full timeout from the resume", row["deadlineMs"], t0)
names = [(s["functionId"], s["functionName"], s["error"] is not None) for s in steps_of(wid)]
check(names == [(0, "rr.work", False), (1, "rr.work", False), (2, "rr.work", False),
                (3, "rt.setEvent", False), (4, "rt.writeStream", False),
                (5, "rr.fragile", False), (6, "rr.work", False), (7, "rt.setEvent", False)],
      "the failed step's error record replaced by its success", names)
log = ok(svc.readStream(wid, "log"), "STREAM_READ")
check([v["value"] for v in log] == ["charged L1"], "stream written once", log)
bad(svc.resume(wid, session=operator), "WORKFLOW_NOT_RESUMABLE", "resume of SUCCESS")
bad(svc.resume("no-such-run"), "WORKFLOW_NOT_FOUND")
mine = [r for r in audit_rows(workflowId=wid) if r["target"] == "resume"]
check(any(r["allowed"] and r["userName"] == "op1" and r["reason"] == "valve fixed"
          and r["code"] == "WORKFLOW_RESUMED" for r in mine), "resume audited", mine)
check(any(not r["allowed"] and r["userName"] == "viewer1" for r in mine),
      "the viewer's refused resume audited", mine)

# -- resume of an active run is refused ------------------------------------------------------------
active = started("t.sleeper", {"total_ms": 60000})
wait_status(active, "RUNNING", 30)
bad(svc.resume(active, session=operator), "WORKFLOW_NOT_RESUMABLE", "resume of RUNNING")
bad(svc.fork(active, 0, session=operator), "WORKFLOW_NOT_RESUMABLE", "fork of RUNNING")
ok(svc.cancel(active, "done with it"), "CANCEL_REQUESTED")

# -- resume while another active run holds the deduplication id --------------------------------
setFlag("L3")
first = started("rr.batch", {"lot": "L3"}, deduplicationId="lot-L3")
wait_status(first, ("SUCCESS", "ERROR"), 60)
second = started("t.sleeper", {"total_ms": 60000}, deduplicationId="lot-L3")
wait_status(second, "RUNNING", 30)
bad(svc.resume(first, session=operator), "RESUME_CONFLICT", "deduplication id taken")
check(svc.getWorkflow(first)["data"]["status"] == "ERROR", "a refused resume changes nothing")
ok(svc.cancel(second, "make room"), "CANCEL_REQUESTED")
clearFlag("L3")
wait_for(lambda: svc.resume(first)["ok"], 30, what="resume once the id is free")
check(wait_status(first, ("SUCCESS", "ERROR"), 60)["status"] == "SUCCESS", "resumed after the conflict")

# -- a STOP the workflow received itself does not end the resumed run ---------------------------
sw = started("rr.stopper", {})
wait_for(lambda: executed(sw, "begin") == 1, 30, what="stopper began")
ok(svc.sendCommand(sw, "STOP", reason="end of shift"), "COMMAND_SENT")
row = wait_status(sw, ("STOPPED", "SUCCESS", "ERROR"), 30)
check(row["status"] == "STOPPED" and executed(sw, "cleanup") == 1, "self-handled STOP", row)
ok(svc.resume(sw, reason="shift back"), "WORKFLOW_RESUMED")
wait_status(sw, "RUNNING", 30)
time.sleep(1.5)
check(svc.getWorkflow(sw)["data"]["status"] == "RUNNING" and executed(sw, "cleanup") == 1
      and executed(sw, "begin") == 1, "the resumed run waits for a new command",
      svc.getWorkflow(sw)["data"]["status"])
ok(svc.sendCommand(sw, "STOP", reason="end of shift again"), "COMMAND_SENT")
row = wait_status(sw, ("STOPPED", "SUCCESS", "ERROR"), 30)
check(row["status"] == "STOPPED" and executed(sw, "cleanup") == 2 and executed(sw, "begin") == 1,
      "the new STOP ends it, cleaning up again", row)

# -- fork a finished good batch from its fragile step --------------------------------------------
fromStep = [s["functionId"] for s in steps_of(wid) if s["functionName"] == "rr.fragile"][0]
bad(svc.fork(wid, fromStep, session=viewer), "NOT_AUTHORIZED", "viewer fork")
bad(svc.fork(wid, 9), "INVALID_ARGUMENTS", "fromStep past the recorded steps")
bad(svc.fork(wid, -1), "INVALID_ARGUMENTS", "negative fromStep")
bad(svc.fork(wid, "3"), "INVALID_ARGUMENTS", "fromStep not an integer")
bad(svc.fork("no-such-run", 0), "WORKFLOW_NOT_FOUND")
data = ok(svc.fork(wid, fromStep, reason="repeat the end", session=operator), "WORKFLOW_FORKED")
fid = data["workflowId"] if data else None
check(data is not None and fid != wid and data["forkedFrom"] == wid and data["fromStep"] == fromStep,
      "fork answers the new run", data)
row = wait_status(fid, ("SUCCESS", "ERROR"), 60)
check(row["status"] == "SUCCESS" and row["forkedFrom"] == wid and row["forkedFromStep"] == fromStep
      and row["createdBy"] == "op1" and row["inputs"] == {"lot": "L1"}, "forked run", row)
check([executed(fid, t) for t in ("s0", "s1", "s2", "fragile", "end")] == [0, 0, 0, 1, 1],
      "steps before fromStep not executed, the rest once",
      [executed(fid, t) for t in ("s0", "s1", "s2", "fragile", "end")])
check([executed(wid, t) for t in ("s0", "s1", "s2", "fragile", "end")] == [1, 1, 1, 2, 1],
      "the original untouched")
check(len(steps_of(fid)) == 8, "the fork's history is complete", steps_of(fid))
log = ok(svc.readStream(fid, "log"), "STREAM_READ")
check([v["value"] for v in log] == ["charged L1"], "stream values before fromStep copied", log)
events = ok(svc.getEvents(fid), "EVENTS_FOUND") or {}
check("done" in str(events), "events of the fork", events)
forks = [r for r in audit_rows(workflowId=fid) if r["target"] == "fork"]
check(any(r["allowed"] and r["userName"] == "op1" and r["code"] == "WORKFLOW_FORKED"
          and (r["detail"] or {}).get("forkedFrom") == wid for r in forks), "fork audited", forks)

# -- fork with new inputs, from the start --------------------------------------------------------
data = ok(svc.fork(wid, 0, inputs={"lot": "L2", "n": 2}, session=operator), "WORKFLOW_FORKED")
f2 = data["workflowId"] if data else None
row = wait_status(f2, ("SUCCESS", "ERROR"), 60)
check(row["status"] == "SUCCESS" and row["output"] == {"lot": "L2"} and row["forkedFromStep"] == 0,
      "fork with new inputs", row)
check([executed(f2, t) for t in ("s0", "s1", "s2", "fragile", "end")] == [1, 1, 0, 1, 1],
      "every step of the new inputs executed once",
      [executed(f2, t) for t in ("s0", "s1", "s2", "fragile", "end")])
bad(svc.fork(wid, 0, inputs={"nope": 1}), "INVALID_ARGUMENTS", "inputs the workflow does not take")

finish(resumed=wid, forked=fid)
