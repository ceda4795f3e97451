"""Recipes (issue 13 item 3): parameter templates and enums through
ignition-workflows 0.3.6's ``api.params`` calls, and the envelope functions
of ``api.recipes`` under them.

Checked: every api.params function with 0.3.6's arguments and return
shapes; versions (two first versions saved at once become 1 and 2); active
and obsolete versions in lists and gets; a template refused at save time
for a parameter its workflow does not take, a required one missing, an
unregistered workflow or an unknown enum; enum options expanded per widget
type; resolveInputs' merge, errors and enum warnings; startWithTemplate
records the run's paramSource (getWorkflow shows it) and uses the newest
active version, never a newer obsolete one, unless asked; a viewer may read
but not save, an operator may start but not save, an administrator's saves
are audited."""
from __future__ import print_function

import json
import threading

import exchange.workflows.api.admin as admin
import exchange.workflows.api.params as params
import exchange.workflows.api.recipes as recipes
import exchange.workflows.api.security as security
import gwsim
from exchange.workflows.bootstrap import workflow
from wfkit import bad, check, finish, ok, svc, wait_status

UPSTREAM_TEMPLATE_ROW = set(["workflowName", "templateName", "templateVersion", "status",
                             "description", "createdBy", "createdAt"])
UPSTREAM_ENUM_ROW = set(["enumName", "enumVersion", "status", "description", "createdBy",
                         "createdAtEpochMs", "createdAt"])


@workflow(name="r.mix")
def mix(line, speed=1, mode="AUTO", grade=None):
    return {"line": line, "speed": speed, "mode": mode, "grade": grade}


@workflow(name="r.any")
def anything(**inputs):
    return {"keys": sorted(inputs)}


def form(data, *widgets):
    """Perspective Form props as the Designer saves them (0.3.6's layout)."""
    return {"name": "designer.form", "validation": {"isValid": True},
            "columns": {"items": [{"rows": {"items": [{"widgets": list(widgets)}]}}]},
            "data": data}


def text(wid):
    return {"id": wid, "type": "text"}


def enumWidget(wid, kind, ref):
    key = "label" if kind == "dropdown" else "text"
    return {"id": wid, "type": kind, kind: {"options": [{key: ref, "value": "__enum__"}]}}


MODES = [{"label": "Auto", "value": "AUTO", "isDisabled": False},
         {"label": "Manual", "value": "MANUAL", "isDisabled": False}]
MIX_V1 = form({"line": "L1", "speed": 5, "mode": "AUTO"}, text("line"), text("speed"),
              enumWidget("mode", "dropdown", "@enum:Mode"))
MIX_V2 = form({"line": "L2", "speed": 5, "mode": "AUTO"}, text("line"), text("speed"),
              enumWidget("mode", "dropdown", "@enum:Mode"),
              enumWidget("grade", "radio", "@enum:Grade:1"))

# -- enums: versions, statuses, lists, deletes ----------------------------------------------------
r = params.createEnumVersion("Mode", MODES, description="run mode", createdBy="eng1")
check(r == {"ok": True, "enumVersion": 1}, "first enum version", r)
r = params.createEnumVersion(enumName="Mode", enumValues=MODES + [{"label": "Turbo", "value": "TURBO"}],
                             description="with turbo", createdBy="eng1", activate=True)
check(r == {"ok": True, "enumVersion": 2}, "second enum version", r)
check(params.createEnumVersion("Grade", [{"label": "A", "value": "A"}, {"label": "B", "value": "B"}])
      == {"ok": True, "enumVersion": 1}, "Grade v1")
mode = params.getEnum("Mode")
check(mode["enumVersion"] == 2 and [v["value"] for v in mode["values"]] == ["AUTO", "MANUAL", "TURBO"]
      and mode["values"][2]["isDisabled"] is False and mode["createdBy"] == "eng1"
      and mode["createdAt"] and isinstance(mode["createdAtEpochMs"], (int, long)),  # noqa: F821
      "getEnum: newest active version, values normalized", mode)
