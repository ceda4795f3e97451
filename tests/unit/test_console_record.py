"""The Run page's record actions (console/record.py), on CPython: which of
Resume run, Fork, Export and Keep a run's status and the session's rights
enable, what the popup's form must hold before the service is called, and
what the page shows and downloads from the service's answers."""
import csv
import io
import json
import os
import sys

import pytest

from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from exchange.workflows.console import actions, record, runs  # noqa: E402

OPERATOR = {"read": True, "start": True, "hold": True, "stop": True, "operate": True,
            "admin": False, "audit": False}
VIEWER = dict((k, k == "read") for k in OPERATOR)


def ok(code, data):
    return {"ok": True, "code": code, "message": "done", "data": data, "meta": {}}


def refused(code, message):
    return {"ok": False, "code": code, "message": message, "data": None, "meta": {}}


@pytest.mark.parametrize("status,resumeRun,fork", [
    ("ERROR", True, True), ("CANCELLED", True, True), ("STOPPED", True, True),
    ("ABORTED", True, True), ("DEAD_LETTER", True, True), ("SUCCESS", False, True),
    ("RUNNING", False, False), ("HELD", False, False), ("ENQUEUED", False, False),
])
def test_resume_is_for_runs_that_ended_badly_and_fork_for_any_ended_run(status, resumeRun, fork):
    buttons = record.recordButtons({"status": status}, OPERATOR)
    assert (buttons["resumeRun"], buttons["fork"]) == (resumeRun, fork)
    assert buttons["export"] and buttons["keep"], "export and keep work for any run"


def test_each_record_button_needs_its_policy_right():
    run = {"status": "ERROR"}
    assert record.recordButtons(run, dict(OPERATOR, hold=False))["resumeRun"] is False
    assert record.recordButtons(run, dict(OPERATOR, start=False))["fork"] is False
    assert record.recordButtons(run, dict(OPERATOR, operate=False))["keep"] is False
    viewer = record.recordButtons(run, VIEWER)
    assert viewer["export"] and not (viewer["resumeRun"] or viewer["fork"] or viewer["keep"])
    assert not any(v for k, v in record.recordButtons(None, OPERATOR).items()
                   if k not in ("keepAction", "keepTitle")), "no run, no button"
    failed = actions.permissions(refused("DATABASE_UNAVAILABLE", "down"))
    assert not record.recordButtons(run, failed)["export"]


def test_the_keep_toggle_releases_a_kept_run_and_shows_who_kept_it():
    kept = {"status": "SUCCESS", "retentionHold": True, "retentionHoldBy": "operator1",
            "retentionHoldReason": "deviation D-12", "retentionHoldMs": 1700000000000}
    buttons = record.recordButtons(kept, OPERATOR)
    assert (buttons["keepAction"], buttons["keepTitle"]) == ("release", "Release record")
    assert record.recordButtons({"status": "SUCCESS"}, OPERATOR)["keepAction"] == "keep"
    text = record.keepText(kept)
    assert text.startswith("Kept from retention by operator1 at ") and \
        text.endswith(": deviation D-12")
    released = dict(kept, retentionHold=False, retentionHoldReason=None)
    assert record.keepText(released).startswith("Released to retention by operator1 at ")
    assert not record.keepText(released).endswith(":")
    assert record.keepText({"status": "SUCCESS", "retentionHold": False}) == ""


def test_run_details_carry_the_record_buttons_and_lineage():
    run = {"workflowId": "new1", "workflowName": "w", "status": "ERROR", "resumedCount": 2,
           "forkedFrom": "old1", "forkedFromStep": 3, "retentionHold": True,
           "retentionHoldBy": "operator1", "retentionHoldReason": "keep", "retentionHoldMs": 0}
    detail = runs.runDetail(ok("WORKFLOW_FOUND", run), OPERATOR)
    fields = dict((f["name"], f["value"]) for f in detail["fields"])
    assert fields["Resumed"] == "2" and fields["Forked from"] == "old1 from step 3"
    assert detail["kept"] == fields["Retention"] and detail["kept"].startswith("Kept")
    assert detail["record"]["resumeRun"] and detail["record"]["keepAction"] == "release"
    plain = runs.runDetail(ok("WORKFLOW_FOUND", {"workflowId": "a", "status": "SUCCESS"}))
    fields = dict((f["name"], f["value"]) for f in plain["fields"])
    assert fields["Resumed"] == fields["Forked from"] == fields["Retention"] == ""
    missing = runs.runDetail(refused("WORKFLOW_NOT_FOUND", "no run"))
    assert not missing["record"]["export"] and missing["kept"] == ""


def test_the_selected_step_row_prefills_the_fork_step():
    assert record.selectedStep([{"step": 4, "name": "dose"}]) == 4
    assert record.selectedStep([{"step": "7"}]) == 7
    assert record.selectedStep([]) is None
    assert record.selectedStep(None) is None
    assert record.selectedStep([{"name": "no number"}]) is None
    assert record.selectedStep([{"step": "x"}]) is None


