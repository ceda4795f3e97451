"""The public service API: ``exchange.workflows.api.service``.

Call it from gateway timer scripts, tag-change scripts, Perspective actions
and message handlers. Every function returns the envelope
``{"ok", "code", "message", "data", "meta"}`` and never raises, whatever it
is called with; the codes are listed in docs/service-api.md.

Identity comes from Ignition: a Perspective script passes
``session=self.session``; a gateway script (timer, tag change) passes
nothing and acts as the gateway. What a caller may do is the policy's
decision (api/access.py); operator actions are audited.
"""
from collections import namedtuple

from exchange.workflows.api import access, scope
from exchange.workflows.api.envelope import guarded
from exchange.workflows.engine import (batchrecord, burst, commands, cycle, database, kernel,
                                       maintenance, operations, prompts, queries, registry, rerun)
from exchange.workflows.engine import debounce
from exchange.workflows.engine import submit as submission
from exchange.workflows.core import states, validate
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import InvalidArguments, WorkflowsError
from exchange.workflows.core.validate import integer as _count
from exchange.workflows.core.validate import isInteger
from exchange.workflows.core.validate import optionalText as _optionalText
from exchange.workflows.core.validate import text as _text

__all__ = ["dispatch", "start", "enqueueInMemory", "sendCommand", "cancel", "listWorkflows",
           "getWorkflow", "listRuns", "getSteps", "getCommands", "getEvents", "readStream",
           "listQueues", "queueStatus", "exportRun", "setRetentionHold", "resume", "fork",
           "respond", "listPrompts", "send", "getTransitions", "DEFAULT_DB", "DEFAULT_QUEUE"]

DEFAULT_DB = validate.DEFAULT_DB
DEFAULT_QUEUE = "default"


_db = validate.dbNameOrDefault
_checkDb = validate.dbNameText


_id = validate.existingId


def _createdBy(who, user):
    """Who the run (or command) records as its author: Ignition's identity
    of the caller. Only a gateway script (trusted code, no session) may
    label its calls with ``user``, e.g. the tag or timer that triggered them."""
    if who.source == access.GATEWAY_SOURCE and user:
        return user
    return access.actor(who)


def _auditFailure(who, action, dbName, workflowId, target, reason, act):
    """Runs ``act()``; an operator action that passed the policy but failed
    (the run had finished, the database refused) is audited with its code."""
    try:
        return act()
    except WorkflowsError as e:
        access.audit(who, action, dbName, e.code, workflowId=workflowId, target=target,
                     reason=reason)
        raise


def _workflowName(workflowName):
    """0.3.6's INVALID_WORKFLOW_NAME for a missing name, before anything else is checked."""
    if workflowName is None or (isinstance(workflowName, TEXT) and not workflowName.strip()):
        raise InvalidArguments("workflowName is required: the name of a registered workflow "
                               "(see listWorkflows()).", code="INVALID_WORKFLOW_NAME")


def _maintenanceFlag(allowDuringMaintenance):
    if allowDuringMaintenance is not None and not isinstance(allowDuringMaintenance, bool):
        raise InvalidArguments("allowDuringMaintenance must be True, False or None.")
    return allowDuringMaintenance


def _queue(queueName):
    return DEFAULT_QUEUE if queueName is None else queueName


def dispatch(queueName=DEFAULT_QUEUE, maxToClaim=10, dbName=DEFAULT_DB, flushMaxItems=1000,
             flushMaxMs=25, session=None, *args, **kwargs):
    """Runs one dispatch cycle: flush the in-memory queue, recover this
    gateway's orphaned runs, claim runnable rows, start them on the pool.

    The positional order is ignition-workflows 0.3.6's; None for any
    parameter means its default.

    Returns:
        DISPATCH_OK with data {claimedCount, flushed, recovered, claimed, running,
        inMemoryDepth, ...}; DISPATCH_SKIPPED if another dispatch is running;
        INVALID_ARGUMENTS; NOT_AUTHORIZED (from a session without the admin right);
        DATABASE_UNAVAILABLE / DATABASE_ERROR (in-memory items stay queued).
    """
    dbName = _db(dbName)
    queue = _queue(queueName)

    def run():
        scope.requireGateway("dispatch")  # NO_GATEWAY_RUNTIME in a Vision client or the Designer
        _checkDb(dbName)
        _text("queueName", queue, 100, True)
        who = access.caller(session)
        access.require(who, "admin", dbName)
        data = cycle.dispatch(
            dbName, queue, _count("maxToClaim", 10 if maxToClaim is None else maxToClaim, 0, 10000),
            _count("flushMaxItems", 1000 if flushMaxItems is None else flushMaxItems, 1, 2000),
            _count("flushMaxMs", 25 if flushMaxMs is None else flushMaxMs, 0, 60000))
        data["claimedCount"] = data.get("claimed", 0)
        if data.get("skipped"):
            return "DISPATCH_SKIPPED", "Another dispatch cycle is running; nothing done.", data
        return "DISPATCH_OK", "Dispatched: %(flushed)d flushed, %(recovered)d recovered, " \
                              "%(claimed)d claimed." % data, data
    return guarded(run, dbName, "dispatch", args, kwargs, queue, True)


