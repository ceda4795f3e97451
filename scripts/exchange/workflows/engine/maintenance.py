"""Maintenance mode and retention, stored in the database so that every
gateway sharing it obeys them and they survive restarts.

Maintenance modes:
  - ``None`` (normal);
  - ``"drain"``: no gateway claims new runs; running runs finish; start()
    and enqueueInMemory() still queue durably (they run after the drain);
  - ``"cancel"``: cancel every active run once (or one queue's), then stay
    in ``"drain"``.
A gateway re-reads the mode on every dispatch; the gateway that sets it
applies it at once.

``swapIfDrained`` is ignition-workflows 0.3.6's deployment check: nothing
is swapped here (a project save already runs new runs on the new code), it
confirms that maintenance is on and no run is in flight on any gateway, and
records when it did (``lastSwapMs``).

Retention: finished runs older than ``maxAgeDays`` and beyond the newest
``maxRows`` are deleted by dispatch, at most ``batchSize`` runs per minute
per gateway, so the cost per cycle stays bounded. Every value must be finite
and in range, when it is set and when it is read back.
"""
from collections import namedtuple

from exchange.workflows.core import clock, codec, logs
from exchange.workflows.engine import database, kernel
from exchange.workflows.core.errors import InvalidArguments
from exchange.workflows.core.validate import integer, number
from exchange.workflows.store import retention, runs, settings

MAINTENANCE = "maintenance"
# When swapIfDrained last found the database drained: {"atMs"}.
SWAP = "maintenanceSwap"
RETENTION = "retention"
RETENTION_PERIOD_MS = 60000
# Retention never deletes a run that finished less than this long ago,
# whatever the policy says. The in-memory flush relies on it (see
# burst.UNCLEAR_RETRY_MS): a row whose INSERT may have committed is inserted
# again only while a committed copy could not have been deleted yet, so the
# retry finds it and changes nothing instead of running the work twice.
RETENTION_FLOOR_MS = 3600000
RETENTION_DEFAULTS = {"maxAgeDays": None, "maxRows": None, "batchSize": 500}
MAX_AGE_DAYS = 36500
MAX_BATCH = 10000
# Databases whose invalid stored retention policy was logged (once per gateway
# and code version; a valid policy clears it).
_reported = set()


def refresh(store):
    """Reads the maintenance mode into this gateway's cache; returns it."""
    found = settings.read(store, MAINTENANCE)
    mode = (codec.decode(found[0]) or {}).get("mode") if found else None
    kernel.get()["maintenance"].put(store.dbName, mode or "")
    return mode


def isDraining(dbName):
    return bool(kernel.get()["maintenance"].get(dbName))


def getMode(dbName):
    store = database.prepare(dbName)
    found = settings.read(store, MAINTENANCE)
    value = codec.decode(found[0]) if found else {}
    refresh(store)
    return {"mode": value.get("mode"), "reason": value.get("reason"),
            "updatedBy": found[1] if found else None, "updatedMs": found[2] if found else None}


class Change(namedtuple("Change", "mode cancelled")):
    """What setMode did: the mode now stored (None or "drain") and the runs
    "cancel" cancelled, {queued, running} (see store.runs.cancelActive)."""
    __slots__ = ()

    @property
    def total(self):
        return self.cancelled["queued"] + self.cancelled["running"]


def setMode(dbName, mode, reason, user, queueName=None):
    """Sets the maintenance mode for every gateway; returns a Change.

    ``queueName`` limits what "cancel" cancels to that queue's runs;
    maintenance itself is always database-wide."""
    if mode not in (None, "drain", "cancel"):
        raise InvalidArguments("mode must be None, 'drain' or 'cancel'.")
    store = database.prepare(dbName)
    now = clock.nowMs()
    cancelled = {"queued": 0, "running": 0}
    stored = "drain" if mode == "cancel" else mode
    settings.write(store, MAINTENANCE, codec.encode({"mode": stored, "reason": reason}), user, now)
    if mode == "cancel":
        error = codec.encode({"type": "Cancelled", "message": reason or "maintenance cancel",
                              "sender": user})
        cancelled = runs.cancelActive(store, error, now, queueName)
        for wid in list(kernel.get()["running"].keySet()):
            kernel.signal(wid)
    kernel.get()["maintenance"].put(dbName, stored or "")
    return Change(stored, cancelled)


class Drain(namedtuple("Drain", "outcome inFlight partitions executing lastSwapMs")):
    """What swapIfDrained found: ``outcome`` (SWAPPED, MAINTENANCE_REQUIRED
    or NOT_DRAINED), runs in flight on any gateway and their distinct
    partition keys, runs executing on this gateway, and when a check last
    found the database drained (0: never)."""
    __slots__ = ()


SWAPPED, MAINTENANCE_REQUIRED, NOT_DRAINED = "swapped", "maintenance_required", "not_drained"


def inFlight(dbName):
    """{runs, partitions}: runs claimed and not finished, on any gateway."""
    return runs.inFlight(database.prepare(dbName))


