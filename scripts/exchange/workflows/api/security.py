"""Authorization policy and audit trail: ``exchange.workflows.api.security``.
Same envelope as the service API; every function takes ``session=self.session``
from a Perspective script (a gateway script passes nothing).

    getPolicy()                        POLICY            (needs "read")
    setPolicy(policy, reason)          POLICY_SET        (needs "admin"; audited)
    allowedActions(workflowName)       ACTIONS_ALLOWED   (what the caller may do; anyone)
    listAudit(...filters, limit, offset)  AUDIT_LISTED   (needs "audit")
    getAuditRetention()                AUDIT_RETENTION   (needs "audit")
    setAuditRetention(maxAgeDays, reason)  AUDIT_RETENTION_SET (needs "admin"; audited)

The policy format and the default policy are described in engine/policy.py
and docs/service-api.md ("Authorization and audit").
"""
import json

from exchange.workflows.api import access
from exchange.workflows.api.envelope import guarded
from exchange.workflows.core import clock, codec, validate
from exchange.workflows.engine import auditing, settings
from exchange.workflows.engine import policy as policies
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments
from exchange.workflows.core.validate import integer as _int
from exchange.workflows.core.validate import isInteger, number
from exchange.workflows.core.validate import text as _text

__all__ = ["getPolicy", "setPolicy", "allowedActions", "listAudit", "getAuditRetention",
           "setAuditRetention", "DEFAULT_DB"]

DEFAULT_DB = validate.DEFAULT_DB
# The longest policy JSON kept whole in its audit record's detail.
_POLICY_DETAIL_CHARS = 3500
_SOURCES = ("perspective", "gateway", "client")


def _db(dbName):
    return validate.dbNameText(validate.dbNameOrDefault(dbName))


