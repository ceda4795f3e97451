"""The console's recipe start (console/start.py) on CPython: the template
dropdown, the Form a chosen template shows, and the startWithTemplate
arguments built from it. The same calls against a gateway are in
tests/scenarios/upstream_import.py."""
import json
import os
import sys

from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from exchange.workflows.console import start  # noqa: E402

ROW = {"workflowName": "mix", "templateName": "shift", "templateVersion": 3, "status": "active"}
FORM = {"name": "mix.shift", "data": {"batch": 9, "tank": "t1"},
        "columns": {"items": [{"rows": {"items": [{"widgets": [
            {"id": "batch", "type": "number"},
            {"id": "tank", "type": "dropdown", "dropdown": {"options": [
                {"label": "Tank 1", "value": "t1"}]}}]}]}}]}}
EXPANDED = {"ok": True, "code": "TEMPLATE_EXPANDED", "message": "", "data": dict(
    ROW, description="day shift", schema={"formProps": FORM,
                                          "meta": {"defaultData": {"batch": 9, "tank": "t1"}}})}


def test_the_template_dropdown_offers_a_start_without_a_template_first():
    envelope = {"ok": True, "data": {"options": [{"label": "shift v3", "value": json.dumps(ROW)}]}}
    options = start.templateOptions(envelope)
    assert options[0] == {"label": "No template (inputs as JSON)", "value": start.NO_TEMPLATE}
    assert start.templateChoice(options[1]["value"]) == {"templateName": "shift",
                                                         "templateVersion": 3}
    assert start.templateOptions({"ok": False, "code": "NOT_AUTHORIZED"}) == options[:1]
    for value in (start.NO_TEMPLATE, None, "{not json", "[1]", json.dumps({"templateName": " "})):
        assert start.templateChoice(value) is None, value


def test_a_chosen_template_shows_its_form_and_values():
    form = start.recipeForm(EXPANDED)
    assert form["active"] and form["ok"] and form["templateName"] == "shift"
    assert form["columns"] == FORM["columns"] and form["data"] == FORM["data"]
    assert form["baseData"] == {"batch": 9, "tank": "t1"} and form["name"] == "mix.shift"
    assert not start.recipeForm(None)["active"]
    refused = start.recipeForm({"ok": False, "code": "TEMPLATE_NOT_FOUND", "message": "gone"})
    assert refused["active"] and not refused["ok"] and "TEMPLATE_NOT_FOUND" in refused["message"]
    odd = dict(EXPANDED, data=dict(EXPANDED["data"], schema={"formProps": None}))
    assert not start.recipeForm(odd)["ok"]


def test_a_recipe_start_passes_only_the_changed_values_and_the_options():
    form = start.recipeForm(EXPANDED)
    request = start.recipeStartRequest({
        "workflowName": "mix", "recipe": form, "overrides": {"ok": True, "data": {"batch": 11}},
        "queueName": " line1 ", "partitionKey": "", "priority": "2", "timeoutSeconds": "0"})
    assert request == {"ok": True, "message": "", "args": {
        "workflowName": "mix", "templateName": "shift", "templateVersion": 3,
        "overridesData": {"batch": 11}, "queueName": "line1", "partitionKey": None,
        "priority": 2, "timeoutSeconds": None}}


def test_a_recipe_start_says_what_is_missing():
    form = start.recipeForm(EXPANDED)
    base = {"workflowName": "mix", "recipe": form, "overrides": {"ok": True, "data": {}}}
    assert start.recipeStartRequest(dict(base, workflowName=""))["message"] == "Choose a workflow."
    assert "template" in start.recipeStartRequest(dict(base, recipe=start.recipeForm(None)))["message"]
    bad = start.recipeStartRequest(dict(base, overrides={"ok": False, "code": "INVALID_ARGUMENTS",
                                                         "message": "no"}))
    assert not bad["ok"] and "INVALID_ARGUMENTS" in bad["message"]
    assert start.recipeStartRequest(dict(base, priority="high"))["message"] == \
        "Priority must be a whole number."
