"""The Audit page and the policy/audit-retention editors (console/audit.py),
on CPython: filters, paging, rows, and what the editors accept before submit."""
import json
import os
import sys

from tests.support.gwsim import ROOT

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from exchange.workflows.console import audit  # noqa: E402
from exchange.workflows.engine import policy  # noqa: E402


def ok(data):
    return {"ok": True, "code": "OK", "message": "fine", "data": data, "meta": {}}


FAILED = {"ok": False, "code": "NOT_AUTHORIZED", "message": "no", "data": None, "meta": {}}


def test_filters_become_list_audit_arguments_and_paging_follows_them():
    q = audit.auditQuery({"userName": " op1 ", "action": "stop", "workflowId": "",
                                 "result": "refused", "since": 1000, "until": None,
                                 "offset": 100, "offsetKey": ""})
    assert {k: q[k] for k in ("userName", "action", "workflowId", "allowed", "sinceMs",
                              "untilMs", "limit", "offset")} == {
        "userName": "op1", "action": "stop", "workflowId": None, "allowed": False,
        "sinceMs": 1000, "untilMs": None, "limit": 100, "offset": 0}
    same = audit.auditQuery({"userName": "op1", "action": "stop", "result": "refused",
                                    "since": 1000, "offset": 100, "offsetKey": q["key"]})
    assert same["offset"] == 100
    anything = audit.auditQuery({"action": "bogus", "result": ""})
    assert anything["action"] is None and anything["allowed"] is None


def test_audit_rows_show_who_what_result_and_why():
    rows = [{"atMs": 0, "userName": "op1", "roles": ["Operator"], "source": "perspective",
             "action": "stop", "target": "cancel", "workflowId": "w1", "allowed": True,
             "code": "CANCEL_REQUESTED", "reason": "wrong batch", "detail": None},
            {"atMs": 0, "userName": None, "roles": [], "source": "client", "action": "start",
             "target": "t.noop", "workflowId": None, "allowed": False, "code": "NOT_AUTHORIZED",
             "reason": None, "detail": {"claimedUser": "mallory"}},
            {"atMs": 0, "userName": None, "roles": [], "source": "perspective", "action": "start",
             "target": None, "workflowId": None, "allowed": False, "code": "NOT_AUTHORIZED",
             "reason": None, "detail": {"refusal": "pass session=self.session"}}]
    model = audit.auditList(ok({"rows": rows, "total": 250, "limit": 100, "offset": 100}))
    assert model["pageText"] == "Records 101-103 of 250" and model["hasPrevious"] \
        and model["hasNext"] and model["nextOffset"] == 200
    first, client, nosession = model["rows"]
    assert first["user"] == "op1" and first["roles"] == "Operator" and first["result"] == "allowed"
    assert first["reason"] == "wrong batch" and first["workflowId"] == "w1"
    assert client["user"] == "client (claims mallory)" and client["result"] == "REFUSED"
    assert nosession["user"] == "anonymous" and "session=self.session" in nosession["reason"]
    refused = audit.auditList(FAILED, "k")
    assert refused["rows"] == [] and refused["message"] == "NOT_AUTHORIZED: no"


def test_policy_editor_shows_the_policy_and_checks_json_and_reason():
    default = policy.normalize(policy.DEFAULT)
    editor = audit.policyEditor(ok({"policy": default, "stored": False, "updatedBy": None,
                                           "updatedMs": None, "default": default}))
    assert json.loads(editor["text"]) == default and editor["text"] == editor["defaultText"]
    assert "default policy applies" in editor["info"]
    saved = audit.policyEditor(ok({"policy": default, "stored": True, "updatedBy": "admin1",
                                          "updatedMs": 0, "default": default}))
    assert saved["info"].startswith("Saved by admin1 at ")
    assert audit.policyEditor(FAILED)["info"] == "NOT_AUTHORIZED: no"
    assert audit.policyRequest(editor["text"], "new line")["policy"] == default
    assert "not valid JSON" in audit.policyRequest("{", "x")["message"]
    assert "JSON object" in audit.policyRequest("[]", "x")["message"]
    assert "reason" in audit.policyRequest(editor["text"], " ")["message"]
    assert not audit.policyRequest("", "x")["ok"]


def test_audit_retention_form_text_and_request():
    assert audit.auditRetentionForm(ok({"maxAgeDays": None})) == {"maxAgeDays": ""}
    assert "kept for ever" in audit.auditRetentionText(ok({"maxAgeDays": None}))
    assert "older than 365 days" in audit.auditRetentionText(ok({"maxAgeDays": 365}))
    assert audit.auditRetentionRequest({"maxAgeDays": "365"}, "policy")["args"] == {
        "maxAgeDays": 365, "reason": "policy"}
    assert audit.auditRetentionRequest({"maxAgeDays": ""}, "forever")["args"] == {
        "maxAgeDays": None, "reason": "forever"}
    assert not audit.auditRetentionRequest({"maxAgeDays": "0.5"}, "x")["ok"]
    assert not audit.auditRetentionRequest({"maxAgeDays": "x"}, "x")["ok"]
    assert not audit.auditRetentionRequest({"maxAgeDays": "30"}, "")["ok"]
    assert [o["value"] for o in audit.actionOptions()][:3] == ["", "read", "start"]
    assert [o["value"] for o in audit.resultOptions()] == ["", "allowed", "refused"]
