"""Administration: ``exchange.workflows.api.admin``. Same envelope as the service API.

Every function takes ``session=self.session`` from a Perspective script and
needs the policy's "admin" right (reads need "read"); a gateway script acts
as the gateway. Changes are audited.
"""
from exchange.workflows.api import access
from exchange.workflows.api.envelope import guarded
from exchange.workflows.core import validate
from exchange.workflows.api import lifecycle
# Schedules are administration too: admin.createSchedule(...) as documented.
from exchange.workflows.api.schedules import (createSchedule, deleteSchedule, getSchedule,
                                               listSchedules, pauseSchedule, resumeSchedule,
                                               triggerSchedule)
from exchange.workflows.engine import (burst, database, identity, importer, kernel, leases,
                                       maintenance, queues, registry)
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments
from exchange.workflows.core.validate import integer as _int
from exchange.workflows.core.validate import number as _number
from exchange.workflows.core.validate import optionalText as _text

DEFAULT_DB = validate.DEFAULT_DB

__all__ = ["startup", "shutdown", "checkSchema", "configureRuntime", "configureQueue",
           "setMaintenance", "getMaintenance", "enterMaintenance", "exitMaintenance",
           "getMaintenanceStatus", "swapIfDrained", "setRetention", "getRetention", "applyRetention",
           "importUpstream", "listGateways", "diagnostics", "createSchedule", "listSchedules",
           "getSchedule", "pauseSchedule", "resumeSchedule", "deleteSchedule", "triggerSchedule",
           "DEFAULT_DB"]

# Runtime settings configureRuntime accepts, with their ranges.
_LIMITS = {
    "maxInputBytes": (1000, 100000000),
    "maxOutputBytes": (1000, 100000000),
    "maxValueBytes": (100, 100000000),
    "maxJsonDepth": (2, 1000),
    "inMemoryMaxBytes": (100000, 4000000000),
}


_db = validate.dbNameOrDefault


def _admin(session, dbName, action="admin", target=None):
    """Resolves the caller and requires ``action`` (audited as ``target``,
    the function's name, when refused); returns the caller."""
    if dbName is not None:
        validate.dbNameText(dbName)
    who = access.caller(session)
    access.require(who, action, dbName, target=target)
    return who


def startup(modules=None, *args, **kwargs):
    """For the gateway startup script: loads workflow modules. Returns STARTED."""
    def run():
        if modules is not None and not isinstance(modules, (list, tuple)):
            raise InvalidArguments("modules must be a list of module names or None.")
        data = lifecycle.startup(modules)
        return "STARTED", "%d workflow modules loaded." % len(data["loaded"]), data
    return guarded(run, None, "startup", args, kwargs)


def shutdown(*args, **kwargs):
    """For the gateway shutdown script: flushes the in-memory queue. Returns STOPPED_CLEANLY."""
    def run():
        data = lifecycle.shutdown()
        return "STOPPED_CLEANLY", "In-memory queue flushed.", data
    return guarded(run, None, "shutdown", args, kwargs)