def lastSwapMs(dbName):
    """When swapIfDrained last found ``dbName`` drained; 0 when it never did."""
    found = settings.read(database.prepare(dbName), SWAP)
    value = codec.decode(found[0]) if found else None
    return int(value.get("atMs") or 0) if isinstance(value, dict) else 0


def swapIfDrained(dbName, user):
    """Returns a Drain; records the time when maintenance is on and no run
    is in flight on any gateway (HELD runs count: their threads run the
    code they started with) nor executing here."""
    store = database.prepare(dbName)
    flight = runs.inFlight(store)
    executing = kernel.get()["running"].size()
    if not refresh(store):
        outcome = MAINTENANCE_REQUIRED
    elif flight["runs"] or executing:
        outcome = NOT_DRAINED
    else:
        now = clock.nowMs()
        settings.write(store, SWAP, codec.encode({"atMs": now}), user, now)
        return Drain(SWAPPED, 0, 0, executing, now)
    return Drain(outcome, flight["runs"], flight["partitions"], executing, lastSwapMs(dbName))


def checkRetention(maxAgeDays, maxRows, batchSize):
    """Returns the policy dict if every value is in range; None means keep.

    Raises:
        InvalidArguments: maxAgeDays not a finite number of days from 0 to
            MAX_AGE_DAYS (NaN and infinities included), maxRows not an
            integer from 0 to 10^9, batchSize not an integer from 1 to 10000.
    """
    if maxAgeDays is not None:
        maxAgeDays = number("maxAgeDays", maxAgeDays, 0, MAX_AGE_DAYS)
        if maxAgeDays == int(maxAgeDays):
            maxAgeDays = int(maxAgeDays)
    if maxRows is not None:
        maxRows = integer("maxRows", maxRows, 0, 10 ** 9)
    batchSize = integer("batchSize", batchSize, 1, MAX_BATCH)
    return {"maxAgeDays": maxAgeDays, "maxRows": maxRows, "batchSize": batchSize}


def _stored(found):
    """Returns (policy, problem) of a stored retention setting: problem is
    None, or why the stored values cannot be applied (then nothing is
    deleted and dispatch logs it: a broken policy never reads as "keep")."""
    policy = dict(RETENTION_DEFAULTS)
    try:
        value = codec.decode(found[0]) if found else {}
        if not isinstance(value, dict):
            raise InvalidArguments("the stored policy is not a JSON object")
        policy.update(value)
        return checkRetention(policy.get("maxAgeDays"), policy.get("maxRows"),
                              policy.get("batchSize")), None
    except (InvalidArguments, ValueError) as e:
        return policy, str(e)


def getRetention(dbName):
    """Returns {maxAgeDays, maxRows, batchSize, problem}; ``problem`` says why
    a stored policy cannot be applied (None when it can)."""
    store = database.prepare(dbName)
    policy, problem = _stored(settings.read(store, RETENTION))
    return dict(policy, problem=problem)


def setRetention(dbName, maxAgeDays, maxRows, batchSize, user):
    """Stores the retention policy for every gateway; returns it.

    Raises:
        InvalidArguments: a value out of range (see checkRetention).
    """
    policy = checkRetention(maxAgeDays, maxRows, batchSize)
    store = database.prepare(dbName)
    settings.write(store, RETENTION, codec.encode(policy), user, clock.nowMs())
    kernel.get()["lastRetention"].remove(dbName)
    _reported.discard(dbName)
    return policy


def applyRetention(store, force=False):
    """Deletes one bounded batch of expired runs, at most once a minute; returns runs deleted.

    A stored policy that cannot be applied (NaN, infinite or negative values
    written by hand or by an older version) deletes nothing: it is counted
    (``retentionPolicyInvalid``) and logged as an error once per gateway
    until a valid policy is set.
    """
    last = kernel.get()["lastRetention"]
    now = clock.nowMs()
    previous = last.get(store.dbName)
    if not force and previous is not None and now - previous < RETENTION_PERIOD_MS:
        return 0
    last.put(store.dbName, now)
    found = settings.read(store, RETENTION)
    if not found:
        return 0
    policy, problem = _stored(found)
    if problem is not None:
        kernel.count("retentionPolicyInvalid")
        if store.dbName not in _reported:
            _reported.add(store.dbName)
            logs.get("maintenance").errorf(
                "Retention on %s is NOT applied: the stored policy is invalid (%s). Set it again "
                "with admin.setRetention().", store.dbName, problem)
        return 0
    _reported.discard(store.dbName)
    budget = policy["batchSize"]
    deleted = 0
    if policy["maxAgeDays"] is not None:
        cutoff = min(now - int(policy["maxAgeDays"] * 86400000), now - RETENTION_FLOOR_MS)
        deleted += retention.delete(store, retention.olderThan(store, cutoff, budget))
    if policy["maxRows"] is not None and deleted < budget:
        cutoff = retention.rowCountCutoff(store, policy["maxRows"])
        if cutoff is not None:
            deleted += retention.delete(store, retention.olderThan(
                store, min(cutoff + 1, now - RETENTION_FLOOR_MS), budget - deleted))
    if deleted:
        kernel.count("retentionDeleted", deleted)
    return deleted

