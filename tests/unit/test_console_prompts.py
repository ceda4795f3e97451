"""The console's operator inbox (console/prompts.py), on CPython: the cards
built from listPrompts, the choice buttons and the values they answer."""
import json
import os
import sys

from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from exchange.workflows.console import prompts  # noqa: E402


def listed(rows, total=None):
    return {"ok": True, "code": "PROMPTS_LISTED", "message": "m", "meta": {},
            "data": {"rows": rows, "total": len(rows) if total is None else total,
                     "limit": 100, "offset": 0}}


FAILED = {"ok": False, "code": "NOT_AUTHORIZED", "message": "no", "data": None, "meta": {}}

CHOICE = {"workflowId": "w1", "workflowName": "mix", "runStatus": "RUNNING", "key": "qa",
          "functionId": 3, "prompt": "Lab result?", "choices": ["pass", 2, {"lot": 1}],
          "default": "pass", "createdMs": 1000, "expiresMs": 61000, "timeoutMs": 60000}
FREE = dict(CHOICE, workflowId="w2", key="note", choices=None, default=None, expiresMs=None,
            timeoutMs=None, runStatus="HELD")


def test_cards_carry_each_choice_as_json_and_free_prompts_a_text_field():
    first, second = prompts.promptCards(listed([CHOICE, FREE]))
    assert first["workflowId"] == "w1" and first["key"] == "qa" and first["free"] is False
    assert first["prompt"] == "Lab result?" and first["title"] == "mix  w1"
    assert [c["label"] for c in first["choices"]] == ["pass", "2", '{"lot": 1}']
    assert [json.loads(c["value"]) for c in first["choices"]] == ["pass", 2, {"lot": 1}]
    assert "times out" in first["details"] and "(then: pass)" in first["details"]
    assert second["free"] is True and second["choices"] == []
    assert "times out" not in second["details"] and "RESUME" in second["details"]


def test_a_failed_listing_shows_no_card_and_says_why():
    assert prompts.promptCards(FAILED) == [] and prompts.promptCards(None) == []
    assert prompts.inboxSummary(FAILED) == "NOT_AUTHORIZED: no"
    assert prompts.inbox(FAILED) == {"cards": [], "summary": "NOT_AUTHORIZED: no"}


def test_summary_counts_what_waits():
    assert prompts.inboxSummary(listed([])) == "No prompt is waiting for an answer."
    assert prompts.inboxSummary(listed([CHOICE])) == "1 prompt waits for an answer."
    assert prompts.inboxSummary(listed([CHOICE, FREE])) == "2 prompts wait for an answer."
    assert "oldest 1 are shown" in prompts.inboxSummary(listed([CHOICE], total=150))


def test_choice_buttons_answer_the_value_offered_with_the_reason_typed():
    card = prompts.promptCards(listed([CHOICE]))[0]
    buttons = prompts.choiceButtons(card["workflowId"], card["key"], card["choices"], "  lab ok ")
    assert [(b["workflowId"], b["key"], b["reason"]) for b in buttons] == [("w1", "qa", "lab ok")] * 3
    assert [prompts.choiceValue(b["value"]) for b in buttons] == ["pass", 2, {"lot": 1}]
    assert prompts.choiceButtons("w1", "qa", None, None) == []
    assert prompts.choiceButtons("w1", "qa", card["choices"], None)[0]["reason"] == ""


def test_typed_answers_are_text_or_nothing():
    assert prompts.typedValue("  go on ") == "go on"
    assert prompts.typedValue("   ") is None and prompts.typedValue(None) is None
