"""admin.importUpstream (issue 13 item 4): ignition-workflows 0.3.6's
history, templates and enums, from its own tables in the same database,
into ours (tests/integration/test_upstream_import.py creates them).

Checked: policy "admin" (an operator is refused), a dry run writes nothing
and counts what an import brings; an import in batches (limit, more);
finished runs with their steps, events, event history, streams and never
received messages as getWorkflow/getSteps/getEvents/readStream/getCommands/
listRuns show them; errors in our shape with 0.3.6's record kept; template
and enum versions as api.recipes/api.params read them; active runs
reported, not imported; a second import changes nothing; the import is
audited; activeRuns="enqueue" imports 0.3.6's unfinished runs ENQUEUED,
which run here from their start, a HOLD 0.3.6 never delivered included.
The console's Start view starts an imported template (enum parameter as a
dropdown) and its Recipes page lets an engineer (policy "recipes", not an
operator) edit the imported template and enum, with the calls the views make.
"""
from __future__ import print_function

import json

import exchange.workflows.api.admin as admin
import exchange.workflows.api.params as params
import exchange.workflows.api.recipes as recipes
import exchange.workflows.api.security as security
import exchange.workflows.console.admin as console_admin
import exchange.workflows.console.recipes as console_recipes
import exchange.workflows.console.start as console_start
import gwsim
from exchange.workflows.bootstrap import step, workflow
from wfkit import bad, check, dispatch, finish, ok, svc, wait_for

DONE = "8a1f0c52-4a57-4d0e-9a3b-0c5f2d9e7b11"      # SUCCESS, 2 steps, events, stream
RUNNING = "1c7e2b9d-33aa-4f61-8e2c-5d0b6a4f9c22"   # RUNNING on a gateway that went away
QUEUED = "5d2a9f40-7b1c-4e8a-b6d3-2f9c0e1a8d33"    # ENQUEUED, a HOLD waiting for it
FAILED = "3e9b1d77-0c2a-4b5e-8f61-7a4c2e9d0b44"    # ERROR in its second step
CANCELLED = "6f0c8a13-9d4e-4a27-b3f5-1e8d7c2b6a55"  # CANCELLED, never started
FINISHED = (DONE, FAILED, CANCELLED)


@step(name="demo.charge")
def charge(batch):
    return {"kg": batch}


@workflow(name="demo.mix")
def mix(batch, tank=None):
    return {"charged": charge(batch), "tank": tank}


@workflow(name="demo.fill")
def fill(litres):
    return {"filled": charge(litres)}


operator = gwsim.openSession("op1", ["Operator"])
boss = gwsim.openSession("admin1", ["Administrator"])

answer = admin.checkSchema()
schema = ok(answer, "SCHEMA_OK") or {}
check(schema.get("schemaName") == "exchange_workflows" and schema["upstreamSchema"]["found"]
      and "admin.importUpstream()" in answer["message"],
      "our tables beside 0.3.6's, and checkSchema says how to import theirs", answer)

# -- refused, checked, dry ------------------------------------------------------------------
bad(admin.importUpstream(session=operator), "NOT_AUTHORIZED", "an operator imports")
bad(admin.importUpstream(activeRuns="all", session=boss), "INVALID_ARGUMENTS", "activeRuns")
bad(admin.importUpstream(limit=0), "INVALID_ARGUMENTS", "limit 0")
bad(admin.importUpstream(sourceSchema="workflows; DROP TABLE x"), "INVALID_ARGUMENTS",
    "a schema name that is not an identifier")
missing = bad(admin.importUpstream(sourceSchema="elsewhere"), "UPSTREAM_NOT_FOUND",
              "no 0.3.6 tables in that schema")
check("elsewhere" in missing["message"], "the refusal names the schema", missing["message"])

dry = ok(admin.importUpstream(dryRun=True, session=boss), "UPSTREAM_IMPORT_DRY_RUN") or {}
check(dry.get("dryRun") is True and dry.get("runs") == 3 and dry.get("steps") == 4
      and dry.get("templates") == 3 and dry.get("enums") == 2 and dry.get("reportedCount") == 2
      and dry.get("enqueued") == 0, "a dry run counts what an import brings", dry)
check(dry.get("upstreamRuns") == {"SUCCESS": 1, "ERROR": 1, "CANCELLED": 1, "RUNNING": 1,
                                  "ENQUEUED": 1}, "0.3.6's runs by status", dry.get("upstreamRuns"))
check((dry.get("retention") or {}).get("suggested") == {"maxAgeDays": 30.0, "maxRows": 500000},
      "0.3.6's retention reported as a suggestion", dry.get("retention"))
bad(svc.getWorkflow(DONE), "WORKFLOW_NOT_FOUND", "a dry run writes nothing")
check(ok(recipes.listEnums(status=None), "ENUMS_LISTED") == [], "no enum written by a dry run")