def start(workflowName=None, inputs=None, queueName=DEFAULT_QUEUE, partitionKey=None, priority=0,
          deduplicationId=None, applicationVersion=None, timeoutSeconds=None,
          allowDuringMaintenance=None, dbName=DEFAULT_DB, user=None, workflowId=None,
          debounceKey=None, debounceMs=None, debounceMaxMs=None, session=None, *args, **kwargs):
    """Durably starts a run of a registered workflow.

    The positional order is ignition-workflows 0.3.6's up to dbName; None for
    any parameter means its default.

    Args:
        workflowName: a name registered with @workflow on this gateway.
        inputs: ``{"resolved": {...}}`` or a plain dict: the workflow's keyword arguments.
        queueName, partitionKey, priority (lower first), deduplicationId,
        applicationVersion, timeoutSeconds (from the first start), dbName.
        allowDuringMaintenance: None (default) or True: a start during
            maintenance is queued and runs after it; False: refused with
            MAINTENANCE_ACTIVE while maintenance is on, as 0.3.6 did.
        workflowId: an id of your choice (1-64 letters, digits, ``-_.:/@#``):
            starting an id that exists returns that run and creates nothing,
            so a start whose answer was lost can be retried safely.
        session: ``self.session`` from a Perspective script (identity and policy).
        user: a label for gateway scripts only (recorded as createdBy); a
            session's user comes from Ignition, never from this argument.
        debounceKey, debounceMs, debounceMaxMs: as enqueueInMemory's: the
            request joins this gateway's debounce group of the key and is
            durable once the group is released (WORKFLOW_DEBOUNCED,
            data.durable False), not at once.

    Returns:
        WORKFLOW_ENQUEUED with data {workflowId, workflowName, queueName, durable: True};
        WORKFLOW_DEBOUNCED with data {workflowId, debounced: True, collapsed, durable: False};
        WORKFLOW_ALREADY_STARTED (ok) with the existing run's {workflowId, status};
        WORKFLOW_DEDUPLICATED with the active run's id when deduplicationId is taken;
        INVALID_WORKFLOW_NAME (no name), MAINTENANCE_ACTIVE, WORKFLOW_ID_CONFLICT,
        WORKFLOW_NOT_REGISTERED, INVALID_ARGUMENTS, INPUTS_NOT_JSON, INPUTS_TOO_LARGE,
        NOT_AUTHORIZED, DATABASE_UNAVAILABLE, DATABASE_ERROR.
    """
    dbName = _db(dbName)
    queue = _queue(queueName)

    def run():
        _checkDb(dbName)
        _workflowName(workflowName)
        allow = _maintenanceFlag(allowDuringMaintenance)
        who = access.caller(session)
        access.require(who, "start", dbName, workflowName=workflowName)
        wid, row = submission.build(workflowName, inputs, queue, partitionKey,
                                    0 if priority is None else priority, deduplicationId,
                                    applicationVersion, timeoutSeconds,
                                    _createdBy(who, _optionalText("user", user)), workflowId)
        if allow is False and maintenance.getMode(dbName)["mode"]:
            raise WorkflowsError("Maintenance is on (see admin.getMaintenance()) and "
                                 "allowDuringMaintenance is False: nothing was started.",
                                 code="MAINTENANCE_ACTIVE")
        window = _debounceWindow(debounceKey, debounceMs, debounceMaxMs)
        if window is not None:
            scope.requireGateway("start with debounceKey")
            burst.requireDatabase(dbName)
            answer = _debounced(dbName, window, row, workflowName, "WORKFLOW_DEBOUNCED")
            if answer[0] == "WORKFLOW_DEBOUNCED":
                access.audit(who, "start", dbName, answer[0], workflowId=answer[2]["workflowId"],
                             target=workflowName)
            return answer
        started = submission.start(database.prepare(dbName), row, workflowId is not None,
                                   submission.paramSourceOf(inputs))
        data = {"workflowId": started.workflowId, "workflowName": workflowName,
                "queueName": queue, "durable": True}
        if started.code == "WORKFLOW_ALREADY_STARTED":
            data["status"] = started.status
            message = "A run with this workflowId exists; nothing was created."
        elif started.code == "WORKFLOW_DEDUPLICATED":
            data["deduplicated"] = True
            message = ("A run with this deduplicationId is already active in queue %r; no new "
                       "run was created." % queue)
        else:
            message = "Workflow enqueued."
        access.audit(who, "start", dbName, started.code, workflowId=started.workflowId,
                     target=workflowName)
        return started.code, message, data
    return guarded(run, dbName, "start", args, kwargs, queue, True)


