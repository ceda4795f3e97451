"""Statements on ``workflow_status``: one row per run.

Every status change is a conditional UPDATE: its WHERE clause names the
statuses the row may leave (and, for a worker, the claim epoch it holds),
so a finished row can never be overwritten and a gateway that lost its
claim cannot write."""
from exchange.workflows.core import states
from exchange.workflows.store import statuses
from exchange.workflows.store.records import RUN_COLUMNS, runRows
from exchange.workflows.store.rows import toDicts


INSERT_COLUMNS = ("workflow_id", "workflow_name", "status", "queue_name", "partition_key",
                  "priority", "deduplication_id", "application_version", "inputs",
                  "timeout_ms", "created_by", "created_ms", "updated_ms")


DETAIL_COLUMNS = ("workflow_id", "workflow_name", "status", "queue_name", "partition_key",
                  "priority", "deduplication_id", "application_version", "inputs", "output",
                  "error", "progress", "timeout_ms", "deadline_ms", "executor_id", "claim_epoch",
                  "recovery_attempts", "created_by", "created_ms", "updated_ms", "started_ms",
                  "finished_ms")

LIST_COLUMNS = ("workflow_id", "workflow_name", "status", "queue_name", "partition_key",
                "priority", "progress", "executor_id", "created_ms", "started_ms", "finished_ms",
                "updated_ms", "error")


def _insertSql(count):
    one = "(" + ", ".join(["?"] * len(INSERT_COLUMNS)) + ")"
    # ON CONFLICT DO NOTHING covers both a repeated id (an in-memory item
    # flushed twice after an unclear commit) and an active deduplication id.
    return ("INSERT INTO {status} (" + ", ".join(INSERT_COLUMNS) + ") VALUES "
            + ", ".join([one] * count) + " ON CONFLICT DO NOTHING")


def insert(store, rows, tx=None):
    """Inserts ENQUEUED rows (tuples in INSERT_COLUMNS order); returns how many were new."""
    if not rows:
        return 0
    args = []
    for r in rows:
        args.extend(r)
    return store.update(_insertSql(len(rows)), args, tx)


# The SQL types of INSERT_COLUMNS, then of the four claim columns that a
# direct start fills in: CASTs give PostgreSQL the parameters' types, which
# an INSERT ... SELECT cannot infer (a NULL would arrive as text).
_DIRECT_TYPES = ("VARCHAR(64)", "VARCHAR(200)", "VARCHAR(20)", "VARCHAR(100)", "VARCHAR(200)",
                 "INTEGER", "VARCHAR(200)", "VARCHAR(100)", "TEXT", "BIGINT", "VARCHAR(200)",
                 "BIGINT", "BIGINT", "VARCHAR(200)", "INTEGER", "BIGINT", "BIGINT")
_DIRECT_SQL = (
    "INSERT INTO {status} (" + ", ".join(INSERT_COLUMNS)
    + ", executor_id, claim_epoch, started_ms, deadline_ms) SELECT "
    + ", ".join(["CAST(? AS %s)" % t for t in _DIRECT_TYPES])
    + " WHERE NOT EXISTS (SELECT 1 FROM {queues} WHERE queue_name = ? AND "
    "(concurrency IS NOT NULL OR worker_concurrency IS NOT NULL)) ON CONFLICT DO NOTHING")


def insertRunning(store, row, executorId, epoch, now, deadlineMs):
    """Inserts ``row`` (INSERT_COLUMNS order, any status) as RUNNING, held by
    ``executorId`` with ``epoch``: a start that skips the queue. The insert
    happens only if the queue has no concurrency limit (those are counted by
    the claim transaction) and no active run holds the same deduplication
    id; returns 1 if it did, else 0."""
    values = list(row)
    values[INSERT_COLUMNS.index("status")] = states.RUNNING
    return store.update(_DIRECT_SQL,
                     values + [executorId, epoch, now, deadlineMs, row[INSERT_COLUMNS.index("queue_name")]])


def existing(store, workflowIds):
    """Returns the set of ``workflowIds`` that have a run row."""
    found, ids = set(), list(workflowIds)
    for start in range(0, len(ids), 100):
        chunk = ids[start:start + 100]
        ds = store.query(
            "SELECT workflow_id FROM {status} WHERE workflow_id IN ("
            + ", ".join(["?"] * len(chunk)) + ")", chunk)
        found.update(r[0] for r in ds)
    return found


def activeByDeduplication(store, queueName, deduplicationId):
    """Returns the id of the active run holding ``deduplicationId`` in the queue, or None."""
    ds = store.query(
        "SELECT workflow_id FROM {status} WHERE queue_name = ? AND deduplication_id = ? "
        "AND status IN " + statuses.ACTIVE, [queueName, deduplicationId])
    return ds[0][0] if len(ds) else None