r = params.setEnumStatus("Mode", 2, "inactive", actor="eng2")
check(r == {"ok": True, "rows": 1, "actor": "eng2", "status": "obsolete"}, "inactive is obsolete", r)
check(params.getEnum("Mode")["enumVersion"] == 1, "getEnum skips an obsolete newest version")
check(params.getEnum("Mode", activeOnly=False)["enumVersion"] == 2, "activeOnly=False: newest of all")
check(params.getEnum("Mode", 2)["status"] == "obsolete", "an explicit version, obsolete or not")
rows = params.listEnums()
check([(e["enumName"], e["enumVersion"]) for e in rows] == [("Grade", 1), ("Mode", 1)]
      and all(set(e) == UPSTREAM_ENUM_ROW for e in rows), "listEnums: latest active per name", rows)
check([e["enumVersion"] for e in params.listEnums(status=None, latestOnly=False)
       if e["enumName"] == "Mode"] == [2, 1], "listEnums(status=None, latestOnly=False): all, newest first")
check([(e["enumName"], e["enumVersion"]) for e in params.listEnums(status="obsolete")] == [("Mode", 2)],
      "listEnums(status='obsolete')")
check(params.setEnumStatus("Mode", 1, "deleted") == {"ok": False, "error": "invalid_status"},
      "an unknown status is refused, not made obsolete")
check(params.createEnumVersion("Bad", [{"label": "no value"}])["ok"] is False, "values need a value")
check(params.createEnumVersion("", MODES) == {"ok": False, "error": "enumName_required"},
      "an empty name answers 0.3.6's error text instead of raising")
check(params.getEnum("") is None and params.listEnums(status="bogus") == [], "refused reads: None, []")
params.createEnumVersion("Tmp", MODES)
params.createEnumVersion("Tmp", MODES)
check(params.deleteEnumVersion("Tmp", 1, actor="eng1") == {"ok": True, "rows": 1, "actor": "eng1"},
      "deleteEnumVersion")
check(params.deleteEnum("Tmp") == {"ok": True, "rows": 1, "actor": "gateway"}, "deleteEnum")
check(params.getEnum("Tmp", activeOnly=False) is None, "deleted for good")

# -- templates: save, versions, statuses, lists ---------------------------------------------------
r = params.createTemplateVersion("r.mix", "standard", MIX_V1, description="v1", createdBy="eng1")
check(r == {"ok": True, "templateVersion": 1}, "first template version", r)
r = params.createTemplateVersion(workflowName="r.mix", templateName="standard",
                                 formProps=json.dumps(MIX_V2), description="v2", createdBy="eng1",
                                 activate=True)
check(r == {"ok": True, "templateVersion": 2}, "JSON text props: second version", r)
tpl = params.getTemplate("r.mix", "standard")
props, meta = tpl["schema"]["formProps"], tpl["schema"]["meta"]
check(tpl["templateVersion"] == 2 and props["name"] == "r.mix.standard" and "validation" not in props
      and props["data"]["grade"] is None and meta["paramKeys"] == ["line", "speed", "mode", "grade"]
      and meta["enumRefs"] == {"mode": {"enumName": "Mode", "enumVersion": None},
                               "grade": {"enumName": "Grade", "enumVersion": 1}}
      and meta["defaultData"]["line"] == "L2" and tpl["createdAt"], "getTemplate: stored schema", tpl)
rows = params.listTemplates("r.mix")
check([(t["templateName"], t["templateVersion"]) for t in rows] == [("standard", 2)]
      and set(rows[0]) == UPSTREAM_TEMPLATE_ROW and rows[0]["createdBy"] == "eng1",
      "listTemplates: 0.3.6's keys, latest version", rows)
r = params.setTemplateStatus("r.mix", "standard", 2, "obsolete", actor="eng2")
check(r == {"ok": True, "rows": 1, "actor": "eng2", "status": "obsolete"}, "setTemplateStatus", r)
check([t["templateVersion"] for t in params.listTemplates("r.mix")] == [1],
      "listTemplates: the newest active version")
check([t["templateVersion"] for t in params.listTemplates("r.mix", status="obsolete")] == [2],
      "listTemplates(status='obsolete')")
check([t["templateVersion"] for t in params.listTemplates("r.mix", None, False)] == [2, 1],
      "listTemplates(None, False): every version, newest first")