# debounceKey, its window and its bound, checked (see _debounceWindow).
_DebounceWindow = namedtuple("DebounceWindow", "key windowMs maxMs")


def _debounceWindow(debounceKey, debounceMs, debounceMaxMs):
    """Returns the _DebounceWindow asked for, or None without a debounceKey."""
    if debounceKey is None:
        if debounceMs is not None or debounceMaxMs is not None:
            raise InvalidArguments("debounceMs and debounceMaxMs need a debounceKey.")
        return None
    key = _text("debounceKey", debounceKey, 200, required=True)
    if debounceMs is None:
        raise InvalidArguments("debounceKey needs debounceMs: how long the key must be quiet "
                               "before its run is queued.")
    window = _count("debounceMs", debounceMs, 1, debounce.MAX_WINDOW_MS)
    bound = window * debounce.DEFAULT_MAX_WINDOWS if debounceMaxMs is None else _count(
        "debounceMaxMs", debounceMaxMs, window, 24 * debounce.MAX_WINDOW_MS)
    return _DebounceWindow(key, window, min(bound, 24 * debounce.MAX_WINDOW_MS))


def _debounced(dbName, window, row, workflowName, code):
    group = debounce.offer(dbName, window.key, row, window.windowMs, window.maxMs)
    if group is None:
        return _rejected("overflow", "%d debounce keys are waiting on this gateway: nothing was "
                         "queued." % debounce.MAX_GROUPS)
    return code, "Debounced: %d request(s) of this key collapse into one run." % group.count, {
        "accepted": True, "workflowId": group.row[0], "workflowName": workflowName,
        "debounced": True, "collapsed": group.count, "durable": False,
        "releaseNoLaterThanMs": group.firstMs + group.maxMs,
        "queueDepth": burst.depth(), "depth": burst.depth()}


def _rejected(reason, message):
    """IN_MEMORY_ENQUEUE_REJECTED as 0.3.6 answered it: ok False with data."""
    depth = burst.depth()
    if reason == "overflow":
        kernel.count("inMemoryOverflow")  # admin.getMaintenanceStatus's inMemoryQueueOverflowCount
    data = {"accepted": False, "reason": reason, "queueDepth": depth,
            "maxDepth": kernel.config("inMemoryCapacity"), "mode": "reject"}
    return "IN_MEMORY_ENQUEUE_REJECTED", message, data, False


def enqueueInMemory(workflowName=None, inputs=None, queueName=DEFAULT_QUEUE, partitionKey=None,
                    priority=0, deduplicationId=None, applicationVersion=None,
                    timeoutSeconds=None, allowDuringMaintenance=None, dbName=DEFAULT_DB,
                    user=None, workflowId=None, debounceKey=None, debounceMs=None,
                    debounceMaxMs=None, session=None, *args, **kwargs):
    """Accepts a run into this gateway's bounded in-memory queue, for
    tag-change scripts: validates like start(), does no I/O, returns at once.

    With ``debounceKey`` and ``debounceMs``, requests of the same key within
    ``debounceMs`` of each other collapse into one run with the latest
    inputs and the first request's workflowId, queued once the window
    closes or ``debounceMaxMs`` (default ten windows) after the first
    (engine/debounce.py); data.debounced is True and data.collapsed counts
    the requests so far.

    The run becomes durable at the next dispatch() flush; until then a
    gateway crash loses it (data.durable is False). A request whose
    deduplicationId is held by an active run, or whose caller-chosen
    workflowId exists, is dropped at flush time. allowDuringMaintenance=False
    refuses it while maintenance is on, as this gateway last read the mode
    (at its latest dispatch: no I/O here).

    Returns:
        IN_MEMORY_ENQUEUE_ACCEPTED with data {accepted: True, queueDepth, workflowId,
        durable: False, depth};
        IN_MEMORY_ENQUEUE_REJECTED (ok False) with data {accepted: False, reason
        ("overflow": the queue is full; "maintenance"), queueDepth, maxDepth, mode};
        INVALID_WORKFLOW_NAME; WORKFLOW_NOT_REGISTERED; INVALID_ARGUMENTS; INPUTS_NOT_JSON;
        INPUTS_TOO_LARGE; UNKNOWN_DATABASE; NOT_AUTHORIZED.
    """
    if dbName is None:
        dbName = DEFAULT_DB
    # isinstance, not ``is None``: see engine/submit.py on identity tests in Jython.
    queue = queueName if isinstance(queueName, TEXT) or queueName is not None else DEFAULT_QUEUE

    def run():
        scope.requireGateway("enqueueInMemory")  # NO_GATEWAY_RUNTIME in a client or the Designer
        if not isinstance(dbName, TEXT) or not dbName:
            raise InvalidArguments("dbName must be the name of a gateway database connection.")
        _workflowName(workflowName)
        allow = _maintenanceFlag(allowDuringMaintenance)
        # A gateway script (no session, not a Perspective script) is trusted:
        # no policy lookup, no audit row, nothing read from the database.
        who = access.caller(session)
        if who.source != access.GATEWAY_SOURCE:
            access.require(who, "start", dbName, workflowName=workflowName)
        by = _createdBy(who, _optionalText("user", user))
        wid, row = submission.build(workflowName, inputs, queue,
                                    partitionKey, priority if priority else 0, deduplicationId,
                                    applicationVersion, timeoutSeconds, by, workflowId)
        if allow is False and maintenance.isDraining(dbName):
            return _rejected("maintenance", "Maintenance is on and allowDuringMaintenance is "
                             "False: nothing was queued.")
        window = _debounceWindow(debounceKey, debounceMs, debounceMaxMs)
        if window is not None:
            return _debounced(dbName, window, row, workflowName, "IN_MEMORY_ENQUEUE_ACCEPTED")
        depth = burst.offer(dbName, row)
        if not depth:
            return _rejected("overflow", "The in-memory queue is full (%d items, or its byte "
                             "limit): the database may be unreachable or dispatch() is not "
                             "running. Use start() or retry later." % burst.depth())
        return "IN_MEMORY_ENQUEUE_ACCEPTED", "Accepted in memory; durable after the next dispatch.", {
            "accepted": True, "queueDepth": depth, "workflowId": wid,
            "workflowName": workflowName, "durable": False, "depth": depth}
    return guarded(run, dbName, "enqueueInMemory", args, kwargs, queue, True)


