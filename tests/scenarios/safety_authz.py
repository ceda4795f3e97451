"""Authorization with Ignition's identity, and the audit trail (issue 11,
items 5 and 6): Perspective sessions logged in with roles (gwsim's session
registry answers system.perspective.isAuthorized/getSessionInfo for them),
the default policy, refusals audited, allowed operator actions audited with
user and roles, a policy edit, client requests, audit vs run retention, and
the gateway's hot path."""
from __future__ import print_function

import time

import exchange.workflows.api.access as access
import exchange.workflows.api.admin as admin
import exchange.workflows.api.security as security
import flows
import gwsim
from wfkit import DB, bad, check, finish, ok, started, svc, update, wait_for, wait_status

flows.ensure_tables()
AUDIT = flows._table("audit")

operator = gwsim.openSession("op1", ["Operator"])
viewer = gwsim.openSession("viewer1", ["Viewer"])
boss = gwsim.openSession("admin1", ["Administrator"])
anonymous = gwsim.openSession()


def audit_rows(**filters):
    return ok(security.listAudit(limit=1000, **filters), "AUDIT_LISTED")["rows"]


def refused(resp, what):
    bad(resp, "NOT_AUTHORIZED", what)
    return resp


# -- the default policy ------------------------------------------------------------------------
policy = ok(security.getPolicy(), "POLICY")
check(not policy["stored"] and policy["policy"] == policy["default"], "no policy stored: the "
      "default applies", policy)
check(policy["policy"]["actions"]["start"]["roles"] == ["Operator", "Administrator"]
      and policy["policy"]["actions"]["admin"]["roles"] == ["Administrator"]
      and policy["policy"]["actions"]["read"]["levels"] == ["Authenticated"], "default policy", policy)

allowed = dict((name, ok(security.allowedActions(session=s), "ACTIONS_ALLOWED"))
               for name, s in (("op", operator), ("viewer", viewer), ("admin", boss),
                               ("anon", anonymous)))
check(allowed["op"] == {"read": True, "start": True, "hold": True, "stop": True,
                        "operate": True, "admin": False, "audit": False, "recipes": False},
      "operator's rights",
      allowed["op"])
check(allowed["viewer"] == dict((a, a == "read") for a in access.ACTIONS), "viewer reads only",
      allowed["viewer"])
check(all(allowed["admin"].values()), "administrator may do everything", allowed["admin"])
check(not any(allowed["anon"].values()), "anonymous may do nothing", allowed["anon"])

# -- an anonymous session reads nothing; read refusals are not audited ---------------------------
wid0 = started("t.noop", {"x": 0})  # a gateway start
before = len(audit_rows())
for resp, what in ((svc.listRuns(session=anonymous), "listRuns"),
                   (svc.getWorkflow(wid0, session=anonymous), "getWorkflow"),
                   (svc.listWorkflows(session=anonymous), "listWorkflows"),
                   (svc.getSteps(wid0, session=anonymous), "getSteps"),
                   (admin.getMaintenance(session=anonymous), "getMaintenance"),
                   (security.listAudit(session=anonymous), "listAudit")):
    refused(resp, "anonymous %s" % what)
check("anonymous" in svc.listRuns(session=anonymous)["message"], "the refusal says why",
      svc.listRuns(session=anonymous)["message"])
check(len(audit_rows()) == before + 1, "refused reads are not audited (listAudit is: it needs "
      "the audit right)", len(audit_rows()), before)
ok(svc.listRuns(session=viewer), "RUNS_LISTED", "a viewer reads")

# -- a session without the role is refused start, command, cancel, maintenance; each audited ----
target = started("t.loop", {"n": 400, "sleep_ms": 50})
wait_status(target, "RUNNING", 20)
refused(svc.start("t.noop", {"x": 1}, session=viewer), "viewer start")
refused(svc.sendCommand(target, "HOLD", reason="try", session=viewer), "viewer HOLD")
refused(svc.sendCommand(target, "STOP", reason="try", session=viewer), "viewer STOP")
refused(svc.cancel(target, reason="try", session=viewer), "viewer cancel")
refused(admin.setMaintenance("cancel", reason="try", session=viewer), "viewer maintenance")
refused(admin.setRetention(maxAgeDays=0, session=viewer), "viewer retention")
refused(admin.applyRetention(session=viewer), "viewer purge")
refused(security.setPolicy(policy["default"], reason="try", session=viewer), "viewer policy")
check(svc.getWorkflow(target)["data"]["status"] == "RUNNING", "nothing the viewer tried happened")
mine = audit_rows(userName="viewer1")
check(len(mine) == 8 and all(not r["allowed"] and r["code"] == "NOT_AUTHORIZED"
                              and r["source"] == "perspective" and r["sessionId"] == viewer.props.id
                              for r in mine), "each refusal is audited with user and session", mine)