def checkSchema(dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Creates or migrates the engine's tables if needed.

    Returns:
        SCHEMA_OK with {schemaName, version, latest, dialect, schemaVersion,
        upstreamSchema: {found, schemaName, version}}: where the tables are
        (``workflows``, or ``exchange_workflows`` beside ignition-workflows
        0.3.6's tables) and whether 0.3.6's were found; SCHEMA_INCOMPATIBLE
        when the database holds tables the engine cannot use (the message
        says which and what to do).
    """
    dbName = _db(dbName)

    def run():
        _admin(session, dbName, target="checkSchema")
        data = database.schemaStatus(dbName)
        message = "Schema is current (%s)." % data["schemaName"]
        if data["upstreamSchema"]["found"]:
            message += (" ignition-workflows 0.3.6 tables found in %s are left as they are; "
                        "this engine keeps its own in %s; admin.importUpstream() copies their "
                        "history, templates and enums (docs/migrating-from-0.3.md)."
                        % (data["upstreamSchema"]["schemaName"], data["schemaName"]))
        return "SCHEMA_OK", message, data
    return guarded(run, dbName, "checkSchema", args, kwargs)


def configureRuntime(maxWorkers=None, applicationVersion=None, maxRecoveryAttempts=None,
                     inMemoryCapacity=None, leaseSeconds=None, limits=None,
                     storeTracebackSource=None, releaseAfterMs=None, session=None, *args,
                     **kwargs):
    """Sets this gateway's runtime settings (kept until the JVM stops).

    Args:
        maxWorkers: worker threads (1-2000; a run waiting outside a step holds
            one only until releaseAfterMs).
        applicationVersion: this gateway claims rows with this version or none.
        maxRecoveryAttempts: crashes without progress before DEAD_LETTER.
        inMemoryCapacity: bound of the enqueueInMemory queue (only while it is empty).
        leaseSeconds: how long other gateways wait after this one's last
            heartbeat before taking its runs over (default 30).
        limits: a dict of size limits, any of maxInputBytes, maxOutputBytes,
            maxValueBytes, maxJsonDepth, inMemoryMaxBytes (see docs/service-api.md).
        storeTracebackSource: True to keep source lines in stored and logged
            tracebacks (off by default: a line may hold a literal secret).
        releaseAfterMs: how long a run waiting outside a step (HELD, asleep,
            asking, receiving, awaiting children or a tag) keeps its worker
            thread before it releases it (default 5000; -1: never;
            docs/control.md "Waits that hold no thread").

    Returns:
        RUNTIME_CONFIGURED with the settings; INVALID_ARGUMENTS; NOT_AUTHORIZED.
    """
    def run():
        who = _admin(session, None, target="configureRuntime")
        # Everything is checked before anything is applied: a bad argument
        # changes nothing.
        if maxWorkers is not None:
            _int("maxWorkers", maxWorkers, 1, 2000)
        if applicationVersion is not None and (not isinstance(applicationVersion, TEXT)
                                               or len(applicationVersion) > 100):
            raise InvalidArguments("applicationVersion must be a string of at most 100 characters.")
        if maxRecoveryAttempts is not None:
            _int("maxRecoveryAttempts", maxRecoveryAttempts, 1, 1000)
        if leaseSeconds is not None:
            _number("leaseSeconds", leaseSeconds, 2, 3600)
        if inMemoryCapacity is not None:
            _int("inMemoryCapacity", inMemoryCapacity, 1, 1000000)
        if releaseAfterMs is not None:
            _int("releaseAfterMs", releaseAfterMs, -1, 86400000)
        if storeTracebackSource is not None and not isinstance(storeTracebackSource, bool):
            raise InvalidArguments("storeTracebackSource must be True, False or None.")
        if limits is not None and not hasattr(limits, "items"):
            raise InvalidArguments("limits must be a dict of limit names to values.")
        newLimits = {}
        for key, value in (limits or {}).items():
            if key not in _LIMITS:
                raise InvalidArguments("Unknown limit %r; limits are %s." % (
                    str(key)[:40], ", ".join(sorted(_LIMITS))))
            newLimits[str(key)] = _int(key, value, _LIMITS[key][0], _LIMITS[key][1])
        if inMemoryCapacity is not None:
            if not kernel.resizeBurstQueue(int(inMemoryCapacity)):
                raise InvalidArguments("The in-memory queue holds %d requests; resize it after "
                                       "dispatch() has flushed them." % burst.depth())
            kernel.setConfig("inMemoryCapacity", int(inMemoryCapacity))
        if maxWorkers is not None:
            kernel.resizePool(int(maxWorkers))
        if applicationVersion is not None:
            kernel.setConfig("applicationVersion", applicationVersion or None)
        if maxRecoveryAttempts is not None:
            kernel.setConfig("maxRecoveryAttempts", int(maxRecoveryAttempts))
        if leaseSeconds is not None:
            kernel.setConfig("leaseSeconds", leaseSeconds)
        if releaseAfterMs is not None:
            kernel.setConfig("releaseAfterMs", int(releaseAfterMs))
        for key, value in newLimits.items():
            kernel.setConfig(key, value)
        if storeTracebackSource is not None:
            kernel.setConfig("storeTracebackSource", storeTracebackSource)
        access.audit(who, "admin", None, "RUNTIME_CONFIGURED", target="configureRuntime")
        return "RUNTIME_CONFIGURED", "Runtime configured.", _settings()
    return guarded(run, None, "configureRuntime", args, kwargs)


def configureQueue(queueName=None, concurrency=None, workerConcurrency=None, dbName=DEFAULT_DB,
                   rateLimit=None, session=None, *args, **kwargs):
    """Sets a queue's limits: ``concurrency`` runs at once across all
    gateways, ``workerConcurrency`` per gateway, and ``rateLimit``
    ``{"limit": N, "periodSeconds": P}``: at most N runs of the queue start
    in any P seconds, across all gateways. None = unlimited; each call sets
    all three. Returns QUEUE_CONFIGURED."""
    dbName = _db(dbName)

    def run():
        if not isinstance(queueName, TEXT) or not queueName.strip() or len(queueName) > 100:
            raise InvalidArguments("queueName must be a non-empty string of at most 100 characters.")
        for name, value in (("concurrency", concurrency), ("workerConcurrency", workerConcurrency)):
            if value is not None:
                _int(name, value, 1, 100000)
        limit, periodMs = _rateLimit(rateLimit)
        who = _admin(session, dbName, target="configureQueue")
        queues.configure(dbName, queueName, concurrency, workerConcurrency, limit, periodMs)
        access.audit(who, "admin", dbName, "QUEUE_CONFIGURED", target="queue:" + queueName)
        return "QUEUE_CONFIGURED", "Queue %s configured." % queueName, {
            "queueName": queueName, "concurrency": concurrency, "workerConcurrency": workerConcurrency,
            "rateLimit": None if limit is None else {"limit": limit,
                                                     "periodSeconds": periodMs / 1000.0}}
    return guarded(run, dbName, "configureQueue", args, kwargs)


def _rateLimit(rateLimit):
    """(limit, periodMs) from ``{"limit": N, "periodSeconds": P}``, or (None, None)."""
    if rateLimit is None:
        return None, None
    if not hasattr(rateLimit, "keys") or set(rateLimit.keys()) != set(["limit", "periodSeconds"]):
        raise InvalidArguments("rateLimit must be None or {'limit': N, 'periodSeconds': P}: at "
                               "most N starts in any P seconds.")
    limit = _int("rateLimit['limit']", rateLimit["limit"], 1, 1000000)
    period = _number("rateLimit['periodSeconds']", rateLimit["periodSeconds"], 0.1, 86400 * 7)
    return limit, int(period * 1000)


def setMaintenance(mode=None, reason=None, user=None, dbName=DEFAULT_DB, session=None,
                   *args, **kwargs):
    """Sets maintenance for every gateway using the database.

    Args:
        mode: None (normal), "drain" (claim nothing new; running runs finish;
            starts still queue durably) or "cancel" (cancel every active run,
            then drain).
        session: ``self.session`` from Perspective; ``user`` is a label for
            gateway scripts only (see service.start).
    Returns:
        MAINTENANCE_SET with {mode, cancelled}; INVALID_ARGUMENTS; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        if reason is not None and (not isinstance(reason, TEXT) or len(reason) > 1000):
            raise InvalidArguments("reason must be a string of at most 1000 characters or None.")
        if user is not None and (not isinstance(user, TEXT) or len(user) > 200):
            raise InvalidArguments("user must be a string of at most 200 characters or None.")
        who = _admin(session, dbName, target="setMaintenance")
        by = user if who.source == access.GATEWAY_SOURCE and user else access.actor(who)
        change = maintenance.setMode(dbName, mode, reason, by)
        access.audit(who, "admin", dbName, "MAINTENANCE_SET",
                     target="maintenance:%s" % (change.mode or "off"), reason=reason)
        return "MAINTENANCE_SET", "Maintenance mode is now %s." % (change.mode or "off"), {
            "mode": change.mode, "cancelled": change.total}
    return guarded(run, dbName, "setMaintenance", args, kwargs)


def getMaintenance(dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns MAINTENANCE_STATUS with {mode, reason, updatedBy, updatedMs}."""
    dbName = _db(dbName)

    def run():
        _admin(session, dbName, "read", target="getMaintenance")
        data = maintenance.getMode(dbName)
        return "MAINTENANCE_STATUS", "Maintenance mode is %s." % (data["mode"] or "off"), data
    return guarded(run, dbName, "getMaintenance", args, kwargs)


def _status(dbName):
    """ignition-workflows 0.3.6's maintenance status fields, read from this
    engine: maintenance from the database (every gateway's), the rest from
    this gateway, except ``inFlightWorkflows``/``activePartitions``: runs
    claimed and not finished on any gateway, what swapIfDrained waits for."""
    mode = maintenance.getMode(dbName)
    flight = maintenance.inFlight(dbName)
    k = kernel.get()
    pool = k["pool"].get()
    return {
        "maintenanceEnabled": bool(mode["mode"]),
        # 0.3.6 showed "drain" while maintenance was off, and so does this.
        "maintenanceMode": mode["mode"] or "drain",
        "maintenanceReason": mode["reason"] or "",
        "maintenanceUpdatedBy": mode["updatedBy"],
        "maintenanceUpdatedMs": mode["updatedMs"],
        "generation": k["generation"].get(),
        "executorId": identity.executorId(),
        "inFlightWorkflows": flight["runs"],
        "activeWorkflows": k["running"].size(),
        "activePartitions": flight["partitions"],
        "wfExecutorActive": 0 if pool is None else pool.getActiveCount(),
        # Steps run on their workflow's thread: there is no step pool.
        "stepExecutorActive": 0,
        "inMemoryQueueDepth": burst.depth(),
        "inMemoryQueueMaxDepth": kernel.config("inMemoryCapacity"),
        "inMemoryQueueOverflowCount": _counter(k, "inMemoryOverflow"),
        # Not kept: the overflow count and the gateway log say enough.
        "inMemoryQueueLastOverflowAtMs": None,
        "inMemoryQueueFlushFailureCount": _counter(k, "flushErrors"),
        # 0.3.6's dead-letter queue is this engine's parked requests (api.parked).
        "inMemoryQueueDeadLetterCount": _counter(k, "parkedRequests"),
        "inMemoryQueueDeadLetterDepth": k["parkedInMemory"].size(),
        "lastSwapAtMs": maintenance.lastSwapMs(dbName),
    }


def _counter(k, name):
    found = k["stats"].get(name)
    return 0 if found is None else found.get()


def _modeText(mode):
    """0.3.6's mode rule: None or "" means "drain", any case; returns
    (mode, valid) with the text cut for the answer."""
    text = "drain" if mode is None or mode == "" else (
        mode.strip().lower() if isinstance(mode, TEXT) else repr(mode))
    return text[:40], text in ("drain", "cancel")


def enterMaintenance(mode="drain", reason="", queueName=None, dbName=None, session=None,
                     *args, **kwargs):
    """ignition-workflows 0.3.6's call: turns maintenance on for every
    gateway using the database (setMaintenance with its codes and fields).

    Args:
        mode: "drain" (claim nothing new; running runs finish) or "cancel"
            (also cancel active runs), any case; None means "drain".
        reason: shown in the status and audited.
        queueName: with "cancel", only this queue's runs are cancelled
            (None: every queue's). Maintenance itself is database-wide.

    Returns:
        MAINTENANCE_ENABLED with the status fields (getMaintenanceStatus) plus
        {ok: True, cancelled: {queued, running}}; INVALID_MODE with {mode};
        INVALID_ARGUMENTS; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        text, valid = _modeText(mode)
        if not valid:
            return "INVALID_MODE", "Maintenance mode must be 'drain' or 'cancel'.", {
                "mode": text}, False
        why = _text("reason", reason or None)
        if why is not None and len(why) > 1000:
            raise InvalidArguments("reason must be a string of at most 1000 characters or None.")
        if queueName is not None and (not isinstance(queueName, TEXT) or not queueName.strip()
                                      or len(queueName) > 100):
            raise InvalidArguments("queueName must be a non-empty string of at most 100 "
                                   "characters or None.")
        who = _admin(session, dbName, target="enterMaintenance")
        change = maintenance.setMode(dbName, text, why, access.actor(who), queueName)
        target = "maintenance:%s" % text + (":" + queueName if queueName and text == "cancel"
                                            else "")
        access.audit(who, "admin", dbName, "MAINTENANCE_ENABLED", target=target, reason=why)
        data = _status(dbName)
        data.update({"ok": True, "cancelled": change.cancelled})
        message = "Maintenance mode enabled (%s)." % text
        if text == "cancel":
            message += " %(queued)d queued and %(running)d running runs cancelled." % change.cancelled
        return "MAINTENANCE_ENABLED", message, data
    return guarded(run, dbName, "enterMaintenance", args, kwargs, queueName, True)


def exitMaintenance(dbName=None, session=None, *args, **kwargs):
    """ignition-workflows 0.3.6's call: turns maintenance off for every gateway.

    Returns:
        MAINTENANCE_DISABLED with the status fields plus {ok: True};
        NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        who = _admin(session, dbName, target="exitMaintenance")
        maintenance.setMode(dbName, None, None, access.actor(who))
        access.audit(who, "admin", dbName, "MAINTENANCE_DISABLED", target="maintenance:off")
        data = _status(dbName)
        data["ok"] = True
        return "MAINTENANCE_DISABLED", "Maintenance mode disabled.", data
    return guarded(run, dbName, "exitMaintenance", args, kwargs, None, True)


def getMaintenanceStatus(dbName=None, session=None, *args, **kwargs):
    """ignition-workflows 0.3.6's call (needs "read"): MAINTENANCE_STATUS
    with the status fields (see _status)."""
    dbName = _db(dbName)

    def run():
        _admin(session, dbName, "read", target="getMaintenanceStatus")
        return "MAINTENANCE_STATUS", "Maintenance status retrieved.", _status(dbName)
    return guarded(run, dbName, "getMaintenanceStatus", args, kwargs, None, True)


def swapIfDrained(dbName=None, session=None, *args, **kwargs):
    """ignition-workflows 0.3.6's deployment cutover check. Nothing needs
    swapping here (after a project save new runs use the new code), so it
    checks that maintenance is on and no run is in flight on any gateway,
    and records when (``lastSwapAtMs``).

    Returns:
        MAINTENANCE_SWAP_OK with {ok: True, generation, lastSwapAtMs};
        MAINTENANCE_REQUIRED (ok False) with {ok, reason: "maintenance_required",
        generation}; NOT_DRAINED (ok False) with {ok, reason: "not_drained",
        inFlightWorkflows, activeWorkflows, activePartitions, wfExecutorActive,
        stepExecutorActive, generation}; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        who = _admin(session, dbName, target="swapIfDrained")
        found = maintenance.swapIfDrained(dbName, access.actor(who))
        k = kernel.get()
        generation = k["generation"].get()
        if found.outcome == maintenance.SWAPPED:
            access.audit(who, "admin", dbName, "MAINTENANCE_SWAP_OK", target="maintenance:swap")
            return "MAINTENANCE_SWAP_OK", "Drained: every run in flight has finished.", {
                "ok": True, "generation": generation, "lastSwapAtMs": found.lastSwapMs}
        if found.outcome == maintenance.MAINTENANCE_REQUIRED:
            return "MAINTENANCE_REQUIRED", "Enable maintenance mode before swapIfDrained.", {
                "ok": False, "reason": found.outcome, "generation": generation}, False
        pool = k["pool"].get()
        return "NOT_DRAINED", "%d runs are still in flight (%d on this gateway)." % (
            found.inFlight, found.executing), {
            "ok": False, "reason": found.outcome, "inFlightWorkflows": found.inFlight,
            "activeWorkflows": found.executing, "activePartitions": found.partitions,
            "wfExecutorActive": 0 if pool is None else pool.getActiveCount(),
            "stepExecutorActive": 0, "generation": generation,
            "lastSwapAtMs": found.lastSwapMs}, False
    return guarded(run, dbName, "swapIfDrained", args, kwargs, None, True)


def setRetention(maxAgeDays=None, maxRows=None, batchSize=500, user=None, dbName=DEFAULT_DB,
                 session=None, *args, **kwargs):
    """Sets the retention policy for finished runs (None = keep).

    Args:
        maxAgeDays: delete runs that finished more than this many days ago
            (a finite number from 0 to 36500).
        maxRows: keep at most this many finished runs (the newest).
        batchSize: most runs deleted per gateway per minute (bounds the cost).
    Returns:
        RETENTION_SET with the policy; INVALID_ARGUMENTS; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        if maxAgeDays is not None:
            _number("maxAgeDays", maxAgeDays, 0, 36500)
        if maxRows is not None:
            _int("maxRows", maxRows, 0, 10 ** 9)
        _int("batchSize", 500 if batchSize is None else batchSize, 1, 10000)
        _text("user", user)
        who = _admin(session, dbName, target="setRetention")
        by = user if who.source == access.GATEWAY_SOURCE and user else access.actor(who)
        data = maintenance.setRetention(dbName, maxAgeDays, maxRows,
                                        500 if batchSize is None else batchSize, by)
        access.audit(who, "admin", dbName, "RETENTION_SET", target="retention")
        return "RETENTION_SET", "Retention policy saved.", data
    return guarded(run, dbName, "setRetention", args, kwargs)


def getRetention(dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns RETENTION_POLICY with {maxAgeDays, maxRows, batchSize}."""
    dbName = _db(dbName)

    def run():
        _admin(session, dbName, "read", target="getRetention")
        return "RETENTION_POLICY", "Retention policy.", maintenance.getRetention(dbName)
    return guarded(run, dbName, "getRetention", args, kwargs)


def applyRetention(dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Deletes one batch of expired runs now. Returns RETENTION_APPLIED with {deleted}."""
    dbName = _db(dbName)

    def run():
        who = _admin(session, dbName, target="applyRetention")
        deleted = maintenance.applyRetention(database.prepare(dbName), force=True)
        access.audit(who, "admin", dbName, "RETENTION_APPLIED", target="retention",
                     reason="%d runs deleted" % deleted)
        return "RETENTION_APPLIED", "%d finished runs deleted." % deleted, {"deleted": deleted}
    return guarded(run, dbName, "applyRetention", args, kwargs)


def importUpstream(sourceDbName=None, sourceSchema="workflows", activeRuns="report", limit=1000,
                   dryRun=False, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Copies ignition-workflows 0.3.6's history, parameter templates and
    enums into this engine's tables (engine/importer.py says what becomes
    what). 0.3.6's tables are only read; importing twice adds nothing.

    Args:
        sourceDbName: the connection holding 0.3.6's tables (None: dbName).
        sourceSchema: their schema (0.3.6's is "workflows").
        activeRuns: "report" (default): runs 0.3.6 has not finished are
            listed in ``reported``, not imported; "enqueue": they are
            imported ENQUEUED and run here from their first step (stop
            0.3.6's gateways first).
        limit: new runs imported per call, oldest first (1-10000); call
            again while ``more`` is True.
        dryRun: count what would be imported; write nothing.
    Returns:
        UPSTREAM_IMPORTED (UPSTREAM_IMPORT_DRY_RUN) with {runs, enqueued,
        steps, events, eventHistory, streams, commands, templates, enums,
        skipped, scanned, reported, reportedCount, failed, warnings, more,
        upstreamRuns, retention, dryRun}; UPSTREAM_NOT_FOUND (no 0.3.6
        tables there); INVALID_ARGUMENTS; NOT_AUTHORIZED; DATABASE_*.
        Policy "admin"; an import (not a dry run) is audited with its counts.
    """
    dbName = _db(dbName)

    def run():
        if sourceDbName is not None:
            validate.dbNameText(sourceDbName)
        if not isinstance(dryRun, bool):
            raise InvalidArguments("dryRun must be True or False.")
        who = _admin(session, dbName, target="importUpstream")
        data = importer.importUpstream(dbName, sourceDbName, sourceSchema, activeRuns, limit,
                                       dryRun)
        counts = dict((k, data[k]) for k in ("runs", "enqueued", "steps", "commands", "templates",
                                            "enums", "skipped", "reportedCount", "more"))
        counts["failed"] = len(data["failed"])
        text = ("%(runs)d runs (%(steps)d steps), %(enqueued)d enqueued, %(templates)d template "
                "and %(enums)d enum versions; %(skipped)d already here, %(reportedCount)d "
                "reported, %(failed)d failed" % counts)
        if dryRun:
            return "UPSTREAM_IMPORT_DRY_RUN", "Would import " + text + ".", data
        access.audit(who, "admin", dbName, "UPSTREAM_IMPORTED", target="importUpstream",
                     detail=counts)
        return "UPSTREAM_IMPORTED", "Imported " + text + (
            "; call again for more." if data["more"] else "."), data
    return guarded(run, dbName, "importUpstream", args, kwargs)


def listGateways(dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns GATEWAYS_LISTED with every gateway that used the database:
    executorId, state (ALIVE/DEAD), applicationVersion, leaseMs, heartbeatMs, leaseLeftMs."""
    dbName = _db(dbName)

    def run():
        _admin(session, dbName, "read", target="listGateways")
        rows = leases.gateways(dbName)
        return "GATEWAYS_LISTED", "%d gateways." % len(rows), rows
    return guarded(run, dbName, "listGateways", args, kwargs)


def diagnostics(session=None, *args, **kwargs):
    """Returns DIAGNOSTICS: pool, in-memory depth, running runs, last dispatch, counters."""
    def run():
        _admin(session, None, "read", target="diagnostics")
        k = kernel.get()
        pool = k["pool"].get()
        stats = dict((str(key), k["stats"].get(key).get()) for key in k["stats"].keySet())
        last = k["lastDispatch"].get()
        return "DIAGNOSTICS", "Runtime diagnostics.", {
            "settings": _settings(),
            "pool": None if pool is None else {
                "size": pool.getPoolSize(), "active": pool.getActiveCount(),
                "max": pool.getMaximumPoolSize(), "completed": pool.getCompletedTaskCount()},
            "running": sorted(str(w) for w in k["running"].keySet()),
            "inMemoryDepth": burst.depth(),
            "inMemoryBytes": burst.heldBytes(),
            "parkedInMemory": k["parkedInMemory"].size(),
            "lastDispatch": dict(last) if last is not None else None,
            "registered": registry.names(),
            "generation": k["generation"].get(),
            "counters": stats,
        }
    return guarded(run, None, "diagnostics", args, kwargs)


def _settings():
    return dict((name, kernel.config(name)) for name in kernel.DEFAULTS)


