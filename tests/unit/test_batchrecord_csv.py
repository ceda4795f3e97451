"""The batch record's CSV timeline (engine/batchrecord.py), on CPython 3:
read back by the csv module cell for cell, in time order, with free text
that a spreadsheet would run as a formula made inert."""
import csv
import io
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from exchange.workflows.engine import batchrecord  # noqa: E402


def _record():
    run = {"createdMs": 100, "createdBy": "op,1", "inputs": {"lot": "L-7", "password": "***"},
           "startedMs": 110, "finishedMs": 900, "status": "CANCELLED", "output": None,
           "error": {"type": "Cancelled", "message": "wrong\nrecipe", "sender": "=cmd|' /C calc'!A0"}}
    return {"run": run, "statusChanges": batchrecord._statusChanges(run),
            "steps": [{"functionId": 0, "functionName": "s.fill", "output": {"kg": 5},
                       "error": None, "startedMs": 120, "finishedMs": 200}],
            "events": {"latest": {"phase": "b"},
                       "history": [{"key": "phase", "value": "a", "atMs": 150, "functionId": 1},
                                   {"key": "phase", "value": "b", "atMs": 300, "functionId": 2}]},
            "commands": [{"seq": 1, "cmd": "HOLD", "topic": "cmd", "sender": "op2",
                          "reason": 'say "hi", then wait', "createdMs": 250,
                          "consumedMs": 260, "consumedBy": "engine"}],
            "streams": [], "audit": None}


def _table(record):
    text = batchrecord.csvText(batchrecord.timeline(record))
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_every_row_reads_back_in_time_order_with_who_and_why():
    rows = _table(_record())
    assert [int(r["atMs"]) for r in rows] == sorted(int(r["atMs"]) for r in rows)
    command = [r for r in rows if r["kind"] == "command"][0]
    assert (command["name"], command["who"], command["reason"]) == (
        "HOLD", "op2", 'say "hi", then wait')
    assert [r["value"] for r in rows if r["kind"] == "event"] == ['"a"', '"b"']
    finished = [r for r in rows if r["kind"] == "status" and r["name"] == "finished"][0]
    assert finished["value"] == '"CANCELLED"' and finished["reason"] == "wrong\nrecipe"
    assert [r["who"] for r in rows if r["name"] == "inputs"] == ["op,1"]


def test_free_text_that_starts_like_a_formula_is_made_inert():
    rows = _table(_record())
    finished = [r for r in rows if r["kind"] == "status" and r["name"] == "finished"][0]
    assert finished["who"] == "'=cmd|' /C calc'!A0"


def test_a_run_without_event_history_shows_its_latest_values_last():
    record = _record()
    record["events"]["history"] = []
    rows = _table(record)
    assert rows[-1]["kind"] == "event" and rows[-1]["atMs"] == "" and rows[-1]["value"] == '"b"'


def test_file_names_keep_only_safe_characters():
    assert batchrecord.fileName("a/b:c@d#1.2-x_y", "csv") == "run-a_b_c_d_1.2-x_y.csv"
