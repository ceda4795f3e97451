"""The public service API: ``exchange.workflows.api.service``.

Call it from gateway timer scripts, tag-change scripts, Perspective actions
and message handlers. Every function returns the envelope
``{"ok", "code", "message", "data", "meta"}`` and never raises; the codes
are listed in docs/service-api.md.
"""
from exchange.workflows.api.envelope import guarded
from exchange.workflows.engine import burst, commands, database, dispatcher, queries, registry, scope
from exchange.workflows.engine import submit as submission
from exchange.workflows.engine.codec import TEXT
from exchange.workflows.engine.errors import InvalidArguments, WorkflowsError
from exchange.workflows.engine.validate import integer as _count
from exchange.workflows.engine.validate import isInteger
from exchange.workflows.engine.validate import optionalText as _optionalText
from exchange.workflows.store import runs

DEFAULT_DB = "WorkflowsDB"



def _id(workflowId):
    if not isinstance(workflowId, TEXT) or not workflowId.strip() or len(workflowId) > 64:
        raise InvalidArguments("workflowId must be the id string returned by start().")
    return workflowId


class QueueFull(WorkflowsError):
    code = "IN_MEMORY_QUEUE_FULL"


def dispatch(queueName="default", maxToClaim=10, flushMaxItems=1000, flushMaxMs=25, dbName=DEFAULT_DB):
    """Runs one dispatch cycle: flush the in-memory queue, recover this
    gateway's orphaned runs, claim runnable rows, start them on the pool.

    Returns:
        DISPATCH_OK with data {flushed, recovered, claimed, running, inMemoryDepth, ...};
        DISPATCH_SKIPPED if another dispatch is running; INVALID_ARGUMENTS;
        DATABASE_UNAVAILABLE / DATABASE_ERROR (in-memory items stay queued).
    """
    def run():
        scope.requireGateway("dispatch")  # NO_GATEWAY_RUNTIME in a Vision client or the Designer
        if not isinstance(queueName, TEXT) or not queueName:
            raise InvalidArguments("queueName must be a non-empty string.")
        data = dispatcher.dispatch(dbName, queueName, _count("maxToClaim", maxToClaim, 0, 10000),
                                   _count("flushMaxItems", flushMaxItems, 1, 2000),
                                   _count("flushMaxMs", flushMaxMs, 0, 60000))
        if data.get("skipped"):
            return "DISPATCH_SKIPPED", "Another dispatch cycle is running; nothing done.", data
        return "DISPATCH_OK", "Dispatched: %(flushed)d flushed, %(recovered)d recovered, " \
                              "%(claimed)d claimed." % data, data
    return guarded(run, dbName)


def start(workflowName, inputs=None, queueName="default", partitionKey=None, priority=0,
          deduplicationId=None, applicationVersion=None, timeoutSeconds=None, dbName=DEFAULT_DB,
          user=None):
    """Durably enqueues a run of a registered workflow.

    Args:
        workflowName: a name registered with @workflow on this gateway.
        inputs: ``{"resolved": {...}}`` or a plain dict: the workflow's keyword arguments.
        queueName, partitionKey, priority (lower first), deduplicationId,
        applicationVersion, timeoutSeconds (from the first start), dbName,
        user (recorded as the run's createdBy, e.g. the Perspective session user).

    Returns:
        WORKFLOW_ENQUEUED with data {workflowId, durable: True};
        WORKFLOW_DEDUPLICATED with the active run's id when deduplicationId is taken;
        WORKFLOW_NOT_REGISTERED, INVALID_ARGUMENTS, INPUTS_NOT_JSON,
        DATABASE_UNAVAILABLE, DATABASE_ERROR.
    """
    def run():
        wid, row = submission.build(workflowName, inputs, queueName, partitionKey, priority,
                                    deduplicationId, applicationVersion, timeoutSeconds,
                                    _optionalText("user", user))
        d = database.prepare(dbName)
        if dispatcher.startHere(dbName, d, row, registry.get(workflowName)):
            return "WORKFLOW_ENQUEUED", "Workflow enqueued.", {
                "workflowId": wid, "workflowName": workflowName, "queueName": queueName,
                "durable": True}
        for _ in range(3):
            if runs.insert(dbName, d, [row]) == 1:
                dispatcher.wake(dbName, queueName)
                return "WORKFLOW_ENQUEUED", "Workflow enqueued.", {
                    "workflowId": wid, "workflowName": workflowName, "queueName": queueName,
                    "durable": True}
            existing = runs.activeByDeduplication(dbName, d, queueName, deduplicationId) \
                if deduplicationId else None
            if existing:
                return "WORKFLOW_DEDUPLICATED", (
                    "A run with deduplicationId %r is already active in queue %r; no new run "
                    "was created." % (deduplicationId, queueName)), {
                    "workflowId": existing, "deduplicated": True, "durable": True}
        raise WorkflowsError("Could not insert the run (id collision); try again.")
    return guarded(run, dbName)