def test_resume_needs_an_ended_run_and_a_reason():
    request = record.recordRequest("resume", "ERROR", {"reason": " pump fixed "})
    assert request == {"ok": True, "message": "", "args": {"reason": "pump fixed"}}
    assert "ERROR" in record.recordRequest("resume", "SUCCESS", {"reason": "x"})["message"]
    assert "reason" in record.recordRequest("resume", "STOPPED", {"reason": "  "})["message"]
    assert not record.recordRequest("resume", "RUNNING", {"reason": "x"})["ok"]
    assert "Unknown" in record.recordRequest("delete", "ERROR", {"reason": "x"})["message"]


def test_a_fork_needs_a_step_number_and_takes_optional_inputs():
    form = {"reason": "redo report", "fromStep": "3", "inputs": ""}
    assert record.recordRequest("fork", "SUCCESS", form)["args"] == {
        "reason": "redo report", "fromStep": 3, "inputs": None}
    given = record.recordRequest("fork", "ERROR", dict(form, fromStep=0, inputs='{"lot": "L2"}'))
    assert given["args"]["fromStep"] == 0 and given["args"]["inputs"] == {"lot": "L2"}
    for step in (None, "", "-1", "2.5", "two"):
        bad = record.recordRequest("fork", "ERROR", dict(form, fromStep=step))
        assert not bad["ok"] and "From step" in bad["message"], step
    assert "JSON" in record.recordRequest("fork", "ERROR", dict(form, inputs="{oops"))["message"]
    assert "object" in record.recordRequest("fork", "ERROR", dict(form, inputs="[1]"))["message"]
    assert "ended" in record.recordRequest("fork", "RUNNING", form)["message"]


def test_keep_and_release_send_the_hold_flag_with_a_reason():
    assert record.recordRequest("keep", "RUNNING", {"reason": "deviation"})["args"] == {
        "reason": "deviation", "hold": True}
    assert record.recordRequest("release", "SUCCESS", {"reason": "closed"})["args"]["hold"] \
        is False
    assert not record.recordRequest("keep", "SUCCESS", {})["ok"]


def test_the_outcome_shows_the_envelope_and_a_forks_new_run():
    forked = record.recordOutcome("fork", ok("WORKFLOW_FORKED", {"workflowId": "n2",
                                                                 "forkedFrom": "o1"}))
    assert forked["ok"] and forked["workflowId"] == "n2"
    assert forked["message"] == "WORKFLOW_FORKED: done New run: n2"
    resumed = record.recordOutcome("resume", ok("WORKFLOW_RESUMED", {"workflowId": "o1"}))
    assert resumed == {"ok": True, "message": "WORKFLOW_RESUMED: done", "workflowId": None}
    no = record.recordOutcome("resume", refused("WORKFLOW_NOT_RESUMABLE", "it is active"))
    assert no == {"ok": False, "message": "WORKFLOW_NOT_RESUMABLE: it is active",
                  "workflowId": None}


def test_an_export_is_offered_as_a_download_with_its_content_type():
    content = "atMs,kind,name,value,who,reason\r\n1,run,inputs,{},,\r\n"
    down = record.exportDownload(ok("RUN_EXPORTED", {"format": "csv", "fileName": "run-a.csv",
                                                     "content": content}))
    assert down["ok"] and down["fileName"] == "run-a.csv" and down["content"] == content
    assert down["contentType"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(down["content"])))[0][1] == "kind"
    doc = json.dumps({"run": {"workflowId": "a"}})
    down = record.exportDownload(ok("RUN_EXPORTED", {"format": "json", "fileName": "run-a.json",
                                                     "content": doc}))
    assert down["contentType"].startswith("application/json") and json.loads(down["content"])
    big = record.exportDownload(refused("EXPORT_TOO_LARGE", "too many records"))
    assert not big["ok"] and big["fileName"] is None and "EXPORT_TOO_LARGE" in big["message"]


def test_run_details_show_the_running_handler_and_the_last_handler_error():
    run = {"workflowId": "h1", "workflowName": "w", "status": "HOLDING",
           "handler": {"name": "onHold", "startedMs": 0, "transition": 1},
           "handlerError": {"handler": "onResume", "type": "ValueError", "message": "valve"}}
    fields = dict((f["name"], f["value"])
                  for f in runs.runDetail(ok("WORKFLOW_FOUND", run), OPERATOR)["fields"])
    assert fields["Handler"].startswith("onHold since ")
    assert fields["Handler error"] == "onResume: ValueError: valve"
    plain = runs.runDetail(ok("WORKFLOW_FOUND", {"workflowId": "a", "status": "RUNNING"}))
    fields = dict((f["name"], f["value"]) for f in plain["fields"])
    assert fields["Handler"] == fields["Handler error"] == ""