actions = sorted(r["action"] for r in mine)
check(actions == ["admin"] * 4 + ["hold", "start", "stop", "stop"], "refused actions", actions)
check(set(r["workflowId"] for r in mine if r["action"] in ("hold", "stop")) == {target},
      "refused commands name the run", mine)
check(all(r["roles"] == [] for r in mine), "the viewer has none of the policy's roles", mine)

# -- an operator session is allowed, and audited with its user and roles --------------------------
wid = ok(svc.start("t.loop", {"n": 400, "sleep_ms": 50}, user="mallory", session=operator),
         "WORKFLOW_ENQUEUED")["workflowId"]
wait_status(wid, "RUNNING", 20)
check(svc.getWorkflow(wid)["data"]["createdBy"] == "op1", "createdBy is the session's user, not "
      "the user argument", svc.getWorkflow(wid)["data"]["createdBy"])
ok(svc.sendCommand(wid, "HOLD", reason="check valve", user="mallory", session=operator),
   "COMMAND_SENT")
wait_status(wid, "HELD", 20)
ok(svc.sendCommand(wid, "RESUME", reason="valve ok", session=operator), "COMMAND_SENT")
wait_status(wid, "RUNNING", 20)
ok(svc.cancel(wid, reason="wrong batch", session=operator), "CANCEL_REQUESTED")
wait_status(wid, "CANCELLED", 20)
senders = [c["sender"] for c in ok(svc.getCommands(wid), "COMMANDS_LISTED")]
check(senders[:2] == ["op1", "op1"], "commands record the session's user", senders)
refused(admin.setMaintenance("drain", reason="try", session=operator), "operator maintenance")
done = dict((r["target"], r) for r in audit_rows(workflowId=wid, allowed=True))
check(set(done) == {"t.loop", "HOLD", "RESUME", "cancel"}, "start, commands, cancel audited",
      sorted(done))
check(all(r["userName"] == "op1" and r["roles"] == ["Operator"] and r["source"] == "perspective"
          and r["sessionId"] == operator.props.id for r in done.values()),
      "audited with user, roles, session", done)
check(done["t.loop"]["code"] == "WORKFLOW_ENQUEUED" and done["cancel"]["code"] == "CANCEL_REQUESTED"
      and done["HOLD"]["reason"] == "check valve" and done["HOLD"]["action"] == "hold"
      and done["cancel"]["action"] == "stop", "codes, reasons and actions recorded", done)

# -- a Perspective script that forgets session= is refused, not the gateway -----------------------
forgot = gwsim.runPerspectiveScript(operator, lambda self: svc.start("t.noop", {"x": 2}))
refused(forgot, "Perspective script without session")
check("session=self.session" in forgot["message"], "the refusal says what to pass",
      forgot["message"])
forgot_cancel = gwsim.runPerspectiveScript(operator, lambda self: svc.cancel(target, reason="x"))
refused(forgot_cancel, "Perspective cancel without session")
forgot_memory = gwsim.runPerspectiveScript(
    operator, lambda self: svc.enqueueInMemory("t.noop", {"x": 3}))
refused(forgot_memory, "Perspective enqueueInMemory without session")
passed = gwsim.runPerspectiveScript(
    operator, lambda self: svc.start("t.noop", {"x": 4}, session=self.session))
ok(passed, "WORKFLOW_ENQUEUED", "a Perspective script passing its session")
nosession = [r for r in audit_rows(allowed=False) if (r["detail"] or {}).get("refusal")]
check(len(nosession) >= 2 and all("session=self.session" in r["detail"]["refusal"]
                                   and r["source"] == "perspective" for r in nosession),
      "refusals of scripts without a session are audited", nosession)