# -- import in two batches ------------------------------------------------------------------
answer = admin.importUpstream(limit=1, session=boss)
first = ok(answer, "UPSTREAM_IMPORTED") or {}
report = console_admin.importText(answer)
check("press Import again" in report and "Not imported: demo.mix " + RUNNING in report
      and "maxAgeDays=30.0" in report, "the Admin page's report of a batch", report)
check(first.get("runs") == 1 and first.get("more") is True and first.get("templates") == 3
      and first.get("enums") == 2, "limit=1 imports the oldest run and says there is more", first)
rest = ok(admin.importUpstream(session=boss), "UPSTREAM_IMPORTED") or {}
check(rest.get("runs") == 2 and rest.get("skipped") == 1 and rest.get("more") is False
      and rest.get("templates") == 0 and rest.get("enums") == 0, "the next call the rest", rest)
reported = dict((r["workflowId"], r) for r in (first.get("reported") or []))
check(sorted(reported) == sorted([RUNNING, QUEUED]) and reported[RUNNING]["lastStep"] == "charge"
      and reported[QUEUED]["status"] == "ENQUEUED", "active runs reported with their last step",
      first.get("reported"))
check(first["steps"] + rest["steps"] == 4 and first["commands"] + rest["commands"] == 1
      and first["eventHistory"] + rest["eventHistory"] == 2 and first["streams"] + rest["streams"]
      == 2, "steps, messages, event history and streams counted", first, rest)
check(any("no Form props" in w for w in first.get("warnings") or []),
      "a template without Form props is named in the warnings", first.get("warnings"))

# -- the runs as our reads show them --------------------------------------------------------
run = ok(svc.getWorkflow(DONE), "WORKFLOW_FOUND") or {}
check(run.get("status") == "SUCCESS" and run.get("workflowName") == "demo.mix"
      and run.get("inputs") == {"batch": 7} and run.get("output") == {"ok": True}
      and run.get("createdBy") == "import:0.3.6" and run.get("createdMs") == 1700000000000
      and run.get("startedMs") == 1700000001000 and run.get("finishedMs") == 1700000009000
      and run.get("finished") is True, "a finished run keeps its id, inputs, result and times", run)
steps = ok(svc.getSteps(DONE), "STEPS_LISTED") or []
check([(s["functionId"], s["functionName"], s["output"], s["attempts"]) for s in steps]
      == [(0, "charge", {"kg": 3}, 1), (1, "mix", {"rpm": 40}, 2)]
      and steps[1]["durationMs"] == 4000, "its steps as operations 0 and 1", steps)
events = ok(svc.getEvents(DONE), "EVENTS_FOUND")
check(events == {"phase": "done"}, "its latest events", events)
history = ok(svc.getEvents(DONE, history=True), "EVENTS_FOUND") or []
check([(h["key"], h["value"]) for h in history]
      == [("phase", "charging"), ("phase", "done")], "its event history in order", history)
stream = ok(svc.readStream(DONE, "log"), "STREAM_READ") or []
check([(s["offset"], s["value"]) for s in stream] == [(0, "start"), (1, "end")],
      "its stream with 0.3.6's offsets", stream)
commands = ok(svc.getCommands(DONE), "COMMANDS_LISTED") or []
check(len(commands) == 1 and commands[0]["topic"] == "note" and commands[0]["consumedBy"]
      == "import" and commands[0]["sender"] == "import:0.3.6",
      "a message it never received, consumed by the import", commands)
failed = ok(svc.getWorkflow(FAILED), "WORKFLOW_FOUND") or {}
error = failed.get("error") or {}
check(failed.get("status") == "ERROR" and error.get("type") == "workflow_error"
      and error.get("message") == "boom" and (error.get("upstream") or {}).get("traceback")
      == "Traceback: line 3", "an error in our shape, 0.3.6's record kept", failed)
failedSteps = ok(svc.getSteps(FAILED), "STEPS_LISTED") or []
check(len(failedSteps) == 2 and failedSteps[1]["error"]["message"] == "valve stuck"
      and failedSteps[1]["output"] is None, "the failed step keeps its error", failedSteps)
check((ok(svc.getWorkflow(CANCELLED), "WORKFLOW_FOUND") or {}).get("status") == "CANCELLED",
      "a cancelled run")
listed = ok(svc.listRuns(workflowName="demo.mix"), "RUNS_LISTED") or {}
check(sorted(r["workflowId"] for r in listed.get("rows") or []) == sorted([DONE, FAILED]),
      "listRuns shows the imported runs, not the reported one", listed)
bad(svc.getWorkflow(RUNNING), "WORKFLOW_NOT_FOUND", "a reported run is not imported")