def queuesWithWork(store):
    """Names of the queues that have ENQUEUED rows (read from the claim index)."""
    ds = store.query(
        "SELECT DISTINCT queue_name FROM {status} WHERE status = 'ENQUEUED' ORDER BY queue_name")
    return [r[0] for r in ds]


def listQueues(store):
    """Configured queues and queues with waiting runs, with their limits."""
    ds = store.query(
        "SELECT q.queue_name, q.concurrency, q.worker_concurrency, (SELECT COUNT(*) FROM {status} s "
        "WHERE s.queue_name = q.queue_name AND s.status = 'ENQUEUED') FROM {queues} q "
        "ORDER BY q.queue_name")
    out = [{"queueName": r[0], "concurrency": r[1], "workerConcurrency": r[2], "waiting": int(r[3])}
           for r in ds]
    known = set(q["queueName"] for q in out)
    for name in queuesWithWork(store):
        if name not in known:
            out.append({"queueName": name, "concurrency": None, "workerConcurrency": None,
                        "waiting": None})
    return out


def markRunning(store, workflowId, epoch, now, deadlineMs):
    """PENDING -> RUNNING for the claim holder; returns rows affected (0 or 1)."""
    return store.update(
        "UPDATE {status} SET status = 'RUNNING', started_ms = COALESCE(started_ms, ?), "
        "deadline_ms = COALESCE(deadline_ms, ?), updated_ms = ? "
        "WHERE workflow_id = ? AND claim_epoch = ? AND status = 'PENDING'",
        [now, deadlineMs, now, workflowId, epoch])


def setVisibleState(store, workflowId, epoch, status, now, tx=None):
    """RUNNING <-> HELD for the claim holder; returns rows affected."""
    other = states.RUNNING if status == states.HELD else states.HELD
    return store.update(
        "UPDATE {status} SET status = ?, updated_ms = ? "
        "WHERE workflow_id = ? AND claim_epoch = ? AND status IN (?, 'PENDING')",
        [status, now, workflowId, epoch, other], tx)


def finish(store, workflowId, epoch, status, output, error, now, tx=None):
    """Ends the run held with ``epoch``; returns rows affected (0: not ours any more)."""
    return store.update(
        "UPDATE {status} SET status = ?, output = ?, error = ?, finished_ms = ?, updated_ms = ? "
        "WHERE workflow_id = ? AND claim_epoch = ? AND status IN " + statuses.OWNED,
        [status, output, error, now, now, workflowId, epoch], tx)


def setProgress(store, workflowId, epoch, progress, now):
    return store.update(
        "UPDATE {status} SET progress = ?, updated_ms = ? "
        "WHERE workflow_id = ? AND claim_epoch = ? AND status IN " + statuses.OWNED,
        [progress, now, workflowId, epoch])


def _byIds(store, columns, workflowIds, chunkSize):
    """Yields the rows (workflow_id first, then ``columns``) of the given
    runs, reading ``chunkSize`` ids per statement."""
    ids = list(workflowIds)
    for start in range(0, len(ids), chunkSize):
        chunk = ids[start:start + chunkSize]
        for row in store.query(
                "SELECT workflow_id, " + columns + " FROM {status} WHERE workflow_id IN ("
                + ", ".join(["?"] * len(chunk)) + ")", chunk):
            yield row


def control(store, workflowIds):
    """Returns {workflowId: (status, claimEpoch, cmdSeq)} for the given ids."""
    return dict((row[0], (row[1], int(row[2]), int(row[3])))
                for row in _byIds(store, "status, claim_epoch, cmd_seq", workflowIds, 100))


def bumpCommandSeq(store, workflowId, now, tx):
    """Reserves the next mailbox sequence number of an active run; None if not active."""
    ds = store.query(
        "UPDATE {status} SET cmd_seq = cmd_seq + 1, updated_ms = ? "
        "WHERE workflow_id = ? AND status IN " + statuses.ACTIVE + " RETURNING cmd_seq, status",
        [now, workflowId], tx)
    return (int(ds[0][0]), ds[0][1]) if len(ds) else None


def endUnclaimed(store, workflowId, status, error, now, tx=None):
    """Ends a run that no gateway holds yet (ENQUEUED) directly."""
    return store.update(
        "UPDATE {status} SET status = ?, error = ?, finished_ms = ?, updated_ms = ? "
        "WHERE workflow_id = ? AND status = 'ENQUEUED'",
        [status, error, now, now, workflowId], tx)


def cancel(store, workflowId, error, now):
    """Any active status -> CANCELLED; the holder notices at its next safe point."""
    return store.update(
        "UPDATE {status} SET status = 'CANCELLED', error = ?, finished_ms = ?, updated_ms = ? "
        "WHERE workflow_id = ? AND status IN " + statuses.ACTIVE,
        [error, now, now, workflowId])