def enqueueInMemory(workflowName, inputs=None, queueName="default", partitionKey=None, priority=0,
                    deduplicationId=None, applicationVersion=None, timeoutSeconds=None,
                    dbName=DEFAULT_DB, user=None):
    """Accepts a run into this gateway's bounded in-memory queue, for
    tag-change scripts: validates like start(), does no I/O, returns at once.

    The run becomes durable at the next dispatch() flush; until then a
    gateway crash loses it (data.durable is False). A deduplicated request
    is dropped at flush time.

    Returns:
        IN_MEMORY_ENQUEUE_ACCEPTED with data {workflowId, durable: False, depth};
        IN_MEMORY_QUEUE_FULL; WORKFLOW_NOT_REGISTERED; INVALID_ARGUMENTS; INPUTS_NOT_JSON.
    """
    def run():
        scope.requireGateway("enqueueInMemory")  # NO_GATEWAY_RUNTIME in a client or the Designer
        if not isinstance(dbName, TEXT) or not dbName:
            raise InvalidArguments("dbName must be the name of a gateway database connection.")
        wid, row = submission.build(workflowName, inputs, queueName, partitionKey, priority,
                                    deduplicationId, applicationVersion, timeoutSeconds,
                                    _optionalText("user", user))
        depth = burst.offer(dbName, row)
        if not depth:
            raise QueueFull("The in-memory queue is full (%d items): the database may be "
                            "unreachable or dispatch() is not running. Use start() or retry "
                            "later." % burst.depth())
        return "IN_MEMORY_ENQUEUE_ACCEPTED", "Accepted in memory; durable after the next dispatch.", {
            "workflowId": wid, "durable": False, "depth": depth}
    return guarded(run, dbName)


def sendCommand(workflowId, cmd, reason=None, topic="cmd", user=None, dbName=DEFAULT_DB):
    """Posts an operator command (HOLD, RESUME, STOP, RESET) to a run's mailbox.

    Runs act on HOLD/RESUME/STOP at their next safe point even without any
    command code; a run that calls rt.recvCommand() receives them itself.

    Returns:
        COMMAND_SENT with data {workflowId, cmd, seq, status}; UNKNOWN_COMMAND;
        WORKFLOW_NOT_FOUND; WORKFLOW_ALREADY_FINISHED; INVALID_ARGUMENTS; DATABASE_*.
    """
    def run():
        if not isinstance(cmd, TEXT) or not cmd:
            raise InvalidArguments("cmd must be one of HOLD, RESUME, STOP, RESET.",
                                   code="UNKNOWN_COMMAND")
        if not isinstance(topic, TEXT) or not topic or len(topic) > 100:
            raise InvalidArguments("topic must be a non-empty string (default 'cmd').")
        data = commands.send(dbName, _id(workflowId), cmd, _optionalText("reason", reason), topic,
                             _optionalText("user", user))
        return "COMMAND_SENT", "Command %s sent to %s." % (cmd, workflowId), data
    return guarded(run, dbName)


def cancel(workflowId, reason=None, user=None, dbName=DEFAULT_DB):
    """Cancels an active run: it ends CANCELLED at once; a running one stops
    at its next safe point.

    Returns:
        CANCEL_REQUESTED; WORKFLOW_NOT_FOUND; WORKFLOW_ALREADY_FINISHED; INVALID_ARGUMENTS.
    """
    def run():
        data = commands.cancel(dbName, _id(workflowId), _optionalText("reason", reason),
                               _optionalText("user", user))
        return "CANCEL_REQUESTED", "Workflow %s cancelled." % workflowId, data
    return guarded(run, dbName)


def listWorkflows():
    """Returns WORKFLOWS_LISTED with data = [{"label", "value"}] of registered workflows."""
    def run():
        names = registry.names()
        return "WORKFLOWS_LISTED", "%d workflows registered." % len(names), [
            {"label": n, "value": n} for n in names]
    return guarded(run, None)


