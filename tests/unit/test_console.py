"""The operator console's presentation rules (console/*.py), on CPython:
which command buttons a status enables, JSON-input validation, filters,
paging, and the rows the views show."""
import os
import sys

import pytest

from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from exchange.workflows.console import actions, admin, format, runs, start  # noqa: E402


def ok(data):
    return {"ok": True, "code": "OK", "message": "fine", "data": data, "meta": {}}


FAILED = {"ok": False, "code": "DATABASE_UNAVAILABLE", "message": "down", "data": None, "meta": {}}


NONE = {"hold": False, "resume": False, "stop": False, "abort": False, "cancel": False}


@pytest.mark.parametrize("status,enabled", [
    # engine/control.py's table: HOLD and RESUME sent to a queued run wait for the claim.
    ("ENQUEUED", {"hold": True, "resume": True, "stop": True, "abort": True, "cancel": True}),
    ("PENDING", {"hold": True, "resume": False, "stop": True, "abort": True, "cancel": True}),
    ("RUNNING", {"hold": True, "resume": False, "stop": True, "abort": True, "cancel": True}),
    ("HELD", {"hold": False, "resume": True, "stop": True, "abort": True, "cancel": True}),
    ("STOPPING", {"hold": False, "resume": False, "stop": False, "abort": True, "cancel": True}),
    ("SUCCESS", NONE), ("ERROR", NONE), ("CANCELLED", NONE), ("STOPPED", NONE),
    ("ABORTED", NONE), ("DEAD_LETTER", NONE), (None, NONE),
])
def test_command_buttons_are_enabled_only_where_the_command_is_valid(status, enabled):
    assert actions.commandButtons(status) == enabled


def test_command_buttons_come_from_the_engines_control_table():
    from exchange.workflows.engine import control
    for status in ("ENQUEUED", "PENDING", "RUNNING", "HELD", "HOLDING", "RESTARTING",
                   "STOPPING", "ABORTING"):
        offered = set(c for c in control.effectiveCommands(status) if c != "RESET")
        shown = set(c.upper() for c, on in actions.commandButtons(status).items() if on)
        assert shown - {"CANCEL"} == offered, status


def test_buttons_need_the_state_and_the_sessions_right_to_send_the_command():
    operator = actions.permissions(ok({"read": True, "hold": True, "stop": True}))
    assert operator == {"read": True, "start": False, "hold": True, "stop": True,
                        "operate": False, "admin": False, "audit": False, "recipes": False}
    assert actions.commandButtons("RUNNING", operator) == {
        "hold": True, "resume": False, "stop": True, "abort": True, "cancel": True}
    holder = dict(operator, stop=False)
    assert actions.commandButtons("HELD", holder) == {
        "hold": False, "resume": True, "stop": False, "abort": False, "cancel": False}
    viewer = actions.permissions(ok({"read": True}))
    assert not any(actions.commandButtons("RUNNING", viewer).values())
    assert not any(actions.permissions(FAILED).values()), "a failed answer allows nothing"
    run = {"workflowId": "abc", "workflowName": "w", "status": "RUNNING"}
    assert runs.runDetail(ok(run), viewer)["buttons"] == NONE
    assert runs.runDetail(ok(run), operator)["buttons"]["hold"]


def test_a_command_needs_a_valid_state_and_a_reason():
    assert actions.commandProblem("HOLD", "RUNNING", "shift change") == ""
    assert "not possible" in actions.commandProblem("RESUME", "RUNNING", "x")
    assert "reason" in actions.commandProblem("CANCEL", "HELD", "   ")
    assert "Unknown" in actions.commandProblem("RESET", "RUNNING", "x")
    assert actions.commandProblem("ABORT", "HELD", "leak") == ""
    assert "not possible" in actions.commandProblem("ABORT", "ABORTED", "x")


def test_json_inputs_are_validated_before_submit():
    assert start.parseInputs("") == {"ok": True, "message": "", "inputs": {}}
    assert start.parseInputs(' {"batch": "B1", "n": 3} ')["inputs"] == {"batch": "B1", "n": 3}
    bad = start.parseInputs('{"batch": ')
    assert not bad["ok"] and "not valid JSON" in bad["message"] and bad["inputs"] is None
    assert "JSON object" in start.parseInputs("[1, 2]")["message"]