# -- templates and enums --------------------------------------------------------------------
versions = ok(recipes.listTemplates("demo.mix", status=None, latestOnly=False),
              "TEMPLATES_LISTED") or []
check(sorted((t["templateName"], t["templateVersion"], t["status"]) for t in versions)
      == [("shift", 1, "active"), ("standard", 1, "obsolete"), ("standard", 2, "active")],
      "template versions keep their numbers and status", versions)
shift = params.getTemplate("demo.mix", "shift")
meta = ((shift or {}).get("schema") or {}).get("meta") or {}
check(shift.get("templateVersion") == 1 and meta.get("paramKeys") == ["batch", "tank"]
      and meta.get("defaultData") == {"batch": 9, "tank": "tank-1"}
      and meta.get("enumRefs") == {"tank": {"enumName": "tanks", "enumVersion": None}}
      and shift.get("createdBy") == "ann", "a Form template is read as one saved here", shift)
tanks = params.getEnum("tanks")
check(tanks.get("enumVersion") == 2 and [v["value"] for v in tanks.get("values") or []]
      == ["tank-1", "tank-2"], "the newest enum version", tanks)
expanded = params.expandTemplateForUi(shift)
widget = expanded["schema"]["formProps"]["columns"]["items"][0]["rows"]["items"][0]["widgets"][1]
check([o["value"] for o in widget["dropdown"]["options"]] == ["tank-1", "tank-2"],
      "its enum dropdown is filled from the imported enum", widget)

# -- the console's Start view starts an imported template (its calls, as the view makes them) ---
def state(wid, wanted):
    def look():
        dispatch(queueName="line1")
        dispatch()
        row = svc.getWorkflow(wid).get("data") or {}
        return row if row.get("status") in wanted else None
    return wait_for(look, 90, 0.1, "%s to reach %s" % (wid, wanted)) or {}


options = console_start.templateOptions(recipes.getTemplateDropdownOptions("demo.mix",
                                                                          session=operator))
check([o["label"] for o in options] == ["No template (inputs as JSON)", "shift v1", "standard v2"],
      "the template dropdown", options)
choice = console_start.templateChoice(options[1]["value"])
found = recipes.getTemplate("demo.mix", choice["templateName"], choice["templateVersion"],
                            activeOnly=False, session=operator)
form = console_start.recipeForm(recipes.expandTemplateForUi(found["data"], session=operator))
fields = form["columns"]["items"][0]["rows"]["items"][0]["widgets"]
check(form["active"] and form["ok"] and form["data"] == {"batch": 9, "tank": "tank-1"}
      and [o["label"] for o in fields[1]["dropdown"]["options"]] == ["Tank 1", "Tank 2"],
      "the Form shows the template's values, the enum parameter as a dropdown", form)
typed = dict(form["data"], batch=11)
changed = recipes.computeOverridesData(form["baseData"], typed, session=operator)
request = console_start.recipeStartRequest({
    "workflowName": "demo.mix", "recipe": form, "overrides": changed, "queueName": "",
    "partitionKey": "", "priority": "0", "timeoutSeconds": ""})
check(request["ok"], "the recipe start request", request)
a = request["args"]
result = recipes.startWithTemplate(
    a["workflowName"], a["templateName"], a["overridesData"], a["templateVersion"],
    queueName=a["queueName"], partitionKey=a["partitionKey"], priority=a["priority"],
    timeoutSeconds=a["timeoutSeconds"], session=operator)
wid = (ok(result, "WORKFLOW_ENQUEUED") or {}).get("workflowId")
run = state(wid, ("SUCCESS",))
check(run.get("output") == {"charged": {"kg": 11}, "tank": "tank-1"}
      and run.get("paramSource") == {"template": {"name": "shift", "version": 1},
                                     "overrides": ["batch"], "actor": "op1"},
      "a run started from the imported template records it", run)

# -- the console's Recipes page: an engineer edits the imported template and enum ---------------
engineer = gwsim.openSession("eng1", ["Engineer"])
TEMPLATE, ENUM = console_recipes.TEMPLATE, console_recipes.ENUM
versions = console_recipes.versionOptions(recipes.listTemplates("demo.mix", None, False,
                                                                session=engineer), TEMPLATE)
chosen = [o["value"] for o in versions if o["label"] == "shift v1 (active)"]
check(len(chosen) == 1, "the template versions with their status", versions)
choice = console_recipes.versionChoice(chosen[0])
model = console_recipes.editorModel(recipes.getTemplate(
    "demo.mix", choice["name"], choice["version"], activeOnly=False, session=engineer), TEMPLATE)
edited = json.loads(model["text"])
edited["data"]["batch"] = 12
request = console_recipes.saveRequest({"workflowName": "demo.mix", "name": model["name"],
                                       "text": json.dumps(edited), "description": "batch 12"},
                                      TEMPLATE)
