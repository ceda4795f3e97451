"""What an operator does with parked in-memory requests: list, retry, discard.

A request is parked when the database refused its row at flush time (it
lives in that database's parked table), or when its connection is gone from
the gateway (it lives in the kernel's bounded list, until the gateway
restarts); see engine/burst.py.

Spent ids: a retry inserts the request under its own pre-assigned id, in
the transaction that deletes its parked row. Two concurrent retries insert
it at most once (one of them finds no parked row), and an id that has a
run already is not inserted again (ON CONFLICT DO NOTHING): the retry
answers with that run instead.
"""
from exchange.workflows.core import clock, codec, logs, states
from exchange.workflows.engine import burst, database, dispatcher, kernel, queries
from exchange.workflows.core.codec import TEXT
from exchange.workflows.core.errors import (DatabaseError, DatabaseUnavailable, InvalidArguments,
                                              NotFound, WorkflowsError)
from exchange.workflows.core.validate import isInteger
from exchange.workflows.store import parked, runs
from exchange.workflows.store.rows import camel

# The lengths of the text columns of workflow_status (store/schema.py), and
# which of them a run needs: a parked request is checked against them
# before it is inserted again.
_TEXT_COLUMNS = {"workflow_id": 64, "workflow_name": 200, "queue_name": 100,
                 "partition_key": 200, "deduplication_id": 200, "application_version": 100,
                 "created_by": 200}
_REQUIRED = ("workflow_id", "workflow_name", "queue_name", "created_ms")
_INT32 = (-2147483648, 2147483647)


class ParkedNotFound(NotFound):
    code = "PARKED_NOT_FOUND"


class ParkedRefused(WorkflowsError):
    """The database refused the request again; it stays parked."""
    code = "PARKED_REQUEST_REFUSED"


def listParked(dbName, limit, offset):
    """Returns {rows, total, limit, offset} of ``dbName``'s parked table
    (oldest first) and ``inMemory``: the requests parked in this gateway's
    memory because their connection was gone (any database)."""
    store = database.prepare(dbName)
    rows, total = parked.listAll(store, limit, offset)
    memory = sorted((dict(e) for e in kernel.get()["parkedInMemory"].values()),
                    key=lambda e: (e["parkedMs"], e["workflowId"]))
    return {"rows": [_describe(r["workflowId"], codec.decode(r["request"]), r["reason"],
                               r["executorId"], r["parkedMs"], r["attempts"], dbName, "database")
                     for r in rows],
            "total": total, "limit": limit, "offset": offset,
            "inMemory": [_describe(e["workflowId"], e["request"], e["reason"], e["executorId"],
                                   e["parkedMs"], e["attempts"], e["dbName"], "memory")
                         for e in memory]}


def _describe(workflowId, request, reason, executorId, parkedMs, attempts, dbName, source):
    request = dict(request or {})
    inputs = request.get("inputs")
    if isinstance(inputs, TEXT):
        try:
            request["inputs"] = codec.decode(inputs)
        except ValueError:
            pass  # shown as stored
    # Secret inputs are masked here as in every other answer.
    request["inputs"] = queries.shownInputs(request.get("workflow_name"), request.get("inputs"))
    return {"workflowId": workflowId, "workflowName": request.get("workflow_name"),
            "queueName": request.get("queue_name"), "reason": reason, "executorId": executorId,
            "parkedMs": parkedMs, "attempts": attempts, "dbName": dbName, "source": source,
            "request": dict((camel(k), v) for k, v in request.items())}


def retry(dbName, workflowId):
    """Inserts a parked request as an ENQUEUED run. Returns (code, data):
    PARKED_REQUEST_RETRIED {workflowId, status}; WORKFLOW_ALREADY_STARTED
    when a run with its id exists (nothing inserted; the id is spent);
    WORKFLOW_DEDUPLICATED when an active run holds its deduplication id.

    Raises:
        ParkedNotFound; InvalidArguments (PARKED_REQUEST_INVALID, UNKNOWN_DATABASE);
        ParkedRefused (the database refused it again; it stays parked); DATABASE_*.
    """
    entries = kernel.get()["parkedInMemory"]
    entry = entries.get(workflowId)
    if entry is not None:
        return _retryFromMemory(entries, entry)
    store = database.prepare(dbName)
    found = parked.get(store, workflowId)
    if found is None:
        raise ParkedNotFound("No parked request %r in database %r (listParked shows them)."
                             % (workflowId, dbName))
    row = _rowOf(codec.decode(found["request"]))
    try:
        with store.transaction() as tx:
            if parked.delete(store, workflowId, tx) != 1:
                raise ParkedNotFound("Parked request %r was retried or discarded meanwhile."
                                     % workflowId)
            inserted = runs.insert(store, [row], tx)
    except DatabaseError as e:  # refused (an outage, DatabaseUnavailable, is not caught)
        reason = parked.reasonOf(e)
        parked.refusedAgain(store, workflowId, reason)
        raise ParkedRefused("Database %r refused the request again: %s. It stays parked."
                            % (dbName, reason))
    return _outcome(store, row, inserted)