def test_start_form_becomes_start_arguments():
    r = start.startRequest({"workflowName": "demo.small", "inputs": '{"duration_s": 2}',
                              "queueName": " ", "partitionKey": "line-1", "priority": "3",
                              "timeoutSeconds": 0})
    assert r["ok"], r
    assert r["args"] == {"workflowName": "demo.small", "inputs": {"duration_s": 2},
                         "queueName": "default", "partitionKey": "line-1", "priority": 3,
                         "timeoutSeconds": None}
    assert start.startRequest({"workflowName": "", "inputs": "{}"})["message"] == "Choose a workflow."
    assert "JSON" in start.startRequest({"workflowName": "w", "inputs": "nope"})["message"]
    assert "whole number" in start.startRequest({"workflowName": "w", "priority": "1.5"})["message"]
    assert start.startRequest({"workflowName": "w", "timeoutSeconds": "90"})["args"][
        "timeoutSeconds"] == 90.0


class JavaDate(object):
    def __init__(self, ms):
        self.ms = ms

    def getTime(self):
        return self.ms


def test_filters_become_list_runs_arguments():
    q = runs.runQuery({"status": "HELD", "workflowName": " demo.small ", "queueName": "",
                          "since": JavaDate(1000), "until": 2000})
    assert dict((k, v) for k, v in q.items() if k != "key") == {
        "status": ["HELD"], "workflowName": "demo.small", "queueName": None, "sinceMs": 1000,
        "untilMs": 2000, "limit": runs.PAGE_SIZE, "offset": 0}
    assert runs.runQuery({"status": "ACTIVE"})["status"] == [
        "ENQUEUED", "PENDING", "RUNNING", "HELD", "HOLDING", "RESTARTING", "STOPPING", "ABORTING"]
    assert set(runs.runQuery({"status": "FINISHED"})["status"]) == {
        "SUCCESS", "ERROR", "CANCELLED", "STOPPED", "ABORTED", "DEAD_LETTER"}
    assert runs.runQuery({})["status"] is None
    assert [o["value"] for o in runs.statusOptions()][:3] == ["", "ACTIVE", "FINISHED"]
    assert {"ENQUEUED", "HELD", "CANCELLED", "STOPPED"} <= set(
        o["value"] for o in runs.statusOptions())


def test_page_offset_applies_only_to_the_filters_it_was_chosen_for():
    filters = {"status": "SUCCESS", "workflowName": "demo"}
    key = runs.runQuery(filters)["key"]
    paged = dict(filters, offset=100, offsetKey=key)
    assert runs.runQuery(paged)["offset"] == 100
    assert runs.runQuery(dict(paged, status="ERROR"))["offset"] == 0
    assert runs.runQuery(dict(paged, offset="junk"))["offset"] == 0


class Qualified(object):
    """A Perspective QualifiedValue as transforms see it."""

    def __init__(self, value):
        self.value = value

    def getValue(self):
        return self.value

    def getQuality(self):
        return "Good"


def test_qualified_values_from_perspective_are_unwrapped():
    q = runs.runQuery({"status": Qualified("HELD"), "since": Qualified(JavaDate(5)),
                          "workflowName": Qualified(None)})
    assert q["status"] == ["HELD"] and q["sinceMs"] == 5 and q["workflowName"] is None
    assert start.startRequest({"workflowName": Qualified("w"), "priority": Qualified(2.0)})[
        "args"]["priority"] == 2


