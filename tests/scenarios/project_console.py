"""Every service/admin call the Perspective console makes, with the argument
shapes its views pass (built from operator input by exchange.workflows.console, as the view
scripts do), against the BUILT 8.3 project. The dispatch timer runs the
workflows. RESULT.shapes lists each call's (function, positional count,
keywords) for the test to compare with the views. Every call passes a
Perspective session (gwsim's session registry), as the views pass
session=self.session: an operator runs the run pages, an administrator the
Admin and Audit pages."""
from __future__ import print_function

import json

import exchange.workflows.api.admin as admin
import exchange.workflows.api.schedules as schedules_api
import exchange.workflows.api.security as security
import exchange.workflows.console.actions as console_actions
import exchange.workflows.console.admin as console_admin
import exchange.workflows.console.audit as console_audit
import exchange.workflows.console.format as console_format
import exchange.workflows.console.prompts as console_prompts
import exchange.workflows.console.record as console_record
import exchange.workflows.console.runs as console_runs
import exchange.workflows.console.schedules as console_schedules
import exchange.workflows.console.start as console_start
import gwsim
# The built project's apps folder has no code; its loader is the child script __init__.
from exchange.workflows.apps import __init__ as apps
from exchange.workflows.bootstrap import getWorkflows, workflow
from wfkit import check, dispatch, finish, ok, svc, wait_for, wait_status

# The shipped project registers no demo workflow: register them, as tools/demo does.
check("exchange.workflows.demo" in apps.loadReport(["exchange.workflows.demo"])["loaded"],
      "the demo workflows register on request")
shapes = set()
OPERATOR = gwsim.openSession(u"operator1", ["Operator"])
ADMIN = gwsim.openSession(u"admin1", ["Administrator"])


def call(module, name, *args, **kwargs):
    shapes.add((module.__name__.split(".")[-1] + "." + name, len(args), tuple(sorted(kwargs))))
    return getattr(module, name)(*args, **kwargs)


def start(form):
    request = console_start.startRequest(form)
    check(request["ok"], "start form accepted", request)
    a = request["args"]
    allowed = console_actions.permissions(call(security, "allowedActions", a["workflowName"],
                                       session=OPERATOR))
    check(allowed["start"], "the Start button is enabled for the operator", allowed)
    result = call(svc, "start", a["workflowName"], a["inputs"], queueName=a["queueName"],
                  partitionKey=a["partitionKey"], priority=a["priority"],
                  timeoutSeconds=a["timeoutSeconds"], session=OPERATOR)
    return ok(result, "WORKFLOW_ENQUEUED")["workflowId"]


def detail(wid, session=OPERATOR):
    allowed = console_actions.permissions(call(security, "allowedActions", session=session))
    return console_runs.runDetail(call(svc, "getWorkflow", wid, session=session), allowed)


def command(wid, cmd, reason):
    status = detail(wid)["status"]
    check(console_actions.commandProblem(cmd, status, reason) == "",
          "%s allowed while %s" % (cmd, status))
    if cmd == "CANCEL":
        return call(svc, "cancel", wid, reason=reason, session=OPERATOR)
    return call(svc, "sendCommand", wid, cmd, reason=reason, session=OPERATOR)


# Start page: the workflow dropdown and the form.
options = console_format.options(call(svc, "listWorkflows", session=OPERATOR))
check({"label": "demo.small", "value": "demo.small"} in options, "workflow dropdown", options)
check(not console_start.startRequest({"workflowName": "demo.small", "inputs": "{oops"})["ok"],
      "bad JSON is refused before submit")
sampler = start({"workflowName": "demo.one_minute_progress",
                 "inputs": '{"chunk_sec": 0.2, "total_sec": 30, "batch": "B7"}',
                 "queueName": "default", "partitionKey": "", "priority": "0", "timeoutSeconds": ""})
quick = start({"workflowName": "demo.one_minute_progress",
               "inputs": '{"chunk_sec": 0.1, "total_sec": 0.3, "batch": "B8"}',
               "queueName": "", "partitionKey": "line-1", "priority": "1", "timeoutSeconds": "60"})

# Run page: details, buttons, HOLD / RESUME / STOP / Cancel with reason and user.
wait_status(sampler, "RUNNING", 20)
shown = detail(sampler)
check(shown["buttons"] == {"hold": True, "resume": False, "stop": True, "abort": True,
                          "cancel": True},
      "RUNNING enables Hold, Stop, Abort, Cancel for an operator", shown["buttons"])