def cancelAllActive(store, error, now):
    """Every active run -> CANCELLED (maintenance "cancel"); returns how many."""
    return store.update(
        "UPDATE {status} SET status = 'CANCELLED', error = ?, finished_ms = ?, updated_ms = ? "
        "WHERE status IN " + statuses.ACTIVE, [error, now, now])


def resetRecoveryAttempts(store, workflowId, epoch):
    """Starts the crash counter of a run held with ``epoch`` over (it made progress)."""
    return store.update("UPDATE {status} SET recovery_attempts = 0 WHERE workflow_id = ? "
                        "AND claim_epoch = ?", [workflowId, epoch])


def owned(store, executorId):
    """Returns this executor's unfinished runs as RunRows (for recovery after a restart)."""
    return runRows(store.query(
        "SELECT " + ", ".join(RUN_COLUMNS) + " FROM {status} "
        "WHERE executor_id = ? AND status IN " + statuses.OWNED, [executorId]))


def reclaim(store, workflowId, executorId, epoch, now):
    """Takes a run over again with a new epoch (fencing any older holder);
    returns its RunRow, or None when another gateway was faster."""
    ds = store.query(
        "UPDATE {status} SET claim_epoch = claim_epoch + 1, "
        "recovery_attempts = recovery_attempts + 1, executor_id = ?, updated_ms = ?, "
        "status = CASE WHEN status = 'HELD' THEN 'HELD' ELSE 'PENDING' END "
        "WHERE workflow_id = ? AND claim_epoch = ? AND status IN " + statuses.OWNED
        + " RETURNING " + ", ".join(RUN_COLUMNS), [executorId, now, workflowId, epoch])
    rows = runRows(ds)
    return rows[0] if rows else None


def release(store, workflowId, epoch, now):
    """Gives a run back to the queue (e.g. its workflow is not registered here)."""
    return store.update(
        "UPDATE {status} SET status = 'ENQUEUED', executor_id = NULL, updated_ms = ?, "
        "recovery_attempts = recovery_attempts + 1 "
        "WHERE workflow_id = ? AND claim_epoch = ? AND status IN " + statuses.RELEASABLE,
        [now, workflowId, epoch])


def deadLetter(store, workflowId, epoch, error, now):
    return store.update(
        "UPDATE {status} SET status = 'DEAD_LETTER', error = ?, finished_ms = ?, updated_ms = ? "
        "WHERE workflow_id = ? AND claim_epoch = ? AND status IN " + statuses.OWNED,
        [error, now, now, workflowId, epoch])


def get(store, workflowId):
    ds = store.query(
        "SELECT " + ", ".join(DETAIL_COLUMNS) + " FROM {status} WHERE workflow_id = ?", [workflowId])
    rows = toDicts(ds, DETAIL_COLUMNS)
    return rows[0] if rows else None


def listRuns(store, filters, limit, offset):
    """Returns (rows, total) for the filters {status, workflowName, queueName, sinceMs, untilMs}."""
    where, args = [], []
    wanted = filters.get("status")
    if wanted:
        where.append("status IN (" + ", ".join(["?"] * len(wanted)) + ")")
        args.extend(wanted)
    for key, column in (("workflowName", "workflow_name"), ("queueName", "queue_name"),
                        ("partitionKey", "partition_key")):
        if filters.get(key) is not None:
            where.append(column + " = ?")
            args.append(filters[key])
    if filters.get("sinceMs") is not None:
        where.append("created_ms >= ?")
        args.append(filters["sinceMs"])
    if filters.get("untilMs") is not None:
        where.append("created_ms < ?")
        args.append(filters["untilMs"])
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    ds = store.query(
        "SELECT " + ", ".join(LIST_COLUMNS) + " FROM {status}" + clause
        + " ORDER BY created_ms DESC, workflow_id DESC LIMIT ? OFFSET ?", args + [limit, offset])
    total = store.query("SELECT COUNT(*) FROM {status}" + clause, args)
    return toDicts(ds, LIST_COLUMNS), int(total[0][0])


def queueCounts(store, queueName=None):
    """Returns [{queueName, status, count}] for active and finished runs."""
    clause, args = "", []
    if queueName is not None:
        clause, args = " WHERE queue_name = ?", [queueName]
    ds = store.query(
        "SELECT queue_name, status, COUNT(*) FROM {status}" + clause
        + " GROUP BY queue_name, status ORDER BY queue_name, status", args)
    return [{"queueName": r[0], "status": r[1], "count": int(r[2])} for r in ds]


def inputsOf(store, workflowIds):
    """Returns {workflowId: inputs JSON} of the given runs (a page of a list)."""
    return dict((row[0], row[1]) for row in _byIds(store, "inputs", workflowIds, 500))