def test_run_list_pages_and_rows():
    rows = [{"workflowId": "w%d" % i, "workflowName": "demo", "status": "SUCCESS",
             "queueName": "default", "createdMs": 0, "startedMs": 1000, "finishedMs": 3500,
             "progress": {"message": "done"}} for i in range(50)]
    model = runs.runList(ok({"rows": rows, "total": 120, "limit": 50, "offset": 50}), "k")
    assert model["key"] == "k" and model["pageText"] == "Runs 51-100 of 120"
    assert model["hasPrevious"] and model["hasNext"]
    assert (model["previousOffset"], model["nextOffset"]) == (0, 100)
    assert model["rows"][0]["duration"] == "2.5 s" and model["rows"][0]["progress"] == "done"
    last = runs.runList(ok({"rows": rows[:20], "total": 120, "limit": 50, "offset": 100}))
    assert not last["hasNext"] and last["pageText"] == "Runs 101-120 of 120"
    assert runs.runList(ok({"rows": [], "total": 0, "limit": 50, "offset": 0}))["pageText"] \
        == "Runs 0-0 of 0"
    failed = runs.runList(FAILED)
    assert failed["rows"] == [] and failed["message"].startswith("DATABASE_UNAVAILABLE")


def test_run_detail_shows_status_json_and_buttons():
    run = {"workflowId": "abc", "workflowName": "demo.small", "status": "HELD",
           "queueName": "default", "inputs": {"duration_s": 2}, "output": None,
           "error": {"type": "ValueError", "message": "bad"}, "progress": {"message": "loop 3/4"},
           "createdMs": 0, "startedMs": 0, "updatedMs": 65000}
    d = runs.runDetail(ok(run))
    assert d["found"] and d["status"] == "HELD" and d["progress"] == "loop 3/4"
    assert d["buttons"] == {"hold": False, "resume": True, "stop": True, "abort": True,
                            "cancel": True}
    assert '"duration_s": 2' in d["inputs"] and d["output"] == "" and "ValueError" in d["error"]
    assert {"name": "Duration", "value": "1 min 05 s"} in d["fields"]
    missing = runs.runDetail(FAILED)
    assert not missing["found"] and not any(missing["buttons"].values())


def test_step_rows_carry_attempts_durations_errors_and_a_timeline():
    steps = [
        {"functionId": 1, "functionName": "a", "attempts": 1, "startedMs": 0, "finishedMs": 1000,
         "durationMs": 1000, "error": None},
        {"functionId": 2, "functionName": "b", "attempts": 3, "startedMs": 1000,
         "finishedMs": 4000, "durationMs": 3000, "error": {"type": "IOError", "message": "boom"}},
    ]
    rows = runs.stepRows(ok(steps))
    assert [r["attempts"] for r in rows] == [1, 3]
    assert rows[1]["outcome"] == "error" and rows[1]["error"] == "boom"
    assert rows[1]["offset"] == "1.0 s" and rows[1]["duration"] == "3.0 s"
    assert rows[0]["timeline"].startswith(u"\u2588") and rows[1]["timeline"].startswith(u"\u00b7")
    assert all(len(r["timeline"]) <= 25 for r in rows)
    assert runs.stepRows(FAILED) == []


def test_commands_events_and_streams_rows():
    cmds = runs.commandRows(ok([{"seq": 1, "cmd": "HOLD", "topic": "cmd", "sender": "op1",
                                    "reason": "jam", "createdMs": 0, "consumedMs": None,
                                    "consumedBy": None}]))
    assert cmds[0]["user"] == "op1" and cmds[0]["reason"] == "jam" and cmds[0]["consumed"] == ""
    assert runs.eventRows(ok({"b": 2, "a": {"x": 1}})) == [
        {"key": "a", "value": '{"x": 1}'}, {"key": "b", "value": "2"}]
    streams = runs.streamRows(ok([{"key": "samples", "offset": 3, "value": 41, "createdMs": 0}]))
    assert streams[0]["offset"] == 3 and streams[0]["value"] == "41"


def test_queue_counts_are_pivoted_per_queue():
    rows = admin.queueRows(ok([{"queueName": "b", "status": "ENQUEUED", "count": 2},
                                 {"queueName": "a", "status": "SUCCESS", "count": 5},
                                 {"queueName": "b", "status": "HELD", "count": 1}]))
    assert [r["queueName"] for r in rows] == ["a", "b"]
    assert rows[1]["ENQUEUED"] == 2 and rows[1]["HELD"] == 1 and rows[1]["active"] == 3
    assert rows[0]["SUCCESS"] == 5 and rows[0]["active"] == 0