def _retryFromMemory(entries, entry):
    workflowId, dbName = entry["workflowId"], entry["dbName"]
    row = _rowOf(entry["request"])
    burst.requireDatabase(dbName)
    store = database.prepare(dbName)
    if entries.remove(workflowId) is None:  # a concurrent retry or discard took it
        raise ParkedNotFound("Parked request %r was retried or discarded meanwhile." % workflowId)
    try:
        inserted = runs.insert(store, [row])
    except DatabaseUnavailable:
        entries.put(workflowId, entry)
        raise
    except DatabaseError as e:
        again = dict(entry, attempts=entry["attempts"] + 1, reason=parked.reasonOf(e))
        entries.put(workflowId, again)
        raise ParkedRefused("Database %r refused the request again: %s. It stays parked."
                            % (dbName, again["reason"]))
    return _outcome(store, row, inserted)


def _outcome(store, row, inserted):
    workflowId, queueName, dedup = row[0], row[3], row[6]
    if inserted == 1:
        kernel.count("parkedRetried")
        dispatcher.wake(store.dbName, queueName)
        return "PARKED_REQUEST_RETRIED", {"workflowId": workflowId, "status": states.ENQUEUED,
                                          "dbName": store.dbName}
    existing = runs.get(store, workflowId)
    if existing is not None:
        return "WORKFLOW_ALREADY_STARTED", {"workflowId": workflowId,
                                            "status": existing["status"], "dbName": store.dbName}
    holder = runs.activeByDeduplication(store, queueName, dedup) if dedup else None
    return "WORKFLOW_DEDUPLICATED", {"workflowId": holder, "deduplicated": True,
                                     "dbName": store.dbName}


def discard(dbName, workflowId, reason, user):
    """Deletes a parked request for good. Returns {workflowId, source}.

    Raises:
        ParkedNotFound; DATABASE_*.
    """
    entry = kernel.get()["parkedInMemory"].remove(workflowId)
    if entry is not None:
        source = "memory"
    else:
        store = database.prepare(dbName)
        if parked.delete(store, workflowId) != 1:
            raise ParkedNotFound("No parked request %r in database %r (listParked shows them)."
                                 % (workflowId, dbName))
        source = "database"
    kernel.count("parkedDiscarded")
    logs.get("parking").infof(
        "parked request %s discarded by %s: %s", workflowId, user or "?", reason or "no reason given")
    return {"workflowId": workflowId, "source": source}


def _rowOf(request):
    """The request as a runs.INSERT_COLUMNS tuple, ENQUEUED now; refuses
    (PARKED_REQUEST_INVALID) what the run table cannot hold, naming the
    column, never its value."""
    if not hasattr(request, "get"):
        raise _invalid("the stored request is not a record of columns")
    values = []
    for column in runs.INSERT_COLUMNS:
        value = request.get(column)
        limit = _TEXT_COLUMNS.get(column)
        if value is None:
            if column in _REQUIRED:
                raise _invalid("%s is empty" % column)
        elif limit is not None:
            if not isinstance(value, TEXT) or not value.strip() or len(value) > limit:
                raise _invalid("%s is not a text of 1 to %d characters" % (column, limit))
        elif column == "priority":
            if not isInteger(value) or not _INT32[0] <= value <= _INT32[1]:
                raise _invalid("priority is not a 32-bit integer")
        elif column in ("timeout_ms", "created_ms", "updated_ms"):
            if not isInteger(value) or value < 0:
                raise _invalid("%s is not a number of milliseconds" % column)
        elif column == "inputs" and not isinstance(value, TEXT):
            raise _invalid("inputs is not JSON text")
        values.append(value)
    values[runs.INSERT_COLUMNS.index("status")] = states.ENQUEUED
    values[runs.INSERT_COLUMNS.index("updated_ms")] = clock.nowMs()
    if values[runs.INSERT_COLUMNS.index("priority")] is None:
        values[runs.INSERT_COLUMNS.index("priority")] = 0
    return tuple(values)


def _invalid(what):
    return InvalidArguments("The parked request cannot become a run: %s. Discard it "
                            "(discardParked) and start the work again." % what,
                            code="PARKED_REQUEST_INVALID")
