"""Presentation logic of the console's Audit page and of the Admin page's
policy and audit-retention editors: pure functions, unit-tested on CPython
(like api/console.py, whose small conversions they use).

The views call ``exchange.workflows.api.security`` for data and actions
(``listAudit``, ``getPolicy``, ``setPolicy``, ``getAuditRetention``,
``setAuditRetention``) with ``session=self.session``, and this module to build
the call's arguments from what the administrator typed and to turn the
answers into rows and texts.
"""
import json

from exchange.workflows.api import console
from exchange.workflows.engine.policy import ACTIONS

PAGE_SIZE = 100
RESULTS = (("Allowed and refused", ""), ("Allowed", "allowed"), ("Refused", "refused"))


def actionOptions():
    """The action filter's options: all, then each policy action."""
    return [{"label": "All actions", "value": ""}] + [{"label": a, "value": a} for a in ACTIONS]


def resultOptions():
    return [{"label": label, "value": value} for label, value in RESULTS]


def auditQuery(value):
    """Returns the ``security.listAudit`` keyword arguments for the Audit
    page's filters, plus ``key`` naming them (the page offset applies only
    while ``offsetKey`` == ``key``, as on the Runs page).

    Args:
        value: dict-like with userName, action ("" = all), workflowId,
            result ("", "allowed", "refused"), since/until (dates or ms),
            offset and offsetKey.
    """
    field = console.field
    action = console.text(field(value, "action"))
    result = console.text(field(value, "result"))
    query = {"userName": console.text(field(value, "userName")),
             "action": action if action in ACTIONS else None,
             "workflowId": console.text(field(value, "workflowId")),
             "allowed": {"allowed": True, "refused": False}.get(result),
             "sinceMs": console.toMillis(field(value, "since")),
             "untilMs": console.toMillis(field(value, "until")), "limit": PAGE_SIZE}
    key = json.dumps(query, sort_keys=True)
    try:
        offset = max(0, console.number(field(value, "offset"), int) or 0)
    except ValueError:
        offset = 0
    query["offset"] = offset if console.text(field(value, "offsetKey")) == key else 0
    query["key"] = key
    return query


def auditList(envelope, key=""):
    """Returns the audit table model: rows, page label, paging offsets, key."""
    if not envelope or not envelope.get("ok"):
        return {"rows": [], "pageText": "", "hasPrevious": False, "hasNext": False,
                "previousOffset": 0, "nextOffset": 0, "key": key,
                "message": console.envelopeText(envelope)}
    data = envelope["data"]
    total, limit, offset = data["total"], data["limit"], data["offset"]
    rows = [auditRow(r) for r in data["rows"]]
    first = offset + 1 if rows else 0
    return {"rows": rows, "pageText": "Records %d-%d of %d" % (first, offset + len(rows), total),
            "hasPrevious": offset > 0, "hasNext": offset + len(rows) < total,
            "previousOffset": max(0, offset - limit), "nextOffset": offset + limit, "key": key,
            "message": envelope.get("message")}


def auditRow(r):
    """One audit record as table columns."""
    detail = r.get("detail") or {}
    who = r.get("userName") or ("anonymous" if r.get("source") == "perspective" else "")
    if detail.get("claimedUser"):
        who = "%s (claims %s)" % (who or r.get("source"), detail["claimedUser"])
    why = r.get("reason") or ""
    if not r.get("allowed") and detail.get("refusal"):
        why = (why + " " if why else "") + "[" + detail["refusal"] + "]"
    return {"time": console.formatTime(r.get("atMs")), "user": who or "",
            "roles": ", ".join(r.get("roles") or []), "source": r.get("source") or "",
            "action": r.get("action") or "", "target": r.get("target") or "",
            "workflowId": r.get("workflowId") or "",
            "result": "allowed" if r.get("allowed") else "REFUSED", "code": r.get("code") or "",
            "reason": why}


def policyEditor(envelope):
    """Returns the policy editor's model: the policy in force as indented JSON
    (``text``), the default policy (``defaultText``) and who saved it when."""
    if not envelope or not envelope.get("ok"):
        return {"text": "", "defaultText": "", "info": console.envelopeText(envelope)}
    data = envelope["data"]
    if data.get("stored"):
        info = "Saved by %s at %s." % (data.get("updatedBy") or "?",
                                       console.formatTime(data.get("updatedMs")))
    else:
        info = "No policy saved: the default policy applies."
    return {"text": json.dumps(data["policy"], indent=2, sort_keys=True),
            "defaultText": json.dumps(data["default"], indent=2, sort_keys=True), "info": info}


def policyRequest(raw, reason):
    """Checks the policy editor before submit: the text must be a JSON object
    and a reason is required (the gateway validates the policy itself).

    Returns:
        {"ok", "message", "policy"}; ``policy`` is None when refused.
    """
    raw = console.text(raw)
    if raw is None:
        return {"ok": False, "message": "The policy is empty.", "policy": None}
    try:
        value = json.loads(raw)
    except ValueError as e:
        return {"ok": False, "message": "The policy is not valid JSON: %s" % e, "policy": None}
    if not isinstance(value, dict):
        return {"ok": False, "message": "The policy must be a JSON object with 'actions'.",
                "policy": None}
    if console.text(reason) is None:
        return {"ok": False, "message": "Enter a reason; it is recorded in the audit trail.",
                "policy": None}
    return {"ok": True, "message": "", "policy": value}


def auditRetentionForm(envelope):
    """Returns {"maxAgeDays": text} for the audit retention field ("" = keep for ever)."""
    data = envelope.get("data") if envelope and envelope.get("ok") else None
    days = (data or {}).get("maxAgeDays")
    return {"maxAgeDays": "" if days is None else str(days)}


def auditRetentionText(envelope):
    if not envelope or not envelope.get("ok"):
        return console.envelopeText(envelope)
    days = (envelope["data"] or {}).get("maxAgeDays")
    if days is None:
        return "Audit records are kept for ever (run retention never deletes them)."
    return "Audit records older than %s days are deleted (run retention never deletes them)." % days


def auditRetentionRequest(form, reason):
    """Checks the audit retention form; returns ``security.setAuditRetention``
    keyword arguments. An empty age keeps the trail for ever."""
    try:
        days = console.number(console.field(form, "maxAgeDays"), float)
    except ValueError:
        return {"ok": False, "message": "Age must be a number of days.", "args": None}
    if days is not None and days < 1:
        return {"ok": False, "message": "Keep audit records at least 1 day.", "args": None}
    if console.text(reason) is None:
        return {"ok": False, "message": "Enter a reason; it is recorded in the audit trail.",
                "args": None}
    if days is not None and days == int(days):
        days = int(days)
    return {"ok": True, "message": "", "args": {"maxAgeDays": days,
                                                "reason": console.text(reason)}}