# -- gateway commands and administration are audited; gateway starts are not ----------------------
gw_run = started("t.loop", {"n": 400, "sleep_ms": 50})
wait_status(gw_run, "RUNNING", 20)
ok(svc.sendCommand(gw_run, "STOP", reason="tag trip"), "COMMAND_SENT")
wait_status(gw_run, "STOPPED", 20)
gw = audit_rows(workflowId=gw_run)
check([(r["source"], r["target"], r["userName"]) for r in gw] == [("gateway", "STOP", None)],
      "a gateway STOP is audited; the gateway start is not", gw)

# -- a gateway start needs no database access for authorization -----------------------------------
calls = {"policy": 0}
real_policy = access.currentPolicy


def counting_policy(dbName):
    calls["policy"] += 1
    return real_policy(dbName)


access.currentPolicy = counting_policy
try:
    count_before = len(audit_rows())
    for i in range(50):
        ok(svc.enqueueInMemory("t.noop", {"x": i}), "IN_MEMORY_ENQUEUE_ACCEPTED")
    ok(svc.start("t.noop", {"x": 99}), "WORKFLOW_ENQUEUED")
    check(calls["policy"] == 0, "gateway starts never read the policy", calls)
    check(len(audit_rows()) == count_before, "gateway starts are not audited")
    svc.listRuns(session=viewer)
    check(calls["policy"] == 1, "a session's read does (from the cache, at most every %d ms)"
          % access.POLICY_TTL_MS, calls)
finally:
    access.currentPolicy = real_policy
timing = {}


def time_caller():
    # On a thread of its own, as a tag-change script runs: its stack is short.
    for _ in range(2):
        t0 = time.time()
        for _ in range(5000):
            access.caller(None)
        timing["us"] = (time.time() - t0) / 5000 * 1e6


system.util.invokeAsynchronous(time_caller).join(60000)

# -- policy edits: by an administrator they take effect and are audited; by an operator refused ---
edited = dict(policy["default"])
edited["startRules"] = [{"workflows": "t.no*", "roles": ["Viewer", "Operator"]}]
refused(security.setPolicy(edited, reason="let viewers start no-ops", session=operator),
        "operator edits the policy")
saved = ok(security.setPolicy(edited, reason="let viewers start no-ops", session=boss), "POLICY_SET")
check(saved["startRules"][0]["workflows"] == "t.no*", "policy saved", saved)
ok(svc.start("t.noop", {"x": 5}, session=viewer), "WORKFLOW_ENQUEUED", "viewer starts a no-op now")
refused(svc.start("t.loop", {"n": 1}, session=viewer), "viewer still may not start t.loop")
check(ok(security.allowedActions("t.noop", session=viewer))["start"]
      and not ok(security.allowedActions("t.loop", session=viewer))["start"],
      "allowedActions per workflow")
edit = [r for r in audit_rows(action="admin", allowed=True) if r["target"] == "setPolicy"]
check(len(edit) == 1 and edit[0]["userName"] == "admin1" and edit[0]["roles"] == ["Administrator"]
      and edit[0]["reason"] == "let viewers start no-ops"
      and edit[0]["detail"]["policy"]["startRules"][0]["workflows"] == "t.no*",
      "the policy edit is audited with the new policy", edit)
stored = ok(security.getPolicy(), "POLICY")
check(stored["stored"] and stored["updatedBy"] == "admin1", "who edited the policy", stored)
bad(security.setPolicy({"actions": {"launch": {}}}, session=boss), "INVALID_ARGUMENTS",
    "unknown action")
bad(security.setPolicy(dict(edited, extra=1), session=boss), "INVALID_ARGUMENTS", "unknown key")
bad(security.setPolicy("{not json", session=boss), "INVALID_ARGUMENTS", "bad JSON")
lockout = dict(edited)
lockout["actions"] = dict(edited["actions"], admin={"roles": ["Engineer"]})
locked = bad(security.setPolicy(lockout, session=boss), "INVALID_ARGUMENTS", "self lock-out")
check("lock you out" in locked["message"], "the lock-out refusal explains", locked["message"])

# -- a client request: its user and dbName are ignored; the policy decides -------------------------
project = system.util.getProjectName()
request = {"function": "start", "kwargs": {"workflowName": "t.noop", "inputs": {"x": 6},
                                           "user": "mallory", "dbName": "NoSuchDB"}}
