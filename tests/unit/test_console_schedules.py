"""The console's Schedules page (console/schedules.py) on CPython: the table
with next and last slots, the selected row, the texts after an action, and
the create form's checks. The same calls against a gateway, through the
built project, are in tests/scenarios/project_console.py."""
import os
import sys

from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from exchange.workflows.console import schedules  # noqa: E402
from exchange.workflows.console.format import formatTime  # noqa: E402
from exchange.workflows.engine import schedules as engine  # noqa: E402

NEXT, AFTER, LAST = 1796277600000, 1796364000000, 1796191200000
SHIFT = {"name": "shift report", "cron": "0 6 * * *", "timezone": "America/Chicago",
         "workflowName": "reports.shift", "inputs": {"line": "L1"}, "queueName": "default",
         "overlap": "skip", "catchUp": "none", "enabled": True, "nextSlotMs": NEXT,
         "lastSlotMs": LAST, "lastRunId": "sched-abc-1796191200000", "lastFiredMs": LAST + 40,
         "skippedSlots": 2, "lastError": None,
         "upcoming": [{"slotMs": NEXT, "slot": "x"}, {"slotMs": AFTER, "slot": "y"}]}
PAUSED = dict(SHIFT, name="tank 4 sample", cron="@every 30s", enabled=False, lastSlotMs=None,
              lastRunId=None, lastFiredMs=None, skippedSlots=0, upcoming=[],
              lastError="inputs: unknown parameter 'tank'", overlap="queue", catchUp="all")
FORM = {"name": " shift report ", "cron": "0 6 * * *", "workflowName": "reports.shift",
        "inputs": '{"line": "L1"}', "timezone": "", "queueName": "", "overlap": "skip",
        "catchUp": "latest"}


def listed(*rows):
    return {"ok": True, "code": "SCHEDULES_LISTED", "message": "%d schedules." % len(rows),
            "data": list(rows)}


def test_each_schedule_row_shows_its_next_and_last_slot_and_last_run():
    table = schedules.scheduleTable(listed(SHIFT))
    (row,) = table["rows"]
    assert row == {"name": "shift report", "workflowName": "reports.shift",
                   "cron": "0 6 * * * (America/Chicago)", "state": "enabled",
                   "nextSlot": formatTime(NEXT), "following": formatTime(AFTER),
                   "lastSlot": formatTime(LAST), "lastRunId": "sched-abc-1796191200000",
                   "lastFired": formatTime(LAST + 40), "skipped": 2, "policy": "skip / none",
                   "lastError": ""}
    assert table["summary"] == "1 schedule" and table["message"] == ""


def test_a_paused_schedule_shows_no_next_slot_and_its_last_error():
    table = schedules.scheduleTable(listed(SHIFT, PAUSED))
    row = table["rows"][1]
    assert row["state"] == "paused" and row["nextSlot"] == "" and row["following"] == ""
    assert row["lastSlot"] == "" and row["lastRunId"] == "" and row["skipped"] == 0
    assert row["lastError"] == "inputs: unknown parameter 'tank'"
    assert row["policy"] == "queue / all"
    assert table["summary"] == "2 schedules, 1 paused"


def test_a_refused_listing_shows_why_and_no_rows():
    refused = {"ok": False, "code": "NOT_AUTHORIZED", "message": "no read right", "data": None}
    assert schedules.scheduleTable(refused) == {"rows": [], "summary": "",
                                                "message": "NOT_AUTHORIZED: no read right"}
    assert schedules.scheduleTable(listed())["summary"] == "0 schedules"


def test_the_selected_row_names_the_schedule_its_last_run_and_state():
    rows = schedules.scheduleTable(listed(SHIFT, PAUSED))["rows"]
    assert schedules.selection(rows[0]) == {"name": "shift report",
                                            "lastRunId": "sched-abc-1796191200000",
                                            "enabled": True}
    assert schedules.selection(rows[1]) == {"name": "tank 4 sample", "lastRunId": "",
                                            "enabled": False}
    for nothing in (None, {}, {"name": "  "}, []):
        assert schedules.selection(nothing) == {"name": "", "lastRunId": "", "enabled": False}


def test_delete_asks_about_the_selected_schedule_only():
    question = schedules.deleteQuestion("shift report")
    assert "'shift report'" in question and "runs stay" in question
    assert schedules.deleteQuestion("") == "" and schedules.deleteQuestion(None) == ""


def test_trigger_now_outcome_carries_the_started_run():
    triggered = {"ok": True, "code": "SCHEDULE_TRIGGERED",
                 "message": "Schedule shift report started run r1.",
                 "data": {"workflowId": "r1", "name": "shift report"}}
    assert schedules.actionOutcome(triggered) == {
        "ok": True, "message": "SCHEDULE_TRIGGERED: Schedule shift report started run r1.",
        "workflowId": "r1"}
    paused = {"ok": True, "code": "SCHEDULE_PAUSED", "message": "Schedule s paused.",
              "data": SHIFT}
    assert schedules.actionOutcome(paused)["workflowId"] is None
    missing = {"ok": False, "code": "SCHEDULE_NOT_FOUND", "message": "no such schedule",
               "data": None}
    assert schedules.actionOutcome(missing) == {
        "ok": False, "message": "SCHEDULE_NOT_FOUND: no such schedule", "workflowId": None}
    assert schedules.actionOutcome(None) == {"ok": False, "message": "", "workflowId": None}


def test_the_create_form_builds_the_createSchedule_arguments():
    request = schedules.createRequest(FORM)
    assert request == {"ok": True, "message": "", "args": {
        "name": "shift report", "cron": "0 6 * * *", "workflowName": "reports.shift",
        "inputs": {"line": "L1"}, "timezone": None, "queueName": "default", "overlap": "skip",
        "catchUp": "latest"}}
    zoned = schedules.createRequest(dict(FORM, timezone=" UTC ", inputs="", queueName="lab"))
    assert zoned["args"]["timezone"] == "UTC" and zoned["args"]["inputs"] == {}
    assert zoned["args"]["queueName"] == "lab"


def test_the_new_form_is_accepted_once_name_cron_and_workflow_are_filled_in():
    blank = schedules.newForm()
    assert not schedules.createRequest(blank)["ok"]
    filled = dict(blank, name="n", cron="@hourly", workflowName="w")
    assert schedules.createRequest(filled)["args"] == {
        "name": "n", "cron": "@hourly", "workflowName": "w", "inputs": {}, "timezone": None,
        "queueName": "default", "overlap": "skip", "catchUp": "none"}


def test_the_create_form_refuses_what_the_gateway_would_refuse_before_submit():
    cases = [({"name": ""}, "Enter a name"), ({"cron": " "}, "Enter a cron line"),
             ({"workflowName": None}, "Choose a workflow"),
             ({"inputs": "{oops"}, "Inputs are not valid JSON"),
             ({"inputs": "[1, 2]"}, "Inputs must be a JSON object"),
             ({"overlap": "sometimes"}, "Choose what happens"),
             ({"catchUp": ""}, "Choose what happens")]
    for change, why in cases:
        request = schedules.createRequest(dict(FORM, **change))
        assert not request["ok"] and request["args"] is None, change
        assert request["message"].startswith(why), (change, request["message"])


def test_the_dropdowns_offer_exactly_the_engines_overlap_and_catch_up_choices():
    # The console may not import the engine (layers); this keeps the two in step.
    assert tuple(o["value"] for o in schedules.OVERLAP_OPTIONS) == engine.OVERLAP
    assert tuple(o["value"] for o in schedules.CATCH_UP_OPTIONS) == engine.CATCH_UP
