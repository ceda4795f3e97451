"""The Run page's links between a parent run and its child runs
(console/runs.py ``familyModel``), on CPython: the Parent run button shows
only for a run a parent started, the children table lists getWorkflow's
children, and the Run view opens either run the way the Runs table does."""
import json
import os
import sys

from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from exchange.workflows.console import runs  # noqa: E402

VIEWS = os.path.join(ROOT, "ignition-project", "com.inductiveautomation.perspective", "views",
                     "exchange", "workflows")


def ok(data):
    return {"ok": True, "code": "WORKFLOW_FOUND", "message": "found", "data": data, "meta": {}}


def view(name):
    with open(os.path.join(VIEWS, name, "view.json")) as f:
        return json.load(f)


def component(v, name):
    (found,) = [c for c in v["root"]["children"] if c["meta"]["name"] == name]
    return found


def test_a_child_run_links_its_parent_and_a_parent_lists_its_children_oldest_first():
    child = runs.runDetail(ok({"workflowId": "c1", "workflowName": "leaf", "status": "RUNNING",
                               "parentId": "p1", "children": []}))
    assert (child["parentId"], child["parentText"]) == ("p1", "Parent run p1")
    assert (child["children"], child["childrenText"]) == ([], "")
    parent = runs.runDetail(ok({
        "workflowId": "p1", "workflowName": "batch", "status": "RUNNING", "parentId": None,
        "children": [{"workflowId": "c1", "workflowName": "leaf", "status": "SUCCESS"},
                     {"workflowId": "c2", "workflowName": "leaf", "status": "ERROR"}]}))
    assert (parent["parentId"], parent["parentText"]) == ("", "")
    assert parent["children"] == [{"workflowId": "c1", "workflowName": "leaf", "status": "SUCCESS"},
                                  {"workflowId": "c2", "workflowName": "leaf", "status": "ERROR"}]
    assert parent["childrenText"] == "Child runs (2)"
    # A clicked child row opens that child, as a row of the Runs table does.
    assert runs.rowWorkflowId(parent["children"][1]) == "c2"


def test_a_run_without_family_or_not_found_shows_neither_link():
    for detail in (runs.runDetail(ok({"workflowId": "a", "status": "SUCCESS"})),
                   runs.runDetail({"ok": False, "code": "WORKFLOW_NOT_FOUND", "message": "no run",
                                   "data": None, "meta": {}}), runs.runDetail(None)):
        assert (detail["parentId"], detail["parentText"], detail["children"],
                detail["childrenText"]) == ("", "", [], "")
    assert runs.familyModel({"parentId": "  ", "children": None})["parentId"] == ""


def test_the_run_view_binds_the_family_links_and_navigates_like_the_runs_table():
    run = view("Run")
    assert set(run["custom"]["run"]) == set(runs.runDetail(None)), \
        "the view's default run holds every key runDetail returns"
    parent = component(run, "ParentRun")
    assert parent["propConfig"]["props.text"]["binding"]["config"]["path"] \
        == "view.custom.run.parentText"
    assert "{view.custom.run.parentId}" in \
        parent["propConfig"]["meta.visible"]["binding"]["config"]["expression"]
    assert parent["events"]["component"]["onActionPerformed"]["config"]["script"] \
        == '\tsystem.perspective.navigate("/workflows/run/" + self.view.custom.run.parentId)'
    table = component(run, "Children")
    assert table["propConfig"]["props.data"]["binding"]["config"]["path"] \
        == "view.custom.run.children"
    assert [c["field"] for c in table["props"]["columns"]] == ["workflowId", "workflowName",
                                                               "status"]
    opened = component(view("Runs"), "RunTable")["events"]["component"]["onRowClick"]
    assert table["events"]["component"]["onRowClick"] == opened
    title = component(run, "ChildrenTitle")
    assert title["propConfig"]["props.text"]["binding"]["config"]["path"] \
        == "view.custom.run.childrenText"
