"""The console's Recipes page (console/recipes.py) on CPython: version
dropdowns, loading a version into the editor, and the checks before a save
or a status change; and the Admin page's report of a 0.3.6 import. The same calls against a gateway are in
tests/scenarios/upstream_import.py."""
import json
import os
import sys

from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from exchange.workflows.console import admin, recipes  # noqa: E402

LISTED = {"ok": True, "data": [{"templateName": "shift", "templateVersion": 2, "status": "active"},
                               {"templateName": "shift", "templateVersion": 1,
                                "status": "obsolete"}]}


def test_versions_are_offered_with_their_status_and_read_back():
    options = recipes.versionOptions(LISTED, recipes.TEMPLATE)
    assert [o["label"] for o in options] == ["shift v2 (active)", "shift v1 (obsolete)"]
    assert recipes.versionChoice(options[1]["value"]) == {"name": "shift", "version": 1}
    enums = recipes.versionOptions({"ok": True, "data": [{"enumName": "Tanks", "enumVersion": 3,
                                                          "status": "active"}]}, recipes.ENUM)
    assert enums[0]["label"] == "Tanks v3 (active)"
    assert recipes.versionOptions({"ok": False}, recipes.ENUM) == []
    for value in (None, "", "{", json.dumps({"name": "x", "version": "2"})):
        assert recipes.versionChoice(value) is None, value


def test_a_loaded_version_fills_the_editor():
    found = {"ok": True, "data": {"templateName": "shift", "templateVersion": 2, "status": "active",
                                  "description": "day", "schema": {"formProps": {"data": {"a": 1}}}}}
    model = recipes.editorModel(found, recipes.TEMPLATE)
    assert model["ok"] and model["name"] == "shift" and json.loads(model["text"]) == {"data": {"a": 1}}
    enum = recipes.editorModel({"ok": True, "data": {"enumName": "Tanks", "enumVersion": 1,
                                                     "values": [{"value": "T1"}]}}, recipes.ENUM)
    assert json.loads(enum["text"]) == [{"value": "T1"}] and enum["description"] == ""
    missing = recipes.editorModel({"ok": False, "code": "TEMPLATE_NOT_FOUND", "message": "no"},
                                  recipes.TEMPLATE)
    assert not missing["ok"] and "TEMPLATE_NOT_FOUND" in missing["message"]


def test_a_save_is_checked_before_it_is_sent():
    ok = recipes.saveRequest({"workflowName": "mix", "name": " shift ", "text": '{"data": {}}',
                              "description": ""}, recipes.TEMPLATE)
    assert ok["args"] == {"workflowName": "mix", "templateName": "shift",
                          "formProps": {"data": {}}, "description": None}
    assert "workflow" in recipes.saveRequest({"name": "s", "text": "{}"}, recipes.TEMPLATE)["message"]
    assert "not valid JSON" in recipes.saveRequest({"name": "s", "text": "{"}, recipes.ENUM)["message"]
    assert "JSON list" in recipes.saveRequest({"name": "s", "text": "{}"}, recipes.ENUM)["message"]
    assert "object" in recipes.saveRequest({"workflowName": "w", "name": "s", "text": "[1]"},
                                           recipes.TEMPLATE)["message"]
    assert "name" in recipes.saveRequest({"text": "[1]"}, recipes.ENUM)["message"]
    enum = recipes.saveRequest({"name": "Tanks", "text": '[{"value": "T1"}]'}, recipes.ENUM)
    assert enum["args"] == {"enumName": "Tanks", "enumValues": [{"value": "T1"}],
                            "description": None}


def test_a_status_change_needs_a_chosen_version():
    value = recipes.versionOptions(LISTED, recipes.TEMPLATE)[0]["value"]
    assert recipes.statusRequest(value, False)["args"] == {"name": "shift", "version": 2,
                                                           "status": "obsolete"}
    assert recipes.statusRequest(value, True)["args"]["status"] == "active"
    assert not recipes.statusRequest("", True)["ok"]


def test_the_admin_page_reports_an_import_in_lines():
    answer = {"ok": True, "code": "UPSTREAM_IMPORTED", "message": "Imported 1 runs.", "data": {
        "more": True, "reported": [{"workflowName": "mix", "workflowId": "w1",
                                    "status": "RUNNING", "reason": "still active"}],
        "failed": [{"workflowId": "w2", "error": "too long"}], "warnings": ["odd template"],
        "retention": {"suggested": {"maxAgeDays": 30.0, "maxRows": 5}}}}
    assert admin.importText(answer).split("\n") == [
        "UPSTREAM_IMPORTED: Imported 1 runs.", "More runs are waiting: press Import again.",
        "Not imported: mix w1 (RUNNING): still active", "Failed: w2: too long",
        "Note: odd template", "0.3.6's retention (not applied): maxAgeDays=30.0, maxRows=5."]
    refused = admin.importText({"ok": False, "code": "UPSTREAM_NOT_FOUND", "message": "none"})
    assert refused.startswith("UPSTREAM_NOT_FOUND")
