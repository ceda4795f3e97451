"""The audit trail of operator actions: append one record, read a page,
delete the oldest. Who may act and what a record says is api/access.py's."""
from exchange.workflows.core import codec
from exchange.workflows.engine import database
from exchange.workflows.store import audit

Record = audit.Record


def append(dbName, record):
    audit.insert(database.prepare(dbName), record)


def page(dbName, filters, limit, offset):
    """Returns (rows as dicts keyed by column, total) for the filters."""
    return audit.page(database.prepare(dbName), filters, limit, offset)


def deleteOlderThan(dbName, cutoffMs, limit):
    """Deletes up to ``limit`` records older than ``cutoffMs``; returns how many."""
    return audit.deleteOlderThan(database.prepare(dbName), cutoffMs, limit)


def shown(r):
    """One record of page() as answers show it: camelCase keys, roles a
    list, allowed a bool, detail decoded."""
    detail = r["detail"]
    try:
        detail = codec.decode(detail) if detail else None
    except ValueError:
        detail = {"text": detail}
    return {"auditId": r["audit_id"], "atMs": int(r["at_ms"]), "userName": r["user_name"],
            "roles": [x for x in (r["roles"] or "").split(",") if x], "source": r["source"],
            "sessionId": r["session_id"], "action": r["action"], "target": r["target"],
            "workflowId": r["workflow_id"], "allowed": bool(r["allowed"]), "code": r["code"],
            "reason": r["reason"], "detail": detail}