def getWorkflow(workflowId, dbName=DEFAULT_DB):
    """Returns WORKFLOW_FOUND with the run: status, workflowName, inputs, output,
    error, progress, createdMs/startedMs/finishedMs and more; or WORKFLOW_NOT_FOUND."""
    def run():
        return "WORKFLOW_FOUND", "Workflow found.", queries.getWorkflow(dbName, _id(workflowId))
    return guarded(run, dbName)


def listRuns(status=None, workflowName=None, queueName=None, sinceMs=None, untilMs=None,
             limit=50, offset=0, partitionKey=None, dbName=DEFAULT_DB):
    """Returns RUNS_LISTED with data {rows, total, limit, offset}, newest first.

    ``status`` is one status or a list of them; times are epoch milliseconds
    on created time (sinceMs inclusive, untilMs exclusive).
    """
    def run():
        statuses = [status] if isinstance(status, TEXT) else (list(status) if status else None)
        for key, value in (("workflowName", workflowName), ("queueName", queueName),
                           ("partitionKey", partitionKey)):
            _optionalText(key, value)
        for key, value in (("sinceMs", sinceMs), ("untilMs", untilMs)):
            if value is not None and not isInteger(value):
                raise InvalidArguments("%s must be epoch milliseconds (an integer) or None." % key)
        filters = {"status": statuses, "workflowName": workflowName, "queueName": queueName,
                   "partitionKey": partitionKey, "sinceMs": sinceMs, "untilMs": untilMs}
        data = queries.listRuns(dbName, filters, _count("limit", limit, 1, 1000),
                                _count("offset", offset, 0, 10 ** 9))
        return "RUNS_LISTED", "%d of %d runs." % (len(data["rows"]), data["total"]), data
    return guarded(run, dbName)


def getSteps(workflowId, dbName=DEFAULT_DB):
    """Returns STEPS_LISTED with the run's recorded operations in order:
    functionId, functionName, output, error, attempts, startedMs, finishedMs, durationMs."""
    def run():
        rows = queries.getSteps(dbName, _id(workflowId))
        return "STEPS_LISTED", "%d operations recorded." % len(rows), rows
    return guarded(run, dbName)


def getCommands(workflowId, dbName=DEFAULT_DB):
    """Returns COMMANDS_LISTED with the run's mailbox: seq, cmd, topic, sender,
    reason, createdMs, consumedMs, consumedBy (engine or workflow)."""
    def run():
        rows = queries.getCommands(dbName, _id(workflowId))
        return "COMMANDS_LISTED", "%d commands." % len(rows), rows
    return guarded(run, dbName)


def getEvents(workflowId, dbName=DEFAULT_DB):
    """Returns EVENTS_FOUND with data {key: latest value} set by rt.setEvent."""
    def run():
        data = queries.getEvents(dbName, _id(workflowId))
        return "EVENTS_FOUND", "%d events." % len(data), data
    return guarded(run, dbName)


def readStream(workflowId, key=None, afterOffset=-1, limit=500, dbName=DEFAULT_DB):
    """Returns STREAM_READ with [{key, offset, value, createdMs}] written by
    rt.writeStream after ``afterOffset``, oldest first."""
    def run():
        _optionalText("key", key)
        rows = queries.readStream(dbName, _id(workflowId), key,
                                  _count("afterOffset", afterOffset, -1, 10 ** 9),
                                  _count("limit", limit, 1, 5000))
        return "STREAM_READ", "%d values." % len(rows), rows
    return guarded(run, dbName)


def listQueues(dbName=DEFAULT_DB):
    """Returns QUEUES_LISTED with [{queueName, concurrency, workerConcurrency, waiting}]
    for every configured queue and every queue with waiting runs."""
    def run():
        rows = queries.listQueues(dbName)
        return "QUEUES_LISTED", "%d queues." % len(rows), rows
    return guarded(run, dbName)


def queueStatus(queueName=None, dbName=DEFAULT_DB):
    """Returns QUEUE_STATUS with [{queueName, status, count}]."""
    def run():
        _optionalText("queueName", queueName)
        rows = queries.queueStatus(dbName, queueName)
        return "QUEUE_STATUS", "%d queue/status groups." % len(rows), rows
    return guarded(run, dbName)