viewer = gwsim.openSession(u"viewer1", ["Viewer"])
check(not any(detail(sampler, viewer)["buttons"].values()), "a viewer gets no command button")
viewer.close()
ok(command(sampler, "HOLD", u"shift change"), "COMMAND_SENT")
held = wait_status(sampler, "HELD", 20)
check(console_actions.commandButtons(held["status"])["resume"], "HELD enables Resume")
ok(command(sampler, "RESUME", u"back on line"), "COMMAND_SENT")
wait_status(sampler, "RUNNING", 20)
wait_for(lambda: len(console_runs.stepRows(call(svc, "getSteps", sampler,
                                                  session=OPERATOR))) >= 2, 20,
         what="two recorded steps")
ok(command(sampler, "CANCEL", u"batch scrapped"), "CANCEL_REQUESTED")
check(wait_status(sampler, "CANCELLED", 20)["status"] == "CANCELLED", "Cancel ends CANCELLED")
log = console_runs.commandRows(call(svc, "getCommands", sampler, session=OPERATOR))
check([c["command"] for c in log][:2] == ["HOLD", "RESUME"] and log[0]["user"] == "operator1"
      and log[0]["reason"] == "shift change", "commands show who (the session's user), what "
      "and why", log)
steps = console_runs.stepRows(call(svc, "getSteps", sampler, session=OPERATOR))
check(steps and all(s["attempts"] >= 1 and s["duration"] for s in steps)
      and steps[0]["timeline"], "step rows carry attempts, durations, timeline", steps[:2])
streams = console_runs.streamRows(call(svc, "readStream", sampler, session=OPERATOR))
check(streams and streams[0]["key"] == "samples", "stream rows", streams[:2])

stopper = start({"workflowName": "demo.small", "inputs": '{"duration_s": 30}'})
wait_status(stopper, "RUNNING", 20)
ok(command(stopper, "STOP", u"end of shift"), "COMMAND_SENT")
check(wait_status(stopper, "STOPPED", 20)["status"] == "STOPPED", "STOP ends STOPPED")
check(not any(detail(stopper)["buttons"].values()),
      "no command button for a finished run")

wait_status(quick, "SUCCESS", 30)
events = console_runs.eventRows(call(svc, "getEvents", quick, session=OPERATOR))
check([e["key"] for e in events] == ["average"], "event rows", events)

# Run list: filters and paging, as the Runs view builds them.
base = {"status": "", "workflowName": "", "queueName": "", "since": None, "until": None,
        "offset": 0, "offsetKey": "", "refresh": 0, "tick": None}


def runs(form):
    q = console_runs.runQuery(form)
    listing = call(svc, "listRuns", status=q["status"], workflowName=q["workflowName"],
                   queueName=q["queueName"], sinceMs=q["sinceMs"], untilMs=q["untilMs"],
                   limit=q["limit"], offset=q["offset"], session=OPERATOR)
    return console_runs.runList(listing, q["key"])


everything = runs(base)
check(everything["pageText"] == "Runs 1-3 of 3" and not everything["hasNext"], "all runs",
      everything["pageText"])
cancelled = runs(dict(base, status="CANCELLED"))
check([r["workflowId"] for r in cancelled["rows"]] == [sampler], "status filter", cancelled)
finished = runs(dict(base, status="FINISHED", workflowName="demo.one_minute_progress"))
check(len(finished["rows"]) == 2, "group and workflow filter", finished["pageText"])
none = runs(dict(base, queueName="elsewhere"))
check(none["rows"] == [], "queue filter")
created = ok(svc.getWorkflow(quick))["createdMs"]
window = [r["workflowId"] for r in runs(dict(base, since=created, until=created + 1))["rows"]]
check(quick in window and stopper not in window, "time range", window)

# Queues page.
queues = console_admin.queueRows(call(svc, "queueStatus", session=OPERATOR))
check(queues and queues[0]["queueName"] == "default" and queues[0]["CANCELLED"] == 1
      and queues[0]["STOPPED"] == 1 and queues[0]["SUCCESS"] == 1, "queue counts", queues)

# Run page: the record row (Resume run, Fork, Export, Keep), called as the
# Run view and the RecordPopup call them.
def record_action(wid, action, form):
    shown = detail(wid)
    button = {"resume": "resumeRun", "fork": "fork"}.get(action, "keep")
    check(shown["record"][button], "%s enabled while %s" % (action, shown["status"]),
          shown["record"])
    request = console_record.recordRequest(action, shown["status"], form)
    check(request["ok"], "%s form accepted" % action, request)
    a = request["args"]
    if action == "resume":
        result = call(svc, "resume", wid, reason=a["reason"], session=OPERATOR)
    elif action == "fork":
        result = call(svc, "fork", wid, a["fromStep"], inputs=a["inputs"], reason=a["reason"],
                      session=OPERATOR)
    else:
        result = call(svc, "setRetentionHold", wid, a["hold"], reason=a["reason"],
                      session=OPERATOR)
    return console_record.recordOutcome(action, result)