refused(system.util.sendRequest(project, "workflows", request), "clients start nothing by default")
clients = dict(edited)  # a start rule decides alone: t.noop's rule must allow clients too
clients["actions"] = dict(edited["actions"], start=dict(edited["actions"]["start"], clients=True))
clients["startRules"] = [dict(edited["startRules"][0], clients=True)]
ok(security.setPolicy(clients, reason="Vision line panels start runs"), "POLICY_SET",
   "a gateway script edits the policy")
routed = ok(system.util.sendRequest(project, "workflows", request), "WORKFLOW_ENQUEUED")
row = svc.getWorkflow(routed["workflowId"])["data"]
check(row["createdBy"] == "client", "a client's run records 'client', not its claimed user", row)
check(svc.getWorkflow(routed["workflowId"], dbName="NoSuchDB")["code"] in (
    "DATABASE_UNAVAILABLE", "DATABASE_ERROR", "UNKNOWN_DATABASE"),
    "the client's dbName was not used (there is no such connection)")
refused(system.util.sendRequest(project, "workflows", {
    "function": "cancel", "kwargs": {"workflowId": target, "reason": "x", "user": "mallory"}}),
    "clients still may not cancel")
from_clients = audit_rows(source="client")
check(len(from_clients) == 3 and all(r["userName"] is None
                                      and r["detail"]["claimedUser"] == "mallory"
                                      for r in from_clients),
      "client requests are audited as 'client' with the claimed user aside", from_clients)

# -- audit survives run retention; it has its own --------------------------------------------------
ok(svc.cancel(target, reason="end of test"), "CANCEL_REQUESTED")
wait_status(target, "CANCELLED", 20)
wait_for(lambda: all(svc.getWorkflow(w)["data"]["status"] in ("SUCCESS", "CANCELLED", "STOPPED")
                     for w in (wid, target, gw_run)), 30, what="runs finished")
# Retention never deletes a run that finished within the last hour: age these two.
update("UPDATE " + flows.STATUS_TABLE() + " SET finished_ms = finished_ms - 7200000 "
       "WHERE workflow_id IN (?, ?)", [wid, target])
audit_before = len(audit_rows())
ok(admin.setRetention(maxAgeDays=0, session=boss), "RETENTION_SET")
deleted = ok(admin.applyRetention(session=boss), "RETENTION_APPLIED")["deleted"]
check(deleted == 2 and svc.getWorkflow(wid)["code"] == "WORKFLOW_NOT_FOUND", "runs purged", deleted)
check(len(audit_rows(workflowId=wid)) == 4, "the purged run's audit trail is intact")
check(len(audit_rows()) == audit_before + 2, "retention changes are audited, nothing deleted",
      len(audit_rows()), audit_before)
update("INSERT INTO " + AUDIT + " (audit_id, at_ms, source, action, allowed) VALUES (?, ?, ?, ?, ?)",
       ["old-record", int(time.time() * 1000) - 3 * 86400000, "gateway", "admin", 1])
refused(security.setAuditRetention(1, reason="try", session=operator), "operator audit retention")
kept = ok(security.setAuditRetention(1, reason="one day", session=boss), "AUDIT_RETENTION_SET")
check(kept == {"maxAgeDays": 1, "deleted": 1}, "audit retention deletes only older records", kept)
check(ok(security.getAuditRetention(session=boss), "AUDIT_RETENTION")["maxAgeDays"] == 1,
      "audit retention stored")
bad(security.setAuditRetention(0, session=boss), "INVALID_ARGUMENTS", "at least a day")

# -- a stored policy that cannot be read back refuses every session; the gateway repairs it ------
update("UPDATE " + flows._table("settings") + " SET value = ? WHERE setting_key = ?",
       ['{"actions": 5}', access.POLICY_KEY])
access.forgetPolicy(DB)
refused(svc.listRuns(session=boss), "an invalid stored policy grants nothing, even to admins")
refused(security.setPolicy(policy["default"], reason="repair", session=boss),
        "nor may a session repair it")
ok(security.setPolicy(policy["default"], reason="repair"), "POLICY_SET", "a gateway script can")
ok(svc.listRuns(session=viewer), "RUNS_LISTED", "the repaired policy applies")

for s in (operator, viewer, boss, anonymous):
    s.close()
refused(svc.listRuns(session=operator), "a closed session is refused")
finish(callerUs=timing.get("us"), auditRows=len(audit_rows()))