check(params.getTemplate("r.mix", "standard")["templateVersion"] == 1
      and params.getTemplate("r.mix", "standard", activeOnly=False)["templateVersion"] == 2
      and params.getTemplate("r.mix", "standard", "2")["status"] == "obsolete",
      "getTemplate: newest active by default; activeOnly=False; a version as text")
check(params.setTemplateActive("r.mix", "standard", 2, True)["status"] == "active"
      and params.setTemplateActive("r.mix", "standard", 2, False)["status"] == "obsolete",
      "setTemplateActive flips the status")
check(params.setTemplateStatus("r.mix", "standard", 9, "active")["rows"] == 0, "no such version: 0 rows")
check(params.setTemplateStatus("r.mix", "standard", 1, "retired") ==
      {"ok": False, "error": "invalid_status"}, "unknown template status refused")
options = params.getTemplateDropdownOptions("r.mix")
check(len(options) == 1 and options[0]["label"] == "standard v1"
      and json.loads(options[0]["value"]) == params.listTemplates("r.mix")[0],
      "dropdown options: label and the listed row as JSON", options)
check(params.listTemplates("") == [] and params.getTemplate(None, "x") is None
      and params.createTemplateVersion(" ", "x", MIX_V1) == {"ok": False, "error": "workflowName_required"},
      "empty names: [], None, workflowName_required")

# -- the template is checked against the workflow when saved ---------------------------------------
for props_, error in ((form({}, text("line"), text("temperature")), "param_not_in_workflow:temperature"),
                      (form({}, text("speed")), "required_param_missing:line"),
                      (form({}, text("line"), enumWidget("mode", "dropdown", "@enum:Nope")),
                       "enum_not_found:Nope"),
                      (form({}, text("line"), enumWidget("mode", "toggle", "@enum:Mode:7")),
                       "enum_not_found:Mode")):
    r = params.createTemplateVersion("r.mix", "bad", props_)
    check(r == {"ok": False, "error": error}, "refused at save: %s" % error, r)
check(params.getTemplate("r.mix", "bad", activeOnly=False) is None, "a refused template is not stored")
check(params.createTemplateVersion("no.such.workflow", "t", MIX_V1) ==
      {"ok": False, "error": "workflow_not_registered"}, "an unregistered workflow is refused")
env = recipes.createTemplateVersion("r.mix", "bad", form({}, text("line"), text("temperature")))
bad(env, "TEMPLATE_INVALID", "envelope code")
check("temperature" in env["message"] and env["data"] == {"error": "param_not_in_workflow:temperature"},
      "the envelope says which parameter", env)
check(params.createTemplateVersion("r.any", "free", form({"temperature": 80}, text("temperature")))
      == {"ok": True, "templateVersion": 1}, "a **kwargs workflow takes any parameter")

# -- two first versions saved at the same moment become 1 and 2 -----------------------------------
def save(name, gate, results):
    gate.wait(10)
    results.append(params.createTemplateVersion("r.any", "race%d" % name,
                                                form({"a": name}, text("a"))))
    results.append(params.createEnumVersion("Race%d" % name, MODES))


for round_ in range(3):
    gate, results = threading.Event(), []
    workers = [threading.Thread(target=save, args=(round_, gate, results)) for _ in range(2)]
    for w in workers:
        w.start()
    gate.set()
    for w in workers:
        w.join(60)
    versions = sorted(r.get("templateVersion") for r in results if "templateVersion" in r)
    enums = sorted(r.get("enumVersion") for r in results if "enumVersion" in r)
    check(all(r["ok"] for r in results) and versions == [1, 2] and enums == [1, 2],
          "concurrent first versions are 1 and 2 (round %d)" % round_, results)

# -- enum options expanded for the view ------------------------------------------------------------
shown = params.expandTemplateForUi(params.getTemplate("r.mix", "standard", 2))
widgets = shown["schema"]["formProps"]["columns"]["items"][0]["rows"]["items"][0]["widgets"]
check(widgets[2]["dropdown"]["options"] == MODES and widgets[3]["radio"]["options"] ==
      [{"text": "A", "value": "A"}, {"text": "B", "value": "B"}]
      and shown["schema"]["meta"]["enumVersions"] == {"Mode": 1, "Grade": 1},
      "dropdown and radio options from the enums' active versions", widgets)