check(not detail(quick)["record"]["resumeRun"], "a SUCCESS run is not resumed (it is forked)")
resumed = record_action(stopper, "resume", {"reason": u"stopped by mistake"})
check(resumed["ok"] and resumed["message"].startswith("WORKFLOW_RESUMED"), "Resume run", resumed)
wait_status(stopper, "RUNNING", 20)
check(detail(stopper)["record"]["resumeRun"] is False and {"name": "Resumed", "value": "1"}
      in detail(stopper)["fields"], "the resumed run is active again and counts its resume")
ok(command(stopper, "STOP", u"end of shift, really"), "COMMAND_SENT")
wait_status(stopper, "STOPPED", 20)
lastStep = console_record.selectedStep(console_runs.stepRows(call(
    svc, "getSteps", quick, session=OPERATOR))[-1:])
check(lastStep >= 1, "the selected step row prefills the fork step", lastStep)
forked = record_action(quick, "fork", {"fromStep": str(lastStep), "inputs": "",
                                       "reason": u"report again"})
check(forked["ok"] and forked["workflowId"] and forked["workflowId"] in forked["message"],
      "Fork shows the new run", forked)
wait_status(forked["workflowId"], "SUCCESS", 30)
check({"name": "Forked from", "value": "%s from step %d" % (quick, lastStep)}
      in detail(forked["workflowId"])["fields"], "the new run shows where it came from")
for fmt in ("json", "csv"):
    download = console_record.exportDownload(call(svc, "exportRun", quick, fmt, session=OPERATOR))
    check(download["ok"] and download["fileName"] == "run-%s.%s" % (quick, fmt)
          and download["contentType"] == console_record.EXPORT_FORMATS[fmt], "Export " + fmt,
          download["message"])
document = json.loads(download["content"] if fmt == "json" else console_record.exportDownload(
    call(svc, "exportRun", quick, "json", session=OPERATOR))["content"])
check(document["run"]["workflowId"] == quick, "the JSON export is the run's record")
kept = record_action(quick, "keep", {"reason": u"deviation D-7"})
check(kept["ok"] and detail(quick)["kept"].startswith("Kept from retention by operator1")
      and detail(quick)["record"]["keepAction"] == "release", "Keep shows who kept the run",
      kept, detail(quick)["kept"])
released = record_action(quick, "release", {"reason": u"deviation closed"})
check(released["ok"] and detail(quick)["kept"].startswith("Released to retention by operator1"),
      "Release gives the run back to retention", released)

# Inbox page and a run's pending prompt: a button per choice, a text field without choices.
asking = start({"workflowName": "demo.release", "inputs": '{"batch": "B-12"}'})
cards = wait_for(lambda: console_prompts.promptCards(call(
    svc, "listPrompts", workflowId=asking, session=OPERATOR)), 30, what="the release prompt")
inbox = console_prompts.inbox(call(svc, "listPrompts", limit=console_prompts.PAGE_SIZE,
                                   session=OPERATOR))
check(cards and cards[0]["prompt"] == "Release batch B-12?" and cards[0] in inbox["cards"]
      and inbox["summary"].startswith("1 prompt"), "the Inbox shows the prompt", inbox)
buttons = console_prompts.choiceButtons(asking, cards[0]["key"], cards[0]["choices"], u"QA ok")
check([b["label"] for b in buttons] == ["release", "hold back"], "a button per choice", buttons)
b = buttons[0]
ok(call(svc, "respond", b["workflowId"], b["key"], console_prompts.choiceValue(b["value"]),
        reason=console_format.text(b["reason"]), session=OPERATOR), "PROMPT_ANSWERED")
note = wait_for(lambda: [c for c in console_prompts.promptCards(call(
    svc, "listPrompts", workflowId=asking, session=OPERATOR)) if c["key"] == "note"], 30,
    what="the note prompt")
check(note and note[0]["free"], "a prompt without choices gets a text field", note)
ok(call(svc, "respond", asking, "note", console_prompts.typedValue(u" seal intact "),
        reason=None, session=OPERATOR), "PROMPT_ANSWERED")
check(wait_status(asking, "SUCCESS", 30)["output"] == {"batch": "B-12", "decision": "release",
                                                       "note": "seal intact"},
      "the run continues with the answers", detail(asking))

