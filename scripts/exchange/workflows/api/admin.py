"""Administration: ``exchange.workflows.api.admin``. Same envelope as the service API."""
from exchange.workflows.api.envelope import guarded
from exchange.workflows.engine import burst, database, kernel, lifecycle, maintenance, registry
from exchange.workflows.engine.codec import TEXT
from exchange.workflows.engine.errors import InvalidArguments
from exchange.workflows.engine.validate import integer as _int
from exchange.workflows.engine.validate import isNumber
from exchange.workflows.engine.validate import optionalText as _text
from exchange.workflows.store import db, executors, schema

DEFAULT_DB = "WorkflowsDB"



def startup(modules=None):
    """For the gateway startup script: loads workflow modules. Returns STARTED."""
    def run():
        data = lifecycle.startup(modules)
        return "STARTED", "%d workflow modules loaded." % len(data["loaded"]), data
    return guarded(run, None)


def shutdown():
    """For the gateway shutdown script: flushes the in-memory queue. Returns STOPPED_CLEANLY."""
    def run():
        data = lifecycle.shutdown()
        return "STOPPED_CLEANLY", "In-memory queue flushed.", data
    return guarded(run, None)


def checkSchema(dbName=DEFAULT_DB):
    """Creates or migrates the schema if needed. Returns SCHEMA_OK with {version, latest}."""
    def run():
        d = database.prepare(dbName)
        return "SCHEMA_OK", "Schema is current.", {
            "version": schema.currentVersion(dbName, d), "latest": schema.LATEST, "dialect": d.name}
    return guarded(run, dbName)


def configureRuntime(maxWorkers=None, applicationVersion=None, maxRecoveryAttempts=None,
                     inMemoryCapacity=None, leaseSeconds=None):
    """Sets this gateway's runtime settings (kept until the JVM stops).

    Args:
        maxWorkers: worker threads (1-2000; a HELD or sleeping run holds one).
        applicationVersion: this gateway claims rows with this version or none.
        maxRecoveryAttempts: crashes without progress before DEAD_LETTER.
        inMemoryCapacity: bound of the enqueueInMemory queue (only while it is empty).
        leaseSeconds: how long other gateways wait after this one's last
            heartbeat before taking its runs over (default 30).

    Returns:
        RUNTIME_CONFIGURED with the settings; INVALID_ARGUMENTS.
    """
    def run():
        if maxWorkers is not None:
            _int("maxWorkers", maxWorkers, 1, 2000)
            kernel.setConfig("maxWorkers", int(maxWorkers))
            pool = kernel.get()["pool"].get()
            if pool is not None:
                pool.setMaximumPoolSize(max(int(maxWorkers), pool.getCorePoolSize()))
                pool.setCorePoolSize(int(maxWorkers))
                pool.setMaximumPoolSize(int(maxWorkers))
        if applicationVersion is not None:
            if not isinstance(applicationVersion, TEXT):
                raise InvalidArguments("applicationVersion must be a string.")
            kernel.setConfig("applicationVersion", applicationVersion or None)
        if maxRecoveryAttempts is not None:
            kernel.setConfig("maxRecoveryAttempts", _int("maxRecoveryAttempts", maxRecoveryAttempts, 1, 1000))
        if leaseSeconds is not None:
            if not isNumber(leaseSeconds) \
                    or not 2 <= leaseSeconds <= 3600:
                raise InvalidArguments("leaseSeconds must be a number from 2 to 3600.")
            kernel.setConfig("leaseSeconds", leaseSeconds)
        if inMemoryCapacity is not None:
            _int("inMemoryCapacity", inMemoryCapacity, 1, 1000000)
            if not kernel.resizeBurstQueue(int(inMemoryCapacity)):
                raise InvalidArguments("The in-memory queue holds %d requests; resize it after "
                                       "dispatch() has flushed them." % burst.depth())
            kernel.setConfig("inMemoryCapacity", int(inMemoryCapacity))
        return "RUNTIME_CONFIGURED", "Runtime configured.", _settings()
    return guarded(run, None)


