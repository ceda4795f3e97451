"""One dispatch cycle (what the gateway timer runs through
api.service.dispatch): heartbeat -> flush -> refresh -> recover -> takeover
-> wake (released runs that are due) -> schedules -> claim -> retention.

The cycle sits above the dispatcher, the schedules and the submit path: a
schedule submits runs, and submitting asks the dispatcher to start a run
here, so the cycle that calls all three is its own module (no import cycle).

The in-memory flush serves every database the queue holds requests for, so
its failure is reported in the cycle's result (``flushError``) and never
skips the other phases: a bad request or another database's outage must not
stop this gateway from claiming, recovering, taking over, applying retention
and renewing its lease (burst.py says what happens to the requests).
"""
from exchange.workflows.core import clock, logs
from exchange.workflows.core.errors import (ANY_ERROR, DatabaseError, DatabaseUnavailable,
                                              describe)
from exchange.workflows.engine import (backoff, burst, database, debounce, dispatcher, kernel,
                                       leases, maintenance, schedules)


def dispatch(dbName, queueName, maxToClaim, flushMaxItems, flushMaxMs):
    """Runs one cycle; returns the counts. Raises the errors of ``dbName``
    itself; a failed flush is reported as ``flushError`` instead."""
    k = kernel.get()
    kernel.generation()
    lock = kernel.dispatchLock(dbName)
    if not lock.tryLock():
        return {"skipped": True, "reason": "another dispatch is running"}
    try:
        started = clock.nowMs()
        backoff.check(dbName, started)
        try:
            store = database.prepare(dbName)
            leases.heartbeat(store)
            flushed, flushError = _flush(flushMaxItems, flushMaxMs, started)
            signalled = dispatcher.refresh(store)
            recovered = dispatcher.recover(store) if kernel.isFlagged("recoveryPending", dbName, True) else 0
            recovered += leases.takeover(store, dispatcher.submit,
                                          dispatcher.deadLetterError)
            woken = dispatcher.wakeReleased(store)
            mode = maintenance.refresh(store)
            scheduled = schedules.fireDue(store, clock.nowMs())
            claimed = dispatcher.claimAndSubmit(store, queueName, maxToClaim)
            claimed += dispatcher.claimOtherQueues(store, queueName, maxToClaim - claimed)
            deleted = maintenance.applyRetention(store)
        except DatabaseUnavailable as e:
            if not backoff.failures(dbName):
                _logger().warnf("dispatch on %s: %s (backing off; logged once per outage)",
                                dbName, str(e))
            backoff.failed(dbName, started)
            raise
        except DatabaseError as e:
            # The timer script drops the envelope: without this line a
            # dispatch failing every second would leave no trace.
            if kernel.count("dispatchErrors") % 60 == 1:
                _logger().warnf("dispatch on %s failed: %s (logged every 60th time)", dbName, str(e))
            raise
        if claimed:  # runs the work-conserving claims left to the timer (diagnostics)
            kernel.count("claimedByDispatch", claimed)
        backoff.succeeded(dbName)
        result = {"flushed": flushed, "recovered": recovered, "claimed": claimed,
                  "scheduled": scheduled, "woken": woken,
                  "maintenance": mode, "retentionDeleted": deleted,
                  "signalled": signalled, "running": k["running"].size(),
                  "inMemoryDepth": burst.depth(), "inMemoryBytes": burst.heldBytes(),
                  "freeWorkers": kernel.freeWorkers(),
                  "durationMs": clock.nowMs() - started, "tsMs": started}
        if flushError is not None:
            result["flushError"] = flushError
        k["lastDispatch"].set(dict(result, queueName=queueName, dbName=dbName))
        kernel.count("dispatches")
        return result
    finally:
        lock.unlock()


def _flush(maxItems, maxMs, now):
    """Flushes the in-memory queue; returns (rows settled, error text or None)."""
    try:
        burst.refreshKnownDatabases(now)
        debounce.release(now)
        return burst.flush(maxItems, maxMs), None
    except ANY_ERROR as e:
        # Logged now and then: the requests stay queued, and the cause
        # (an outage, a database refusing every row) shows in every result.
        if kernel.count("flushErrors") % 60 == 1:
            _logger().warnf("in-memory flush stopped: %s (%d requests stay queued; logged every "
                            "60th time)", describe(e), burst.depth())
        return 0, describe(e)


def _logger():
    return logs.get("dispatcher")