# Run page: a parent run started with rt.startChild links its child (the
# children table's row opens it, as a row of the Runs table does) and the
# child links back (the Parent run button).
@workflow(name="family.child")
def family_child(n=0):
    return {"n": n}


@workflow(name="family.parent")
def family_parent():
    rt = getWorkflows()
    return rt.awaitChild(rt.startChild("family.child", {"n": 7}))


family = start({"workflowName": "family.parent", "inputs": "{}"})
check(wait_status(family, "SUCCESS", 30)["output"] == {"n": 7}, "the parent joins its child")
kids = detail(family)["children"]
check(len(kids) == 1 and kids[0]["workflowName"] == "family.child"
      and kids[0]["status"] == "SUCCESS" and detail(family)["childrenText"] == "Child runs (1)"
      and detail(family)["parentId"] == "", "the parent's Run page lists its child", kids)
child = detail(console_runs.rowWorkflowId(kids[0]))
check(child["found"] and child["parentId"] == family
      and child["parentText"] == "Parent run " + family and child["children"] == [],
      "the child's Run page links its parent", child)

# Admin page: maintenance, retention, schema, diagnostics.
nav = console_actions.permissions(call(security, "allowedActions", session=ADMIN))
check(nav["admin"] and nav["audit"] and not console_actions.permissions(call(
    security, "allowedActions", session=OPERATOR))["admin"], "Admin and Audit links for admins only")
check("Normal" in console_admin.maintenanceText(call(admin, "getMaintenance", session=ADMIN)),
      "maintenance off")
check(console_admin.maintenanceProblem("drain", None) != "", "drain needs a reason")
ok(call(admin, "setMaintenance", "drain", reason=u"upgrade", session=ADMIN), "MAINTENANCE_SET")
check("drain" in console_admin.maintenanceText(call(admin, "getMaintenance", session=ADMIN))
      and "admin1" in console_admin.maintenanceText(call(admin, "getMaintenance", session=ADMIN)),
      "drain shown with who set it")
parked = start({"workflowName": "demo.small", "inputs": "{}"})
ok(call(admin, "setMaintenance", "cancel", reason=u"line stop", session=ADMIN), "MAINTENANCE_SET")
check(wait_status(parked, "CANCELLED", 10)["status"] == "CANCELLED", "cancel mode cancels")
ok(call(admin, "setMaintenance", None, reason=None, session=ADMIN), "MAINTENANCE_SET")
form = console_admin.retentionForm(call(admin, "getRetention", session=ADMIN))
form["maxAgeDays"], form["maxRows"] = "30", "1000"
request = console_admin.retentionRequest(form)
a = request["args"]
ok(call(admin, "setRetention", a["maxAgeDays"], a["maxRows"], a["batchSize"], session=ADMIN),
   "RETENTION_SET")
check("30 days" in console_admin.retentionText(call(admin, "getRetention", session=ADMIN)),
      "retention saved")
ok(call(admin, "applyRetention", session=ADMIN), "RETENTION_APPLIED")
ok(call(admin, "checkSchema", session=ADMIN), "SCHEMA_OK")
# The Admin page's 0.3.6 import on a database without 0.3.6's tables: both
# buttons say so (the import itself: tests/scenarios/upstream_import.py).
for dry in (True, False):
    report = console_admin.importText(call(admin, "importUpstream", dryRun=dry, session=ADMIN))
    check(report.startswith("UPSTREAM_NOT_FOUND"), "the import report says there is nothing",
          report)

# Admin page: the policy editor and audit retention; the Audit page.
editor = console_audit.policyEditor(call(security, "getPolicy", session=ADMIN))
check("default policy applies" in editor["info"], "policy editor loads", editor["info"])
request = console_audit.policyRequest(editor["text"].replace('"Operator"', '"Shift Lead"', 1),
                                     u"new role name")
saved = call(security, "setPolicy", request["policy"], reason=u"new role name", session=ADMIN)
ok(saved, "POLICY_SET")
check(console_audit.policyEditor(call(security, "getPolicy", session=ADMIN))["info"].startswith(
    "Saved by admin1"), "the editor shows who saved the policy")
form = console_audit.auditRetentionForm(call(security, "getAuditRetention", session=ADMIN))
form["maxAgeDays"] = "400"
request = console_audit.auditRetentionRequest(form, u"site rule")
a = request["args"]
ok(call(security, "setAuditRetention", a["maxAgeDays"], reason=a["reason"], session=ADMIN),
   "AUDIT_RETENTION_SET")