def test_maintenance_changes_need_a_reason():
    assert admin.maintenanceProblem(None, "") == ""
    assert "reason" in admin.maintenanceProblem("drain", " ")
    assert admin.maintenanceProblem("cancel", "line stop") == ""
    assert "Unknown" in admin.maintenanceProblem("pause", "x")


def test_retention_form_and_maintenance_text():
    current = ok({"maxAgeDays": 30, "maxRows": None, "batchSize": 200})
    assert admin.retentionForm(current) == {"maxAgeDays": "30", "maxRows": "", "batchSize": "200"}
    assert admin.retentionForm(FAILED)["batchSize"] == "500"
    assert "30 days" in admin.retentionText(current) and "no row limit" in admin.retentionText(
        current)
    assert admin.retentionRequest({"maxAgeDays": "30", "maxRows": "", "batchSize": None}) == {
        "ok": True, "message": "", "args": {"maxAgeDays": 30, "maxRows": None, "batchSize": 500}}
    assert admin.retentionRequest({"maxAgeDays": 0.5})["args"]["maxAgeDays"] == 0.5
    assert not admin.retentionRequest({"maxRows": "-1"})["ok"]
    assert not admin.retentionRequest({"maxRows": "many"})["ok"]
    assert admin.maintenanceText(ok({"mode": None})).startswith("Normal operation")
    text = admin.maintenanceText(ok({"mode": "drain", "reason": "upgrade", "updatedBy": "op",
                                       "updatedMs": 0}))
    assert "drain" in text and "upgrade" in text and "op" in text


def test_diagnostics_rows_cover_pool_depth_and_last_dispatch():
    rows = admin.diagnosticsRows(ok({
        "pool": {"size": 2, "active": 1, "max": 4, "completed": 9}, "inMemoryDepth": 7,
        "running": ["x"], "lastDispatch": {"tsMs": 0, "durationMs": 12, "claimed": 3,
                                           "recovered": 0, "flushed": 1, "maintenance": None},
        "registered": ["demo.small"], "generation": 1, "settings": {"maxWorkers": 4},
        "counters": {"dispatches": 5}}))
    values = dict((r["name"], r["value"]) for r in rows)
    assert values["Worker pool"].startswith("1 active of 2 (max 4)")
    assert values["In-memory queue depth"] == "7"
    assert "3 claimed" in values["Last dispatch"] and "12 ms" in values["Last dispatch"]
    assert values["Setting maxWorkers"] == "4" and values["Counter dispatches"] == "5"
    assert admin.diagnosticsRows(FAILED)[0]["value"].startswith("DATABASE_UNAVAILABLE")


def test_small_helpers():
    listed = ok({"options": [{"label": "a", "value": "a"}], "count": 1})
    assert format.options(listed) == [{"label": "a", "value": "a"}]
    assert format.options(ok({"options": [], "count": 0})) == []
    assert format.options(FAILED) == []
    assert runs.rowWorkflowId({"workflowId": "x"}) == "x" and runs.rowWorkflowId(None) is None
    assert format.toMillis("") is None and format.toMillis("1500") == 1500
    assert format.formatDuration(7384000) == "2 h 03 min"
    assert format.envelopeText(FAILED) == "DATABASE_UNAVAILABLE: down"


def test_run_detail_says_what_a_released_run_waits_for():
    base = {"workflowId": "w", "workflowName": "demo.small", "status": "RUNNING",
            "createdMs": 0, "startedMs": 0}
    waiting = dict(base, waitingFor="PROMPT", releasedMs=1000, wakeMs=None)
    value = [f["value"] for f in runs.runDetail(ok(waiting))["fields"]
             if f["name"] == "Waiting for"][0]
    assert value.startswith("an operator's answer, no worker thread since ")
    assert "wakes by" not in value
    sleeping = dict(base, waitingFor="SLEEP", releasedMs=1000, wakeMs=61000)
    value = [f["value"] for f in runs.runDetail(ok(sleeping))["fields"]
             if f["name"] == "Waiting for"][0]
    assert "wakes by " in value
    running = runs.runDetail(ok(base))["fields"]
    assert {"name": "Waiting for", "value": ""} in running
