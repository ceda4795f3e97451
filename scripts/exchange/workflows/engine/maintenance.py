"""Maintenance mode and retention, stored in the database so that every
gateway sharing it obeys them and they survive restarts.

Maintenance modes:
  - ``None`` (normal);
  - ``"drain"``: no gateway claims new runs; running runs finish; start()
    and enqueueInMemory() still queue durably (they run after the drain);
  - ``"cancel"``: cancel every active run once, then stay in ``"drain"``.
A gateway re-reads the mode on every dispatch; the gateway that sets it
applies it at once.

Retention: finished runs older than ``maxAgeDays`` and beyond the newest
``maxRows`` are deleted by dispatch, at most ``batchSize`` runs per minute
per gateway, so the cost per cycle stays bounded.
"""
from exchange.workflows.engine import clock, codec, database, kernel, states
from exchange.workflows.engine.errors import InvalidArguments
from exchange.workflows.store import db, retention, runs, settings

MAINTENANCE = "maintenance"
RETENTION = "retention"
RETENTION_PERIOD_MS = 60000
RETENTION_DEFAULTS = {"maxAgeDays": None, "maxRows": None, "batchSize": 500}
_ACTIVE = "('ENQUEUED','PENDING','RUNNING','HELD')"


def refresh(dbName, d):
    """Reads the maintenance mode into this gateway's cache; returns it."""
    found = settings.read(dbName, d, MAINTENANCE)
    mode = (codec.decode(found[0]) or {}).get("mode") if found else None
    kernel.get()["maintenance"].put(dbName, mode or "")
    return mode


def isDraining(dbName):
    return bool(kernel.get()["maintenance"].get(dbName))


def getMode(dbName):
    d = database.prepare(dbName)
    found = settings.read(dbName, d, MAINTENANCE)
    value = codec.decode(found[0]) if found else {}
    refresh(dbName, d)
    return {"mode": value.get("mode"), "reason": value.get("reason"),
            "updatedBy": found[1] if found else None, "updatedMs": found[2] if found else None}


def setMode(dbName, mode, reason, user):
    """Sets the maintenance mode; returns {mode, cancelled}."""
    if mode not in (None, "drain", "cancel"):
        raise InvalidArguments("mode must be None, 'drain' or 'cancel'.")
    d = database.prepare(dbName)
    now = clock.nowMs()
    cancelled = 0
    stored = "drain" if mode == "cancel" else mode
    settings.write(dbName, d, MAINTENANCE, codec.encode({"mode": stored, "reason": reason}), user, now)
    if mode == "cancel":
        error = codec.encode({"type": "Cancelled", "message": reason or "maintenance cancel",
                              "sender": user})
        cancelled = db.update(dbName, d.sql(
            "UPDATE {status} SET status = 'CANCELLED', error = ?, finished_ms = ?, updated_ms = ? "
            "WHERE status IN " + _ACTIVE), [error, now, now])
        for wid in list(kernel.get()["running"].keySet()):
            kernel.signal(wid)
    kernel.get()["maintenance"].put(dbName, stored or "")
    return {"mode": stored, "cancelled": cancelled}


def getRetention(dbName):
    d = database.prepare(dbName)
    found = settings.read(dbName, d, RETENTION)
    policy = dict(RETENTION_DEFAULTS)
    policy.update(codec.decode(found[0]) if found else {})
    return policy


def setRetention(dbName, maxAgeDays, maxRows, batchSize, user):
    d = database.prepare(dbName)
    policy = {"maxAgeDays": maxAgeDays, "maxRows": maxRows, "batchSize": batchSize}
    settings.write(dbName, d, RETENTION, codec.encode(policy), user, clock.nowMs())
    kernel.get()["lastRetention"].remove(dbName)
    return policy


def applyRetention(dbName, d, force=False):
    """Deletes one bounded batch of expired runs, at most once a minute; returns runs deleted."""
    last = kernel.get()["lastRetention"]
    now = clock.nowMs()
    previous = last.get(dbName)
    if not force and previous is not None and now - previous < RETENTION_PERIOD_MS:
        return 0
    last.put(dbName, now)
    found = settings.read(dbName, d, RETENTION)
    if not found:
        return 0
    policy = dict(RETENTION_DEFAULTS)
    policy.update(codec.decode(found[0]) or {})
    budget = int(policy.get("batchSize") or 500)
    deleted = 0
    if policy.get("maxAgeDays") is not None:
        cutoff = now - int(float(policy["maxAgeDays"]) * 86400000)
        deleted += retention.delete(dbName, d, retention.olderThan(dbName, d, cutoff, budget))
    if policy.get("maxRows") is not None and deleted < budget:
        cutoff = retention.rowCountCutoff(dbName, d, int(policy["maxRows"]))
        if cutoff is not None:
            deleted += retention.delete(dbName, d, retention.olderThan(
                dbName, d, cutoff + 1, budget - deleted))
    if deleted:
        kernel.count("retentionDeleted", deleted)
    return deleted


def activeCount(dbName):
    d = database.prepare(dbName)
    return dict((r["status"], r["count"]) for r in runs.queueCounts(dbName, d)
                if r["status"] in states.ACTIVE)