check("400 days" in console_audit.auditRetentionText(
    call(security, "getAuditRetention", session=ADMIN)), "audit retention saved")
q = console_audit.auditQuery({"userName": "operator1", "action": "", "workflowId": "",
                             "result": "allowed", "since": None, "until": None, "offset": 0,
                             "offsetKey": ""})
trail = console_audit.auditList(call(
    security, "listAudit", sinceMs=q["sinceMs"], untilMs=q["untilMs"], userName=q["userName"],
    action=q["action"], workflowId=q["workflowId"], allowed=q["allowed"], limit=q["limit"],
    offset=q["offset"], session=ADMIN), q["key"])
check(len(trail["rows"]) >= 6 and set(r["action"] for r in trail["rows"]) >= {"start", "hold",
                                                                               "stop"}
      and all(r["user"] == "operator1" and r["roles"] == "Operator" for r in trail["rows"]),
      "the Audit page lists the operator's actions", trail["rows"][:3])
check("NOT_AUTHORIZED" in console_audit.auditList(call(
    security, "listAudit", sinceMs=None, untilMs=None, userName=None, action=None,
    workflowId=None, allowed=None, limit=100, offset=0, session=OPERATOR))["message"],
    "an operator cannot read the audit trail")
# Schedules page: the create form, the table's next and last slot, Pause,
# Resume, Trigger now and Delete on the selected row, as the Schedules view
# calls them. A yearly line: no slot of its own falls during the test.
def schedule_table(session=ADMIN):
    return console_schedules.scheduleTable(call(schedules_api, "listSchedules", session=session))


form = dict(console_schedules.newForm(), name=u"yearly report", cron=u"@yearly",
            workflowName=u"demo.small", inputs=u'{"duration_s": 0}', timezone=u"UTC")
a = console_schedules.createRequest(form)["args"]
created = console_schedules.actionOutcome(call(
    schedules_api, "createSchedule", a["name"], a["cron"], a["workflowName"], a["inputs"],
    queueName=a["queueName"], timezone=a["timezone"], overlap=a["overlap"], catchUp=a["catchUp"],
    session=ADMIN))
check(created["ok"] and created["message"].startswith("SCHEDULE_CREATED"), "Create schedule",
      created)
table = schedule_table(OPERATOR)
row = dict((r["name"], r) for r in table["rows"]).get(u"yearly report") or {}
check(row.get("state") == "enabled" and row.get("nextSlot") and row.get("cron") == "@yearly (UTC)"
      and row.get("lastRunId") == "", "an operator sees the schedule and its next slot", table)
selected = console_schedules.selection(row)
check(not console_schedules.actionOutcome(call(schedules_api, "pauseSchedule", selected["name"],
                                               session=OPERATOR))["ok"],
      "an operator cannot pause a schedule")
ok(call(schedules_api, "pauseSchedule", selected["name"], session=ADMIN), "SCHEDULE_PAUSED")
paused = console_schedules.selection(schedule_table()["rows"][0])
check(not paused["enabled"] and schedule_table()["summary"] == "1 schedule, 1 paused",
      "Pause shows the schedule paused", paused)
ok(call(schedules_api, "resumeSchedule", selected["name"], session=ADMIN), "SCHEDULE_RESUMED")
triggered = console_schedules.actionOutcome(call(
    schedules_api, "triggerSchedule", selected["name"], reason=console_format.text(u" test run "),
    session=ADMIN))
check(triggered["ok"] and triggered["workflowId"], "Trigger now starts a run", triggered)
wait_status(triggered["workflowId"], "SUCCESS", 30)
row = schedule_table()["rows"][0]
check(row["state"] == "enabled" and row["lastRunId"] == triggered["workflowId"],
      "the table links the triggered run", row)
check(console_schedules.deleteQuestion(selected["name"]) != "", "Delete asks first")
ok(call(schedules_api, "deleteSchedule", selected["name"], session=ADMIN), "SCHEDULE_DELETED")
check(schedule_table()["rows"] == [], "Delete removes the schedule")

# The runs above may all have started directly or by work-conserving claims:
# one dispatch cycle of our own makes "Last dispatch" certain, whatever the
# timer has done so far.
dispatch()
diag = dict((r["name"], r["value"]) for r in console_admin.diagnosticsRows(call(
    admin, "diagnostics", session=ADMIN)))
check("active of" in diag["Worker pool"] and "claimed" in diag["Last dispatch"]
      and diag["In-memory queue depth"] == "0", "diagnostics rows", diag)

finish(shapes=sorted(json.loads(json.dumps(list(s))) for s in shapes))