def getPolicy(dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns POLICY with {policy, stored, updatedBy, updatedMs, default}:
    the policy in force (``stored`` False: none saved, the default applies)
    and the default policy, for reference."""
    def run():
        db = _db(dbName)
        access.require(access.caller(session), "read", db)
        found = settings.read(db, access.POLICY_KEY)
        access.forgetPolicy(db)
        return "POLICY", "Authorization policy.", {
            "policy": access.currentPolicy(db), "stored": bool(found),
            "updatedBy": found[1] if found else None, "updatedMs": found[2] if found else None,
            "default": policies.normalize(policies.DEFAULT)}
    return guarded(run, dbName, "getPolicy", args, kwargs)


def setPolicy(policy=None, reason=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Replaces the authorization policy of every gateway using the database.

    Args:
        policy: the policy, a dict or its JSON text, listing every action
            (see docs/service-api.md); validated before anything is saved.
        reason: why (recorded in the audit trail).
    Returns:
        POLICY_SET with the saved policy; INVALID_ARGUMENTS (names the first
        problem; also when the change would take the "admin" right from the
        session making it); NOT_AUTHORIZED; DATABASE_*.
    """
    def run():
        db = _db(dbName)
        why = _text("reason", reason, 1000)
        who = access.caller(session)
        access.require(who, "admin", db, reason=why, target="setPolicy")
        document = policy
        if isinstance(document, TEXT):
            try:
                document = json.loads(document)
            except ValueError as e:
                raise InvalidArguments("The policy is not valid JSON: %s" % e)
        checked = policies.normalize(document)
        if who.source == "perspective" and not _keepsAdmin(who, checked):
            raise InvalidArguments(
                "This policy would take the 'admin' right from you (user %s): saving it would lock "
                "you out of this page. Keep one of your roles in policy.actions.admin, or change "
                "the policy from a gateway script." % (who.user or "anonymous"))
        text = codec.encode(checked)
        settings.write(db, access.POLICY_KEY, text, access.actor(who), clock.nowMs())
        access.forgetPolicy(db)
        detail = {"policy": checked} if len(text) <= _POLICY_DETAIL_CHARS else {
            "policyBytes": len(text)}
        access.audit(who, "admin", db, "POLICY_SET", target="setPolicy", reason=why,
                     detail=detail)
        return "POLICY_SET", "Authorization policy saved; every gateway applies it within %d s." \
            % (access.POLICY_TTL_MS // 1000), checked
    return guarded(run, dbName, "setPolicy", args, kwargs)


def _keepsAdmin(who, checked):
    return access.grants(who, policies.rule(checked, "admin"))


def allowedActions(workflowName=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns ACTIONS_ALLOWED with {action: bool} for the caller: what the
    console shows. ``workflowName`` decides "start" for that workflow (the
    policy's startRules). Any caller may ask; nothing is audited."""
    def run():
        db = _db(dbName)
        if workflowName is not None:
            _text("workflowName", workflowName, 200)
        who = access.caller(session)
        data = access.allowed(who, db, workflowName)
        return "ACTIONS_ALLOWED", "%d of %d actions allowed." % (
            sum(1 for v in data.values() if v), len(data)), data
    return guarded(run, dbName, "allowedActions", args, kwargs)


def listAudit(sinceMs=None, untilMs=None, userName=None, action=None, workflowId=None,
              source=None, allowed=None, limit=100, offset=0, dbName=DEFAULT_DB, session=None,
              *args, **kwargs):
    """Returns AUDIT_LISTED with {rows, total, limit, offset}, newest first.

    Each row: auditId, atMs, userName, roles (list), source (perspective,
    gateway, client), sessionId, action, target, workflowId, allowed,
    code, reason, detail (dict or None). Filters: a time range on atMs
    (sinceMs inclusive, untilMs exclusive), userName, action, workflowId,
    source, allowed (True/False).

    Returns also NOT_AUTHORIZED (needs "audit"), INVALID_ARGUMENTS, DATABASE_*.
    """
    def run():
        db = _db(dbName)
        for key, value in (("sinceMs", sinceMs), ("untilMs", untilMs)):
            if value is not None and not isInteger(value):
                raise InvalidArguments("%s must be epoch milliseconds (an integer) or None." % key)
        if action is not None and action not in policies.ACTIONS:
            raise InvalidArguments("action must be one of %s, or None." % ", ".join(policies.ACTIONS))
        if source is not None and source not in _SOURCES:
            raise InvalidArguments("source must be one of %s, or None." % ", ".join(_SOURCES))
        if allowed is not None and not isinstance(allowed, bool):
            raise InvalidArguments("allowed must be True, False or None.")
        filters = {"sinceMs": sinceMs, "untilMs": untilMs,
                   "userName": _text("userName", userName, 200), "action": action,
                   "workflowId": _text("workflowId", workflowId, 64), "source": source,
                   "allowed": allowed}
        size = _int("limit", 100 if limit is None else limit, 1, 1000)
        skip = _int("offset", 0 if offset is None else offset, 0, 10 ** 9)
        access.require(access.caller(session), "audit", db)
        rows, total = auditing.page(db, filters, size, skip)
        return "AUDIT_LISTED", "%d of %d audit records." % (len(rows), total), {
            "rows": [auditing.shown(r) for r in rows], "total": total, "limit": size, "offset": skip}
    return guarded(run, dbName, "listAudit", args, kwargs)


def getAuditRetention(dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns AUDIT_RETENTION with {maxAgeDays} (None: the audit trail is kept for ever)."""
    def run():
        db = _db(dbName)
        access.require(access.caller(session), "audit", db)
        return "AUDIT_RETENTION", "Audit retention policy.", access.auditRetention(db)
    return guarded(run, dbName, "getAuditRetention", args, kwargs)


def setAuditRetention(maxAgeDays=None, reason=None, dbName=DEFAULT_DB, session=None,
                      *args, **kwargs):
    """Sets how long the audit trail is kept, separately from run retention
    (which never deletes audit records), and deletes a first batch of older
    records at once; later batches go with later audit writes, at most
    one batch of 1000 records per hour and gateway.

    Args:
        maxAgeDays: delete records older than this many days (1 to 36500);
            None keeps the trail for ever (the default).
        reason: why (recorded in the audit trail).
    Returns:
        AUDIT_RETENTION_SET with {maxAgeDays, deleted}; INVALID_ARGUMENTS;
        NOT_AUTHORIZED (needs "admin"); DATABASE_*.
    """
    def run():
        db = _db(dbName)
        days = None if maxAgeDays is None else number("maxAgeDays", maxAgeDays, 1, 36500)
        if days is not None and days == int(days):
            days = int(days)
        why = _text("reason", reason, 1000)
        who = access.caller(session)
        access.require(who, "admin", db, reason=why, target="setAuditRetention")
        now = clock.nowMs()
        settings.write(db, access.AUDIT_RETENTION_KEY, codec.encode({"maxAgeDays": days}),
                       access.actor(who), now)
        deleted = access.purgeAudit(db, now)
        access.audit(who, "admin", db, "AUDIT_RETENTION_SET", target="setAuditRetention",
                     reason=why, detail={"maxAgeDays": days, "deleted": deleted})
        return "AUDIT_RETENTION_SET", "Audit retention saved; %d old records deleted." % deleted, {
            "maxAgeDays": days, "deleted": deleted}
    return guarded(run, dbName, "setAuditRetention", args, kwargs)