check(params.expandTemplateForUi(None) is None, "expandTemplateForUi(None) is None")

# -- resolveInputs ---------------------------------------------------------------------------------
r = params.resolveInputs("r.mix", "standard", {"speed": 9})
check(r == {"ok": True, "errors": [], "warnings": [], "inputs": {
    "resolved": {"line": "L1", "speed": 9, "mode": "AUTO"},
    "paramSource": {"template": {"name": "standard", "version": 1}, "overrides": ["speed"],
                    "actor": "admin"}}}, "resolveInputs: defaults of the newest active version", r)
r = params.resolveInputs("r.mix", "standard", {"mode": "TURBO", "grade": "C"}, templateVersion=2,
                         actor="eng1")
check(r["ok"] and r["inputs"]["paramSource"]["template"]["version"] == 2
      and r["warnings"] == ["value_not_in_enum:grade", "value_not_in_enum:mode"],
      "an explicit obsolete version resolves; values outside the enum are warned about", r)
check(params.resolveInputs("r.mix", "standard", {"bogus": 1}) == {
    "ok": False, "inputs": None, "errors": ["override_key_not_in_template:bogus"], "warnings": []},
    "an override the template lacks is refused")
check(params.resolveInputs("r.mix", "nope")["errors"] == ["template_not_found"], "template_not_found")
check(params.resolveInputs("r.mix", None, {"line": "X"})["inputs"] ==
      {"resolved": {"line": "X"}, "paramSource": None}, "no template: the overrides themselves")

# -- startWithTemplate records the run's paramSource ------------------------------------------------
r = params.startWithTemplate("r.mix", "standard", {"speed": 9}, actor="shift-a")
check(r["ok"] and r["workflowId"] and r["code"] == "WORKFLOW_ENQUEUED"
      and r["inputs"]["paramSource"]["template"] == {"name": "standard", "version": 1},
      "startWithTemplate starts with the newest active version", r)
run = wait_status(r["workflowId"], "SUCCESS", 60)
check(run["output"] == {"line": "L1", "speed": 9, "mode": "AUTO", "grade": None}
      and run["paramSource"] == {"template": {"name": "standard", "version": 1},
                                 "overrides": ["speed"], "actor": "shift-a"},
      "the run used v1's defaults (v2 is obsolete) and records its paramSource", run)
r = params.startWithTemplate("r.mix", "standard", templateVersion=2, queueName="default", priority=0)
run = wait_status(r["workflowId"], "SUCCESS", 60)
check(run["output"]["line"] == "L2" and run["paramSource"]["template"]["version"] == 2,
      "an explicit obsolete version is used when asked for", run)
check(params.startWithTemplate("r.mix", "nope")["errors"] == ["template_not_found"]
      and params.startWithTemplate("r.mix", "nope")["ok"] is False, "no template: nothing started")
plain = ok(svc.start("r.mix", {"line": "L9"}), "WORKFLOW_ENQUEUED")["workflowId"]
check(wait_status(plain, "SUCCESS", 60)["paramSource"] is None, "a plain start has no paramSource")
own = ok(svc.start("r.mix", {"resolved": {"line": "L7"}, "paramSource": {
    "template": {"name": "hand", "version": 3}, "overrides": [], "actor": "x"}}),
    "WORKFLOW_ENQUEUED")["workflowId"]
check(wait_status(own, "SUCCESS", 60)["paramSource"]["template"]["name"] == "hand",
      "0.3.6-style inputs {resolved, paramSource} given to start keep their paramSource")
bad(svc.start("r.mix", {"resolved": {"line": "L7"}, "paramSource": "text"}), "INVALID_ARGUMENTS",
    "a paramSource that is not a dict")

# -- copy and delete ---------------------------------------------------------------------------------
r = params.copyTemplateToWorkflow("r.mix", "standard", "r.any", newTemplateName="copied")
check(r == {"ok": True, "templateVersion": 1}, "copyTemplateToWorkflow", r)
copied = params.getTemplate("r.any", "copied")
check(copied["schema"]["formProps"]["name"] == "r.any.copied"
      and copied["description"] == "Copied from r.mix.standard v2", "copy renamed and described", copied)