a = request["args"]
saved = ok(recipes.createTemplateVersion(a["workflowName"], a["templateName"], a["formProps"],
                                         description=a["description"], session=engineer),
           "TEMPLATE_VERSION_CREATED") or {}
check(saved.get("templateVersion") == 2 and saved.get("createdBy") == "eng1",
      "an engineer saves the edited template as v2", saved)
a = console_recipes.statusRequest(chosen[0], False)["args"]
ok(recipes.setTemplateStatus("demo.mix", a["name"], a["version"], a["status"], session=engineer),
   "TEMPLATE_STATUS_SET")
check(params.getTemplate("demo.mix", "shift")["schema"]["meta"]["defaultData"]["batch"] == 12,
      "the edited version is the one a start uses")
enumVersions = console_recipes.versionOptions(recipes.listEnums(None, False, session=engineer),
                                              ENUM)
tanks2 = [o["value"] for o in enumVersions if o["label"] == "tanks v2 (active)"]
check(len(tanks2) == 1, "the enum versions", enumVersions)
choice = console_recipes.versionChoice(tanks2[0])
model = console_recipes.editorModel(recipes.getEnum(choice["name"], choice["version"],
                                                    activeOnly=False, session=engineer), ENUM)
values = json.loads(model["text"]) + [{"label": "Tank 3", "value": "tank-3"}]
a = console_recipes.saveRequest({"name": model["name"], "text": json.dumps(values),
                                 "description": "three"}, ENUM)["args"]
check((ok(recipes.createEnumVersion(a["enumName"], a["enumValues"], description=a["description"],
                                    session=engineer), "ENUM_VERSION_CREATED") or {})
      .get("enumVersion") == 3, "an engineer saves enum v3")
a = console_recipes.statusRequest(tanks2[0], False)["args"]
ok(recipes.setEnumStatus(a["name"], a["version"], a["status"], session=engineer), "ENUM_STATUS_SET")
bad(recipes.createEnumVersion("tanks", values, session=operator), "NOT_AUTHORIZED",
    "an operator may not edit recipes")

# -- again: nothing new ---------------------------------------------------------------------
again = ok(admin.importUpstream(session=boss), "UPSTREAM_IMPORTED") or {}
check(again.get("runs") == 0 and again.get("templates") == 0 and again.get("enums") == 0
      and again.get("steps") == 0 and again.get("commands") == 0 and again.get("skipped") == 3
      and again.get("reportedCount") == 2, "a second import adds nothing", again)
check(len(ok(svc.getSteps(DONE), "STEPS_LISTED") or []) == 2, "no step twice")
audit = ok(security.listAudit(limit=200), "AUDIT_LISTED")["rows"]
imported = [a for a in audit if a["code"] == "UPSTREAM_IMPORTED"]
check(len(imported) == 3 and all(a["userName"] == "admin1" and a["action"] == "admin"
                                 for a in imported)
      and (imported[0].get("detail") or {}).get("runs") is not None,
      "each import audited with its counts (the dry run is not)", imported)

# -- activeRuns="enqueue": 0.3.6's unfinished runs run here ---------------------------------
moved = ok(admin.importUpstream(activeRuns="enqueue", session=boss), "UPSTREAM_IMPORTED") or {}
check(moved.get("enqueued") == 2 and moved.get("runs") == 0 and moved.get("commands") == 1
      and moved.get("reportedCount") == 0, "active runs imported ENQUEUED", moved)
queued = ok(svc.getWorkflow(QUEUED), "WORKFLOW_FOUND") or {}
check(queued.get("status") == "ENQUEUED" and queued.get("queueName") == "line1"
      and queued.get("partitionKey") == "tank-2" and queued.get("inputs") == {"litres": 120},
      "an ENQUEUED run keeps its queue, partition and inputs", queued)
check(ok(svc.getSteps(RUNNING), "STEPS_LISTED") == [], "a run restarted here has no steps yet")
ok(svc.getCommands(QUEUED), "COMMANDS_LISTED")


check(state(RUNNING, ("SUCCESS",)).get("output") == {"charged": {"kg": 8}, "tank": None},
      "0.3.6's interrupted run runs here from its start")
held = state(QUEUED, ("HELD",))
check(held.get("status") == "HELD", "the HOLD 0.3.6 never delivered holds it here", held)
ok(svc.sendCommand(QUEUED, "RESUME", reason="carry on", session=boss), "COMMAND_SENT")
check(state(QUEUED, ("SUCCESS",)).get("output") == {"filled": {"kg": 120}}, "resumed to SUCCESS")
last = ok(admin.importUpstream(activeRuns="enqueue", session=boss), "UPSTREAM_IMPORTED") or {}
check(last.get("runs") == 0 and last.get("enqueued") == 0 and last.get("skipped") == 5,
      "and once more: nothing", last)
finish()
