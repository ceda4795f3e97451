"""The console's Audit page and the Admin page's policy and audit-retention
editors, built from ``exchange.workflows.api.security`` envelopes
(``listAudit``, ``getPolicy``, ``setPolicy``, ``getAuditRetention``,
``setAuditRetention``): the call's arguments from what the administrator
typed, and the answers as rows and texts."""
import json

from exchange.workflows.api.access import ACTIONS
from exchange.workflows.console.format import (envelopeText, field, formatTime, number, text,
                                                 toMillis)
from exchange.workflows.console.paging import pageModel, pagedQuery

__all__ = ["PAGE_SIZE", "RESULTS", "actionOptions", "resultOptions", "auditQuery", "auditList",
           "auditRow", "policyEditor", "policyRequest", "auditRetentionForm",
           "auditRetentionText", "auditRetentionRequest"]

PAGE_SIZE = 100
RESULTS = (("Allowed and refused", ""), ("Allowed", "allowed"), ("Refused", "refused"))


def actionOptions():
    """The action filter's options: all, then each policy action."""
    return [{"label": "All actions", "value": ""}] + [{"label": a, "value": a} for a in ACTIONS]


def resultOptions():
    """The result filter's options: allowed and refused, allowed, refused."""
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
    action = text(field(value, "action"))
    result = text(field(value, "result"))
    return pagedQuery({"userName": text(field(value, "userName")),
                       "action": action if action in ACTIONS else None,
                       "workflowId": text(field(value, "workflowId")),
                       "allowed": {"allowed": True, "refused": False}.get(result),
                       "sinceMs": toMillis(field(value, "since")),
                       "untilMs": toMillis(field(value, "until")), "limit": PAGE_SIZE}, value)


def auditList(envelope, key=""):
    """Returns the audit table model: rows, page label, paging offsets, key."""
    return pageModel(envelope, auditRow, "Records", key)


def auditRow(r):
    """One audit record as table columns."""
    detail = r.get("detail") or {}
    who = r.get("userName") or ("anonymous" if r.get("source") == "perspective" else "")
    if detail.get("claimedUser"):
        who = "%s (claims %s)" % (who or r.get("source"), detail["claimedUser"])
    why = r.get("reason") or ""
    if not r.get("allowed") and detail.get("refusal"):
        why = (why + " " if why else "") + "[" + detail["refusal"] + "]"
    return {"time": formatTime(r.get("atMs")), "user": who or "",
            "roles": ", ".join(r.get("roles") or []), "source": r.get("source") or "",
            "action": r.get("action") or "", "target": r.get("target") or "",
            "workflowId": r.get("workflowId") or "",
            "result": "allowed" if r.get("allowed") else "REFUSED", "code": r.get("code") or "",
            "reason": why}


def policyEditor(envelope):
    """Returns the policy editor's model: the policy in force as indented JSON
    (``text``), the default policy (``defaultText``) and who saved it when."""
    if not envelope or not envelope.get("ok"):
        return {"text": "", "defaultText": "", "info": envelopeText(envelope)}
    data = envelope["data"]
    if data.get("stored"):
        info = "Saved by %s at %s." % (data.get("updatedBy") or "?",
                                       formatTime(data.get("updatedMs")))
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
    raw = text(raw)
    if raw is None:
        return {"ok": False, "message": "The policy is empty.", "policy": None}
    try:
        value = json.loads(raw)
    except ValueError as e:
        return {"ok": False, "message": "The policy is not valid JSON: %s" % e, "policy": None}
    if not isinstance(value, dict):
        return {"ok": False, "message": "The policy must be a JSON object with 'actions'.",
                "policy": None}
    if text(reason) is None:
        return {"ok": False, "message": "Enter a reason; it is recorded in the audit trail.",
                "policy": None}
    return {"ok": True, "message": "", "policy": value}


def auditRetentionForm(envelope):
    """Returns {"maxAgeDays": text} for the audit retention field ("" = keep for ever)."""
    data = envelope.get("data") if envelope and envelope.get("ok") else None
    days = (data or {}).get("maxAgeDays")
    return {"maxAgeDays": "" if days is None else str(days)}


def auditRetentionText(envelope):
    """Returns the audit retention in force as one line."""
    if not envelope or not envelope.get("ok"):
        return envelopeText(envelope)
    days = (envelope["data"] or {}).get("maxAgeDays")
    if days is None:
        return "Audit records are kept for ever (run retention never deletes them)."
    return "Audit records older than %s days are deleted (run retention never deletes them)." % days


def auditRetentionRequest(form, reason):
    """Checks the audit retention form; returns ``security.setAuditRetention``
    keyword arguments. An empty age keeps the trail for ever."""
    try:
        days = number(field(form, "maxAgeDays"), float)
    except ValueError:
        return {"ok": False, "message": "Age must be a number of days.", "args": None}
    if days is not None and days < 1:
        return {"ok": False, "message": "Keep audit records at least 1 day.", "args": None}
    if text(reason) is None:
        return {"ok": False, "message": "Enter a reason; it is recorded in the audit trail.",
                "args": None}
    if days is not None and days == int(days):
        days = int(days)
    return {"ok": True, "message": "", "args": {"maxAgeDays": days,
                                                "reason": text(reason)}}