def configureQueue(queueName, concurrency=None, workerConcurrency=None, dbName=DEFAULT_DB):
    """Sets a queue's limits: ``concurrency`` across all gateways, and
    ``workerConcurrency`` per gateway (None = unlimited). Returns QUEUE_CONFIGURED."""
    def run():
        if not isinstance(queueName, TEXT) or not queueName:
            raise InvalidArguments("queueName must be a non-empty string.")
        for name, value in (("concurrency", concurrency), ("workerConcurrency", workerConcurrency)):
            if value is not None:
                _int(name, value, 1, 100000)
        d = database.prepare(dbName)
        with db.Transaction(dbName, d) as tx:
            db.update(dbName, d.sql("INSERT INTO {queues} (queue_name) VALUES (?) ON CONFLICT DO NOTHING"),
                      [queueName], tx)
            db.update(dbName, d.sql("UPDATE {queues} SET concurrency = ?, worker_concurrency = ? "
                                    "WHERE queue_name = ?"), [concurrency, workerConcurrency, queueName], tx)
        return "QUEUE_CONFIGURED", "Queue %s configured." % queueName, {
            "queueName": queueName, "concurrency": concurrency, "workerConcurrency": workerConcurrency}
    return guarded(run, dbName)


def setMaintenance(mode, reason=None, user=None, dbName=DEFAULT_DB):
    """Sets maintenance for every gateway using the database.

    Args:
        mode: None (normal), "drain" (claim nothing new; running runs finish;
            starts still queue durably) or "cancel" (cancel every active run,
            then drain).
    Returns:
        MAINTENANCE_SET with {mode, cancelled}; INVALID_ARGUMENTS; DATABASE_*.
    """
    def run():
        _text("reason", reason)
        _text("user", user)
        data = maintenance.setMode(dbName, mode, reason, user)
        return "MAINTENANCE_SET", "Maintenance mode is now %s." % (data["mode"] or "off"), data
    return guarded(run, dbName)


def getMaintenance(dbName=DEFAULT_DB):
    """Returns MAINTENANCE_STATUS with {mode, reason, updatedBy, updatedMs}."""
    def run():
        data = maintenance.getMode(dbName)
        return "MAINTENANCE_STATUS", "Maintenance mode is %s." % (data["mode"] or "off"), data
    return guarded(run, dbName)


def setRetention(maxAgeDays=None, maxRows=None, batchSize=500, user=None, dbName=DEFAULT_DB):
    """Sets the retention policy for finished runs (None = keep).

    Args:
        maxAgeDays: delete runs that finished more than this many days ago.
        maxRows: keep at most this many finished runs (the newest).
        batchSize: most runs deleted per gateway per minute (bounds the cost).
    Returns:
        RETENTION_SET with the policy; INVALID_ARGUMENTS; DATABASE_*.
    """
    def run():
        if maxAgeDays is not None and (not isNumber(maxAgeDays) or maxAgeDays < 0):
            raise InvalidArguments("maxAgeDays must be a number of days >= 0, or None.")
        if maxRows is not None:
            _int("maxRows", maxRows, 0, 10 ** 9)
        _int("batchSize", batchSize, 1, 10000)
        _text("user", user)
        data = maintenance.setRetention(dbName, maxAgeDays, maxRows, batchSize, user)
        return "RETENTION_SET", "Retention policy saved.", data
    return guarded(run, dbName)


def getRetention(dbName=DEFAULT_DB):
    """Returns RETENTION_POLICY with {maxAgeDays, maxRows, batchSize}."""
    def run():
        return "RETENTION_POLICY", "Retention policy.", maintenance.getRetention(dbName)
    return guarded(run, dbName)


def applyRetention(dbName=DEFAULT_DB):
    """Deletes one batch of expired runs now. Returns RETENTION_APPLIED with {deleted}."""
    def run():
        deleted = maintenance.applyRetention(dbName, database.prepare(dbName), force=True)
        return "RETENTION_APPLIED", "%d finished runs deleted." % deleted, {"deleted": deleted}
    return guarded(run, dbName)


def listGateways(dbName=DEFAULT_DB):
    """Returns GATEWAYS_LISTED with every gateway that used the database:
    executorId, state (ALIVE/DEAD), applicationVersion, leaseMs, heartbeatMs, leaseLeftMs."""
    def run():
        d = database.prepare(dbName)
        rows = executors.listAll(dbName, d)
        return "GATEWAYS_LISTED", "%d gateways." % len(rows), rows
    return guarded(run, dbName)


def diagnostics():
    """Returns DIAGNOSTICS: pool, in-memory depth, running runs, last dispatch, counters."""
    def run():
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
            "lastDispatch": dict(last) if last is not None else None,
            "registered": registry.names(),
            "generation": k["generation"].get(),
            "counters": stats,
        }
    return guarded(run, None)


def _settings():
    return dict((name, kernel.config(name)) for name in kernel.DEFAULTS)