check(params.copyTemplateToWorkflow("r.mix", "nope", "r.any") ==
      {"ok": False, "error": "template_not_found"}, "copying nothing")
check(params.deleteTemplateVersion("r.any", "copied", 1) == {"ok": True, "rows": 1, "actor": "gateway"},
      "deleteTemplateVersion")
check(params.deleteTemplate("r.mix", "standard", actor="eng1") ==
      {"ok": True, "rows": 2, "actor": "eng1"}, "deleteTemplate deletes every version")
check(params.listTemplates("r.mix", None, False) == [], "nothing left")

# -- authorization and audit -------------------------------------------------------------------------
viewer = gwsim.openSession("viewer1", ["Viewer"])
operator = gwsim.openSession("op1", ["Operator"])
boss = gwsim.openSession("admin1", ["Administrator"])
engineer = gwsim.openSession("eng9", ["Engineer"])
r = params.createEnumVersion("Grade", [{"label": "C", "value": "C"}], session=engineer)
check(r == {"ok": True, "enumVersion": 2}, "an engineer saves recipes (policy \"recipes\")", r)
bad(admin.checkSchema(session=engineer), "NOT_AUTHORIZED", "without administering the engine")
check(params.setEnumStatus("Grade", 2, "obsolete", actor="x", session=engineer)["ok"] is True,
      "and sets their status")
r = params.createTemplateVersion("r.mix", "shift", MIX_V1, createdBy="mallory", session=boss)
check(r == {"ok": True, "templateVersion": 1}, "an administrator saves", r)
check(params.getTemplate("r.mix", "shift", session=viewer)["createdBy"] == "admin1",
      "createdBy is the session's user, and a viewer reads")
check(params.createTemplateVersion("r.mix", "shift", MIX_V1, session=viewer) ==
      {"ok": False, "error": "not_authorized"}, "a viewer may not save")
bad(recipes.setTemplateStatus("r.mix", "shift", 1, "obsolete", session=operator), "NOT_AUTHORIZED",
    "an operator may not set a status")
check(params.deleteEnum("Mode", session=viewer) == {"ok": False, "error": "not_authorized"},
      "a viewer may not delete an enum")
check(params.getEnum("Mode", session=viewer)["enumVersion"] == 1, "nothing the viewer tried happened")
r = params.startWithTemplate("r.mix", "shift", {"speed": 3}, actor="mallory", session=operator)
run = wait_status(r["workflowId"], "SUCCESS", 60)
check(run["paramSource"]["actor"] == "op1" and run["createdBy"] == "op1",
      "an operator starts; the session's user is the actor", run)
r = gwsim.runPerspectiveScript(operator, lambda self: params.startWithTemplate(
    workflowName="r.mix", templateName="shift", overridesData={"line": "L1", "speed": 4},
    templateVersion=1, actor="from-view", session=self.session))
check(r["ok"] and wait_status(r["workflowId"], "SUCCESS", 60)["paramSource"] == {
    "template": {"name": "shift", "version": 1}, "overrides": ["line", "speed"], "actor": "op1"},
    "0.3.6's Template Editor call from a Perspective script, with session=", r)
forgot = gwsim.runPerspectiveScript(operator, lambda self: params.getTemplateDropdownOptions("r.mix"))
check(forgot == [], "a Perspective script without session= gets nothing", forgot)
r = params.startWithTemplate("r.mix", "shift", session=viewer)
check(r["ok"] is False and r["workflowId"] is None and r["code"] == "NOT_AUTHORIZED",
      "a viewer may not start", r)
audit = ok(security.listAudit(limit=200), "AUDIT_LISTED")["rows"]
saved = [a for a in audit if a["code"] == "TEMPLATE_VERSION_CREATED" and a["userName"] == "admin1"]
check(len(saved) == 1 and saved[0]["action"] == "recipes" and saved[0]["target"] == "template r.mix/shift v1",
      "an administrator's save is audited with user and target", saved)
refused = [a for a in audit if a["userName"] in ("viewer1", "op1") and not a["allowed"]]
check(sorted(a["action"] for a in refused) == ["recipes", "recipes", "recipes", "start"],
      "refusals audited: save, delete, status, start", refused)

finish()