def sendCommand(workflowId=None, cmd=None, reason=None, topic="cmd", dbName=DEFAULT_DB,
                user=None, session=None, *args, **kwargs):
    """Posts an operator command (HOLD, RESUME or RESTART, STOP, ABORT,
    RESET; case-insensitive) to a run's mailbox. The positional order is
    ignition-workflows 0.3.6's up to dbName.

    Runs act on HOLD/RESUME/STOP/ABORT at their next safe point even without
    any command code; a run that calls rt.recvCommand() receives them
    itself, except ABORT, which the engine always applies.

    Returns:
        COMMAND_SENT with data {workflowId, topic, cmd, seq, status}; UNKNOWN_COMMAND;
        WORKFLOW_NOT_FOUND; WORKFLOW_ALREADY_FINISHED; INVALID_ARGUMENTS;
        NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        _checkDb(dbName)
        wid = _id(workflowId)
        channel = _text("topic", "cmd" if topic is None else topic, 100, True)
        if not isinstance(cmd, TEXT) or not cmd.strip() or len(cmd) > 40:
            raise InvalidArguments("cmd must be one of %s." % ", ".join(states.COMMANDS),
                                   code="UNKNOWN_COMMAND")
        command = cmd.strip().upper() if channel == "cmd" else cmd
        why = _text("reason", reason, 1000)
        label = _text("user", user, 200)
        who = access.caller(session)
        action = access.commandAction(command, channel)
        access.require(who, action, dbName, workflowId=wid, reason=why, target=command)
        data = _auditFailure(who, action, dbName, wid, command, why, lambda: commands.send(
            dbName, wid, command, why, channel, _createdBy(who, label)))
        access.audit(who, action, dbName, "COMMAND_SENT", workflowId=wid, target=command,
                     reason=why)
        data["topic"] = channel
        return "COMMAND_SENT", "Command %s sent to %s." % (command, wid), data
    return guarded(run, dbName, "sendCommand", args, kwargs, None, True)


def cancel(workflowId=None, reason=None, dbName=DEFAULT_DB, user=None, session=None,
           *args, **kwargs):
    """Cancels an active run: it ends CANCELLED at once; a running one stops
    at its next safe point. The positional order is ignition-workflows
    0.3.6's up to dbName.

    Returns:
        CANCEL_REQUESTED with data {workflowId, cancelledCount: 1, previousStatus, status};
        WORKFLOW_NOT_FOUND; WORKFLOW_ALREADY_FINISHED (0.3.6 answered ok with
        cancelledCount 0 for these); INVALID_ARGUMENTS; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        _checkDb(dbName)
        wid = _id(workflowId)
        why = _text("reason", reason, 1000)
        label = _text("user", user, 200)
        who = access.caller(session)
        access.require(who, "stop", dbName, workflowId=wid, reason=why, target="cancel")
        data = _auditFailure(who, "stop", dbName, wid, "cancel", why, lambda: commands.cancel(
            dbName, wid, why, _createdBy(who, label)))
        access.audit(who, "stop", dbName, "CANCEL_REQUESTED", workflowId=wid, target="cancel",
                     reason=why)
        data["cancelledCount"] = 1
        return "CANCEL_REQUESTED", "Workflow %s cancelled." % wid, data
    return guarded(run, dbName, "cancel", args, kwargs, None, True)


def listWorkflows(dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns WORKFLOW_OPTIONS_OK with data {options: [{"label", "value"}], count}:
    the workflows registered on this gateway, sorted, for a dropdown.

    ``dbName`` is checked and echoed in meta only: registrations belong to the
    gateway, not to a database."""
    dbName = _db(dbName)

    def run():
        _checkDb(dbName)
        access.require(access.caller(session), "read", None)
        names = registry.names()
        options = [{"label": n, "value": n} for n in names]
        return "WORKFLOW_OPTIONS_OK", "%d workflows registered." % len(names), {
            "options": options, "count": len(options)}
    return guarded(run, dbName, "listWorkflows", args, kwargs, None, True)


def _reader(session, dbName):
    _checkDb(dbName)
    access.require(access.caller(session), "read", dbName)


def getWorkflow(workflowId=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns WORKFLOW_FOUND with the run: status, workflowName, inputs, output,
    error, progress, createdMs/startedMs/finishedMs and more; or WORKFLOW_NOT_FOUND."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        return "WORKFLOW_FOUND", "Workflow found.", queries.getWorkflow(dbName, _id(workflowId))
    return guarded(run, dbName, "getWorkflow", args, kwargs)


def listRuns(status=None, workflowName=None, queueName=None, sinceMs=None, untilMs=None,
             limit=50, offset=0, partitionKey=None, dbName=DEFAULT_DB, session=None,
             *args, **kwargs):
    """Returns RUNS_LISTED with data {rows, total, limit, offset}, newest first.

    ``status`` is one status or a list of them; times are epoch milliseconds
    on created time (sinceMs inclusive, untilMs exclusive).
    """
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        if isinstance(status, TEXT):
            statuses = [status]
        elif status is None or status == []:
            statuses = None
        elif isinstance(status, (list, tuple)) and all(isinstance(s, TEXT) for s in status):
            statuses = list(status)[:20]
        else:
            raise InvalidArguments("status must be a status name, a list of them, or None.")
        for key, value in (("workflowName", workflowName), ("queueName", queueName),
                           ("partitionKey", partitionKey)):
            _text(key, value, 200)
        for key, value in (("sinceMs", sinceMs), ("untilMs", untilMs)):
            if value is not None and not isInteger(value):
                raise InvalidArguments("%s must be epoch milliseconds (an integer) or None." % key)
        filters = {"status": statuses, "workflowName": workflowName, "queueName": queueName,
                   "partitionKey": partitionKey, "sinceMs": sinceMs, "untilMs": untilMs}
        data = queries.listRuns(dbName, filters,
                                _count("limit", 50 if limit is None else limit, 1, 1000),
                                _count("offset", 0 if offset is None else offset, 0, 10 ** 9))
        return "RUNS_LISTED", "%d of %d runs." % (len(data["rows"]), data["total"]), data
    return guarded(run, dbName, "listRuns", args, kwargs)


def getSteps(workflowId=None, dbName=DEFAULT_DB, limit=1000, offset=0, session=None,
             transition=None, *args, **kwargs):
    """Returns STEPS_LISTED with the run's recorded operations in order:
    functionId, functionName, output, error, attempts, startedMs, finishedMs,
    durationMs; a page of ``limit`` (1-10,000) from ``offset``. With
    ``transition`` (a seq of getTransitions): the steps of that
    transition's command handler instead of the workflow body's."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        rows = queries.getSteps(dbName, _id(workflowId), limit, offset, transition)
        return "STEPS_LISTED", "%d operations recorded." % len(rows), rows
    return guarded(run, dbName, "getSteps", args, kwargs)


def getCommands(workflowId=None, dbName=DEFAULT_DB, limit=1000, offset=0, session=None,
                *args, **kwargs):
    """Returns COMMANDS_LISTED with the run's mailbox: seq, cmd, topic, sender,
    reason, createdMs, consumedMs, consumedBy (engine, workflow, dropped: refused
    by an arbitrated rt.recvCommand, or resume: left unread by an ended run that
    was resumed); a page of
    ``limit`` (1-10,000) from ``offset``."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        rows = queries.getCommands(dbName, _id(workflowId), limit, offset)
        return "COMMANDS_LISTED", "%d commands." % len(rows), rows
    return guarded(run, dbName, "getCommands", args, kwargs)


def getEvents(workflowId=None, dbName=DEFAULT_DB, history=False, limit=1000, offset=0,
              session=None, *args, **kwargs):
    """Returns EVENTS_FOUND with data {key: latest value} set by rt.setEvent;
    with ``history=True``, every value set instead, in the order it was set:
    [{key, value, atMs, functionId}], a page of ``limit`` (1-10,000) from
    ``offset``."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        if history is not None and not isinstance(history, bool):
            raise InvalidArguments("history must be True or False.")
        if history:
            data = queries.getEventHistory(dbName, _id(workflowId), limit, offset)
            return "EVENTS_FOUND", "%d values set." % len(data), data
        data = queries.getEvents(dbName, _id(workflowId))
        return "EVENTS_FOUND", "%d events." % len(data), data
    return guarded(run, dbName, "getEvents", args, kwargs)


def readStream(workflowId=None, key=None, afterOffset=-1, limit=500, dbName=DEFAULT_DB,
               session=None, *args, **kwargs):
    """Returns STREAM_READ with [{key, offset, subOffset, value, createdMs}]
    written by rt.writeStream after ``afterOffset``, oldest first (values a
    step wrote share its offset, ordered by subOffset; docs/steps.md)."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        _text("key", key, 200)
        rows = queries.readStream(dbName, _id(workflowId), key,
                                  _count("afterOffset", -1 if afterOffset is None else afterOffset,
                                         -1, 10 ** 9),
                                  _count("limit", 500 if limit is None else limit, 1, 5000))
        return "STREAM_READ", "%d values." % len(rows), rows
    return guarded(run, dbName, "readStream", args, kwargs)


def listQueues(dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns QUEUES_LISTED with [{queueName, concurrency, workerConcurrency, waiting}]
    for every configured queue and every queue with waiting runs."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        rows = queries.listQueues(dbName)
        return "QUEUES_LISTED", "%d queues." % len(rows), rows
    return guarded(run, dbName, "listQueues", args, kwargs)


def queueStatus(queueName=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns QUEUE_STATUS with [{queueName, status, count}]."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        _text("queueName", queueName, 100)
        rows = queries.queueStatus(dbName, queueName)
        return "QUEUE_STATUS", "%d queue/status groups." % len(rows), rows
    return guarded(run, dbName, "queueStatus", args, kwargs)


def exportRun(workflowId=None, format="json", dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Returns one run's complete record, for a batch record or an
    investigation: the run (inputs masked), its status changes, every step
    with its times and result, every event value set (history), commands
    with sender and reason, stream values and, when the caller may read
    the audit trail, the run's audit records.

    Args:
        format: "json" (one document) or "csv" (one time-ordered table:
            atMs, kind, name, value, who, reason).

    Returns:
        RUN_EXPORTED with data {format, fileName, content}; EXPORT_TOO_LARGE
        (past 50,000 records or 20 million characters: use the paged reads);
        WORKFLOW_NOT_FOUND; INVALID_ARGUMENTS; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        _checkDb(dbName)
        wid = _id(workflowId)
        fmt = format.strip().lower() if isinstance(format, TEXT) else format
        fmt = "json" if fmt is None else fmt
        if fmt not in batchrecord.FORMATS:
            raise InvalidArguments("format must be \"json\" or \"csv\".")
        who = access.caller(session)
        access.require(who, "read", dbName)
        # The audit trail has its own right: a reader without it gets the
        # record without the audit rows (audit: None).
        withAudit = access.allowed(who, dbName)["audit"]
        data = batchrecord.export(dbName, wid, fmt, withAudit)
        return "RUN_EXPORTED", "Record of %s (%d characters)." % (wid, len(data["content"])), data
    return guarded(run, dbName, "exportRun", args, kwargs)


def setRetentionHold(workflowId=None, hold=True, reason=None, dbName=DEFAULT_DB, user=None,
                     session=None, *args, **kwargs):
    """Keeps a run's record (``hold=True``) when the retention policy would
    delete it, or gives it back to retention (``hold=False``). Who, why and
    when are recorded with the run (getWorkflow: retentionHoldBy,
    retentionHoldReason, retentionHoldMs) and in the audit trail. Policy
    action ``operate``: the operator who finds a deviation keeps the record
    at once; clearing it only returns the run to the administrator's policy.

    Returns:
        RETENTION_HOLD_SET with data {workflowId, retentionHold, status, by,
        reason, atMs}; WORKFLOW_NOT_FOUND; INVALID_ARGUMENTS; NOT_AUTHORIZED;
        DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        _checkDb(dbName)
        wid = _id(workflowId)
        if hold is not None and not isinstance(hold, bool):
            raise InvalidArguments("hold must be True or False.")
        keep = hold is not False
        why = _text("reason", reason, 1000)
        label = _text("user", user, 200)
        target = "retentionHold" if keep else "retentionRelease"
        who = access.caller(session)
        access.require(who, "operate", dbName, workflowId=wid, reason=why, target=target)
        data = _auditFailure(who, "operate", dbName, wid, target, why, lambda: batchrecord.setHold(
            dbName, wid, keep, _createdBy(who, label), why))
        access.audit(who, "operate", dbName, "RETENTION_HOLD_SET", workflowId=wid, target=target,
                     reason=why)
        return "RETENTION_HOLD_SET", "Run %s is %s." % (
            wid, "kept from retention" if keep else "subject to retention again"), data
    return guarded(run, dbName, "setRetentionHold", args, kwargs)


def resume(workflowId=None, reason=None, dbName=DEFAULT_DB, session=None, *args, **kwargs):
    """Runs a run that ended ERROR, CANCELLED, STOPPED, ABORTED or
    DEAD_LETTER again from its last good step: its finished steps replay
    from their checkpoints and are not executed again. A step whose error
    ended the run executes again; a STOP the workflow received itself (and
    what it did after it) is forgotten, so the resumed run does not end on
    it again. Commands left unread in its mailbox are voided. The run gets
    a new claim and a full timeout from the moment it is claimed. Policy
    action ``hold`` (the RESUME command's); audited.

    Returns:
        WORKFLOW_RESUMED with data {workflowId, previousStatus, replayedSteps,
        status: ENQUEUED}; WORKFLOW_NOT_RESUMABLE (active or SUCCESS: fork a
        finished run instead); RESUME_CONFLICT (another active run holds its
        deduplication id); WORKFLOW_NOT_FOUND; INVALID_ARGUMENTS;
        NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        _checkDb(dbName)
        wid = _id(workflowId)
        why = _text("reason", reason, 1000)
        who = access.caller(session)
        access.require(who, "hold", dbName, workflowId=wid, reason=why, target="resume")
        data = _auditFailure(who, "hold", dbName, wid, "resume", why,
                             lambda: rerun.resume(dbName, wid, access.actor(who), why))
        access.audit(who, "hold", dbName, "WORKFLOW_RESUMED", workflowId=wid, target="resume",
                     reason=why, detail={"previousStatus": data["previousStatus"],
                                         "replayedSteps": data["replayedSteps"]})
        return "WORKFLOW_RESUMED", "Workflow %s resumed from %s; %d recorded steps replay." % (
            wid, data["previousStatus"], data["replayedSteps"]), data
    return guarded(run, dbName, "resume", args, kwargs)


def fork(workflowId=None, fromStep=None, inputs=None, reason=None, dbName=DEFAULT_DB,
         session=None, *args, **kwargs):
    """Starts a new run of an ended run's workflow (SUCCESS included: to run
    the end of a good batch again) that reuses the original's recorded steps
    before ``fromStep`` -- the ``functionId`` getSteps shows -- and executes
    from there. Events and stream values written before ``fromStep`` are
    copied. The new run has the original's queue, partition key, priority,
    application version and timeout, ``inputs`` (None: the original's) and
    no deduplication id; getWorkflow shows forkedFrom and forkedFromStep.
    Policy action ``start`` (the workflow's startRules); audited.

    Returns:
        WORKFLOW_FORKED with data {workflowId (the new run), forkedFrom,
        fromStep, status: ENQUEUED}; WORKFLOW_NOT_RESUMABLE (the run is
        active); WORKFLOW_NOT_FOUND; WORKFLOW_NOT_REGISTERED;
        INVALID_ARGUMENTS (fromStep outside 0..steps recorded, inputs the
        workflow does not take); NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        _checkDb(dbName)
        wid = _id(workflowId)
        why = _text("reason", reason, 1000)
        who = access.caller(session)
        access.require(who, "start", dbName, workflowName=rerun.workflowNameOf(dbName, wid),
                       workflowId=wid, reason=why, target="fork")
        data = _auditFailure(who, "start", dbName, wid, "fork", why, lambda: rerun.fork(
            dbName, wid, fromStep, inputs, _createdBy(who, None)))
        access.audit(who, "start", dbName, "WORKFLOW_FORKED", workflowId=data["workflowId"],
                     target="fork", reason=why,
                     detail={"forkedFrom": wid, "fromStep": data["fromStep"]})
        return "WORKFLOW_FORKED", "Workflow %s forked from %s at step %d." % (
            data["workflowId"], wid, data["fromStep"]), data
    return guarded(run, dbName, "fork", args, kwargs)


def respond(workflowId=None, key=None, value=None, reason=None, dbName=DEFAULT_DB, session=None,
            *args, **kwargs):
    """Answers a run's pending prompt ``key`` (asked with rt.ask) with
    ``value`` (JSON; one of the prompt's choices when it has any, compared
    as JSON values). The run takes the answer at once (or after RESUME when
    it is HELD), also when it waits on another gateway. Who answered (the
    caller's Ignition identity), when and why are kept with the prompt and
    recorded with the run's operation. Policy action ``operate``; audited
    (the key, never the value).

    Returns:
        PROMPT_ANSWERED with data {workflowId, key, value, status,
        answeredBy, answeredMs}; PROMPT_NOT_PENDING (no such pending prompt:
        never asked, answered or timed out already, or the run ended);
        INVALID_ARGUMENTS (not one of the choices, no JSON form, too large);
        WORKFLOW_NOT_FOUND; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        _checkDb(dbName)
        wid = _id(workflowId)
        name = _text("key", key, 200, True)
        why = _text("reason", reason, 1000)
        who = access.caller(session)
        access.require(who, "operate", dbName, workflowId=wid, reason=why, target="respond")
        data = _auditFailure(who, "operate", dbName, wid, "respond", why, lambda: prompts.respond(
            dbName, wid, name, value, why, access.actor(who), who.source))
        access.audit(who, "operate", dbName, "PROMPT_ANSWERED", workflowId=wid, target="respond",
                     reason=why, detail={"key": name})
        return "PROMPT_ANSWERED", "Prompt %r of %s answered." % (name, wid), data
    return guarded(run, dbName, "respond", args, kwargs)


def listPrompts(workflowName=None, workflowId=None, limit=100, offset=0, dbName=DEFAULT_DB,
                session=None, *args, **kwargs):
    """Returns PROMPTS_LISTED with data {rows, total, limit, offset}: the
    pending prompts of active runs, oldest first, each {workflowId,
    workflowName, runStatus, key, functionId, prompt, choices, default,
    createdMs, expiresMs, timeoutMs}, masked like every read; ``limit``
    1-1000."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        _text("workflowName", workflowName, 200)
        wid = None if workflowId is None else _id(workflowId)
        data = prompts.listPending(
            dbName, workflowName, wid, _count("limit", 100 if limit is None else limit, 1, 1000),
            _count("offset", 0 if offset is None else offset, 0, 10 ** 9))
        return "PROMPTS_LISTED", "%d of %d pending prompts." % (len(data["rows"]),
                                                               data["total"]), data
    return guarded(run, dbName, "listPrompts", args, kwargs)


def send(workflowId=None, topic=None, message=None, reason=None, dbName=DEFAULT_DB, session=None,
         *args, **kwargs):
    """Posts ``message`` (any JSON value) to a run's mailbox under ``topic``,
    where the run's ``rt.recv(topic)`` receives it exactly once (as sent; a
    dict gains its ``seq``). Topic ``cmd`` is refused: commands go through
    sendCommand. The sender (the caller's Ignition identity) and ``reason``
    show in getCommands. Policy action ``operate``; audited (the topic,
    never the message).

    Returns:
        MESSAGE_SENT with data {workflowId, topic, seq}; WORKFLOW_NOT_FOUND;
        WORKFLOW_ALREADY_FINISHED; INVALID_ARGUMENTS; NOT_AUTHORIZED; DATABASE_*.
    """
    dbName = _db(dbName)

    def run():
        _checkDb(dbName)
        wid = _id(workflowId)
        channel = _text("topic", topic, 100, True)
        if channel == states.COMMAND_TOPIC:
            raise InvalidArguments("topic 'cmd' is for operator commands: use sendCommand().")
        why = _text("reason", reason, 1000)
        who = access.caller(session)
        access.require(who, "operate", dbName, workflowId=wid, reason=why, target="send")
        data = _auditFailure(who, "operate", dbName, wid, "send", why, lambda: (
            operations.sendMessage(dbName, wid, channel, message, why, access.actor(who))))
        access.audit(who, "operate", dbName, "MESSAGE_SENT", workflowId=wid, target="send",
                     reason=why, detail={"topic": channel})
        return "MESSAGE_SENT", "Message sent to %s on topic %r." % (wid, channel), data
    return guarded(run, dbName, "send", args, kwargs)


def getTransitions(workflowId=None, dbName=DEFAULT_DB, limit=1000, offset=0, session=None,
                   *args, **kwargs):
    """Returns TRANSITIONS_LISTED with the run's transitions that ran a
    command handler (docs/control.md), oldest first: seq, fromStatus,
    toStatus, handler, cause, command, sender, reason, state (RUNNING, DONE,
    FAILED, ABANDONED), startedMs, finishedMs, error; a page of ``limit``
    (1-10,000) from ``offset``. getSteps(workflowId, transition=seq) lists
    the steps of one of them."""
    dbName = _db(dbName)

    def run():
        _reader(session, dbName)
        rows = queries.getTransitions(dbName, _id(workflowId), limit, offset)
        return "TRANSITIONS_LISTED", "%d transitions." % len(rows), rows
    return guarded(run, dbName, "getTransitions", args, kwargs)
